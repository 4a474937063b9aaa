package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

func TestDataProtectionHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		usage   string
		options []string
	}{
		{[]string{"retention", "apply", "--help"}, "Usage: greyline retention apply", with(storeOptions, "dry-run", "retention-complainant")},
		{[]string{"subject", "export", "--help"}, "Usage: greyline subject export --cnic CNIC", with(storeOptions, "cnic")},
		{[]string{"keys", "rotate", "--help"}, "Usage: greyline keys <rotate|new|status>", with(storeOptions, "batch", "grace", "no-new-key", "retire-old")},
		{[]string{"keys", "new", "--help"}, "Usage: greyline keys <rotate|new|status>", with(storeOptions, "pending")},
		{[]string{"keys", "status", "--help"}, "Usage: greyline keys <rotate|new|status>", with(storeOptions)},
		{[]string{"keys", "--help"}, "rotate --retire-old", nil},
		{[]string{"retention", "--help"}, "--dry-run only counts", nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := newCLI(t)
			code, out, errs := c.run(tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			if !strings.Contains(strings.ToLower(out), strings.ToLower(tt.usage)) {
				t.Errorf("help lacks %q:\n%s", tt.usage, out)
			}
			var got []string
			for _, m := range helpOption.FindAllStringSubmatch(out, -1) {
				got = append(got, m[1])
			}
			if tt.options != nil && strings.Join(with(got), " ") != strings.Join(tt.options, " ") {
				t.Errorf("options %v, want %v", with(got), tt.options)
			}
		})
	}
	c := newCLI(t)
	c.wantExit(ExitInvalid, []string{"--retention-complainant", "at least 30 days"}, "retention", "apply", "--retention-complainant", "5d")
	c.wantExit(ExitInvalid, []string{"the only subcommand is \"apply\""}, "retention")
	c.wantExit(ExitInvalid, []string{"the subcommands are rotate, new and status"}, "keys", "spin")
	c.wantExit(ExitInvalid, []string{"--retire-old", "cannot go with --no-new-key"}, "keys", "rotate", "--retire-old", "--no-new-key")
}

// storeAt opens the CLI's database with the CLI's keyring and a clock of
// its own, for writing records dated in the past.
func (c *cli) storeAt(now func() time.Time) *sqlstore.DB {
	c.t.Helper()
	k, err := keys.LoadFile(filepath.Join(c.dataDir, "secret.key"))
	if err != nil {
		c.t.Fatal(err)
	}
	return c.storeWith(k, now)
}

func (c *cli) storeWith(k *keys.Keys, now func() time.Time) *sqlstore.DB {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sqlstore.Open(ctx, sqlstore.Options{DSN: c.env["GREYLINE_DATABASE"], DataDir: c.dataDir, Keys: k, Hasher: sqlstoretest.FastHasher, Now: now})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	return db
}

func complaintBy(name, cnic string, at time.Time) greyline.NewComplaint {
	return greyline.NewComplaint{Channel: greyline.ChannelHelpline, Category: "phishing_otp", ContactMethod: "call", IncidentAt: at.Add(-time.Hour),
		PaymentMethod: "bank_transfer", LossPaisa: 1_000_000, Narrative: "A caller from 0321-7654321 asked for my OTP.",
		Complainant: greyline.Complainant{Name: name, CNIC: cnic, City: "Lahore", Province: "Punjab"}}
}

