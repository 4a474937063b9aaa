package sqlstore

// The retention policy for complainants' personal data.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

var _ greyline.DataProtectionService = (*DB)(nil)

// retentionBatch is how many complaints past the cutoff one transaction
// examines; each batch writes its own audit event.
var retentionBatch = 200

// A complainant is the person behind a complaint as the fraud networks
// count victims (sqlstore ReadNetwork): the same CNIC hash, or, with no
// CNIC, the same phone hash. Complaints with neither stand alone.
type complainantKey struct {
	col, hash string // cnic_hash or phone_hash; "" for a complaint alone
	id        int64  // the complaint, when alone
}

func keyOf(id int64, cnic, phone string) complainantKey {
	switch {
	case cnic != "":
		return complainantKey{col: "cnic_hash", hash: cnic}
	case phone != "":
		return complainantKey{col: "phone_hash", hash: phone}
	}
	return complainantKey{id: id}
}

// where selects the person's complaints that still hold details, found
// from one of them (id): while keys are rotated, some of the person's
// complaints may hold the hash under the old key and some under the new,
// so the hashes under every key are computed from its details.
func (t *tx) where(k complainantKey, id int64) (string, []any, error) {
	if k.col == "" {
		return "id = ? AND pseudonymised_at IS NULL", []any{k.id}, nil
	}
	hashes := []any{k.hash}
	var ref string
	var sealed []byte
	if err := t.queryRow("SELECT reference, complainant FROM complaints WHERE id = ?", id).Scan(&ref, &sealed); err != nil {
		return "", nil, err
	}
	var who greyline.Complainant
	if plain, err := t.db.opt.Keys.Open(sealed, complainantAD(ref)); err == nil && json.Unmarshal(plain, &who) == nil {
		typ, kind, value := identifier.CNIC, "cnic", who.CNIC
		if k.col == "phone_hash" {
			typ, kind, value = identifier.Phone, "phone", who.Phone
		}
		if x := identifier.Parse(typ, value); x.Valid {
			for _, h := range lookupHashes(t.db, kind, x.Value) {
				if h != k.hash {
					hashes = append(hashes, h)
				}
			}
		}
	}
	cond := k.col + " IN " + inList(len(hashes)) + " AND pseudonymised_at IS NULL"
	if k.col == "phone_hash" {
		cond += " AND cnic_hash = ''"
	}
	return cond, hashes, nil
}

