package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/greyline/greyline"
)

// Heading is the report's title, shared by the text, the PDF and the
// charts' captions.
const Heading = "Operation Grey and licensing: report to the committee"

// PeriodLine describes the period and place, e.g.
// "1 January 2025 to 31 August 2025, all cities".
// It reads the exported fields, so a Committee decoded from the JSON reads
// the same.
func (r *Committee) PeriodLine() string {
	return fmt.Sprintf("%s to %s, %s", longDate(r.From), longDate(r.To), r.placeLine())
}

// longDate turns "2025-08-31" into "31 August 2025".
func longDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

func (r *Committee) placeLine() string {
	switch {
	case r.Filters.City != "" && r.Filters.Province != "":
		return r.Filters.City + ", " + r.Filters.Province
	case r.Filters.City != "":
		return r.Filters.City
	case r.Filters.Province != "":
		return r.Filters.Province
	}
	return "all cities"
}

// WriteText writes a plain-text briefing with aligned tables, for a
// terminal or an email.
func (r *Committee) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, Heading)
	fmt.Fprintln(b, r.PeriodLine())
	fmt.Fprintf(b, "Days and months in %s. Generated %s.\n", r.Timezone, greyline.FormatTime(r.GeneratedAt))
	for _, t := range r.Tables() {
		fmt.Fprintln(b)
		t.writeText(b)
	}
	return b.Flush()
}

func (t Table) writeText(w io.Writer) {
	fmt.Fprintln(w, t.Title)
	fmt.Fprintln(w, strings.Repeat("=", utf8.RuneCountInString(t.Title)))
	width := make([]int, len(t.labels))
	measure := func(row []string) {
		for i, s := range row {
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	measure(t.labels)
	for _, row := range t.display {
		measure(row)
	}
	if t.total != nil {
		measure(t.total)
	}
	line := func(row []string) {
		var b strings.Builder
		for i, s := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(s))
			if t.right[i] {
				b.WriteString(pad + s)
			} else {
				b.WriteString(s + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	rule := func() {
		parts := make([]string, len(width))
		for i, n := range width {
			parts[i] = strings.Repeat("-", n)
		}
		fmt.Fprintln(w, strings.Join(parts, "  "))
	}
	line(t.labels)
	rule()
	for _, row := range t.display {
		line(row)
	}
	if len(t.display) == 0 {
		fmt.Fprintln(w, "(none)")
	}
	if t.total != nil && len(t.display) > 1 {
		rule()
		line(t.total)
	}
	if t.note != "" {
		fmt.Fprintln(w, t.note)
	}
}
