package reappear

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"testing"
)

// corpusPair is one labelled pair in testdata/corpus.json: a removed
// listing, a candidate, and whether the candidate is the removed listing
// come back. See testdata/README.md for how the pairs were written.
type corpusPair struct {
	ID        string  `json:"id"`
	Batch     string  `json:"batch"`
	Reappears bool    `json:"reappears"`
	Note      string  `json:"note"`
	Removed   Listing `json:"removed"`
	Candidate Listing `json:"candidate"`
}

func loadCorpus(t testing.TB) []corpusPair {
	b, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var pairs []corpusPair
	if err := json.Unmarshal(b, &pairs); err != nil {
		t.Fatal(err)
	}
	return pairs
}

type confusion struct{ tp, fp, fn, tn int }

func (c confusion) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c confusion) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// TestCorpusPrecisionRecall compares every labelled pair, both directly
// and through an Index holding all the corpus's removed listings, and
// fails if precision or recall of "alert" against the label falls below
// 0.9.
func TestCorpusPrecisionRecall(t *testing.T) {
	pairs := loadCorpus(t)
	pos, neg := 0, 0
	ix := NewIndex()
	refs := map[int64]string{}
	for _, p := range pairs {
		if p.Reappears {
			pos++
		} else {
			neg++
		}
		if other, dup := refs[p.Removed.Ref]; dup || p.Removed.Ref == 0 {
			t.Fatalf("%s: removed ref %d is 0 or used by %s too", p.ID, p.Removed.Ref, other)
		}
		refs[p.Removed.Ref] = p.ID
		ix.Add(p.Removed)
	}
	if pos < 50 || neg < 50 {
		t.Fatalf("the corpus has %d reappearances and %d innocent look-alikes; it needs at least 50 of each", pos, neg)
	}
	var all confusion
	batches := map[string]*confusion{}
	for _, p := range pairs {
		m := Compare(p.Removed, p.Candidate)
		alert := m.Score >= Threshold
		if batches[p.Batch] == nil {
			batches[p.Batch] = &confusion{}
		}
		b := batches[p.Batch]
		switch {
		case alert && p.Reappears:
			all.tp++
			b.tp++
		case alert && !p.Reappears:
			all.fp++
			b.fp++
			t.Logf("false alert %s (%s): score %.3f %v", p.ID, p.Note, m.Score, m.Reasons)
		case !alert && p.Reappears:
			all.fn++
			b.fn++
			t.Logf("missed %s (%s): score %.3f %v", p.ID, p.Note, m.Score, m.Reasons)
		default:
			all.tn++
			b.tn++
		}
		// The index must find what Compare alerts on.
		found := false
		for _, f := range ix.Find(p.Candidate) {
			if f.Ref == p.Removed.Ref {
				found = true
				if f.Score != m.Score {
					t.Errorf("%s: Index.Find scores %.3f, Compare %.3f", p.ID, f.Score, m.Score)
				}
			}
		}
		if found != alert {
			t.Errorf("%s: Index.Find found the removed listing: %v; Compare alerts: %v", p.ID, found, alert)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(batches)) {
		b := batches[name]
		t.Logf("batch %s: %d pairs, precision %.3f, recall %.3f (tp %d fp %d fn %d tn %d)", name, b.tp+b.fp+b.fn+b.tn, b.precision(), b.recall(), b.tp, b.fp, b.fn, b.tn)
	}
	t.Logf("all %d pairs: precision %.3f, recall %.3f (tp %d fp %d fn %d tn %d)", len(pairs), all.precision(), all.recall(), all.tp, all.fp, all.fn, all.tn)
	if all.precision() < 0.9 || all.recall() < 0.9 {
		t.Errorf("precision %.3f and recall %.3f must both be at least 0.9", all.precision(), all.recall())
	}
}
