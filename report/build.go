package report

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/greyline/greyline"
)

// Committee is the report for one period and place. Its JSON form is the
// report's API; every other form (text, CSV, charts, PDF) is drawn from it.
type Committee struct {
	From        string    `json:"from"` // 2025-01-01, inclusive
	To          string    `json:"to"`   // 2025-08-31, inclusive
	Timezone    string    `json:"timezone"`
	Filters     Filters   `json:"filters"`
	GeneratedAt time.Time `json:"generated_at"`

	Raids           int     `json:"raids"`
	FIRs            int     `json:"firs"`
	Arrests         Split   `json:"arrests"`
	Accused         Split   `json:"accused"`
	AccusedArrested int     `json:"accused_arrested"` // of the accused, those arrested
	ScamValuePaisa  int64   `json:"scam_value_paisa"`
	RecoveredPaisa  int64   `json:"recovered_paisa"`
	ReturnedPaisa   int64   `json:"returned_paisa"`
	RecoveryRate    float64 `json:"recovery_rate"` // recovered/uncovered, 0 when nothing was uncovered

	ByCity               []CityActions     `json:"by_city"`
	AccusedByNationality []CityNationality `json:"accused_by_nationality"`
	AccusedByCountry     []CountryCount    `json:"accused_by_country"` // all accused, Pakistan included
	Complaints           Complaints        `json:"complaints"`
	Monthly              []Month           `json:"monthly"`
	Licensing            Licensing         `json:"licensing"`
}

// Filters are the place filters the report was made with; "" is all.
type Filters struct {
	City     string `json:"city"`
	Province string `json:"province"`
}

// Split counts persons as Pakistani or foreign.
type Split struct {
	Pakistani int `json:"pakistani"`
	Foreign   int `json:"foreign"`
	Total     int `json:"total"`
}

// CityActions is one row of the actions-by-city table.
type CityActions struct {
	City             string `json:"city"`
	Raids            int    `json:"raids"`
	ArrestsPakistani int    `json:"arrests_pakistani"`
	ArrestsForeign   int    `json:"arrests_foreign"`
	AccusedPakistani int    `json:"accused_pakistani"`
	AccusedForeign   int    `json:"accused_foreign"`
	FIRs             int    `json:"firs"`
}

// CityNationality is the accused of one city, Pakistani against foreign,
// with the foreign ones by country.
type CityNationality struct {
	City      string         `json:"city"`
	Pakistani int            `json:"pakistani"`
	Foreign   int            `json:"foreign"`
	Total     int            `json:"total"`
	ByCountry []CountryCount `json:"foreign_by_country"`
}

// CountryCount is a number of persons of one nationality.
type CountryCount struct {
	Code    string `json:"code"` // ISO 3166-1 alpha-2
	Country string `json:"country"`
	Count   int    `json:"count"`
}

// Complaints sums the complaints received in the period.
type Complaints struct {
	Total               int             `json:"total"`
	CyberFraud          int             `json:"cyber_fraud"`
	CyberFraudShare     float64         `json:"cyber_fraud_share"` // 0–1
	LossPaisa           int64           `json:"loss_paisa"`
	CyberFraudLossPaisa int64           `json:"cyber_fraud_loss_paisa"`
	ByCategory          []CategoryCount `json:"by_category"`
}

// CategoryCount is one row of complaints by category.
type CategoryCount struct {
	Code       string  `json:"code"`
	Label      string  `json:"label"`
	CyberFraud bool    `json:"cyber_fraud"`
	Count      int     `json:"count"`
	Share      float64 `json:"share"` // of all complaints, 0–1
	LossPaisa  int64   `json:"loss_paisa"`
}

// Month is one month of the trends, in Asia/Karachi.
type Month struct {
	Month      string `json:"month"` // 2025-01
	Complaints int    `json:"complaints"`
	Raids      int    `json:"raids"`
	Arrests    int    `json:"arrests"`
	FIRs       int    `json:"firs"`
}

// Licensing is the licensing side of the report.
type Licensing struct {
	ApplicationsByStage []Count           `json:"applications_by_stage"` // submitted in the period
	Clearance           []AgencyClearance `json:"clearance"`
	LicencesByStatus    []Count           `json:"licences_by_status"` // as at generated_at
	LicencesByProvince  []Count           `json:"licences_by_province"`
	LicencesByKind      []Count           `json:"licences_by_kind"`
}

