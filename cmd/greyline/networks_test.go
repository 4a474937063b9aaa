package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

func TestNetworksRebuild(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	db := c.openStore()
	for i, narrative := range []string{"Caller 0321-7654321 took Rs 5,000.", "The same caller 0321-7654321 again.", "A call from 0333-1112223."} {
		_, _, _, err := db.CreateComplaint(sysCtx(), greyline.NewComplaint{Channel: greyline.ChannelHelpline,
			Complainant: greyline.Complainant{Name: "V", Phone: "0300-100000" + string(rune('0'+i)), City: "Lahore"}, Category: "other",
			ContactMethod: "call", IncidentAt: time.Now().Add(-time.Hour), PaymentMethod: "none", Narrative: narrative}, "")
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out := c.mustRun("networks", "rebuild")
	if !strings.Contains(out, "3 complaints, 2 identifiers, 3 links: 1 networks of two or more (largest 2 complaints)") {
		t.Errorf("summary:\n%s", out)
	}
	if !regexp.MustCompile(`rebuilt in \d+(\.\d+)?m?s \(read .+, build .+, save tiers .+\)`).MatchString(out) {
		t.Errorf("no timing:\n%s", out)
	}
	// A bad warninglist is named, with its line.
	bad := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(bad, []byte("phone not-a-number\n"), 0o600)
	c.wantExit(ExitInvalid, []string{"--warninglist", "line 1"}, "networks", "rebuild", "--warninglist", bad)
	c.wantExit(ExitInvalid, []string{"--hold-complaints"}, "networks", "rebuild", "--hold-complaints", "1")
	c.wantExit(ExitInvalid, []string{"rebuild"}, "networks", "frobnicate")
}
