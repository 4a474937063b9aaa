package network

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTiers(t *testing.T) {
	type tc struct {
		name     string
		victims  []string // one complaint each, all mentioning phone:x
		loss     int64    // rupees, spread over the complaints
		others   int      // further complaints linked to the first one through wallet:w
		listed   bool
		finding  string
		removal  string
		decision DecisionKind // on phone:x
		cfg      *Config
		want     Tier
		reasons  []string
	}
	many := func(n int) []string {
		var vs []string
		for k := range n {
			vs = append(vs, fmt.Sprint("p", k))
		}
		return vs
	}
	tests := []tc{
		{name: "one person once, nothing lost", victims: []string{"a"}, want: TierNone,
			reasons: []string{"reported in 1 complaint by 1 person"}},
		{name: "one person three times", victims: []string{"a", "a", "a"}, loss: 90_000, want: TierNone,
			reasons: []string{"reported in 3 complaints by 1 person", "Rs 90,000 reported lost"}},
		{name: "two people", victims: []string{"a", "b"}, loss: 40_000, want: TierMedium,
			reasons: []string{"reported in 2 complaints by 2 different people", "Rs 40,000 reported lost"}},
		{name: "unknown complainants count apart", victims: []string{"", ""}, want: TierMedium,
			reasons: []string{"reported in 2 complaints by 2 different people"}},
		{name: "six people, Rs 1.25M", victims: many(6), loss: 1_250_000, want: TierHigh,
			reasons: []string{"reported in 6 complaints by 6 different people", "Rs 1,250,000 reported lost"}},
		{name: "20 complaints, Rs 2M", victims: many(20), loss: 2_000_000, want: TierVeryHigh,
			reasons: []string{"reported in 20 complaints by 20 different people", "Rs 2,000,000 reported lost", "part of a network of 20 complaints"}},
		{name: "20 complaints from 10 people, Rs 2M: the network tips it", victims: append(many(10), many(10)...), loss: 2_000_000, want: TierVeryHigh,
			reasons: []string{"reported in 20 complaints by 10 different people", "Rs 2,000,000 reported lost", "part of a network of 20 complaints"}},
		{name: "one report in a big network", victims: []string{"a"}, others: 11, want: TierMedium,
			reasons: []string{"reported in 1 complaint by 1 person", "part of a network of 12 complaints"}},
		{name: "Rs 10M", victims: []string{"a"}, loss: 10_000_000, want: TierHigh,
			reasons: []string{"reported in 1 complaint by 1 person", "Rs 10,000,000 reported lost"}},
		{name: "confirmed", victims: []string{"a"}, decision: ConfirmIdentifier, want: TierMedium,
			reasons: []string{"reported in 1 complaint by 1 person", "confirmed by an analyst"}},
		{name: "enforcement finding", victims: []string{"a"}, finding: "seized in raid RD-2026-0012", want: TierVeryHigh,
			reasons: []string{"reported in 1 complaint by 1 person", "seized in raid RD-2026-0012"}},
		{name: "held: capped at medium", victims: many(30), loss: 50_000_000, cfg: &Config{Default: Threshold{10, 10}}, want: TierMedium,
			reasons: []string{"reported in 30 complaints by 30 different people", "Rs 50,000,000 reported lost", heldReason}},
		{name: "held but confirmed", victims: many(30), loss: 50_000_000, cfg: &Config{Default: Threshold{10, 10}}, decision: ConfirmIdentifier,
			want: TierVeryHigh, reasons: []string{"reported in 30 complaints by 30 different people", "Rs 50,000,000 reported lost",
				"part of a network of 30 complaints", "confirmed by an analyst"}},
		{name: "taken down: at most medium", victims: many(20), loss: 2_000_000, removal: "taken down on 3 Nov 2026 (TD-2026-000004)", want: TierMedium,
			reasons: []string{"reported in 20 complaints by 20 different people", "Rs 2,000,000 reported lost", "part of a network of 20 complaints",
				"taken down on 3 Nov 2026 (TD-2026-000004)"}},
		{name: "a blocked number is closed", victims: many(20), loss: 2_000_000, removal: "closed: taken down on 3 Nov 2026 (TD-2026-000005)", want: TierNone,
			reasons: []string{"reported in 20 complaints by 20 different people", "Rs 2,000,000 reported lost", "part of a network of 20 complaints",
				"taken down on 3 Nov 2026 (TD-2026-000005), so it can no longer be used"}},
		{name: "listed", victims: many(30), loss: 50_000_000, listed: true, finding: "seized", want: TierNone,
			reasons: []string{"on a warninglist of legitimate services (a helpline, a platform, a shortener, a gateway): it never links complaints"}},
		{name: "rejected", victims: many(30), decision: RejectIdentifier, want: TierNone,
			reasons: []string{"rejected by an analyst: it does not link complaints"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f fixture
			for k, v := range tt.victims {
				id := int64(k + 1)
				f.add(id, "", "phone:x")
				f.cs[k].Victim = v
				f.cs[k].LossPaisa = tt.loss * 100 / int64(len(tt.victims))
				if k == 0 {
					f.cs[k].LossPaisa += tt.loss*100 - tt.loss*100/int64(len(tt.victims))*int64(len(tt.victims))
				}
			}
			for k := range tt.others {
				id := int64(len(tt.victims) + k + 1)
				f.add(id, "", "wallet:w")
				if k == 0 {
					f.links = append(f.links, Link{1, f.id("wallet:w")})
				}
			}
			x := f.byKey["phone:x"]
			f.ids[x-1].Listed, f.ids[x-1].Finding, f.ids[x-1].Removal = tt.listed, tt.finding, tt.removal
			cfg := DefaultConfig()
			if tt.cfg != nil {
				cfg = *tt.cfg
			}
			var ds []Decision
			if tt.decision != "" {
				ds = append(ds, Decision{ID: 1, Kind: tt.decision, Identifier: x})
			}
			e := f.engine(t, cfg, ds...)
			a, ok := e.Assess(x)
			if !ok {
				t.Fatal("not found")
			}
			if a.Tier != tt.want {
				t.Errorf("tier %v, want %v", a.Tier, tt.want)
			}
			if d := cmp.Diff(tt.reasons, a.Reasons); d != "" {
				t.Errorf("reasons (-want +got):\n%s", d)
			}
			if a.LossPaisa != tt.loss*100 || a.Complaints != len(tt.victims) {
				t.Errorf("counts: %+v", a)
			}
		})
	}
}

func TestRupees(t *testing.T) {
	for paisa, want := range map[int64]string{0: "Rs 0", 100: "Rs 1", 99_900: "Rs 999", 100_000: "Rs 1,000",
		125_000_000: "Rs 1,250,000", 12_345_678_950: "Rs 123,456,789.50", -5_000_00: "Rs -5,000"} {
		if got := Rupees(paisa); got != want {
			t.Errorf("Rupees(%d) = %q, want %q", paisa, got, want)
		}
	}
}

func TestTierNames(t *testing.T) {
	got := []string{TierNone.String(), TierMedium.String(), TierHigh.String(), TierVeryHigh.String(), StateHeld.String()}
	if d := cmp.Diff([]string{"none", "medium", "high", "very high", "held"}, got); d != "" {
		t.Error(d)
	}
}
