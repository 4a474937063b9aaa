package greyline

import "testing"

func TestParseRupees(t *testing.T) {
	for in, want := range map[string]int64{"75,000": 7_500_000, "Rs 1,25,000.50": 12_500_050, "2500": 250_000, "0.5": 50, "PKR 10.05": 1005, "0": 0} {
		got, err := ParseRupees(in)
		if err != nil || got != want {
			t.Errorf("ParseRupees(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "-5", "1e6", "12.", ".5", "9999999999999999"} {
		if _, err := ParseRupees(bad); err == nil {
			t.Errorf("ParseRupees(%q) accepted", bad)
		}
	}
	if got := FormatPaisa(12_500_050); got != "Rs 125,000.50" {
		t.Errorf("FormatPaisa = %q", got)
	}
}

func FuzzParseRupees(f *testing.F) {
	for _, s := range []string{"75,000", "Rs 1.5", "", "1.23"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseRupees(s)
		if err == nil && p < 0 {
			t.Fatalf("%q gave %d", s, p)
		}
	})
}
