package main

// The load test's clients: each repeats one action at a time, drawn from
// loadMix, over real HTTP on loopback, and records every request.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/network"
)

// loadKind is one kind of request, with the answers that are correct for
// it; anything else is counted as unexpected.
type loadKind struct {
	name, group string
	expect      []int
}

// The fixed kinds; staff pages get one kind per page, after these.
const (
	kVerifyAPI = iota
	kVerifyPage
	kSuspects
	kComplaintAPI
	kReportPage
	kReportPost
	kLoginPage
	kLoginPost
	kLoginHome
	kDecision
	kFixed
)

var fixedKinds = []loadKind{
	kVerifyAPI:    {"GET /api/v1/verify?q= (public)", "public lookups", []int{200}},
	kVerifyPage:   {"GET /verify?q= (public page)", "public lookups", []int{200}},
	kSuspects:     {"GET /api/v1/suspects?q= (partner token)", "partner suspect lookups", []int{200}},
	kComplaintAPI: {"POST /api/v1/complaints (partner, Idempotency-Key)", "complaint submissions", []int{201, 200}},
	kReportPage:   {"GET /report (public form)", "complaint submissions", []int{200}},
	kReportPost:   {"POST /report (public form, challenge)", "complaint submissions", []int{201}},
	kLoginPage:    {"GET /login", "sign-ins", []int{200}},
	kLoginPost:    {"POST /login (CSRF, password)", "sign-ins", []int{303}},
	kLoginHome:    {"GET / (first page signed in)", "sign-ins", []int{200}},
	kDecision:     {"POST /api/v1/tasks/{id}/decision (session, CSRF, version)", "reviewer decisions", []int{200, 409}},
}

// action is one entry of the mix.
type action struct {
	percent float64
	what    string
	do      func(c *client)
}

// loadMix is the traffic: what a day of greyline looks like, weighted to
// the public and partner lookups that dominate it. A sign-in is one in 26
// page views: its argon2id hash costs more CPU than any other request.
var loadMix = []action{
	{30, "public lookup, API: GET /api/v1/verify?q= (declared numbers in several writings, numbers in declared ranges, domains, licence numbers, reported and unknown values)", (*client).verifyAPI},
	{10, "public lookup, page: GET /verify?q=", (*client).verifyPage},
	{20, "partner suspect lookup: GET /api/v1/suspects?q= with a bank's or telco's token (stored identifiers, ring members, unknown values)", (*client).suspects},
	{6, "partner complaint: POST /api/v1/complaints with a token and an Idempotency-Key (5% resend an acknowledged key, 3% send one key twice at once)", (*client).complaintAPI},
	{1, "public complaint form: GET /report, then POST /report with the CSRF token and the challenge's answer", (*client).publicReport},
	{26, "staff page view, signed in (analysts, investigators, helpline, reviewers of PTA, NCCIA, SA and SECP, inspectors, administrators, applicants)", (*client).pageView},
	{1, "sign-in: GET /login, POST /login with CSRF token and password, GET / with the new session", (*client).signIn},
	{6, "reviewer decision: POST /api/v1/tasks/{id}/decision with the session's CSRF token and the task's version (88% clear, 8% object, 4% refuse); 409 when another reviewer got there first", (*client).decide},
}

type sample struct {
	kind   uint16
	status uint16 // 0: no answer (transport error)
	d      time.Duration
}

type session struct {
	cookie, csrf string
	acct         staffAccount
}

type complaintAck struct {
	key, ref string
	id       int64
	partner  int
}

type decisionAck struct {
	task, app int64
	decision  greyline.Decision
	status    greyline.TaskStatus
	version   int
	by        int64
}

// traffic is the shared state of the clients.
type traffic struct {
	base  string
	hc    *http.Client
	fx    *loadFixture
	cfg   loadConfig
	kinds []loadKind
	pages map[string]int // page pattern → kind

	mu             sync.Mutex
	sessions       map[string][]*session // by persona
	open           map[string][]openTask // tasks waiting, by agency
	dry            map[string]time.Duration
	complaints     []complaintAck // acknowledged with 201
	publicRefs     []string       // public form complaints acknowledged with 201
	decisions      []decisionAck  // acknowledged with 200
	violations     []string       // idempotency answers that disagree
	transportErrs  []string
	serverErrs     []string // bodies of 5xx answers, a few
	nextComplaint  atomic.Int64
	started        time.Time
	clients        []*client
	personaWeights []int
}

