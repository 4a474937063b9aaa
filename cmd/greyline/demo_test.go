package main

import (
	"strings"
	"testing"
)

func TestDemoCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out := c.mustRun("demo")
	if !strings.Contains(out, "admin@demo.greyline.pk") || !strings.Contains(out, "investigator@demo.greyline.pk") {
		t.Errorf("no demo logins printed:\n%s", out)
	}
	// The briefing's period holds the briefing's figures.
	rep := c.mustRun("report", "committee", "--from", "2025-01-01", "--to", "2025-08-31", "--format", "json")
	for _, want := range []string{`"raids": 63`, `"firs": 54`, `"scam_value_paisa": 72000000000`, `"recovered_paisa": 4000000000`} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	// A database with data is refused, naming why.
	c.wantExit(ExitConflict, []string{"not empty"}, "demo")
}
