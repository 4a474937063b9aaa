package greyline_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

func TestParseLendingCSV(t *testing.T) {
	good := "\ufeffName,Package_ID,Lender,Status\nBarwaqt,com.barwaqt.app,Seedcred Financial Services,Approved\n\nEasyLoan Cash,com.easyloan.cash,,illegal\n"
	apps, err := greyline.ParseLendingCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []*greyline.LendingApp{
		{PackageID: "com.barwaqt.app", Name: "Barwaqt", Lender: "Seedcred Financial Services", Status: greyline.LendingApproved},
		{PackageID: "com.easyloan.cash", Name: "EasyLoan Cash", Status: greyline.LendingIllegal},
	}
	if diff := cmp.Diff(want, apps); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ name, in, field string }{
		{"empty", "", "file"},
		{"no status column", "name,lender\nA,B\n", "file"},
		{"unknown column", "name,status,colour\nA,approved,red\n", "file"},
		{"no rows", "name,status\n", "file"},
		{"bad quoting", "name,status\n\"A,approved\n", "rows[1]"},
	} {
		_, err := greyline.ParseLendingCSV(strings.NewReader(tc.in))
		if !errors.Is(err, greyline.ErrInvalid) {
			t.Errorf("%s: %v, want invalid", tc.name, err)
			continue
		}
		if fs := greyline.ErrorFields(err); len(fs) == 0 || fs[0].Field != tc.field {
			t.Errorf("%s: fields %+v, want %s", tc.name, fs, tc.field)
		}
	}
}

func FuzzParseLendingCSV(f *testing.F) {
	f.Add("name,package_id,lender,status\nBarwaqt,com.barwaqt.app,Seedcred,approved\n")
	f.Add("package_id,name,status,notes\ncom.x.y,\"A, B\",illegal,\"multi\nline\"\n")
	f.Add("name,status\n")
	f.Fuzz(func(t *testing.T, in string) {
		apps, err := greyline.ParseLendingCSV(strings.NewReader(in))
		if err != nil {
			if greyline.ErrorCode(err) != greyline.EINVALID || len(greyline.ErrorFields(err)) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if len(apps) == 0 {
			t.Fatal("no error and no apps")
		}
		for _, a := range apps {
			if err := a.Validate(); err != nil && len(greyline.ErrorFields(err)) == 0 {
				t.Fatalf("validate: %v", err)
			}
		}
	})
}

func TestPlatforms(t *testing.T) {
	p, err := greyline.ParsePlatforms([]byte(`[{"code":"google_play","name":"Google Play","targets":["app"],"deadline_hours":48}]`))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := p.Find("google_play"); !ok || got.Deadline.Duration().Hours() != 48 {
		t.Errorf("found %+v %v", got, ok)
	}
	for _, tc := range []struct{ in, field string }{
		{`{}`, "platforms"},
		{`[]`, "platforms"},
		{`[{"code":"Bad Code","name":"x","targets":["app"],"deadline_hours":1}]`, "platforms[0].code"},
		{`[{"code":"a","name":"x","targets":["fax"],"deadline_hours":1}]`, "platforms[0].targets"},
		{`[{"code":"a","name":"x","targets":["app"],"deadline_hours":0}]`, "platforms[0].deadline_hours"},
		{`[{"code":"a","name":"x","targets":["app"],"deadline_hours":1},{"code":"a","name":"y","targets":["url"],"deadline_hours":1}]`, "platforms[1].code"},
	} {
		_, err := greyline.ParsePlatforms([]byte(tc.in))
		if fs := greyline.ErrorFields(err); len(fs) == 0 || fs[0].Field != tc.field {
			t.Errorf("%s: %v, want a %s error", tc.in, err, tc.field)
		}
	}
	if _, ok := greyline.DefaultPlatforms().Find("jazz"); !ok {
		t.Error("default platforms lack the mobile operators")
	}
}

func FuzzParsePlatforms(f *testing.F) {
	f.Add(`[{"code":"google_play","name":"Google Play","targets":["app"],"deadline_hours":48}]`)
	f.Add(`[{"code":"a","name":"b","targets":["url","social"],"deadline_hours":2160}]`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := greyline.ParsePlatforms([]byte(in))
		if err != nil {
			if len(greyline.ErrorFields(err)) == 0 {
				t.Fatalf("error %v names no field", err)
			}
			return
		}
		for _, pl := range p.List() {
			if pl.Code == "" || pl.Deadline < 1 || len(pl.Targets) == 0 {
				t.Fatalf("accepted %+v", pl)
			}
		}
	})
}

func TestTakedownWorkflow(t *testing.T) {
	moves := map[greyline.TakedownStatus][]greyline.TakedownStatus{}
	for _, from := range greyline.TakedownStatuses {
		for _, to := range greyline.TakedownStatuses {
			if from.CanMove(to) {
				moves[from] = append(moves[from], to)
			}
		}
	}
	want := map[greyline.TakedownStatus][]greyline.TakedownStatus{
		"requested":    {"acknowledged", "removed", "rejected"},
		"acknowledged": {"removed", "rejected"},
		"removed":      {"reappeared"},
		"reappeared":   {"acknowledged", "removed", "rejected"},
	}
	if diff := cmp.Diff(want, moves); diff != "" {
		t.Errorf("workflow (-want +got):\n%s", diff)
	}
}

func TestFeedCursor(t *testing.T) {
	for in, want := range map[string]greyline.FeedCursor{"": {}, "0.0": {}, "120.4031": {Indicator: 120, Tier: 4031}} {
		got, err := greyline.ParseFeedCursor(in)
		if err != nil || got != want || (in != "" && got.String() != in) {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"12", "a.b", "-1.2", "1.2.3", "1.-2"} {
		if _, err := greyline.ParseFeedCursor(bad); !errors.Is(err, greyline.ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseFeedCursor(f *testing.F) {
	f.Add("120.4031")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := greyline.ParseFeedCursor(in)
		if err == nil && in != "" {
			again, err := greyline.ParseFeedCursor(c.String())
			if err != nil || again != c {
				t.Fatalf("%q → %v → %v %v", in, c, again, err)
			}
		}
	})
}
