package warninglist

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

func mustParse(t *testing.T, text string) *List {
	t.Helper()
	l, err := Parse("test", strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return l
}

func TestParse(t *testing.T) {
	uan := Entry{Type: "phone", Key: "phone:uan:111124444", Value: "111-124-444", List: "test", Reason: "JazzCash helpline"}
	fb := Entry{Type: "domain", Key: "domain:facebook.com", Value: "facebook.com", List: "test", Reason: "Facebook"}
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{"typed bare UAN", "phone 111-124-444 # JazzCash helpline", []Entry{uan}},
		{"detected bare UAN", "111 124 444 # JazzCash helpline", []Entry{uan}},
		{"UAN with area code", "051-111-124-444 # JazzCash helpline", []Entry{uan}},
		{"UAN international", "+92 21 111 124 444 # JazzCash helpline", []Entry{uan}},
		{"tab after the type", "phone\t111-124-444\t# JazzCash helpline", []Entry{uan}},
		{"type alias", "mobile (042) 111-124-444 # JazzCash helpline", []Entry{uan}},
		{"toll free", "0800-55055 # PTA", []Entry{{Type: "phone", Key: "phone:+9280055055", Value: "+9280055055", List: "test", Reason: "PTA"}}},
		{"landline", "phone 051 9207059", []Entry{{Type: "phone", Key: "phone:+92519207059", Value: "+92519207059", List: "test"}}},
		{"bare host is a domain", "facebook.com # Facebook", []Entry{fb}},
		{"www dropped", "www.facebook.com # Facebook", []Entry{fb}},
		{"upper case", "domain FACEBOOK.COM # Facebook", []Entry{fb}},
		{"root URL is the domain", "https://www.facebook.com/ # Facebook", []Entry{fb}},
		{"typed root URL", "url http://facebook.com # Facebook", []Entry{fb}},
		{"specific URL stays exact", "url https://bit.ly/abc123 #  one campaign ", []Entry{{Type: "url", Key: "url:bit.ly/abc123", Value: "https://bit.ly/abc123", List: "test", Reason: "one campaign"}}},
		{"fragment is not a comment", "https://example.com/a#b # x", []Entry{{Type: "url", Key: "url:example.com/a", Value: "https://example.com/a#b", List: "test", Reason: "x"}}},
		{"crypto", "crypto 0x28C6c06298d514Db089934071355E5743bf21d60 # Binance 14", []Entry{{Type: "crypto", Key: "crypto:eth:0x28c6c06298d514db089934071355e5743bf21d60", Value: "0x28C6c06298d514Db089934071355E5743bf21d60", List: "test", Reason: "Binance 14"}}},
		{"app", "com.techlogix.mobilinkcustomer", []Entry{{Type: "app", Key: "app:com.techlogix.mobilinkcustomer", Value: "com.techlogix.mobilinkcustomer", List: "test"}}},
		{"wallet", "jazzcash 0300-1234567", []Entry{{Type: "wallet", Key: "wallet:jazzcash:+923001234567", Value: "jazzcash:+923001234567", List: "test"}}},
		{"email", "Support@JazzCash.com.pk", []Entry{{Type: "email", Key: "email:support@jazzcash.com.pk", Value: "support@jazzcash.com.pk", List: "test"}}},
		{"comments, blanks, BOM, CRLF", "\uFEFF# header\r\n\r\n   \r\n  # indented comment\r\nfacebook.com # Facebook\r\n", []Entry{fb}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in).Entries()
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, line, reason string
	}{
		{"not an identifier", "hello world", "line 1", "not a recognised identifier"},
		{"bad phone", "# c\n\nphone 12", "line 3", "phone number"},
		{"short code", "1799 # NCCIA", "line 1", "short codes never link"},
		{"typed short code", "phone 4444", "line 1", "short codes never link"},
		{"type without value", "domain", "line 1", "no value after the type"},
		{"type then comment", "phone   # JazzCash", "line 1", "no value after the type"},
		{"bad domain", "facebook.com\ndomain exa mple", "line 2", ""},
		{"public suffix", "blogspot.com", "line 1", "public suffix"},
		{"bad crypto", "crypto 0x28C6c06298d514Db089934071355E5743bf21d6", "line 1", ""},
		{"duplicate", "111-124-444\nbit.ly\n051-111-124-444", "line 3", "already listed on line 1"},
		{"duplicate via root URL", "facebook.com\nhttps://www.facebook.com/", "line 2", "already listed on line 1"},
		{"too long", "bit.ly\n" + strings.Repeat("a", maxLine+1), "line 2", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse("test", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %d entries, want an error", tt.in, l.Len())
			}
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Errorf("error %v is not EINVALID", err)
			}
			fields := greyline.ErrorFields(err)
			if len(fields) != 1 || fields[0].Field != tt.line {
				t.Fatalf("fields = %+v, want one for %q", fields, tt.line)
			}
			if !strings.Contains(fields[0].Reason, tt.reason) || fields[0].Reason == "" {
				t.Errorf("reason = %q, want it to contain %q", fields[0].Reason, tt.reason)
			}
		})
	}
}

