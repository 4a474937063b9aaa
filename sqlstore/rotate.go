package sqlstore

// Key rotation: re-sealing every sealed value and recomputing every keyed
// lookup hash under the keyring's sealing master, while servers keep
// writing.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/greyline/greyline"
)

// A sealedField is one sealed column of a row, with the lookup hashes
// computed from its plaintext.
type sealedField struct {
	col    string
	ad     string
	value  []byte
	hashes []keyedHash
}

type keyedHash struct {
	col string
	old string
	of  func(plain []byte) string
}

type sealedRow struct {
	id     int64
	fields []sealedField
	// complaint: a changed hash changes who the networks count as victim.
	complaint bool
}

// sealedTable reads the rows of one table that hold sealed values.
type sealedTable struct {
	name    string
	columns []string // the sealed columns
	query   string   // id > ? ORDER BY id LIMIT ?
	scan    func(db *DB, rows *sql.Rows) (sealedRow, error)
}

// sealedTables lists every sealed column greyline writes. A new sealed
// column must be added here, or rotation would leave it under the old key
// (TestRotationCoversEverySealedColumn checks the schema against it).
var sealedTables = []sealedTable{
	{"complaints", []string{"complainant"}, "SELECT id, reference, complainant, cnic_hash, phone_hash FROM complaints WHERE id > ? AND pseudonymised_at IS NULL ORDER BY id LIMIT ?",
		func(db *DB, rows *sql.Rows) (sealedRow, error) {
			var r sealedRow
			var ref, cnic, phone string
			var sealed []byte
			if err := rows.Scan(&r.id, &ref, &sealed, &cnic, &phone); err != nil {
				return r, err
			}
			// Details that do not decode keep their hashes: better stale
			// than lost.
			hashes := func(plain []byte) (string, string) {
				var c greyline.Complainant
				if json.Unmarshal(plain, &c) != nil {
					return cnic, phone
				}
				return db.complainantHashes(c)
			}
			r.complaint = true
			r.fields = []sealedField{{col: "complainant", ad: complainantAD(ref), value: sealed, hashes: []keyedHash{
				{"cnic_hash", cnic, func(p []byte) string { h, _ := hashes(p); return h }},
				{"phone_hash", phone, func(p []byte) string { _, h := hashes(p); return h }},
			}}}
			return r, nil
		}},
	{"persons", []string{"cnic_sealed", "passport_sealed"}, "SELECT id, business_id, cnic_sealed, cnic_hash, passport_sealed, passport_hash FROM persons WHERE id > ? ORDER BY id LIMIT ?",
		func(db *DB, rows *sql.Rows) (sealedRow, error) {
			var r sealedRow
			var business int64
			var cnic, pass []byte
			var cnicHash, passHash string
			if err := rows.Scan(&r.id, &business, &cnic, &cnicHash, &pass, &passHash); err != nil {
				return r, err
			}
			r.fields = []sealedField{
				{col: "cnic_sealed", ad: personAD("cnic", business), value: cnic, hashes: []keyedHash{
					{"cnic_hash", cnicHash, func(p []byte) string { return lookupHash(db, "cnic", string(p)) }}}},
				{col: "passport_sealed", ad: personAD("passport", business), value: pass, hashes: []keyedHash{
					{"passport_hash", passHash, func(p []byte) string { return lookupHash(db, "passport", string(p)) }}}},
			}
			return r, nil
		}},
	{"suspects", []string{"cnic_sealed", "passport_sealed"}, "SELECT id, nationality, cnic_sealed, cnic_hash, passport_sealed, passport_hash FROM suspects WHERE id > ? ORDER BY id LIMIT ?",
		func(db *DB, rows *sql.Rows) (sealedRow, error) {
			var r sealedRow
			var nationality, cnicHash, passHash string
			var cnic, pass []byte
			if err := rows.Scan(&r.id, &nationality, &cnic, &cnicHash, &pass, &passHash); err != nil {
				return r, err
			}
			r.fields = []sealedField{
				{col: "cnic_sealed", ad: suspectAD("cnic", r.id), value: cnic, hashes: []keyedHash{
					{"cnic_hash", cnicHash, func(p []byte) string { return lookupHash(db, "cnic", string(p)) }}}},
				{col: "passport_sealed", ad: suspectAD("passport", r.id), value: pass, hashes: []keyedHash{
					{"passport_hash", passHash, func(p []byte) string { return lookupHash(db, "passport", nationality+":"+string(p)) }}}},
			}
			return r, nil
		}},
	{"users", []string{"totp_secret"}, "SELECT id, totp_secret FROM users WHERE id > ? ORDER BY id LIMIT ?",
		func(db *DB, rows *sql.Rows) (sealedRow, error) {
			var r sealedRow
			var secret []byte
			if err := rows.Scan(&r.id, &secret); err != nil {
				return r, err
			}
			r.fields = []sealedField{{col: "totp_secret", ad: totpAD(r.id), value: secret}}
			return r, nil
		}},
}

