package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// storeWithFiles opens the CLI's database as the server does, with its
// document store, so that complaints can carry evidence.
func (c *cli) storeWithFiles() *sqlstore.DB {
	c.t.Helper()
	master, err := keys.LoadOrCreate(filepath.Join(c.dataDir, "secret.key"))
	if err != nil {
		c.t.Fatal(err)
	}
	k, err := keys.New(master)
	if err != nil {
		c.t.Fatal(err)
	}
	files, err := filestore.New(filepath.Join(c.dataDir, "files"))
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sqlstore.Open(ctx, sqlstore.Options{DSN: c.env["GREYLINE_DATABASE"], DataDir: c.dataDir, Keys: k, Hasher: sqlstoretest.FastHasher, Files: files})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	return db
}

// evidence is a small PDF or PNG whose content is unique to (tag, i).
func evidence(tag string, i int) (name string, content []byte) {
	if i%2 == 0 {
		return "receipt.pdf", fmt.Appendf(nil, "%%PDF-1.4\n%% %s %d\n%%%%EOF\n", tag, i)
	}
	return "screenshot.png", fmt.Appendf([]byte("\x89PNG\r\n\x1a\n"), "%s %d", tag, i)
}

// newBackupComplaint is a complaint with three identifiers (one in a
// field, two in the narrative), all unique to (tag, i).
func newBackupComplaint(tag string, i int, files int) (greyline.NewComplaint, [][]byte) {
	n := greyline.NewComplaint{
		Channel: greyline.ChannelHelpline, ExternalRef: fmt.Sprintf("%s-%d", tag, i),
		Complainant: greyline.Complainant{Name: "Sana " + tag, Phone: fmt.Sprintf("0300-%07d", i), CNIC: fmt.Sprintf("35202-%07d-1", i), City: "Lahore", Province: "Punjab"},
		Category:    "phishing_otp", ContactMethod: "call", IncidentAt: time.Now().Add(-time.Hour), PaymentMethod: "bank_transfer", LossPaisa: int64(100 * (i + 1)),
		Narrative:   fmt.Sprintf("The caller on 0321-%07d sent the link http://%s-prize-%d.pk and took the OTP.", i, strings.ToLower(tag), i),
		Identifiers: []string{fmt.Sprintf("0345-%07d", i)},
	}
	var contents [][]byte
	for f := range files {
		name, b := evidence(n.ExternalRef, f)
		n.Attachments = append(n.Attachments, greyline.Attachment{Filename: name, Content: bytes.NewReader(b)})
		contents = append(contents, b)
	}
	return n, contents
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestBackupRoundTrip: the demo data and complaints with evidence, backed
// up and restored into an empty data directory, are the same records; the
// audit chain verifies; the keys come back only with --include-keys.
func TestBackupRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("demo")
	db := c.storeWithFiles()
	var ours []int64
	files := map[int64][][]byte{}
	for i := range 5 {
		n, contents := newBackupComplaint("RT", i, 2)
		comp, _, _, err := db.CreateComplaint(sysCtx(), n, "")
		if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, comp.ID)
		files[comp.ID] = contents
	}
	db.Close()

	file := filepath.Join(t.TempDir(), "greyline-backup.tar.gz")
	start := time.Now()
	out := c.mustRun("backup", file)
	took := time.Since(start)
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo data and 5 complaints with 10 files: %d-byte backup in %s\n%s", st.Size(), took.Round(time.Millisecond), out)
	if !strings.Contains(out, "backup written to "+file) || !strings.Contains(out, "not in the backup") {
		t.Errorf("backup output:\n%s", out)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	c.wantExit(ExitConflict, []string{"already exists"}, "backup", file)

	restored := newCLI(t)
	out = restored.mustRun("restore", file)
	if !strings.Contains(out, "greyline needs the SAME secret key") || !strings.Contains(out, "11 document files written") {
		t.Errorf("restore output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(restored.dataDir, "secret.key")); err == nil {
		t.Errorf("a secret key was restored from a backup made without --include-keys")
	}
	key, err := os.ReadFile(filepath.Join(c.dataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	putFile(t, filepath.Join(restored.dataDir, "secret.key"), string(key))
	restored.mustRun("audit", "verify")

	src, dst := c.storeWithFiles(), restored.storeWithFiles()
	ctx := sysCtx()
	want, err := src.Contents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.Contents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("restored contents (-original +restored):\n%s", diff)
	}
	if want.Counts["complaints"] != 2012 || len(want.Documents) != 11 {
		t.Errorf("original: %d complaints, %d files; want 2012 and 11", want.Counts["complaints"], len(want.Documents))
	}
	// A few records in full, personal data included, and the evidence's bytes.
	for _, id := range append([]int64{1, 1000, 2005}, ours...) {
		a, err := src.RevealComplaint(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.RevealComplaint(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("complaint %d (-original +restored):\n%s", id, diff)
		}
		for i, d := range b.Documents {
			_, rc, err := dst.OpenComplaintDocument(ctx, id, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(body, files[id][i]) {
				t.Errorf("complaint %d document %d: restored bytes differ", id, d.ID)
			}
		}
	}
	for _, list := range []func(*sqlstore.DB) (any, error){
		func(db *sqlstore.DB) (any, error) {
			u, _, err := db.ListUsers(ctx, greyline.UserFilter{Limit: 1000})
			return u, err
		},
		func(db *sqlstore.DB) (any, error) { return db.ListLicences(ctx, greyline.LicenceFilter{Limit: 1000}) },
		func(db *sqlstore.DB) (any, error) { return db.ListOrgs(ctx) },
	} {
		a, err := list(src)
		if err != nil {
			t.Fatal(err)
		}
		b, err := list(dst)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("(-original +restored):\n%s", diff)
		}
	}

	t.Run("with keys", func(t *testing.T) {
		kfile := filepath.Join(t.TempDir(), "with-keys.tar.gz")
		_, errs := c.on(t).wantExit(ExitOK, []string{"WARNING", "holds the secret key"}, "backup", "--include-keys", kfile)
		_ = errs
		fresh := newCLI(t)
		out := fresh.mustRun("restore", kfile)
		if !strings.Contains(out, "secret key and signing keys were restored") {
			t.Errorf("restore output:\n%s", out)
		}
		for _, name := range []string{"secret.key", "signing-keys"} {
			if diff := cmp.Diff(dirFiles(t, filepath.Join(c.dataDir, name)), dirFiles(t, filepath.Join(fresh.dataDir, name))); diff != "" {
				t.Errorf("%s (-original +restored):\n%s", name, diff)
			}
		}
		fresh.mustRun("audit", "verify")
		full, err := fresh.storeWithFiles().RevealComplaint(ctx, ours[0])
		if err != nil || full.Complainant.Name != "Sana RT" {
			t.Errorf("personal data under the restored key: %+v %v", full, err)
		}
	})
}

// dirFiles maps the files under path (a file or a directory) to their bytes.
func dirFiles(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(path, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("nothing at %s", path)
	}
	return out
}

// TestBackupDuringWrites takes a backup while goroutines file complaints
// with evidence through the store, as a server would, and proves that the
// copy is one consistent moment: every complaint in it is whole (its
// identifiers, events, documents and their files, its audit event), the
// counts are the manifest's, and the audit chain verifies.
func TestBackupDuringWrites(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	db := c.storeWithFiles()
	ctx := sysCtx()
	type expect struct{ links, docs int }
	var (
		expected sync.Map // external ref → expect
		filed    atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		werr     = make(chan error, 8)
	)
	const writers = 4
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := i*writers + w
				n, files := newBackupComplaint("BW", k, k%3)
				expected.Store(n.ExternalRef, expect{links: 3, docs: len(files)})
				if _, _, _, err := db.CreateComplaint(ctx, n, ""); err != nil {
					werr <- err
					return
				}
				filed.Add(1)
			}
		}()
	}
	waitFor := func(n int64) {
		deadline := time.Now().Add(60 * time.Second)
		for filed.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d complaints filed", filed.Load())
			}
			select {
			case err := <-werr:
				t.Fatal(err)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	waitFor(40)
	file := filepath.Join(t.TempDir(), "live.tar.gz")
	before := filed.Load()
	out := c.mustRun("backup", file)
	during := filed.Load() - before
	waitFor(filed.Load() + 40) // and writing goes on after it
	close(stop)
	wg.Wait()
	select {
	case err := <-werr:
		t.Fatal(err)
	default:
	}
	t.Logf("%d complaints filed while the backup ran, %d in all\n%s", during, filed.Load(), out)
	if during == 0 {
		t.Errorf("no complaint was filed while the backup ran: it held the writers up")
	}

	r := newCLI(t)
	r.mustRun("restore", file)
	key, _ := os.ReadFile(filepath.Join(c.dataDir, "secret.key"))
	putFile(t, filepath.Join(r.dataDir, "secret.key"), string(key))
	r.mustRun("audit", "verify")
	rdb := r.storeWithFiles()
	got, err := rdb.Contents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, man, closer, err := openArchive(file)
	if err != nil {
		t.Fatal(err)
	}
	closer()
	if diff := cmp.Diff(man.Counts, got.Counts); diff != "" {
		t.Errorf("restored counts differ from the manifest's (-manifest +restored):\n%s", diff)
	}
	n := got.Counts["complaints"]
	if n == 0 || n >= filed.Load() {
		t.Errorf("the backup holds %d complaints of %d filed: it was not taken mid-way", n, filed.Load())
	}
	checked := checkComplete(t, r.rawSQLite(), r.dataDir, func(ref string) (int, int, int, bool) {
		e, ok := expected.Load(ref)
		if !ok {
			return 0, 0, 0, false
		}
		return e.(expect).links, e.(expect).docs, e.(expect).docs, true
	})
	t.Logf("%d complaints in the backup checked whole", checked)
	// Each complaint in the copy is the original's, as the original holds it now.
	raw := r.rawSQLite()
	rows, err := raw.Query("SELECT id FROM complaints ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		a, err := db.FindComplaint(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := rdb.FindComplaint(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("complaint %d (-original +restored):\n%s", id, diff)
		}
	}
}