// Count is a labelled number.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// AgencyClearance is one agency's clearance times. The days are calendar
// days to one decimal, over tasks decided in the period; they are null when
// the agency decided none. Open and Overdue are as at generated_at.
type AgencyClearance struct {
	Agency     string   `json:"agency"`
	Decided    int      `json:"decided"`
	MedianDays *float64 `json:"median_days"`
	P90Days    *float64 `json:"p90_days"`
	Open       int      `json:"open"`
	Overdue    int      `json:"overdue"`
}

// period is the half-open interval [start, end) of Karachi days, with the
// starts of its months for the trends.
type period struct {
	start, end time.Time
	months     []time.Time // start of each month, the first clipped to start
}

func newPeriod(from, to time.Time) period {
	p := period{start: civil(from), end: civil(to).AddDate(0, 0, 1)}
	m := time.Date(p.start.Year(), p.start.Month(), 1, 0, 0, 0, 0, greyline.Karachi)
	for m.Before(p.end) {
		p.months = append(p.months, m)
		m = m.AddDate(0, 1, 0)
	}
	p.months[0] = p.start
	return p
}

func (p *period) has(t time.Time) bool { return !t.Before(p.start) && t.Before(p.end) }

// month is the index of t's month; t must be in the period.
func (p *period) month(t time.Time) int {
	i, found := slices.BinarySearchFunc(p.months, t, func(m, t time.Time) int { return m.Compare(t) })
	if found {
		return i
	}
	return i - 1
}

// cityAgg gathers one city's figures while Build walks the records.
type cityAgg struct {
	name      string
	key       string
	actions   CityActions
	byCountry map[string]int
}

// cities groups records by city without regard to case, keeping the first
// spelling met; raw spellings are cached because the same few repeat
// across tens of thousands of records.
type cities struct {
	raw  map[string]*cityAgg
	norm map[string]*cityAgg
	list []*cityAgg
}

func (c *cities) get(name string) *cityAgg {
	if a, ok := c.raw[name]; ok {
		return a
	}
	display := strings.TrimSpace(name)
	if display == "" {
		display = "Not recorded"
	}
	key := strings.ToLower(display)
	a, ok := c.norm[key]
	if !ok {
		a = &cityAgg{name: display, key: key, byCountry: map[string]int{}}
		c.norm[key] = a
		c.list = append(c.list, a)
	}
	c.raw[name] = a
	return a
}

// Build computes the report. It refuses input that is not usable (see
// Input) with a greyline.Invalid error naming the field.
func Build(in Input) (*Committee, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	p := newPeriod(in.From, in.To)
	city, prov := strings.TrimSpace(in.City), strings.TrimSpace(in.Province)
	place := func(c, pr string) bool { return matches(city, c) && matches(prov, pr) }

	r := &Committee{
		From:        p.start.Format(time.DateOnly),
		To:          p.end.AddDate(0, 0, -1).Format(time.DateOnly),
		Timezone:    greyline.Karachi.String(),
		Filters:     Filters{City: city, Province: prov},
		GeneratedAt: in.Now.In(greyline.Karachi),
		Monthly:     make([]Month, len(p.months)),
	}
	for i, m := range p.months {
		r.Monthly[i].Month = m.Format("2006-01")
	}
	cs := cities{raw: map[string]*cityAgg{}, norm: map[string]*cityAgg{}}

	for _, x := range in.Raids {
		if !p.has(x.Date) || !place(x.City, x.Province) {
			continue
		}
		r.Raids++
		cs.get(x.City).actions.Raids++
		r.Monthly[p.month(x.Date)].Raids++
	}
	for _, x := range in.Arrests {
		if !p.has(x.Date) || !place(x.City, x.Province) {
			continue
		}
		a := cs.get(x.City)
		if pakistani(x.Nationality) {
			r.Arrests.Pakistani++
			a.actions.ArrestsPakistani++
		} else {
			r.Arrests.Foreign++
			a.actions.ArrestsForeign++
		}
		r.Monthly[p.month(x.Date)].Arrests++
	}
	national := map[string]int{}
	for _, x := range in.Accused {
		if !p.has(x.Date) || !place(x.City, x.Province) {
			continue
		}
		a := cs.get(x.City)
		code := normCountry(x.Nationality)
		national[code]++
		if code == "PK" {
			r.Accused.Pakistani++
			a.actions.AccusedPakistani++
		} else {
			r.Accused.Foreign++
			a.actions.AccusedForeign++
			a.byCountry[code]++
		}
		if x.Arrested {
			r.AccusedArrested++
		}
	}
	for _, x := range in.FIRs {
		if !p.has(x.Date) || !place(x.City, x.Province) {
			continue
		}
		r.FIRs++
		cs.get(x.City).actions.FIRs++
		r.Monthly[p.month(x.Date)].FIRs++
	}
	for _, x := range in.Money {
		if !p.has(x.Date) || !place(x.City, x.Province) {
			continue
		}
		r.ScamValuePaisa += x.ScamPaisa
		r.RecoveredPaisa += x.RecoveredPaisa
		r.ReturnedPaisa += x.ReturnedPaisa
	}
	r.Arrests.Total = r.Arrests.Pakistani + r.Arrests.Foreign
	r.Accused.Total = r.Accused.Pakistani + r.Accused.Foreign
	r.RecoveryRate = ratio(r.RecoveredPaisa, r.ScamValuePaisa)

	r.cityTables(&cs, national)
	r.complaints(in.Complaints, &p, place)
	r.licensing(&in, &p, place)
	return r, nil
}

