package lookup

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var until = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func lic(number, status, trade string, business, site int64) Licence {
	return Licence{
		Number: number, Status: status, TradeName: trade, Kind: "call_centre",
		City: "Lahore", ValidUntil: until, BusinessID: business, SiteID: site,
	}
}

var (
	lA = lic("CC-LHE-2025-000001", StatusActive, "Indus Contact Centre", 1, 11)
	lB = lic("CC-LHE-2025-000002", StatusActive, "Indus Contact Centre", 1, 12)
	lC = lic("SH-ISB-2025-000003", StatusProvisional, "Margalla Soft", 2, 21)
	lD = lic("CC-KHI-2024-000004", StatusRevoked, "Crescent BPO", 3, 31)
	lE = lic("CC-KHI-2025-000005", StatusSuspended, "Karachi Call Connect", 4, 41)
	lF = lic("SH-LHE-2025-000006", StatusActive, "Ravi Technologies", 5, 51)
)

func prefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr     { return netip.MustParseAddr(s) }

// testIndex builds a small registry by Upsert, or by Replace if bulk.
func testIndex(t *testing.T, bulk bool) *Index {
	t.Helper()
	recs := []Record{
		{lA, Resources{
			Phones:       []string{"+924235761234", "+923001234567"},
			Ranges:       []PhoneRange{{"+924235760000", "+924235760999"}},
			Domains:      []string{"induscontact.com.pk"},
			Prefixes:     []netip.Prefix{prefix("203.0.113.0/24"), prefix("2001:db8:10::/48")},
			BusinessName: "Indus Holdings (Private) Limited",
		}},
		{lB, Resources{
			Phones:  []string{"+924235770001"},
			Ranges:  []PhoneRange{{"+924235761000", "+924235761999"}}, // contains lA's +924235761234
			Domains: []string{"lhr2.induscontact.com.pk"},
		}},
		{lC, Resources{
			Phones:   []string{"+92512345678"},
			Ranges:   []PhoneRange{{"+9251234500", "+9251234599"}}, // 10 digits: never meets 11-digit numbers
			Domains:  []string{"margallasoft.pk"},
			Prefixes: []netip.Prefix{prefix("198.51.100.8/29")},
		}},
		{lD, Resources{ // revoked: still listed, holds nothing
			Phones:   []string{"+922134567890"},
			Domains:  []string{"crescentbpo.com"},
			Prefixes: []netip.Prefix{prefix("203.0.113.128/25")},
		}},
		{lE, Resources{
			Ranges:   []PhoneRange{{"+922134567800", "+922134567899"}}, // contains lD's number
			Prefixes: []netip.Prefix{prefix("2001:db8::/32")},
		}},
		{lF, Resources{Domains: []string{"ravi.tech"}, BusinessName: "Ravi Technologies SMC-Private Limited"}},
	}
	x := New()
	if bulk {
		if err := x.Replace(recs); err != nil {
			t.Fatal(err)
		}
	} else {
		for _, r := range recs {
			if err := x.Upsert(r.Licence, r.Resources); err != nil {
				t.Fatal(err)
			}
		}
	}
	return x
}

func forBoth(t *testing.T, f func(t *testing.T, x *Index)) {
	for _, bulk := range []bool{false, true} {
		name := "upsert"
		if bulk {
			name = "replace"
		}
		t.Run(name, func(t *testing.T) { f(t, testIndex(t, bulk)) })
	}
}

func nums(ls []Licence) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Number)
	}
	return out
}

func TestByNumber(t *testing.T) {
	forBoth(t, func(t *testing.T, x *Index) {
		got, ok := x.ByNumber(lC.Number)
		if !ok {
			t.Fatal("not found")
		}
		if d := cmp.Diff(lC, got); d != "" {
			t.Errorf("ByNumber (-want +got):\n%s", d)
		}
		if _, ok := x.ByNumber("CC-LHE-2025-999999"); ok {
			t.Error("unknown number found")
		}
		if _, ok := x.ByNumber(""); ok {
			t.Error("empty number found")
		}
	})
}