type client struct {
	t    *traffic
	id   int
	r    *mrand.Rand
	rec  []sample
	sent []complaintAck // this client's acknowledged complaints, for retries
	n    int
}

func newTraffic(ctx context.Context, base string, fx *loadFixture, cfg loadConfig) (*traffic, error) {
	tr := &http.Transport{MaxIdleConns: cfg.Clients + 16, MaxIdleConnsPerHost: cfg.Clients + 16, MaxConnsPerHost: cfg.Clients + 16, DisableCompression: true, IdleConnTimeout: time.Minute}
	t := &traffic{base: base, fx: fx, cfg: cfg, kinds: slices.Clone(fixedKinds), pages: map[string]int{},
		hc: &http.Client{Transport: tr, Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		sessions: map[string][]*session{}, open: map[string][]openTask{}, dry: map[string]time.Duration{}}
	for a, tasks := range fx.open {
		t.open[a] = slices.Clone(tasks)
	}
	for _, p := range loadPersonas {
		t.personaWeights = append(t.personaWeights, p.weight)
		for _, pg := range p.pages {
			pattern := pagePattern(pg)
			if _, ok := t.pages[pattern]; !ok {
				expect := []int{200}
				if strings.HasPrefix(pg, "/networks/{") {
					// A network's id is its first complaint's; when
					// complaints join two networks, the later id redirects
					// to the joined network (not followed here).
					expect = []int{200, 302}
				}
				t.pages[pattern] = len(t.kinds)
				t.kinds = append(t.kinds, loadKind{"GET " + pattern, "staff page views", expect})
			}
		}
	}
	// Every staff account signs in once, over HTTP, before the run.
	c := &client{t: t, r: mrand.New(mrand.NewPCG(cfg.Seed, 0x5e55))}
	for _, a := range fx.staff {
		s, err := c.login(a, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.email, err)
		}
		t.sessions[a.persona] = append(t.sessions[a.persona], s)
	}
	for _, p := range loadPersonas {
		if len(t.sessions[p.key]) == 0 {
			return nil, fmt.Errorf("no account for persona %s", p.key)
		}
	}
	return t, nil
}

// pagePattern names a page by its route: "/tasks/{task}" is "/tasks/{id}".
func pagePattern(p string) string { return placeholderRe.ReplaceAllString(p, "{id}") }

var placeholderRe = regexp.MustCompile(`\{[a-z]+\}`)

func (t *traffic) sessionCount() int {
	n := 0
	for _, s := range t.sessions {
		n += len(s)
	}
	return n
}

