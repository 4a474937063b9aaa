package main

// The load test's data, written through the services as the demo writes
// its own: the same rules as real data.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/demo"
	"github.com/greyline/greyline/sqlstore"
)

// loadPassword is every account's password (the demo's, so its accounts
// sign in with it too).
const loadPassword = demo.Password

// persona is a kind of signed-in staff member: a role in an organisation,
// and the pages such a person opens.
type persona struct {
	key    string
	role   greyline.Role
	org    string
	weight int      // share of page views
	extra  int      // accounts created beside the demo's
	pages  []string // {complaint} {network} {task} {application} {licence} are filled in
}

// loadPersonas are the staff who sign in and browse. Weights: the
// complaint and network work of NCCIA's analysts, investigators and
// helpline dominates; the agencies' reviewers come next.
var loadPersonas = []persona{
	{"analyst", greyline.RoleAnalyst, "NCCIA", 22, 3, []string{"/complaints", "/complaints/{complaint}", "/networks", "/networks/{network}", "/networks/review", "/alerts", "/takedowns"}},
	{"investigator", greyline.RoleInvestigator, "NCCIA", 18, 3, []string{"/complaints", "/complaints/{complaint}", "/operations", "/firs", "/watchlist", "/networks/{network}", "/licences"}},
	{"helpline", greyline.RoleHelpline, "NCCIA", 12, 2, []string{"/complaints/new", "/complaints", "/complaints/{complaint}"}},
	{"reviewer-PTA", greyline.RoleReviewer, "PTA", 9, 3, []string{"/queue", "/tasks/{task}", "/applications/{application}", "/licences", "/licences/{licence}"}},
	{"reviewer-NCCIA", greyline.RoleReviewer, "NCCIA", 9, 3, []string{"/queue", "/tasks/{task}", "/applications/{application}", "/licences"}},
	{"reviewer-SA", greyline.RoleReviewer, "SA", 9, 3, []string{"/queue", "/tasks/{task}", "/applications/{application}", "/licences"}},
	{"reviewer-SECP", greyline.RoleReviewer, "SECP", 5, 1, []string{"/takedowns", "/loan-apps", "/queue"}},
	{"inspector", greyline.RoleInspector, "PSEB", 5, 1, []string{"/inspections", "/licences", "/licences/{licence}"}},
	{"admin", greyline.RoleAdmin, "PTA", 6, 1, []string{"/licences", "/admin/users", "/audit", "/networks", "/takedowns"}},
	{"applicant", greyline.RoleApplicant, "MARGALLA", 5, 0, []string{"/business", "/account"}},
}

// demoPersona places the demo's accounts among the personas.
func demoPersona(a demo.Account) string {
	switch a.Role {
	case greyline.RoleReviewer:
		return "reviewer-" + a.Org
	case greyline.RolePartner:
		return "" // partners use API tokens
	case greyline.RoleApplicant:
		if a.Org != "MARGALLA" {
			return ""
		}
	}
	return string(a.Role)
}

type staffAccount struct {
	email, persona string
	userID, orgID  int64
}

type partnerAccount struct {
	token, org string
	orgID      int64
}

// openTask is a clearance task waiting for its agency's decision.
type openTask struct {
	id, appID int64
	version   int
}

// loadFixture is what the clients draw on.
type loadFixture struct {
	runID    string // prefix of this run's Idempotency-Keys
	staff    []staffAccount
	partners []partnerAccount
	// What the public and partners look up.
	declared, inRange, domains, licenceNumbers []string
	stored                                     []string // values of identifiers in complaints
	ringValues                                 []string // identifiers shared by complaints, reused by new ones
	// Records the staff open.
	complaintIDs, networkIDs, licenceIDs, appIDs []int64
	tasksOf                                      map[string][]int64    // every task of each clearance agency
	open                                         map[string][]openTask // the tasks waiting, by agency
	agencies                                     []string
	gen                                          *generator
}