func TestByPhone(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"+923001234567", []string{lA.Number}},                             // exact mobile
		{"+924235770001", []string{lB.Number}},                             // exact landline
		{"+924235761234", []string{lA.Number, lB.Number}},                  // exact for A, inside B's range
		{"+924235760000", []string{lA.Number}},                             // range first
		{"+924235760999", []string{lA.Number}},                             // range last
		{"+924235760500", []string{lA.Number}},                             // range middle
		{"+924235761000", []string{lB.Number}},                             // next range first
		{"+924235761999", []string{lB.Number}},                             // next range last
		{"+924235762000", nil},                                             // one past
		{"+924235759999", nil},                                             // one before
		{"+92423576000", nil},                                              // shorter number, same digits
		{"+9242357600000", nil},                                            // longer number, same digits
		{"+9251234500", []string{lC.Number}},                               // 10-digit range first
		{"+9251234599", []string{lC.Number}},                               // 10-digit range last
		{"+9251234600", nil},                                               // one past
		{"+92512345678", []string{lC.Number}},                              // 11-digit exact, no collision
		{"+92512345600", nil},                                              // 11-digit, range is 10-digit
		{"+922134567890", []string{lD.Number, lE.Number}},                  // revoked exact + suspended range
		{"+922134567800", []string{lE.Number}},                             // range first
		{"+922134567899", []string{lE.Number}},                             // range last
		{"+922134567900", nil},                                             // one past
		{"+1", nil},                                                        // shortest valid, absent
		{"", nil}, {"924235761234", nil}, {"+92-423", nil}, {"+0123", nil}, // invalid
		{"+1234567890123456", nil}, // 16 digits
	}
	forBoth(t, func(t *testing.T, x *Index) {
		for _, tc := range tests {
			if d := cmp.Diff(tc.want, nums(x.ByPhone(tc.q))); d != "" {
				t.Errorf("ByPhone(%q) (-want +got):\n%s", tc.q, d)
			}
		}
		// Full records, not just numbers.
		if d := cmp.Diff([]Licence{lA, lB}, x.ByPhone("+924235761234")); d != "" {
			t.Errorf("ByPhone records (-want +got):\n%s", d)
		}
	})
}

func TestByDomain(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"induscontact.com.pk", []string{lA.Number}},
		{"www.induscontact.com.pk", []string{lA.Number}},
		{"a.b.c.induscontact.com.pk", []string{lA.Number}},
		{"lhr2.induscontact.com.pk", []string{lA.Number, lB.Number}},     // own and parent declaration
		{"crm.lhr2.induscontact.com.pk", []string{lA.Number, lB.Number}}, // subdomain of both
		{"induscontact.com.pk.", []string{lA.Number}},                    // trailing dot
		{"xinduscontact.com.pk", nil},                                    // not a label boundary
		{"com.pk", nil},                                                  // parent of a declaration
		{"pk", nil},
		{"margallasoft.pk", []string{lC.Number}},
		{"crescentbpo.com", []string{lD.Number}},
		{"ravi.tech", []string{lF.Number}},
		{"ravi.technology", nil},
		{"", nil}, {".", nil}, {"..", nil},
	}
	forBoth(t, func(t *testing.T, x *Index) {
		for _, tc := range tests {
			if d := cmp.Diff(tc.want, nums(x.ByDomain(tc.q))); d != "" {
				t.Errorf("ByDomain(%q) (-want +got):\n%s", tc.q, d)
			}
		}
	})
}

func TestByIP(t *testing.T) {
	tests := []struct {
		q    netip.Addr
		want []string
	}{
		{addr("203.0.113.0"), []string{lA.Number}},
		{addr("203.0.113.127"), []string{lA.Number}},
		{addr("203.0.113.128"), []string{lD.Number, lA.Number}}, // /24 and nested /25
		{addr("203.0.113.255"), []string{lD.Number, lA.Number}},
		{addr("203.0.114.0"), nil},
		{addr("203.0.112.255"), nil},
		{addr("::ffff:203.0.113.5"), []string{lA.Number}}, // v4-mapped
		{addr("198.51.100.7"), nil},
		{addr("198.51.100.8"), []string{lC.Number}},
		{addr("198.51.100.15"), []string{lC.Number}},
		{addr("198.51.100.16"), nil},
		{addr("2001:db8:10::1"), []string{lE.Number, lA.Number}}, // /48 inside /32
		{addr("2001:db8:10:ffff:ffff:ffff:ffff:ffff"), []string{lE.Number, lA.Number}},
		{addr("2001:db8:11::"), []string{lE.Number}},
		{addr("2001:db8:ffff::1"), []string{lE.Number}},
		{addr("2001:db9::"), nil},
		{addr("fe80::1%eth0"), nil},
		{addr("2001:db8:10::1%eth0"), []string{lE.Number, lA.Number}}, // zone ignored
		{netip.Addr{}, nil},
	}
	forBoth(t, func(t *testing.T, x *Index) {
		for _, tc := range tests {
			if d := cmp.Diff(tc.want, nums(x.ByIP(tc.q))); d != "" {
				t.Errorf("ByIP(%v) (-want +got):\n%s", tc.q, d)
			}
		}
	})
}

