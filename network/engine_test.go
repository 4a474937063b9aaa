package network

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture builds an engine from compact complaint specs: each complaint
// lists the keys it mentions; identifiers are made for every key, typed by
// the part before ":".
type fixture struct {
	cs    []Complaint
	ids   []Identifier
	links []Link
	byKey map[string]int64
}

func (f *fixture) id(key string) int64 {
	if f.byKey == nil {
		f.byKey = map[string]int64{}
	}
	if id, ok := f.byKey[key]; ok {
		return id
	}
	id := int64(len(f.ids) + 1)
	typ, _, _ := cut(key)
	f.ids = append(f.ids, Identifier{ID: id, Type: typ, Key: key, Value: key})
	f.byKey[key] = id
	return id
}

func cut(s string) (string, string, bool) {
	for k := range len(s) {
		if s[k] == ':' {
			return s[:k], s[k+1:], true
		}
	}
	return s, "", false
}

// add adds complaint id with a distinct victim unless victim is given.
func (f *fixture) add(id int64, victim string, keys ...string) {
	if victim == "" {
		victim = fmt.Sprint("victim-", id)
	}
	f.cs = append(f.cs, Complaint{ID: id, Victim: victim, City: "Lahore", Category: "investment", ReceivedAt: day0.Add(time.Duration(id) * time.Hour)})
	for _, k := range keys {
		f.links = append(f.links, Link{id, f.id(k)})
	}
}

func (f *fixture) engine(t *testing.T, cfg Config, ds ...Decision) *Engine {
	t.Helper()
	e := New(cfg)
	if err := e.Load(f.cs, f.ids, f.links, ds); err != nil {
		t.Fatal(err)
	}
	return e
}

// members lists the networks of two or more, as member lists.
func members(t *testing.T, e *Engine) [][]int64 {
	t.Helper()
	sums, _ := e.Networks(Filter{Sort: "recent"})
	var out [][]int64
	for _, s := range sums {
		n, _ := e.Network(s.ID)
		out = append(out, n.Complaints)
	}
	slices.SortFunc(out, func(a, b []int64) int { return int(a[0] - b[0]) })
	return out
}

func TestComponents(t *testing.T) {
	tests := []struct {
		name string
		spec func(f *fixture)
		want [][]int64
	}{
		{"no links", func(f *fixture) { f.add(1, ""); f.add(2, "") }, nil},
		{"one shared phone", func(f *fixture) {
			f.add(1, "", "phone:1")
			f.add(2, "", "phone:1")
			f.add(3, "", "phone:2")
		}, [][]int64{{1, 2}}},
		{"chain through different identifiers", func(f *fixture) {
			f.add(5, "", "phone:1")
			f.add(3, "", "phone:1", "wallet:1")
			f.add(9, "", "wallet:1", "url:x")
			f.add(1, "", "url:x")
			f.add(2, "", "url:y")
			f.add(4, "", "url:y")
		}, [][]int64{{1, 3, 5, 9}, {2, 4}}},
		{"two networks joined late", func(f *fixture) {
			f.add(1, "", "a:1")
			f.add(2, "", "a:1")
			f.add(3, "", "b:1")
			f.add(4, "", "b:1")
			f.add(5, "", "a:1", "b:1")
		}, [][]int64{{1, 2, 3, 4, 5}}},
		{"an identifier in one complaint links nothing", func(f *fixture) {
			f.add(1, "", "a:1", "a:2", "a:3")
			f.add(2, "", "a:4")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f fixture
			tt.spec(&f)
			e := f.engine(t, DefaultConfig())
			if d := cmp.Diff(tt.want, members(t, e)); d != "" {
				t.Errorf("networks (-want +got):\n%s", d)
			}
			// The network id is the smallest complaint id.
			for _, m := range tt.want {
				for _, c := range m {
					if id, _ := e.NetworkOf(c); id != m[0] {
						t.Errorf("NetworkOf(%d) = %d, want %d", c, id, m[0])
					}
				}
			}
		})
	}
}