func pakistani(code string) bool { return normCountry(code) == "PK" }

// ratio is a/b to four decimals, 0 when b is 0: a share of nothing is
// reported as none rather than as an error.
func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(float64(a)/float64(b)*1e4) / 1e4
}

func (r *Committee) cityTables(cs *cities, national map[string]int) {
	// Most raids first, as the briefing reads; ties by the other actions,
	// then by name, so the order never depends on the input's order.
	slices.SortFunc(cs.list, func(a, b *cityAgg) int {
		if c := cmp.Compare(b.actions.Raids, a.actions.Raids); c != 0 {
			return c
		}
		if c := cmp.Compare(b.actions.total(), a.actions.total()); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	r.ByCity = make([]CityActions, 0, len(cs.list))
	r.AccusedByNationality = make([]CityNationality, 0, len(cs.list))
	for _, c := range cs.list {
		c.actions.City = c.name
		r.ByCity = append(r.ByCity, c.actions)
		r.AccusedByNationality = append(r.AccusedByNationality, CityNationality{
			City:      c.name,
			Pakistani: c.actions.AccusedPakistani,
			Foreign:   c.actions.AccusedForeign,
			Total:     c.actions.AccusedPakistani + c.actions.AccusedForeign,
			ByCountry: countries(c.byCountry),
		})
	}
	r.AccusedByCountry = countries(national)
}

func (a CityActions) total() int {
	return a.ArrestsPakistani + a.ArrestsForeign + a.AccusedPakistani + a.AccusedForeign + a.FIRs
}

// countries lists counts by nationality, most first, then by name.
func countries(m map[string]int) []CountryCount {
	out := make([]CountryCount, 0, len(m))
	for code, n := range m {
		out = append(out, CountryCount{Code: code, Country: CountryName(code), Count: n})
	}
	slices.SortFunc(out, func(a, b CountryCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Country, b.Country)
	})
	return out
}

func (r *Committee) complaints(list []Complaint, p *period, place func(c, pr string) bool) {
	// Every category of the taxonomy has a row, in its display order, so
	// the table keeps its shape from one report to the next; codes the
	// taxonomy no longer has follow, by code.
	rows := make([]CategoryCount, len(greyline.Categories))
	index := make(map[string]int, len(rows))
	for i, c := range greyline.Categories {
		rows[i] = CategoryCount{Code: c.Code, Label: c.Label, CyberFraud: c.CyberFraud}
		index[c.Code] = i
	}
	var extra []CategoryCount
	c := &r.Complaints
	for _, x := range list {
		if !p.has(x.ReceivedAt) || !place(x.City, x.Province) {
			continue
		}
		c.Total++
		c.LossPaisa += x.LossPaisa
		if x.CyberFraud {
			c.CyberFraud++
			c.CyberFraudLossPaisa += x.LossPaisa
		}
		r.Monthly[p.month(x.ReceivedAt)].Complaints++
		i, ok := index[x.Category]
		if !ok {
			i = len(rows) + len(extra)
			index[x.Category] = i
			label := x.Category
			if label == "" {
				label = "Not recorded"
			}
			extra = append(extra, CategoryCount{Code: x.Category, Label: label})
		}
		var row *CategoryCount
		if i < len(rows) {
			row = &rows[i]
		} else {
			row = &extra[i-len(rows)]
			// An unknown category counts as cyber-enabled fraud if any of
			// its complaints was filed as such.
			row.CyberFraud = row.CyberFraud || x.CyberFraud
		}
		row.Count++
		row.LossPaisa += x.LossPaisa
	}
	slices.SortFunc(extra, func(a, b CategoryCount) int { return cmp.Compare(a.Code, b.Code) })
	rows = append(rows, extra...)
	for i := range rows {
		rows[i].Share = ratio(int64(rows[i].Count), int64(c.Total))
	}
	c.ByCategory = rows
	c.CyberFraudShare = ratio(int64(c.CyberFraud), int64(c.Total))
}

func (r *Committee) licensing(in *Input, p *period, place func(c, pr string) bool) {
	l := &r.Licensing

	stages := newCounter(stageOrder, label)
	for _, a := range in.Applications {
		if !a.Submitted.IsZero() && p.has(a.Submitted) && place(a.City, a.Province) {
			stages.add(a.Stage)
		}
	}
	l.ApplicationsByStage = stages.list()

	type agency struct {
		days          []float64
		open, overdue int
	}
	agencies := map[string]*agency{}
	for _, c := range in.Clearances {
		if !place(c.City, c.Province) {
			continue
		}
		name := strings.TrimSpace(c.Agency)
		a := agencies[name]
		if a == nil {
			a = &agency{}
			agencies[name] = a
		}
		switch {
		case c.Decided == nil:
			a.open++
			if in.Now.After(c.Deadline) {
				a.overdue++
			}
		case p.has(*c.Decided):
			a.days = append(a.days, c.Decided.Sub(c.Started).Hours()/24)
		}
	}
	l.Clearance = make([]AgencyClearance, 0, len(agencies))
	for name, a := range agencies {
		row := AgencyClearance{Agency: name, Decided: len(a.days), Open: a.open, Overdue: a.overdue}
		if len(a.days) > 0 {
			slices.Sort(a.days)
			med, p90 := round1(percentile(a.days, 0.5)), round1(percentile(a.days, 0.9))
			row.MedianDays, row.P90Days = &med, &p90
		}
		l.Clearance = append(l.Clearance, row)
	}
	slices.SortFunc(l.Clearance, func(a, b AgencyClearance) int { return cmp.Compare(a.Agency, b.Agency) })

	status := newCounter(statusOrder, label)
	province := newCounter(provinceOrder, func(s string) string { return s })
	kind := newCounter(kindOrder, func(s string) string { return greyline.BusinessKind(s).Label() })
	for _, x := range in.Licences {
		if !place(x.City, x.Province) {
			continue
		}
		status.add(x.Status)
		province.add(strings.TrimSpace(x.Province))
		kind.add(x.Kind)
	}
	l.LicencesByStatus = status.list()
	l.LicencesByProvince = province.list()
	l.LicencesByKind = kind.list()
}

// percentile of sorted values by linear interpolation between the closest
// ranks (Excel's PERCENTILE.INC), so the median of an even count is the
// mean of the middle two.
func percentile(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

var (
	stageOrder = []string{
		string(greyline.AppSubmitted), string(greyline.AppGranted),
		string(greyline.AppRefused), string(greyline.AppWithdrawn),
	}
	statusOrder = []string{
		string(greyline.LicenceProvisional), string(greyline.LicenceActive), string(greyline.LicenceSuspended),
		string(greyline.LicenceRevoked), string(greyline.LicenceExpired), string(greyline.LicenceSurrendered),
	}
	provinceOrder = func() []string {
		out := make([]string, len(greyline.Provinces))
		for i, p := range greyline.Provinces {
			out[i] = string(p)
		}
		return out
	}()
	kindOrder = []string{string(greyline.CallCentre), string(greyline.SoftwareHouse)}
)

// label turns a stored code into words: "challan_submitted" → "Challan submitted".
func label(code string) string {
	if code == "" {
		return "Not recorded"
	}
	s := strings.ReplaceAll(code, "_", " ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// counter counts keys with a fixed list of known keys first (shown even at
// zero, so tables keep their shape) and any others after, sorted.
type counter struct {
	known []string
	label func(string) string
	n     map[string]int
}

func newCounter(known []string, label func(string) string) *counter {
	return &counter{known: known, label: label, n: map[string]int{}}
}

func (c *counter) add(key string) { c.n[key]++ }

func (c *counter) list() []Count {
	out := make([]Count, 0, len(c.known)+len(c.n))
	for _, k := range c.known {
		out = append(out, Count{Key: k, Label: c.label(k), Count: c.n[k]})
	}
	var extra []string
	for k := range c.n {
		if !slices.Contains(c.known, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		l := c.label(k)
		if k == "" {
			l = "Not recorded"
		}
		out = append(out, Count{Key: k, Label: l, Count: c.n[k]})
	}
	return out
}
