package greyline

import (
	"strings"
	"testing"
	"time"
)

// FuzzCalendarAddDates: `serve --holidays` either adds every listed date or
// names the one it cannot read; it adds nothing that is not a date.
func FuzzCalendarAddDates(f *testing.F) {
	for _, s := range []string{"2026-03-20, 2026-03-21", "", ",,", "2026-02-30", "20260320", "2026-03-20,x", " 2026-12-31 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		c := DefaultCalendar()
		err := c.AddDates(list)
		if err != nil {
			if !strings.Contains(err.Error(), "is not a date written YYYY-MM-DD") {
				t.Fatalf("AddDates(%q): %v names no date", list, err)
			}
			return
		}
		for d := range c.Dated {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				t.Fatalf("AddDates(%q) added %q", list, d)
			}
		}
		for _, s := range strings.Split(list, ",") {
			if s = strings.TrimSpace(s); s != "" && c.Dated[s] == "" {
				t.Fatalf("AddDates(%q) accepted but did not add %q", list, s)
			}
		}
	})
}

// FuzzNormalizeNTN: an NTN is accepted only in one of its two forms, and
// its canonical form is stable.
func FuzzNormalizeNTN(f *testing.F) {
	for _, s := range []string{"1234567-8", "12345678", " 1234567 8 ", "3520212345671", "35202-1234567-1", "", "-", "１２３４５６７８", "1234567-X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeNTN(s)
		if !ok {
			if n != "" {
				t.Fatalf("NormalizeNTN(%q) refused but returned %q", s, n)
			}
			return
		}
		if !(len(n) == 9 && allDigits(n[:7]) && n[7] == '-' && allDigits(n[8:]) || len(n) == 13 && allDigits(n)) {
			t.Fatalf("NormalizeNTN(%q) = %q, not a canonical NTN", s, n)
		}
		if again, ok := NormalizeNTN(n); !ok || again != n {
			t.Fatalf("NormalizeNTN(%q) = %q, but that normalises to %q, %v", s, n, again, ok)
		}
	})
}
