package reappear

import (
	"math"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCompare checks that any two listings compare without panicking, to a
// score in [0, 1] that is the same both ways round, and that an Index
// holding one finds it from the other exactly when Compare alerts.
func FuzzCompare(f *testing.F) {
	f.Add("EasyLoan", "com.easyloan.app", "EL Apps", "easy.loan@gmail.com", "0300-1234567", "https://easyloan.pk",
		"Easy Loan PK", "com.easyloan.pk", "Easy Loan Official", "easyloan@gmail.com", "phone:+923001234567", "easyloan.online")
	f.Add("Еаsy Lоаn", "com.easy.loan", "", "", "wallet:jazzcash:+923001234567", "https://xn--asy-loan-1rf.pk",
		"Easy Loan", "", "", "", "JazzCash 0300 1234567", "sunehriloan.blogspot.com")
	f.Add("", "", "", "", "", "", "", "", "", "", "", "")
	f.Add("Meezan Bank Loan Offer", "com.meezanbank.loanoffer", "Meezan Bank Limited", "x@cyber.net.pk", "051-111-124-444", "",
		"Meezan Bank", "invo8.meezan.mb", "Meezan Bank Limited", "y@cyber.net.pk", "+92-333-5577991 (WhatsApp only)", "https://www.meezanbank.com")
	for _, p := range loadCorpus(f)[:20] {
		a, b := p.Removed, p.Candidate
		f.Add(a.Name, a.PackageID, a.Developer, a.DeveloperEmail, first(a.Contacts), a.URL,
			b.Name, b.PackageID, b.Developer, b.DeveloperEmail, first(b.Contacts), b.URL)
	}
	f.Fuzz(func(t *testing.T, name1, pkg1, dev1, mail1, contact1, url1, name2, pkg2, dev2, mail2, contact2, url2 string) {
		a := Listing{Ref: 1, Kind: App, Name: name1, PackageID: pkg1, Developer: dev1, DeveloperEmail: mail1, Contacts: []string{contact1}, URL: url1}
		b := Listing{Kind: Site, Name: name2, PackageID: pkg2, Developer: dev2, DeveloperEmail: mail2, Contacts: []string{contact2}, URL: url2, Domain: url1}
		m := Compare(a, b)
		if math.IsNaN(m.Score) || m.Score < 0 || m.Score > 1 {
			t.Fatalf("score %v out of [0, 1]", m.Score)
		}
		if m.Ref != 1 {
			t.Fatalf("Ref %d, want 1", m.Ref)
		}
		for _, r := range m.Reasons {
			if r.Weight <= 0 || r.Weight > 1 || r.Text == "" || r.Signal == "" {
				t.Fatalf("bad reason %+v", r)
			}
		}
		if m.Score > 0 && len(m.Reasons) == 0 {
			t.Fatalf("score %v without a reason", m.Score)
		}
		if back := Compare(b, a); back.Score != m.Score {
			t.Fatalf("score %v one way, %v the other", m.Score, back.Score)
		}
		ix := NewIndex()
		ix.Add(a)
		found := ix.Find(b)
		if alert := m.Score >= Threshold; alert != (len(found) == 1) {
			t.Fatalf("Compare scores %v, Index.Find returns %v", m.Score, found)
		}
		if len(found) == 1 && found[0].Score != m.Score {
			t.Fatalf("Compare scores %v, Index.Find %v", m.Score, found[0].Score)
		}
	})
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// FuzzSkeleton checks that Skeleton gives lower-case letters and digits
// only, and that PackageStem is stable.
func FuzzSkeleton(f *testing.F) {
	for _, s := range []string{"EasyLoan", "Еаsy Lоаn", "Pa1saJa1d1", "𝐄𝐚𝐬𝐲", "آسان پیسہ", "rnrn", "com.easyloan.app2", "a..b", "\xff\xfe", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Skeleton(s)
		if !utf8.ValidString(k) {
			t.Fatalf("Skeleton(%q) = %q is not UTF-8", s, k)
		}
		for _, r := range k {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r)) || unicode.ToLower(r) != r {
				t.Fatalf("Skeleton(%q) = %q has %q", s, k, r)
			}
		}
		if Skeleton(s) != k {
			t.Fatalf("Skeleton(%q) is not deterministic", s)
		}
		if utf8.ValidString(s) && len(s) < 256 {
			if st := PackageStem(s); PackageStem(st) != st {
				t.Fatalf("PackageStem(%q) = %q, but PackageStem of that is %q", s, st, PackageStem(st))
			}
		}
	})
}