func TestSearchName(t *testing.T) {
	tests := []struct {
		q     string
		limit int
		want  []string
	}{
		{"Indus Contact Centre", 0, []string{lA.Number, lB.Number}},
		{"indus", 0, []string{lA.Number, lB.Number}},
		{"INDUS", 0, []string{lA.Number, lB.Number}},
		{"ind", 1, []string{lA.Number}},
		{"contact", 0, []string{lA.Number, lB.Number}},
		{"con", 0, []string{lA.Number, lB.Number, lE.Number}}, // Indus "Contact" before Karachi Call "Connect"? equal scores, shorter name wins
		{"karachi conn", 0, []string{lE.Number}},
		{"crescent", 0, []string{lD.Number}},
		{"ravi tech", 0, []string{lF.Number}},
		{"holdings", 0, []string{lA.Number}}, // business name only
		{"smc private", 0, []string{lF.Number}},
		{"indus margalla", 0, nil}, // every token must match
		{"soft", 0, []string{lC.Number}},
		{"nothing", 0, nil},
		{"  --  ", 0, nil},
		{"", 0, nil},
	}
	forBoth(t, func(t *testing.T, x *Index) {
		for _, tc := range tests {
			if d := cmp.Diff(tc.want, nums(x.SearchName(tc.q, tc.limit))); d != "" {
				t.Errorf("SearchName(%q, %d) (-want +got):\n%s", tc.q, tc.limit, d)
			}
		}
	})
}

func TestSearchRanking(t *testing.T) {
	x := New()
	add := func(number, status, trade string) {
		t.Helper()
		if err := x.Upsert(lic(number, status, trade, 9, 9), Resources{}); err != nil {
			t.Fatal(err)
		}
	}
	add("N1", StatusActive, "Global Tech Solutions")
	add("N2", StatusActive, "Tech Global")
	add("N3", StatusActive, "Global Technologies")
	add("N4", StatusRevoked, "Global Tech")
	add("N5", StatusActive, "Global Tech")
	add("N6", StatusActive, "Globaltech Systems")
	got := nums(x.SearchName("global tech", 10))
	// Exact name first (active before revoked), then names beginning with
	// the query as typed (exact tokens before a completed last token), then
	// the other matches.
	want := []string{"N5", "N4", "N1", "N3", "N2"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ranking (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"N6"}, nums(x.SearchName("globalt", 10))); d != "" {
		t.Errorf("prefix (-want +got):\n%s", d)
	}
}

func TestPhoneOverlaps(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		except     int64
		want       []string
	}{
		{"single inside other's range", "+924235760500", "", 2, []string{lA.Number}},
		{"same business ignored", "+924235760500", "", 1, nil},
		{"range straddling two licences", "+924235760900", "+924235761100", 2, []string{lA.Number, lB.Number}},
		{"range touching first", "+924235759000", "+924235760000", 2, []string{lA.Number}},
		{"range just before", "+924235759000", "+924235759999", 2, nil},
		{"range touching last", "+924235761999", "+924235762999", 2, []string{lB.Number}},
		{"range just after", "+924235762000", "+924235762999", 2, nil},
		{"covering range", "+924235700000", "+924235799999", 9, []string{lA.Number, lB.Number}},
		{"exact declared number", "+923001234567", "+923001234567", 9, []string{lA.Number}},
		{"revoked releases, suspended holds", "+922134567890", "", 9, []string{lE.Number}},
		{"suspended's own business", "+922134567890", "", 4, nil},
		{"provisional holds", "+92512345678", "", 9, []string{lC.Number}},
		{"other length never overlaps", "+92423576050", "+92423576059", 9, nil},
		{"10-digit range", "+9251234590", "+9251234610", 9, []string{lC.Number}},
		{"ends of different lengths", "+9251234590", "+92512345678", 9, nil},
		{"start after end", "+924235760999", "+924235760000", 9, nil},
		{"invalid", "0300", "", 9, nil},
	}
	forBoth(t, func(t *testing.T, x *Index) {
		for _, tc := range tests {
			if d := cmp.Diff(tc.want, nums(x.PhoneOverlaps(tc.start, tc.end, tc.except))); d != "" {
				t.Errorf("%s: PhoneOverlaps(%s, %s, %d) (-want +got):\n%s", tc.name, tc.start, tc.end, tc.except, d)
			}
		}
	})
}