// checkComplete proves that no complaint in a database (either engine) is
// half-written: each has its received event, its identifier links and
// documents as expect says (by external reference), each document's file
// under dataDir matches its hash, every identifier's count is its links,
// and the audit holds every complaint (one complaint.create each, or its
// share of a complaint.import batch) and one document.upload per document.
// It returns how many complaints it checked.
func checkComplete(t *testing.T, raw *sql.DB, dataDir string, expect func(ref string) (links, minDocs, maxDocs int, ok bool)) int {
	t.Helper()
	rows, err := raw.Query(`SELECT c.id, c.external_ref,
		(SELECT COUNT(*) FROM complaint_identifiers ci WHERE ci.complaint_id = c.id),
		(SELECT COUNT(*) FROM complaint_events e WHERE e.complaint_id = c.id AND e.to_status = 'received'),
		(SELECT COUNT(*) FROM documents d WHERE d.complaint_id = c.id)
		FROM complaints c ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	n, bad := 0, 0
	for rows.Next() {
		var id int64
		var ref string
		var links, events, docs int
		if err := rows.Scan(&id, &ref, &links, &events, &docs); err != nil {
			t.Fatal(err)
		}
		n++
		wl, minDocs, maxDocs, ok := expect(ref)
		if !ok {
			t.Errorf("complaint %d (%q) was never filed", id, ref)
		}
		if links != wl || events != 1 || docs < minDocs || docs > maxDocs {
			if bad++; bad <= 10 {
				t.Errorf("complaint %d (%s) is half-written: %d links, %d received events, %d documents; want %d, 1, %d to %d", id, ref, links, events, docs, wl, minDocs, maxDocs)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var wrong int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM identifiers i WHERE i.complaints != (SELECT COUNT(*) FROM complaint_identifiers ci WHERE ci.identifier_id = i.id)`).Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("%d identifiers whose count is not their links (%v)", wrong, err)
	}
	audited := 0
	if err := raw.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'complaint.create'").Scan(&audited); err != nil {
		t.Fatal(err)
	}
	batches, err := raw.Query("SELECT detail FROM audit_events WHERE action = 'complaint.import'")
	if err != nil {
		t.Fatal(err)
	}
	for batches.Next() {
		var detail string
		var k int
		batches.Scan(&detail)
		if _, err := fmt.Sscanf(detail, "imported %d complaints", &k); err != nil {
			t.Errorf("complaint.import event %q: %v", detail, err)
		}
		audited += k
	}
	batches.Close()
	if audited != n {
		t.Errorf("%d complaints but %d audited", n, audited)
	}
	var docs, docsAudited int
	if err := raw.QueryRow("SELECT COUNT(*) FROM documents WHERE complaint_id IS NOT NULL").Scan(&docs); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'document.upload' AND detail LIKE 'complaint_id=%'").Scan(&docsAudited); err != nil {
		t.Fatal(err)
	}
	if docs != docsAudited {
		t.Errorf("%d complaint documents but %d audited", docs, docsAudited)
	}
	drows, err := raw.Query("SELECT sha256, size FROM documents")
	if err != nil {
		t.Fatal(err)
	}
	defer drows.Close()
	for drows.Next() {
		var sum string
		var size int64
		drows.Scan(&sum, &size)
		b, err := os.ReadFile(filepath.Join(dataDir, "files", sum[:2], sum))
		if err != nil || sha(b) != sum || int64(len(b)) != size {
			t.Errorf("document file %s: %v (%d bytes)", sum, err, len(b))
		}
	}
	return n
}

