package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/briefing.json from the current output")

// TestBriefing checks that BriefingExample reproduces, in the JSON, every
// figure NCCIA gave the Senate committee for January to August 2025.
func TestBriefing(t *testing.T) {
	r, err := Build(BriefingExample())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		From       string `json:"from"`
		To         string `json:"to"`
		Raids      int    `json:"raids"`
		FIRs       int    `json:"firs"`
		Arrests    map[string]int
		Accused    map[string]int
		Scam       int64            `json:"scam_value_paisa"`
		Recovered  int64            `json:"recovered_paisa"`
		ByCity     []map[string]any `json:"by_city"`
		Complaints struct {
			Total      int     `json:"total"`
			Share      float64 `json:"cyber_fraud_share"`
			Loss       int64   `json:"loss_paisa"`
			CyberLoss  int64   `json:"cyber_fraud_loss_paisa"`
			CyberCount int     `json:"cyber_fraud"`
		} `json:"complaints"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	type city struct {
		City                                 string
		Raids, ArrPK, ArrF, AccPK, AccF, FIR int
	}
	var cities []city
	for _, c := range j.ByCity {
		n := func(k string) int { return int(c[k].(float64)) }
		cities = append(cities, city{c["city"].(string), n("raids"), n("arrests_pakistani"), n("arrests_foreign"),
			n("accused_pakistani"), n("accused_foreign"), n("firs")})
	}
	type figures struct {
		From, To                 string
		Raids, FIRs              int
		ArrPK, ArrF, AccPK, AccF int
		Scam, Recovered          int64
		Complaints               int
		Share                    float64
		Cities                   []city
	}
	got := figures{j.From, j.To, j.Raids, j.FIRs, j.Arrests["pakistani"], j.Arrests["foreign"],
		j.Accused["pakistani"], j.Accused["foreign"], j.Scam, j.Recovered, j.Complaints.Total, j.Complaints.Share, cities}
	want := figures{
		From: "2025-01-01", To: "2025-08-31",
		Raids: 63, FIRs: 54, ArrPK: 195, ArrF: 255, AccPK: 248, AccF: 259,
		Scam: 720_000_000_00, Recovered: 40_000_000_00,
		Complaints: 2000, Share: 0.6,
		Cities: []city{
			{"Karachi", 19, 36, 24, 50, 24, 16},
			{"Islamabad", 17, 60, 111, 72, 112, 14},
			{"Lahore", 11, 25, 22, 40, 24, 10},
			{"Rawalpindi", 8, 16, 2, 19, 2, 7},
			{"Faisalabad", 7, 56, 95, 65, 96, 6},
			{"Multan", 1, 2, 1, 2, 1, 1},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("briefing figures (-want +got):\n%s", d)
	}
	if j.Arrests["pakistani"]+j.Arrests["foreign"] != 450 || j.Accused["pakistani"]+j.Accused["foreign"] != 507 {
		t.Errorf("arrests %v, accused %v; want 450 and 507 in all", j.Arrests, j.Accused)
	}
	// "Reported losses over Rs 3 billion", both for cyber-enabled fraud and
	// for all complaints.
	if j.Complaints.CyberLoss <= 3_000_000_000_00 || j.Complaints.Loss <= 3_000_000_000_00 {
		t.Errorf("losses %d (cyber %d) paisa; want over Rs 3 billion", j.Complaints.Loss, j.Complaints.CyberLoss)
	}

	// The briefing's words about the accused.
	acc := map[string][2]int{}
	for _, c := range cities {
		acc[c.City] = [2]int{c.AccPK, c.AccF}
	}
	for _, top := range []string{"Islamabad", "Faisalabad"} {
		for other, v := range acc {
			if other == "Islamabad" || other == "Faisalabad" {
				continue
			}
			if acc[top][0] <= v[0] || acc[top][1] <= v[1] {
				t.Errorf("%s accused %v do not exceed %s's %v in both kinds", top, acc[top], other, v)
			}
		}
	}
	for _, c := range []string{"Karachi", "Rawalpindi"} {
		if acc[c][0] <= acc[c][1] {
			t.Errorf("%s: %d Pakistani accused, not more than %d foreign", c, acc[c][0], acc[c][1])
		}
	}
	if m := acc["Multan"]; m[0]+m[1] > 5 {
		t.Errorf("Multan has %d accused; the briefing says very few", m[0]+m[1])
	}

	// The whole JSON, byte for byte, so that any change to the report's
	// shape or figures is seen in review.
	golden := filepath.Join("testdata", "briefing.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want2, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestBriefing -update to create it)", err)
	}
	if d := cmp.Diff(string(bytes.TrimSpace(want2)), string(raw)); d != "" {
		t.Errorf("JSON differs from %s (-want +got):\n%s", golden, d)
	}
}
