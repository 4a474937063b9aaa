package reappear

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSkeleton(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EasyLoan", "easyloan"},
		{"Easy Loan", "easyloan"},
		{"EASY-LOAN!", "easyloan"},
		{"Еаsy Lоаn", "easyloan"}, // Cyrillic е, а, о
		{"Εasy Lοan", "easyloan"}, // Greek Ε, ο
		{"3asy L0an", "easyloan"},
		{"Pa1saJa1d1", "palsajaldl"},
		{"PaisaJaldi", "palsajaldl"},
		{"Ｅａｓｙ Loan", "easyloan"}, // full width
		{"𝐄𝐚𝐬𝐲 Loan", "easyloan"}, // mathematical bold
		{"Ca$h Lo@n", "cashloan"},
		{"Arrnaan", "armaan"},
		{"vvin", "wln"},
		{"Café", "cafe"},
		{"Loan 24", "loan24"},
		{"Loan365", "loan365"},
		{"M0NEY TREE PK", "moneytreepk"},
		{"آسان پیسہ", "اسانپیسہ"},
		{"پيسه", "پیسہ"}, // Arabic yeh and heh read as Urdu's
		{"١٢٣", "123"},
		{"Easy\u200bLoan", "easyloan"}, // zero-width space
		{"", ""},
		{" - ", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Skeleton(tt.in)); diff != "" {
			t.Errorf("Skeleton(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestNameCore(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EasyLoan", "easyloan"},
		{"EasyLoan PK - Instant Cash Loan", "easyloan"},
		{"Easy Loan App", "easyloan"},
		{"EasyLoanApp", "easyloan"},
		{"Official Easy Loan 2", "easyloan"},
		{"Barwaqt: Personal Loans", "barwaqt"},
		{"App", "app"},        // nothing but filler: kept
		{"WhatsApp", "whats"}, // a trailing filler word goes even where it is part of the name
		{"", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, NameCore(tt.in)); diff != "" {
			t.Errorf("NameCore(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPackageStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"com.easyloan.app", "com.easyloan"},
		{"com.easyloan.app2", "com.easyloan"},
		{"com.easyloan.pk", "com.easyloan"},
		{"com.easy.loan.app", "com.easy.loan"},
		{"com.easyloan", "com.easyloan"},
		{"Com.EasyLoan.App", "com.easyloan"},
		{"com.easyloan.v2", "com.easyloan"},
		{"com.easyloan.release", "com.easyloan"},
		{"com.easyloan.loan", "com.easyloan.loan"},
		{"com.google.android.gm", "com.google.android.gm"},
		{"com.app", "com.app"},
		{"  com..easyloan.app ", "com.easyloan"},
		{"pk.com.telenor.phoenix", "pk.com.telenor.phoenix"},
		{"", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, PackageStem(tt.in)); diff != "" {
			t.Errorf("PackageStem(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name               string
		removed, candidate Listing
		want               Match
	}{
		{
			name:      "same package id",
			removed:   Listing{Ref: 1, PackageID: "com.zarbiloan.app"},
			candidate: Listing{PackageID: "com.zarbiloan.app", Name: "Rozana Qarz"},
			want:      Match{Ref: 1, Score: 0.95, Reasons: []Reason{{SignalPackage, "same package id com.zarbiloan.app", 0.95}}},
		},
		{
			name:      "generic stem with changed suffix and the same generic name",
			removed:   Listing{Ref: 2, PackageID: "com.easyloan.app", Name: "EasyLoan"},
			candidate: Listing{PackageID: "com.easyloan.app2", Name: "EasyLoan 2"},
			want: Match{Ref: 2, Score: 0.64, Reasons: []Reason{
				{SignalPackage, "package stem com.easyloan with changed suffix (com.easyloan.app, com.easyloan.app2)", 0.55},
				{SignalName, `name looks like "EasyLoan" (generic words only)`, 0.2},
			}},
		},
		{
			name:      "distinctive stem split by a dot",
			removed:   Listing{Ref: 3, PackageID: "com.qistwala.app"},
			candidate: Listing{PackageID: "com.qist.wala.pk"},
			want: Match{Ref: 3, Score: 0.75, Reasons: []Reason{
				{SignalPackage, "package com.qist.wala.pk has the stem of com.qistwala.app, split differently", 0.75},
			}},
		},
		{
			name:      "same developer email at gmail, one edit in a generic name",
			removed:   Listing{Ref: 4, Name: "EasyLoan", DeveloperEmail: "easy.loan.help@gmail.com"},
			candidate: Listing{Name: "EazyLoan", DeveloperEmail: "EasyLoanHelp+new@gmail.com"},
			want: Match{Ref: 4, Score: 0.91, Reasons: []Reason{
				{SignalEmail, "same developer email easy.loan.help@gmail.com", 0.9},
				{SignalName, `name looks like "EasyLoan" (1 edit)`, 0.1},
			}},
		},
		{
			name:      "gmail.com alone is no evidence",
			removed:   Listing{Ref: 5, DeveloperEmail: "rupeeking786@gmail.com"},
			candidate: Listing{DeveloperEmail: "ali.apps.dev@gmail.com"},
			want:      Match{Ref: 5},
		},
		{
			name:      "wallet on the number shown as a phone",
			removed:   Listing{Ref: 6, Contacts: []string{"wallet:easypaisa:+923451239876"}},
			candidate: Listing{Contacts: []string{"0345-1239876"}},
			want: Match{Ref: 6, Score: 0.75, Reasons: []Reason{
				{SignalContact, "easypaisa wallet +923451239876 is on the same number as phone number +923451239876", 0.75},
			}},
		},
		{
			name:      "a helpline both print is no evidence",
			removed:   Listing{Ref: 7, Contacts: []string{"051-111-124-444"}},
			candidate: Listing{Contacts: []string{"111-124-444"}},
			want:      Match{Ref: 7},
		},
		{
			name:      "same site on a hosting platform",
			removed:   Listing{Ref: 8, URL: "https://sunehriloan.blogspot.com/"},
			candidate: Listing{URL: "sunehriloan.blogspot.com/2025/03/apply.html"},
			want:      Match{Ref: 8, Score: 0.85, Reasons: []Reason{{SignalDomain, "same site sunehriloan.blogspot.com", 0.85}}},
		},
		{
			name:      "two sites on one hosting platform",
			removed:   Listing{Ref: 9, URL: "https://sunehriloan.blogspot.com/"},
			candidate: Listing{URL: "https://paisatips.blogspot.com/"},
			want:      Match{Ref: 9},
		},
		{
			name:      "distinctive label under another ending and the same name",
			removed:   Listing{Ref: 10, Name: "Sitara Invest", URL: "https://sitarainvest.pk/"},
			candidate: Listing{Name: "Sitara Invest Official", URL: "https://sitarainvest.online/register"},
			want: Match{Ref: 10, Score: 0.8, Reasons: []Reason{
				{SignalDomain, "domain sitarainvest.online is sitarainvest.pk under another ending", 0.6},
				{SignalName, `name looks like "Sitara Invest" (words added or removed)`, 0.5},
			}},
		},
		{
			name:      "look-alike letters in the name",
			removed:   Listing{Ref: 11, Name: "Emaan Invest"},
			candidate: Listing{Name: "Emааn Invеst"},
			want: Match{Ref: 11, Score: 0.55, Reasons: []Reason{
				{SignalName, `name looks like "Emaan Invest" (look-alike letters)`, 0.55},
			}},
		},
		{
			name:      "big publisher's namespace",
			removed:   Listing{Ref: 12, PackageID: "com.google.loan.pk", Name: "Google Loan"},
			candidate: Listing{PackageID: "com.google.android.apps.nbu.paisa.user", Name: "Google Pay"},
			want: Match{Ref: 12, Score: 0.35, Reasons: []Reason{
				{SignalName, `name has the distinctive part of "Google Loan"`, 0.35},
			}},
		},
		{
			name:      "a stem that goes beyond a big publisher's namespace",
			removed:   Listing{Ref: 19, PackageID: "com.google.loan.app"},
			candidate: Listing{PackageID: "com.google.loan.pk"},
			want: Match{Ref: 19, Score: 0.75, Reasons: []Reason{
				{SignalPackage, "package stem com.google.loan with changed suffix (com.google.loan.app, com.google.loan.pk)", 0.75},
			}},
		},
		{
			name:      "a big publisher's namespace alone",
			removed:   Listing{Ref: 20, PackageID: "com.google.android"},
			candidate: Listing{PackageID: "com.google.app"},
			want:      Match{Ref: 20},
		},
		{
			name:      "impostor under the bank's developer name",
			removed:   Listing{Ref: 13, Developer: "Meezan Bank Limited"},
			candidate: Listing{Developer: "Meezan Bank Limited", URL: "https://www.meezanbank.com"},
			want:      Match{Ref: 13},
		},
		{
			name:      "same distinctive developer, legal form written differently",
			removed:   Listing{Ref: 14, Developer: "Xiamen Yinuo Network Technology"},
			candidate: Listing{Developer: "XIAMEN YINUO NETWORK TECHNOLOGY CO., LTD."},
			want: Match{Ref: 14, Score: 0.65, Reasons: []Reason{
				{SignalDeveloper, `same developer "Xiamen Yinuo Network Technology"`, 0.65},
			}},
		},
		{
			name:      "a common personal name as developer",
			removed:   Listing{Ref: 15, Developer: "Muhammad Ali"},
			candidate: Listing{Developer: "Muhammad Ali"},
			want: Match{Ref: 15, Score: 0.2, Reasons: []Reason{
				{SignalDeveloper, `same developer name "Muhammad Ali", but a common one`, 0.2},
			}},
		},
		{
			name:      "one generic word",
			removed:   Listing{Ref: 16, Name: "Cash"},
			candidate: Listing{Name: "cash"},
			want:      Match{Ref: 16, Score: 0.05, Reasons: []Reason{{SignalName, `same name "Cash" (one generic word)`, 0.05}}},
		},
		{
			name:      "package from an APK mirror link",
			removed:   Listing{Ref: 17, PackageID: "com.zarbiloan.app"},
			candidate: Listing{URL: "https://apkpure.com/zarbi-loan/com.zarbiloan.app"},
			want:      Match{Ref: 17, Score: 0.95, Reasons: []Reason{{SignalPackage, "same package id com.zarbiloan.app", 0.95}}},
		},
		{
			name:      "typosquat with one edit, name and package alike too",
			removed:   Listing{Ref: 18, PackageID: "com.sitaraqarz.app", Name: "Sitara Qarz", URL: "https://sitaraqarz.pk"},
			candidate: Listing{PackageID: "com.sitaaraqarz.app", Name: "Sitaara Qarz", URL: "https://sitaaraqarz.pk"},
			want: Match{Ref: 18, Score: 0.65, Reasons: []Reason{
				{SignalDomain, "domain sitaaraqarz.pk looks like sitaraqarz.pk (1 edit)", 0.45},
				{SignalName, `name looks like "Sitara Qarz" (1 edit)`, 0.4},
				{SignalPackage, "package com.sitaaraqarz.app looks like com.sitaraqarz.app (1 edit)", 0.4},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(tt.removed, tt.candidate)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compare (-want +got):\n%s", diff)
			}
			if back := Compare(tt.candidate, tt.removed); back.Score != got.Score {
				t.Errorf("Compare both ways round: %v and %v", got.Score, back.Score)
			}
		})
	}
}

// TestCompareSymmetric checks the claim that the score does not depend on
// which listing is the removed one, over the whole corpus.
func TestCompareSymmetric(t *testing.T) {
	for _, p := range loadCorpus(t) {
		ab := Compare(p.Removed, p.Candidate).Score
		ba := Compare(p.Candidate, p.Removed).Score
		if ab != ba {
			t.Errorf("%s: %v one way, %v the other", p.ID, ab, ba)
		}
	}
}

func TestIndexAddRemove(t *testing.T) {
	ix := NewIndex()
	ix.Add(Listing{Ref: 1, PackageID: "com.zarbiloan.app", Name: "Zarbi Loan"})
	ix.Add(Listing{Ref: 2, Contacts: []string{"phone:+923001112233"}})
	ix.Add(Listing{Ref: 3, Name: "Cash Loan"})
	c := Listing{PackageID: "com.zarbiloan.app", Contacts: []string{"0300 1112233"}}
	refs := func(ms []Match) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.Ref)
		}
		return out
	}
	if diff := cmp.Diff([]int64{1, 2}, refs(ix.Find(c))); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}
	ix.Remove(1)
	ix.Remove(99) // not there: nothing happens
	if diff := cmp.Diff([]int64{2}, refs(ix.Find(c))); diff != "" {
		t.Errorf("Find after Remove(1) (-want +got):\n%s", diff)
	}
	// Adding under a Ref already there replaces that listing.
	ix.Add(Listing{Ref: 2, Name: "Something Else"})
	if got := ix.Find(c); len(got) != 0 {
		t.Errorf("Find after replacing 2: %v, want nothing", got)
	}
	if got := ix.Len(); got != 2 {
		t.Errorf("Len = %d, want 2", got)
	}
}

