package sqlstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the engine's migrations in order. File names are
// "NNNN_description.sql"; both engines must have the same versions.
func migrations(e Engine) ([]migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, ent := range entries {
		name := ent.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return out, nil
}

// dataMigrations are the steps, by version, that change rows in ways SQL
// cannot, such as decrypting them. Each runs after its version's SQL, in
// the same transaction.
var dataMigrations = map[int]func(*tx) error{
	17: fillPlaces,
}

// fillPlaces sets the city and province columns of complaints filed
// before those columns existed from their sealed details. The network
// rebuild decrypted such complaints at every start. A complaint whose
// details cannot be opened keeps its empty columns.
func fillPlaces(t *tx) error {
	type place struct {
		id             int64
		ref            string
		sealed         []byte
		city, province string
	}
	last := int64(0)
	for {
		var batch []place
		err := t.scanEach("SELECT id, reference, complainant, city, province FROM complaints WHERE (city = '' OR province = '') AND id > ? ORDER BY id LIMIT 1000",
			[]any{last}, func(scan func(...any) error) error {
				var p place
				if err := scan(&p.id, &p.ref, &p.sealed, &p.city, &p.province); err != nil {
					return err
				}
				batch = append(batch, p)
				return nil
			})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		last = batch[len(batch)-1].id
		for _, p := range batch {
			var who greyline.Complainant
			plain, err := t.db.opt.Keys.Open(p.sealed, complainantAD(p.ref))
			if err != nil || json.Unmarshal(plain, &who) != nil {
				continue
			}
			if p.city == "" {
				p.city = greyline.CityName(who.City)
			}
			if p.province == "" {
				p.province = who.Province
			}
			if _, err := t.exec("UPDATE complaints SET city = ?, province = ? WHERE id = ?", p.city, p.province, p.id); err != nil {
				return err
			}
		}
	}
}

// LatestVersion is the schema version this binary expects.
func (db *DB) LatestVersion() int {
	ms, err := migrations(db.engine)
	if err != nil {
		panic(err) // embedded files are checked by tests
	}
	return len(ms)
}

// SchemaVersion returns the version the database is at (0 when empty).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return 0, err
	}
	var v int
	err := db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, db.translate(err)
}

func (db *DB) ensureMigrationsTable(ctx context.Context) error {
	ts := "TIMESTAMP"
	if db.engine == Postgres {
		ts = "TIMESTAMPTZ"
	}
	_, err := db.w.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "+ts+" NOT NULL)")
	return db.translate(err)
}

// ErrSchemaOld and ErrSchemaNew are wrapped by CheckSchema's errors.
var (
	ErrSchemaOld = errors.New("the database schema is older than this binary")
	ErrSchemaNew = errors.New("the database schema is newer than this binary")
)

func schemaError(sentinel error, format string, args ...any) error {
	return &greyline.Error{Code: greyline.ECONFLICT, Message: fmt.Sprintf(format, args...), Err: sentinel}
}

// CheckSchema reports whether the schema matches this binary exactly.
func (db *DB) CheckSchema(ctx context.Context) error {
	cur, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := db.LatestVersion()
	switch {
	case cur < latest:
		return schemaError(ErrSchemaOld, "The database is at schema version %d and this binary needs %d: run `greyline migrate`.", cur, latest)
	case cur > latest:
		return schemaError(ErrSchemaNew, "The database is at schema version %d, newer than this binary's %d: upgrade greyline.", cur, latest)
	}
	return nil
}

// Migrate applies pending migrations, each in its own transaction, and
// returns the names applied. It refuses a schema newer than the binary.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := migrations(db.engine)
	if err != nil {
		return nil, err
	}
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return nil, err
	}
	var applied []string
	err = db.write(ctx, func(t *tx) error {
		applied = nil
		if db.engine == Postgres {
			// Two servers starting together must not both migrate.
			if _, err := t.exec("SELECT pg_advisory_xact_lock(7336802)"); err != nil {
				return err
			}
		}
		var cur int
		if err := t.queryRow("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
			return err
		}
		if cur > len(ms) {
			return schemaError(ErrSchemaNew, "The database is at schema version %d, newer than this binary's %d: upgrade greyline.", cur, len(ms))
		}
		for _, m := range ms[cur:] {
			if _, err := t.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, db.translate(err))
			}
			if step := dataMigrations[m.version]; step != nil {
				if err := step(t); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
			}
			if _, err := t.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, db.now()); err != nil {
				return err
			}
			applied = append(applied, m.name)
		}
		return nil
	})
	return applied, err
}

// Seed creates the built-in organisations if they are missing. It is
// idempotent and audited as a system action.
func (db *DB) Seed(ctx context.Context) error {
	ctx = greyline.WithActor(ctx, greyline.Actor{System: true})
	for _, o := range greyline.SeedOrgs {
		if _, err := db.FindOrgByCode(ctx, o.Code); err == nil {
			continue
		} else if greyline.ErrorCode(err) != greyline.ENOTFOUND {
			return err
		}
		o := o
		if err := db.CreateOrg(ctx, &o); err != nil && greyline.ErrorCode(err) != greyline.ECONFLICT {
			return err
		}
	}
	return nil
}
