package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/certificate"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// --- greyline certificate verify ------------------------------------------------

// licKeyring creates the certificate signing keys in c's data directory, where
// `greyline serve` keeps them.
func licKeyring(t *testing.T, c *cli) *keys.Keyring {
	t.Helper()
	kr, err := keys.LoadOrCreateKeyring(filepath.Join(c.dataDir, "signing-keys"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// licClaims are made-up claims for a certificate.
func licClaims() certificate.Claims {
	return certificate.Claims{LicenceNumber: "CC-ISB-2026-000042", TradeName: "Margalla Contact", City: "Islamabad", Kind: certificate.KindCallCentre,
		ValidFrom:  time.Date(2026, 1, 5, 4, 0, 0, 0, time.UTC),
		ValidUntil: time.Date(2027, 1, 5, 4, 0, 0, 0, time.UTC),
		IssuedAt:   time.Date(2026, 1, 6, 9, 30, 0, 0, time.UTC)}
}

// licSign signs claims with the keyring's current key.
func licSign(t *testing.T, kr *keys.Keyring, c certificate.Claims) string {
	t.Helper()
	tok, err := certificate.Sign(kr.Current(), c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// licValid is what `certificate verify` prints for a genuine certificate.
func licValid(c certificate.Claims, keyID string) string {
	return fmt.Sprintf("signature valid (key %s)\nlicence %s\ntrade name %s\nkind %s\ncity %s\nvalid %s to %s\nissued %s\n"+
		"its current status (suspension, revocation) is shown at the address in its QR code\n",
		keyID, c.LicenceNumber, c.TradeName, certificate.KindLabel(c.Kind), c.City,
		greyline.FormatTime(c.ValidFrom), greyline.FormatTime(c.ValidUntil), greyline.FormatTime(c.IssuedAt))
}

// licPDF renders the certificate for token to a file and returns its path.
func licPDF(t *testing.T, claims certificate.Claims, token string) string {
	t.Helper()
	var buf bytes.Buffer
	err := certificate.Render(&buf, certificate.Certificate{Claims: claims, Token: token, VerifyURL: certificate.VerificationURL("https://greyline.example.pk", token),
		LegalName: "Margalla Contact Solutions (Private) Limited", Address: "Plot 12, Street 7, I-9/2", Province: "Islamabad Capital Territory", Seats: 120})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// licAlteredPDF is the certificate PDF with the code inside it altered.
func licAlteredPDF(t *testing.T, claims certificate.Claims, token string) string {
	t.Helper()
	p := licPDF(t, claims, token)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(token)) {
		t.Fatal("the PDF does not hold the token as plain text")
	}
	if err := os.WriteFile(p, bytes.ReplaceAll(b, []byte(token), []byte(licResign(t, token))), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// licKeysFile writes v as JSON and returns the path.
func licKeysFile(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "keys.json", string(b))
}

// licResign re-encodes token's payload with one letter of the trade name
// changed, keeping the signature: a cleanly altered certificate.
func licResign(t *testing.T, token string) string {
	t.Helper()
	enc := base64.RawURLEncoding.Strict()
	payload, sig, _ := strings.Cut(strings.TrimPrefix(token, certificate.Prefix), ".")
	raw, err := enc.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, []byte("Margalla"))
	raw[i] = 'N'
	return certificate.Prefix + enc.EncodeToString(raw) + "." + sig
}

// licAlter changes the character at i to another base64url character.
func licAlter(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestCertificateVerifyCommand(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	kr := licKeyring(t, c)
	claims := licClaims()
	token := licSign(t, kr, claims)
	genuine := licValid(claims, kr.Current().ID)
	other, err := keys.LoadOrCreateKeyring(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	foreign := licSign(t, other, claims)
	payload, sig, _ := strings.Cut(strings.TrimPrefix(token, certificate.Prefix), ".")
	notPDF := writeFile(t, "notes.txt", "GL1 is not here")
	emptyPDF := writeFile(t, "empty.pdf", "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string   // exact, when not empty
		stdoutHas  []string // substrings of stdout
		stderrHas  []string
		stdoutNone bool // nothing on stdout
	}{
		{name: "token", args: []string{token}, code: ExitOK, stdout: genuine},
		{name: "verification URL", args: []string{certificate.VerificationURL("https://greyline.example.pk", token)}, code: ExitOK, stdout: genuine},
		{name: "URL of another host with spaces around", args: []string{"  https://mirror.example.org/verify/certificate?t=" + token + "\n"}, code: ExitOK, stdout: genuine},
		{name: "PDF file", args: []string{licPDF(t, claims, token)}, code: ExitOK, stdout: genuine},
		{name: "signing-keys directory named", args: []string{"--signing-keys", filepath.Join(c.dataDir, "signing-keys"), token}, code: ExitOK, stdout: genuine},

		{name: "trade name altered", args: []string{licResign(t, token)}, code: ExitForbidden,
			stdout: "NOT VALID: " + certificate.ErrBadSignature.Error() + "\n", stderrHas: []string{"altered"}},
		{name: "one character of the signature altered", args: []string{certificate.Prefix + payload + "." + licAlter(sig, len(sig)/2)}, code: ExitForbidden,
			stdout: "NOT VALID: " + certificate.ErrBadSignature.Error() + "\n"},
		{name: "PDF with the trade name altered in its code", args: []string{licAlteredPDF(t, claims, token)}, code: ExitForbidden,
			stdout: "NOT VALID: " + certificate.ErrBadSignature.Error() + "\n"},
		{name: "signed by an unpublished key", args: []string{foreign}, code: ExitForbidden,
			stdoutHas: []string{"NOT VALID: " + certificate.ErrUnknownKey.Error(), other.Current().ID}},

		{name: "garbage", args: []string{"hello"}, code: ExitInvalid, stderrHas: []string{"FILE-OR-TOKEN"}, stdoutNone: true},
		{name: "token cut at a dot", args: []string{certificate.Prefix + payload}, code: ExitInvalid, stderrHas: []string{"FILE-OR-TOKEN"}, stdoutNone: true},
		{name: "missing file", args: []string{filepath.Join(t.TempDir(), "nope.pdf")}, code: ExitInvalid, stderrHas: []string{"FILE-OR-TOKEN"}, stdoutNone: true},
		{name: "file that is not a PDF", args: []string{notPDF}, code: ExitInvalid, stderrHas: []string{"FILE-OR-TOKEN", "not a PDF"}, stdoutNone: true},
		{name: "PDF without a certificate code", args: []string{emptyPDF}, code: ExitInvalid, stderrHas: []string{"does not contain a greyline certificate code"}, stdoutNone: true},
		{name: "no argument", args: nil, code: ExitInvalid, stderrHas: []string{"FILE-OR-TOKEN"}, stdoutNone: true},
		{name: "two arguments", args: []string{token, token}, code: ExitInvalid, stderrHas: []string{"FILE-OR-TOKEN"}, stdoutNone: true},
		{name: "unknown flag", args: []string{"--frobnicate", token}, code: ExitInvalid, stderrHas: []string{"frobnicate"}, stdoutNone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c.on(t)
			code, out, errs := c.run(append([]string{"certificate", "verify"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errs)
			}
			if tt.stdout != "" {
				if diff := cmp.Diff(tt.stdout, out); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			}
			for _, w := range tt.stdoutHas {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.stderrHas {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if tt.stdoutNone && out != "" {
				t.Errorf("stdout:\n%s", out)
			}
		})
	}

	t.Run("KNOWN_PRODUCTION_BUG_malformed_token_exits_5_not_2", func(t *testing.T) {
		// The help says "Exit status 0: genuine; 2: malformed; 5: altered or
		// signed by an unknown key", but every error of certificate.Verify,
		// ErrMalformed included, is returned as EFORBIDDEN.
		c := c.on(t)
		damaged := certificate.Prefix + payload + "." + sig[:20] // looks like a token; the signature is cut short
		code, out, errs := c.run("certificate", "verify", damaged)
		if !strings.HasPrefix(out, "NOT VALID: "+certificate.ErrMalformed.Error()) {
			t.Errorf("stdout:\n%s", out)
		}
		if code != ExitInvalid {
			t.Errorf("exit %d, want %d (malformed)\nstderr:\n%s", code, ExitInvalid, errs)
		}
	})

	t.Run("help", func(t *testing.T) {
		c := c.on(t)
		for _, args := range [][]string{{"certificate", "verify", "--help"}, {"certificate", "-h"}} {
			code, out, errs := c.run(args...)
			if code != ExitOK || !strings.Contains(out, "Usage: greyline certificate verify [--keys FILE] FILE-OR-TOKEN") {
				t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
			}
		}
		c.wantExit(ExitInvalid, []string{`"verify"`}, "certificate")
		c.wantExit(ExitInvalid, []string{`"verify"`}, "certificate", "check", token)
	})
}

// TestCertificateVerifyPublishedKeys: with --keys, the published key list
// is all the command needs; no data directory is read or made.
func TestCertificateVerifyPublishedKeys(t *testing.T) {
	t.Parallel()
	kr, err := keys.LoadOrCreateKeyring(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	claims := licClaims()
	token := licSign(t, kr, claims)
	genuine := licValid(claims, kr.Current().ID)
	other, err := keys.LoadOrCreateKeyring(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]any{"items": kr.Public(), "total": len(kr.Public())} // as GET /api/v1/keys answers
	both := append(other.Public(), kr.Public()...)
	mismatched := kr.Public()
	mismatched[0].Key = other.Public()[0].Key // a trusted id paired with another key

	tests := []struct {
		name      string
		keys      string
		token     string
		code      int
		stdout    string
		stderrHas []string
	}{
		{"keys as served", licKeysFile(t, served), token, ExitOK, genuine, nil},
		{"a bare list of keys", licKeysFile(t, kr.Public()), token, ExitOK, genuine, nil},
		{"the signing key among others", licKeysFile(t, map[string]any{"items": both, "total": 2}), token, ExitOK, genuine, nil},
		{"the PDF", licKeysFile(t, served), licPDF(t, claims, token), ExitOK, genuine, nil},
		{"keys without the signing key", licKeysFile(t, map[string]any{"items": other.Public(), "total": 1}), token, ExitForbidden,
			"NOT VALID: " + certificate.ErrUnknownKey.Error() + " It names key " + kr.Current().ID + ".\n", nil},
		{"an altered token", licKeysFile(t, served), licResign(t, token), ExitForbidden, "NOT VALID: " + certificate.ErrBadSignature.Error() + "\n", nil},
		{"a key whose id is not its own", licKeysFile(t, map[string]any{"items": mismatched}), token, ExitInvalid, "", []string{"--keys", "does not match"}},
		{"not JSON", writeFile(t, "keys.json", "ed25519 AAAA"), token, ExitInvalid, "", []string{"--keys", "/api/v1/keys"}},
		{"an empty list", licKeysFile(t, map[string]any{"items": []any{}, "total": 0}), token, ExitInvalid, "", []string{"--keys"}},
		{"no such file", filepath.Join(t.TempDir(), "keys.json"), token, ExitInvalid, "", []string{"--keys", "cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			dataDir := filepath.Join(t.TempDir(), "no-data-dir")
			c.dataDir, c.env["GREYLINE_DATA_DIR"] = dataDir, dataDir
			code, out, errs := c.run("certificate", "verify", "--keys", tt.keys, tt.token)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errs)
			}
			if diff := cmp.Diff(tt.stdout, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			for _, w := range tt.stderrHas {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if _, err := os.Stat(dataDir); err == nil {
				t.Errorf("certificate verify --keys made the data directory")
			}
		})
	}

	t.Run("no keys at all", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t) // an empty data directory: no signing-keys
		_, errs := c.wantExit(ExitInvalid, []string{"--keys", "signing-keys"}, "certificate", "verify", token)
		if _, err := os.Stat(filepath.Join(c.dataDir, "signing-keys")); err == nil {
			t.Errorf("certificate verify made a signing-keys directory:\n%s", errs)
		}
	})
}

// --- greyline licences expire -----------------------------------------------------

// licStore opens c's database through sqlstore with the CLI's key file and
// the clock now, for building licences at a chosen time.
func licStore(t *testing.T, c *cli, now func() time.Time) *sqlstore.DB {
	t.Helper()
	k, err := keys.LoadFile(filepath.Join(c.dataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filestore.New(filepath.Join(c.dataDir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn := c.env["GREYLINE_DATABASE"]
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(c.dataDir, "greyline.db")
	}
	db, err := sqlstore.Open(ctx, sqlstore.Options{DSN: dsn, DataDir: c.dataDir, Keys: k, Hasher: sqlstoretest.FastHasher, Now: now, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// licGrant makes a business for a new organisation code and takes a
// new-licence application through joint clearance, returning its
// provisional licence.
func licGrant(t *testing.T, db *sqlstore.DB, code, city string, ntn int) *greyline.Licence {
	t.Helper()
	sys := sysCtx()
	org := &greyline.Org{Code: code, Name: code + " Limited", Kind: greyline.OrgBusiness}
	if err := db.CreateOrg(sys, org); err != nil {
		t.Fatal(err)
	}
	const pw = "a long test password"
	u, err := db.CreateUser(sys, greyline.NewUser{OrgID: org.ID, Email: strings.ToLower(code) + "@example.pk", Name: "Applicant " + code, Roles: []greyline.Role{greyline.RoleApplicant}, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: org.ID})
	b := &greyline.Business{OrgID: org.ID, LegalName: code + " Limited", TradeName: code + " Contact", Kind: greyline.CallCentre, LegalForm: greyline.SoleProprietor,
		NTN: fmt.Sprintf("%07d-0", ntn), RegisteredAddress: "1 Blue Area, " + city}
	if err := db.CreateBusiness(ctx, b); err != nil {
		t.Fatal(err)
	}
	p := &greyline.Person{BusinessID: b.ID, Name: "Owner of " + code, Role: greyline.Proprietor, CNIC: "35202-1234567-1"}
	if err := db.SavePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	s := &greyline.Site{BusinessID: b.ID, Address: "1 Blue Area", City: city, Province: "Islamabad Capital Territory", Seats: 10, Staff: 10, MainOffice: true}
	if err := db.SaveSite(ctx, s); err != nil {
		t.Fatal(err)
	}
	app, err := db.CreateApplication(ctx, b.ID, greyline.NewLicence, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*greyline.Document{
		{ApplicationID: app.ID, Kind: greyline.DocCNIC, PersonID: p.ID, Filename: "cnic.pdf"},
		{ApplicationID: app.ID, Kind: greyline.DocNTN, Filename: "ntn.pdf"},
		{ApplicationID: app.ID, Kind: greyline.DocBankStatement, Filename: "bank.pdf"},
	} {
		pdf := "%PDF-1.4\n% " + code + string(d.Kind) + "\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
		if err := db.AddDocument(ctx, d, strings.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
	}
	if app, err = db.UpdatePayment(ctx, app.ID, app.Version, "PSID-"+code); err != nil {
		t.Fatal(err)
	}
	if app, err = db.Submit(ctx, app.ID, app.Version); err != nil {
		t.Fatal(err)
	}
	pta, err := db.FindOrgByCode(sys, "PTA")
	if err != nil {
		t.Fatal(err)
	}
	rev, err := db.CreateUser(sys, greyline.NewUser{OrgID: pta.ID, Email: "reviewer-" + strings.ToLower(code) + "@example.pk", Name: "Reviewer", Roles: []greyline.Role{greyline.RoleReviewer}, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := db.TasksOf(sys, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tasks {
		if _, err := db.Decide(greyline.WithActor(context.Background(), greyline.Actor{UserID: rev.ID, OrgID: pta.ID}), tk.ID, tk.Version, greyline.DecideClear, ""); err != nil {
			t.Fatal(err)
		}
	}
	lics, err := db.ListLicences(sys, greyline.LicenceFilter{BusinessID: b.ID})
	if err != nil || len(lics) != 1 {
		t.Fatalf("licences: %v %+v", err, lics)
	}
	return lics[0]
}

func TestLicencesExpireCommand(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env["GREYLINE_DATABASE"] = sqlstoretest.DSN(t, engine)
			c.mustRun("migrate")
			if diff := cmp.Diff("expired 0 licence(s)\n", c.mustRun("licences", "expire")); diff != "" {
				t.Errorf("on an empty database (-want +got):\n%s", diff)
			}

			// One licence granted 100 days ago (its 90 provisional days are
			// over) and one granted today.
			past := time.Now().AddDate(0, 0, -100)
			db := licStore(t, c, func() time.Time { return past })
			old := licGrant(t, db, "OLDCO", "Islamabad", 1111111)
			db.Close()
			db = licStore(t, c, time.Now)
			defer db.Close()
			current := licGrant(t, db, "NEWCO", "Lahore", 2222222)
			if old.Status != greyline.LicenceProvisional || !old.ValidUntil.Before(time.Now()) || !current.ValidUntil.After(time.Now()) {
				t.Fatalf("fixture: old %s until %v, current until %v", old.Status, old.ValidUntil, current.ValidUntil)
			}

			if diff := cmp.Diff("expired 1 licence(s)\n", c.mustRun("licences", "expire")); diff != "" {
				t.Errorf("with one licence due (-want +got):\n%s", diff)
			}
			status := func(id int64) greyline.LicenceStatus {
				l, err := db.FindLicence(sysCtx(), id)
				if err != nil {
					t.Fatal(err)
				}
				return l.Status
			}
			if diff := cmp.Diff([]greyline.LicenceStatus{greyline.LicenceExpired, greyline.LicenceProvisional}, []greyline.LicenceStatus{status(old.ID), status(current.ID)}); diff != "" {
				t.Errorf("statuses after expire (-want +got):\n%s", diff)
			}
			hist, err := db.History(sysCtx(), old.ID)
			if err != nil || len(hist) == 0 {
				t.Fatalf("history: %v", err)
			}
			last := hist[len(hist)-1]
			if last.From != greyline.LicenceProvisional || last.To != greyline.LicenceExpired || !strings.HasPrefix(last.Reason, "Validity ended") {
				t.Errorf("last history event %+v", last)
			}
			if diff := cmp.Diff("expired 0 licence(s)\n", c.mustRun("licences", "expire")); diff != "" {
				t.Errorf("run again (-want +got):\n%s", diff)
			}
			if n := len(mustAudit(t, db, "licence.expired")); n != 1 {
				t.Errorf("%d licence.expired audit events, want 1", n)
			}
			c.mustRun("audit", "verify")
		})
	}
}

func mustAudit(t *testing.T, db *sqlstore.DB, action string) []*greyline.AuditEvent {
	t.Helper()
	evs, err := db.ListAudit(sysCtx(), greyline.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestLicencesExpireUsage(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{{"licences", "--help"}, {"licences", "-h"}, {"licences", "expire", "--help"}} {
		code, out, errs := c.run(args...)
		if code != ExitOK || !strings.Contains(out, "Usage: greyline licences expire [options]") {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
		}
	}
	c.wantExit(ExitInvalid, []string{"Usage: greyline licences expire", `"expire"`}, "licences")
	c.wantExit(ExitInvalid, []string{`"expire"`}, "licences", "renew")
	c.wantExit(ExitConflict, []string{"greyline migrate"}, "licences", "expire") // not migrated
	c.mustRun("migrate")
	c.wantExit(ExitInvalid, []string{"arguments", "now"}, "licences", "expire", "now")
	if _, err := os.Stat(filepath.Join(c.dataDir, "greyline.db")); err != nil {
		t.Errorf("no database: %v", err)
	}
}