// twoRings is two unrelated fraud rings of three complaints each, both of
// whose victims also mention the same value.
func twoRings(shared string, victims bool) *fixture {
	var f fixture
	for c := int64(1); c <= 3; c++ {
		f.add(c, "", "phone:ring-a", shared)
	}
	for c := int64(4); c <= 6; c++ {
		v := ""
		if !victims {
			v = "same-person"
		}
		f.add(c, v, "phone:ring-b", shared)
	}
	return &f
}

func TestListedValueNeverLinks(t *testing.T) {
	f := twoRings("phone:bank-helpline", true)
	helpline := f.byKey["phone:bank-helpline"]
	f.ids[helpline-1].Listed = true
	e := f.engine(t, DefaultConfig(),
		Decision{ID: 1, Kind: ConfirmIdentifier, Identifier: helpline},
		Decision{ID: 2, Kind: ConfirmLink, Complaint: 1, Identifier: helpline},
		Decision{ID: 3, Kind: ConfirmLink, Complaint: 4, Identifier: helpline})
	want := [][]int64{{1, 2, 3}, {4, 5, 6}}
	if d := cmp.Diff(want, members(t, e)); d != "" {
		t.Fatalf("a listed value linked networks, even confirmed (-want +got):\n%s", d)
	}
	if a, _ := e.Assess(helpline); a.State != StateListed || a.Tier != TierNone {
		t.Errorf("helpline: %v %v, want listed, none", a.State, a.Tier)
	}
	// Taking it off the warninglist lets the analyst's confirmation work.
	id := f.ids[helpline-1]
	id.Listed = false
	ch, err := e.SetIdentifier(id)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]int64{{1, 2, 3, 4, 5, 6}}, members(t, e)); d != "" {
		t.Fatalf("after delisting (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int64{1, 4}, ch.Networks); d != "" {
		t.Errorf("changed networks (-want +got):\n%s", d)
	}
}

