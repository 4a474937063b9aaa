package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/stix"
)

func TestExportStix(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	db := c.openStore()
	nccia, err := db.FindOrgByCode(sysCtx(), "NCCIA")
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(sysCtx(), greyline.NewUser{OrgID: nccia.ID, Email: "a@nccia.gov.pk", Name: "A", Roles: []greyline.Role{greyline.RoleAnalyst}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
	for _, td := range []*greyline.Takedown{
		{Target: greyline.TargetURL, Platform: "isp_blocking", Value: "https://fake-invest.pk/join", LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPGreen},
		{Target: greyline.TargetPhone, Platform: "jazz", Value: "0301-1234567", LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPAmberStrict},
		{Target: greyline.TargetPhone, Platform: "zong", Value: "0311-7654321", LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPRed},
	} {
		if err := db.CreateTakedown(ctx, td); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out := filepath.Join(t.TempDir(), "bundle.json")
	c.mustRun("export", "stix", "--out", out)
	kinds := func() []string {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := stix.Parse(b)
		if err != nil {
			t.Fatalf("the exported bundle does not parse: %v", err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, string(r.Kind)+" "+string(r.TLP))
		}
		return got
	}
	if diff := cmp.Diff([]string{"url green"}, kinds()); diff != "" {
		t.Errorf("default (amber) export (-want +got):\n%s", diff)
	}
	c.mustRun("export", "stix", "--tlp", "amber+strict", "--out", out)
	if diff := cmp.Diff([]string{"url green", "phone amber+strict"}, kinds()); diff != "" {
		t.Errorf("amber+strict export (-want +got):\n%s", diff)
	}
	c.wantExit(ExitInvalid, []string{"--tlp"}, "export", "stix", "--tlp", "red")
	c.wantExit(ExitInvalid, []string{"--since"}, "export", "stix", "--since", "last week")
	c.wantExit(ExitInvalid, []string{"stix"}, "export", "misp")
	if s := c.mustRun("export", "--help"); !strings.Contains(s, "STIX 2.1") {
		t.Errorf("help: %s", s)
	}
}
