package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// secondServer starts another server on the same database with its own
// connection pool and in-memory indexes, following the change log as
// cmd/greyline does.
func secondServer(t *testing.T, e *testEnv, every time.Duration) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db := sqlstoretest.Open(t, e.engine, sqlstoretest.Options{Now: e.clock.Now, DSN: e.dsn})
	seq, err := db.LatestChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nets := fraudnet.New(db, fraudnet.Options{})
	if _, err := nets.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	w, r := db.Pools()
	srv, err := New(Config{}, Deps{Takedowns: db, Watch: mustWatch(t, db), Enforcement: db, Reports: db, Users: db, Orgs: db, Auth: db, Audit: db, Health: db, Keys: sqlstoretest.TestKeys(t), Now: e.clock.Now,
		Businesses: db, Applications: db, Clearance: db, Licences: db, Registry: db, Signing: e.srv.signing, Complaints: db,
		Networks: nets, Changes: db, Pools: map[string]*sql.DB{"writer": w, "reader": r}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.RebuildRegistry(ctx); err != nil {
		t.Fatal(err)
	}
	srv.FollowFrom(seq)
	go srv.Follow(ctx, every)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// within polls check until it holds, failing after limit.
func within(t *testing.T, limit time.Duration, what string, check func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !check() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not seen within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestTwoServersOneDatabase: a complaint filed on one server, and a
// licence suspended on it, show in the other's lookups within a second.
func TestTwoServersOneDatabase(t *testing.T) {
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnvWith(t, envOptions{engine: engine})
			ls := vtRegistryFixture(t, e)
			b := secondServer(t, e, 200*time.Millisecond)
			getB := func(path, token string, out any) {
				t.Helper()
				req := httptest.NewRequest("GET", b.URL+path, nil)
				req.RequestURI = ""
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := b.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
					t.Fatal(err)
				}
			}
			partner := e.token(e.user(e.org("BANKZ", greyline.OrgBank, false), greyline.RolePartner), "read", "write")

			// A complaint on server A shows in server B's suspect registry.
			for i := range 2 {
				resp, body := e.api("POST", "/api/v1/complaints", partner, map[string]any{"external_ref": "Z-" + string(rune('a'+i)),
					"complainant": map[string]any{"name": "V", "phone": "0300-100000" + string(rune('1'+i)), "city": "Multan"}, "category": "phishing_otp",
					"contact_method": "call", "incident_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "payment_method": "none",
					"narrative": "The caller 0321-5550001 asked for my OTP."})
				if resp.StatusCode != 201 {
					t.Fatalf("complaint: %d %s", resp.StatusCode, body)
				}
			}
			took := within(t, time.Second, "the complaints on the other server", func() bool {
				var s fraudnet.Suspect
				getB("/api/v1/suspects?q=03215550001", partner, &s)
				return s.Complaints == 2
			})
			t.Logf("complaints seen by the other server after %s", took)

			// A licence suspended on server A reads suspended on server B.
			ravi := ls[2]
			var before Lookup
			getB("/api/v1/verify?q=%2B924235761234", "", &before)
			if !before.Licensed {
				t.Fatalf("before: %+v", before)
			}
			ravi.changeStatus(t, e, "NCCIA", greyline.LicenceSuspended)
			took = within(t, time.Second, "the suspension on the other server", func() bool {
				var l Lookup
				getB("/api/v1/verify?q=%2B924235761234", "", &l)
				return !l.Licensed && len(l.Licences) == 1 && strings.EqualFold(l.Licences[0].Status, "suspended")
			})
			t.Logf("suspension seen by the other server after %s", took)
		})
	}
}

// TestExclusiveJobs: a job held by one server is skipped by another.
func TestExclusiveJobs(t *testing.T) {
	for _, engine := range sqlstoretest.Engines(t) {
		if engine != sqlstore.Postgres {
			continue // one server per SQLite database: jobs always run
		}
		t.Run(string(engine), func(t *testing.T) {
			e := newEnvWith(t, envOptions{engine: engine})
			db2 := sqlstoretest.Open(t, engine, sqlstoretest.Options{DSN: e.dsn})
			ctx := context.Background()
			inside := make(chan struct{})
			release := make(chan struct{})
			done := make(chan bool)
			go func() {
				ran, err := e.db.Exclusive(ctx, "job", func(context.Context) error { close(inside); <-release; return nil })
				if err != nil {
					t.Error(err)
				}
				done <- ran
			}()
			<-inside
			ran, err := db2.Exclusive(ctx, "job", func(context.Context) error { return nil })
			if err != nil || ran {
				t.Errorf("the second server ran the held job: %v %v", ran, err)
			}
			close(release)
			if !<-done {
				t.Error("the first server did not run the job")
			}
			if ran, err := db2.Exclusive(ctx, "job", func(context.Context) error { return nil }); err != nil || !ran {
				t.Errorf("once released, the job runs elsewhere: %v %v", ran, err)
			}
		})
	}
}

// TestNetworksFromLog: with NetworksFromLog, filing a complaint answers
// without touching the network engine; the change-log follower then
// brings the networks in step.
func TestNetworksFromLog(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{NetworksFromLog: true}})
	seq, err := e.db.LatestChange(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.FollowFrom(seq)
	a := fileComplaint(t, e, 1, 0, "Caller 0321-5550001 took my money.")
	b := fileComplaint(t, e, 2, 0, "The same caller 0321-5550001 again.")
	if _, ok := e.srv.nets.Engine().NetworkOf(b.ID); ok {
		t.Fatal("the request updated the networks itself")
	}
	if err := e.srv.FollowOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	na, okA := e.srv.nets.Engine().NetworkOf(a.ID)
	nb, okB := e.srv.nets.Engine().NetworkOf(b.ID)
	if !okA || !okB || na != nb {
		t.Fatalf("after following: %d %v, %d %v; want one network", na, okA, nb, okB)
	}
}