// TestIndexFindsWhatCompareFinds checks the index's blocking against
// comparing with every removed listing, on synthetic listings and their
// reappearances, across removals that make the index rebuild itself.
func TestIndexFindsWhatCompareFinds(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var removed []Listing
	ix := NewIndex()
	for i := range 1500 {
		l := synthListing(r, int64(i+1))
		removed = append(removed, l)
		ix.Add(l)
	}
	// Remove every third: enough to trigger a rebuild.
	var live []*features
	for i, l := range removed {
		if i%3 == 0 {
			ix.Remove(l.Ref)
		} else {
			live = append(live, extract(l))
		}
	}
	alerts := 0
	for i := range 300 {
		var c Listing
		if i%2 == 0 {
			c = synthReappearance(r, removed[r.IntN(len(removed))])
		} else {
			c = synthListing(r, 0)
		}
		var want []Match
		cf := extract(c)
		for _, l := range live {
			if m := compare(l, cf); m.Score >= Threshold {
				want = append(want, m)
			}
		}
		slices.SortFunc(want, func(x, y Match) int {
			if x.Score != y.Score {
				if x.Score > y.Score {
					return -1
				}
				return 1
			}
			return int(x.Ref - y.Ref)
		})
		got := ix.Find(c)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("candidate %d %+v: Find differs from Compare with every listing (-want +got):\n%s", i, c, diff)
		}
		alerts += len(got)
	}
	if alerts == 0 {
		t.Fatal("no candidate matched: the test checks nothing")
	}
}