func TestOverLinkedValueHeldUntilConfirmed(t *testing.T) {
	cfg := Config{Default: Threshold{Complaints: 4, Victims: 4}}
	f := twoRings("wallet:gateway", true)
	gw := f.byKey["wallet:gateway"]
	e := f.engine(t, cfg)
	apart := [][]int64{{1, 2, 3}, {4, 5, 6}}
	if d := cmp.Diff(apart, members(t, e)); d != "" {
		t.Fatalf("a held value linked networks (-want +got):\n%s", d)
	}
	held := e.Held()
	if len(held) != 1 || held[0].ID != gw || held[0].Complaints != 6 || held[0].Victims != 6 {
		t.Fatalf("Held() = %+v, want the gateway with 6 complaints from 6 victims", held)
	}
	a, _ := e.Assess(gw)
	if a.State != StateHeld || a.Tier != TierMedium || !slices.Contains(a.Reasons, heldReason) {
		t.Errorf("held gateway: %+v", a)
	}

	// Confirmed: it links.
	ch, err := e.Apply(Decision{ID: 10, Kind: ConfirmIdentifier, Identifier: gw})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]int64{{1, 2, 3, 4, 5, 6}}, members(t, e)); d != "" {
		t.Fatalf("confirmed value did not join (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int64{1, 4}, ch.Networks); d != "" {
		t.Errorf("changed networks (-want +got):\n%s", d)
	}
	if len(e.Held()) != 0 {
		t.Errorf("still held after confirmation: %+v", e.Held())
	}
	if n, _ := e.Network(1); !slices.Contains(n.Decisions, 10) {
		t.Errorf("network decisions %v lack the confirmation", n.Decisions)
	}
	// Revoked: held again.
	if _, err := e.Revoke(10); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(apart, members(t, e)); d != "" {
		t.Fatalf("after revoking (-want +got):\n%s", d)
	}
	// Rejected (even alongside a confirmation): never links, and not held.
	for _, d := range []Decision{{ID: 11, Kind: RejectIdentifier, Identifier: gw}, {ID: 12, Kind: ConfirmIdentifier, Identifier: gw}} {
		if _, err := e.Apply(d); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff(apart, members(t, e)); d != "" {
		t.Fatalf("rejected value linked (-want +got):\n%s", d)
	}
	if a, _ := e.Assess(gw); a.State != StateRejected || a.Tier != TierNone || len(e.Held()) != 0 {
		t.Errorf("rejected gateway: %+v, held %v", a, e.Held())
	}
}

func TestThresholdNeedsBothCountsExceeded(t *testing.T) {
	cfg := Config{Default: Threshold{Complaints: 4, Victims: 4}}
	// Six complaints, but ring b's three come from one person: 4 victims.
	f := twoRings("wallet:gateway", false)
	e := f.engine(t, cfg)
	if d := cmp.Diff([][]int64{{1, 2, 3, 4, 5, 6}}, members(t, e)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	// Per-type thresholds: a url is held at lower counts.
	f = twoRings("url:shortener", false)
	cfg.ByType = map[string]Threshold{"url": {Complaints: 3, Victims: 3}}
	e = f.engine(t, cfg)
	if d := cmp.Diff([][]int64{{1, 2, 3}, {4, 5, 6}}, members(t, e)); d != "" {
		t.Fatalf("url threshold (-want +got):\n%s", d)
	}
}

func TestValueBecomesHeldAsComplaintsArrive(t *testing.T) {
	cfg := Config{Default: Threshold{Complaints: 3, Victims: 3}}
	var f fixture
	f.add(1, "", "phone:a", "wallet:w")
	f.add(2, "", "phone:a")
	f.add(3, "", "phone:b", "wallet:w")
	e := f.engine(t, cfg)
	if d := cmp.Diff([][]int64{{1, 2, 3}}, members(t, e)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	w := f.byKey["wallet:w"]
	// Two more complaints mention the wallet: 4 complaints, 4 victims.
	for c := int64(4); c <= 5; c++ {
		ch, err := e.AddComplaint(Complaint{ID: c, Victim: fmt.Sprint("v", c)}, nil, []Link{{c, w}})
		if err != nil {
			t.Fatal(err)
		}
		if c == 5 {
			if d := cmp.Diff([]int64{1, 3, 4, 5}, ch.Networks); d != "" {
				t.Errorf("changed networks (-want +got):\n%s", d)
			}
		}
	}
	if d := cmp.Diff([][]int64{{1, 2}}, members(t, e)); d != "" {
		t.Fatalf("the wallet still links after it went over the threshold (-want +got):\n%s", d)
	}
	// Confirm two of its links: those complaints join each other.
	for k, c := range []int64{3, 5} {
		if _, err := e.Apply(Decision{ID: int64(k + 1), Kind: ConfirmLink, Complaint: c, Identifier: w}); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff([][]int64{{1, 2}, {3, 5}}, members(t, e)); d != "" {
		t.Fatalf("confirmed links (-want +got):\n%s", d)
	}
	// Removing links brings it back under the threshold.
	if _, err := e.RemoveLink(Link{4, w}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]int64{{1, 2, 3, 5}}, members(t, e)); d != "" {
		t.Fatalf("after removing a link (-want +got):\n%s", d)
	}
}

func TestLinkDecisions(t *testing.T) {
	var f fixture
	f.add(1, "", "phone:a")
	f.add(2, "", "phone:a")
	f.add(3, "", "phone:a", "wallet:w")
	f.add(4, "", "wallet:w")
	e := f.engine(t, DefaultConfig())
	a := f.byKey["phone:a"]
	if _, err := e.Apply(Decision{ID: 1, Kind: RejectLink, Complaint: 3, Identifier: a}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]int64{{1, 2}, {3, 4}}, members(t, e)); d != "" {
		t.Fatalf("rejected link (-want +got):\n%s", d)
	}
	if _, err := e.Revoke(1); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]int64{{1, 2, 3, 4}}, members(t, e)); d != "" {
		t.Fatalf("revoked (-want +got):\n%s", d)
	}
}

