package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/greyline/greyline"
)

// pkt is a wall-clock time in Pakistan, returned in UTC as storage holds it.
func pkt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, greyline.Karachi).UTC()
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func base() Input {
	return Input{From: day(2025, 1, 1), To: day(2025, 8, 31), Now: pkt(2025, 9, 10, 10, 0)}
}

func mustBuild(t *testing.T, in Input) *Committee {
	t.Helper()
	r, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestValidation(t *testing.T) {
	decided := pkt(2025, 3, 1, 9, 0)
	tests := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"from after to", func(in *Input) { in.From, in.To = day(2025, 9, 1), day(2025, 8, 31) }, "from"},
		{"no from", func(in *Input) { in.From = time.Time{} }, "from"},
		{"no to", func(in *Input) { in.To = time.Time{} }, "to"},
		{"no now", func(in *Input) { in.Now = time.Time{} }, "now"},
		{"period too long", func(in *Input) { in.From = day(2000, 1, 1) }, "to"},
		{"raid without date", func(in *Input) { in.Raids = []Raid{{ID: 1, City: "Lahore"}} }, "raids[0].date"},
		{"arrest without nationality", func(in *Input) {
			in.Arrests = []Arrest{{Date: pkt(2025, 2, 1, 9, 0), Nationality: "PK"}, {Date: pkt(2025, 2, 1, 9, 0)}}
		}, "arrests[1].nationality"},
		{"accused of no country", func(in *Input) {
			in.Accused = []Accused{{Date: pkt(2025, 2, 1, 9, 0), Nationality: "XX"}}
		}, "accused[0].nationality"},
		{"negative scam value", func(in *Input) {
			in.Money = []Money{{Date: pkt(2025, 2, 1, 9, 0), ScamPaisa: -1}}
		}, "money[0].scam_paisa"},
		{"negative recovery", func(in *Input) {
			in.Money = []Money{{Date: pkt(2025, 2, 1, 9, 0), RecoveredPaisa: -5}}
		}, "money[0].recovered_paisa"},
		{"negative loss", func(in *Input) {
			in.Complaints = []Complaint{{ReceivedAt: pkt(2025, 2, 1, 9, 0), LossPaisa: -100}}
		}, "complaints[0].loss_paisa"},
		{"decided before started", func(in *Input) {
			in.Clearances = []Clearance{{Agency: "PTA", Started: pkt(2025, 3, 2, 9, 0), Decided: &decided}}
		}, "clearances[0].decided"},
		{"clearance without agency", func(in *Input) {
			in.Clearances = []Clearance{{Started: pkt(2025, 3, 2, 9, 0)}}
		}, "clearances[0].agency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(&in)
			_, err := Build(in)
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			var fields []string
			for _, f := range greyline.ErrorFields(err) {
				fields = append(fields, f.Field)
			}
			if d := cmp.Diff([]string{tt.field}, fields); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
		})
	}
	t.Run("one bad record per field, at most ten", func(t *testing.T) {
		in := base()
		for range 50 {
			in.Raids = append(in.Raids, Raid{})
		}
		_, err := Build(in)
		if n := len(greyline.ErrorFields(err)); n != maxFieldErrors {
			t.Errorf("%d field errors, want %d", n, maxFieldErrors)
		}
	})
}