// KeyUsage is what the keyring is used for in the database.
type KeyUsage struct {
	// Sealed counts sealed values by the id of the master that opens them.
	Sealed map[int]int `json:"sealed"`
	// StaleHashes counts lookup hashes not computed under the sealing master.
	StaleHashes int `json:"stale_hashes"`
	// Unreadable lists values no master of the ring opens, as "table id column".
	Unreadable []string `json:"unreadable"`
}

// OnlySealing reports whether nothing uses a master but the sealing one.
func (u KeyUsage) OnlySealing(sealing int) bool {
	for id, n := range u.Sealed {
		if id != sealing && n > 0 {
			return false
		}
	}
	return u.StaleHashes == 0 && len(u.Unreadable) == 0
}

// RotationResult counts what RotateKeys did.
type RotationResult struct {
	SealingID int `json:"sealing_id"`
	Passes    int `json:"passes"`
	// Resealed values and Rehashed lookup hashes, by table.
	Resealed map[string]int `json:"resealed"`
	Rehashed map[string]int `json:"rehashed"`
	// Raced counts rows changed by another writer between the read and the
	// rewrite: left alone and looked at again in the next pass.
	Raced int `json:"raced"`
	// Usage is what uses each master once the rotation finished.
	Usage KeyUsage `json:"usage"`
}

// maxRotationPasses bounds the passes: each after the first only meets
// values written, meanwhile, by servers that had not yet loaded the new key.
const maxRotationPasses = 5

// RotateKeys re-seals every sealed value and recomputes every lookup hash
// under the keyring's sealing master, in batches of batch rows, each batch
// one transaction with its audit event. A row another writer changes
// between the read and the rewrite is left to that writer (the update
// checks the old value is still there) and looked at again in the next
// pass; passes repeat until one finds nothing left to do. Servers still
// sealing under an older master make more work for the next pass; the
// final Usage says whether anything is left. The networks count victims by
// lookup hash: re-hashed complaints go to the change log, and until a
// person's last complaint is re-hashed the networks may count them twice.
func (db *DB) RotateKeys(ctx context.Context, batch int) (RotationResult, error) {
	if batch <= 0 {
		batch = 500
	}
	res := RotationResult{SealingID: db.opt.Keys.SealingID(), Resealed: map[string]int{}, Rehashed: map[string]int{}}
	for res.Passes < maxRotationPasses {
		res.Passes++
		work := 0
		for _, tbl := range sealedTables {
			after := int64(0)
			for {
				// Counted apart until the batch commits: a retried
				// transaction starts again from the same row.
				var n, resealed, rehashed, raced int
				var next int64
				err := db.write(ctx, func(t *tx) error {
					n, resealed, rehashed, raced, next = 0, 0, 0, 0, after
					rows, err := t.query(tbl.query, after, batch)
					if err != nil {
						return err
					}
					var rs []sealedRow
					for rows.Next() {
						r, err := tbl.scan(db, rows)
						if err != nil {
							rows.Close()
							return err
						}
						rs = append(rs, r)
					}
					rows.Close()
					if err := rows.Err(); err != nil {
						return err
					}
					for _, r := range rs {
						n++
						next = r.id
						s, h, ok, err := t.reseal(tbl.name, r)
						if err != nil {
							return err
						}
						resealed, rehashed = resealed+s, rehashed+h
						if !ok {
							raced++
						}
					}
					if resealed == 0 && rehashed == 0 {
						return nil
					}
					return t.audit(greyline.AuditEvent{Action: "keys.rotate", RecordType: strings.TrimSuffix(tbl.name, "s"),
						Detail: fmt.Sprintf("key=%d resealed=%d rehashed=%d", res.SealingID, resealed, rehashed)})
				})
				if err != nil {
					return res, err
				}
				after = next
				res.Resealed[tbl.name] += resealed
				res.Rehashed[tbl.name] += rehashed
				res.Raced += raced
				work += resealed + rehashed + raced
				if n < batch {
					break
				}
			}
		}
		if work == 0 {
			break
		}
	}
	var err error
	res.Usage, err = db.KeyUsage(ctx)
	return res, err
}

