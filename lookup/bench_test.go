package lookup

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmark registry: 100,000 licensed sites declaring 1,000,000
// telephone numbers and ranges (per site one range of 100 or 500 DID
// numbers, 7 landline numbers and 2 mobile numbers), one or two domains,
// an IPv4 /29 and for one site in five an IPv6 /48. Generated once per
// process, deterministically.
const (
	benchSites          = 100_000
	benchLandlines      = 7
	benchMobiles        = 2
	benchPhonesPerSite  = benchLandlines + benchMobiles + 1 // + one range
	benchQueriesPerKind = 1 << 15                           // distinct queries of each kind, so caches do not flatter
)

type city struct {
	code, name string
	area       string // trunk area code
	subDigits  int    // subscriber number length
	weight     int
}

var cities = []city{
	{"KHI", "Karachi", "21", 8, 32},
	{"LHE", "Lahore", "42", 8, 32},
	{"ISB", "Islamabad", "51", 7, 14},
	{"RWP", "Rawalpindi", "51", 7, 4},
	{"FSD", "Faisalabad", "41", 7, 4},
	{"MUX", "Multan", "61", 7, 4},
	{"PEW", "Peshawar", "91", 7, 3},
	{"QTA", "Quetta", "81", 7, 2},
	{"SKT", "Sialkot", "52", 7, 2},
	{"HYD", "Hyderabad", "22", 7, 2},
	{"GRW", "Gujranwala", "55", 7, 1},
}

var syllables = []string{"ka", "ra", "zi", "no", "ta", "mi", "sha", "ba", "lo", "ve", "ar", "in", "du", "sa", "fa", "qi", "ho", "ne", "ro", "ja", "pa", "ki", "wa", "ze"}
var nameWords = []string{"Tech", "Solutions", "Contact", "Centre", "Call", "Global", "Digital", "Soft", "Systems", "BPO", "Communications", "Connect", "Labs", "IT Services", "Software House", "Outsourcing"}

type benchData struct {
	idx     *Index
	records int
	heapMiB float64
	build   time.Duration
	stats   Stats

	exact, inRange, missPhone []string
	domains, subdomains       []string
	missDomains               []string
	ipv4, ipv6, missIP        []netip.Addr
	numbers                   []string
	names                     []string
	sample                    []Record // a few records, for update benchmarks
}

var (
	benchOnce sync.Once
	bench     *benchData
)

func mobile(counter int) string {
	// A bijection of the counter onto 0..5e8-1, so mobile numbers are
	// unique but spread over the +92300..+92349 operator prefixes.
	n := uint64(counter) * 7919 % 500_000_000
	return fmt.Sprintf("+923%09d", n)
}