// matchList is a small list covering every way of matching.
const matchList = `
phone 111-124-444 # JazzCash helpline
phone 0800-55055 # PTA
domain facebook.com # Facebook
https://www.bit.ly/ # Bitly
play.google.com # Google Play
gmail.com # Gmail
url https://tinyurl.com/listed-campaign # one listed page
crypto 0x28c6c06298d514db089934071355e5743bf21d60 # Binance 14
app com.techlogix.mobilinkcustomer # JazzCash app
`

func TestMatch(t *testing.T) {
	l := mustParse(t, matchList)
	tests := []struct {
		typ  identifier.Type // "" to use identifier.Detect
		raw  string
		want string // the entry's reason, "" for no match
	}{
		// A UAN is one helpline whatever the area code.
		{"", "051-111-124-444", "JazzCash helpline"},
		{"", "021 111 124 444", "JazzCash helpline"},
		{"", "+92 42 111-124-444", "JazzCash helpline"},
		{"phone", "(0992) 111 124 444", "JazzCash helpline"}, // Detect reads these 13 digits as a CNIC
		{"phone", "111-124-444", "JazzCash helpline"},        // invalid without an area code, never links, still labelled
		{"", "021-111-124-445", ""},
		{"", "0311-1124444", ""}, // a mobile that merely contains the digits
		{"", "0800-55055", "PTA"},
		{"", "+92 800 55055", "PTA"},
		{"", "0800-55056", ""},

		// Domains: the host, its sub-domains, and root URLs on them.
		{"domain", "facebook.com", "Facebook"},
		{"domain", "m.facebook.com", "Facebook"},
		{"domain", "WWW.Facebook.COM", "Facebook"},
		{"url", "facebook.com", "Facebook"},
		{"url", "https://www.facebook.com/", "Facebook"},
		{"url", "http://m.facebook.com", "Facebook"},
		{"url", "https://facebook.com/?", "Facebook"},
		{"url", "https://facebook.com/#top", "Facebook"},
		{"url", "https://facebook.com:443/", "Facebook"},
		// …but not a page on the site, nor a look-alike.
		{"url", "https://facebook.com/fake-invest-page", ""},
		{"url", "https://m.facebook.com/profile.php?id=1000", ""},
		{"url", "https://facebook.com/?ref=scam", ""},
		{"domain", "facebook.com.pk-login.xyz", ""},
		{"domain", "myfacebook.com", ""},
		{"email", "fraudster@facebook.com", ""},

		{"url", "bit.ly", "Bitly"},
		{"url", "https://bit.ly/", "Bitly"},
		{"domain", "bit.ly", "Bitly"},
		{"", "bit.ly/abc123", ""},
		{"url", "https://bit.ly/abc123", ""},

		// A listed sub-domain does not cover its parent.
		{"domain", "play.google.com", "Google Play"},
		{"url", "https://play.google.com", "Google Play"},
		{"domain", "google.com", ""},
		{"", "https://play.google.com/store/apps/details?id=com.fake.loans", ""},

		// An address at a listed mail domain is one person's.
		{"domain", "gmail.com", "Gmail"},
		{"", "fraudster@gmail.com", ""},

		// A listed specific URL matches exactly.
		{"url", "tinyurl.com/listed-campaign", "one listed page"},
		{"url", "https://tinyurl.com/other-campaign", ""},
		{"url", "https://tinyurl.com/", ""},

		{"", "0x28C6c06298d514Db089934071355E5743bf21d60", "Binance 14"},
		{"", "0x28c6c06298d514db089934071355e5743bf21d60", "Binance 14"},
		{"", "0x28C6c06298d514Db089934071355E5743bf21d61", ""},
		{"", "com.techlogix.mobilinkcustomer", "JazzCash app"},
		{"", "com.techlogix.mobilinkcustomer.fake", ""},

		// Things that are not identifiers match nothing.
		{"", "", ""},
		{"", "hello", ""},
	}
	for _, tt := range tests {
		id := identifier.Detect(tt.raw)
		if tt.typ != "" {
			id = identifier.Parse(tt.typ, tt.raw)
		}
		e, ok := l.Match(id)
		if ok != (tt.want != "") || e.Reason != tt.want {
			t.Errorf("Match(%s %q) = %q, %v; want %q (id %+v)", tt.typ, tt.raw, e.Reason, ok, tt.want, id)
		}
		// The same identifier as a rebuild reads it back from the store.
		if id.Type != "" && id.Key != "" {
			e, ok = l.MatchStored(id.Type, id.Key, id.Value)
			if ok != (tt.want != "") || e.Reason != tt.want {
				t.Errorf("MatchStored(%s %q %q) = %q, %v; want %q", id.Type, id.Key, id.Value, e.Reason, ok, tt.want)
			}
		}
	}
}

