// Package sqlstoretest opens fresh, isolated, migrated databases for tests:
// SQLite always, and PostgreSQL when GREYLINE_TEST_POSTGRES holds a DSN.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

// PostgresEnv names the variable holding the PostgreSQL DSN for tests.
const PostgresEnv = "GREYLINE_TEST_POSTGRES"

// FastHasher is real argon2id with a small memory cost, to keep suites quick.
var FastHasher = auth.Hasher{Time: 1, MemoryKiB: 1024, Threads: 1}

// Engines returns the engines to test. When CI=true, PostgreSQL is required.
func Engines(t testing.TB) []sqlstore.Engine {
	if os.Getenv(PostgresEnv) != "" {
		return []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s is not set: PostgreSQL tests cannot run", PostgresEnv)
	}
	return []sqlstore.Engine{sqlstore.SQLite}
}

// ForEach runs fn as a subtest on every engine, each with a fresh database.
func ForEach(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, Open(t, e, Options{})) })
	}
}

// Options adjust a test database.
type Options struct {
	Now  greyline.Clock
	Tune func(*sqlstore.Options)
	// DSN, if set, opens that database (from DSN) instead of a new one:
	// a second handle on one database, as a second server would hold.
	DSN string
}

// DSN creates an empty isolated database for engine e and returns its DSN.
// SQLite gets a file in a temporary directory; PostgreSQL a new schema that
// is dropped when the test ends.
func DSN(t testing.TB, e sqlstore.Engine) string {
	t.Helper()
	if e == sqlstore.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a DSN (e.g. postgres://postgres@127.0.0.1:5432/postgres)", PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "gltest_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestKeys returns fixed keys, so failures are reproducible.
func TestKeys(t testing.TB) *keys.Keys {
	k, err := keys.New(make([]byte, keys.MasterSize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Open returns a migrated, seeded database for engine e, closed at test end.
func Open(t testing.TB, e sqlstore.Engine, o Options) *sqlstore.DB {
	t.Helper()
	files, err := filestore.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	dsn := o.DSN
	if dsn == "" {
		dsn = DSN(t, e)
	}
	opt := sqlstore.Options{DSN: dsn, Keys: TestKeys(t), Hasher: FastHasher, Now: o.Now, Files: files}
	if o.Tune != nil {
		o.Tune(&opt)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sqlstore.Open(ctx, opt)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	if err := db.Seed(ctx); err != nil {
		t.Fatalf("seed %s: %v", e, err)
	}
	return db
}