// generate builds the registry records and the benchmark query lists.
func generate(d *benchData) []Record {
	r := rand.New(rand.NewPCG(2025, 42))
	total := 0
	for _, c := range cities {
		total += c.weight
	}
	blocks := map[string]int{} // per area code
	recs := make([]Record, 0, benchSites)
	biz := int64(0)
	var domain, brand, trade, kind string
	sitesLeft := 0
	seq := map[string]int{}
	for site := range benchSites {
		if sitesLeft == 0 {
			biz++
			sitesLeft = 1 + r.IntN(8)
			brand = ""
			for range 2 + r.IntN(2) {
				brand += syllables[r.IntN(len(syllables))]
			}
			brand = strings.ToUpper(brand[:1]) + brand[1:]
			trade = brand + " " + nameWords[r.IntN(len(nameWords))]
			if r.IntN(2) == 0 {
				trade += " " + nameWords[r.IntN(len(nameWords))]
			}
			kind = "call_centre"
			if r.IntN(5) < 2 {
				kind = "software_house"
			}
			domain = fmt.Sprintf("%s%d.com.pk", strings.ToLower(brand), biz)
			if r.IntN(3) == 0 {
				domain = fmt.Sprintf("%s%d.pk", strings.ToLower(brand), biz)
			}
		}
		sitesLeft--

		w := r.IntN(total)
		var c city
		for _, c = range cities {
			if w < c.weight {
				break
			}
			w -= c.weight
		}
		block := blocks[c.area]
		blocks[c.area]++
		// 8-digit areas: blocks of 1,000 from 20000000; 7-digit areas:
		// blocks of 400 from 2000000.
		base, size, rangeLen := 20_000_000+block*1000, 1000, 100+400*r.IntN(2)
		if c.subDigits == 7 {
			base, size, rangeLen = 2_000_000+block*400, 400, 100
		}
		num := func(sub int) string { return fmt.Sprintf("+92%s%0*d", c.area, c.subDigits, sub) }
		var res Resources
		res.Ranges = []PhoneRange{{num(base), num(base + rangeLen - 1)}}
		// Landlines: distinct numbers above the range in the block.
		step := (size - rangeLen) / benchLandlines
		for j := range benchLandlines {
			res.Phones = append(res.Phones, num(base+rangeLen+j*step+r.IntN(step)))
		}
		for j := range benchMobiles {
			res.Phones = append(res.Phones, mobile(site*benchMobiles+j))
		}
		res.Domains = []string{domain}
		if r.IntN(4) == 0 {
			res.Domains = append(res.Domains, fmt.Sprintf("site%d.%s", site, domain))
		}
		v4 := netip.AddrFrom4([4]byte{39, byte(32 + site>>13), byte(site >> 5), byte(site&31) << 3})
		res.Prefixes = []netip.Prefix{netip.PrefixFrom(v4, 29)}
		if site%5 == 0 {
			v6 := netip.AddrFrom16([16]byte{0x24, 0x00, 0xad, 0xc0, byte(site >> 8), byte(site)})
			res.Prefixes = append(res.Prefixes, netip.PrefixFrom(v6, 48))
		}
		res.BusinessName = brand + " (Private) Limited"

		year := 2023 + r.IntN(4)
		prefix := "CC"
		if kind == "software_house" {
			prefix = "SH"
		}
		key := fmt.Sprintf("%s-%s-%d", prefix, c.code, year)
		seq[key]++
		status := StatusActive
		switch s := r.IntN(100); {
		case s < 5:
			status = StatusProvisional
		case s < 8:
			status = StatusSuspended
		case s < 12:
			status = StatusExpired
		case s < 14:
			status = StatusRevoked
		case s < 15:
			status = StatusSurrendered
		}
		recs = append(recs, Record{
			Licence: Licence{
				Number:     fmt.Sprintf("%s-%06d", key, seq[key]),
				Status:     status,
				TradeName:  trade,
				Kind:       kind,
				City:       c.name,
				ValidUntil: time.Date(year+1, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC),
				BusinessID: biz,
				SiteID:     int64(site + 1),
			},
			Resources: res,
		})
	}

	// Query lists.
	for range benchQueriesPerKind {
		rec := recs[r.IntN(len(recs))]
		res := rec.Resources
		d.exact = append(d.exact, res.Phones[r.IntN(len(res.Phones))])
		k, _ := phoneKey(res.Ranges[0].Start)
		e, _ := phoneKey(res.Ranges[0].End)
		in := k + uint64(r.IntN(int(e-k+1)))
		d.inRange = append(d.inRange, fmt.Sprintf("+%d", in&(1<<phoneValueBits-1)))
		// Candidate misses among the declared ones: mobiles of the same
		// operators, landlines in the same blocks (benchIndex drops the
		// few that turn out to be declared).
		switch r.IntN(3) {
		case 0:
			d.missPhone = append(d.missPhone, fmt.Sprintf("+923%09d", r.IntN(500_000_000)))
		case 1:
			d.missPhone = append(d.missPhone, fmt.Sprintf("+9221%08d", 20_000_000+r.IntN(blocks["21"]*1000)))
		default:
			d.missPhone = append(d.missPhone, fmt.Sprintf("+9251%07d", 2_000_000+r.IntN(blocks["51"]*400)))
		}
		dom := res.Domains[r.IntN(len(res.Domains))]
		d.domains = append(d.domains, dom)
		d.subdomains = append(d.subdomains, "www.crm."+dom)
		d.missDomains = append(d.missDomains, fmt.Sprintf("www.unlicensed%d.com.pk", r.IntN(1e6)))
		p4 := res.Prefixes[0]
		d.ipv4 = append(d.ipv4, p4.Addr().Next())
		v6rec := recs[r.IntN(len(recs)/5)*5]
		d.ipv6 = append(d.ipv6, v6rec.Resources.Prefixes[1].Addr().Next())
		if r.IntN(2) == 0 {
			d.missIP = append(d.missIP, netip.AddrFrom4([4]byte{182, byte(r.IntN(256)), byte(r.IntN(256)), 1}))
		} else {
			d.missIP = append(d.missIP, netip.AddrFrom16([16]byte{0x2a, 0x01, byte(r.IntN(256)), 15: 1}))
		}
		d.numbers = append(d.numbers, rec.Licence.Number)
		words := strings.Fields(rec.Licence.TradeName)
		q := words[0]
		if r.IntN(2) == 0 {
			q = strings.ToLower(q[:max(3, len(q)-2)])
		} else if len(words) > 1 {
			q += " " + words[1]
		}
		d.names = append(d.names, q)
	}
	for i := range 64 {
		d.sample = append(d.sample, recs[i*(len(recs)/64)])
	}
	return recs
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchIndex returns the shared benchmark registry, building it on first
// use and measuring the heap it takes.
func benchIndex(tb testing.TB) *benchData {
	benchOnce.Do(func() {
		// Measure the index alone: the records it was built from (and
		// that build's query lists) are garbage once it is built, and
		// whatever strings the index shares with them count as its own.
		before := heapInUse()
		recs := generate(new(benchData))
		idx := New()
		start := time.Now()
		if err := idx.Replace(recs); err != nil {
			panic(err)
		}
		build := time.Since(start)
		n := len(recs)
		recs = nil //nolint:ineffassign // let the records go before measuring
		heap := float64(heapInUse()-before) / (1 << 20)

		d := &benchData{idx: idx, records: n, build: build, heapMiB: heap}
		generate(d) // the same data again, for its query lists
		misses := d.missPhone[:0]
		for _, q := range d.missPhone {
			if d.idx.ByPhone(q) == nil {
				misses = append(misses, q)
			}
		}
		d.missPhone = misses
		d.stats = d.idx.Stats()
		bench = d
	})
	if got := bench.stats.Phones + bench.stats.Ranges; got != benchSites*benchPhonesPerSite {
		tb.Fatalf("dataset has %d numbers and ranges, want %d", got, benchSites*benchPhonesPerSite)
	}
	return bench
}

func TestBenchDataset(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds the 100k-site, 1M-number registry; skipped with -short and -race")
	}
	d := benchIndex(t)
	v := d.idx.View()
	t.Logf("dataset: %+v", d.stats)
	t.Logf("index heap: %.1f MiB for %d licences; Replace took %v", d.heapMiB, d.records, d.build)
	t.Logf("%d of %d candidate phone misses are real misses", len(d.missPhone), benchQueriesPerKind)
	for i := range 200 {
		if len(v.ByPhone(d.exact[i])) == 0 || len(v.ByPhone(d.inRange[i])) == 0 {
			t.Fatalf("phone hit %d missed: %s %s", i, d.exact[i], d.inRange[i])
		}
		if v.ByPhone(d.missPhone[i]) != nil || v.ByDomain(d.missDomains[i]) != nil || v.ByIP(d.missIP[i]) != nil {
			t.Fatalf("miss %d hit", i)
		}
		if len(v.ByDomain(d.subdomains[i])) == 0 || len(v.ByIP(d.ipv4[i])) == 0 || len(v.ByIP(d.ipv6[i])) == 0 {
			t.Fatalf("hit %d missed", i)
		}
		if len(v.SearchName(d.names[i], 10)) == 0 {
			t.Fatalf("name %q found nothing", d.names[i])
		}
		for _, l := range v.ByPhone(d.exact[i]) {
			if o := v.PhoneOverlaps(d.exact[i], "", l.BusinessID+1); HoldsNumbers(l.Status) && len(o) != 1 {
				t.Fatalf("overlap for %s: %v", d.exact[i], nums(o))
			}
		}
	}
}

