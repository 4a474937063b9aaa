package reappear

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The synthetic listings below stand in for a takedown register of
// thousands of loan apps, investment sites and numbers in the benchmark
// and in the test that Index.Find finds what Compare would. Many names are
// made only of generic words, as real ones are, so that the index's
// postings for "loan" and "cash" are as long as they will be.

var synthGeneric = strings.Fields("cash loan easy quick rupee paisa money credit fast instant qarz smart gold invest profit pay wallet mini pro plus king star")
var synthSyllables = strings.Fields("zar qis meh kam ban dil noor sit ara raj mal baz wan dor tez sah ul fa ri ko ja ni ba sha ra mu")
var synthTLDs = strings.Fields("com pk com.pk online xyz net site io")

func synthWord(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(synthSyllables[r.IntN(len(synthSyllables))])
	}
	return b.String()
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// synthListing makes a removed listing: an app most of the time, else a
// site or a number.
func synthListing(r *rand.Rand, ref int64) Listing {
	var words []string
	if r.IntN(3) > 0 {
		words = append(words, synthWord(r))
	}
	for range 1 + r.IntN(2) {
		words = append(words, synthGeneric[r.IntN(len(synthGeneric))])
	}
	name := ""
	for _, w := range words {
		name += title(w) + " "
	}
	name = strings.TrimSpace(name)
	label := strings.Join(words, "")
	phone := fmt.Sprintf("phone:+923%02d%07d", r.IntN(50), r.IntN(10_000_000))
	l := Listing{Ref: ref, Name: name, Contacts: []string{phone}}
	switch k := r.IntN(10); {
	case k < 7:
		l.Kind = App
		l.PackageID = "com." + label + "." + []string{"app", "loan", "pk", "cash"}[r.IntN(4)]
		l.Developer = title(synthWord(r)) + " " + []string{"Tech", "Fintech", "Credit", "Apps"}[r.IntN(4)]
		l.DeveloperEmail = fmt.Sprintf("%s%d@gmail.com", label, r.IntN(1000))
		if r.IntN(2) == 0 {
			l.URL = "https://" + label + "." + synthTLDs[r.IntN(len(synthTLDs))] + "/privacy"
		}
	case k < 9:
		l.Kind = Site
		l.URL = "https://" + label + "." + synthTLDs[r.IntN(len(synthTLDs))]
	default:
		l.Kind = Number
	}
	return l
}

// synthReappearance changes a removed listing the ways operators do: a
// new package suffix, a respelt name, another ending for the domain,
// keeping one thing.
func synthReappearance(r *rand.Rand, l Listing) Listing {
	c := l
	c.Ref = 0
	c.Contacts = nil
	switch r.IntN(4) {
	case 0:
		c.Contacts = l.Contacts
	case 1:
		c.DeveloperEmail = ""
	case 2:
		c.Developer = ""
	}
	if c.PackageID != "" {
		c.PackageID = PackageStem(c.PackageID) + ".app2"
	}
	c.Name = strings.Replace(c.Name, "a", "aa", 1) + " PK"
	if c.URL != "" {
		c.URL = strings.Replace(c.URL, "https://", "https://get", 1)
	}
	return c
}
