package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/report"
)

// Operation Grey from January to August 2025, city by city, in the figures
// NCCIA gave the Senate committee (the same split as
// report.BriefingExample, so the report's tables match it).

type cityBriefing struct {
	city       string
	province   greyline.Province
	cnicRegion int // first digit of local CNICs
	raids      int
	firs       int
	arrests    [2]int // Pakistani, foreign
	accusedPK  int
	foreign    []nationality // foreign accused by country
	// Rupees uncovered, recovered and returned to victims.
	scam, recovered, returned int64
	areas                     []string
}

type nationality struct {
	code string
	n    int
}

// cityDetails are what the demo adds to the briefing's figures for each
// city: the first digit of local CNICs, and areas where centres were raided.
var cityDetails = map[string]struct {
	cnicRegion int
	areas      []string
}{
	"Karachi":    {4, []string{"Clifton Block 5", "DHA Phase 6", "Gulshan-e-Iqbal Block 13", "PECHS Block 2", "Shahrah-e-Faisal", "North Nazimabad Block H"}},
	"Islamabad":  {6, []string{"F-11 Markaz", "Blue Area", "G-9 Markaz", "I-8 Markaz", "E-11/2", "DHA Phase 2", "Bahria Enclave"}},
	"Lahore":     {3, []string{"Gulberg III", "Johar Town", "DHA Phase 5", "Model Town", "Township"}},
	"Rawalpindi": {3, []string{"Bahria Town Phase 7", "Saddar", "Satellite Town", "Chaklala Scheme III"}},
	"Faisalabad": {3, []string{"D Ground", "Peoples Colony", "Madina Town", "Kohinoor City"}},
	"Multan":     {3, []string{"Gulgasht Colony"}},
}

// briefing is the briefing's figures (one source: package report) with
// the demo's details.
var briefing = func() []cityBriefing {
	var out []cityBriefing
	for _, c := range report.BriefingCities() {
		d := cityDetails[c.City]
		b := cityBriefing{city: c.City, province: greyline.Province(c.Province), cnicRegion: d.cnicRegion, raids: c.Raids, firs: c.FIRs,
			arrests: c.Arrests, accusedPK: c.AccusedPakistani, scam: c.Scam, recovered: c.Recovered, returned: c.Returned, areas: d.areas}
		for _, code := range c.ForeignOrder {
			b.foreign = append(b.foreign, nationality{code, c.ForeignAccused[code]})
		}
		out = append(out, b)
	}
	return out
}()

// Briefing totals, for tests and for anyone checking the demo.
const (
	Raids            = 63
	ArrestsPakistani = 195
	ArrestsForeign   = 255
	AccusedPakistani = 248
	AccusedForeign   = 259
	FIRs             = 54
	ScamPaisa        = 720_000_000_00
	RecoveredPaisa   = 40_000_000_00
)

// courtStages is where the 54 FIRs' cases stand: most still with the
// investigators or the courts, convictions rare, and some stayed or
// reopened by court order.
var courtStages = func() []greyline.CourtStage {
	var out []greyline.CourtStage
	for _, s := range []struct {
		stage greyline.CourtStage
		n     int
	}{{greyline.StageInvestigation, 20}, {greyline.StageChallan, 14}, {greyline.StageTrial, 10}, {greyline.StageConvicted, 3}, {greyline.StageAcquitted, 2}, {greyline.StageStayed, 5}} {
		for range s.n {
			out = append(out, s.stage)
		}
	}
	return out
}()

// stagePath is how a case reaches a stage, one court step at a time.
var stagePath = map[greyline.CourtStage][]greyline.CourtStage{
	greyline.StageInvestigation: nil,
	greyline.StageChallan:       {greyline.StageChallan},
	greyline.StageTrial:         {greyline.StageChallan, greyline.StageTrial},
	greyline.StageConvicted:     {greyline.StageChallan, greyline.StageTrial, greyline.StageConvicted},
	greyline.StageAcquitted:     {greyline.StageChallan, greyline.StageTrial, greyline.StageAcquitted},
	greyline.StageStayed:        {greyline.StageStayed},
}

var stageNotes = map[greyline.CourtStage]string{
	greyline.StageChallan:   "Challan submitted to the court.",
	greyline.StageTrial:     "Charges framed; trial under way.",
	greyline.StageConvicted: "Convicted under PECA 2016 s.14 and PPC 420.",
	greyline.StageAcquitted: "Acquitted: the court found the evidence insufficient.",
	greyline.StageStayed:    "The High Court stayed proceedings and ordered the premises de-sealed.",
}