func benchPhones(b *testing.B, idx *Index, qs []string, hit bool) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if r := idx.ByPhone(qs[i%len(qs)]); (r != nil) != hit {
			b.Fatalf("ByPhone(%s) = %v", qs[i%len(qs)], r)
		}
	}
}

// BenchmarkByPhone looks up distinct random numbers (32,768 of each kind)
// in the 100,000-site, 1,000,000-number registry: declared numbers,
// numbers inside declared ranges, and undeclared numbers among them.
func BenchmarkByPhone(b *testing.B) {
	d := benchIndex(b)
	b.Run("exact", func(b *testing.B) { benchPhones(b, d.idx, d.exact, true) })
	b.Run("in-range", func(b *testing.B) { benchPhones(b, d.idx, d.inRange, true) })
	b.Run("miss", func(b *testing.B) { benchPhones(b, d.idx, d.missPhone, false) })
	b.Run("exact-append", func(b *testing.B) {
		// Reusing the result buffer: no allocation at all.
		b.ReportAllocs()
		var buf []Licence
		for i := 0; b.Loop(); i++ {
			buf = d.idx.View().AppendByPhone(buf[:0], d.exact[i%len(d.exact)])
		}
	})
}

func BenchmarkByDomain(b *testing.B) {
	d := benchIndex(b)
	for _, c := range []struct {
		name string
		qs   []string
	}{{"exact", d.domains}, {"subdomain", d.subdomains}, {"miss", d.missDomains}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				d.idx.ByDomain(c.qs[i%len(c.qs)])
			}
		})
	}
}

