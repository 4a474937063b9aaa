package sqlstore

// Subject access: everything greyline holds about the person with a CNIC.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

// SubjectAccess implements greyline.DataProtectionService. Records are
// found through the keyed CNIC hashes (under every master of the keyring,
// so a rotation in progress misses nothing), never by decrypting rows to
// compare. The export and its audit event, which names the CNIC only by
// its hash, are one transaction.
func (db *DB) SubjectAccess(ctx context.Context, cnic string) (*greyline.SubjectExport, error) {
	x := identifier.Parse(identifier.CNIC, cnic)
	if !x.Valid {
		return nil, greyline.Invalid("cnic", "must be a CNIC: 13 digits, written 12345-1234567-1 or without dashes")
	}
	hashes := lookupHashes(db, "cnic", x.Value)
	in := inList(len(hashes))
	out := &greyline.SubjectExport{CNIC: x.Value, GeneratedAt: db.now(),
		Complaints: []greyline.SubjectComplaint{}, BusinessPeople: []greyline.SubjectBusinessPerson{},
		EnforcementPersons: []greyline.SubjectSuspect{}, AuditEvents: []*greyline.AuditEvent{},
		Notes: []string{
			"User accounts hold no CNIC, so none is listed.",
			"Complaints whose complainant's details were removed under the retention policy can no longer be found by CNIC and are not listed.",
		}}
	err := db.write(ctx, func(t *tx) error {
		cs, err := t.complaintsWhere("cnic_hash IN "+in, hashes, "ORDER BY id", true)
		if err != nil {
			return err
		}
		records := map[string][]any{} // audit record type to ids
		for _, c := range cs {
			sc := greyline.SubjectComplaint{Complaint: c, Messages: []greyline.TrackingMessage{}}
			if err := t.scanEach("SELECT at, public_message FROM complaint_events WHERE complaint_id = ? AND public_message <> '' ORDER BY id", []any{c.ID}, func(scan func(...any) error) error {
				var m greyline.TrackingMessage
				if err := scan(&m.At, &m.Message); err != nil {
					return err
				}
				m.At = m.At.UTC()
				sc.Messages = append(sc.Messages, m)
				return nil
			}); err != nil {
				return err
			}
			out.Complaints = append(out.Complaints, sc)
			records["complaint"] = append(records["complaint"], idString(c.ID))
		}

		type owned struct{ id, business int64 }
		var people []owned
		if err := t.scanEach("SELECT id, business_id FROM persons WHERE cnic_hash IN "+in+" ORDER BY id", hashes, func(scan func(...any) error) error {
			var p owned
			if err := scan(&p.id, &p.business); err != nil {
				return err
			}
			people = append(people, p)
			return nil
		}); err != nil {
			return err
		}
		for _, p := range people {
			ps, err := t.persons(p.business, p.id, true)
			if err != nil {
				return err
			}
			var name string
			if err := t.queryRow("SELECT trade_name FROM businesses WHERE id = ?", p.business).Scan(&name); err != nil {
				return err
			}
			for _, person := range ps {
				out.BusinessPeople = append(out.BusinessPeople, greyline.SubjectBusinessPerson{Person: person, BusinessName: name})
			}
			records["person"] = append(records["person"], idString(p.id))
		}

		var suspects []int64
		if err := t.scanEach("SELECT id FROM suspects WHERE cnic_hash IN "+in+" ORDER BY id", hashes, func(scan func(...any) error) error {
			var id int64
			if err := scan(&id); err != nil {
				return err
			}
			suspects = append(suspects, id)
			return nil
		}); err != nil {
			return err
		}
		for _, id := range suspects {
			s, err := t.suspect(id, true)
			if err != nil {
				return err
			}
			ss := greyline.SubjectSuspect{Person: s, Arrests: []greyline.Arrest{}, FIRs: []greyline.FIR{}}
			if err := t.scanEach("SELECT a.id, a.suspect_id, a.raid_id, a.at, r.operation_id FROM arrests a JOIN raids r ON r.id = a.raid_id WHERE a.suspect_id = ? ORDER BY a.id", []any{id}, func(scan func(...any) error) error {
				var a greyline.Arrest
				if err := scan(&a.ID, &a.SuspectID, &a.RaidID, &a.At, &a.OperationID); err != nil {
					return err
				}
				a.At = a.At.UTC()
				ss.Arrests = append(ss.Arrests, a)
				records["arrest"] = append(records["arrest"], idString(a.ID))
				return nil
			}); err != nil {
				return err
			}
			firs, err := loadEach(t, "SELECT fir_id FROM fir_accused WHERE suspect_id = ? ORDER BY fir_id", []any{id}, t.fir)
			if err != nil {
				return err
			}
			for _, f := range firs {
				ss.FIRs = append(ss.FIRs, *f)
			}
			out.EnforcementPersons = append(out.EnforcementPersons, ss)
			records["suspect"] = append(records["suspect"], idString(id))
		}

		var conds []string
		var args []any
		for _, typ := range []string{"complaint", "person", "suspect", "arrest"} {
			if ids := records[typ]; len(ids) > 0 {
				conds = append(conds, "(record_type = ? AND record_id IN "+inList(len(ids))+")")
				args = append(append(args, typ), ids...)
			}
		}
		if len(conds) > 0 {
			if err := t.scanEach("SELECT "+auditColumns+" FROM audit_events WHERE "+strings.Join(conds, " OR ")+" ORDER BY id", args, func(scan func(...any) error) error {
				var e greyline.AuditEvent
				if err := scan(&e.ID, &e.At, &e.UserID, &e.OrgID, &e.TokenID, &e.IP, &e.RequestID, &e.Action, &e.RecordType, &e.RecordID, &e.Outcome, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
					return err
				}
				e.At = e.At.UTC()
				out.AuditEvents = append(out.AuditEvents, &e)
				return nil
			}); err != nil {
				return err
			}
		}
		// Who asked, and about whom by the keyed hash only: the audit log
		// must not become a list of CNICs.
		return t.audit(greyline.AuditEvent{Action: "subject.export", RecordType: "subject", RecordID: hashes[0].(string),
			Detail: fmt.Sprintf("complaints=%d business_people=%d enforcement_persons=%d audit_events=%d",
				len(out.Complaints), len(out.BusinessPeople), len(out.EnforcementPersons), len(out.AuditEvents))})
	})
	if err != nil {
		return nil, err
	}
	out.GeneratedAt = out.GeneratedAt.Truncate(time.Second)
	return out, nil
}
