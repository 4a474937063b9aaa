package lookup

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tokContents lists a token index as "token:slot,slot".
func tokContents(x tokIndex) []string {
	var out []string
	for _, c := range x.chunks {
		if len(c) == 0 {
			panic("empty chunk")
		}
		for _, e := range c {
			out = append(out, fmt.Sprint(e.tok, ":", e.p.appendTo(nil)))
		}
	}
	return out
}

func TestTokIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	model := map[string][]uint32{}
	var x tokIndex
	want := func() []string {
		var toks []string
		for tok := range model {
			toks = append(toks, tok)
		}
		slices.Sort(toks)
		var out []string
		for _, tok := range toks {
			out = append(out, fmt.Sprint(tok, ":", model[tok]))
		}
		return out
	}
	for round := range 300 {
		before := tokContents(x)
		e := x.edit()
		for range 1 + r.IntN(30) {
			tok := fmt.Sprintf("t%d", r.IntN(1500))
			slot := uint32(r.IntN(4))
			// Grow for the first half, shrink for the second.
			if round < 150 {
				e.add(tok, slot)
				if i, ok := slices.BinarySearch(model[tok], slot); !ok {
					model[tok] = slices.Insert(model[tok], i, slot)
				}
			} else {
				for old := range model {
					for _, s := range model[old] {
						e.del(old, s)
					}
					delete(model, old)
					break
				}
				e.del(tok, slot)
				if i, ok := slices.BinarySearch(model[tok], slot); ok {
					if model[tok] = slices.Delete(model[tok], i, i+1); len(model[tok]) == 0 {
						delete(model, tok)
					}
				}
			}
		}
		old := x
		x = e.done()
		if got, w := tokContents(x), want(); !slices.Equal(w, got) || x.n != len(w) {
			t.Fatalf("round %d: n %d (-want +got):\n%s", round, x.n, cmp.Diff(w, got, cmpopts.EquateEmpty()))
		}
		if after := tokContents(old); !slices.Equal(before, after) {
			t.Fatalf("edit changed the old index (-before +after):\n%s", cmp.Diff(before, after))
		}
		p := fmt.Sprintf("t%d", r.IntN(30))
		var wp, gp []string
		for _, w := range want() {
			if strings.HasPrefix(w, p) && (len(w) == len(p) || w[len(p)] >= '0' && w[len(p)] <= '9' || w[len(p)] == ':') {
				wp = append(wp, w)
			}
		}
		x.withPrefix(p, func(tok string, pl plist) bool {
			gp = append(gp, fmt.Sprint(tok, ":", pl.appendTo(nil)))
			return true
		})
		if !slices.Equal(wp, gp) {
			t.Fatalf("withPrefix(%s) (-want +got):\n%s", p, cmp.Diff(wp, gp))
		}
	}
	if len(model) != 0 || x.n != 0 || len(x.chunks) != 0 {
		t.Fatalf("%d tokens left, index has %d in %d chunks", len(model), x.n, len(x.chunks))
	}
}

func dumpPhones(p *phoneIndex) []uint64 {
	var out []uint64
	for _, nd := range p.nodes {
		out = append(out, nd.firsts...)
		out = append(out, nd.cmax...)
		out = append(out, nd.fence...)
		for _, l := range nd.leaves {
			for _, en := range l.ents {
				out = append(out, en.start, en.end, en.pmax, uint64(en.slot))
			}
		}
	}
	return out
}

func TestPhoneEdit(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	type ent struct {
		s    phoneSpan
		slot uint32
	}
	var live []ent
	p := buildPhoneIndex(nil)
	for round := range 400 {
		// Under the race detector check a fifth of the rounds.
		check := !raceEnabled || round%5 == 0
		oldP := p
		var oldDump []uint64
		if check && round%4 == 0 {
			oldDump = dumpPhones(oldP)
		}
		e := newPhoneEdit(p)
		grow := round < 150 || round >= 250 && round < 300
		for range 1 + r.IntN(200) {
			if grow || len(live) == 0 {
				s := uint64(r.IntN(5000))
				en := ent{phoneSpan{s, s + uint64(r.IntN(3)*r.IntN(100))}, uint32(r.IntN(10))}
				e.insert(en.s, en.slot)
				live = append(live, en)
			} else {
				i := r.IntN(len(live))
				if !e.remove(live[i].s, live[i].slot) {
					t.Fatalf("remove %v: not found", live[i])
				}
				live = slices.Delete(live, i, i+1)
			}
		}
		if e.remove(phoneSpan{1 << 40, 1 << 40}, 0) {
			t.Fatal("removed an absent entry")
		}
		p = e.done()
		if round == 200 || round == 320 {
			// Bulk-build from the live entries and carry on editing that.
			var es []phoneEntry
			for _, en := range live {
				es = append(es, phoneEntry{en.s, en.slot})
			}
			p = buildPhoneIndex(es)
		}
		if p.n != len(live) {
			t.Fatalf("n = %d, want %d", p.n, len(live))
		}
		if !check {
			continue
		}
		checkPhoneIndex(t, p)
		// The old index is untouched.
		if round%4 == 0 && !slices.Equal(oldDump, dumpPhones(oldP)) {
			t.Fatal("edit changed the old index")
		}
		for range 6 {
			lo := uint64(r.IntN(5200))
			hi := lo + uint64(r.IntN(3)*r.IntN(50))
			var want []uint32
			for _, en := range live {
				if en.s.start <= hi && en.s.end >= lo {
					want = append(want, en.slot)
				}
			}
			got := p.collect(lo, hi, nil)
			slices.Sort(want)
			slices.Sort(got)
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("collect(%d, %d) (-want +got):\n%s", lo, hi, d)
			}
		}
	}
}

