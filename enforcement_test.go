package greyline_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

func fieldsOf(err error) []string {
	var out []string
	for _, f := range greyline.ErrorFields(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestEnforcementValidation(t *testing.T) {
	now := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	raid := func(edit func(*greyline.Raid)) error {
		r := greyline.Raid{OperationID: 1, At: now.Add(-time.Hour), City: "karachi", Province: "Sindh", Address: "Plot 12, Shahrah-e-Faisal",
			Outcome: greyline.RaidCentreFound, ScamPaisa: 100, RecoveredPaisa: 50, ReturnedPaisa: 10}
		edit(&r)
		return r.Validate(now)
	}
	fir := func(edit func(*greyline.FIR)) error {
		f := greyline.FIR{Number: "54/2025", RegisteredOn: now.Add(-time.Hour), Station: "NCCIA Karachi", City: "Karachi", Province: "Sindh",
			PECASections: []string{"14", "16"}, OtherLaws: []string{"PPC 420"}}
		edit(&f)
		return f.Validate(now)
	}
	suspect := func(edit func(*greyline.Suspect)) error {
		p := greyline.Suspect{Name: "Li Wei", Passport: "E12345678", Nationality: "cn", Gender: "male", Role: greyline.CentreManager}
		edit(&p)
		return p.Validate()
	}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"raid ok", raid(func(*greyline.Raid) {}), nil},
		{"raid in the future", raid(func(r *greyline.Raid) { r.At = now.Add(time.Hour) }), []string{"at"}},
		{"negative money", raid(func(r *greyline.Raid) { r.ScamPaisa, r.RecoveredPaisa, r.ReturnedPaisa = -1, -5, -6 }), []string{"scam_value_paisa", "recovered_paisa", "returned_paisa"}},
		{"more returned than recovered", raid(func(r *greyline.Raid) { r.ReturnedPaisa = 60 }), []string{"returned_paisa"}},
		{"raid without place", raid(func(r *greyline.Raid) { r.City, r.Province, r.Address, r.Outcome = "", "Nowhere", "", "" }), []string{"city", "province", "address", "outcome"}},
		{"fir ok", fir(func(*greyline.FIR) {}), nil},
		{"fir 26A", fir(func(f *greyline.FIR) { f.PECASections = []string{"26a"} }), nil},
		{"no such PECA section", fir(func(f *greyline.FIR) { f.PECASections = []string{"14", "99"} }), []string{"peca_sections[1]"}},
		{"fir in the future", fir(func(f *greyline.FIR) { f.RegisteredOn = now.AddDate(0, 0, 1) }), []string{"registered_on"}},
		{"fir citing nothing", fir(func(f *greyline.FIR) { f.PECASections, f.OtherLaws = nil, nil }), []string{"peca_sections"}},
		{"fir bad stage", fir(func(f *greyline.FIR) { f.Stage = "forgotten" }), []string{"stage"}},
		{"foreign suspect ok", suspect(func(*greyline.Suspect) {}), nil},
		{"pakistani suspect ok", suspect(func(p *greyline.Suspect) { p.Passport, p.Nationality, p.CNIC = "", "", "42101-1234567-1" }), nil},
		{"CNIC holder said foreign", suspect(func(p *greyline.Suspect) { p.Passport, p.Nationality, p.CNIC = "", "NG", "42101-1234567-1" }), []string{"nationality"}},
		{"bad passport", suspect(func(p *greyline.Suspect) { p.Passport = "E1" }), []string{"passport"}},
		{"no nationality", suspect(func(p *greyline.Suspect) { p.Passport, p.Nationality = "", "" }), []string{"nationality"}},
		{"bad role and gender", suspect(func(p *greyline.Suspect) { p.Role, p.Gender = "boss", "x" }), []string{"gender", "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil {
				if tt.err != nil {
					t.Fatalf("unexpected error: %v", tt.err)
				}
				return
			}
			if !errors.Is(tt.err, greyline.ErrInvalid) {
				t.Fatalf("err = %v", tt.err)
			}
			want := slices.Clone(tt.want)
			slices.Sort(want) // errors list their fields in order
			if diff := cmp.Diff(want, fieldsOf(tt.err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeizureValidation(t *testing.T) {
	for _, tt := range []struct {
		s    greyline.Seizure
		want []string
	}{
		{greyline.Seizure{Kind: greyline.SeizeCrypto, Wallet: "TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr", Amount: "15200.50"}, nil},
		{greyline.Seizure{Kind: greyline.SeizeCrypto, Amount: "1e9"}, []string{"wallet", "crypto_amount"}},
		{greyline.Seizure{Kind: greyline.SeizeCash}, []string{"cash_paisa"}},
		{greyline.Seizure{Kind: greyline.SeizeCash, CashPaisa: -5}, []string{"cash_paisa", "cash_paisa"}},
		{greyline.Seizure{Kind: greyline.SeizeDevice, Quantity: 40, Description: "Laptops"}, nil},
		{greyline.Seizure{Kind: "car"}, []string{"kind"}},
	} {
		err := tt.s.Validate()
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if diff := cmp.Diff(want, fieldsOf(err)); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.s, diff)
		}
	}
}
