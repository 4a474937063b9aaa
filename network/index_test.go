package network

import (
	"math/rand/v2"
	"testing"
)

// TestTable runs random puts, gets and deletes against a Go map, with
// hashes from a small set so that probe runs are long and wrap around the
// end of the slots, which is where backward-shift deletion can go wrong.
func TestTable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		tb := newTable(r.IntN(20))
		want := map[[2]uint64]int32{}
		key := func() (uint64, uint32) {
			if r.IntN(2) == 0 {
				return ^uint64(0) - uint64(r.IntN(8)), uint32(r.IntN(3)) // homes at the end
			}
			return uint64(r.IntN(40)) << 58, uint32(r.IntN(3))
		}
		for op := range 2000 {
			h, x := key()
			k := [2]uint64{fix(h), uint64(x)}
			switch r.IntN(3) {
			case 0:
				v := int32(r.IntN(1000))
				tb.put(h, x, v)
				want[k] = v
			case 1:
				tb.del(h, x)
				delete(want, k)
			}
			if v, ok := tb.get(h, x); ok != (want[k] == v && ok) || v != want[k] {
				t.Fatalf("round %d op %d: get(%x, %d) = %d, %v; want %d", round, op, h, x, v, ok, want[k])
			}
			if tb.n != len(want) {
				t.Fatalf("round %d op %d: %d entries, want %d", round, op, tb.n, len(want))
			}
		}
		for k, v := range want {
			if got, ok := tb.get(k[0], uint32(k[1])); !ok || got != v {
				t.Fatalf("round %d: lost %v", round, k)
			}
		}
	}
}

// TestStrIndexCollision forces every key onto one hash: lookups stay
// exact, and deleting the key in the table promotes a colliding one.
func TestStrIndexCollision(t *testing.T) {
	names := map[int32]string{1: "phone:1", 2: "phone:2", 3: "phone:3"}
	name := func(v int32) string { return names[v] }
	x := newStrIndex(0)
	x.clash = true
	for v := int32(1); v <= 3; v++ {
		x.put(names[v], v, name)
	}
	check := func(want map[string]int32) {
		t.Helper()
		for _, s := range []string{"phone:1", "phone:2", "phone:3", "phone:4"} {
			v, ok := x.get(s, name)
			if w, wok := want[s]; ok != wok || v != w {
				t.Errorf("get(%q) = %d, %v; want %d, %v", s, v, ok, w, wok)
			}
		}
	}
	check(map[string]int32{"phone:1": 1, "phone:2": 2, "phone:3": 3})
	x.del("phone:1", 1) // in the table: a colliding key takes its place
	check(map[string]int32{"phone:2": 2, "phone:3": 3})
	x.del("phone:3", 3)
	check(map[string]int32{"phone:2": 2})
	x.del("phone:2", 2)
	check(map[string]int32{})
}

// TestStrIndexAdd: add maps a new key, in the table or beside it when its
// hash collides, and reports a key already mapped, wherever it is.
func TestStrIndexAdd(t *testing.T) {
	for _, clash := range []bool{false, true} {
		names := map[int32]string{1: "phone:1", 2: "phone:2", 3: "phone:1"}
		name := func(v int32) string { return names[v] }
		x := newStrIndex(0)
		x.clash = clash
		for _, step := range []struct {
			v     int32
			other int32
			dup   bool
		}{{1, 0, false}, {2, 0, false}, {3, 1, true}} {
			if other, dup := x.add(names[step.v], step.v, name); other != step.other || dup != step.dup {
				t.Errorf("clash %v: add(%q, %d) = %d, %v; want %d, %v", clash, names[step.v], step.v, other, dup, step.other, step.dup)
			}
		}
		if other, dup := x.add("phone:2", 4, name); other != 2 || !dup {
			t.Errorf("clash %v: add of a mapped key = %d, %v", clash, other, dup)
		}
		for s, want := range map[string]int32{"phone:1": 1, "phone:2": 2} {
			if v, ok := x.get(s, name); !ok || v != want {
				t.Errorf("clash %v: get(%q) = %d, %v; want %d", clash, s, v, ok, want)
			}
		}
	}
}
