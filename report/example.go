package report

import (
	"time"

	"github.com/greyline/greyline"
)

// briefingCity is one city's share of the NCCIA briefing.
type briefingCity struct {
	city, province string
	raids, firs    int
	arrests        [2]int // Pakistani, foreign
	accusedPK      int
	foreign        []nat // foreign accused by nationality
	// Rupees uncovered, recovered and returned.
	scam, recovered, returned int64
}

type nat struct {
	code string
	n    int
}

// briefingCities add up to the figures NCCIA gave the Senate committee for
// January to August 2025.
var briefingCities = []briefingCity{
	{"Karachi", "Sindh", 19, 16, [2]int{36, 24}, 50,
		[]nat{{"CN", 10}, {"NG", 6}, {"LK", 4}, {"PH", 4}}, 150_000_000, 8_000_000, 3_000_000},
	{"Islamabad", "Islamabad Capital Territory", 17, 14, [2]int{60, 111}, 72,
		[]nat{{"CN", 48}, {"NG", 30}, {"PH", 14}, {"ID", 8}, {"VN", 6}, {"NP", 4}, {"CM", 2}}, 260_000_000, 15_000_000, 5_000_000},
	{"Lahore", "Punjab", 11, 10, [2]int{25, 22}, 40,
		[]nat{{"CN", 12}, {"NG", 8}, {"BD", 4}}, 90_000_000, 5_000_000, 1_500_000},
	{"Rawalpindi", "Punjab", 8, 7, [2]int{16, 2}, 19,
		[]nat{{"AF", 2}}, 40_000_000, 2_000_000, 500_000},
	{"Faisalabad", "Punjab", 7, 6, [2]int{56, 95}, 65,
		[]nat{{"CN", 41}, {"NG", 27}, {"PH", 12}, {"LK", 8}, {"TH", 4}, {"GH", 4}}, 170_000_000, 9_500_000, 2_500_000},
	{"Multan", "Punjab", 1, 1, [2]int{2, 1}, 2,
		[]nat{{"NG", 1}}, 10_000_000, 500_000, 0},
}

// briefingComplaints are complaints by category with the average loss in
// rupees: 1,200 of 2,000 are cyber-enabled fraud (60%), with reported
// losses of Rs 3,055,400,000.
var briefingComplaints = []struct {
	category string
	n        int
	avgLoss  int64
}{
	{"whatsapp_hijack", 180, 250_000},
	{"impersonation_family", 120, 300_000},
	{"impersonation_official", 150, 600_000},
	{"investment_scheme", 140, 12_000_000},
	{"crypto_investment", 90, 10_000_000},
	{"online_shopping", 130, 80_000},
	{"loan_app", 80, 150_000},
	{"phishing_otp", 160, 700_000},
	{"prize_lottery", 50, 200_000},
	{"job_task", 60, 1_500_000},
	{"romance", 20, 2_500_000},
	{"sim_identity", 20, 1_000_000},
	{"sextortion", 180, 50_000},
	{"harassment", 420, 0},
	{"other", 200, 100_000},
}

// complaintCities are where the example's complainants live.
var complaintCities = [][2]string{
	{"Karachi", "Sindh"}, {"Lahore", "Punjab"}, {"Islamabad", "Islamabad Capital Territory"},
	{"Rawalpindi", "Punjab"}, {"Faisalabad", "Punjab"}, {"Multan", "Punjab"},
	{"Peshawar", "Khyber Pakhtunkhwa"}, {"Quetta", "Balochistan"}, {"Hyderabad", "Sindh"}, {"Gujranwala", "Punjab"},
}

