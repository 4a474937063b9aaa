package warninglist

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics, and that whatever parses can be
// written out with Entry.String and read back to the same keys, which is
// what an export of a user's list relies on.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		matchList,
		"phone 111-124-444 # JazzCash helpline",
		"+92 51 111 124 444",
		"https://www.facebook.com/#x # y",
		"url http://[::1]/",
		"jazzcash 0300-1234567",
		"\uFEFF# c\r\nbit.ly\r\n",
		"1799",
		"domain",
		"social @ali.trader # handle",
		"PK36SCBL0000001123456702",
		"HBL 1234-5678901234",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		l, err := Parse("fuzz", strings.NewReader(in))
		if err != nil {
			return
		}
		var b strings.Builder
		for _, e := range l.Entries() {
			if e.Key == "" || e.Value == "" || e.List != "fuzz" {
				t.Fatalf("incomplete entry %+v from %q", e, in)
			}
			b.WriteString(e.String() + "\n")
		}
		again, err := Parse("fuzz", strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", b.String(), in, err)
		}
		if got, want := keys(again), keys(l); !slices.Equal(got, want) {
			t.Fatalf("re-parse of %q (from %q) gave keys %q, want %q", b.String(), in, got, want)
		}
	})
}