// TestMatchExtracted runs Match on what the linking engine sees: the
// identifiers Extract finds in a complaint's narrative.
func TestMatchExtracted(t *testing.T) {
	text := "I saw the ad on facebook.com and called the JazzCash helpline 051-111-124-444. " +
		"The agent sent bit.ly/abc123 and asked me to pay 0300-1234567 and " +
		"0x28C6c06298d514Db089934071355E5743bf21d60."
	got := map[string]bool{}
	for _, f := range identifier.Extract(text) {
		_, ok := Default().Match(f.ID)
		got[f.Raw] = ok
	}
	want := map[string]bool{
		"facebook.com":    true,
		"051-111-124-444": true,
		"bit.ly/abc123":   false,
		"0300-1234567":    false,
		"0x28C6c06298d514Db089934071355E5743bf21d60": true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matched (-want +got):\n%s", diff)
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	if d != Default() {
		t.Error("Default parses the lists more than once")
	}
	files, err := fs.Glob(shipped, "lists/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{BankHelplines, ExchangeWallets, GovernmentHelplines, PaymentGateways, PlatformDomains, URLShorteners}
	var gotNames []string
	owner := map[string]string{} // key → list, to catch one value in two lists
	total := 0
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "lists/"), ".txt")
		gotNames = append(gotNames, name)
		b, err := fs.ReadFile(shipped, f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := Parse(name, strings.NewReader(string(b)))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if l.Len() == 0 {
			t.Errorf("%s is empty", f)
		}
		total += l.Len()
		for _, e := range l.Entries() {
			if e.Reason == "" {
				t.Errorf("%s: %s has no reason", f, e.Value)
			}
			if prev, dup := owner[e.Key]; dup {
				t.Errorf("%s is on both %s and %s", e.Value, prev, name)
			}
			owner[e.Key] = name
		}
	}
	if diff := cmp.Diff(names, gotNames); diff != "" {
		t.Errorf("shipped lists (-want +got):\n%s", diff)
	}
	if d.Len() != total {
		t.Errorf("Default().Len() = %d, want %d", d.Len(), total)
	}

	for _, tt := range []struct {
		typ  identifier.Type
		raw  string
		list string
	}{
		{"phone", "051-111-124-444", BankHelplines},
		{"phone", "+92 21 111 111 425", BankHelplines},
		{"phone", "0800-55055", GovernmentHelplines},
		{"url", "https://www.facebook.com/", PlatformDomains},
		{"url", "wa.me", PlatformDomains},
		{"domain", "bit.ly", URLShorteners},
		{"url", "https://www.jazzcash.com.pk/", PaymentGateways},
		{"crypto", "0x28C6c06298d514Db089934071355E5743bf21d60", ExchangeWallets},
	} {
		e, ok := d.Match(identifier.Parse(tt.typ, tt.raw))
		if !ok || e.List != tt.list {
			t.Errorf("Default().Match(%s %q) = %+v, %v; want list %s", tt.typ, tt.raw, e, ok, tt.list)
		}
	}
	for _, raw := range []string{"https://facebook.com/fake-invest-page", "bit.ly/abc123", "https://wa.me/923001234567", "t.me/scam_channel"} {
		if e, ok := d.Match(identifier.Detect(raw)); ok {
			t.Errorf("Default().Match(%q) = %+v; a specific page must still link", raw, e)
		}
	}
}

func TestMerge(t *testing.T) {
	a, err := Parse("a", strings.NewReader("facebook.com # from a\n111-124-444 # helpline"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("b", strings.NewReader("www.facebook.com # from b\nbit.ly # shortener"))
	if err != nil {
		t.Fatal(err)
	}
	m := a.Merge(b)
	if m.Len() != 3 {
		t.Errorf("Len = %d, want 3", m.Len())
	}
	if e, _ := m.Match(identifier.Parse(identifier.Domain, "facebook.com")); e.List != "a" {
		t.Errorf("merged facebook.com from %q, want the receiver's", e.List)
	}
	if e, _ := b.Merge(a).Match(identifier.Parse(identifier.Domain, "facebook.com")); e.List != "b" {
		t.Errorf("merged facebook.com from %q, want the receiver's", e.List)
	}
	if a.Len() != 2 || b.Len() != 2 {
		t.Error("Merge changed its inputs")
	}
	var nilList *List
	if nilList.Merge(a).Len() != 2 || a.Merge(nil).Len() != 2 || nilList.Len() != 0 {
		t.Error("Merge with nil")
	}
	if _, ok := nilList.Match(identifier.Detect("bit.ly")); ok {
		t.Error("nil list matched")
	}
}

func TestEntriesRoundTrip(t *testing.T) {
	d := Default()
	es := d.Entries()
	var b strings.Builder
	for i, e := range es {
		if i > 0 && cmpEntry(es[i-1], e) > 0 {
			t.Errorf("Entries not sorted at %d: %v after %v", i, e, es[i-1])
		}
		b.WriteString(e.String() + "\n")
	}
	again, err := Parse("x", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keys(d), keys(again)); diff != "" {
		t.Errorf("keys after a round trip (-want +got):\n%s", diff)
	}
}

func cmpEntry(a, b Entry) int {
	return strings.Compare(a.List+"\x00"+a.Type+"\x00"+a.Value, b.List+"\x00"+b.Type+"\x00"+b.Value)
}

func keys(l *List) []string {
	var ks []string
	for _, e := range l.Entries() {
		ks = append(ks, e.Key)
	}
	slices.Sort(ks)
	return ks
}
