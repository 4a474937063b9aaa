package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func sys() context.Context {
	return greyline.WithActor(context.Background(), greyline.Actor{System: true})
}

func mustOrg(t *testing.T, db *sqlstore.DB, code string) *greyline.Org {
	t.Helper()
	o, err := db.FindOrgByCode(sys(), code)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mustUser(t *testing.T, db *sqlstore.DB, email string, roles ...greyline.Role) *greyline.User {
	t.Helper()
	u, err := db.CreateUser(sys(), greyline.NewUser{OrgID: mustOrg(t, db, "NCCIA").ID, Email: email, Name: "Test User", Roles: roles, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrateAndSeed(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, %v", again, err)
		}
		if err := db.Seed(ctx); err != nil { // idempotent
			t.Fatal(err)
		}
		orgs, err := db.ListOrgs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, o := range orgs {
			codes = append(codes, o.Code)
			if !o.Require2FA {
				t.Errorf("%s: agency must require 2FA by default", o.Code)
			}
		}
		if diff := cmp.Diff([]string{"NCCIA", "PSEB", "PTA", "SA", "SECP"}, codes); diff != "" {
			t.Errorf("seeded orgs (-want +got):\n%s", diff)
		}
	})
}

func TestCreateUserValidation(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		org := mustOrg(t, db, "PTA")
		tests := []struct {
			name string
			in   greyline.NewUser
			want []greyline.FieldError
		}{
			{"empty", greyline.NewUser{}, fields("email", "is required", "name", "is required", "org_id", "is required", "password", "is required", "roles", "at least one role is required")},
			{"bad email and short password", greyline.NewUser{OrgID: org.ID, Email: "not-an-email", Name: "A", Roles: []greyline.Role{"admin"}, Password: "short"}, fields("email", "is not a valid e-mail address", "password", "must be at least 12 characters")},
			{"unknown role", greyline.NewUser{OrgID: org.ID, Email: "a@b.pk", Name: "A", Roles: []greyline.Role{"king"}, Password: "long enough password"}, fields("roles", `unknown role "king"`)},
			{"unknown org", greyline.NewUser{OrgID: 9999, Email: "a@b.pk", Name: "A", Roles: []greyline.Role{"admin"}, Password: "long enough password"}, fields("org_id", "no such organisation")},
		}
		before, _ := db.CountUsers(ctx)
		for _, tt := range tests {
			_, err := db.CreateUser(ctx, tt.in)
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("%s: err = %v, want invalid", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, greyline.ErrorFields(err)); diff != "" {
				t.Errorf("%s: fields (-want +got):\n%s", tt.name, diff)
			}
		}
		after, _ := db.CountUsers(ctx)
		if after != before {
			t.Errorf("invalid input wrote users: %d -> %d", before, after)
		}
		mustUser(t, db, "dup@nccia.gov.pk", greyline.RoleAnalyst)
		_, err := db.CreateUser(ctx, greyline.NewUser{OrgID: org.ID, Email: "DUP@nccia.gov.pk", Name: "B", Roles: []greyline.Role{"analyst"}, Password: "long enough password"})
		if !errors.Is(err, greyline.ErrConflict) {
			t.Fatalf("duplicate email: err = %v, want conflict", err)
		}
		if diff := cmp.Diff(fields("email", "is already in use"), greyline.ErrorFields(err)); diff != "" {
			t.Error(diff)
		}
	})
}

func TestUserLifecycle(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		u := mustUser(t, db, "Analyst@NCCIA.gov.pk", greyline.RoleAnalyst, greyline.RoleInvestigator)
		if u.Email != "analyst@nccia.gov.pk" || u.OrgCode != "NCCIA" {
			t.Fatalf("user = %+v", u)
		}
		if diff := cmp.Diff([]greyline.Role{"analyst", "investigator"}, u.Roles); diff != "" {
			t.Error(diff)
		}
		got, err := db.Authenticate(ctx, "analyst@nccia.gov.pk", "correct horse battery")
		if err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %v", err)
		}
		if err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, u.Email, "correct horse battery"); !errors.Is(err, greyline.ErrUnauthenticated) {
			t.Fatalf("disabled user authenticated: %v", err)
		}
		db.SetUserDisabled(ctx, u.ID, false)
		if err := db.ResetPassword(ctx, u.ID, "another long password"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, u.Email, "another long password"); err != nil {
			t.Fatal(err)
		}
		err = db.ChangePassword(ctx, u.ID, "wrong", "x")
		if diff := cmp.Diff(fields("current_password", "is not your current password", "new_password", "must be at least 12 characters"), greyline.ErrorFields(err)); diff != "" {
			t.Error(diff)
		}
		if err := db.SetUserRoles(ctx, u.ID, []greyline.Role{"reviewer", "reviewer"}); err != nil {
			t.Fatal(err)
		}
		u, _ = db.FindUserByID(ctx, u.ID)
		if diff := cmp.Diff([]greyline.Role{"reviewer"}, u.Roles); diff != "" {
			t.Error(diff)
		}
		users, total, err := db.ListUsers(ctx, greyline.UserFilter{Query: "analyst"})
		if err != nil || total != 1 || len(users) != 1 {
			t.Fatalf("list: %d %v", total, err)
		}
		if _, err := db.FindUserByID(ctx, 424242); !errors.Is(err, greyline.ErrNotFound) {
			t.Fatalf("missing user: %v", err)
		}
	})
}