// setUpLoad fills the fresh database.
func setUpLoad(ctx context.Context, env *loadEnv, cfg loadConfig, out io.Writer) (*loadFixture, error) {
	db := env.db
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	b := make([]byte, 4)
	rand.Read(b)
	fx := &loadFixture{runID: "load-" + hex.EncodeToString(b), tasksOf: map[string][]int64{}, open: map[string][]openTask{}, agencies: sqlstore.DefaultClearance,
		gen: newGenerator(cfg.Seed, 100000)}

	// 1. The demo: organisations (agency 2FA turned off), one account per
	// role, 2,000 complaints in fraud networks, Operation Grey, takedowns.
	t0 := time.Now()
	accts, err := demo.Load(sys, demo.Services{Orgs: db, Users: db, Businesses: db, Applications: db, Clearance: db, Licences: db, Complaints: db, Enforcement: db, Takedowns: db})
	if err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	orgs := map[string]*greyline.Org{}
	all, err := db.ListOrgs(sys)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		orgs[o.Code] = o
		if o.Require2FA {
			return nil, fmt.Errorf("organisation %s still requires two-step verification", o.Code)
		}
	}
	for _, a := range accts {
		p := demoPersona(a)
		if p == "" {
			continue
		}
		u, err := db.FindUserByEmail(sys, a.Email)
		if err != nil {
			return nil, err
		}
		fx.staff = append(fx.staff, staffAccount{email: a.Email, persona: p, userID: u.ID, orgID: u.OrgID})
	}
	fmt.Fprintf(out, "  demo data (organisations with two-step verification off for the run, an account per role, 2,000 complaints in fraud networks, Operation Grey, takedowns): %s\n", time.Since(t0).Round(time.Millisecond))

	// 2. More staff, so that sign-ins and sessions spread over accounts.
	t0 = time.Now()
	for _, p := range loadPersonas {
		for i := range p.extra {
			email := fmt.Sprintf("%s.%d@load.greyline.pk", strings.ToLower(p.key), i+2)
			u, err := db.CreateUser(sys, greyline.NewUser{OrgID: orgs[p.org].ID, Email: email, Name: fmt.Sprintf("Load %s %d", p.key, i+2), Roles: []greyline.Role{p.role}, Password: loadPassword})
			if err != nil {
				return nil, fmt.Errorf("user %s: %w", email, err)
			}
			fx.staff = append(fx.staff, staffAccount{email: email, persona: p.key, userID: u.ID, orgID: u.OrgID})
		}
	}
	// Partners: banks and telcos, each with a user and a read-write token.
	for i, o := range []*greyline.Org{
		{Code: "LOADBANK1", Name: "Load Bank One Limited", Kind: greyline.OrgBank},
		{Code: "LOADBANK2", Name: "Load Bank Two Limited", Kind: greyline.OrgBank},
		{Code: "LOADBANK3", Name: "Load Microfinance Bank", Kind: greyline.OrgBank},
		{Code: "LOADTEL1", Name: "Load Mobile", Kind: greyline.OrgTelco},
		{Code: "LOADTEL2", Name: "Load Telecom", Kind: greyline.OrgTelco},
	} {
		if err := db.CreateOrg(sys, o); err != nil {
			return nil, err
		}
		u, err := db.CreateUser(sys, greyline.NewUser{OrgID: o.ID, Email: fmt.Sprintf("partner%d@load.greyline.pk", i+1), Name: "Load partner " + o.Code, Roles: []greyline.Role{greyline.RolePartner}, Password: loadPassword})
		if err != nil {
			return nil, err
		}
		uctx := greyline.WithActor(ctx, greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
		secret, _, err := db.CreateAPIToken(uctx, u.ID, greyline.NewAPIToken{Name: "load test", Scopes: []string{"read", "write"}, ExpiresIn: 30})
		if err != nil {
			return nil, err
		}
		fx.partners = append(fx.partners, partnerAccount{token: secret, org: o.Code, orgID: o.ID})
	}
	fmt.Fprintf(out, "  %d staff accounts in %d personas, %d partner organisations with API tokens: %s\n", len(fx.staff), len(loadPersonas), len(fx.partners), time.Since(t0).Round(time.Millisecond))

	// Who acts in the set-up: PTA's administrator enters the applications
	// (as for applications made on paper), the agencies' reviewers clear
	// the licensed ones, PSEB's inspector inspects them.
	actor := func(persona string) context.Context {
		for _, s := range fx.staff {
			if s.persona == persona {
				return greyline.WithActor(ctx, greyline.Actor{UserID: s.userID, OrgID: s.orgID})
			}
		}
		panic("no account for " + persona)
	}
	ls := &loadSetup{db: db, admin: actor("admin"), inspector: actor("inspector"), reviewers: map[string]context.Context{}, seed: cfg.Seed}
	for _, a := range fx.agencies {
		ls.reviewers[a] = actor("reviewer-" + a)
	}

	// 3. Licensed businesses with declared numbers, ranges and domains.
	t0 = time.Now()
	lics, err := parallel(cfg.Licensed, func(i int) (*licensedBiz, error) { return ls.licensed(sys, i) })
	if err != nil {
		return nil, fmt.Errorf("licensed businesses: %w", err)
	}
	for _, l := range lics {
		fx.declared = append(fx.declared, l.numbers...)
		fx.inRange = append(fx.inRange, l.inRange...)
		fx.domains = append(fx.domains, l.domain)
	}
	fmt.Fprintf(out, "  %d licensed businesses (each: application, documents, payment, three clearances, inspection; 10 declared numbers, a range of 900, a domain): %s\n",
		len(lics), time.Since(t0).Round(time.Millisecond))

	// 4. Submitted applications waiting in the agencies' queues.
	apps := cfg.Applications
	if apps == 0 {
		// 200 clients asked for about 13 decisions a second on this 2-CPU
		// machine (each takes a task off the queue, 200 or 409); three
		// tasks an application, and room for a machine four times faster.
		// A queue that runs dry anyway is reported.
		apps = max(30, int(cfg.Duration.Seconds()*float64(cfg.Clients)/12))
	}
	t0 = time.Now()
	waiting, err := parallel(apps, func(i int) ([]*greyline.ClearanceTask, error) { return ls.waiting(sys, cfg.Licensed+i) })
	if err != nil {
		return nil, fmt.Errorf("submitted applications: %w", err)
	}
	for _, tasks := range waiting {
		for _, t := range tasks {
			fx.open[t.OrgCode] = append(fx.open[t.OrgCode], openTask{id: t.ID, appID: t.ApplicationID, version: t.Version})
			fx.tasksOf[t.OrgCode] = append(fx.tasksOf[t.OrgCode], t.ID)
		}
		fx.appIDs = append(fx.appIDs, tasks[0].ApplicationID)
	}
	// Each agency's queue is in the order of the deadlines, the order of
	// submission, as /queue shows it: the three agencies work through the
	// same applications, so that many are granted during the run.
	fmt.Fprintf(out, "  %d submitted applications, %d open clearance tasks for %s: %s\n", len(waiting), 3*len(waiting), strings.Join(fx.agencies, ", "), time.Since(t0).Round(time.Millisecond))

	// 5. What the clients look up and open.
	if err := fx.collect(sys, db); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  lookups draw on %d declared numbers, %d numbers inside declared ranges, %d domains, %d licence numbers, %d stored identifiers\n",
		len(fx.declared), len(fx.inRange), len(fx.domains), len(fx.licenceNumbers), len(fx.stored))
	return fx, nil
}