func TestScoreRange(t *testing.T) {
	// Everything shared at once stays a probability.
	l := Listing{Ref: 1, PackageID: "com.zarbiloan.app", Name: "Zarbi Loan", Developer: "Zarbi Tech Labs",
		DeveloperEmail: "zarbi@zarbiloan.pk", Contacts: []string{"phone:+923001112233", "wallet:jazzcash:+923001112244"},
		URL: "https://zarbiloan.pk"}
	m := Compare(l, l)
	if m.Score > 1 || m.Score < 0.99 || math.IsNaN(m.Score) {
		t.Errorf("Compare of a listing with itself: score %v", m.Score)
	}
}

// TestIndexConcurrent runs Find beside Add and Remove; run with -race.
func TestIndexConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ix := NewIndex()
	var ls []Listing
	for i := range 300 {
		ls = append(ls, synthListing(r, int64(i+1)))
	}
	for _, l := range ls[:150] {
		ix.Add(l)
	}
	done := make(chan bool)
	go func() {
		for i, l := range ls[150:] {
			ix.Add(l)
			ix.Remove(ls[i].Ref)
		}
		close(done)
	}()
	for _, l := range ls {
		ix.Find(synthReappearance(rand.New(rand.NewPCG(uint64(l.Ref), 1)), l))
	}
	<-done
	if got := ix.Len(); got != 150 {
		t.Errorf("Len = %d, want 150", got)
	}
}