// run starts the clients and waits until the last one finishes its last
// action after d; it returns how long that took.
func (t *traffic) run(d time.Duration) time.Duration {
	t.started = time.Now()
	deadline := t.started.Add(d)
	var wg sync.WaitGroup
	var total float64
	for _, a := range loadMix {
		total += a.percent
	}
	for i := range t.cfg.Clients {
		c := &client{t: t, id: i, r: mrand.New(mrand.NewPCG(t.cfg.Seed, uint64(i)+1)), rec: make([]sample, 0, 4096)}
		t.clients = append(t.clients, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				x := c.r.Float64() * total
				for _, a := range loadMix {
					if x < a.percent {
						a.do(c)
						break
					}
					x -= a.percent
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(t.started)
}

// ---- requests ------------------------------------------------------------

type answer struct {
	status int
	body   []byte
	header http.Header
}

// do sends req, reads the whole answer and records it under kind.
func (c *client) do(kind int, req *http.Request, record bool) (answer, error) {
	t0 := time.Now()
	resp, err := c.t.hc.Do(req)
	var a answer
	if err == nil {
		a.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		a.status, a.header = resp.StatusCode, resp.Header
	}
	d := time.Since(t0)
	if !record {
		return a, err
	}
	if err != nil {
		c.rec = append(c.rec, sample{kind: uint16(kind), status: 0, d: d})
		c.t.note(&c.t.transportErrs, fmt.Sprintf("%s: %v", c.t.kinds[kind].name, err))
		return a, err
	}
	c.rec = append(c.rec, sample{kind: uint16(kind), status: uint16(a.status), d: d})
	if a.status >= 500 {
		c.t.note(&c.t.serverErrs, fmt.Sprintf("%s answered %d: %s", c.t.kinds[kind].name, a.status, truncateLine(string(a.body), 300)))
	}
	return a, nil
}

// note keeps the first few messages of a kind.
func (t *traffic) note(list *[]string, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(*list) < 10 {
		*list = append(*list, msg)
	}
}

func (c *client) get(kind int, path string, header http.Header) (answer, error) {
	req, _ := http.NewRequest("GET", c.t.base+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	return c.do(kind, req, true)
}

func pick[T any](r *mrand.Rand, s []T) T { return s[r.IntN(len(s))] }

// ---- lookups ---------------------------------------------------------------

// numberAs writes "+92AANNNNNNNN" (area code of two digits) as people do.
func numberAs(e164 string, style int) string {
	rest := strings.TrimPrefix(e164, "+92")
	area, local := rest[:2], rest[2:]
	switch style % 5 {
	case 0:
		return e164
	case 1:
		return "0" + area + "-" + local
	case 2:
		return "0" + rest
	case 3:
		return "+92 " + area + " " + local
	}
	return "0092" + rest
}

// verifyValue is what the public asks /verify about.
func (c *client) verifyValue() string {
	fx, r := c.t.fx, c.r
	switch p := r.IntN(100); {
	case p < 35:
		return numberAs(pick(r, fx.declared), r.IntN(5))
	case p < 50:
		return numberAs(pick(r, fx.inRange), r.IntN(5))
	case p < 58:
		d := pick(r, fx.domains)
		return []string{d, "www." + d, "https://" + d + "/"}[r.IntN(3)]
	case p < 63:
		return pick(r, fx.licenceNumbers)
	case p < 78:
		return pick(r, fx.stored)
	case p < 96:
		return phoneAs(fx.gen.mobile(r.IntN(1_000_000), 77), r.IntN(5))
	}
	return pick(r, bizWords) + " " + pick(r, bizKinds)
}

func (c *client) verifyAPI() {
	c.get(kVerifyAPI, "/api/v1/verify?q="+url.QueryEscape(c.verifyValue()), nil)
}

func (c *client) verifyPage() {
	c.get(kVerifyPage, "/verify?q="+url.QueryEscape(c.verifyValue()), nil)
}

func (c *client) suspects() {
	fx, r := c.t.fx, c.r
	var q string
	switch p := r.IntN(100); {
	case p < 45:
		q = pick(r, fx.stored)
	case p < 60:
		q = pick(r, fx.ringValues)
	case p < 80:
		q = phoneAs(fx.gen.mobile(r.IntN(1_000_000), 78), r.IntN(5))
	case p < 90:
		q = fx.gen.iban(1_000_000 + r.IntN(1_000_000))
	default:
		q = fx.gen.url(1_000_000 + r.IntN(1_000_000))
	}
	p := pick(r, fx.partners)
	c.get(kSuspects, "/api/v1/suspects?q="+url.QueryEscape(q), http.Header{"Authorization": {"Bearer " + p.token}})
}

// ---- complaints --------------------------------------------------------------

// newComplaint is a partner's complaint: the generator's stories, a third
// of them naming a number already in a fraud ring.
func (c *client) newComplaint() greyline.NewComplaint {
	fx, r := c.t.fx, c.r
	g := fx.gen.complaint(int(c.t.nextComplaint.Add(1)))
	phone := g.fraudPhone
	if r.IntN(3) == 0 {
		phone = pick(r, fx.ringValues)
	}
	return greyline.NewComplaint{
		Complainant: greyline.Complainant{Name: g.name, CNIC: g.cnic, Phone: g.phone, Email: g.email, City: g.city, Province: g.province, Gender: g.gender, AgeBand: g.age},
		Category:    g.category, ContactMethod: greyline.ContactMethod(g.contact), PaymentMethod: greyline.PaymentMethod(g.payment),
		IncidentAt: time.Now().Add(-time.Duration(1+r.IntN(240)) * time.Hour).Truncate(time.Minute), LossPaisa: g.loss,
		Narrative: g.narrative, Identifiers: []string{phone, g.account, g.link},
	}
}

func (c *client) postComplaint(p int, key string, body []byte) (answer, error) {
	req, _ := http.NewRequest("POST", c.t.base+"/api/v1/complaints", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.t.fx.partners[p].token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return c.do(kComplaintAPI, req, true)
}

type createdJSON struct {
	ID        int64  `json:"id"`
	Reference string `json:"reference"`
}

func (c *client) complaintAPI() {
	t, r := c.t, c.r
	if p := r.IntN(100); p < 5 && len(c.sent) > 0 {
		// The partner lost the answer and sends the same key again: the
		// same complaint comes back, with 200.
		s := pick(r, c.sent)
		n := c.newComplaint() // a body as the partner would resend it; the key decides
		body, _ := json.Marshal(n)
		a, err := c.postComplaint(s.partner, s.key, body)
		if err == nil && a.status < 300 {
			var got createdJSON
			json.Unmarshal(a.body, &got)
			if a.status != 200 || got.ID != s.id {
				t.note(&t.violations, fmt.Sprintf("resending key %s answered %d with complaint %d, want 200 with %d", s.key, a.status, got.ID, s.id))
			}
		}
		return
	} else if p < 8 {
		// A retry while the first is still in flight: two copies at once,
		// one complaint, one 201.
		c.n++
		key := fmt.Sprintf("%s-%d-%d", t.fx.runID, c.id, c.n)
		partner := r.IntN(len(t.fx.partners))
		body, _ := json.Marshal(c.newComplaint())
		twin := &client{t: t, id: c.id}
		var wg sync.WaitGroup
		var a2 answer
		var err2 error
		wg.Add(1)
		go func() { defer wg.Done(); a2, err2 = twin.postComplaint(partner, key, body) }()
		a1, err1 := c.postComplaint(partner, key, body)
		wg.Wait()
		c.rec = append(c.rec, twin.rec...)
		if err1 != nil || err2 != nil || a1.status >= 300 || a2.status >= 300 {
			return // counted as errors or unexpected answers
		}
		var g1, g2 createdJSON
		json.Unmarshal(a1.body, &g1)
		json.Unmarshal(a2.body, &g2)
		created := 0
		for _, a := range []answer{a1, a2} {
			if a.status == 201 {
				created++
			}
		}
		if created != 1 || g1.ID != g2.ID {
			t.note(&t.violations, fmt.Sprintf("two copies of key %s answered %d (complaint %d) and %d (complaint %d), want one 201 and one 200 with the same complaint", key, a1.status, g1.ID, a2.status, g2.ID))
		}
		if created >= 1 {
			c.ack(complaintAck{key: key, ref: g1.Reference, id: g1.ID, partner: partner})
		}
		return
	}
	c.n++
	key := fmt.Sprintf("%s-%d-%d", t.fx.runID, c.id, c.n)
	partner := r.IntN(len(t.fx.partners))
	body, _ := json.Marshal(c.newComplaint())
	a, err := c.postComplaint(partner, key, body)
	if err != nil || a.status != 201 {
		return
	}
	var got createdJSON
	if err := json.Unmarshal(a.body, &got); err != nil || got.ID == 0 || got.Reference == "" {
		t.note(&t.violations, fmt.Sprintf("complaint acknowledged with 201 without its id and reference: %s", truncateLine(string(a.body), 200)))
		return
	}
	c.ack(complaintAck{key: key, ref: got.Reference, id: got.ID, partner: partner})
}

func (c *client) ack(a complaintAck) {
	c.sent = append(c.sent, a)
	c.t.mu.Lock()
	c.t.complaints = append(c.t.complaints, a)
	c.t.mu.Unlock()
}

var (
	csrfRe      = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	challengeRe = regexp.MustCompile(`What is (\d+) plus (\d+)\?`)
	tokenRe     = regexp.MustCompile(`name="challenge_token" value="([^"]+)"`)
	referenceRe = regexp.MustCompile(`id="complaint-reference">([^<]+)<`)
)

func cookieOf(a answer, name string) string {
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// publicReport files a complaint as the public does: the form, its CSRF
// token and challenge, and the reference on the answer page.
func (c *client) publicReport() {
	a, err := c.get(kReportPage, "/report", nil)
	if err != nil || a.status != 200 {
		return
	}
	csrf, ch, tok := csrfRe.FindSubmatch(a.body), challengeRe.FindSubmatch(a.body), tokenRe.FindSubmatch(a.body)
	anon := cookieOf(a, "gl_csrf")
	if csrf == nil || ch == nil || tok == nil || anon == "" {
		c.t.note(&c.t.violations, "GET /report: no CSRF token, cookie or challenge in the form")
		return
	}
	x, _ := strconv.Atoi(string(ch[1]))
	y, _ := strconv.Atoi(string(ch[2]))
	n := c.newComplaint()
	f := url.Values{"csrf": {string(csrf[1])}, "name": {n.Complainant.Name}, "phone": {n.Complainant.Phone}, "email": {n.Complainant.Email},
		"cnic": {n.Complainant.CNIC}, "city": {n.Complainant.City}, "province": {n.Complainant.Province}, "gender": {n.Complainant.Gender},
		"age_band": {n.Complainant.AgeBand}, "category": {n.Category}, "contact_method": {string(n.ContactMethod)}, "payment_method": {string(n.PaymentMethod)},
		"incident_date": {n.IncidentAt.In(greyline.Karachi).Format("2006-01-02")}, "loss": {strconv.FormatInt(n.LossPaisa/100, 10)},
		"narrative": {n.Narrative}, "identifiers": {strings.Join(n.Identifiers, "\n")},
		"challenge": {strconv.Itoa(x + y)}, "challenge_token": {string(tok[1])}}
	req, _ := http.NewRequest("POST", c.t.base+"/report", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "gl_csrf", Value: anon})
	a, err = c.do(kReportPost, req, true)
	if err != nil || a.status != 201 {
		return
	}
	m := referenceRe.FindSubmatch(a.body)
	if m == nil {
		c.t.note(&c.t.violations, "POST /report answered 201 without a reference")
		return
	}
	c.t.mu.Lock()
	c.t.publicRefs = append(c.t.publicRefs, string(m[1]))
	c.t.mu.Unlock()
}

// ---- signed-in staff ---------------------------------------------------------

// login signs in as a browser does: the form (a CSRF cookie and token),
// the password, the redirect with the new session, whose page carries the
// session's CSRF token.
func (c *client) login(acct staffAccount, record bool) (*session, error) {
	req, _ := http.NewRequest("GET", c.t.base+"/login", nil)
	a, err := c.do(kLoginPage, req, record)
	if err != nil {
		return nil, err
	}
	m, anon := csrfRe.FindSubmatch(a.body), cookieOf(a, "gl_csrf")
	if a.status != 200 || m == nil || anon == "" {
		return nil, fmt.Errorf("GET /login answered %d without a CSRF token and cookie", a.status)
	}
	f := url.Values{"email": {acct.email}, "password": {loadPassword}, "csrf": {string(m[1])}}
	req, _ = http.NewRequest("POST", c.t.base+"/login", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "gl_csrf", Value: anon})
	if a, err = c.do(kLoginPost, req, record); err != nil {
		return nil, err
	}
	sess := cookieOf(a, "gl_session")
	if a.status != http.StatusSeeOther || sess == "" {
		return nil, fmt.Errorf("POST /login answered %d without a session: %s", a.status, truncateLine(string(a.body), 200))
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		return nil, err
	}
	next := req.URL.ResolveReference(loc)
	req, _ = http.NewRequest("GET", next.String(), nil)
	req.AddCookie(&http.Cookie{Name: "gl_session", Value: sess})
	if a, err = c.do(kLoginHome, req, record); err != nil {
		return nil, err
	}
	if m = csrfRe.FindSubmatch(a.body); a.status != 200 || m == nil {
		return nil, fmt.Errorf("GET %s after signing in answered %d without the session's CSRF token", next.Path, a.status)
	}
	return &session{cookie: sess, csrf: string(m[1]), acct: acct}, nil
}

func (c *client) session(persona string) *session {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	return pick(c.r, c.t.sessions[persona])
}

func (c *client) signIn() {
	acct := pick(c.r, c.t.fx.staff)
	s, err := c.login(acct, true)
	if err != nil {
		return // recorded by kind
	}
	// The new session joins the ones the staff browse with, in place of
	// an old one (whose owner simply stops using it).
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	pool := c.t.sessions[acct.persona]
	if len(pool) < 8 {
		c.t.sessions[acct.persona] = append(pool, s)
	} else {
		pool[c.r.IntN(len(pool))] = s
	}
}

func (c *client) pageView() {
	t, r := c.t, c.r
	var total int
	for _, w := range t.personaWeights {
		total += w
	}
	x := r.IntN(total)
	var p persona
	for i, w := range t.personaWeights {
		if x < w {
			p = loadPersonas[i]
			break
		}
		x -= w
	}
	c.visit(p, pick(r, p.pages))
}

// visit opens page (a pattern of loadPersonas) as one of persona's sessions.
func (c *client) visit(p persona, page string) {
	t, r := c.t, c.r
	path := page
	fill := func(ph string, ids []int64) {
		if strings.Contains(path, ph) {
			path = strings.Replace(path, ph, strconv.FormatInt(pick(r, ids), 10), 1)
		}
	}
	fill("{complaint}", t.fx.complaintIDs)
	fill("{network}", t.fx.networkIDs)
	fill("{task}", t.fx.tasksOf[p.org])
	fill("{application}", t.fx.appIDs)
	fill("{licence}", t.fx.licenceIDs)
	s := c.session(p.key)
	c.get(t.pages[pagePattern(page)], path, http.Header{"Cookie": {"gl_session=" + s.cookie}})
}

// ---- decisions -----------------------------------------------------------------

var decisionReasons = map[greyline.Decision]string{
	greyline.DecideObject: "Provide the lease agreement for the site and the list of client contracts.",
	greyline.DecideRefuse: "The verification of the proprietor and the premises was adverse.",
}

func (c *client) decide() {
	t, r := c.t, c.r
	agency := pick(r, t.fx.agencies)
	p := loadPersonas[slices.IndexFunc(loadPersonas, func(p persona) bool { return p.key == "reviewer-"+agency })]
	t.mu.Lock()
	pool := t.open[agency]
	if len(pool) == 0 {
		if _, ok := t.dry[agency]; !ok {
			t.dry[agency] = time.Since(t.started)
		}
		t.mu.Unlock()
		// Nothing left to decide: the reviewer looks at the queue.
		c.visit(p, "/queue")
		return
	}
	// Reviewers of one agency work from the top of the same queue, so
	// two of them sometimes decide the same task at once.
	task := pool[r.IntN(min(8, len(pool)))]
	t.mu.Unlock()
	d := greyline.DecideClear
	if x := r.IntN(100); x >= 96 {
		d = greyline.DecideRefuse
	} else if x >= 88 {
		d = greyline.DecideObject
	}
	s := c.session(p.key)
	body, _ := json.Marshal(map[string]any{"decision": d, "reason": decisionReasons[d], "version": task.version})
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/tasks/%d/decision", t.base, task.id), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", s.csrf)
	req.AddCookie(&http.Cookie{Name: "gl_session", Value: s.cookie})
	a, err := c.do(kDecision, req, true)
	if err != nil || (a.status != 200 && a.status != 409) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i := slices.IndexFunc(t.open[agency], func(o openTask) bool { return o.id == task.id }); i >= 0 {
		t.open[agency] = slices.Delete(t.open[agency], i, i+1)
	}
	if a.status == 409 {
		return
	}
	var got greyline.ClearanceTask
	if err := json.Unmarshal(a.body, &got); err != nil || got.ID != task.id {
		t.violations = append(t.violations, fmt.Sprintf("decision on task %d acknowledged with 200 and %s", task.id, truncateLine(string(a.body), 200)))
		return
	}
	t.decisions = append(t.decisions, decisionAck{task: task.id, app: task.appID, decision: d, status: got.Status, version: got.Version, by: s.acct.userID})
}

// ---- figures ---------------------------------------------------------------------

type kindStats struct {
	Name, Group string
	Count       int
	RPS         float64
	P50, P99    time.Duration
	Status      map[int]int // 0: no answer
	Unexpected  int
	d           []time.Duration
}

// stats gathers every client's samples by kind.
func (t *traffic) stats() []*kindStats {
	el := time.Since(t.started)
	by := make([]*kindStats, len(t.kinds))
	for i, k := range t.kinds {
		by[i] = &kindStats{Name: k.name, Group: k.group, Status: map[int]int{}}
	}
	for _, c := range t.clients {
		for _, s := range c.rec {
			k := by[s.kind]
			k.Count++
			k.Status[int(s.status)]++
			k.d = append(k.d, s.d)
			if !slices.Contains(t.kinds[s.kind].expect, int(s.status)) {
				k.Unexpected++
			}
		}
	}
	var out []*kindStats
	for _, k := range by {
		if k.Count == 0 {
			continue
		}
		slices.Sort(k.d)
		k.P50, k.P99 = pct(k.d, .5), pct(k.d, .99)
		k.RPS = float64(k.Count) / el.Seconds()
		out = append(out, k)
	}
	return out
}

// networkIDs lists the ids of the biggest networks, for the pages.
func networkIDs(e *network.Engine) []int64 {
	items, _ := e.Networks(network.Filter{Limit: 200})
	ids := make([]int64, len(items))
	for i, n := range items {
		ids[i] = n.ID
	}
	return ids
}