// fileClosed files a complaint at a past time and closes it then.
func fileClosed(t *testing.T, db *sqlstore.DB, n greyline.NewComplaint) *greyline.Complaint {
	t.Helper()
	c, _, _, err := db.CreateComplaint(sysCtx(), n, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeComplaint(sysCtx(), c.ID, greyline.ComplaintChange{To: greyline.ComplaintClosed, Reason: "resolved", Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetentionCommand(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env["GREYLINE_DATABASE"] = sqlstoretest.DSN(t, engine)
			c.env["USER"] = "tester"
			c.mustRun("migrate")
			past := time.Now().AddDate(-6, 0, 0)
			old := fileClosed(t, c.storeAt(func() time.Time { return past }), complaintBy("Asma Bibi", "35202-1111111-2", past))
			recent := fileClosed(t, c.storeAt(time.Now), complaintBy("Bilal Ahmed", "35202-2222222-1", time.Now()))

			out := c.mustRun("retention", "apply", "--dry-run")
			if !strings.Contains(out, "would pseudonymise 1 complaint(s) of 1 complainant(s) past 5y") {
				t.Errorf("dry run:\n%s", out)
			}
			out = c.mustRun("retention", "apply")
			if !strings.HasPrefix(out, "pseudonymised 1 complaint(s) of 1 complainant(s) past 5y") {
				t.Errorf("run:\n%s", out)
			}
			db := c.storeAt(time.Now)
			for _, x := range []struct {
				c       *greyline.Complaint
				removed bool
			}{{old, true}, {recent, false}} {
				got, err := db.RevealComplaint(sysCtx(), x.c.ID)
				if err != nil || (got.ComplainantRemovedAt != nil) != x.removed || (got.Complainant.Name == "") != x.removed {
					t.Errorf("%s: %v %+v", x.c.Reference, err, got)
				}
			}
			evs, err := db.ListAudit(sysCtx(), greyline.AuditFilter{Action: "retention.apply"})
			if err != nil || len(evs) != 1 || evs[0].RequestID != "cli:tester" {
				t.Errorf("audit: %v %+v", err, evs)
			}
			if out := c.mustRun("retention", "apply", "--retention-complainant", "never"); !strings.Contains(out, "kept without limit") {
				t.Errorf("never:\n%s", out)
			}
		})
	}
}

func TestSubjectExportCommand(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	c.env["USER"] = "tester"
	db := c.storeAt(time.Now)
	fileClosed(t, db, complaintBy("Asma Bibi", "35202-1111111-2", time.Now()))
	out := c.mustRun("subject", "export", "--cnic", "3520211111112")
	var exp greyline.SubjectExport
	if err := json.Unmarshal([]byte(out), &exp); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(exp.Complaints) != 1 || exp.Complaints[0].Complaint.Complainant.Name != "Asma Bibi" || len(exp.Complaints[0].Messages) != 2 {
		t.Errorf("export:\n%s", out)
	}
	// The CNIC may come from the environment, out of the shell history.
	c.env["GREYLINE_CNIC"] = "35202-9999999-1"
	if out := c.mustRun("subject", "export"); !strings.Contains(out, `"complaints": []`) {
		t.Errorf("unknown CNIC:\n%s", out)
	}
	delete(c.env, "GREYLINE_CNIC")
	c.wantExit(ExitInvalid, []string{"--cnic", "is required"}, "subject", "export")
	c.wantExit(ExitInvalid, []string{"cnic", "must be a CNIC"}, "subject", "export", "--cnic", "12345")
	evs, err := db.ListAudit(sysCtx(), greyline.AuditFilter{Action: "subject.export"})
	if err != nil || len(evs) != 2 || evs[1].RequestID != "cli:tester" || strings.Contains(evs[1].RecordID, "1111111") {
		t.Errorf("audit: %v %+v", err, evs)
	}
}

// TestKeysRotateCommand: a running server keeps taking complaints while
// `greyline keys rotate` adds a key and re-seals everything; the old key
// is retired only once nothing uses it, and the server reads everything
// afterwards.
func TestKeysRotateCommand(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env["GREYLINE_DATABASE"] = sqlstoretest.DSN(t, engine)
			c.mustRun("migrate")
			keyFile := filepath.Join(c.dataDir, "secret.key")
			db := c.storeAt(time.Now)
			first := fileClosed(t, db, complaintBy("Asma Bibi", "35202-1111111-2", time.Now()))
			c.mustRun("user", "create", "--email", "helpline@example.pk", "--name", "Helpline", "--role", "helpline", "--org", "NCCIA")
			u, err := db.FindUserByEmail(sysCtx(), "helpline@example.pk")
			if err != nil {
				t.Fatal(err)
			}
			enrolTOTP(t, db, "helpline@example.pk")
			token, _, err := db.CreateAPIToken(greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID}), u.ID, greyline.NewAPIToken{Name: "t", Scopes: []string{"read", "write"}, ExpiresIn: 30})
			if err != nil {
				t.Fatal(err)
			}
			if out := c.mustRun("keys", "status"); !strings.Contains(out, "key 1 seals") || !strings.Contains(out, "key 1: 2 sealed value(s)") {
				t.Errorf("status:\n%s", out)
			}

			s := c.serve("--no-migrate")
			api := func(method, path string, body any) (int, []byte) {
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return 0, nil
				}
				defer resp.Body.Close()
				var out bytes.Buffer
				out.ReadFrom(resp.Body)
				return resp.StatusCode, out.Bytes()
			}
			// Complaints keep coming while the keys rotate.
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var filed []int64
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					n := complaintBy("Asma Bibi", "35202-1111111-2", time.Now())
					code, body := api("POST", "/api/v1/complaints", n)
					if code != http.StatusCreated {
						t.Errorf("complaint during rotation: %d %s", code, body)
						return
					}
					var got greyline.Complaint
					json.Unmarshal(body, &got)
					filed = append(filed, got.ID)
					time.Sleep(20 * time.Millisecond)
				}
			}()
			out := c.mustRun("keys", "rotate", "--grace", "3s", "--batch", "2")
			close(stop)
			wg.Wait()
			if !strings.Contains(out, "added key 2 to "+keyFile) || !strings.Contains(out, "everything is under key 2") || len(filed) < 10 {
				t.Errorf("rotate (%d complaints filed meanwhile):\n%s", len(filed), out)
			}

			// A process that never loaded key 2 writes under key 1: retiring
			// key 1 is refused until a pass re-seals that too.
			k1, err := keys.LoadFile(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			stale, err := keys.FromRing(k1.Ring()[:1])
			if err != nil {
				t.Fatal(err)
			}
			fileClosed(t, c.storeWith(stale, time.Now), complaintBy("Asma Bibi", "35202-1111111-2", time.Now()))
			out, _ = c.wantExit(ExitConflict, []string{"key(s) 1 are still in use"}, "keys", "rotate", "--retire-old")
			if !strings.Contains(out, "still under key 1: 1 value(s)") {
				t.Errorf("refused retirement:\n%s", out)
			}
			c.mustRun("keys", "rotate", "--no-new-key")
			if out := c.mustRun("keys", "rotate", "--retire-old"); !strings.Contains(out, "retired key(s) 1") {
				t.Errorf("retire:\n%s", out)
			}
			b, _ := os.ReadFile(keyFile)
			ring, err := keys.ParseRing(string(b))
			if err != nil || len(ring) != 1 || ring[0].ID != 2 {
				t.Fatalf("key file after retiring: %v %v", ring.IDs(), err)
			}

			// The running server loads the retired ring and reads
			// everything: the first complaint, those filed during the
			// rotation, and Asma's by her CNIC.
			time.Sleep(2*keyWatchEvery + 500*time.Millisecond)
			for _, id := range append([]int64{first.ID}, filed...) {
				if code, body := api("GET", fmt.Sprintf("/api/v1/complaints/%d/complainant", id), nil); code != http.StatusOK || !strings.Contains(string(body), "35202-1111111-2") {
					t.Fatalf("complaint %d after retiring key 1: %d %s", id, code, body)
				}
			}
			after := c.storeWith(func() *keys.Keys { k, _ := keys.FromRing(ring); return k }(), time.Now)
			if ids, err := after.ComplaintsByComplainant(sysCtx(), "35202-1111111-2"); err != nil || len(ids) != len(filed)+2 {
				t.Errorf("Asma's complaints under key 2 alone: %d, want %d (%v)", len(ids), len(filed)+2, err)
			}
			if out := c.mustRun("keys", "status"); !strings.Contains(out, "key 2 seals") || strings.Contains(out, "key 1") {
				t.Errorf("status after retiring:\n%s", out)
			}
			if code := s.stop(); code != ExitOK {
				t.Errorf("serve exited %d", code)
			}
		})
	}
}