// TestWeakSignalsBelowThreshold guards what Index relies on: a signal that
// Index finds only by a weak route never reaches Threshold alone, so a
// listing found by one weak route alone need not be compared.
func TestWeakSignalsBelowThreshold(t *testing.T) {
	weak := map[string]float64{
		"wStemGeneric": wStemGeneric, "wStemOneWord": wStemOneWord, "wNamespace": wNamespace,
		"wPackageNear": wPackageNear, "wPackageNearGen": wPackageNearGen,
		"wDeveloperGen": wDeveloperGen, "wDeveloperNear": wDeveloperNear,
		"wDomainTLDGen": wDomainTLDGen, "wDomainCore": wDomainCore, "wDomainLookAlikes": wDomainLookAlikes,
		"wDomainCoreGen": wDomainCoreGen, "wDomainNear": wDomainNear, "wDomainNearGen": wDomainNearGen,
		"wName": wName, "wNameGeneric": wNameGeneric, "wNameOneWord": wNameOneWord, "wNameNear": wNameNear,
		"wNameNearGeneric": wNameNearGeneric, "wNameContains": wNameContains, "wNameLookAlikes": wNameLookAlikes,
	}
	for name, w := range weak {
		if w >= Threshold {
			t.Errorf("%s = %v reaches Threshold %v: Index must find it by a strong route", name, w, Threshold)
		}
	}
}
