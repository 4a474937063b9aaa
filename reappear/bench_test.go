package reappear

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkIndexFind looks up candidates, half of them reappearances and
// half new listings, among 10,000 removed listings.
func BenchmarkIndexFind(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	ix := NewIndex()
	removed := make([]Listing, 10_000)
	for i := range removed {
		removed[i] = synthListing(r, int64(i+1))
		ix.Add(removed[i])
	}
	cands := make([]Listing, 1024)
	for i := range cands {
		if i%2 == 0 {
			cands[i] = synthReappearance(r, removed[r.IntN(len(removed))])
		} else {
			cands[i] = synthListing(r, 0)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Find(cands[i%len(cands)])
		i++
	}
}

// BenchmarkCompare compares two listings from scratch, normalisation
// included.
func BenchmarkCompare(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	a := synthListing(r, 1)
	c := synthReappearance(r, a)
	b.ReportAllocs()
	for b.Loop() {
		Compare(a, c)
	}
}