func BenchmarkByIP(b *testing.B) {
	d := benchIndex(b)
	for _, c := range []struct {
		name string
		qs   []netip.Addr
	}{{"v4", d.ipv4}, {"v6", d.ipv6}, {"miss", d.missIP}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				d.idx.ByIP(c.qs[i%len(c.qs)])
			}
		})
	}
}

func BenchmarkByNumber(b *testing.B) {
	d := benchIndex(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := d.idx.ByNumber(d.numbers[i%len(d.numbers)]); !ok {
			b.Fatal("miss")
		}
	}
}

func BenchmarkSearchName(b *testing.B) {
	d := benchIndex(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.idx.SearchName(d.names[i%len(d.names)], 10)
	}
}

func BenchmarkPhoneOverlaps(b *testing.B) {
	// The check run when a licensee declares a 1,000-number range.
	d := benchIndex(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := d.inRange[i%len(d.inRange)]
		k, _ := phoneKey(s)
		e := fmt.Sprintf("+%d", (k+999)&(1<<phoneValueBits-1))
		d.idx.PhoneOverlaps(s, e, 0)
	}
}

type query struct {
	kind  byte // p phone, d domain, i IP, n licence number, s name search
	value string
	addr  netip.Addr
}

// batch builds 1,000 mixed queries: 60% telephone numbers (a third each
// declared, inside a declared range, undeclared), 15% domains (a third
// declared, the rest subdomains of declared ones but for 1 in 15
// unknown), 15% IP addresses (3 in 5 IPv4, 1 in 5 IPv6, 1 in 5 unknown),
// 10% licence numbers; withSearch turns 20 of the licence-number lookups
// into name searches.
func batch(d *benchData, seed uint64, withSearch bool) []query {
	r := rand.New(rand.NewPCG(seed, 7))
	qs := make([]query, 0, 1000)
	numbers := 0
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	for i := range 1000 {
		switch m := i % 20; {
		case m < 4:
			qs = append(qs, query{kind: 'p', value: pick(d.exact)})
		case m < 8:
			qs = append(qs, query{kind: 'p', value: pick(d.inRange)})
		case m < 12:
			qs = append(qs, query{kind: 'p', value: pick(d.missPhone)})
		case m == 12:
			qs = append(qs, query{kind: 'd', value: pick(d.domains)})
		case m == 13:
			qs = append(qs, query{kind: 'd', value: pick(d.subdomains)})
		case m == 14:
			if r.IntN(5) == 0 {
				qs = append(qs, query{kind: 'd', value: pick(d.missDomains)})
			} else {
				qs = append(qs, query{kind: 'd', value: pick(d.subdomains)})
			}
		case m < 18:
			a := d.ipv4[r.IntN(len(d.ipv4))]
			switch r.IntN(5) {
			case 0:
				a = d.missIP[r.IntN(len(d.missIP))]
			case 1:
				a = d.ipv6[r.IntN(len(d.ipv6))]
			}
			qs = append(qs, query{kind: 'i', addr: a})
		default:
			if numbers++; withSearch && numbers%5 == 0 {
				qs = append(qs, query{kind: 's', value: pick(d.names)})
			} else {
				qs = append(qs, query{kind: 'n', value: pick(d.numbers)})
			}
		}
	}
	r.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	return qs
}

// BenchmarkBatch1000 answers a batch of 1,000 mixed queries from one View
// (as POST /api/v1/verify would), allocating each answer; ns/op is the
// whole batch.
func BenchmarkBatch1000(b *testing.B) {
	d := benchIndex(b)
	for _, withSearch := range []bool{false, true} {
		name := "lookups"
		if withSearch {
			name = "with-20-name-searches"
		}
		b.Run(name, func(b *testing.B) {
			batches := [][]query{batch(d, 1, withSearch), batch(d, 2, withSearch), batch(d, 3, withSearch), batch(d, 4, withSearch)}
			results := make([][]Licence, 1000)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				v := d.idx.View()
				for j, q := range batches[i%len(batches)] {
					switch q.kind {
					case 'p':
						results[j] = v.ByPhone(q.value)
					case 'd':
						results[j] = v.ByDomain(q.value)
					case 'i':
						results[j] = v.ByIP(q.addr)
					case 'n':
						l, ok := v.ByNumber(q.value)
						if ok {
							results[j] = []Licence{l}
						}
					case 's':
						results[j] = v.SearchName(q.value, 10)
					}
				}
			}
		})
	}
}

