package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// fileComplaint files complaint ref with one PDF whose content is unique to file.
func fileComplaint(t *testing.T, db *sqlstore.DB, ref, file int) (*greyline.Complaint, string) {
	t.Helper()
	pdf := fmt.Appendf(nil, "%%PDF-1.4\n%% evidence %d\n%%%%EOF\n", file)
	n := sampleComplaint(time.Now().UTC())
	n.ExternalRef = fmt.Sprintf("BK-%d", ref)
	n.Attachments = []greyline.Attachment{{Filename: "receipt.pdf", Content: bytes.NewReader(pdf)}}
	c, _, _, err := db.CreateComplaint(sys(), n, "")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	return c, hex.EncodeToString(sum[:])
}

// TestContents: the counts and the documents' files are those written, on
// both engines.
func TestContents(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		var sums []string
		for i := range 3 {
			_, sum := fileComplaint(t, db, i, i)
			sums = append(sums, sum)
		}
		fileComplaint(t, db, 3, 0) // the same file again: one file, two rows
		c, err := db.Contents(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{"complaints": c.Counts["complaints"], "documents": c.Counts["documents"], "schema_migrations": c.Counts["schema_migrations"]}
		want := map[string]int64{"complaints": 4, "documents": 4, "schema_migrations": int64(db.LatestVersion())}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
		if c.SchemaVersion != sqlstore.LatestSchema(db.Engine()) || c.SchemaVersion != db.LatestVersion() {
			t.Errorf("schema version %d, want %d", c.SchemaVersion, db.LatestVersion())
		}
		if len(c.Counts) < 40 {
			t.Errorf("only %d tables counted: %v", len(c.Counts), c.Counts)
		}
		wantDocs := append([]string(nil), sums...)
		slices.Sort(wantDocs)
		if diff := cmp.Diff(wantDocs, c.Documents); diff != "" {
			t.Errorf("documents (-want +got):\n%s", diff)
		}

		// Files removed under retention are no longer held; a file one
		// kept document still names is.
		w, _ := db.Pools()
		if _, err := w.Exec(db.Rebind("UPDATE documents SET removed_at = ? WHERE sha256 = ? OR id = (SELECT MIN(id) FROM documents WHERE sha256 = ?)"), time.Now().UTC(), sums[1], sums[0]); err != nil {
			t.Fatal(err)
		}
		if c, err = db.Contents(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantDocs = []string{sums[0], sums[2]}
		slices.Sort(wantDocs)
		if diff := cmp.Diff(wantDocs, c.Documents); diff != "" {
			t.Errorf("documents after a removal (-want +got):\n%s", diff)
		}
	})
}

// TestSnapshot: the copy holds what the database holds, opens as a
// database of its own, and its audit chain verifies; PostgreSQL and an
// existing destination are refused.
func TestSnapshot(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{})
			fileComplaint(t, db, 1, 1)
			dst := filepath.Join(t.TempDir(), "copy.db")
			if e == sqlstore.Postgres {
				if err := db.Snapshot(context.Background(), dst); !errors.Is(err, greyline.ErrInvalid) {
					t.Errorf("snapshot of PostgreSQL: %v, want invalid", err)
				}
				return
			}
			if err := db.Snapshot(context.Background(), dst); err != nil {
				t.Fatal(err)
			}
			if err := db.Snapshot(context.Background(), dst); !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("snapshot over an existing file: %v, want conflict", err)
			}
			want, err := db.Contents(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got, err := sqlstore.InspectSQLite(context.Background(), dst)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("copy (-original +copy):\n%s", diff)
			}
			cp := sqlstoretest.Open(t, e, sqlstoretest.Options{DSN: "sqlite:" + dst})
			if n, problems, err := cp.VerifyAudit(context.Background()); err != nil || len(problems) != 0 || n == 0 {
				t.Errorf("audit of the copy: %d events, %v, %v", n, problems, err)
			}
			if _, err := sqlstore.InspectSQLite(context.Background(), filepath.Join(t.TempDir(), "none.db")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("inspecting a missing file: %v", err)
			}
		})
	}
}

// TestLockSQLite: the lock is refused while a store has the database open
// and granted once it is closed; while held, no store can open it.
func TestLockSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	if l, err := sqlstore.LockSQLite(ctx, path); l != nil || err != nil {
		t.Fatalf("no file: %v %v, want nothing", l, err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("LockSQLite created the database")
	}
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: "sqlite:" + path})
	_, err := sqlstore.LockSQLite(ctx, path)
	if !errors.Is(err, sqlstore.ErrInUse) || !errors.Is(err, greyline.ErrConflict) {
		t.Fatalf("lock while open: %v, want in use", err)
	}
	db.Close()
	l, err := sqlstore.LockSQLite(ctx, path)
	if err != nil || l == nil {
		t.Fatalf("lock once closed: %v", err)
	}
	c, err := l.Contents(ctx)
	if err != nil || c.Counts["orgs"] == 0 || c.SchemaVersion != sqlstore.LatestSchema(sqlstore.SQLite) {
		t.Errorf("contents under the lock: %+v %v", c, err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow("SELECT COUNT(*) FROM sqlite_master").Scan(&n); err == nil {
		t.Errorf("the database could be read while locked")
	}
	raw.Close()
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l, err = sqlstore.LockSQLite(ctx, path)
	if err != nil {
		t.Errorf("lock after release: %v", err)
	}
	l.Release()
}