// archiveMember is one file of a hand-made archive.
type archiveMember struct {
	name string
	data []byte
}

// readArchive returns an archive's manifest and members.
func readArchive(t *testing.T, file string) (*manifest, []archiveMember) {
	t.Helper()
	tr, man, closer, err := openArchive(file)
	if err != nil {
		t.Fatal(err)
	}
	defer closer()
	var out []archiveMember
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, archiveMember{h.Name, b})
	}
	return man, out
}

// writeHandMade writes an archive as given, whether or not it is sound.
func writeHandMade(t *testing.T, man *manifest, members []archiveMember) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mj, _ := json.Marshal(man)
	for _, m := range append([]archiveMember{{manifestName, mj}}, members...) {
		tw.WriteHeader(&tar.Header{Name: m.name, Size: int64(len(m.data)), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write(m.data)
	}
	tw.Close()
	zw.Close()
	return writeFile(t, "hand-made.tar.gz", buf.String())
}

// TestRestoreRefuses: a damaged or foreign archive, a newer schema, a
// database that exists or is in use, and another secret key are refused,
// naming why, and nothing is written.
func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	db := c.storeWithFiles()
	n, _ := newBackupComplaint("RF", 1, 1)
	if _, _, _, err := db.CreateComplaint(sysCtx(), n, ""); err != nil {
		t.Fatal(err)
	}
	db.Close()
	good := filepath.Join(t.TempDir(), "good.tar.gz")
	c.mustRun("backup", good)
	man, members := readArchive(t, good)
	doc := slices.IndexFunc(members, func(m archiveMember) bool { return strings.HasPrefix(m.name, "files/") })
	if doc < 0 {
		t.Fatal("no document in the backup")
	}
	edit := func(fn func(man *manifest, ms []archiveMember) []archiveMember) string {
		m := *man
		m.Members = slices.Clone(man.Members)
		ms := slices.Clone(members)
		for i := range ms {
			ms[i].data = slices.Clone(ms[i].data)
		}
		return writeHandMade(t, &m, fn(&m, ms))
	}
	goodBytes, _ := os.ReadFile(good)
	tests := []struct {
		name string
		file string
		code int
		want string
	}{
		{"a member altered", edit(func(_ *manifest, ms []archiveMember) []archiveMember {
			ms[doc].data[len(ms[doc].data)-1] ^= 1
			return ms
		}), ExitInvalid, "does not match its SHA-256"},
		{"a member missing", edit(func(_ *manifest, ms []archiveMember) []archiveMember {
			return slices.Delete(ms, doc, doc+1)
		}), ExitInvalid, "is missing"},
		{"a member not in the manifest", edit(func(_ *manifest, ms []archiveMember) []archiveMember {
			extra := []byte("%PDF-1.4 extra")
			return append(ms, archiveMember{"files/" + sha(extra)[:2] + "/" + sha(extra), extra})
		}), ExitInvalid, "does not list"},
		{"a path out of the data directory", edit(func(m *manifest, ms []archiveMember) []archiveMember {
			evil := []byte("#!/bin/sh\n")
			m.Members = append(m.Members, backupMember{Name: "../../evil.sh", Size: int64(len(evil)), SHA256: sha(evil)})
			return append(ms, archiveMember{"../../evil.sh", evil})
		}), ExitInvalid, "greyline never writes"},
		{"a document not named by its hash", edit(func(m *manifest, ms []archiveMember) []archiveMember {
			other := strings.Repeat("ab", 32)
			m.Members[doc].Name = "files/ab/" + other
			ms[doc].name = "files/ab/" + other
			return ms
		}), ExitInvalid, "greyline never writes"},
		{"a newer schema", edit(func(m *manifest, ms []archiveMember) []archiveMember {
			m.SchemaVersion = sqlstore.LatestSchema(sqlstore.SQLite) + 1
			return ms
		}), ExitConflict, "newer than this binary"},
		{"cut short", writeFile(t, "short.tar.gz", string(goodBytes[:len(goodBytes)/2])), ExitInvalid, "cut short or corrupt"},
		{"not a backup", writeFile(t, "notes.txt", "hello"), ExitInvalid, "not gzip-compressed"},
		{"no such file", filepath.Join(t.TempDir(), "none.tar.gz"), ExitInvalid, "cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newCLI(t)
			r.wantExit(tt.code, []string{tt.want}, "restore", tt.file)
			if ents, _ := os.ReadDir(r.dataDir); len(ents) != 0 {
				t.Errorf("the refused restore wrote %v", ents)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(r.dataDir), "evil.sh")); err == nil {
				t.Errorf("a file was written outside the data directory")
			}
		})
	}
	t.Run("a database already there", func(t *testing.T) {
		t.Parallel()
		r := migrated(t)
		before := dirFiles(t, r.dataDir)
		r.wantExit(ExitConflict, []string{"already holds a database", "--force"}, "restore", good)
		if diff := cmp.Diff(before, dirFiles(t, r.dataDir)); diff != "" {
			t.Errorf("the refused restore changed the data directory:\n%s", diff)
		}
		// With --force it is replaced, and the old WAL is not applied to it.
		putFile(t, filepath.Join(r.dataDir, "secret.key"), string(mustRead(t, filepath.Join(c.dataDir, "secret.key"))))
		r.mustRun("restore", "--force", good)
		r.mustRun("audit", "verify")
		if got := r.storeWithFiles(); countOf(t, got, "complaints") != 1 {
			t.Errorf("after --force: %d complaints, want 1", countOf(t, got, "complaints"))
		}
	})
	t.Run("a server running", func(t *testing.T) {
		t.Parallel()
		r := migrated(t)
		s := r.serve("--no-migrate")
		r.wantExit(ExitConflict, []string{"is in use", "stop the greyline server"}, "restore", "--force", good)
		s.stop()
	})
	t.Run("another secret key", func(t *testing.T) {
		t.Parallel()
		r := newCLI(t)
		putFile(t, filepath.Join(r.dataDir, "secret.key"), hex.EncodeToString(keys.Generate())+"\n")
		r.wantExit(ExitConflict, []string{"not the one this backup was made with"}, "restore", good)
		if _, err := os.Stat(filepath.Join(r.dataDir, "greyline.db")); err == nil {
			t.Errorf("the refused restore wrote the database")
		}
		out := r.mustRun("restore", "--force", good)
		if !strings.Contains(out, "WARNING: the secret key in use") {
			t.Errorf("restore --force with another key does not warn:\n%s", out)
		}
	})
}

