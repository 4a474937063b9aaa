package server

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/greyline/greyline/lookup"
)

// The scale: 100,000 licensed sites declaring 1,000,000 numbers and
// ranges between them (9 numbers and 1 range of 100 each).
const (
	benchSites        = 100_000
	benchNumsPerSite  = 9
	benchRangePerSite = 1
)

var benchIndex struct {
	once    sync.Once
	idx     *lookup.Index
	queries []string // declared numbers, written as people write them
}

func benchRegistry(b *testing.B) (*lookup.Index, []string) {
	benchIndex.once.Do(func() {
		recs := make([]lookup.Record, benchSites)
		until := time.Now().AddDate(1, 0, 0)
		for i := range recs {
			var res lookup.Resources
			base := 300_0000000 + int64(i)*10 // mobile-like blocks, 10 numbers a site
			for n := 0; n < benchNumsPerSite; n++ {
				res.Phones = append(res.Phones, fmt.Sprintf("+92%d", base+int64(n)))
			}
			lo := 21_30000000 + int64(i)*100 // Karachi landline blocks of 100
			res.Ranges = append(res.Ranges, lookup.PhoneRange{Start: fmt.Sprintf("+92%d", lo), End: fmt.Sprintf("+92%d", lo+99)})
			recs[i] = lookup.Record{Licence: lookup.Licence{Number: fmt.Sprintf("CC-KHI-2026-%06d", i+1), Status: "active", TradeName: fmt.Sprintf("Site %d", i),
				Kind: "call_centre", City: "Karachi", ValidUntil: until, BusinessID: int64(i + 1), SiteID: int64(i + 1)}, Resources: res}
		}
		idx := lookup.New()
		if err := idx.Replace(recs); err != nil {
			panic(err)
		}
		var qs []string
		for i := 0; i < 4096; i++ {
			site := (i * 7919) % benchSites
			if i%2 == 0 {
				qs = append(qs, fmt.Sprintf("0%d", 300_0000000+int64(site)*10+int64(i%benchNumsPerSite))) // 03xx… as dialled
			} else {
				qs = append(qs, fmt.Sprintf("021-%d", 30000000+int64(site)*100+int64(i%100))) // inside a range
			}
		}
		benchIndex.idx, benchIndex.queries = idx, qs
	})
	st := benchIndex.idx.Stats()
	b.ReportMetric(float64(st.Licences), "sites")
	return benchIndex.idx, benchIndex.queries
}

// BenchmarkLookupDeclaredNumber answers one caller-ID check the way the API
// does: detect and normalise the number, then query the index.
func BenchmarkLookupDeclaredNumber(b *testing.B) {
	idx, qs := benchRegistry(b)
	v := idx.View()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := lookupOne(v, qs[i&4095]); !r.Licensed {
			b.Fatalf("%s not found", qs[i&4095])
		}
	}
}

// BenchmarkLookupBatch1000 answers a partner's batch of 1,000 numbers.
func BenchmarkLookupBatch1000(b *testing.B) {
	idx, qs := benchRegistry(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := idx.View()
		out := make([]Lookup, 1000)
		for j := range out {
			out[j] = lookupOne(v, qs[(i+j)&4095])
		}
		if !out[999].Licensed {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLookupIndexOnly is the index's part of a lookup, for comparison:
// the number already normalised to E.164.
func BenchmarkLookupIndexOnly(b *testing.B) {
	idx, qs := benchRegistry(b)
	e164 := make([]string, len(qs))
	for i, q := range qs {
		e164[i] = lookupOne(idx.View(), q).Value
	}
	v := idx.View()
	var buf []lookup.Licence
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if buf = v.AppendByPhone(buf[:0], e164[i&4095]); len(buf) == 0 {
			b.Fatal("not found")
		}
	}
}
