package sqlstore

// Hooks for the external tests (package sqlstore_test).

import (
	"context"
	"time"
)

// SetRetentionBatch changes how many complaints one retention batch
// examines, and returns a function restoring it.
func SetRetentionBatch(n int) func() {
	old := retentionBatch
	retentionBatch = n
	return func() { retentionBatch = old }
}

// SealedColumns lists the "table.column" pairs key rotation re-seals.
func SealedColumns() []string {
	var out []string
	for _, t := range sealedTables {
		for _, c := range t.columns {
			out = append(out, t.name+"."+c)
		}
	}
	return out
}

// IndexedLookups maps queries that must be answered from a partial index
// to that index.
func IndexedLookups() map[string]string {
	return map[string]string{
		idempotencyQuery:      "complaints_idempotency",
		externalRefQuery:      "complaints_external_ref",
		lendingByPackageQuery: "lending_apps_package",
		// Covering: the table holds the narratives and sealed complainants.
		networkComplaintsQuery: "complaints_network",
		removedLinksQuery:      "complaint_identifiers_removed",
	}
}

// FillPlaces runs migration 17's step again.
func (db *DB) FillPlaces(ctx context.Context) error { return db.write(ctx, fillPlaces) }

// ScanInts runs a whole-table read (scan.go), giving each row's first
// column as an integer.
func (db *DB) ScanInts(ctx context.Context, q string, fn func(int64) error) error {
	return db.scan(ctx, q, func(r scanRow) error { return fn(r.Int64(0)) })
}

// Rebind writes q's placeholders as the engine wants them.
func (db *DB) Rebind(q string) string { return db.rebind(q) }

// TimeArg is db.timeArg.
func (db *DB) TimeArg(t time.Time) any { return db.timeArg(t) }

// ImportRecount is the counters row marking an import's kept counts.
const ImportRecount = importRecount

// Abandon leaves the import as a killed process would: its lock released,
// nothing else done.
func (w *ImportWriter) Abandon() {
	w.lock.release()
	w.lock, w.deferred = nil, false
}
