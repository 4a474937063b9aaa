package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/greyline/greyline"
)

// TestTakedownsPageListsTakedowns: the queue shows its takedowns. The page
// failed (500) as soon as it listed one: the template passed the clock, not
// the time, to Overdue. TestTemplatesEscapeHostileInput found it.
func TestTakedownsPageListsTakedowns(t *testing.T) {
	e := newEnv(t)
	analyst := e.user(e.seeded("NCCIA"), greyline.RoleAnalyst)
	td := &greyline.Takedown{Target: greyline.TargetURL, Platform: "isp_blocking", Value: "https://easy-loan-pk.com/apply", LegalBasis: "PECA 2016 s.37"}
	if err := e.db.CreateTakedown(actorCtx(analyst), td); err != nil {
		t.Fatal(err)
	}
	h, _ := sessionFor(t, e, analyst, greyline.SessionFull)
	for _, path := range []string{"/takedowns", "/takedowns?queue=all", "/takedowns?overdue=1"} {
		rec := inproc(e, "", "GET", path, nil, h)
		if rec.Code != http.StatusOK || (!strings.Contains(path, "overdue") && !strings.Contains(rec.Body.String(), td.Reference)) {
			t.Errorf("GET %s: %d, want 200 listing %s\n%.500s", path, rec.Code, td.Reference, rec.Body)
		}
	}
}
