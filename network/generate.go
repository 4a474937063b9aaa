package network

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Generate makes a synthetic but realistically skewed data set of n
// complaints with about 3n links, deterministically from seed, for
// benchmarks and tests (here and in cmd/greyline-bench):
//   - 55% of complaints come from fraud rings whose sizes follow a
//     power law (most rings have a few complaints, some thousands); a
//     ring's victims share its pool of calling numbers (one per ~12
//     complaints), receiving accounts (one per ~25) and sites (one per
//     ~40), so rings become networks;
//   - everything else is fresh: most identifiers appear once;
//   - 8% of complaints also mention one of 40 very popular values, Zipf
//     distributed: bank helplines, URL shorteners, platform domains and
//     exchange hot wallets (listed on the warninglist), and payment
//     gateways and hosts that are not listed, which the over-link
//     threshold catches;
//   - victims: 5% unknown, 8% repeat complainants;
//   - losses: a quarter report none, the rest log-normal around Rs 30,000.
//
// Complaint and identifier ids are dense from 1, identifiers numbered in
// order of first mention (so the ones complaint k introduces come after
// those of earlier complaints); links are in complaint order.
func Generate(n int, seed uint64) ([]Complaint, []Identifier, []Link) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cs := make([]Complaint, 0, n)
	ids := make([]Identifier, 0, n*3/2+64)
	links := make([]Link, 0, n*3+n/8)
	buf := make([]byte, 0, 64)

	newID := func(typ string, listed bool) int64 {
		id := int64(len(ids) + 1)
		buf = append(buf[:0], typ...)
		buf = append(buf, ':')
		start := len(buf)
		// Values shaped like the real thing, unique by id.
		x := uint64(id) * 2654435761 % 1_000_000_000 // a bijection below 10^9
		switch typ {
		case "phone":
			buf = append(buf, "+923"...)
			buf = appendDigits(buf, x, 9)
		case "wallet":
			buf = append(buf, "03"...)
			buf = appendDigits(buf, x, 9)
		case "iban":
			buf = append(buf, "PK36SCBL"...)
			buf = appendDigits(buf, x, 16)
		case "url":
			buf = append(buf, "https://"...)
			buf = strconv.AppendUint(buf, x, 36)
			buf = append(buf, ".example/pay"...)
		case "domain":
			buf = strconv.AppendUint(buf, x, 36)
			buf = append(buf, ".example"...)
		case "social":
			buf = append(buf, '@')
			buf = strconv.AppendUint(buf, x, 36)
		default:
			buf = strconv.AppendUint(buf, x, 10)
		}
		key := string(buf)
		ids = append(ids, Identifier{ID: id, Type: typ, Key: key, Value: key[start:], Listed: listed})
		return id
	}

	// Popular values first: listed ones, then unlisted ones the threshold
	// must catch.
	const nPopular = 40
	popularTypes := []struct {
		typ    string
		listed bool
		n      int
	}{
		{"phone", true, 12}, {"url", true, 6}, {"domain", true, 6}, {"crypto", true, 4},
		{"phone", false, 6}, {"domain", false, 3}, {"wallet", false, 3},
	}
	var popular, unlisted []int64
	for _, p := range popularTypes {
		for range p.n {
			if id := newID(p.typ, p.listed); p.listed {
				popular = append(popular, id)
			} else {
				unlisted = append(unlisted, id)
			}
		}
	}
	// The unlisted ones (gateways, hosts) are the most popular of all,
	// so that the threshold catches them from 100,000 complaints up.
	r.Shuffle(len(popular), func(a, b int) { popular[a], popular[b] = popular[b], popular[a] })
	popular = append(unlisted, popular...)

	// Rings, and which complaint belongs to which (-1: on its own).
	type ring struct {
		phones, accounts, sites []int64
		category                string
	}
	var rings []ring
	slots := make([]int32, n)
	ringed := n * 55 / 100
	at := 0
	for at < ringed {
		size := int(2.5 / math.Pow(1-r.Float64(), 0.95))
		size = max(2, min(size, 6000, ringed-at))
		if ringed-at-size == 1 {
			size++
		}
		k := int32(len(rings))
		rings = append(rings, ring{
			phones:   make([]int64, max(1, size/12)),
			accounts: make([]int64, max(1, size/25)),
			sites:    make([]int64, max(1, size/40)),
			category: categories[r.IntN(len(categories))],
		})
		for range size {
			slots[at] = k
			at++
		}
	}
	for ; at < n; at++ {
		slots[at] = -1
	}
	r.Shuffle(n, func(a, b int) { slots[a], slots[b] = slots[b], slots[a] })

	pool := func(p []int64, typ string) int64 {
		k := r.IntN(len(p))
		if p[k] == 0 {
			p[k] = newID(typ, false)
		}
		return p[k]
	}
	accountType := func() string {
		switch r.IntN(3) {
		case 0:
			return "iban"
		}
		return "wallet"
	}
	otherType := func() string {
		return []string{"url", "social", "email", "imei", "phone"}[r.IntN(5)]
	}
	start := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	span := 2 * 365 * 24 * time.Hour
	var victims []string
	for k := range n {
		id := int64(k + 1)
		c := Complaint{
			ID:         id,
			City:       pickCity(r),
			Category:   categories[r.IntN(len(categories))],
			ReceivedAt: start.Add(time.Duration(int64(span) / int64(n) * int64(k))).Add(time.Duration(r.IntN(3600)) * time.Second),
		}
		switch v := r.IntN(100); {
		case v < 5:
		case v < 13 && len(victims) > 0:
			c.Victim = victims[r.IntN(len(victims))]
		default:
			c.Victim = "v" + strconv.FormatUint(uint64(len(victims))*0x2545f491+0x7f4a7c15, 36)
			victims = append(victims, c.Victim)
		}
		if r.IntN(4) > 0 {
			rupees := math.Exp(r.NormFloat64()*1.4 + 10.3)
			c.LossPaisa = int64(min(rupees, 50_000_000)) * 100
		}
		link := func(i int64) { links = append(links, Link{id, i}) }
		if s := slots[k]; s >= 0 {
			g := &rings[s]
			if r.IntN(5) > 0 {
				c.Category = g.category
			}
			link(pool(g.phones, "phone"))
			if r.IntN(100) < 85 {
				link(pool(g.accounts, accountType()))
			}
			if r.IntN(100) < 45 {
				link(pool(g.sites, "url"))
			}
			if r.IntN(100) < 65 {
				link(newID(otherType(), false))
			}
		} else {
			link(newID("phone", false))
			if r.IntN(100) < 90 {
				link(newID(accountType(), false))
			}
			if r.IntN(100) < 75 {
				link(newID(otherType(), false))
			}
			if r.IntN(100) < 27 {
				link(newID(otherType(), false))
			}
		}
		if r.IntN(100) < 8 {
			u := r.Float64()
			link(popular[int(nPopular*u*u*u)])
		}
		cs = append(cs, c)
	}
	return cs, ids, links
}

var categories = []string{"investment", "lottery", "job", "loan app", "impersonation", "e-commerce", "romance", "sim swap"}

var cityWeights = []struct {
	name string
	w    int
}{
	{"Karachi", 24}, {"Lahore", 22}, {"Islamabad", 9}, {"Rawalpindi", 7}, {"Faisalabad", 7}, {"Multan", 5},
	{"Peshawar", 6}, {"Quetta", 3}, {"Hyderabad", 4}, {"Gujranwala", 4}, {"Sialkot", 3}, {"", 6},
}

func pickCity(r *rand.Rand) string {
	total := 0
	for _, c := range cityWeights {
		total += c.w
	}
	x := r.IntN(total)
	for _, c := range cityWeights {
		if x < c.w {
			return c.name
		}
		x -= c.w
	}
	return ""
}

// appendDigits appends x's last d decimal digits, zero-padded.
func appendDigits(b []byte, x uint64, d int) []byte {
	var tmp [20]byte
	for k := d - 1; k >= 0; k-- {
		tmp[k] = byte('0' + x%10)
		x /= 10
	}
	return append(b, tmp[:d]...)
}