// operationGrey records the operation: raids, the persons found and named,
// arrests, FIRs with their court stages, seizures and money.
func (d loader) operationGrey(r *rand.Rand, ns []*network, cs []*periodComplaint) error {
	e := d.s.Enforcement
	ctx := d.users["investigator@demo.greyline.pk"]
	op := &greyline.Operation{Name: "Operation Grey", StartsOn: PeriodFrom, EndsOn: PeriodTo,
		Scope: "Illegal call centres defrauding callers at home and abroad: raids, arrests of Pakistani and foreign staff, FIRs under PECA 2016, seizures and recoveries."}
	if err := e.CreateOperation(ctx, op); err != nil {
		return err
	}
	stages := append([]greyline.CourtStage(nil), courtStages...)
	r.Shuffle(len(stages), func(i, j int) { stages[i], stages[j] = stages[j], stages[i] })
	firNo := 0
	for ci, c := range briefing {
		raids := make([]*greyline.Raid, c.raids)
		// The first c.firs raids found operating centres, each with an
		// FIR; the rest found the premises empty or nothing at all.
		found := make([]*greyline.Raid, 0, c.firs)
		for j := range raids {
			day := j*periodDays/c.raids + ci*3 + r.IntN(4)
			rd := &greyline.Raid{OperationID: op.ID, At: periodAt(min(day, periodDays-4), 10+r.IntN(8), 15*r.IntN(4)).UTC(),
				City: c.city, Province: c.province,
				Address: fmt.Sprintf("Floor %d, Plaza %d, %s, %s", 1+r.IntN(5), 10+r.IntN(90), pick(r, c.areas), c.city),
				Team:    "NCCIA Cyber Crime Circle " + c.city, Outcome: greyline.RaidCentreFound}
			raids[j] = rd
		}
		// Centres found are spread through the period, not bunched at its start.
		order := r.Perm(c.raids)
		for k, j := range order {
			if k >= c.firs {
				raids[j].Outcome = greyline.RaidCentreAbandoned
				if k%2 == 1 {
					raids[j].Outcome = greyline.RaidNothingFound
				}
			}
		}
		for _, rd := range raids {
			if rd.Outcome == greyline.RaidCentreFound {
				found = append(found, rd)
			}
		}
		// Money, split over the centres found by weight; the last takes
		// what rounding leaves, so the city's totals are exact.
		weights, sum := make([]int64, len(found)), int64(0)
		for i := range weights {
			weights[i] = int64(1 + r.IntN(5))
			sum += weights[i]
		}
		var scam, rec, ret int64
		for i, rd := range found {
			if i == len(found)-1 {
				rd.ScamPaisa, rd.RecoveredPaisa, rd.ReturnedPaisa = c.scam*100-scam, c.recovered*100-rec, c.returned*100-ret
				break
			}
			rd.ScamPaisa, rd.RecoveredPaisa, rd.ReturnedPaisa = c.scam*100*weights[i]/sum, c.recovered*100*weights[i]/sum, c.returned*100*weights[i]/sum
			scam, rec, ret = scam+rd.ScamPaisa, rec+rd.RecoveredPaisa, ret+rd.ReturnedPaisa
		}
		// The networks that led to a raid: their complaints received
		// before it.
		nets := make([]*network, len(found))
		for _, n := range ns {
			if n.raidCity == c.city {
				nets[n.raidIndex] = n
			}
		}
		for i, rd := range found {
			if n := nets[i]; n != nil {
				for _, k := range n.complaints {
					if !cs[k].row.ReceivedAt.After(rd.At) {
						rd.Complaints = append(rd.Complaints, cs[k].id)
					}
				}
				rd.Notes = "Led by complaints of the network " + n.name + "."
			}
		}
		for _, rd := range raids {
			if err := e.RecordRaid(ctx, rd); err != nil {
				return fmt.Errorf("raid in %s: %w", c.city, err)
			}
		}

		// The persons: Pakistani accused first, then foreign by country;
		// the first arrests[0] and arrests[1] of them were arrested. Each is
		// named in one centre's FIR, and arrested in its raid.
		type person struct {
			s        *greyline.Suspect
			arrested bool
			centre   int
		}
		var people []person
		for i := range c.accusedPK {
			name, gender, cnic := pakistani(r, c.cnicRegion)
			people = append(people, person{s: &greyline.Suspect{Name: name, Gender: gender, CNIC: cnic}, arrested: i < c.arrests[0]})
		}
		arrestedForeign := 0
		for _, f := range c.foreign {
			for range f.n {
				name, gender, pass := foreigner(r, f.code)
				people = append(people, person{s: &greyline.Suspect{Name: name, Gender: gender, Passport: pass, Nationality: f.code}, arrested: arrestedForeign < c.arrests[1]})
				arrestedForeign++
			}
		}
		accused := make([][]int64, len(found))
		for i := range people {
			p := &people[i]
			p.centre = i % len(found)
			// The first named at each centre ran it; then a manager and
			// the IT man; the rest made the calls.
			switch len(accused[p.centre]) {
			case 0:
				p.s.Role = greyline.CentreOwner
			case 1:
				p.s.Role = greyline.CentreManager
			case 2:
				p.s.Role = greyline.CentreIT
			default:
				p.s.Role = greyline.CentreCaller
			}
			if err := e.AddSuspect(ctx, p.s); err != nil {
				return fmt.Errorf("person in %s: %w", c.city, err)
			}
			accused[p.centre] = append(accused[p.centre], p.s.ID)
			if p.arrested {
				rd := found[p.centre]
				if err := e.RecordArrest(ctx, &greyline.Arrest{SuspectID: p.s.ID, RaidID: rd.ID, OperationID: op.ID, At: rd.At.Add(time.Duration(20+r.IntN(90)) * time.Minute)}); err != nil {
					return fmt.Errorf("arrest in %s: %w", c.city, err)
				}
			}
		}

		for i, rd := range found {
			firNo += 1 + r.IntN(4)
			f := &greyline.FIR{Number: fmt.Sprintf("%d/2025", firNo), RegisteredOn: rd.At.Add(time.Duration(20+r.IntN(6)) * time.Hour),
				Station: "NCCIA Cyber Crime Circle " + c.city, City: c.city, Province: c.province,
				PECASections: []string{"13", "14", "16"}, OtherLaws: []string{"PPC 420", "PPC 109"},
				RaidID: rd.ID, Accused: accused[i], Complaints: rd.Complaints}
			if r.IntN(3) == 0 {
				f.PECASections = append(f.PECASections, "25", "26")
			}
			for j, p := range people {
				if j%len(found) == i && !p.s.Pakistani() {
					f.OtherLaws = append(f.OtherLaws, "Foreigners Act 1946 s.14")
					break
				}
			}
			if err := e.RegisterFIR(ctx, f); err != nil {
				return fmt.Errorf("FIR in %s: %w", c.city, err)
			}
			stage := stages[0]
			stages = stages[1:]
			for _, s := range stagePath[stage] {
				if f2, err := e.SetCourtStage(ctx, f.ID, f.Version, s, stageNotes[s]); err != nil {
					return fmt.Errorf("FIR %s to %s: %w", f.Number, s, err)
				} else {
					f = f2
				}
			}
			if err := d.seize(ctx, r, rd, nets[i]); err != nil {
				return fmt.Errorf("seizure in %s: %w", c.city, err)
			}
		}
		// Abandoned centres left equipment behind.
		for _, rd := range raids {
			if rd.Outcome == greyline.RaidCentreAbandoned {
				if err := e.RecordSeizure(ctx, &greyline.Seizure{RaidID: rd.ID, Kind: greyline.SeizeDevice, Description: "Computers and headsets left on the premises", Quantity: 4 + r.IntN(20)}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// seize records what a centre's raid seized: computers, phones, SIMs,
// sometimes cash, and the crypto wallet of the network it ran.
func (d loader) seize(ctx context.Context, r *rand.Rand, rd *greyline.Raid, n *network) error {
	list := []*greyline.Seizure{
		{Kind: greyline.SeizeDevice, Description: "Desktop computers, laptops and VoIP headsets", Quantity: 15 + r.IntN(80)},
		{Kind: greyline.SeizeDevice, Description: "Mobile phones", Quantity: 5 + r.IntN(40)},
		{Kind: greyline.SeizeSIM, Description: "SIM cards, many issued on other people's CNICs", Quantity: 20 + r.IntN(300)},
	}
	if r.IntN(2) == 0 {
		list = append(list, &greyline.Seizure{Kind: greyline.SeizeCash, Description: "Cash in Pakistani rupees and US dollars", Quantity: 1, CashPaisa: int64(50_000+r.IntN(2_000_000)) * 100})
	}
	if n != nil && n.crypto != "" {
		list = append(list, &greyline.Seizure{Kind: greyline.SeizeCrypto, Description: "USDT wallet found on the owner's laptop", Wallet: n.crypto, Amount: fmt.Sprintf("%d.%02d", 1000+r.IntN(90_000), r.IntN(100))})
	}
	for _, s := range list {
		s.RaidID = rd.ID
		if err := d.s.Enforcement.RecordSeizure(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
