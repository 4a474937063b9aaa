package identifier

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

type typedRaw struct {
	t   Type
	raw string
}

// benchMix is a realistic mix of identifiers as they arrive in complaint
// fields and imports: mostly Pakistani mobile numbers written every which
// way, then CNICs, wallets, IBANs, links and the rest, with a few foreign
// numbers that take the slow phonenumbers path.
func benchMix() []typedRaw {
	rng := rand.New(rand.NewPCG(3, 4))
	prefixes := []string{"300", "301", "303", "306", "311", "312", "315", "321", "322", "331", "333", "336", "340", "345", "347", "355", "364"}
	mobile := func() string { return prefixes[rng.IntN(len(prefixes))] + randDigits(rng, 7) }
	var mix []typedRaw
	add := func(n int, t Type, f func() string) {
		for range n {
			mix = append(mix, typedRaw{t, f()})
		}
	}
	add(10, Phone, func() string { n := mobile(); return "0" + n[:3] + "-" + n[3:] })
	add(8, Phone, func() string { return "0" + mobile() })
	add(6, Phone, func() string { n := mobile(); return "+92 " + n[:3] + " " + n[3:] })
	add(6, Phone, func() string { return "+92" + mobile() })
	add(3, Phone, func() string { return "0092" + mobile() })
	add(3, Phone, func() string { return "92" + mobile() })
	add(2, Phone, func() string { return toUrdu("0" + mobile()) })
	add(2, Phone, func() string { return "wa.me/92" + mobile() })
	add(3, Phone, func() string { return "042-3" + randDigits(rng, 7) })
	add(2, Phone, func() string {
		return []string{"+971 50 " + randDigits(rng, 7), "+44 7400 " + randDigits(rng, 6), "+966 55 " + randDigits(rng, 7)}[rng.IntN(3)]
	})
	add(10, CNIC, func() string {
		d := itoa(1+rng.IntN(7)) + randDigits(rng, 4) + "-" + randDigits(rng, 7) + "-" + randDigits(rng, 1)
		if rng.IntN(2) == 0 {
			return d[:5] + d[6:13] + d[14:]
		}
		return d
	})
	ibans := []string{"PK36SCBL0000001123456702", "PK24 MUCB 0646 6099 7100 0177", "PK30HABB7877893287921742", "pk12mezn1809679290810033", "PK91UNIL9075793834701746"}
	add(6, IBAN, func() string { return ibans[rng.IntN(len(ibans))] })
	add(4, BankAccount, func() string { return "HBL 1234-" + randDigits(rng, 10) })
	add(8, Wallet, func() string {
		return []string{"JazzCash 0", "Easypaisa 0", "jazzcash:+92", "SadaPay 0"}[rng.IntN(4)] + mobile()
	})
	add(6, URL, func() string {
		n := randDigits(rng, 5)
		return []string{"https://bit.ly/" + n, "www.jazzcash-reward" + n + ".pk/claim", "http://hbl-verify.com/login?u=" + n, "bisp-8171.online/r/" + n}[rng.IntN(4)]
	})
	add(2, Domain, func() string { return "scam" + randDigits(rng, 3) + "-offers.pk" })
	add(5, Email, func() string { return "Ali.Khan" + randDigits(rng, 3) + "@Gmail.com" })
	cryptos := []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x660fd7306b6b024a20ab7c1a740193bc9e5280d3",
		"TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
		"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
	}
	add(4, Crypto, func() string { return cryptos[rng.IntN(len(cryptos))] })
	add(3, Social, func() string {
		n := randDigits(rng, 4)
		return []string{"instagram.com/trader_" + n, "t.me/trader_" + n, "facebook.com/trader." + n}[rng.IntN(3)]
	})
	add(2, App, func() string { return "com.loan" + randDigits(rng, 3) + ".cash" })
	add(2, IMEI, func() string { return "356938035643809" })
	add(3, IP, func() string { return fmt.Sprintf("39.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)) })
	rng.Shuffle(len(mix), func(i, j int) { mix[i], mix[j] = mix[j], mix[i] })
	return mix
}

// BenchmarkParse measures parsing and normalising with the type known, as
// for form fields and imports. The target is 1,000,000 ids/s on one
// core: run with -cpu 1.
func BenchmarkParse(b *testing.B) {
	mix := benchMix()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := mix[i%len(mix)]
		if id := Parse(m.t, m.raw); !id.Valid {
			b.Fatalf("Parse(%s, %q): %s", m.t, m.raw, id.Reason)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// BenchmarkParseByType shows where the time goes.
func BenchmarkParseByType(b *testing.B) {
	mix := benchMix()
	byType := map[Type][]typedRaw{}
	for _, m := range mix {
		byType[m.t] = append(byType[m.t], m)
	}
	for _, t := range Types {
		ms := byType[t]
		if len(ms) == 0 {
			continue
		}
		b.Run(string(t), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m := ms[i%len(ms)]
				Parse(m.t, m.raw)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
		})
	}
}

// BenchmarkDetect is BenchmarkParse without the type.
func BenchmarkDetect(b *testing.B) {
	mix := benchMix()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Detect(mix[i%len(mix)].raw)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// BenchmarkExtract runs the extractor over the corpus messages.
func BenchmarkExtract(b *testing.B) {
	msgs := loadCorpus(b)
	total := 0
	for _, m := range msgs {
		total += len(m.Text)
	}
	b.SetBytes(int64(total / len(msgs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Extract(msgs[i%len(msgs)].Text)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
