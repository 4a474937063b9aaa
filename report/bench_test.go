package report

import (
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

// yearInput is a year of synthetic facts at the scale the issue names:
// 60,000 complaints, 1,000 raids, 10,000 arrests, 12,000 accused, 800 FIRs,
// 5,000 applications, 15,000 clearance tasks and 3,000 licences.
func yearInput() Input {
	rnd := rand.New(rand.NewPCG(6, 3))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, greyline.Karachi)
	when := func() time.Time {
		return start.Add(time.Duration(rnd.Int64N(int64(365 * 24 * time.Hour)))).UTC()
	}
	places := [][2]string{
		{"Karachi", "Sindh"}, {"Lahore", "Punjab"}, {"Islamabad", "Islamabad Capital Territory"},
		{"Rawalpindi", "Punjab"}, {"Faisalabad", "Punjab"}, {"Multan", "Punjab"}, {"Peshawar", "Khyber Pakhtunkhwa"},
		{"Quetta", "Balochistan"}, {"Hyderabad", "Sindh"}, {"Gujranwala", "Punjab"}, {"Sialkot", "Punjab"}, {"Gilgit", "Gilgit-Baltistan"},
	}
	place := func() [2]string { return places[rnd.IntN(len(places))] }
	nats := []string{"PK", "PK", "PK", "CN", "NG", "PH", "LK", "ID", "VN", "NP", "BD", "TH", "CM", "GH"}
	in := Input{
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
		Now: time.Date(2026, 1, 5, 10, 0, 0, 0, greyline.Karachi),
	}
	for i := range 1000 {
		p := place()
		in.Raids = append(in.Raids, Raid{ID: int64(i), Date: when(), City: p[0], Province: p[1]})
	}
	for range 10_000 {
		raid := in.Raids[rnd.IntN(len(in.Raids))]
		in.Arrests = append(in.Arrests, Arrest{RaidID: raid.ID, Date: raid.Date, City: raid.City, Province: raid.Province, Nationality: nats[rnd.IntN(len(nats))]})
	}
	for i := range 800 {
		p := place()
		in.FIRs = append(in.FIRs, FIR{ID: int64(i), Date: when(), City: p[0], Province: p[1]})
		in.Money = append(in.Money, Money{Date: when(), City: p[0], Province: p[1], ScamPaisa: rnd.Int64N(1e10), RecoveredPaisa: rnd.Int64N(1e9)})
	}
	for range 12_000 {
		f := in.FIRs[rnd.IntN(len(in.FIRs))]
		in.Accused = append(in.Accused, Accused{FIRID: f.ID, Date: f.Date, City: f.City, Province: f.Province, Nationality: nats[rnd.IntN(len(nats))], Arrested: rnd.IntN(5) > 0})
	}
	for range 60_000 {
		p := place()
		c := greyline.Categories[rnd.IntN(len(greyline.Categories))]
		in.Complaints = append(in.Complaints, Complaint{ReceivedAt: when(), City: p[0], Province: p[1], Category: c.Code, CyberFraud: c.CyberFraud, LossPaisa: rnd.Int64N(1e8)})
	}
	stages := []string{"submitted", "granted", "refused", "withdrawn"}
	for range 5000 {
		p := place()
		sub := when()
		in.Applications = append(in.Applications, Application{Stage: stages[rnd.IntN(len(stages))], Submitted: sub, City: p[0], Province: p[1]})
		for _, ag := range []string{"PTA", "NCCIA", "SA"} {
			c := Clearance{Agency: ag, Started: sub, Deadline: sub.AddDate(0, 0, 21), City: p[0], Province: p[1]}
			if rnd.IntN(10) > 0 {
				d := sub.Add(time.Duration(rnd.Int64N(int64(40 * 24 * time.Hour))))
				c.Decided = &d
			}
			in.Clearances = append(in.Clearances, c)
		}
	}
	statuses := []string{"provisional", "active", "active", "active", "suspended", "revoked", "expired", "surrendered"}
	for range 3000 {
		p := place()
		in.Licences = append(in.Licences, Licence{Status: statuses[rnd.IntN(len(statuses))], Kind: []string{"call_centre", "software_house"}[rnd.IntN(2)], City: p[0], Province: p[1]})
	}
	return in
}

// TestYearUnderOneSecond is the bound, with a wide margin for slow
// or instrumented (-race) runs; BenchmarkBuild gives the real figure.
func TestYearUnderOneSecond(t *testing.T) {
	in := yearInput()
	start := time.Now()
	r, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Build took %v for a year of data, want under 1 s", d)
	}
	if r.Complaints.Total != 60_000 || r.Raids != 1000 || r.Arrests.Total != 10_000 || r.Accused.Total != 12_000 || r.FIRs != 800 {
		t.Errorf("counted %d complaints, %d raids, %d arrests, %d accused, %d FIRs", r.Complaints.Total, r.Raids, r.Arrests.Total, r.Accused.Total, r.FIRs)
	}
	renderAll(t, r)
}

func BenchmarkBuild(b *testing.B) {
	in := yearInput()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender is everything a download does after Build: JSON aside,
// the text, CSVs, charts and PDF.
func BenchmarkRender(b *testing.B) {
	r, err := Build(yearInput())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = r.WriteText(io.Discard)
		for _, t := range r.Tables() {
			_ = t.WriteCSV(io.Discard)
		}
		_ = r.Charts()
		_ = r.WritePDF(io.Discard)
	}
}