// collect reads back the records the clients open and the values they
// look up.
func (fx *loadFixture) collect(ctx context.Context, db *sqlstore.DB) error {
	lics, err := db.ListLicences(ctx, greyline.LicenceFilter{})
	if err != nil {
		return err
	}
	for _, l := range lics {
		fx.licenceIDs = append(fx.licenceIDs, l.ID)
		fx.licenceNumbers = append(fx.licenceNumbers, l.Number)
	}
	_, rd := db.Pools()
	ints := func(q string) ([]int64, error) {
		rows, err := rd.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
	strs := func(q string) ([]string, error) {
		rows, err := rd.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
	if fx.complaintIDs, err = ints("SELECT id FROM complaints ORDER BY id"); err != nil {
		return err
	}
	if fx.stored, err = strs("SELECT value FROM identifiers ORDER BY id LIMIT 5000"); err != nil {
		return err
	}
	if fx.ringValues, err = strs("SELECT value FROM identifiers WHERE complaints >= 2 AND type IN ('phone', 'wallet', 'iban', 'url') ORDER BY complaints DESC, id LIMIT 400"); err != nil {
		return err
	}
	if len(fx.complaintIDs) == 0 || len(fx.stored) == 0 || len(fx.ringValues) == 0 || len(fx.licenceIDs) == 0 {
		return errors.New("the set-up left no complaints, identifiers or licences to work on")
	}
	return nil
}

// parallel runs fn for 0..n-1 on a few goroutines (the writes queue for
// SQLite's one writer; PostgreSQL takes them side by side) and returns the
// results in order.
func parallel[T any](n int, fn func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

// loadSetup writes businesses and applications.
type loadSetup struct {
	db               *sqlstore.DB
	admin, inspector context.Context
	reviewers        map[string]context.Context
	seed             uint64
}

type licensedBiz struct {
	numbers, inRange []string
	domain           string
}

var (
	bizWords  = []string{"Ravi", "Indus", "Chenab", "Jhelum", "Margalla", "Karakoram", "Khyber", "Mehran", "Bolan", "Potohar", "Sutlej", "Thar", "Hunza", "Swat", "Kaghan", "Makran"}
	bizKinds  = []string{"Contact", "Callers", "Teleservices", "BPO", "Solutions", "Dialers", "Connect", "Voice"}
	bizCities = []struct {
		city     string
		province greyline.Province
		area     string // trunk code, for landline numbers
	}{
		{"Lahore", "Punjab", "42"}, {"Karachi", "Sindh", "21"}, {"Islamabad", "Islamabad Capital Territory", "51"}, {"Rawalpindi", "Punjab", "51"},
		{"Faisalabad", "Punjab", "41"}, {"Multan", "Punjab", "61"}, {"Peshawar", "Khyber Pakhtunkhwa", "91"}, {"Quetta", "Balochistan", "81"},
	}
)

// business i: its records and its numbers. Numbers are landlines of its
// city, unique per business: +92 AREA 3BBBBNNN (8 digits after the area
// code), ten declared one by one and a range of 900.
func (ls *loadSetup) business(i int) (*greyline.Org, *greyline.Business, *greyline.Person, *greyline.Site, *licensedBiz) {
	r := mrand.New(mrand.NewPCG(ls.seed, uint64(i)+0xb15))
	c := bizCities[i%len(bizCities)]
	name := fmt.Sprintf("%s %s %d", bizWords[r.IntN(len(bizWords))], bizKinds[r.IntN(len(bizKinds))], i+1)
	org := &greyline.Org{Code: fmt.Sprintf("LOAD-B%05d", i+1), Name: name, Kind: greyline.OrgBusiness}
	forms := []greyline.LegalForm{greyline.Company, greyline.Company, greyline.Partnership, greyline.SoleProprietor}
	form := forms[r.IntN(len(forms))]
	b := &greyline.Business{LegalName: name, TradeName: name, Kind: greyline.CallCentre, LegalForm: form,
		NTN: fmt.Sprintf("%07d-%d", 3000000+i, i%10), RegisteredAddress: fmt.Sprintf("Office %d, Main Boulevard, %s", 1+r.IntN(90), c.city),
		InboundPercent: r.IntN(101), ClientCountries: []string{[]string{"US", "GB", "AE", "CA", "AU", "SA"}[r.IntN(6)]}}
	if form == greyline.Company {
		name += " (Private) Limited"
		b.LegalName = name
		b.SECPNumber = fmt.Sprintf("%07d", 4000000+i)
	}
	if i%5 == 4 {
		b.Kind = greyline.SoftwareHouse
	}
	role := map[greyline.LegalForm]greyline.PersonRole{greyline.Company: greyline.Director, greyline.Partnership: greyline.Partner, greyline.SoleProprietor: greyline.Proprietor}[form]
	p := &greyline.Person{Name: firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))], Role: role,
		CNIC: fmt.Sprintf("%d%04d-%07d-%d", 1+r.IntN(7), r.IntN(10000), 1000000+i, r.IntN(10))}
	base := 30000000 + i*1000 // 3BBBB000
	lb := &licensedBiz{domain: fmt.Sprintf("%s-%d.com.pk", strings.ToLower(strings.ReplaceAll(strings.Fields(name)[0]+strings.Fields(name)[1], " ", "")), i+1)}
	for k := range 10 {
		lb.numbers = append(lb.numbers, fmt.Sprintf("+92%s%08d", c.area, base+k))
	}
	for range 10 {
		lb.inRange = append(lb.inRange, fmt.Sprintf("+92%s%08d", c.area, base+100+r.IntN(900)))
	}
	s := &greyline.Site{Address: fmt.Sprintf("Floor %d, Plaza %d, %s", 1+r.IntN(8), 1+r.IntN(200), c.city), City: c.city, Province: c.province,
		Seats: 20 + r.IntN(400), MainOffice: true,
		Resources: greyline.Resources{Numbers: append([]string(nil), lb.numbers...),
			Ranges:  []greyline.NumberRange{{Start: fmt.Sprintf("+92%s%08d", c.area, base+100), End: fmt.Sprintf("+92%s%08d", c.area, base+999)}},
			Domains: []string{lb.domain}, SIPProviders: []string{"Nayatel SIP"}}}
	s.Staff = s.Seats + r.IntN(30)
	return org, b, p, s, lb
}

