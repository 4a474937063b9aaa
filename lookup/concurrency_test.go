package lookup

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentReadersAndWriter runs readers while a writer upserts and
// removes. Each reader checks that a View is consistent: the licence that
// the writer flips between two declarations is found under exactly one of
// them, matching its status in that same View. Run with -race.
func TestConcurrentReadersAndWriter(t *testing.T) {
	x := testIndex(t, false)
	flip := lic("CC-ISB-2025-000100", StatusActive, "Flip Flop Telecom", 100, 1000)
	resA := Resources{
		Phones:   []string{"+923331111111"},
		Ranges:   []PhoneRange{{"+92512220000", "+92512229999"}},
		Domains:  []string{"flip-a.pk"},
		Prefixes: []netip.Prefix{prefix("192.0.2.0/25")},
	}
	resB := Resources{
		Phones:   []string{"+923332222222"},
		Ranges:   []PhoneRange{{"+92512230000", "+92512239999"}},
		Domains:  []string{"flip-b.pk"},
		Prefixes: []netip.Prefix{prefix("192.0.2.128/25")},
	}
	if err := x.Upsert(flip, resA); err != nil {
		t.Fatal(err)
	}

	iters := 3000
	if testing.Short() || raceEnabled {
		iters = 600
	}
	var stop atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				v := x.View()
				l, ok := v.ByNumber(flip.Number)
				if !ok {
					errs <- fmt.Errorf("flip licence missing")
					return
				}
				inA := len(v.ByPhone("+923331111111")) == 1 && len(v.ByPhone("+92512225000")) == 1 &&
					len(v.ByDomain("www.flip-a.pk")) == 1 && len(v.ByIP(addr("192.0.2.1"))) == 1 &&
					len(v.PhoneOverlaps("+92512229999", "", 0)) == 1
				noneA := v.ByPhone("+923331111111") == nil && v.ByPhone("+92512225000") == nil &&
					v.ByDomain("www.flip-a.pk") == nil && v.ByIP(addr("192.0.2.1")) == nil
				inB := len(v.ByPhone("+923332222222")) == 1 && len(v.ByPhone("+92512235000")) == 1 &&
					len(v.ByDomain("flip-b.pk")) == 1 && len(v.ByIP(addr("192.0.2.200"))) == 1
				noneB := v.ByPhone("+923332222222") == nil && v.ByPhone("+92512235000") == nil &&
					v.ByDomain("flip-b.pk") == nil && v.ByIP(addr("192.0.2.200")) == nil
				wantA := l.Status == StatusActive
				if !(wantA && inA && noneB || !wantA && inB && noneA) {
					errs <- fmt.Errorf("inconsistent view %d: status %s, A %v/%v, B %v/%v",
						v.Stats().Version, l.Status, inA, noneA, inB, noneB)
					return
				}
				// Unsynchronised queries on the Index itself must be safe.
				x.ByPhone("+924235760500")
				x.SearchName("indus con", 5)
				x.PhoneOverlaps("+924235760000", "+924235769999", 0)
				reads.Add(1)
			}
		})
	}
	for i := range iters {
		l, res := flip, resA
		if i%2 == 0 {
			l.Status, res = StatusSuspended, resB
		}
		if err := x.Upsert(l, res); err != nil {
			t.Fatal(err)
		}
		// Churn other licences too.
		other := lic(fmt.Sprintf("CC-LHE-2025-%06d", 200+i%50), StatusActive, fmt.Sprintf("Churn %d", i), int64(200+i%50), 1)
		if i%3 == 0 {
			x.Remove(other.Number)
		} else if err := x.Upsert(other, Resources{Phones: []string{fmt.Sprintf("+9242111%05d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d writes, %d consistent reads", 2*iters, reads.Load())
}