func TestLockout(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
			ctx := sys()
			u := mustUser(t, db, "lock@nccia.gov.pk", greyline.RoleAnalyst)
			for i := 0; i < 4; i++ {
				if _, err := db.Authenticate(ctx, u.Email, "wrong password!"); !errors.Is(err, greyline.ErrUnauthenticated) {
					t.Fatalf("attempt %d: %v", i, err)
				}
			}
			if _, err := db.Authenticate(ctx, u.Email, "wrong password!"); !errors.Is(err, greyline.ErrRateLimited) {
				t.Fatalf("5th attempt: %v, want rate limited", err)
			}
			// Even the right password is refused while locked.
			if _, err := db.Authenticate(ctx, u.Email, "correct horse battery"); !errors.Is(err, greyline.ErrRateLimited) {
				t.Fatalf("locked: %v", err)
			}
			clk.Add(16 * time.Minute)
			if _, err := db.Authenticate(ctx, u.Email, "correct horse battery"); err != nil {
				t.Fatalf("after lockout: %v", err)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
			ctx := sys()
			u := mustUser(t, db, "s@nccia.gov.pk", greyline.RoleAnalyst)
			tok, s, err := db.CreateSession(ctx, u.ID, greyline.SessionNeeds2FA)
			if err != nil {
				t.Fatal(err)
			}
			if s.ID == tok {
				t.Fatal("session stored under its plain token")
			}
			tok2, s2, err := db.PromoteSession(ctx, tok, greyline.SessionFull)
			if err != nil || s2.State != greyline.SessionFull || tok2 == tok {
				t.Fatalf("promote: %v", err)
			}
			if _, err := db.FindSession(ctx, tok); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatalf("old session still valid: %v", err)
			}
			// Idle expiry: 29 minutes keeps it alive, 31 idle minutes end it.
			clk.Add(29 * time.Minute)
			if _, err := db.FindSession(ctx, tok2); err != nil {
				t.Fatal(err)
			}
			clk.Add(31 * time.Minute)
			if _, err := db.FindSession(ctx, tok2); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatalf("idle session: %v", err)
			}
			// Absolute expiry, even when active.
			tok3, _, _ := db.CreateSession(ctx, u.ID, greyline.SessionFull)
			for i := 0; i < 25; i++ {
				clk.Add(29 * time.Minute)
				if _, err := db.FindSession(ctx, tok3); err != nil {
					if i*29 < 12*60-29 {
						t.Fatalf("ended early after %d minutes: %v", (i+1)*29, err)
					}
					break
				}
				if (i+1)*29 > 12*60 {
					t.Fatal("session outlived its absolute expiry")
				}
			}
			tok4, _, _ := db.CreateSession(ctx, u.ID, greyline.SessionFull)
			if err := db.DeleteSession(ctx, tok4); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FindSession(ctx, tok4); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatal("logout did not end the session")
			}
		})
	}
}

func TestTOTP(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
			ctx := sys()
			u := mustUser(t, db, "t@nccia.gov.pk", greyline.RoleAnalyst)
			en, err := db.BeginTOTPEnrolment(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(en.QRPNG) == 0 || en.URL == "" {
				t.Fatal("no QR code")
			}
			if _, err := db.ConfirmTOTPEnrolment(ctx, u.ID, "000000"); !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("wrong code accepted: %v", err)
			}
			code, _ := auth.TOTPCode(en.Secret, clk.Now())
			codes, err := db.ConfirmTOTPEnrolment(ctx, u.ID, code)
			if err != nil || len(codes) != auth.RecoveryCodeCount {
				t.Fatalf("confirm: %v", err)
			}
			// The enrolment code cannot be replayed at sign-in.
			if err := db.VerifySecondFactor(ctx, u.ID, code); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatalf("replayed code: %v", err)
			}
			clk.Add(30 * time.Second)
			code, _ = auth.TOTPCode(en.Secret, clk.Now())
			if err := db.VerifySecondFactor(ctx, u.ID, code); err != nil {
				t.Fatal(err)
			}
			if err := db.VerifySecondFactor(ctx, u.ID, codes[0]); err != nil {
				t.Fatalf("recovery code: %v", err)
			}
			if err := db.VerifySecondFactor(ctx, u.ID, codes[0]); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatalf("recovery code reused: %v", err)
			}
			if err := db.ResetTOTP(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			u, _ = db.FindUserByID(ctx, u.ID)
			if u.TOTPEnabled {
				t.Fatal("reset left 2FA on")
			}
		})
	}
}

