package network

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// withSmallCutoffs lowers the sizes at which networks and identifiers
// switch to maps, so that small worlds exercise both code paths.
func withSmallCutoffs(t *testing.T, comp, ident int) {
	oc, oi := bigComp, bigIdent
	bigComp, bigIdent = comp, ident
	t.Cleanup(func() { bigComp, bigIdent = oc, oi })
}

// TestIncrementalMatchesLoadAndModel builds random worlds complaint by
// complaint, then runs random updates and decisions. After every step the
// engine must show exactly what a fresh Load of the same data shows, and
// what the naive model computes; every update must report the networks
// and tiers it changed.
func TestIncrementalMatchesLoadAndModel(t *testing.T) {
	seeds := 25
	steps := 150
	if testing.Short() || raceEnabled {
		seeds, steps = 6, 60
	}
	for _, cut := range []struct{ comp, ident int }{{128, 256}, {3, 4}} {
		for seed := range seeds {
			t.Run(fmt.Sprintf("cut%d/seed%d", cut.comp, seed), func(t *testing.T) {
				withSmallCutoffs(t, cut.comp, cut.ident)
				runRandom(t, uint64(seed), steps)
			})
		}
	}
}

func runRandom(t *testing.T, seed uint64, steps int) {
	r := rand.New(rand.NewPCG(seed, 42))
	g := &gen{r: r}
	w := newWorld(testConfig)
	e := New(testConfig)
	nC := 20 + r.IntN(60)
	nI := int64(10 + r.IntN(30))
	// Complaint ids in random order: ids need not arrive sorted.
	order := r.Perm(nC)
	check := func(what string, before snap, ch Changes) snap {
		t.Helper()
		got := snapshot(t, e, w)
		if d := diffSnap(w.model(), got); d != "" {
			t.Fatalf("%s: engine differs from the model (-model +engine):\n%s", what, d)
		}
		checkChanges(t, what, before, got, ch)
		return got
	}
	cur := snapshot(t, e, w)
	for _, k := range order {
		c := g.complaint(int64(k + 1))
		var ids []Identifier
		var links []Link
		for range r.IntN(5) {
			i := g.skewed(nI)
			l := Link{c.ID, i}
			if slices.Contains(links, l) {
				continue
			}
			if _, ok := w.ids[i]; !ok {
				if !slices.ContainsFunc(ids, func(x Identifier) bool { return x.ID == i }) {
					ids = append(ids, g.identifier(i))
				}
			}
			links = append(links, l)
		}
		ch, err := e.AddComplaint(c, ids, links)
		if err != nil {
			t.Fatalf("AddComplaint(%d): %v", c.ID, err)
		}
		w.cs[c.ID] = c
		for _, x := range ids {
			w.ids[x.ID] = x
		}
		for _, l := range links {
			w.links[l] = true
		}
		cur = check(fmt.Sprintf("add complaint %d", c.ID), cur, ch)
		g.nextI = max(g.nextI, nI)
	}
	g.nextI = 0
	for id := range w.ids {
		g.nextI = max(g.nextI, id)
	}
	if d := diffSnap(snapshot(t, w.load(t), w), cur); d != "" {
		t.Fatalf("after adding: incremental differs from Load (-load +incremental):\n%s", d)
	}

	for step := range steps {
		var ch Changes
		var err error
		var what string
		cs := slices.Sorted(maps.Keys(w.cs))
		links := slices.SortedFunc(maps.Keys(w.links), func(a, b Link) int {
			return cmp.Or(cmp.Compare(a.Complaint, b.Complaint), cmp.Compare(a.Identifier, b.Identifier))
		})
		switch op := r.IntN(10); {
		case op == 0 && len(links) > 0:
			l := links[r.IntN(len(links))]
			what = fmt.Sprintf("remove link %v", l)
			ch, err = e.RemoveLink(l)
			delete(w.links, l)
		case op == 1:
			l := Link{cs[r.IntN(len(cs))], 1 + r.Int64N(g.nextI)}
			what = fmt.Sprintf("add link %v", l)
			if _, ok := w.ids[l.Identifier]; !ok {
				continue
			}
			ch, err = e.AddLink(l)
			w.links[l] = true
		case op == 2:
			c := g.complaint(cs[r.IntN(len(cs))])
			what = fmt.Sprintf("update complaint %+v", c)
			ch, err = e.UpdateComplaint(c)
			w.cs[c.ID] = c
		case op == 3:
			id := g.identifier(1 + r.Int64N(g.nextI))
			what = fmt.Sprintf("set identifier %+v", id)
			ch, err = e.SetIdentifier(id)
			w.ids[id.ID] = id
		case op <= 7:
			d := g.randomDecision(w)
			what = fmt.Sprintf("apply %+v", d)
			ch, err = e.Apply(d)
			if err == nil {
				w.ds[d.ID] = d
			} else if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnknown) {
				t.Fatalf("%s: %v", what, err)
			} else {
				err = nil
			}
		default:
			if len(w.ds) == 0 {
				continue
			}
			ds := slices.Sorted(maps.Keys(w.ds))
			id := ds[r.IntN(len(ds))]
			what = fmt.Sprintf("revoke %+v", w.ds[id])
			ch, err = e.Revoke(id)
			delete(w.ds, id)
		}
		if err != nil {
			t.Fatalf("step %d, %s: %v", step, what, err)
		}
		cur = check(fmt.Sprintf("step %d, %s", step, what), cur, ch)
		if step%25 == 24 || step == steps-1 {
			if d := diffSnap(snapshot(t, w.load(t), w), cur); d != "" {
				t.Fatalf("step %d: incremental differs from Load (-load +incremental):\n%s", step, d)
			}
		}
	}
}