// TestPeriod checks the period's edges as days in Asia/Karachi, whatever
// zone the dates and records come in.
func TestPeriod(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		in   bool
	}{
		{"first minute", pkt(2025, 1, 1, 0, 0), true},
		{"a minute before", pkt(2024, 12, 31, 23, 59), false},
		{"last evening", pkt(2025, 8, 31, 23, 30), true},
		{"ten past midnight after", pkt(2025, 9, 1, 0, 10), false},
		// 31 August 20:00 UTC is already 1 September in Pakistan.
		{"UTC evening of the last day", time.Date(2025, 8, 31, 20, 0, 0, 0, time.UTC), false},
		{"UTC evening before the first day", time.Date(2024, 12, 31, 19, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			in.Raids = []Raid{{ID: 1, Date: tt.at, City: "Karachi", Province: "Sindh"}}
			in.Complaints = []Complaint{{ReceivedAt: tt.at, Category: "other"}}
			r := mustBuild(t, in)
			want := 0
			if tt.in {
				want = 1
			}
			if r.Raids != want || r.Complaints.Total != want {
				t.Errorf("raids %d, complaints %d; want %d", r.Raids, r.Complaints.Total, want)
			}
		})
	}
	t.Run("dates read in their own zone", func(t *testing.T) {
		// 31 August written in Karachi or in New York is still 31 August.
		ny, _ := time.LoadLocation("America/New_York")
		in := base()
		in.To = time.Date(2025, 8, 31, 23, 0, 0, 0, ny)
		in.Raids = []Raid{{Date: pkt(2025, 8, 31, 23, 30)}, {Date: pkt(2025, 9, 1, 0, 10)}}
		if r := mustBuild(t, in); r.Raids != 1 || r.To != "2025-08-31" {
			t.Errorf("raids %d to %s; want 1 to 2025-08-31", r.Raids, r.To)
		}
	})
	t.Run("months in Karachi, zeros included", func(t *testing.T) {
		in := base()
		in.From, in.To = day(2025, 1, 15), day(2025, 4, 10)
		in.Raids = []Raid{
			{Date: pkt(2025, 1, 31, 23, 30)}, // 18:30 UTC: January
			{Date: pkt(2025, 2, 1, 0, 30)},   // 31 January 19:30 UTC, February in Pakistan
			{Date: pkt(2025, 4, 10, 22, 0)},
		}
		in.FIRs = []FIR{{Date: pkt(2025, 2, 20, 12, 0)}}
		in.Arrests = []Arrest{{Date: pkt(2025, 2, 1, 1, 0), Nationality: "CN"}}
		in.Complaints = []Complaint{{ReceivedAt: pkt(2025, 1, 15, 0, 5)}}
		got := mustBuild(t, in).Monthly
		want := []Month{
			{Month: "2025-01", Raids: 1, Complaints: 1},
			{Month: "2025-02", Raids: 1, FIRs: 1, Arrests: 1},
			{Month: "2025-03"},
			{Month: "2025-04", Raids: 1},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("monthly (-want +got):\n%s", d)
		}
	})
}

func filterInput() Input {
	in := base()
	at := pkt(2025, 5, 5, 11, 0)
	places := [][2]string{{"Karachi", "Sindh"}, {"Lahore", "Punjab"}, {"Multan", "Punjab"}, {" karachi ", "Sindh"}}
	for i, p := range places {
		in.Raids = append(in.Raids, Raid{ID: int64(i + 1), Date: at, City: p[0], Province: p[1]})
		in.Arrests = append(in.Arrests, Arrest{RaidID: int64(i + 1), Date: at, City: p[0], Province: p[1], Nationality: "PK"})
		in.FIRs = append(in.FIRs, FIR{ID: int64(i + 1), Date: at, City: p[0], Province: p[1]})
		in.Accused = append(in.Accused, Accused{FIRID: int64(i + 1), Date: at, City: p[0], Province: p[1], Nationality: "NG"})
		in.Money = append(in.Money, Money{Date: at, City: p[0], Province: p[1], ScamPaisa: 1000, RecoveredPaisa: 100})
		in.Complaints = append(in.Complaints, Complaint{ReceivedAt: at, City: p[0], Province: p[1], Category: "romance", CyberFraud: true})
		in.Applications = append(in.Applications, Application{Stage: "granted", Submitted: at, City: p[0], Province: p[1]})
		in.Licences = append(in.Licences, Licence{Status: "active", Kind: "call_centre", City: p[0], Province: p[1]})
	}
	return in
}