func TestUpsertReplacesResources(t *testing.T) {
	x := testIndex(t, false)
	before := x.View()
	moved := lA
	moved.Status = StatusSuspended
	moved.TradeName = "Zaviar Contact"
	err := x.Upsert(moved, Resources{
		Phones:   []string{"+923001112222"},
		Ranges:   []PhoneRange{{"+924235760500", "+924235760599"}},
		Domains:  []string{"zaviar.pk"},
		Prefixes: []netip.Prefix{prefix("192.0.2.0/24")},
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what string
		got  []string
		want []string
	}{
		{"old exact number", nums(x.ByPhone("+923001234567")), nil},
		{"old range first", nums(x.ByPhone("+924235760000")), nil},
		{"old number also in B's range", nums(x.ByPhone("+924235761234")), []string{lB.Number}},
		{"new exact", nums(x.ByPhone("+923001112222")), []string{lA.Number}},
		{"new range last", nums(x.ByPhone("+924235760599")), []string{lA.Number}},
		{"new range one past", nums(x.ByPhone("+924235760600")), nil},
		{"old domain", nums(x.ByDomain("www.induscontact.com.pk")), nil},
		{"B's domain stays", nums(x.ByDomain("lhr2.induscontact.com.pk")), []string{lB.Number}},
		{"new domain", nums(x.ByDomain("app.zaviar.pk")), []string{lA.Number}},
		{"old prefix", nums(x.ByIP(addr("203.0.113.1"))), nil},
		{"old v6 prefix", nums(x.ByIP(addr("2001:db8:10::1"))), []string{lE.Number}},
		{"new prefix", nums(x.ByIP(addr("192.0.2.200"))), []string{lA.Number}},
		{"old name", nums(x.SearchName("indus", 0)), []string{lB.Number}},
		{"old business name", nums(x.SearchName("holdings", 0)), nil},
		{"new name", nums(x.SearchName("zaviar", 0)), []string{lA.Number}},
	}
	for _, c := range checks {
		if d := cmp.Diff(c.want, c.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, d)
		}
	}
	if got, _ := x.ByNumber(lA.Number); got.Status != StatusSuspended {
		t.Errorf("status = %q", got.Status)
	}
	// The old view is untouched.
	if d := cmp.Diff([]string{lA.Number}, nums(before.ByPhone("+923001234567"))); d != "" {
		t.Errorf("old view changed (-want +got):\n%s", d)
	}
	if got, _ := before.ByNumber(lA.Number); got.Status != StatusActive {
		t.Errorf("old view status = %q", got.Status)
	}
	st := x.Stats()
	if st.Licences != 6 || st.Phones != 4 || st.Ranges != 4 || st.Domains != 5 || st.Prefixes != 4 {
		t.Errorf("stats = %+v", st)
	}
	if st.Version <= before.Stats().Version {
		t.Errorf("version did not increase: %d -> %d", before.Stats().Version, st.Version)
	}
}

func TestStatusChangeKeepsResources(t *testing.T) {
	x := testIndex(t, false)
	s := lC
	s.Status = StatusRevoked
	res := Resources{
		Phones:   []string{"+92512345678"},
		Ranges:   []PhoneRange{{"+9251234500", "+9251234599"}},
		Domains:  []string{"margallasoft.pk"},
		Prefixes: []netip.Prefix{prefix("198.51.100.8/29")},
	}
	if err := x.Upsert(s, res); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Licence{s}, x.ByPhone("+9251234550")); d != "" {
		t.Errorf("ByPhone after status change (-want +got):\n%s", d)
	}
	if got := x.PhoneOverlaps("+9251234550", "", 9); got != nil {
		t.Errorf("revoked licence still holds: %v", nums(got))
	}
	if d := cmp.Diff([]Licence{s}, x.ByIP(addr("198.51.100.9"))); d != "" {
		t.Errorf("ByIP (-want +got):\n%s", d)
	}
}