func TestMergeAndSplit(t *testing.T) {
	var f fixture
	f.add(1, "", "phone:a")
	f.add(2, "", "phone:a", "wallet:w")
	f.add(3, "", "wallet:w", "url:u")
	f.add(4, "", "url:u")
	f.add(5, "", "phone:z")
	f.add(6, "", "phone:z")
	f.add(7, "")
	e := f.engine(t, DefaultConfig())
	steps := []struct {
		name   string
		apply  *Decision
		revoke int64
		want   [][]int64
		err    error
	}{
		{name: "start", want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "merge two networks and a lone complaint", apply: &Decision{ID: 1, Kind: Merge, Complaints: []int64{4, 6, 7}},
			want: [][]int64{{1, 2, 3, 4, 5, 6, 7}}},
		{name: "split 3 and 4 off: the merge still holds 4 with 6 and 7", apply: &Decision{ID: 2, Kind: Split, Complaints: []int64{3, 4}},
			want: [][]int64{{1, 2}, {3, 4, 5, 6, 7}}},
		{name: "revoke the merge", revoke: 1, want: [][]int64{{1, 2}, {3, 4}, {5, 6}}},
		{name: "a later split of 4 alone takes it from 3", apply: &Decision{ID: 3, Kind: Split, Complaints: []int64{4}},
			want: [][]int64{{1, 2}, {5, 6}}},
		{name: "revoke the first split: 3 rejoins 1 and 2", revoke: 2, want: [][]int64{{1, 2, 3}, {5, 6}}},
		{name: "revoke the second: all back", revoke: 3, want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "merge of one complaint", apply: &Decision{ID: 4, Kind: Merge, Complaints: []int64{1, 1}}, err: ErrInvalid,
			want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "split of none", apply: &Decision{ID: 5, Kind: Split}, err: ErrInvalid, want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "merge with an unknown complaint", apply: &Decision{ID: 6, Kind: Merge, Complaints: []int64{1, 99}}, err: ErrUnknown,
			want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "revoke an unknown decision", revoke: 99, err: ErrUnknown, want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "confirm an unknown identifier", apply: &Decision{ID: 7, Kind: ConfirmIdentifier, Identifier: 99}, err: ErrUnknown,
			want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
		{name: "unknown kind", apply: &Decision{ID: 8, Kind: "guess"}, err: ErrInvalid, want: [][]int64{{1, 2, 3, 4}, {5, 6}}},
	}
	for _, s := range steps {
		var err error
		switch {
		case s.apply != nil:
			_, err = e.Apply(*s.apply)
		case s.revoke != 0:
			_, err = e.Revoke(s.revoke)
		}
		if !errors.Is(err, s.err) || (err == nil) != (s.err == nil) {
			t.Fatalf("%s: error %v, want %v", s.name, err, s.err)
		}
		if d := cmp.Diff(s.want, members(t, e)); d != "" {
			t.Fatalf("%s (-want +got):\n%s", s.name, d)
		}
	}
}

func TestNetworkDetail(t *testing.T) {
	var f fixture
	f.add(1, "alice", "phone:+923001234567", "url:scam.example")
	f.add(2, "bob", "phone:+923001234567", "phone:helpline")
	f.add(3, "alice", "url:scam.example")
	f.ids[f.byKey["phone:helpline"]-1].Listed = true
	f.cs[0].LossPaisa, f.cs[1].LossPaisa = 150_000_00, 50_000_00
	f.cs[2].City, f.cs[2].Category = "Karachi", "lottery"
	e := f.engine(t, DefaultConfig(), Decision{ID: 7, Kind: RejectLink, Complaint: 2, Identifier: f.byKey["phone:helpline"]})
	n, ok := e.Network(1)
	if !ok {
		t.Fatal("network 1 missing")
	}
	want := &Network{
		ID: 1, Complaints: []int64{1, 2, 3},
		Identifiers: []NetIdentifier{
			{ID: 3, Type: "phone", Key: "phone:+923001234567", Value: "phone:+923001234567", State: StateLinking, Tier: TierMedium, Complaints: 2},
			{ID: 4, Type: "phone", Key: "phone:helpline", Value: "phone:helpline", State: StateListed, Tier: TierNone, Complaints: 1},
			{ID: 2, Type: "url", Key: "url:scam.example", Value: "url:scam.example", State: StateLinking, Tier: TierMedium, Complaints: 2},
		},
		Victims: 2, LossPaisa: 200_000_00,
		Cities:     []Count{{"Lahore", 2}, {"Karachi", 1}},
		Categories: []Count{{"investment", 2}, {"lottery", 1}},
		First:      day0.Add(time.Hour), Last: day0.Add(3 * time.Hour),
		TopTier: TierMedium, Decisions: []int64{7},
	}
	// ids: the fixture numbers keys in order of first use.
	want.Identifiers[0].ID, want.Identifiers[1].ID, want.Identifiers[2].ID = f.byKey["phone:+923001234567"], f.byKey["phone:helpline"], f.byKey["url:scam.example"]
	if d := cmp.Diff(want, n); d != "" {
		t.Errorf("Network(1) (-want +got):\n%s", d)
	}
	if _, ok := e.Network(2); ok {
		t.Error("Network(2): 2 is a member, not a network id")
	}
	if _, ok := e.Network(99); ok {
		t.Error("Network(99) found")
	}
	if id, ok := e.IdentifierByKey("url:scam.example"); !ok || id != f.byKey["url:scam.example"] {
		t.Errorf("IdentifierByKey = %d, %v", id, ok)
	}
}

func TestRanking(t *testing.T) {
	var f fixture
	// Network 1: 2 victims, Rs 900; network 3: 3 victims, Rs 100;
	// network 6: 2 victims, Rs 5,000, most recent; 9 alone.
	f.add(1, "", "a:1")
	f.add(2, "", "a:1")
	f.add(3, "", "b:1")
	f.add(4, "", "b:1")
	f.add(5, "", "b:1")
	f.add(6, "", "c:1")
	f.add(10, "", "c:1")
	f.add(9, "", "d:1")
	loss := map[int64]int64{1: 90000, 3: 10000, 6: 500000}
	for k := range f.cs {
		f.cs[k].LossPaisa = loss[f.cs[k].ID]
		if f.cs[k].ID == 6 {
			f.cs[k].City = "Karachi"
		}
	}
	e := f.engine(t, DefaultConfig())
	ids := func(ss []Summary) []int64 {
		var out []int64
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	tests := []struct {
		f     Filter
		want  []int64
		total int
	}{
		{Filter{}, []int64{3, 6, 1}, 3},
		{Filter{Sort: "loss"}, []int64{6, 1, 3}, 3},
		{Filter{Sort: "recent"}, []int64{6, 3, 1}, 3},
		{Filter{MinComplaints: 1}, []int64{3, 6, 1, 9}, 4},
		{Filter{MinComplaints: 3}, []int64{3}, 1},
		{Filter{City: "karachi"}, []int64{6}, 1},
		{Filter{City: "Peshawar"}, nil, 0},
		{Filter{Category: "INVESTMENT", Limit: 1, Offset: 1}, []int64{6}, 3},
		{Filter{Offset: 10}, nil, 3},
	}
	for _, tt := range tests {
		got, total := e.Networks(tt.f)
		if d := cmp.Diff(tt.want, ids(got)); d != "" || total != tt.total {
			t.Errorf("Networks(%+v): total %d (want %d) (-want +got):\n%s", tt.f, total, tt.total, d)
		}
	}
	s := e.Stats()
	if d := cmp.Diff(Stats{Complaints: 8, Identifiers: 4, Links: 8, Networks: 3, Largest: 3}, s); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

func TestErrorsChangeNothing(t *testing.T) {
	var f fixture
	f.add(1, "", "a:1")
	f.add(2, "", "a:1")
	e := f.engine(t, DefaultConfig())
	before := members(t, e)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"add an existing complaint", func() error { _, err := e.AddComplaint(Complaint{ID: 1}, nil, nil); return err }, ErrInvalid},
		{"add with a link to an unknown identifier", func() error {
			_, err := e.AddComplaint(Complaint{ID: 3}, nil, []Link{{3, 1}, {3, 77}})
			return err
		}, ErrUnknown},
		{"add with another complaint's link", func() error {
			_, err := e.AddComplaint(Complaint{ID: 3}, nil, []Link{{1, 1}})
			return err
		}, ErrInvalid},
		{"add with a taken key", func() error {
			_, err := e.AddComplaint(Complaint{ID: 3}, []Identifier{{ID: 5, Key: "a:1"}}, nil)
			return err
		}, ErrInvalid},
		{"add with a huge id", func() error { _, err := e.AddComplaint(Complaint{ID: 1 << 40}, nil, nil); return err }, ErrInvalid},
		{"update an unknown complaint", func() error { _, err := e.UpdateComplaint(Complaint{ID: 3}); return err }, ErrUnknown},
		{"remove a link of an unknown identifier", func() error { _, err := e.RemoveLink(Link{1, 9}); return err }, ErrUnknown},
		{"add a link to an unknown complaint", func() error { _, err := e.AddLink(Link{9, 1}); return err }, ErrUnknown},
		{"confirm a link to an unknown complaint", func() error {
			_, err := e.Apply(Decision{ID: 1, Kind: ConfirmLink, Complaint: 9, Identifier: 1})
			return err
		}, ErrUnknown},
		{"load a link to an unknown complaint", func() error {
			return e.Load(f.cs, f.ids, append(slices.Clone(f.links), Link{9, 1}), nil)
		}, ErrUnknown},
		{"load a duplicate link", func() error {
			return e.Load(f.cs, f.ids, append(slices.Clone(f.links), f.links[0]), nil)
		}, ErrInvalid},
		{"load a decision on an unknown identifier", func() error {
			return e.Load(f.cs, f.ids, f.links, []Decision{{ID: 1, Kind: RejectIdentifier, Identifier: 9}})
		}, ErrUnknown},
	}
	for _, tt := range tests {
		if err := tt.call(); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
		if d := cmp.Diff(before, members(t, e)); d != "" || e.Stats().Complaints != 2 {
			t.Fatalf("%s changed the engine (-before +after):\n%s", tt.name, d)
		}
	}
	// Idempotent: an existing link, a missing link, a decision applied twice.
	if ch, err := e.AddLink(Link{1, 1}); err != nil || ch.Networks != nil {
		t.Errorf("AddLink of an existing link: %+v, %v", ch, err)
	}
	if ch, err := e.RemoveLink(Link{1, 1}); err != nil || len(ch.Networks) == 0 {
		t.Errorf("RemoveLink: %+v, %v", ch, err)
	}
	if ch, err := e.RemoveLink(Link{1, 1}); err != nil || ch.Networks != nil {
		t.Errorf("RemoveLink of a missing link: %+v, %v", ch, err)
	}
	d := Decision{ID: 5, Kind: Merge, Complaints: []int64{1, 2}}
	if _, err := e.Apply(d); err != nil {
		t.Fatal(err)
	}
	if ch, err := e.Apply(d); err != nil || ch.Networks != nil {
		t.Errorf("Apply again: %+v, %v", ch, err)
	}
	d.Complaints = []int64{2, 1}
	if _, err := e.Apply(d); !errors.Is(err, ErrInvalid) {
		t.Errorf("Apply of another decision under the same id: %v", err)
	}
}

// TestStableIDs: a network's id survives a rebuild and updates elsewhere.
func TestStableIDs(t *testing.T) {
	cs, ids, links := Generate(20_000, 7)
	e := New(DefaultConfig())
	if err := e.Load(cs, ids, links, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := e.Networks(Filter{})
	// A complaint that links only to network A leaves network B's id
	// alone; a rebuild gives back the same ids.
	a, b := before[0], before[1]
	na, _ := e.Network(a.ID)
	var link int64
	for _, id := range na.Identifiers {
		if id.State == StateLinking {
			link = id.ID
			break
		}
	}
	ch, err := e.AddComplaint(Complaint{ID: 20_001, Victim: "new", LossPaisa: 100}, nil, []Link{{20_001, link}})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ch.Networks, b.ID) || !slices.Contains(ch.Networks, a.ID) {
		t.Errorf("changes %v: want %d and not %d", ch.Networks, a.ID, b.ID)
	}
	nb, _ := e.Network(b.ID)
	if nb == nil || nb.ID != b.ID || len(nb.Complaints) != b.Complaints {
		t.Errorf("network %d changed: %+v", b.ID, nb)
	}
	cs = append(cs, Complaint{ID: 20_001, Victim: "new", LossPaisa: 100})
	links = append(links, Link{20_001, link})
	e2 := New(DefaultConfig())
	if err := e2.Load(cs, ids, links, nil); err != nil {
		t.Fatal(err)
	}
	got1, _ := e.Networks(Filter{MinComplaints: 1})
	got2, _ := e2.Networks(Filter{MinComplaints: 1})
	if d := cmp.Diff(got2, got1); d != "" {
		t.Errorf("rebuild differs (-rebuild +incremental):\n%s", d)
	}
	if d := cmp.Diff(e2.Tiers(), e.Tiers()); d != "" {
		t.Errorf("tiers differ after rebuild (-rebuild +incremental):\n%s", d)
	}
}

// TestConcurrentReaders runs readers while a writer adds complaints and
// applies and revokes decisions. Readers check that what they see is
// consistent within one call. Run with -race.
func TestConcurrentReaders(t *testing.T) {
	cs, ids, links := Generate(5_000, 3)
	e := New(DefaultConfig())
	if err := e.Load(cs, ids, links, nil); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := range 4 {
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				sums, total := e.Networks(Filter{Limit: 20})
				if total < len(sums) {
					errs <- fmt.Errorf("total %d < %d rows", total, len(sums))
					return
				}
				for _, s := range sums {
					if nw, ok := e.Network(s.ID); ok && nw.ID != nw.Complaints[0] {
						errs <- fmt.Errorf("network %d's smallest complaint is %d", nw.ID, nw.Complaints[0])
						return
					}
				}
				id := int64(1 + (n*7+r)%len(ids))
				if a, ok := e.Assess(id); ok && a.Complaints < 0 {
					errs <- fmt.Errorf("assess %d: %+v", id, a)
					return
				}
				e.Held()
				e.Stats()
				e.NetworkOf(int64(1 + n%len(cs)))
			}
		})
	}
	next := int64(len(cs) + 1)
	for k := range 400 {
		c := Complaint{ID: next, Victim: fmt.Sprint("w", k), LossPaisa: int64(k) * 1000}
		l := links[(k*37)%len(links)]
		if _, err := e.AddComplaint(c, nil, []Link{{next, l.Identifier}}); err != nil {
			t.Fatal(err)
		}
		if k%10 == 0 {
			if _, err := e.Apply(Decision{ID: int64(k + 1), Kind: Merge, Complaints: []int64{next, next - 5}}); err != nil {
				t.Fatal(err)
			}
		}
		if k%10 == 5 {
			if _, err := e.Revoke(int64(k - 4)); err != nil {
				t.Fatal(err)
			}
		}
		next++
	}
	if err := e.Load(cs, ids, links, nil); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