// TestKeysGivenDirectly: with --secret-key, greyline writes no key file:
// `keys new` prints the ring to install, `keys rotate` re-seals to it.
func TestKeysGivenDirectly(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	old := fmt.Sprintf("%x", keys.Generate())
	c.env["GREYLINE_SECRET_KEY"] = old
	c.mustRun("migrate")
	k, _ := keys.New(mustHex(t, old))
	fileClosed(t, c.storeWith(k, time.Now), complaintBy("Asma Bibi", "35202-1111111-2", time.Now()))
	c.wantExit(ExitInvalid, []string{"--secret-key", "greyline keys new"}, "keys", "rotate")
	ringText := strings.TrimSpace(c.mustRun("keys", "new"))
	ring, err := keys.ParseRing(ringText)
	if err != nil || len(ring) != 2 || fmt.Sprintf("%x", ring[0].Secret) != old {
		t.Fatalf("keys new printed %q: %v", ringText, err)
	}
	c.env["GREYLINE_SECRET_KEY"] = ringText
	if out := c.mustRun("keys", "rotate", "--no-new-key"); !strings.Contains(out, "everything is under key 2") {
		t.Errorf("rotate:\n%s", out)
	}
	if out := c.mustRun("keys", "rotate", "--retire-old"); !strings.Contains(out, "remove them from GREYLINE_SECRET_KEY, keeping the entry 2:") {
		t.Errorf("retire:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "secret.key")); err == nil {
		t.Error("a key file was written although the keys were given directly")
	}
	c.env["GREYLINE_SECRET_KEY"] = ring.Only(2).OneLine()
	if out := c.mustRun("subject", "export", "--cnic", "35202-1111111-2"); !strings.Contains(out, "Asma Bibi") {
		t.Errorf("export under key 2 alone:\n%s", out)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	r, err := keys.ParseRing(s)
	if err != nil {
		t.Fatal(err)
	}
	return r[0].Secret
}

// TestServeAppliesRetention: the server applies the policy when it starts
// (and daily after).
func TestServeAppliesRetention(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	past := time.Now().AddDate(-3, 0, 0)
	old := fileClosed(t, c.storeAt(func() time.Time { return past }), complaintBy("Asma Bibi", "35202-1111111-2", past))
	s := c.serve("--no-migrate", "--retention-complainant", "2y")
	db := c.storeAt(time.Now)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := db.FindComplaint(sysCtx(), old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ComplainantRemovedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not apply the retention policy")
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
}
