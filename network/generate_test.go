package network

import "testing"

// TestGenerateShape checks the promised skew on 100,000 complaints.
func TestGenerateShape(t *testing.T) {
	n := 100_000 // below this, popular values may stay under the threshold and glue rings
	cs, ids, links := Generate(n, 1)
	if len(cs) != n || len(links) < 29*n/10 || len(links) > 31*n/10 {
		t.Fatalf("%d complaints, %d links: want %d and about %d", len(cs), len(links), n, 3*n)
	}
	deg := make([]int, len(ids)+1)
	for _, l := range links {
		deg[l.Identifier]++
	}
	once := 0
	for _, d := range deg[1:] {
		if d == 1 {
			once++
		}
	}
	if once*10 < len(ids)*7 {
		t.Errorf("%d of %d identifiers appear once: want most", once, len(ids))
	}
	e := New(DefaultConfig())
	if err := e.Load(cs, ids, links, nil); err != nil {
		t.Fatal(err)
	}
	s := e.Stats()
	t.Logf("%+v", s)
	if s.Held == 0 || s.Largest < 500 || s.Largest > n/10 {
		t.Errorf("stats %+v: want values held, networks of hundreds to thousands and no giant", s)
	}
	// Generated twice, the same.
	cs2, ids2, links2 := Generate(n, 1)
	if len(cs2) != len(cs) || len(ids2) != len(ids) || len(links2) != len(links) || links2[len(links)/2] != links[len(links)/2] {
		t.Error("Generate is not deterministic")
	}
}
