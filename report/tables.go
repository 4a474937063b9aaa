package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
)

// Table is one table of the report. Rows hold machine values, as the CSV
// has them (integers, paisa, fractions 0–1, days to one decimal); the text
// and PDF show the same values formatted for people.
type Table struct {
	Name    string // e.g. "actions-by-city", the CSV file's name without ".csv"
	Title   string
	Columns []string // CSV header
	Rows    [][]string

	labels  []string   // column headings for people
	display [][]string // Rows formatted for people
	total   []string   // a totals row for people; the CSV leaves it out so sums and pivots stay right
	right   []bool     // numeric columns, aligned right
	note    string

	compact     []string // shorter headings for print, when the full ones do not fit
	compactNote string   // what the shorter headings mean
}

// Cell types that decide how a value is written; plain int is a count.
type (
	paisa int64
	share float64
	days  *float64
)

type column struct{ key, label string }

// newTable lays out rows of typed cells as both CSV values and text.
func newTable(name, title string, cols []column, rows [][]any) Table {
	t := Table{Name: name, Title: title, right: make([]bool, len(cols))}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.key)
		t.labels = append(t.labels, c.label)
	}
	t.Rows = make([][]string, 0, len(rows))
	t.display = make([][]string, 0, len(rows))
	for _, row := range rows {
		raw, shown := make([]string, len(row)), make([]string, len(row))
		for i, v := range row {
			raw[i], shown[i] = cell(v)
			if _, isText := v.(string); !isText {
				t.right[i] = true
			}
		}
		t.Rows = append(t.Rows, raw)
		t.display = append(t.display, shown)
	}
	if len(rows) == 0 {
		for i := range t.right {
			t.right[i] = i > 0
		}
	}
	return t
}

func (t *Table) withTotal(row ...any) {
	t.total = make([]string, len(row))
	for i, v := range row {
		_, t.total[i] = cell(v)
	}
}

// cell renders one value for the CSV and for people.
func cell(v any) (raw, shown string) {
	switch v := v.(type) {
	case string:
		return v, v
	case int:
		return strconv.Itoa(v), thousands(int64(v))
	case paisa:
		return strconv.FormatInt(int64(v), 10), greyline.FormatPaisa(int64(v))
	case share:
		return strconv.FormatFloat(float64(v), 'f', -1, 64), strconv.FormatFloat(float64(v)*100, 'f', 1, 64) + "%"
	case days:
		if v == nil {
			return "", "-"
		}
		s := strconv.FormatFloat(*v, 'f', 1, 64)
		return s, s
	case bool:
		if v {
			return "yes", "yes"
		}
		return "no", "no"
	}
	panic(fmt.Sprintf("report: no format for %T", v))
}

// thousands writes n with commas between groups of three: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// WriteCSV writes the table with a header row. A cell that a spreadsheet
// would read as a formula (starting with = + - @, or a tab or carriage
// return) gets a leading apostrophe, so a hostile city or category name
// cannot run in the reader's spreadsheet.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(safeRow(t.Columns)); err != nil {
		return err
	}
	for _, row := range t.Rows {
		if err := cw.Write(safeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func safeRow(row []string) []string {
	out := make([]string, len(row))
	for i, s := range row {
		out[i] = safeCell(s)
	}
	return out
}

func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		// A negative number is data, not a formula; nothing here is
		// negative today, but keep it readable as a number if it ever is.
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] == '-' {
			return s
		}
		return "'" + s
	}
	return s
}

// Tables lists every table of the report, in the order the text and PDF
// show them.
func (r *Committee) Tables() []Table {
	return []Table{
		r.totalsTable(),
		r.actionsTable(),
		r.nationalityTable(),
		r.countryTable(),
		r.categoryTable(),
		r.monthlyTable(),
		r.countTable("applications-by-stage", "Licence applications submitted in the period, by stage now", "stage", "Stage", r.Licensing.ApplicationsByStage),
		r.clearanceTable(),
		r.countTable("licences-by-status", "Licences by status", "status", "Status", r.Licensing.LicencesByStatus),
		r.countTable("licences-by-province", "Licences by province", "province", "Province", r.Licensing.LicencesByProvince),
		r.countTable("licences-by-kind", "Licences by kind", "kind", "Kind", r.Licensing.LicencesByKind),
	}
}