// putFile writes a file at path, as an operator would copy it there.
func putFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func countOf(t *testing.T, db *sqlstore.DB, table string) int64 {
	t.Helper()
	c, err := db.Contents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Counts[table]
}

// TestBackupHelp: both commands document their options and variables.
func TestBackupHelp(t *testing.T) {
	t.Parallel()
	for cmdName, extra := range map[string][]string{"backup": {"include-keys", "signing-keys"}, "restore": {"force", "signing-keys"}} {
		_, out, _ := newCLI(t).run(cmdName, "--help")
		var got []string
		for _, m := range helpOption.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1])
		}
		slices.Sort(got)
		if diff := cmp.Diff(with(storeOptions, extra...), got); diff != "" {
			t.Errorf("%s --help options (-want +got):\n%s", cmdName, diff)
		}
	}
	newCLI(t).wantExit(ExitInvalid, []string{"FILE: give exactly one archive file"}, "backup")
	newCLI(t).wantExit(ExitInvalid, []string{"FILE: give exactly one archive file"}, "restore", "a", "b")
	newCLI(t).wantExit(ExitNotFound, []string{"no database"}, "backup", filepath.Join(t.TempDir(), "x.tar.gz"))
}

// TestBackupPostgres: on PostgreSQL, backup and restore print the
// procedure and write nothing; the pg_dump and pg_restore commands they
// print bring the database back whole, with its audit chain.
func TestBackupPostgres(t *testing.T) {
	t.Parallel()
	base := os.Getenv(sqlstoretest.PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s", sqlstoretest.PostgresEnv)
	}
	c := newCLI(t)
	dsn := sqlstoretest.DSN(t, sqlstore.Postgres)
	c.env["GREYLINE_DATABASE"] = dsn
	c.mustRun("migrate")
	db := c.storeWithFiles()
	for i := range 3 {
		n, _ := newBackupComplaint("PG", i, 1)
		if _, _, _, err := db.CreateComplaint(sysCtx(), n, ""); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "pg.tar.gz")
	out := c.mustRun("backup", file)
	for _, want := range []string{"pg_dump --format=custom", "--schema=gltest_", "tar -C " + c.dataDir + " -czf", "secret.key"} {
		if !strings.Contains(out, want) {
			t.Errorf("the procedure lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(file); err == nil {
		t.Errorf("backup on PostgreSQL wrote %s", file)
	}
	out = c.mustRun("restore", file)
	if !strings.Contains(out, "pg_restore --no-owner") {
		t.Errorf("the restore procedure:\n%s", out)
	}
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not installed: the procedure itself is not run")
	}
	dump := filepath.Join(t.TempDir(), "pg.dump")
	run := func(args []string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", shellLine(args), err, b)
		}
	}
	run(pgDumpArgs(dsn, dump))
	// Into a database of its own, as the procedure says.
	target := "gltest_restore_" + strings.ToLower(hex.EncodeToString(keys.Generate()[:6]))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + target); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, _ := sql.Open("pgx", base)
		a.Exec("DROP DATABASE " + target + " WITH (FORCE)")
		a.Close()
	})
	u, _ := url.Parse(dsn)
	u.Path = "/" + target
	restoredDSN := u.String()
	run(pgRestoreArgs(restoredDSN, dump))
	r := newCLI(t)
	r.env["GREYLINE_DATABASE"] = restoredDSN
	putFile(t, filepath.Join(r.dataDir, "secret.key"), string(mustRead(t, filepath.Join(c.dataDir, "secret.key"))))
	r.mustRun("audit", "verify")
	want, err := db.Contents(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.storeWithFiles().Contents(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("restored PostgreSQL (-original +restored):\n%s", diff)
	}
}

