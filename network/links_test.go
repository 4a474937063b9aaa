package network

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestComplaintAndNetworkLinks(t *testing.T) {
	e := New(DefaultConfig())
	cs := []Complaint{{ID: 1, Victim: "a"}, {ID: 2, Victim: "b"}, {ID: 3, Victim: "c"}}
	ids := []Identifier{{ID: 1, Type: "phone", Key: "phone:1", Value: "1"}, {ID: 2, Type: "phone", Key: "phone:2", Value: "2", Listed: true}}
	links := []Link{{1, 1}, {2, 1}, {2, 2}, {3, 2}}
	if err := e.Load(cs, ids, links, nil); err != nil {
		t.Fatal(err)
	}
	got, ok := e.ComplaintLinks(2)
	if !ok || !cmp.Equal(got, []int64{1, 2}) {
		t.Errorf("complaint 2's links: %v %v", got, ok)
	}
	if _, ok := e.ComplaintLinks(9); ok {
		t.Error("links of an unknown complaint")
	}
	// Complaints 1 and 2 share identifier 1; the listed identifier 2 links
	// nothing, so complaint 3 is alone.
	want := []NetworkLink{{Link{1, 1}, true}, {Link{2, 1}, true}, {Link{2, 2}, false}}
	if diff := cmp.Diff(want, e.NetworkLinks(1)); diff != "" {
		t.Errorf("network 1's links (-want +got):\n%s", diff)
	}
	if e.NetworkLinks(2) != nil {
		t.Error("2 is not a network's id")
	}
	if got := e.NetworksOf(2); !cmp.Equal(got, []int64{1, 3}) {
		t.Errorf("networks of the listed identifier: %v", got)
	}
	if got := e.NetworksOf(9); got != nil {
		t.Errorf("networks of an unknown identifier: %v", got)
	}
}