// TestPhoneEditShrink empties whole leaves and nodes and thins others out
// until leaves and nodes merge.
func TestPhoneEditShrink(t *testing.T) {
	const n = 40000
	es := make([]phoneEntry, n)
	live := make(map[uint64]bool, n)
	for i := range es {
		es[i] = phoneEntry{phoneSpan{uint64(i), uint64(i)}, uint32(i)}
		live[uint64(i)] = true
	}
	p := buildPhoneIndex(es)
	checkPhoneIndex(t, p)
	del := func(keys []uint64) {
		e := newPhoneEdit(p)
		for _, k := range keys {
			if !e.remove(phoneSpan{k, k}, uint32(k)) {
				t.Fatalf("remove %d: not found", k)
			}
			delete(live, k)
		}
		p = e.done()
		checkPhoneIndex(t, p)
		if p.n != len(live) {
			t.Fatalf("n = %d, want %d", p.n, len(live))
		}
		for _, k := range []uint64{0, 5000, 12345, 20000, 39999} {
			got := p.collect(k, k+99, nil)
			want := 0
			for x := k; x <= k+99; x++ {
				if live[x] {
					want++
				}
			}
			if len(got) != want {
				t.Fatalf("collect(%d, %d): %d entries, want %d", k, k+99, len(got), want)
			}
		}
	}
	nodes := len(p.nodes)
	// Empty the first 15,000 keys: whole leaves and whole nodes vanish.
	for b := uint64(0); b < 15000; b += 1000 {
		var keys []uint64
		for k := b; k < b+1000; k++ {
			keys = append(keys, k)
		}
		del(keys)
	}
	if len(p.nodes) >= nodes {
		t.Fatalf("nodes: %d, was %d", len(p.nodes), nodes)
	}
	// Keep one key in 60 from 15,000 on: leaves fall below the merge
	// threshold and merge, and so do nodes.
	for b := uint64(15000); b < n; b += 2500 {
		var keys []uint64
		for k := b; k < b+2500 && k < n; k++ {
			if k%60 != 0 {
				keys = append(keys, k)
			}
		}
		del(keys)
	}
	t.Logf("%d entries in %d nodes, %d leaves", p.n, len(p.nodes), phoneLeaves(p))
	if len(p.nodes) != 1 {
		t.Errorf("nodes = %d, want them merged into 1", len(p.nodes))
	}
}

func TestPlist(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var p plist
	var want []uint32
	for round := range 7500 {
		old, oldWant := p, slices.Clone(want)
		s := uint32(r.IntN(1200))
		if round >= 6000 && len(want) > 0 {
			s = want[r.IntN(len(want))] // drain the list
		}
		if round < 2000 == (r.IntN(4) != 0) && round < 6000 {
			p = p.with(s)
			if i, ok := slices.BinarySearch(want, s); !ok {
				want = slices.Insert(want, i, s)
			}
		} else {
			p = p.without(s)
			if i, ok := slices.BinarySearch(want, s); ok {
				want = slices.Delete(want, i, i+1)
			}
		}
		if got := p.appendTo(nil); !slices.Equal(want, got) || p.n != len(want) {
			t.Fatalf("round %d: n %d (-want +got):\n%s", round, p.n, cmp.Diff(want, got, cmpopts.EquateEmpty()))
		}
		for _, c := range p.chunks {
			if len(c) == 0 || len(c) > plistCap {
				t.Fatalf("round %d: chunk of %d", round, len(c))
			}
		}
		if !slices.Equal(oldWant, old.appendTo(nil)) {
			t.Fatalf("round %d: old list changed", round)
		}
		if round == 2000 {
			p = newPlist(p.appendTo(nil))
		}
	}
}
