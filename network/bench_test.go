package network

import (
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