// submitted enters business i's complete application and submits it.
func (ls *loadSetup) submitted(sys context.Context, i int) (*greyline.Application, *licensedBiz, error) {
	org, b, p, s, lb := ls.business(i)
	if err := ls.db.CreateOrg(sys, org); err != nil {
		return nil, nil, err
	}
	ctx := ls.admin
	b.OrgID = org.ID
	if err := ls.db.CreateBusiness(ctx, b); err != nil {
		return nil, nil, err
	}
	p.BusinessID, s.BusinessID = b.ID, b.ID
	if err := ls.db.SavePerson(ctx, p); err != nil {
		return nil, nil, err
	}
	if err := ls.db.SaveSite(ctx, s); err != nil {
		return nil, nil, err
	}
	app, err := ls.db.CreateApplication(ctx, b.ID, greyline.NewLicence, nil)
	if err != nil {
		return nil, nil, err
	}
	kinds := []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocCNIC}
	switch b.LegalForm {
	case greyline.Company:
		kinds = append(kinds, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29)
	case greyline.Partnership:
		kinds = append(kinds, greyline.DocPartnershipDeed)
	}
	for _, k := range kinds {
		doc := &greyline.Document{ApplicationID: app.ID, Kind: k, Filename: string(k) + ".pdf"}
		if k == greyline.DocCNIC {
			doc.PersonID = p.ID
		}
		if err := ls.db.AddDocument(ctx, doc, bytes.NewReader(loadPDF)); err != nil {
			return nil, nil, err
		}
	}
	if app, err = ls.db.UpdatePayment(ctx, app.ID, app.Version, fmt.Sprintf("PSID-LOAD-%d", app.ID)); err != nil {
		return nil, nil, err
	}
	app, err = ls.db.Submit(ctx, app.ID, app.Version)
	return app, lb, err
}