func TestRemove(t *testing.T) {
	x := testIndex(t, true)
	x.Remove(lA.Number)
	x.Remove("no-such-licence")
	if _, ok := x.ByNumber(lA.Number); ok {
		t.Error("removed licence found by number")
	}
	for _, q := range []string{"+923001234567", "+924235760000"} {
		if got := x.ByPhone(q); got != nil {
			t.Errorf("ByPhone(%s) = %v", q, nums(got))
		}
	}
	if d := cmp.Diff([]string{lB.Number}, nums(x.ByPhone("+924235761234"))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := x.ByDomain("induscontact.com.pk"); got != nil {
		t.Errorf("ByDomain = %v", nums(got))
	}
	if got := x.ByIP(addr("203.0.113.1")); got != nil {
		t.Errorf("ByIP = %v", nums(got))
	}
	if d := cmp.Diff([]string{lB.Number}, nums(x.SearchName("indus", 0))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := x.SearchName("holdings", 0); got != nil {
		t.Errorf("SearchName(holdings) = %v", nums(got))
	}
	if n := x.Stats().Licences; n != 5 {
		t.Errorf("licences = %d", n)
	}
	// The freed slot is reused by the next new licence without confusion.
	g := lic("CC-LHE-2025-000007", StatusActive, "Green Line", 7, 71)
	if err := x.Upsert(g, Resources{Phones: []string{"+924235760000"}}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Licence{g}, x.ByPhone("+924235760000")); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := x.ByPhone("+923001234567"); got != nil {
		t.Errorf("ByPhone = %v", nums(got))
	}
	if d := cmp.Diff([]string{lD.Number, lE.Number, lB.Number, g.Number, lC.Number, lF.Number}, nums(x.View().All())); d != "" {
		t.Errorf("All (-want +got):\n%s", d)
	}
}

func TestInvalidInput(t *testing.T) {
	tests := []struct {
		name string
		lic  Licence
		res  Resources
	}{
		{"empty number", Licence{}, Resources{}},
		{"phone", lA, Resources{Phones: []string{"03001234567"}}},
		{"phone letters", lA, Resources{Phones: []string{"+92300ABC4567"}}},
		{"range lengths", lA, Resources{Ranges: []PhoneRange{{"+9242357600", "+924235769999"}}}},
		{"range order", lA, Resources{Ranges: []PhoneRange{{"+924235769999", "+924235760000"}}}},
		{"range start", lA, Resources{Ranges: []PhoneRange{{"", "+924235760000"}}}},
		{"domain upper", lA, Resources{Domains: []string{"Example.pk"}}},
		{"domain single label", lA, Resources{Domains: []string{"localhost"}}},
		{"domain empty label", lA, Resources{Domains: []string{"a..pk"}}},
		{"domain hyphen", lA, Resources{Domains: []string{"-a.pk"}}},
		{"prefix", lA, Resources{Prefixes: []netip.Prefix{{}}}},
	}
	x := testIndex(t, false)
	v := x.View()
	for _, tc := range tests {
		err := x.Upsert(tc.lic, tc.res)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if x.View() != v {
			t.Errorf("%s: index changed", tc.name)
		}
	}
	if err := x.Replace([]Record{{Licence: lA}, {Licence: lA}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate Replace: err = %v", err)
	}
	if x.View() != v {
		t.Error("index changed by failed Replace")
	}
}

func TestPrefixNormalisation(t *testing.T) {
	x := New()
	l := lic("X-1", StatusActive, "X", 1, 1)
	err := x.Upsert(l, Resources{Prefixes: []netip.Prefix{
		netip.PrefixFrom(addr("10.1.2.3"), 16),           // host bits set
		netip.PrefixFrom(addr("::ffff:172.16.0.0"), 108), // v4-mapped /12
		prefix("10.1.0.0/16"),                            // duplicate once masked
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"10.1.255.255", "172.31.0.1", "::ffff:172.16.9.9"} {
		if d := cmp.Diff([]string{"X-1"}, nums(x.ByIP(addr(a)))); d != "" {
			t.Errorf("ByIP(%s) (-want +got):\n%s", a, d)
		}
	}
	if n := x.Stats().Prefixes; n != 2 {
		t.Errorf("prefixes = %d, want 2", n)
	}
}

func TestZeroIndex(t *testing.T) {
	var x Index
	if x.ByPhone("+923001234567") != nil || x.ByDomain("a.pk") != nil || x.ByIP(addr("1.2.3.4")) != nil ||
		x.SearchName("a", 1) != nil || x.PhoneOverlaps("+1", "+9", 0) != nil {
		t.Error("empty index answered")
	}
	if _, ok := x.ByNumber("x"); ok {
		t.Error("empty index answered ByNumber")
	}
	x.Remove("x")
	if err := x.Replace(nil); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(Stats{Version: 1}, x.Stats()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Al-Noor (SMC-Pvt.) Ltd.", []string{"al", "noor", "smc", "pvt", "ltd"}},
		{"Jinnah's  Tech & Tech", []string{"jinnahs", "tech"}},
		{"ÇAĞRI Merkezi", []string{"çağri", "merkezi"}},
		{"کال سینٹر", []string{"کال", "سینٹر"}},
		{"", nil},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, tokens(tc.in)); d != "" {
			t.Errorf("tokens(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}
