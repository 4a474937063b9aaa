package network

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The benchmark data: Generate(benchN + benchTail). Load takes the first
// benchN complaints; AddComplaint adds the tail one by one. Set
// GREYLINE_NETWORK_BENCH_N for another size; -short uses 100,000.
const benchTail = 50_000

type benchSet struct {
	cs    []Complaint
	ids   []Identifier
	links []Link
	tail  []addArgs
}

type addArgs struct {
	c     Complaint
	ids   []Identifier
	links []Link
}

var (
	benchOnce sync.Once
	bench     *benchSet
)

func benchN() int {
	if s := os.Getenv("GREYLINE_NETWORK_BENCH_N"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	if testing.Short() {
		return 100_000
	}
	return 1_000_000
}

func benchData(b *testing.B) *benchSet {
	benchOnce.Do(func() {
		n := benchN()
		start := time.Now()
		cs, ids, links := Generate(n+benchTail, 1)
		s := &benchSet{cs: cs[:n]}
		cut, _ := slices.BinarySearchFunc(links, int64(n+1), func(l Link, c int64) int { return int(l.Complaint - c) })
		s.links = links[:cut]
		known := int64(0)
		for _, l := range s.links {
			known = max(known, l.Identifier)
		}
		s.ids = ids[:known]
		rest := links[cut:]
		for _, c := range cs[n:] {
			a := addArgs{c: c}
			for len(rest) > 0 && rest[0].Complaint == c.ID {
				a.links = append(a.links, rest[0])
				if i := rest[0].Identifier; i > known {
					a.ids = append(a.ids, ids[known:i]...)
					known = i
				}
				rest = rest[1:]
			}
			s.tail = append(s.tail, a)
		}
		bench = s
		b.Logf("generated %d complaints, %d identifiers, %d links in %v", len(s.cs), len(s.ids), len(s.links), time.Since(start))
	})
	return bench
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkLoad is the full rebuild: 1,000,000 complaints and about
// 3,000,000 links. It reports the engine's own heap (the inputs, which
// the caller owns, excluded; the strings it keeps are shared with them).
func BenchmarkLoad(b *testing.B) {
	d := benchData(b)
	base := heapInUse()
	b.ReportAllocs()
	b.ResetTimer()
	var e *Engine
	for range b.N {
		e = New(DefaultConfig())
		if err := e.Load(d.cs, d.ids, d.links, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(heapInUse()-base)/(1<<20), "heap-MB")
	s := e.Stats()
	b.ReportMetric(float64(s.Networks), "networks")
	b.ReportMetric(float64(s.Largest), "largest")
	b.ReportMetric(float64(s.Held), "held")
	runtime.KeepAlive(e)
}

// BenchmarkAddComplaint adds one complaint with its links to the loaded
// engine, networks and tiers updated; it reports the latency percentiles.
func BenchmarkAddComplaint(b *testing.B) {
	d := benchData(b)
	load := func() *Engine {
		e := New(DefaultConfig())
		if err := e.Load(d.cs, d.ids, d.links, nil); err != nil {
			b.Fatal(err)
		}
		return e
	}
	e := load()
	lat := make([]time.Duration, 0, b.N)
	next := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if next == len(d.tail) {
			b.StopTimer()
			e, next = load(), 0
			b.StartTimer()
		}
		a := &d.tail[next]
		next++
		t0 := time.Now()
		if _, err := e.AddComplaint(a.c, a.ids, a.links); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
	b.ReportMetric(pct(1), "max-ns")
}

// BenchmarkAssess is one partner lookup: tier, reasons and counts.
func BenchmarkAssess(b *testing.B) {
	d := benchData(b)
	e := New(DefaultConfig())
	if err := e.Load(d.cs, d.ids, d.links, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for k := range b.N {
		e.Assess(int64(1 + k*7919%len(d.ids)))
	}
}

// BenchmarkNetworks ranks all networks and returns the first page.
func BenchmarkNetworks(b *testing.B) {
	d := benchData(b)
	e := New(DefaultConfig())
	if err := e.Load(d.cs, d.ids, d.links, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.Networks(Filter{Limit: 50})
	}
}

// largestNetworks returns the loaded engine's networks of at least min
// complaints, largest first, each with the identifiers that link in it.
func largestNetworks(e *Engine, minSize int) [][]int32 {
	g := e.g
	var ks []int32
	for k := range g.comps {
		if len(g.comps[k].members) >= minSize {
			ks = append(ks, int32(k))
		}
	}
	slices.SortFunc(ks, func(a, b int32) int { return len(g.comps[b].members) - len(g.comps[a].members) })
	var out [][]int32
	for _, k := range ks {
		var idents []int32
		seen := map[int32]bool{}
		for _, m := range g.comps[k].members {
			for _, i := range g.cs[m].idents {
				if g.ids[i].state == StateLinking && len(g.ids[i].complaints) >= 2 && !seen[i] {
					seen[i] = true
					idents = append(idents, i)
				}
			}
		}
		slices.Sort(idents)
		out = append(out, idents)
	}
	return out
}

// benchJoin adds b.N new complaints to the loaded engine, each with a new
// phone and the values pick gives it, and reports the latency percentiles.
func benchJoin(b *testing.B, pick func(e *Engine, k int) []int32) {
	d := benchData(b)
	e := New(DefaultConfig())
	if err := e.Load(d.cs, d.ids, d.links, nil); err != nil {
		b.Fatal(err)
	}
	nextC := int64(len(d.cs) + 1)
	nextI := int64(len(d.ids) + 1)
	b.Logf("largest network before: %d complaints", e.Stats().Largest)
	lat := make([]time.Duration, 0, b.N)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for k := range b.N {
		b.StopTimer()
		known := pick(e, k)
		c := Complaint{ID: nextC, Victim: "join" + strconv.Itoa(k), LossPaisa: 2_500_000, City: "Lahore", Category: "investment", ReceivedAt: time.Unix(1_750_000_000+int64(k), 0)}
		fresh := Identifier{ID: nextI, Type: "phone", Key: "phone:join" + strconv.Itoa(k), Value: "join" + strconv.Itoa(k)}
		links := []Link{{nextC, nextI}}
		for _, i := range known {
			links = append(links, Link{nextC, int64(i)})
		}
		nextC++
		nextI++
		b.StartTimer()
		t0 := time.Now()
		if _, err := e.AddComplaint(c, []Identifier{fresh}, links); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
	b.ReportMetric(pct(1), "max-ns")
	b.ReportMetric(float64(e.Stats().Largest), "largest")
}

// BenchmarkAddComplaintJoinLarge: another victim of the largest ring
// (6,000 complaints with the default data) files a complaint naming one
// of its values, going round them, and a new phone. The network grows by
// one: the update must cost the new complaint's links, not the network.
func BenchmarkAddComplaintJoinLarge(b *testing.B) {
	var ring []int32
	benchJoin(b, func(e *Engine, k int) []int32 {
		if ring == nil {
			ring = largestNetworks(e, 2)[0]
		}
		// Round the values of the ring, skipping any near the over-link
		// threshold: a value becoming held splits the network, which is
		// another (rare) case.
		for n := 0; ; n++ {
			i := ring[(k+n)%len(ring)]
			if len(e.g.ids[i].complaints) < 90 {
				return []int32{i}
			}
		}
	})
}

// BenchmarkAddComplaintBridge: each complaint names values of two of the
// large networks (1,000 complaints or more) at random, as one victim of
// two unrelated rings would, so that they soon all merge into one. Merging
// two networks costs the smaller one.
func BenchmarkAddComplaintBridge(b *testing.B) {
	var nets [][]int32
	r := rand.New(rand.NewPCG(1, 2))
	benchJoin(b, func(e *Engine, k int) []int32 {
		if nets == nil {
			nets = largestNetworks(e, 1000)
		}
		x, y := nets[r.IntN(len(nets))], nets[r.IntN(len(nets))]
		a, b := x[r.IntN(len(x))], y[r.IntN(len(y))]
		if a == b {
			return []int32{a}
		}
		return []int32{a, b}
	})
}