// ApplyRetention implements greyline.DataProtectionService. It walks the
// complaints received before the cutoff (none received later can be due),
// and decides for each complainant once: their complaints lose their
// details together, when every one is past the period and none is held for
// a case. Each batch is one transaction with its audit event.
func (db *DB) ApplyRetention(ctx context.Context, p greyline.RetentionPeriod, dryRun bool) (greyline.RetentionResult, error) {
	now := db.now()
	res := greyline.RetentionResult{Period: p, DryRun: dryRun}
	if p.Forever {
		return res, nil
	}
	res.Cutoff = p.Cutoff(now)
	decided := map[complainantKey]bool{}
	after, afterID := time.Time{}, int64(0)
	for {
		// What one batch saw and did, kept apart until it commits: a
		// transaction the engine retries starts again from the same place.
		var batch greyline.RetentionResult
		var n int
		var nextAt time.Time
		var nextID int64
		var seen []complainantKey
		run := db.write
		if dryRun {
			run = db.read
		}
		err := run(ctx, func(t *tx) error {
			batch, n, nextAt, nextID, seen = greyline.RetentionResult{}, 0, after, afterID, nil
			rows, err := t.query(`SELECT id, received_at, cnic_hash, phone_hash FROM complaints
				WHERE pseudonymised_at IS NULL AND received_at <= ? AND (received_at > ? OR (received_at = ? AND id > ?))
				ORDER BY received_at, id LIMIT ?`, res.Cutoff, after, after, afterID, retentionBatch)
			if err != nil {
				return err
			}
			type candidate struct {
				id  int64
				key complainantKey
			}
			var cands []candidate
			for rows.Next() {
				var id int64
				var at time.Time
				var cnic, phone string
				if err := rows.Scan(&id, &at, &cnic, &phone); err != nil {
					rows.Close()
					return err
				}
				n++
				nextAt, nextID = at.UTC(), id
				cands = append(cands, candidate{id, keyOf(id, cnic, phone)})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, c := range cands {
				if decided[c.key] || slices.Contains(seen, c.key) {
					continue
				}
				covered, err := t.retainOrPseudonymise(c.key, c.id, res.Cutoff, now, dryRun, &batch)
				if err != nil {
					return err
				}
				seen = append(append(seen, c.key), covered...)
			}
			if dryRun || batch.Pseudonymised == 0 {
				return nil
			}
			return t.audit(greyline.AuditEvent{Action: "retention.apply", RecordType: "complaint",
				Detail: fmt.Sprintf("period=%s cutoff=%s pseudonymised=%d complainants=%d files_removed=%d", p, res.Cutoff.Format(time.RFC3339), batch.Pseudonymised, batch.Complainants, batch.FilesRemoved)})
		})
		if err != nil {
			return res, err
		}
		after, afterID = nextAt, nextID
		for _, k := range seen {
			decided[k] = true
		}
		res.Pseudonymised += batch.Pseudonymised
		res.Complainants += batch.Complainants
		res.HeldForCase += batch.HeldForCase
		res.HeldWithRecent += batch.HeldWithRecent
		res.FilesRemoved += batch.FilesRemoved
		if n < retentionBatch {
			if dryRun {
				return res, nil
			}
			return res, db.removeRetiredFiles(ctx)
		}
	}
}

// retentionMember is one of a complainant's complaints, as the policy sees it.
type retentionMember struct {
	id       int64
	ref      string
	status   greyline.ComplaintStatus
	start    time.Time // when the retention clock started
	firs     int
	openFIRs int
}

func (m *retentionMember) heldForCase() bool {
	return m.openFIRs > 0 || (m.status == greyline.ComplaintCaseRegistered && m.firs == 0)
}

// retainOrPseudonymise decides for one complainant, found from one of
// their complaints (id), and, unless dry, removes their details from every
// complaint of theirs. It returns the keys of the complaints it decided
// for (one person's may differ while keys are rotated).
func (t *tx) retainOrPseudonymise(k complainantKey, id int64, cutoff, now time.Time, dryRun bool, res *greyline.RetentionResult) ([]complainantKey, error) {
	cond, args, err := t.where(k, id)
	if err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT id, reference, status, received_at, cnic_hash, phone_hash FROM complaints WHERE "+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	var ms []*retentionMember
	var covered []complainantKey
	byID := map[int64]*retentionMember{}
	for rows.Next() {
		var m retentionMember
		var cnic, phone string
		if err := rows.Scan(&m.id, &m.ref, &m.status, &m.start, &cnic, &phone); err != nil {
			rows.Close()
			return nil, err
		}
		ms = append(ms, &m)
		byID[m.id] = &m
		covered = append(covered, keyOf(m.id, cnic, phone))
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ms) == 0 {
		return covered, err
	}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	// The clock starts at the complaint's last step (for a closed one, its
	// closing)...
	if err := t.scanEach("SELECT complaint_id, at FROM complaint_events WHERE complaint_id IN "+inList(len(ids)), ids, func(scan func(...any) error) error {
		var id int64
		var at time.Time
		if err := scan(&id, &at); err != nil {
			return err
		}
		if m := byID[id]; at.After(m.start) {
			m.start = at
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// ... or when the last of its FIRs was concluded, if later; an FIR not
	// concluded holds the complaint.
	if err := t.scanEach(`SELECT fc.complaint_id, f.stage, f.stage_changed FROM fir_complaints fc JOIN firs f ON f.id = fc.fir_id
		WHERE fc.complaint_id IN `+inList(len(ids)), ids, func(scan func(...any) error) error {
		var id int64
		var stage greyline.CourtStage
		var changed time.Time
		if err := scan(&id, &stage, &changed); err != nil {
			return err
		}
		m := byID[id]
		m.firs++
		if stage != greyline.StageConvicted && stage != greyline.StageAcquitted {
			m.openFIRs++
		} else if changed.After(m.start) {
			m.start = changed
		}
		return nil
	}); err != nil {
		return nil, err
	}
	due := true
	for _, m := range ms {
		if m.heldForCase() || m.start.After(cutoff) {
			due = false
		}
	}
	if !due {
		for _, m := range ms {
			switch {
			case m.heldForCase():
				res.HeldForCase++
			case !m.start.After(cutoff):
				res.HeldWithRecent++
			}
		}
		return covered, nil
	}
	res.Pseudonymised += len(ms)
	res.Complainants++
	var files int
	if err := t.queryRow("SELECT COUNT(*) FROM documents WHERE removed_at IS NULL AND complaint_id IN "+inList(len(ids)), ids...).Scan(&files); err != nil {
		return nil, err
	}
	res.FilesRemoved += files
	if dryRun {
		return covered, nil
	}
	// One random pseudonym for the person: their complaints still count as
	// one victim, and nothing derived from their CNIC or phone is left.
	var cnicHash, phoneHash string
	if k.col != "" {
		b := make([]byte, 16)
		rand.Read(b)
		pseudonym := "~" + hex.EncodeToString(b)
		if k.col == "cnic_hash" {
			cnicHash = pseudonym
		} else {
			phoneHash = pseudonym
		}
	}
	for _, m := range ms {
		if err := t.pseudonymise(m, cnicHash, phoneHash, now); err != nil {
			return nil, err
		}
	}
	return covered, nil
}

// pseudonymise removes one complaint's complainant details, keeping the
// place, gender and age band in clear for the statistics, and hides the
// details where they appear in the narrative and in identifiers as written.
func (t *tx) pseudonymise(m *retentionMember, cnicHash, phoneHash string, now time.Time) error {
	var sealed []byte
	var narrative, city, province string
	if err := t.queryRow("SELECT complainant, narrative, city, province FROM complaints WHERE id = ?", m.id).Scan(&sealed, &narrative, &city, &province); err != nil {
		return err
	}
	var who greyline.Complainant
	plain, err := t.db.opt.Keys.Open(sealed, complainantAD(m.ref))
	if err == nil {
		err = json.Unmarshal(plain, &who)
	}
	if err != nil {
		return greyline.Internal(fmt.Errorf("complaint %d: opening the complainant: %w", m.id, err))
	}
	if city == "" { // filed before the place had its own columns
		city = greyline.CityName(who.City)
	}
	if province == "" {
		province = who.Province
	}
	if _, err := t.exec(`UPDATE complaints SET complainant = ?, cnic_hash = ?, phone_hash = ?, city = ?, province = ?, gender = ?, age_band = ?,
		narrative = ?, pseudonymised_at = ? WHERE id = ? AND pseudonymised_at IS NULL`,
		[]byte{}, cnicHash, phoneHash, city, province, who.Gender, who.AgeBand, who.Redact(narrative), now, m.id); err != nil {
		return err
	}
	// Links to the complainant's own CNIC, phone or e-mail (picked out of
	// the narrative, or typed in the wrong field) are the victim's details,
	// not the fraudster's: they go, unless an analyst confirmed one as the
	// fraudster's. Other links stay, their text as written redacted.
	own := who.IdentifierKeys()
	type link struct {
		ident      int64
		raw, key   string
		status     greyline.IdentifierStatus
		reviewedBy int64
	}
	var links []link
	if err := t.scanEach(`SELECT ci.identifier_id, ci.raw, i.match_key, ci.status, ci.reviewed_by FROM complaint_identifiers ci
		JOIN identifiers i ON i.id = ci.identifier_id WHERE ci.complaint_id = ?`, []any{m.id}, func(scan func(...any) error) error {
		var l link
		if err := scan(&l.ident, &l.raw, &l.key, &l.status, &l.reviewedBy); err != nil {
			return err
		}
		links = append(links, l)
		return nil
	}); err != nil {
		return err
	}
	for _, l := range links {
		switch {
		case own[l.key] && !(l.status == greyline.IdentifierConfirmed && l.reviewedBy != 0):
			if _, err := t.exec("DELETE FROM complaint_identifiers WHERE complaint_id = ? AND identifier_id = ?", m.id, l.ident); err != nil {
				return err
			}
			if l.status != greyline.IdentifierRemoved { // a removed link was no longer counted
				if _, err := t.exec("UPDATE identifiers SET complaints = complaints - 1 WHERE id = ?", l.ident); err != nil {
					return err
				}
			}
		case who.Redact(l.raw) != l.raw:
			if _, err := t.exec("UPDATE complaint_identifiers SET raw = ? WHERE complaint_id = ? AND identifier_id = ?", who.Redact(l.raw), m.id, l.ident); err != nil {
				return err
			}
		}
	}
	// Staff notes and messages to the complainant may quote the details too.
	type event struct {
		id                  int64
		note, publicMessage string
	}
	var events []event
	if err := t.scanEach("SELECT id, note, public_message FROM complaint_events WHERE complaint_id = ?", []any{m.id}, func(scan func(...any) error) error {
		var e event
		if err := scan(&e.id, &e.note, &e.publicMessage); err != nil {
			return err
		}
		events = append(events, e)
		return nil
	}); err != nil {
		return err
	}
	for _, e := range events {
		note, msg := who.Redact(e.note), who.Redact(e.publicMessage)
		if note == e.note && msg == e.publicMessage {
			continue
		}
		if _, err := t.exec("UPDATE complaint_events SET note = ?, public_message = ? WHERE id = ?", note, msg, e.id); err != nil {
			return err
		}
	}
	// The attached files go, with their names; the file store drops their
	// bytes after the commit (removeRetiredFiles).
	if _, err := t.exec("UPDATE documents SET filename = '', removed_at = ? WHERE complaint_id = ? AND removed_at IS NULL", now, m.id); err != nil {
		return err
	}
	// The networks count victims by the pseudonym now.
	t.complaintsChanged = append(t.complaintsChanged, m.id)
	return nil
}

// removeRetiredFiles deletes from the file store the files of documents
// removed under retention, unless another document still holds the same
// content. The store is not transactional, so this runs after the
// commits, and each run also finishes what an interrupted one left.
func (db *DB) removeRetiredFiles(ctx context.Context) error {
	var sums []string
	err := db.read(ctx, func(t *tx) error {
		return t.scanEach(`SELECT DISTINCT d.sha256 FROM documents d WHERE d.removed_at IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM documents k WHERE k.sha256 = d.sha256 AND k.removed_at IS NULL)`, nil, func(scan func(...any) error) error {
			var sum string
			if err := scan(&sum); err != nil {
				return err
			}
			sums = append(sums, sum)
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, sum := range sums {
		if err := db.opt.Files.Remove(sum); err != nil {
			return err
		}
	}
	return nil
}

// scanEach runs a query and calls fn with each row's scanner.
func (t *tx) scanEach(q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
