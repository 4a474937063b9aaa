package identifier

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestFastPhoneAgreesWithPhonenumbers checks the hand-written fast path
// against phonenumbers both ways: whatever the fast path accepts,
// phonenumbers accepts with the same value and kind; and every Pakistani
// mobile or landline number that phonenumbers accepts, written in a form
// the fast path claims, is taken by the fast path (so the benchmark measures
// the path real numbers take).
func TestFastPhoneAgreesWithPhonenumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var nats []string
	// Every three-digit prefix and every length from 8 to 11, with the
	// fourth digits on either side of the [2-9] boundary the landline rules
	// test.
	for p := 100; p <= 999; p++ {
		for n := 8; n <= 11; n++ {
			for _, d4 := range []int{0, 1, 2, 5, 9} {
				nats = append(nats, itoa(p)+itoa(d4)+randDigits(rng, n-4))
			}
		}
	}
	// And random numbers in the mobile range.
	for range 20000 {
		nats = append(nats, "3"+randDigits(rng, 9))
	}
	if testing.Short() {
		nats = nats[:len(nats)/10]
	}
	checked, fast := 0, 0
	for _, nat := range nats {
		all := phoneSpellings(rng, nat)
		spellings := []string{all[0]}
		for range 3 {
			spellings = append(spellings, all[1+rng.IntN(len(all)-1)])
		}
		for _, s := range spellings {
			checked++
			f, ok := fastPhone(s, false)
			slow := slowPhone(s, false)
			if ok {
				fast++
				if !slow.Valid || slow.Value != f.Value || slow.Kind != f.Kind || slow.Region != f.Region {
					t.Fatalf("%q: fast path gives %s (%s), phonenumbers gives %s (%s) valid=%v %s",
						s, f.Value, f.Kind, slow.Value, slow.Kind, slow.Valid, slow.Reason)
				}
				continue
			}
			// Only spellings that phonenumbers reads as the number we
			// wrote: "92"+"22006675" is read as the ten-digit national
			// number 9222006675, a form the fast path leaves alone.
			if slow.Valid && slow.Value == "+92"+nat && (slow.Kind == "mobile" || slow.Kind == "landline") {
				t.Fatalf("%q: phonenumbers accepts it as a %s number %s but the fast path does not", s, slow.Kind, slow.Value)
			}
		}
	}
	t.Logf("%d spellings checked, %d taken by the fast path", checked, fast)
}

func randDigits(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

// phoneSpellings writes a national number the ways complainants do.
func phoneSpellings(rng *rand.Rand, nat string) []string {
	split := func(s string) string {
		if len(s) < 6 {
			return s
		}
		k := 2 + rng.IntN(3)
		seps := []string{" ", "-", " - ", ") ", "."}
		sep := seps[rng.IntN(len(seps))]
		if sep == ") " {
			return "(" + s[:k] + ") " + s[k:]
		}
		return s[:k] + sep + s[k:]
	}
	out := []string{
		"0" + nat,
		"+92" + nat,
		"+92 " + split(nat),
		"0092" + nat,
		"+92 0" + nat,
		"+92(0)" + split(nat),
		"00920" + nat,
		"92" + nat,
		"0" + split(nat),
		toUrdu("0" + nat),
	}
	if len(nat) == 10 && nat[0] == '3' {
		out = append(out, nat)
	}
	return out
}

func toUrdu(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune('۰' + r - '0')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestForeignPhoneAgreesWithPhonenumbers checks the shortcut for numbers
// written with a foreign country code against phonenumbers.Parse, on the
// example numbers of every region and type and variations of them.
func TestForeignPhoneAgreesWithPhonenumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	checked, taken := 0, 0
	for region := range phonenumbers.GetSupportedRegions() {
		for _, ty := range types {
			ex := phonenumbers.GetExampleNumberForType(region, ty)
			if ex == nil {
				continue
			}
			cc := itoa(int(ex.GetCountryCode()))
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			variants := []string{nsn}
			for range 20 {
				k := 1 + rng.IntN(min(4, len(nsn)))
				v := nsn[:len(nsn)-k] + randDigits(rng, k+rng.IntN(3)-1)
				variants = append(variants, v)
			}
			for _, v := range variants {
				for _, s := range []string{"+" + cc + v, "+" + cc + " " + v, "00" + cc + v} {
					checked++
					f, ok := fastPhone(s, false)
					slow := slowPhone(s, false)
					if !ok {
						continue
					}
					taken++
					if !slow.Valid || slow.Value != f.Value || slow.Kind != f.Kind || slow.Region != f.Region {
						t.Fatalf("%q (%s example): shortcut gives %s %s %s, phonenumbers gives %s %s %s valid=%v %s",
							s, region, f.Value, f.Kind, f.Region, slow.Value, slow.Kind, slow.Region, slow.Valid, slow.Reason)
					}
				}
			}
		}
	}
	t.Logf("%d spellings checked, %d taken by the shortcut", checked, taken)
}