// BriefingExample is hand-made input that reproduces NCCIA's Senate
// briefing for 1 January to 31 August 2025: 63 raids (Karachi 19,
// Islamabad 17, Lahore 11, Rawalpindi 8, Faisalabad 7, Multan 1); 450
// arrests (195 Pakistani, 255 foreign); 507 accused (248 Pakistani, 259
// foreign); 54 FIRs; Rs 720,000,000 uncovered and Rs 40,000,000 recovered;
// cyber-enabled fraud 60% of complaints with reported losses over Rs 3
// billion. It also has a small licensing picture. It shows the shape the
// demo data must have.
func BriefingExample() Input {
	k := greyline.Karachi
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, k)
	const days = 243 // 1 January to 31 August 2025
	// at is the day-th day of the period (clamped to it) at hour PKT, in UTC
	// as storage holds it.
	at := func(day, hour int) time.Time {
		day = min(max(day, 0), days-1)
		return start.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour).UTC()
	}
	in := Input{
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2025, 8, 31, 0, 0, 0, 0, time.UTC),
		Now:  time.Date(2025, 9, 10, 10, 0, 0, 0, k).UTC(),
	}

	var raidID, firID int64
	for ci, c := range briefingCities {
		var raids []Raid
		for j := range c.raids {
			raidID++
			raids = append(raids, Raid{ID: raidID, Date: at(j*days/c.raids+ci*3, 11), City: c.city, Province: c.province})
		}
		in.Raids = append(in.Raids, raids...)

		var firs []FIR
		for j := range c.firs {
			firID++
			firs = append(firs, FIR{ID: firID, Date: at(j*days/c.firs+ci*3+1, 16), City: c.city, Province: c.province})
		}
		in.FIRs = append(in.FIRs, firs...)

		// Accused: the Pakistani ones, then the foreign ones by country. The
		// first arrests[0] Pakistani and arrests[1] foreign were arrested in
		// the city's raids, in turn.
		var people []string
		for range c.accusedPK {
			people = append(people, "PK")
		}
		for _, f := range c.foreign {
			for range f.n {
				people = append(people, f.code)
			}
		}
		arrestedPK, arrestedForeign := 0, 0
		for j, nationality := range people {
			arrested := false
			if nationality == "PK" && arrestedPK < c.arrests[0] {
				arrested, arrestedPK = true, arrestedPK+1
			} else if nationality != "PK" && arrestedForeign < c.arrests[1] {
				arrested, arrestedForeign = true, arrestedForeign+1
			}
			fir := firs[j%len(firs)]
			in.Accused = append(in.Accused, Accused{
				FIRID: fir.ID, Date: fir.Date, City: c.city, Province: c.province,
				Nationality: nationality, Arrested: arrested,
			})
			if arrested {
				raid := raids[j%len(raids)]
				in.Arrests = append(in.Arrests, Arrest{
					RaidID: raid.ID, Date: raid.Date, City: c.city, Province: c.province, Nationality: nationality,
				})
			}
		}

		in.Money = append(in.Money, Money{
			Date: firs[0].Date, City: c.city, Province: c.province,
			ScamPaisa: c.scam * 100, RecoveredPaisa: c.recovered * 100, ReturnedPaisa: c.returned * 100,
		})
	}

	i := 0
	for _, g := range briefingComplaints {
		cat, _ := greyline.CategoryByCode(g.category)
		for j := range g.n {
			// Losses vary around the average in pairs that cancel, so the
			// category's total stays n × average.
			loss := g.avgLoss
			if g.n%2 == 0 || j < g.n-1 {
				delta := g.avgLoss * int64(j/2%5) / 10
				if j%2 == 0 {
					loss -= delta
				} else {
					loss += delta
				}
			}
			place := complaintCities[i%len(complaintCities)]
			in.Complaints = append(in.Complaints, Complaint{
				ReceivedAt: at(i*days/2000, 9+i%10),
				City:       place[0], Province: place[1],
				Category: g.category, CyberFraud: cat.CyberFraud, LossPaisa: loss * 100,
			})
			i++
		}
	}

	// Licensing: 40 applications submitted in the period, three clearance
	// tasks each, and 30 licences.
	stages := []string{"granted", "submitted", "granted", "refused", "submitted", "granted", "granted", "withdrawn"}
	agencies := []struct {
		name       string
		base, span int
	}{{"PTA", 6, 9}, {"NCCIA", 9, 11}, {"SA", 12, 13}}
	for a := range 40 {
		place := complaintCities[a%len(complaintCities)]
		submitted := at(a*6, 10)
		stage := stages[a%len(stages)]
		in.Applications = append(in.Applications, Application{Stage: stage, Submitted: submitted, City: place[0], Province: place[1]})
		for _, ag := range agencies {
			c := Clearance{
				Agency: ag.name, Started: submitted, Deadline: submitted.AddDate(0, 0, 21),
				City: place[0], Province: place[1],
			}
			// Applications still under clearance wait on the security
			// agency; some of them past its deadline.
			if stage != "submitted" || ag.name != "SA" {
				d := submitted.AddDate(0, 0, ag.base+(a*7)%ag.span).Add(5 * time.Hour)
				c.Decided = &d
			}
			in.Clearances = append(in.Clearances, c)
		}
	}
	in.Applications = append(in.Applications, Application{Stage: "draft", City: "Karachi", Province: "Sindh"})
	statuses := []struct {
		status string
		n      int
	}{{"active", 20}, {"provisional", 4}, {"suspended", 2}, {"revoked", 1}, {"expired", 2}, {"surrendered", 1}}
	l := 0
	for _, s := range statuses {
		for range s.n {
			place := complaintCities[l%7]
			kind := string(greyline.CallCentre)
			if l%3 == 2 {
				kind = string(greyline.SoftwareHouse)
			}
			in.Licences = append(in.Licences, Licence{Status: s.status, Kind: kind, City: place[0], Province: place[1]})
			l++
		}
	}
	return in
}

// BriefingCity is one city's share of the NCCIA briefing, for data sets
// (the demo) that must reproduce it; money in rupees.
type BriefingCity struct {
	City, Province            string
	Raids, FIRs               int
	Arrests                   [2]int // Pakistani, foreign
	AccusedPakistani          int
	ForeignAccused            map[string]int // by ISO country code
	ForeignOrder              []string       // the codes, in the briefing's order
	Scam, Recovered, Returned int64
}

// BriefingCities returns the briefing's figures city by city (a copy).
func BriefingCities() []BriefingCity {
	out := make([]BriefingCity, len(briefingCities))
	for i, c := range briefingCities {
		b := BriefingCity{City: c.city, Province: c.province, Raids: c.raids, FIRs: c.firs, Arrests: c.arrests, AccusedPakistani: c.accusedPK,
			ForeignAccused: map[string]int{}, Scam: c.scam, Recovered: c.recovered, Returned: c.returned}
		for _, n := range c.foreign {
			b.ForeignAccused[n.code] = n.n
			b.ForeignOrder = append(b.ForeignOrder, n.code)
		}
		out[i] = b
	}
	return out
}

// CategoryMix is how many of the briefing's complaints are of a category,
// with their average loss in rupees.
type CategoryMix struct {
	Category string
	N        int
	AvgLoss  int64
}

// BriefingComplaints returns the briefing's complaints by category (a copy).
func BriefingComplaints() []CategoryMix {
	out := make([]CategoryMix, len(briefingComplaints))
	for i, g := range briefingComplaints {
		out[i] = CategoryMix{g.category, g.n, g.avgLoss}
	}
	return out
}