func (r *Committee) totalsTable() Table {
	rows := [][]any{
		{"raids", "Raids", r.Raids},
		{"arrests_pakistani", "Arrests, Pakistani", r.Arrests.Pakistani},
		{"arrests_foreign", "Arrests, foreign", r.Arrests.Foreign},
		{"arrests", "Arrests, all", r.Arrests.Total},
		{"accused_pakistani", "Accused, Pakistani", r.Accused.Pakistani},
		{"accused_foreign", "Accused, foreign", r.Accused.Foreign},
		{"accused", "Accused, all", r.Accused.Total},
		{"firs", "FIRs registered", r.FIRs},
		{"scam_value_paisa", "Scam value uncovered", paisa(r.ScamValuePaisa)},
		{"recovered_paisa", "Amount recovered", paisa(r.RecoveredPaisa)},
		{"returned_paisa", "Amount returned to victims", paisa(r.ReturnedPaisa)},
		{"recovery_rate", "Recovery rate", share(r.RecoveryRate)},
		{"complaints", "Complaints received", r.Complaints.Total},
		{"cyber_fraud_share", "Cyber-enabled fraud, share of complaints", share(r.Complaints.CyberFraudShare)},
		{"complaint_loss_paisa", "Reported loss in complaints", paisa(r.Complaints.LossPaisa)},
	}
	return newTable("totals", "Totals", []column{{"figure", ""}, {"label", "Figure"}, {"value", "Value"}}, rows).withoutKey()
}

// withoutKey hides the first column (a machine key) from people.
func (t Table) withoutKey() Table {
	t.labels = t.labels[1:]
	t.right = t.right[1:]
	for i := range t.display {
		t.display[i] = t.display[i][1:]
	}
	return t
}

func (r *Committee) actionsTable() Table {
	cols := []column{
		{"city", "City"}, {"raids", "Raids"},
		{"arrests_pakistani", "Arrests Pakistani"}, {"arrests_foreign", "Arrests foreign"},
		{"accused_pakistani", "Accused Pakistani"}, {"accused_foreign", "Accused foreign"},
		{"firs", "FIRs"},
	}
	rows := make([][]any, len(r.ByCity))
	for i, c := range r.ByCity {
		rows[i] = []any{c.City, c.Raids, c.ArrestsPakistani, c.ArrestsForeign, c.AccusedPakistani, c.AccusedForeign, c.FIRs}
	}
	t := newTable("actions-by-city", "Actions by city", cols, rows)
	t.withTotal("Total", r.Raids, r.Arrests.Pakistani, r.Arrests.Foreign, r.Accused.Pakistani, r.Accused.Foreign, r.FIRs)
	return t
}

// foreignCountries are the accused's foreign nationalities, most first:
// the columns of the nationality table.
func (r *Committee) foreignCountries() []CountryCount {
	var out []CountryCount
	for _, c := range r.AccusedByCountry {
		if c.Code != "PK" {
			out = append(out, c)
		}
	}
	return out
}

func (r *Committee) nationalityTable() Table {
	foreign := r.foreignCountries()
	cols := []column{{"city", "City"}, {"pakistani", "Pakistani"}, {"foreign", "Foreign"}, {"total", "Total"}}
	for _, c := range foreign {
		cols = append(cols, column{"foreign_" + strings.ToLower(c.Code), c.Country})
	}
	rows := make([][]any, len(r.AccusedByNationality))
	for i, c := range r.AccusedByNationality {
		row := []any{c.City, c.Pakistani, c.Foreign, c.Total}
		for _, f := range foreign {
			n := 0
			for _, b := range c.ByCountry {
				if b.Code == f.Code {
					n = b.Count
				}
			}
			row = append(row, n)
		}
		rows[i] = row
	}
	t := newTable("accused-by-nationality", "Accused by nationality per city", cols, rows)
	if len(foreign) > 0 {
		t.compact = append([]string(nil), t.labels[:4]...)
		keys := make([]string, len(foreign))
		for i, c := range foreign {
			t.compact = append(t.compact, c.Code)
			keys[i] = c.Code + " " + c.Country
		}
		t.compactNote = "Foreign nationals by country: " + strings.Join(keys, ", ") + "."
	}
	total := []any{"Total", r.Accused.Pakistani, r.Accused.Foreign, r.Accused.Total}
	for _, f := range foreign {
		total = append(total, f.Count)
	}
	t.withTotal(total...)
	return t
}