func TestAPITokens(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
			ctx := sys()
			u := mustUser(t, db, "bank@nccia.gov.pk", greyline.RolePartner)
			other := mustUser(t, db, "other@nccia.gov.pk", greyline.RolePartner)
			_, _, err := db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Scopes: []string{"admin"}, ExpiresIn: 0})
			if diff := cmp.Diff(fields("expires_in_days", "must be between 1 and 365", "name", "is required", "scopes", `unknown scope "admin"`), greyline.ErrorFields(err)); diff != "" {
				t.Error(diff)
			}
			secret, k, err := db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Name: "lookup", Scopes: []string{"read"}, ExpiresIn: 30})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.FindAPIToken(ctx, secret)
			if err != nil || got.ID != k.ID {
				t.Fatalf("find: %v", err)
			}
			if _, err := db.FindAPIToken(ctx, secret+"x"); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatal("tampered token accepted")
			}
			if err := db.RevokeAPIToken(ctx, other.ID, k.ID); !errors.Is(err, greyline.ErrNotFound) {
				t.Fatalf("revoked another user's token: %v", err)
			}
			clk.Add(31 * 24 * time.Hour)
			if _, err := db.FindAPIToken(ctx, secret); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatal("expired token accepted")
			}
			secret2, k2, _ := db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Name: "b", Scopes: []string{"read", "write"}, ExpiresIn: 1})
			if err := db.RevokeAPIToken(ctx, u.ID, k2.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FindAPIToken(ctx, secret2); !errors.Is(err, greyline.ErrUnauthenticated) {
				t.Fatal("revoked token accepted")
			}
		})
	}
}

func TestSetup(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		secret, err := db.CreateSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := greyline.NewUser{OrgID: mustOrg(t, db, "PTA").ID, Email: "first@pta.gov.pk", Name: "First", Password: "first admin password"}
		if _, err := db.CompleteSetup(ctx, "wrong", n); !errors.Is(err, greyline.ErrForbidden) {
			t.Fatalf("wrong secret: %v", err)
		}
		u, err := db.CompleteSetup(ctx, secret, n)
		if err != nil || !u.HasRole(greyline.RoleAdmin) {
			t.Fatalf("setup: %v", err)
		}
		n.Email = "second@pta.gov.pk"
		if _, err := db.CompleteSetup(ctx, secret, n); !errors.Is(err, greyline.ErrForbidden) {
			t.Fatalf("setup link reused: %v", err)
		}
		if _, err := db.CreateSetupToken(ctx); !errors.Is(err, greyline.ErrConflict) {
			t.Fatalf("setup token after first user: %v", err)
		}
	})
}

func TestAuditChain(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: 7, OrgID: 2, IP: "203.0.113.9", RequestID: "req-1"})
		mustUser(t, db, "a@nccia.gov.pk", greyline.RoleAnalyst)
		if err := db.RecordAudit(ctx, greyline.AuditEvent{Action: "person.read", RecordType: "person", RecordID: "12"}); err != nil {
			t.Fatal(err)
		}
		evs, err := db.ListAudit(ctx, greyline.AuditFilter{Action: "person.read"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("list: %v %d", err, len(evs))
		}
		e := evs[0]
		if e.UserID != 7 || e.OrgID != 2 || e.IP != "203.0.113.9" || e.RequestID != "req-1" || e.Outcome != "ok" {
			t.Errorf("event = %+v", e)
		}
		n, problems, err := db.VerifyAudit(ctx)
		if err != nil || len(problems) != 0 || n < 2 {
			t.Fatalf("verify: %d %v %v", n, problems, err)
		}
		if err := db.RecordAudit(ctx, greyline.AuditEvent{}); !errors.Is(err, greyline.ErrInvalid) {
			t.Fatal("event without action accepted")
		}
	})
}

// TestAuditConcurrentAppends checks that concurrent writers never fork the chain.
func TestAuditConcurrentAppends(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs <- db.RecordAudit(ctx, greyline.AuditEvent{Action: "test.concurrent", RecordID: fmt.Sprint(i)})
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		_, problems, err := db.VerifyAudit(ctx)
		if err != nil || len(problems) != 0 {
			t.Fatalf("chain broken by concurrent appends: %v %v", problems, err)
		}
	})
}

// fields builds the expected field errors from field, reason pairs.
func fields(pairs ...string) []greyline.FieldError {
	var out []greyline.FieldError
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, greyline.FieldError{Field: pairs[i], Reason: pairs[i+1]})
	}
	return out
}