func TestFilters(t *testing.T) {
	type counts struct {
		Raids, Arrests, FIRs, Accused, Complaints, Applications, Licences int
		Scam                                                              int64
		Cities                                                            []string
	}
	tests := []struct {
		name, city, province string
		want                 counts
	}{
		{"all", "", "", counts{4, 4, 4, 4, 4, 4, 4, 4000, []string{"Karachi", "Lahore", "Multan"}}},
		{"city, any case and spacing", "KARACHI", "", counts{2, 2, 2, 2, 2, 2, 2, 2000, []string{"Karachi"}}},
		{"province", "", "punjab", counts{2, 2, 2, 2, 2, 2, 2, 2000, []string{"Lahore", "Multan"}}},
		{"city in province", "Lahore", "Punjab", counts{1, 1, 1, 1, 1, 1, 1, 1000, []string{"Lahore"}}},
		{"city not in province", "Lahore", "Sindh", counts{Cities: []string{}}},
		{"unknown city", "Quetta", "", counts{Cities: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := filterInput()
			in.City, in.Province = tt.city, tt.province
			r := mustBuild(t, in)
			got := counts{
				Raids: r.Raids, Arrests: r.Arrests.Total, FIRs: r.FIRs, Accused: r.Accused.Total,
				Complaints: r.Complaints.Total, Scam: r.ScamValuePaisa, Cities: []string{},
			}
			for _, c := range r.Licensing.ApplicationsByStage {
				got.Applications += c.Count
			}
			for _, c := range r.Licensing.LicencesByStatus {
				got.Licences += c.Count
			}
			for _, c := range r.ByCity {
				got.Cities = append(got.Cities, c.City)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	r := mustBuild(t, base())
	if r.Raids+r.FIRs+r.Arrests.Total+r.Accused.Total+r.Complaints.Total != 0 || r.ScamValuePaisa != 0 {
		t.Errorf("non-zero totals in an empty report: %+v", r)
	}
	if r.RecoveryRate != 0 || r.Complaints.CyberFraudShare != 0 {
		t.Errorf("rates %v, %v; want 0 with nothing to divide", r.RecoveryRate, r.Complaints.CyberFraudShare)
	}
	if len(r.Monthly) != 8 {
		t.Errorf("%d months, want 8 (zeros included)", len(r.Monthly))
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// Lists are [] rather than null, so that clients need no special case.
	for _, key := range []string{`"by_city":[]`, `"accused_by_nationality":[]`, `"accused_by_country":[]`, `"clearance":[]`} {
		if !bytes.Contains(raw, []byte(key)) {
			t.Errorf("JSON lacks %s: %s", key, raw)
		}
	}
	for _, s := range []string{"NaN", "Inf", "null"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("JSON holds %s: %s", s, raw)
		}
	}
	renderAll(t, r)
}

// renderAll writes every form of the report and fails on any error.
func renderAll(t *testing.T, r *Committee) {
	t.Helper()
	if err := r.WriteText(io.Discard); err != nil {
		t.Error(err)
	}
	for _, tb := range r.Tables() {
		if err := tb.WriteCSV(io.Discard); err != nil {
			t.Error(err)
		}
	}
	for _, c := range r.Charts() {
		checkSVG(t, c)
	}
	var pdf bytes.Buffer
	if err := r.WritePDF(&pdf); err != nil {
		t.Error(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Error("the PDF does not start with %PDF-")
	}
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		values      []float64
		median, p90 float64
	}{
		{[]float64{4}, 4, 4},
		{[]float64{1, 2}, 1.5, 1.9},
		{[]float64{1, 2, 3}, 2, 2.8},
		{[]float64{1, 2, 3, 4}, 2.5, 3.7},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5.5, 9.1},
		{[]float64{2, 2, 2, 30}, 2, 21.6},
	}
	for _, tt := range tests {
		got := [2]float64{round1(percentile(tt.values, 0.5)), round1(percentile(tt.values, 0.9))}
		if d := cmp.Diff([2]float64{tt.median, tt.p90}, got); d != "" {
			t.Errorf("%v (-want +got):\n%s", tt.values, d)
		}
	}
}

func TestClearance(t *testing.T) {
	in := base()
	start := pkt(2025, 3, 1, 9, 0)
	task := func(agency string, days float64) Clearance {
		d := start.Add(time.Duration(days * 24 * float64(time.Hour)))
		return Clearance{Agency: agency, Started: start, Decided: &d, Deadline: start.AddDate(0, 0, 21)}
	}
	late := pkt(2025, 9, 5, 9, 0) // decided after the period: neither open nor in the times
	in.Clearances = []Clearance{
		task("PTA", 1), task("PTA", 2), task("PTA", 3), task("PTA", 4),
		task("NCCIA", 10.25),
		{Agency: "SA", Started: start, Deadline: start.AddDate(0, 0, 21)},                 // open, overdue
		{Agency: "SA", Started: pkt(2025, 9, 1, 9, 0), Deadline: pkt(2025, 9, 30, 17, 0)}, // open, in time
		{Agency: "SA", Started: start, Deadline: pkt(2025, 9, 10, 10, 0)},                 // due this minute: not yet overdue
		{Agency: "NCCIA", Started: start, Decided: &late, Deadline: start.AddDate(0, 0, 21)},
	}
	f := func(x float64) *float64 { return &x }
	want := []AgencyClearance{
		{Agency: "NCCIA", Decided: 1, MedianDays: f(10.3), P90Days: f(10.3)},
		{Agency: "PTA", Decided: 4, MedianDays: f(2.5), P90Days: f(3.7)},
		{Agency: "SA", Open: 3, Overdue: 1},
	}
	if d := cmp.Diff(want, mustBuild(t, in).Licensing.Clearance); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestNationality(t *testing.T) {
	in := base()
	at := pkt(2025, 6, 1, 12, 0)
	add := func(city string, codes ...string) {
		for _, c := range codes {
			in.Accused = append(in.Accused, Accused{Date: at, City: city, Nationality: c})
		}
	}
	add("Islamabad", "PK", "PK", "CN", "cn", " NG", "CN", "MZ")
	add("Lahore", "PK", "PH", "NG")
	r := mustBuild(t, in)
	want := []CityNationality{
		{City: "Islamabad", Pakistani: 2, Foreign: 5, Total: 7, ByCountry: []CountryCount{
			{"CN", "China", 3}, {"MZ", "MZ", 1}, {"NG", "Nigeria", 1}, // unknown names fall back to the code
		}},
		{City: "Lahore", Pakistani: 1, Foreign: 2, Total: 3, ByCountry: []CountryCount{
			{"NG", "Nigeria", 1}, {"PH", "Philippines", 1},
		}},
	}
	if d := cmp.Diff(want, r.AccusedByNationality); d != "" {
		t.Errorf("by city (-want +got):\n%s", d)
	}
	wantAll := []CountryCount{{"CN", "China", 3}, {"PK", "Pakistan", 3}, {"NG", "Nigeria", 2}, {"MZ", "MZ", 1}, {"PH", "Philippines", 1}}
	if d := cmp.Diff(wantAll, r.AccusedByCountry); d != "" {
		t.Errorf("all (-want +got):\n%s", d)
	}
	// The wide table has a column per foreign country, most common first.
	var tb Table
	for _, x := range r.Tables() {
		if x.Name == "accused-by-nationality" {
			tb = x
		}
	}
	wantTable := [][]string{
		{"city", "pakistani", "foreign", "total", "foreign_cn", "foreign_ng", "foreign_mz", "foreign_ph"},
		{"Islamabad", "2", "5", "7", "3", "1", "1", "0"},
		{"Lahore", "1", "2", "3", "0", "1", "0", "1"},
	}
	if d := cmp.Diff(wantTable, append([][]string{tb.Columns}, tb.Rows...)); d != "" {
		t.Errorf("table (-want +got):\n%s", d)
	}
}

func TestComplaintCategories(t *testing.T) {
	in := base()
	at := pkt(2025, 6, 1, 12, 0)
	in.Complaints = []Complaint{
		{ReceivedAt: at, Category: "romance", CyberFraud: true, LossPaisa: 500},
		{ReceivedAt: at, Category: "romance", CyberFraud: true, LossPaisa: 1500},
		{ReceivedAt: at, Category: "harassment"},
		{ReceivedAt: at, Category: "retired_code", CyberFraud: true, LossPaisa: 7},
	}
	c := mustBuild(t, in).Complaints
	got := map[string]CategoryCount{}
	for _, x := range c.ByCategory {
		got[x.Code] = x
	}
	if len(c.ByCategory) != len(greyline.Categories)+1 {
		t.Errorf("%d rows, want every category and the unknown one", len(c.ByCategory))
	}
	if d := cmp.Diff(CategoryCount{Code: "romance", Label: "Romance scam", CyberFraud: true, Count: 2, Share: 0.5, LossPaisa: 2000}, got["romance"]); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff(CategoryCount{Code: "retired_code", Label: "retired_code", CyberFraud: true, Count: 1, Share: 0.25, LossPaisa: 7}, got["retired_code"]); d != "" {
		t.Error(d)
	}
	if c.Total != 4 || c.CyberFraud != 3 || c.CyberFraudShare != 0.75 || c.LossPaisa != 2007 || c.CyberFraudLossPaisa != 2007 {
		t.Errorf("totals %+v", c)
	}
}

func TestCSVFormulaSafety(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+92300", "'+92300"},
		{"-cmd", "'-cmd"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"-12", "-12"},
		{"Karachi", "Karachi"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := safeCell(tt.in); got != tt.want {
			t.Errorf("safeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	in := base()
	in.Raids = []Raid{{Date: pkt(2025, 2, 2, 2, 0), City: "=cmd|' /C calc'!A0"}}
	var b bytes.Buffer
	for _, tb := range mustBuild(t, in).Tables() {
		if tb.Name == "actions-by-city" {
			if err := tb.WriteCSV(&b); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"city", "raids", "arrests_pakistani", "arrests_foreign", "accused_pakistani", "accused_foreign", "firs"},
		{"'=cmd|' /C calc'!A0", "1", "0", "0", "0", "0", "0"},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// checkSVG parses a chart and checks that it can be inlined under
// "default-src 'self'; style-src 'self'" and is labelled for screen readers.
func checkSVG(t *testing.T, c Chart) {
	t.Helper()
	s := string(c.SVG)
	for _, bad := range []string{"<style", "style=", "<script", "<foreignObject", "href", "javascript:", "<!ENTITY", "<!DOCTYPE"} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(bad)) {
			t.Errorf("%s: SVG contains %q", c.Name, bad)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(c.SVG))
	var root *xml.StartElement
	ids := map[string]string{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", c.Name, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if root == nil {
				e := e.Copy()
				root = &e
			}
			for _, a := range e.Attr {
				if a.Name.Local == "id" {
					ids[a.Value] = e.Name.Local
				}
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("%s: SVG has an event attribute %s", c.Name, a.Name.Local)
				}
			}
		}
	}
	if root == nil || root.Name.Local != "svg" {
		t.Fatalf("%s: root is not <svg>", c.Name)
	}
	attr := map[string]string{}
	for _, a := range root.Attr {
		attr[a.Name.Local] = a.Value
	}
	if attr["role"] != "img" || ids[attr["aria-labelledby"]] != "title" || ids[attr["aria-describedby"]] != "desc" {
		t.Errorf("%s: root %v, ids %v: want role img labelled by its <title>", c.Name, attr, ids)
	}
}

// texts are the contents of the chart's <text> elements with a class.
func texts(t *testing.T, svg []byte, class string) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	in := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			in = false
			for _, a := range e.Attr {
				if e.Name.Local == "text" && a.Name.Local == "class" && a.Value == class {
					in = true
					out = append(out, "")
				}
			}
		case xml.CharData:
			if in {
				out[len(out)-1] += string(e)
			}
		case xml.EndElement:
			in = false
		}
	}
}

// TestChartsMatchTables reads the numbers drawn on each chart and compares
// them with the table the chart illustrates.
func TestChartsMatchTables(t *testing.T) {
	r := mustBuild(t, BriefingExample())
	tables := map[string]Table{}
	for _, tb := range r.Tables() {
		tables[tb.Name] = tb
	}
	// Which table columns each chart draws, in drawing order: per category
	// all series (grouped bars), or per series all categories (panels).
	charts := []struct {
		name    string
		cols    []string
		byCol   bool
		catsCol string
	}{
		{"actions-by-city", []string{"raids", "arrests_pakistani", "arrests_foreign", "firs"}, false, "city"},
		{"accused-by-nationality", []string{"pakistani", "foreign"}, false, "city"},
		{"complaints-by-category", []string{"complaints"}, false, "label"},
		{"monthly-trends", []string{"complaints", "raids", "arrests", "firs"}, true, "month"},
	}
	got := r.Charts()
	if len(got) != len(charts) {
		t.Fatalf("%d charts, want %d", len(got), len(charts))
	}
	for i, c := range charts {
		ch := got[i]
		if ch.Name != c.name {
			t.Fatalf("chart %d is %s, want %s", i, ch.Name, c.name)
		}
		checkSVG(t, ch)
		tb := tables[c.name]
		col := func(name string) int {
			for j, k := range tb.Columns {
				if k == name {
					return j
				}
			}
			t.Fatalf("%s has no column %s", tb.Name, name)
			return -1
		}
		var want []string
		if c.byCol {
			for _, k := range c.cols {
				for _, row := range tb.Rows {
					want = append(want, row[col(k)])
				}
			}
		} else {
			for _, row := range tb.Rows {
				for _, k := range c.cols {
					want = append(want, row[col(k)])
				}
			}
		}
		var drawn []string
		for _, v := range texts(t, ch.SVG, "value") {
			drawn = append(drawn, strings.ReplaceAll(v, ",", ""))
		}
		if d := cmp.Diff(want, drawn); d != "" {
			t.Errorf("%s: values drawn differ from the table (-table +chart):\n%s", c.name, d)
		}
		var cats []string
		for _, row := range tb.Rows {
			cats = append(cats, truncate(row[col(c.catsCol)], 44))
		}
		if c.name == "monthly-trends" {
			cats = nil
			for range c.cols {
				for _, row := range tb.Rows {
					cats = append(cats, monthLabel(row[col("month")]))
				}
			}
		}
		if d := cmp.Diff(cats, texts(t, ch.SVG, "category")); d != "" {
			t.Errorf("%s: category labels (-table +chart):\n%s", c.name, d)
		}
	}
}

func TestHostileNames(t *testing.T) {
	in := base()
	evil := `<script>alert("x")</script>&'"`
	at := pkt(2025, 3, 3, 3, 0)
	in.City = ""
	in.Raids = []Raid{{Date: at, City: evil}}
	in.Accused = []Accused{{Date: at, City: evil, Nationality: "CN"}}
	in.Complaints = []Complaint{{ReceivedAt: at, Category: `"><svg onload=alert(1)>`}}
	r := mustBuild(t, in)
	for _, c := range r.Charts() {
		checkSVG(t, c)
		if bytes.Contains(c.SVG, []byte("<script")) || bytes.Contains(c.SVG, []byte("<svg onload")) {
			t.Errorf("%s: hostile text not escaped", c.Name)
		}
	}
	// The name survives escaping, so the reader sees what was recorded.
	if got := texts(t, r.Charts()[0].SVG, "category"); len(got) != 1 || !strings.HasPrefix(got[0], "<script>") {
		t.Errorf("category label %q, want the city's name as recorded", got)
	}
	renderAll(t, r)
}

// shuffled is in with every list in another order.
func shuffled(in Input, seed uint64) Input {
	rnd := rand.New(rand.NewPCG(seed, seed))
	sh := func(n int, swap func(i, j int)) { rnd.Shuffle(n, swap) }
	in.Raids = append([]Raid(nil), in.Raids...)
	sh(len(in.Raids), func(i, j int) { in.Raids[i], in.Raids[j] = in.Raids[j], in.Raids[i] })
	in.Arrests = append([]Arrest(nil), in.Arrests...)
	sh(len(in.Arrests), func(i, j int) { in.Arrests[i], in.Arrests[j] = in.Arrests[j], in.Arrests[i] })
	in.Accused = append([]Accused(nil), in.Accused...)
	sh(len(in.Accused), func(i, j int) { in.Accused[i], in.Accused[j] = in.Accused[j], in.Accused[i] })
	in.Complaints = append([]Complaint(nil), in.Complaints...)
	sh(len(in.Complaints), func(i, j int) { in.Complaints[i], in.Complaints[j] = in.Complaints[j], in.Complaints[i] })
	in.Clearances = append([]Clearance(nil), in.Clearances...)
	sh(len(in.Clearances), func(i, j int) { in.Clearances[i], in.Clearances[j] = in.Clearances[j], in.Clearances[i] })
	return in
}

// everything is every form of the report, concatenated.
func everything(t *testing.T, r *Committee) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, tb := range r.Tables() {
		if err := tb.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range r.Charts() {
		b.Write(c.SVG)
	}
	if err := r.WritePDF(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDeterminism: the same facts, in any order, give the same bytes in
// every form.
func TestDeterminism(t *testing.T) {
	in := BriefingExample()
	want := everything(t, mustBuild(t, in))
	for seed := range uint64(3) {
		if got := everything(t, mustBuild(t, shuffled(in, seed))); !bytes.Equal(want, got) {
			t.Errorf("seed %d: output differs", seed)
		}
	}
}

func TestPDF(t *testing.T) {
	r := mustBuild(t, BriefingExample())
	var b bytes.Buffer
	if err := r.writePDF(&b, false); err != nil {
		t.Fatal(err)
	}
	pdf := b.String()
	if !strings.HasPrefix(pdf, "%PDF-") || !strings.HasSuffix(strings.TrimSpace(pdf), "%%EOF") {
		t.Fatal("not a PDF")
	}
	pages := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAllString(pdf, -1))
	if pages < 2 {
		t.Errorf("%d pages, want more than one", pages)
	}
	// The figures as printed, in the uncompressed text operators.
	for _, s := range []string{
		"(Rs 720,000,000)", "(Rs 40,000,000)", "(63)", "(195)", "(255)", "(248)", "(259)", "(507)", "(54)", "(60.0%)",
		"(Karachi)", "(Islamabad)", "(Multan)", "(1 January 2025 to 31 August 2025, all cities)",
		pageLabel(1, pages), pageLabel(pages, pages),
	} {
		if !strings.Contains(pdf, s) {
			t.Errorf("the PDF does not show %s", s)
		}
	}
	var compressed bytes.Buffer
	if err := r.WritePDF(&compressed); err != nil {
		t.Fatal(err)
	}
	if compressed.Len() >= b.Len() || !bytes.HasPrefix(compressed.Bytes(), []byte("%PDF-")) {
		t.Errorf("compressed PDF is %d bytes against %d uncompressed", compressed.Len(), b.Len())
	}
}

func pageLabel(n, of int) string { return "(Page " + strconv.Itoa(n) + " of " + strconv.Itoa(of) + ")" }

func TestText(t *testing.T) {
	var b strings.Builder
	if err := mustBuild(t, BriefingExample()).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{
		"1 January 2025 to 31 August 2025, all cities",
		"Scam value uncovered                        Rs 720,000,000",
		"Karachi        19                 36               24                 50               24    16",
		"Total          63                195              255                248              259    54",
		"Cyber-enabled fraud: 1,200 complaints, 60.0% of all, with reported losses of Rs 3,055,400,000.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// TestJSONRoundTrip: a Committee decoded from its JSON (as a web page or a
// cache might hold it) renders the same text.
func TestJSONRoundTrip(t *testing.T) {
	r := mustBuild(t, BriefingExample())
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Committee
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	var a, b strings.Builder
	if err := r.WriteText(&a); err != nil {
		t.Fatal(err)
	}
	if err := back.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a.String(), b.String()); d != "" {
		t.Errorf("(-built +decoded):\n%s", d)
	}
}
