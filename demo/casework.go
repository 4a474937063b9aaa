package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/report"
	"github.com/greyline/greyline/sqlstore"
)

// The complaints of January to August 2025: 2,000 across every category and
// many cities, 1,200 of them (60%) cyber-enabled fraud with reported losses
// of Rs 3,055,400,000. Most stand alone; some share the numbers, wallets,
// accounts, sites and crypto addresses of one operation and so form a
// fraud network.

// Period is the briefing's period, as calendar dates in Asia/Karachi.
var (
	PeriodFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, greyline.Karachi)
	PeriodTo   = time.Date(2025, 8, 31, 0, 0, 0, 0, greyline.Karachi)
)

const periodDays = 243 // 1 January to 31 August 2025

// periodAt is the day-th day of the period at hour:minute PKT.
func periodAt(day, hour, minute int) time.Time {
	day = min(max(day, 0), periodDays-1)
	return PeriodFrom.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// complaintMix is how many complaints of each category, with the average
// loss in rupees: the briefing's, from package report.
var complaintMix = report.BriefingComplaints()

// ComplaintsInPeriod is the number of demo complaints received in the period.
const ComplaintsInPeriod = 2000

// complaintPlaces are complainants' cities, weighted by how often they
// appear (the big cities complain most).
var complaintPlaces = []struct {
	city, province string
	weight         int
}{
	{"Karachi", "Sindh", 22}, {"Lahore", "Punjab", 18}, {"Islamabad", "Islamabad Capital Territory", 10},
	{"Rawalpindi", "Punjab", 9}, {"Faisalabad", "Punjab", 8}, {"Multan", "Punjab", 5},
	{"Peshawar", "Khyber Pakhtunkhwa", 7}, {"Quetta", "Balochistan", 4}, {"Hyderabad", "Sindh", 4},
	{"Gujranwala", "Punjab", 4}, {"Sialkot", "Punjab", 2}, {"Sukkur", "Sindh", 2}, {"Abbottabad", "Khyber Pakhtunkhwa", 2},
	{"Bahawalpur", "Punjab", 1}, {"Gilgit", "Gilgit-Baltistan", 1}, {"Muzaffarabad", "Azad Jammu and Kashmir", 1},
}

// network is one operation's identifiers, shared by its victims'
// complaints. raidCity names the city whose raids shut it (its
// raidIndex-th raid there); "" for none in the period.
type network struct {
	name       string
	categories []string
	size       int
	callers    []string
	wallet     string
	iban       string
	site       string
	crypto     string // seized in the raid, which raises its tier
	raidCity   string
	raidIndex  int

	complaints []int // indexes into the period's complaints
}

// networks builds the demo's fraud networks: one whose callers use numbers
// declared by the licensed Margalla Contact, one using the numbers of Ravi
// Teleservices (licensed later, and raided then), and ten unlicensed
// operations that Operation Grey raided.
func networks(r *rand.Rand) []*network {
	ns := []*network{
		{name: "Margalla range callers", categories: []string{"impersonation_official", "phishing_otp"}, size: 14,
			callers: []string{"051-8435210", "051-8435377"}},
		{name: "Ravi Teleservices callers", categories: []string{"prize_lottery"}, size: 6,
			callers: []string{"042-35761020"}},
		{name: "PSX gold signals", categories: []string{"investment_scheme"}, size: 30, raidCity: "Karachi", raidIndex: 12},
		{name: "Account verification SMS", categories: []string{"phishing_otp"}, size: 24, raidCity: "Karachi", raidIndex: 15},
		{name: "USDT weekly returns", categories: []string{"crypto_investment"}, size: 30, raidCity: "Islamabad", raidIndex: 8},
		{name: "Like-and-earn tasks", categories: []string{"job_task"}, size: 24, raidCity: "Islamabad", raidIndex: 11},
		{name: "Forex pro club", categories: []string{"investment_scheme"}, size: 22, raidCity: "Islamabad", raidIndex: 13},
		{name: "Fast rupee loans", categories: []string{"loan_app"}, size: 20, raidCity: "Lahore", raidIndex: 8},
		{name: "Fake NCCIA officers", categories: []string{"impersonation_official"}, size: 18, raidCity: "Rawalpindi", raidIndex: 5},
		{name: "Crypto mining pools", categories: []string{"crypto_investment"}, size: 24, raidCity: "Faisalabad", raidIndex: 3},
		{name: "Phone sale pages", categories: []string{"online_shopping", "prize_lottery"}, size: 20, raidCity: "Faisalabad", raidIndex: 5},
		{name: "Jeeto prize calls", categories: []string{"prize_lottery"}, size: 12, raidCity: "Multan", raidIndex: 0},
	}
	for _, n := range ns {
		for len(n.callers) < 3 {
			n.callers = append(n.callers, mobile(r))
		}
		n.wallet, n.iban, n.site = wallet(r), iban(r), domain(r)
		if slices(n.categories, "crypto_investment", "job_task", "investment_scheme") {
			n.crypto = ethAddress(r)
		}
	}
	return ns
}

func slices(list []string, any ...string) bool {
	for _, a := range list {
		for _, b := range any {
			if a == b {
				return true
			}
		}
	}
	return false
}

// periodComplaint is one complaint of the period, as imported.
type periodComplaint struct {
	row     sqlstore.ImportRow
	network *network
	id      int64 // once stored
}

// periodComplaints makes the period's complaints, assigns some of them to
// networks, and writes every identifier into the narrative.
func periodComplaints(r *rand.Rand, ns []*network) []*periodComplaint {
	type draft struct {
		category string
		loss     int64
	}
	var drafts []draft
	for _, g := range complaintMix {
		var delta int64
		for j := range g.N {
			// Losses vary around the average in pairs that cancel, so the
			// category's total stays n × average.
			loss := g.AvgLoss
			switch {
			case g.N%2 == 1 && j == g.N-1:
			case j%2 == 0:
				delta = g.AvgLoss * int64(r.IntN(5)) / 10
				loss -= delta
			default:
				loss += delta
			}
			drafts = append(drafts, draft{g.Category, loss * 100})
		}
	}
	r.Shuffle(len(drafts), func(i, j int) { drafts[i], drafts[j] = drafts[j], drafts[i] })

	totalWeight := 0
	for _, p := range complaintPlaces {
		totalWeight += p.weight
	}
	out := make([]*periodComplaint, len(drafts))
	for i, d := range drafts {
		w, place := r.IntN(totalWeight), complaintPlaces[0]
		for _, p := range complaintPlaces {
			if w < p.weight {
				place = p
				break
			}
			w -= p.weight
		}
		// Complaints arrive evenly over the period, in order.
		received := periodAt(i*periodDays/len(drafts), 9+r.IntN(11), r.IntN(60))
		name, gender, _ := pakistani(r, 3)
		out[i] = &periodComplaint{row: sqlstore.ImportRow{ReceivedAt: received, NewComplaint: greyline.NewComplaint{
			Channel:     pick(r, []greyline.Channel{greyline.ChannelWeb, greyline.ChannelWeb, greyline.ChannelHelpline, greyline.ChannelHelpline, greyline.ChannelWalkIn, greyline.ChannelBank}),
			ExternalRef: fmt.Sprintf("DEMO-2025-%05d", i+1),
			Complainant: greyline.Complainant{Name: name, Phone: mobile(r), City: place.city, Province: place.province, Gender: gender, AgeBand: pick(r, greyline.AgeBands[1:])},
			Category:    d.category,
			IncidentAt:  received.Add(-time.Duration(1+r.IntN(14*24)) * time.Hour),
			LossPaisa:   d.loss,
		}}}
	}
	// Networks take complaints of their categories, spread over the period.
	for _, n := range ns {
		for i := r.IntN(len(out)); len(n.complaints) < n.size; i = (i + 1 + r.IntN(7)) % len(out) {
			c := out[i]
			if c.network == nil && slices(n.categories, c.row.Category) {
				c.network = n
				n.complaints = append(n.complaints, i)
			}
		}
	}
	for _, c := range out {
		narrate(r, c)
	}
	return out
}

// narrate writes the complaint's narrative, contact and payment method
// around its identifiers: the network's, or made-up ones of its own.
func narrate(r *rand.Rand, c *periodComplaint) {
	n := &c.row.NewComplaint
	caller, wal, acct, site, coin := mobile(r), wallet(r), iban(r), domain(r), ethAddress(r)
	if net := c.network; net != nil {
		caller, wal, acct, site = pick(r, net.callers), net.wallet, net.iban, net.site
		if net.crypto != "" {
			coin = net.crypto
		}
		// What the victim's bank or the helpline typed into the form.
		n.Identifiers = []string{caller}
	}
	amt := "Rs " + rupees(n.LossPaisa)
	var text string
	switch n.Category {
	case "whatsapp_hijack":
		n.ContactMethod, n.PaymentMethod = "whatsapp", "mobile_wallet"
		text = fmt.Sprintf("Someone called from %s saying he was from WhatsApp support and asked for the six-digit code. My account was taken over and my contacts were asked to send money; %s was sent to %s.", caller, amt, wal)
	case "impersonation_family":
		n.ContactMethod, n.PaymentMethod = "whatsapp", "mobile_wallet"
		text = fmt.Sprintf("A caller on WhatsApp %s said he was my nephew in Dubai and needed money for a hospital at once. I sent %s to %s.", caller, amt, wal)
	case "impersonation_official":
		n.ContactMethod, n.PaymentMethod = "call", "mobile_wallet"
		text = fmt.Sprintf("Caller from %s said he was an NCCIA officer and that my son had been arrested. He asked for %s on %s to settle the case.", caller, amt, wal)
	case "investment_scheme":
		n.ContactMethod, n.PaymentMethod = "whatsapp", "bank_transfer"
		text = fmt.Sprintf("I joined a WhatsApp group promising daily profit on gold trading at https://%s. I deposited %s to %s. The agent's number is %s.", site, amt, acct, caller)
	case "crypto_investment":
		n.ContactMethod, n.PaymentMethod = "social_media", "crypto"
		text = fmt.Sprintf("An agent on Telegram (%s) told me to buy USDT and send it to %s for 10%% weekly returns. I lost %s.", caller, coin, amt)
	case "online_shopping":
		n.ContactMethod, n.PaymentMethod = "social_media", "mobile_wallet"
		text = fmt.Sprintf("I ordered a phone from a Facebook page and paid %s to %s. The seller's number %s no longer answers.", amt, wal, caller)
	case "loan_app":
		n.ContactMethod, n.PaymentMethod = "app", "mobile_wallet"
		text = fmt.Sprintf("A loan app harasses my contacts from %s and demands %s more on %s.", caller, amt, wal)
	case "phishing_otp":
		n.ContactMethod, n.PaymentMethod = "sms", "bank_transfer"
		text = fmt.Sprintf("An SMS from %s said my bank account was blocked and gave the link https://%s/verify. I entered my OTP and %s was transferred to %s.", caller, site, amt, acct)
	case "prize_lottery":
		n.ContactMethod, n.PaymentMethod = "call", "mobile_wallet"
		text = fmt.Sprintf("A caller from %s said I had won a prize in a TV show draw and asked for %s as tax on %s.", caller, amt, wal)
	case "job_task":
		n.ContactMethod, n.PaymentMethod = "whatsapp", "bank_transfer"
		text = fmt.Sprintf("I was offered an online job liking videos by %s on WhatsApp. I paid %s to %s to unlock higher tasks on https://%s.", caller, amt, acct, site)
	case "romance":
		n.ContactMethod, n.PaymentMethod = "social_media", "bank_transfer"
		text = fmt.Sprintf("Someone I met on Instagram asked for money for a visa and a ticket. I sent %s to %s. The number was %s.", amt, acct, caller)
	case "sim_identity":
		n.ContactMethod, n.PaymentMethod = "call", "mobile_wallet"
		text = fmt.Sprintf("A SIM, %s, was issued on my CNIC without my knowledge and used to open %s; %s was taken from my account.", caller, wal, amt)
	case "sextortion":
		n.ContactMethod, n.PaymentMethod = "whatsapp", "mobile_wallet"
		text = fmt.Sprintf("A video call from %s was recorded and used to blackmail me. They asked for %s on %s.", caller, amt, wal)
	case "harassment":
		n.ContactMethod, n.PaymentMethod = "social_media", "none"
		text = fmt.Sprintf("A fake profile posts my photos and messages come from %s threatening to share more.", caller)
	default:
		n.ContactMethod, n.PaymentMethod = "call", "mobile_wallet"
		text = fmt.Sprintf("I received calls from %s asking for my bank details and paid %s to %s.", caller, amt, wal)
	}
	if c.network != nil && c.network.crypto != "" && (n.Category == "investment_scheme" || n.Category == "job_task") {
		text += fmt.Sprintf(" Later they asked for payments in USDT to %s.", coin)
	}
	n.Narrative = text
}

// complaintImporter is the storage's bulk path (sqlstore.DB has it on both
// engines). It is the only way to file a complaint with the date it was
// received: CreateComplaint dates every complaint now, which would put the
// whole briefing outside its period.
type complaintImporter interface {
	ImportComplaints(ctx context.Context, sourceOrgID int64, rows []sqlstore.ImportRow) (sqlstore.ImportResult, error)
}

// importPeriodComplaints files the period's complaints, those that came
// from the bank under the bank's name, and records their ids.
func (d loader) importPeriodComplaints(ctx context.Context, cs []*periodComplaint, bankOrg int64) error {
	imp, ok := d.s.Complaints.(complaintImporter)
	if !ok {
		return errors.New("the complaint service cannot import complaints with the dates they were received")
	}
	for _, fromBank := range []bool{false, true} {
		var rows []sqlstore.ImportRow
		for _, c := range cs {
			if (c.row.Channel == greyline.ChannelBank) == fromBank {
				rows = append(rows, c.row)
			}
		}
		src := int64(0)
		if fromBank {
			src = bankOrg
		}
		res, err := imp.ImportComplaints(ctx, src, rows)
		if err != nil {
			return err
		}
		if len(res.Rejected) > 0 {
			rej := res.Rejected[0]
			return fmt.Errorf("complaint %s refused: %w", rows[rej.Index].ExternalRef, rej.Err)
		}
		if res.Imported != len(rows) {
			return fmt.Errorf("imported %d of %d complaints (the database is not empty)", res.Imported, len(rows))
		}
	}
	return d.findImported(ctx, cs)
}

// findImported finds the ids of imported complaints by their external
// references, reading the complaints by id in pages: the import result
// names only the first and last reference.
func (d loader) findImported(ctx context.Context, cs []*periodComplaint) error {
	byRef := make(map[string]*periodComplaint, len(cs))
	for _, c := range cs {
		byRef[c.row.ExternalRef] = c
	}
	found, empty := 0, 0
	for from := int64(1); found < len(cs); from += 500 {
		ids := make([]int64, 500)
		for i := range ids {
			ids[i] = from + int64(i)
		}
		page, err := d.s.Complaints.ListComplaints(ctx, greyline.ComplaintFilter{IDs: ids, Limit: 500})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			if empty++; empty > 20 {
				return fmt.Errorf("found %d of %d imported complaints", found, len(cs))
			}
		}
		for _, p := range page {
			if c := byRef[p.ExternalRef]; c != nil && c.id == 0 {
				c.id = p.ID
				found++
			}
		}
	}
	return nil
}