// loadPDF is every document: a valid, tiny PDF.
var loadPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// licensed takes business i through clearance and inspection to an
// active licence.
func (ls *loadSetup) licensed(sys context.Context, i int) (*licensedBiz, error) {
	app, lb, err := ls.submitted(sys, i)
	if err != nil {
		return nil, err
	}
	tasks, err := ls.db.TasksOf(ls.admin, app.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		if _, err := ls.db.Decide(ls.reviewers[t.OrgCode], t.ID, t.Version, greyline.DecideClear, ""); err != nil {
			return nil, err
		}
	}
	lics, err := ls.db.ListLicences(ls.admin, greyline.LicenceFilter{BusinessID: app.BusinessID})
	if err != nil || len(lics) == 0 {
		return nil, errors.Join(err, fmt.Errorf("no licence issued to business %d", i))
	}
	if _, err := ls.db.RecordInspection(ls.inspector, &greyline.Inspection{LicenceID: lics[0].ID, Date: time.Now(), Findings: "Seats, numbers and the range match the declaration.", Passed: true}); err != nil {
		return nil, err
	}
	return lb, nil
}

// waiting submits business i's application and leaves its tasks open.
func (ls *loadSetup) waiting(sys context.Context, i int) ([]*greyline.ClearanceTask, error) {
	app, _, err := ls.submitted(sys, i)
	if err != nil {
		return nil, err
	}
	tasks, err := ls.db.TasksOf(ls.admin, app.ID)
	if err != nil {
		return nil, err
	}
	if len(tasks) != 3 {
		return nil, fmt.Errorf("application %d has %d clearance tasks, want 3", app.ID, len(tasks))
	}
	return tasks, nil
}
