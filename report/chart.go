package report

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/greyline/greyline"
)

// chartKind is how a chart is drawn; the SVG and the PDF draw each kind
// from the same spec, so the two always show the same numbers.
type chartKind int

const (
	groupedBars    chartKind = iota // vertical bars, one group per category
	horizontalBars                  // one bar per category, labels on the left
	panels                          // one small bar chart per series, each on its own scale
)

// chartSpec is a chart's data, taken from the same Committee fields as
// the tables.
type chartSpec struct {
	name, title, subtitle string
	kind                  chartKind
	xLabel, yLabel        string
	categories            []string
	series                []series
	legend                []legendItem // when the series alone do not explain the colours
}

type series struct {
	name   string
	color  string
	values []int
	colors []string // per bar, overriding color (horizontal bars)
	notes  []string // per bar, extra words for its tooltip
}

type legendItem struct{ name, color string }

// Colours from the Tableau 10 palette, as netsvg uses; Pakistani is the
// flag's green.
const (
	blue     = "#4e79a7"
	orange   = "#f28e2b"
	red      = "#e15759"
	green    = "#59a14f"
	pakGreen = "#01411c"
	grey     = "#9aa5b1"
)

func (r *Committee) chartSpecs() []chartSpec {
	return []chartSpec{r.actionsChart(), r.nationalityChart(), r.categoryChart(), r.monthlyChart()}
}

func (r *Committee) actionsChart() chartSpec {
	s := chartSpec{
		name: "actions-by-city", title: "Actions by city", subtitle: r.PeriodLine(), kind: groupedBars,
		xLabel: "City", yLabel: "Number",
		series: []series{
			{name: "Raids", color: blue}, {name: "Arrests, Pakistani", color: pakGreen},
			{name: "Arrests, foreign", color: orange}, {name: "FIRs", color: red},
		},
	}
	for _, c := range r.ByCity {
		s.categories = append(s.categories, c.City)
		for i, v := range []int{c.Raids, c.ArrestsPakistani, c.ArrestsForeign, c.FIRs} {
			s.series[i].values = append(s.series[i].values, v)
		}
	}
	return s
}

func (r *Committee) nationalityChart() chartSpec {
	s := chartSpec{
		name: "accused-by-nationality", title: "Accused by nationality per city", subtitle: r.PeriodLine(), kind: groupedBars,
		xLabel: "City", yLabel: "Accused persons",
		series: []series{{name: "Pakistani", color: pakGreen}, {name: "Foreign", color: orange}},
	}
	for _, c := range r.AccusedByNationality {
		s.categories = append(s.categories, c.City)
		s.series[0].values = append(s.series[0].values, c.Pakistani)
		s.series[0].notes = append(s.series[0].notes, "")
		s.series[1].values = append(s.series[1].values, c.Foreign)
		parts := make([]string, len(c.ByCountry))
		for i, b := range c.ByCountry {
			parts[i] = fmt.Sprintf("%s %d", b.Country, b.Count)
		}
		s.series[1].notes = append(s.series[1].notes, strings.Join(parts, ", "))
	}
	return s
}

func (r *Committee) categoryChart() chartSpec {
	c := r.Complaints
	s := chartSpec{
		name: "complaints-by-category", title: "Complaints by category", kind: horizontalBars,
		subtitle: fmt.Sprintf("%s. Cyber-enabled fraud %s of %s complaints; reported loss %s.",
			r.PeriodLine(), pct(c.CyberFraudShare), thousands(int64(c.Total)), greyline.FormatPaisa(c.LossPaisa)),
		xLabel: "Complaints",
		series: []series{{name: "Complaints", color: blue}},
		legend: []legendItem{{"Cyber-enabled fraud", blue}, {"Other", grey}},
	}
	for _, x := range c.ByCategory {
		s.categories = append(s.categories, x.Label)
		s.series[0].values = append(s.series[0].values, x.Count)
		col := grey
		if x.CyberFraud {
			col = blue
		}
		s.series[0].colors = append(s.series[0].colors, col)
		s.series[0].notes = append(s.series[0].notes, "reported loss "+greyline.FormatPaisa(x.LossPaisa))
	}
	return s
}

func (r *Committee) monthlyChart() chartSpec {
	s := chartSpec{
		name: "monthly-trends", title: "Monthly trends", subtitle: r.PeriodLine() + ", by month in Asia/Karachi", kind: panels,
		xLabel: "Month",
		series: []series{
			{name: "Complaints", color: blue}, {name: "Raids", color: green},
			{name: "Arrests", color: orange}, {name: "FIRs", color: red},
		},
	}
	for _, m := range r.Monthly {
		s.categories = append(s.categories, monthLabel(m.Month))
		for i, v := range []int{m.Complaints, m.Raids, m.Arrests, m.FIRs} {
			s.series[i].values = append(s.series[i].values, v)
		}
	}
	return s
}

// legendItems are the chart's colour key.
func (s *chartSpec) legendItems() []legendItem {
	if s.legend != nil {
		return s.legend
	}
	if s.kind == panels {
		return nil // each panel is titled instead
	}
	out := make([]legendItem, len(s.series))
	for i, x := range s.series {
		out[i] = legendItem{x.name, x.color}
	}
	return out
}

func (x *series) colorAt(i int) string {
	if i < len(x.colors) {
		return x.colors[i]
	}
	return x.color
}

func (x *series) noteAt(i int) string {
	if i < len(x.notes) {
		return x.notes[i]
	}
	return ""
}

func maxOf(values ...[]int) int {
	m := 0
	for _, vs := range values {
		for _, v := range vs {
			m = max(m, v)
		}
	}
	return m
}

// axis picks a round top and step for values up to m: steps of 1, 2 or 5
// times a power of ten, about five of them, never below 1 (the values are
// counts).
func axis(m int) (top, step int) {
	if m <= 0 {
		return 1, 1
	}
	raw := float64(m) / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(pow)
	for _, f := range []float64{1, 2, 5, 10} {
		if f*pow >= raw {
			step = int(f * pow)
			break
		}
	}
	step = max(step, 1)
	top = (m + step - 1) / step * step
	return top, step
}

// truncate shortens s to at most n characters with an ellipsis; the full
// text stays in the tooltip and the table.
func truncate(s string, n int) string {
	if n < 2 {
		n = 2
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