// BenchmarkUpsert measures one change against the full registry. Every
// iteration publishes a new View.
func BenchmarkUpsert(b *testing.B) {
	d := benchIndex(b)
	// status-change: a licence is suspended or reinstated; its resources
	// stay, so only its entry is rewritten.
	b.Run("status-change", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec := d.sample[i%len(d.sample)]
			l := rec.Licence
			if i/len(d.sample)%2 == 0 {
				l.Status = StatusSuspended
			}
			if err := d.idx.Upsert(l, rec.Resources); err != nil {
				b.Fatal(err)
			}
		}
	})
	// move-numbers: a licence replaces all 10 of its numbers and ranges
	// (and domain and prefixes) with new ones, then back.
	b.Run("move-numbers", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec := d.sample[i%len(d.sample)]
			res := rec.Resources
			if i/len(d.sample)%2 == 0 {
				res = Resources{
					Ranges:       []PhoneRange{{fmt.Sprintf("+92219%07d", i%64*1000), fmt.Sprintf("+92219%07d", i%64*1000+99)}},
					Domains:      []string{fmt.Sprintf("moved%d.pk", i%64)},
					Prefixes:     []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{182, 1, byte(i % 64), 0}), 29)},
					BusinessName: res.BusinessName,
				}
				for j := range benchLandlines + benchMobiles {
					res.Phones = append(res.Phones, fmt.Sprintf("+92219%07d", i%64*1000+500+j))
				}
			}
			if err := d.idx.Upsert(rec.Licence, res); err != nil {
				b.Fatal(err)
			}
		}
	})
	// add-remove: a new licence with 10 numbers, 2 domains and 2 prefixes
	// is added and then removed (two changes per iteration).
	b.Run("add-remove", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			l := Licence{Number: fmt.Sprintf("CC-KHI-2026-9%05d", i%1000), Status: StatusActive,
				TradeName: "Benchmark Contact Centre", City: "Karachi", BusinessID: 1e9, SiteID: 1e9}
			res := Resources{
				Ranges:   []PhoneRange{{fmt.Sprintf("+92218%07d", i%1000*1000), fmt.Sprintf("+92218%07d", i%1000*1000+99)}},
				Domains:  []string{"newco.pk", "lhr.newco.pk"},
				Prefixes: []netip.Prefix{netip.MustParsePrefix("182.2.0.0/29"), netip.MustParsePrefix("2400:1::/48")},
			}
			for j := range 9 {
				res.Phones = append(res.Phones, fmt.Sprintf("+92218%07d", i%1000*1000+500+j))
			}
			if err := d.idx.Upsert(l, res); err != nil {
				b.Fatal(err)
			}
			d.idx.Remove(l.Number)
		}
	})
	// Leave the sample as generated.
	for _, rec := range d.sample {
		if err := d.idx.Upsert(rec.Licence, rec.Resources); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplace is the full rebuild on start: 100,000 licences and
// 1,000,000 numbers and ranges from records.
func BenchmarkReplace(b *testing.B) {
	d := benchIndex(b)
	recs := generate(new(benchData))
	b.ReportAllocs()
	for b.Loop() {
		if err := New().Replace(recs); err != nil {
			b.Fatal(err)
		}
	}
	// The heap the built index keeps (measured once, see benchIndex).
	b.ReportMetric(d.heapMiB, "index-MiB")
}

// BenchmarkRandomMemoryAccess is a yardstick, not a test of the package:
// one dependent read at a random place in 64 MiB, roughly one cache and
// TLB miss. Lookups in a 100 MiB index cost a few of these, so read the
// other figures against it, especially on a shared machine.
func BenchmarkRandomMemoryAccess(b *testing.B) {
	n := 16 << 20
	next := make([]uint32, n)
	perm := rand.New(rand.NewPCG(1, 2)).Perm(n)
	for i := range n {
		next[perm[i]] = uint32(perm[(i+1)%n])
	}
	j := uint32(0)
	for b.Loop() {
		j = next[j]
	}
	if j == 1<<31 {
		b.Log(j)
	}
}