func (r *Committee) countryTable() Table {
	rows := make([][]any, len(r.AccusedByCountry))
	for i, c := range r.AccusedByCountry {
		rows[i] = []any{c.Code, c.Country, c.Count}
	}
	t := newTable("accused-by-country", "Accused by nationality", []column{{"code", "Code"}, {"country", "Nationality"}, {"accused", "Accused"}}, rows)
	t.withTotal("", "Total", r.Accused.Total)
	return t
}

func (r *Committee) categoryTable() Table {
	c := r.Complaints
	rows := make([][]any, len(c.ByCategory))
	for i, x := range c.ByCategory {
		rows[i] = []any{x.Code, x.Label, x.CyberFraud, x.Count, share(x.Share), paisa(x.LossPaisa)}
	}
	t := newTable("complaints-by-category", "Complaints by category", []column{
		{"category", "Code"}, {"label", "Category"}, {"cyber_fraud", "Cyber-enabled fraud"},
		{"complaints", "Complaints"}, {"share", "Share"}, {"loss_paisa", "Reported loss"},
	}, rows).withoutKey()
	t.withTotal("Total", "", c.Total, share(ratio(int64(c.Total), int64(c.Total))), paisa(c.LossPaisa))
	t.note = fmt.Sprintf("Cyber-enabled fraud: %s complaints, %s of all, with reported losses of %s.",
		thousands(int64(c.CyberFraud)), pct(c.CyberFraudShare), greyline.FormatPaisa(c.CyberFraudLossPaisa))
	return t
}

func pct(f float64) string { _, s := cell(share(f)); return s }

func (r *Committee) monthlyTable() Table {
	rows := make([][]any, len(r.Monthly))
	var tc, tr, ta, tf int
	for i, m := range r.Monthly {
		rows[i] = []any{m.Month, m.Complaints, m.Raids, m.Arrests, m.FIRs}
		tc, tr, ta, tf = tc+m.Complaints, tr+m.Raids, ta+m.Arrests, tf+m.FIRs
	}
	t := newTable("monthly-trends", "Monthly trends", []column{
		{"month", "Month"}, {"complaints", "Complaints"}, {"raids", "Raids"}, {"arrests", "Arrests"}, {"firs", "FIRs"},
	}, rows)
	for i, m := range r.Monthly {
		t.display[i][0] = monthLabel(m.Month)
	}
	t.withTotal("Total", tc, tr, ta, tf)
	return t
}

// monthLabel turns "2025-01" into "Jan 2025".
func monthLabel(m string) string {
	y, mm, ok := strings.Cut(m, "-")
	n, err := strconv.Atoi(mm)
	if !ok || err != nil || n < 1 || n > 12 {
		return m
	}
	return [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[n-1] + " " + y
}

func (r *Committee) countTable(name, title, key, heading string, list []Count) Table {
	rows := make([][]any, len(list))
	sum := 0
	for i, c := range list {
		rows[i] = []any{c.Key, c.Label, c.Count}
		sum += c.Count
	}
	t := newTable(name, title, []column{{key, ""}, {"label", heading}, {"count", "Count"}}, rows).withoutKey()
	t.withTotal("Total", sum)
	return t
}

func (r *Committee) clearanceTable() Table {
	rows := make([][]any, len(r.Licensing.Clearance))
	for i, c := range r.Licensing.Clearance {
		rows[i] = []any{c.Agency, c.Decided, days(c.MedianDays), days(c.P90Days), c.Open, c.Overdue}
	}
	t := newTable("clearance-by-agency", "Clearance time by agency", []column{
		{"agency", "Agency"}, {"decided", "Decided"}, {"median_days", "Median days"},
		{"p90_days", "90th percentile days"}, {"open", "Open"}, {"overdue", "Overdue"},
	}, rows)
	t.right = []bool{false, true, true, true, true, true}
	t.note = "Calendar days from start to decision, over tasks decided in the period; open and overdue tasks as at " +
		greyline.FormatTime(r.GeneratedAt) + "."
	return t
}

// Headings are the column headings for people (the CSV has Columns).
func (t Table) Headings() []string { return t.labels }

// Display is the rows formatted for people: rupees, percentages.
func (t Table) Display() [][]string { return t.display }

// Total is the totals row for people, or nil; the CSV leaves it out.
func (t Table) Total() []string { return t.total }