// reseal rewrites one row's sealed values and hashes that are not under
// the sealing master. ok is false when another writer changed the row
// first (nothing is written then).
func (t *tx) reseal(table string, r sealedRow) (resealed, rehashed int, ok bool, err error) {
	keys := t.db.opt.Keys
	sealing := keys.SealingID()
	var set, where []string
	var setArgs, whereArgs []any
	for _, f := range r.fields {
		if len(f.value) == 0 {
			continue
		}
		plain, id, err := keys.OpenID(f.value, f.ad)
		if err != nil {
			continue // counted by KeyUsage; nothing can be done here
		}
		changed := false
		if id != sealing {
			set, setArgs = append(set, f.col+" = ?"), append(setArgs, keys.Seal(plain, f.ad))
			resealed++
			changed = true
		}
		for _, h := range f.hashes {
			if now := h.of(plain); now != h.old {
				set, setArgs = append(set, h.col+" = ?"), append(setArgs, now)
				rehashed++
				changed = true
			}
		}
		if changed {
			where, whereArgs = append(where, f.col+" = ?"), append(whereArgs, f.value)
		}
	}
	if len(set) == 0 {
		return 0, 0, true, nil
	}
	res, err := t.exec("UPDATE "+table+" SET "+strings.Join(set, ", ")+" WHERE id = ? AND "+strings.Join(where, " AND "),
		append(append(setArgs, r.id), whereArgs...)...)
	if err != nil {
		return 0, 0, false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, 0, false, nil
	}
	if r.complaint && rehashed > 0 {
		t.complaintsChanged = append(t.complaintsChanged, r.id) // victims are counted by hash
	}
	return resealed, rehashed, true, nil
}

// KeyUsage reads every sealed value and lookup hash and counts which
// master each is under. `greyline keys rotate --retire-old` refuses to drop
// a master while anything uses it.
func (db *DB) KeyUsage(ctx context.Context) (KeyUsage, error) {
	u := KeyUsage{Sealed: map[int]int{}, Unreadable: []string{}}
	keys := db.opt.Keys
	for _, tbl := range sealedTables {
		after := int64(0)
		for {
			n := 0
			err := db.read(ctx, func(t *tx) error {
				rows, err := t.query(tbl.query, after, 1000)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					r, err := tbl.scan(db, rows)
					if err != nil {
						return err
					}
					n++
					after = r.id
					for _, f := range r.fields {
						if len(f.value) == 0 {
							continue
						}
						plain, id, err := keys.OpenID(f.value, f.ad)
						if err != nil {
							u.Unreadable = append(u.Unreadable, fmt.Sprintf("%s %d %s", tbl.name, r.id, f.col))
							continue
						}
						u.Sealed[id]++
						for _, h := range f.hashes {
							if h.of(plain) != h.old {
								u.StaleHashes++
							}
						}
					}
				}
				return rows.Err()
			})
			if err != nil {
				return u, err
			}
			if n < 1000 {
				break
			}
		}
	}
	return u, nil
}