// TestPgProcedure: the printed commands name the schema pgx takes from
// search_path the way libpq's tools want it, never print the password,
// and name the dump and the documents' archive after the file given.
func TestPgProcedure(t *testing.T) {
	t.Parallel()
	dsn := "postgres://greyline:s3cret@db.example.pk:5432/greyline?search_path=prod&sslmode=require"
	tests := []struct {
		args []string
		want string
	}{
		{pgDumpArgs(dsn, "/b/g.dump"), "pg_dump --format=custom --no-owner --file=/b/g.dump --schema=prod '--dbname=postgres://greyline@db.example.pk:5432/greyline?sslmode=require'"},
		{pgRestoreArgs(dsn, "/b/g 1.dump"), "pg_restore --no-owner --exit-on-error --single-transaction '--dbname=postgres://greyline@db.example.pk:5432/greyline?sslmode=require' '/b/g 1.dump'"},
		{pgDumpArgs("postgres://u@h/d", "x.dump"), "pg_dump --format=custom --no-owner --file=x.dump --dbname=postgres://u@h/d"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, shellLine(tt.args)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
	c := newCLI(t)
	out := c.mustRun("backup", "--database", dsn, "/backups/g-2026-11-25.tar.gz")
	for _, want := range []string{"--file=/backups/g-2026-11-25.dump", "/backups/g-2026-11-25-files.tar.gz", "PGPASSWORD"} {
		if !strings.Contains(out, want) {
			t.Errorf("the procedure lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("the procedure prints the password:\n%s", out)
	}
	for file, want := range map[string]string{"a.tar.gz": "a", "a.tgz": "a", "a.dump": "a", "a": "a", ".tgz": ".tgz", "b.zip": "b.zip"} {
		if got := stem(file); got != want {
			t.Errorf("stem(%q) = %q, want %q", file, got, want)
		}
	}
}

// FuzzRestoreArchive feeds restore's archive reader anything: it must
// never panic, and whatever it accepts names only files greyline writes,
// each matching the manifest.
func FuzzRestoreArchive(f *testing.F) {
	sound := func(members []archiveMember, tamper func(*manifest)) []byte {
		man := manifest{Format: backupFormat, FormatVersion: backupFormatVersion, Engine: "sqlite", SchemaVersion: 1}
		for _, m := range members {
			man.Members = append(man.Members, backupMember{Name: m.name, Size: int64(len(m.data)), SHA256: sha(m.data)})
		}
		if tamper != nil {
			tamper(&man)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		mj, _ := json.Marshal(man)
		for _, m := range append([]archiveMember{{manifestName, mj}}, members...) {
			tw.WriteHeader(&tar.Header{Name: m.name, Size: int64(len(m.data)), Mode: 0o600, Typeflag: tar.TypeReg})
			tw.Write(m.data)
		}
		tw.Close()
		zw.Close()
		return buf.Bytes()
	}
	doc := []byte("%PDF-1.4 fuzz")
	members := []archiveMember{{dbMember, []byte("SQLite format 3\x00")}, {"files/" + sha(doc)[:2] + "/" + sha(doc), doc}}
	f.Add(sound(members, nil))
	f.Add(sound(members, func(m *manifest) { m.Members[1].Name = "../x" }))
	f.Add(sound(append(members, archiveMember{secretKeyMember, []byte("00\n")}, archiveMember{"signing-keys/k1.pem", []byte("key")}), nil))
	f.Add(sound(members, func(m *manifest) { m.Members = m.Members[:1] }))
	f.Add([]byte("not an archive"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		file := filepath.Join(dir, fmt.Sprintf("fuzz-%d.tar.gz", time.Now().UnixNano()))
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(file)
		man, small, err := verifyArchive(file)
		if err != nil {
			if greyline.ErrorCode(err) != greyline.EINVALID && greyline.ErrorCode(err) != greyline.ECONFLICT {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		hasDB := false
		for _, mb := range man.Members {
			if !validMember(mb.Name, mb.SHA256) || strings.Contains(mb.Name, "..") {
				t.Fatalf("accepted member %q", mb.Name)
			}
			hasDB = hasDB || mb.Name == dbMember
		}
		if !hasDB {
			t.Fatalf("accepted an archive without a database")
		}
		for name, data := range small {
			if i := slices.IndexFunc(man.Members, func(m backupMember) bool { return m.Name == name }); i < 0 || man.Members[i].SHA256 != sha(data) {
				t.Fatalf("key member %s does not match the manifest", name)
			}
		}
	})
}
