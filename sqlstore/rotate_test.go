package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// legacySeal seals as greyline did before keyrings (no key id prefix).
func legacySeal(t *testing.T, master, plain []byte, ad string) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, master, nil, "greyline data encryption v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(k)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, []byte(ad))
}

func exec(t *testing.T, db *sqlstore.DB, q string, args ...any) {
	t.Helper()
	w, _ := db.Pools()
	if db.Engine() == sqlstore.Postgres {
		for i := 1; bytes.ContainsRune([]byte(q), '?'); i++ {
			q = string(bytes.Replace([]byte(q), []byte("?"), []byte(fmt.Sprintf("$%d", i)), 1))
		}
	}
	if _, err := w.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestRotationCoversEverySealedColumn: every binary column of the schema
// is one key rotation re-seals, so none is left under a retired key.
func TestRotationCoversEverySealedColumn(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		q := `SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND upper(p.type) = 'BLOB'`
		if db.Engine() == sqlstore.Postgres {
			q = `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'bytea'`
		}
		_, r := db.Pools()
		rows, err := r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			got = append(got, s)
		}
		rows.Close()
		want := sqlstore.SealedColumns()
		sort.Strings(got)
		sort.Strings(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("binary columns of the schema (-rotated +present):\n%s", diff)
		}
	})
}

// TestKeyRotation: data sealed under the first master (some in the format
// before keyrings) is re-sealed and re-hashed under a new master while a
// second handle, a running server, keeps writing and looking up; nothing
// is lost, and afterwards the old master can go.
func TestKeyRotation(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "secret.key")
			master := bytes.Repeat([]byte{7}, keys.MasterSize)
			// The key file as greyline wrote it before keyrings.
			if err := os.WriteFile(path, []byte(fmt.Sprintf("%x\n", master)), 0o600); err != nil {
				t.Fatal(err)
			}
			load := func() *keys.Keys {
				k, err := keys.LoadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return k
			}
			clk := newClock()
			cmdKeys, srvKeys := load(), load()
			// Handles on one database, each with its own keys, as the
			// command and the servers each load theirs.
			dsn := sqlstoretest.DSN(t, e)
			db2 := func(k *keys.Keys) *sqlstore.DB {
				return sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now, DSN: dsn, Tune: func(o *sqlstore.Options) { o.Keys = k }})
			}
			db, srv := db2(cmdKeys), db2(srvKeys)

			inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
			n := sampleComplaint(clk.Now())
			c1, _, _, err := db.CreateComplaint(inv, n, "")
			if err != nil {
				t.Fatal(err)
			}
			n.Complainant.Phone = ""
			c2, _, _, err := db.CreateComplaint(inv, n, "")
			if err != nil {
				t.Fatal(err)
			}
			// c1 as sealed before keyrings.
			plain, _ := json.Marshal(greyline.Complainant{Name: "Sana Tariq", CNIC: "35202-1234567-1", Phone: "0300-1234567", Email: "sana@example.pk", City: "Lahore", Province: "Punjab", Gender: "female", AgeBand: "26_35"})
			exec(t, db, "UPDATE complaints SET complainant = ? WHERE id = ?", legacySeal(t, master, plain, "complainant:"+c1.Reference), c1.ID)
			if got, err := db.RevealComplaint(inv, c1.ID); err != nil || got.Complainant.CNIC != "35202-1234567-1" {
				t.Fatalf("legacy value: %v %+v", err, got)
			}

			org := &greyline.Org{Code: "MARGALLA", Name: "Margalla Contact Solutions", Kind: greyline.OrgBusiness}
			if err := db.CreateOrg(sys(), org); err != nil {
				t.Fatal(err)
			}
			owner, err := db.CreateUser(sys(), greyline.NewUser{OrgID: org.ID, Email: "owner@margalla.pk", Name: "Owner", Roles: []greyline.Role{greyline.RoleApplicant}, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			biz := &greyline.Business{OrgID: org.ID, LegalName: "Margalla Contact Solutions (Private) Limited", TradeName: "Margalla Contact", Kind: greyline.CallCentre,
				LegalForm: greyline.Company, SECPNumber: "0123456", NTN: "1234567-8", RegisteredAddress: "Plot 12, I-9/2, Islamabad", InboundPercent: 70}
			if err := db.CreateBusiness(actorCtx(owner), biz); err != nil {
				t.Fatal(err)
			}
			director := &greyline.Person{BusinessID: biz.ID, Name: "Kamran Malik", Role: greyline.Director, CNIC: "61101-1111111-1"}
			foreigner := &greyline.Person{BusinessID: biz.ID, Name: "John Smith", Role: greyline.Director, Passport: "123456789", Nationality: "GB"}
			for _, p := range []*greyline.Person{director, foreigner} {
				if err := db.SavePerson(actorCtx(owner), p); err != nil {
					t.Fatal(err)
				}
			}
			suspect := &greyline.Suspect{Name: "Ali Raza", CNIC: "3520299999991", Gender: "male", Role: greyline.CentreCaller}
			if err := db.AddSuspect(inv, suspect); err != nil {
				t.Fatal(err)
			}
			en, err := db.BeginTOTPEnrolment(sys(), owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			code, _ := auth.TOTPCode(en.Secret, clk.Now())
			if _, err := db.ConfirmTOTPEnrolment(sys(), owner.ID, code); err != nil {
				t.Fatal(err)
			}
			before, err := db.KeyUsage(sys())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sqlstore.KeyUsage{Sealed: map[int]int{1: 6}, Unreadable: []string{}}, before); diff != "" {
				t.Fatalf("usage before (-want +got):\n%s", diff)
			}

			// Rotate: the command adds master 2 to the file; the server
			// notices within moments.
			ring, m2, err := cmdKeys.Ring().Add(false)
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.WriteRingFile(path, ring); err != nil {
				t.Fatal(err)
			}
			if err := cmdKeys.Reload(); err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(context.Background())
			go func() { // as a server watches its key file (cmd/greyline watchKeys)
				for ctx.Err() == nil {
					if _, err := srvKeys.ReloadIfChanged(); err != nil {
						t.Error(err)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()

			// Meanwhile the server files complaints by Sana (CNIC only),
			// finds her by CNIC, and corrects the director's CNIC (its
			// writes win over the rotation's: the director may need no
			// re-sealing by the time the rotation reaches it).
			var wg sync.WaitGroup
			var filed atomic.Int64
			var lastCNIC atomic.Value
			lastCNIC.Store(director.CNIC)
			errs := make(chan error, 100)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					if _, _, _, err := srv.CreateComplaint(inv, n, ""); err != nil {
						errs <- err
						return
					}
					filed.Add(1)
					ids, err := srv.ComplaintsByComplainant(inv, "35202-1234567-1")
					if err != nil || len(ids) < int(filed.Load())+2 {
						errs <- fmt.Errorf("during rotation, found %d of Sana's complaints, want %d: %v", len(ids), filed.Load()+2, err)
						return
					}
					p := *director
					p.CNIC = fmt.Sprintf("61101-%07d-1", 2000000+i)
					if err := srv.SavePerson(actorCtx(owner), &p); err != nil {
						errs <- err
						return
					}
					lastCNIC.Store(p.CNIC)
				}
			}()
			for filed.Load() < 3 {
				time.Sleep(time.Millisecond)
			}
			res, err := db.RotateKeys(sys(), 2)
			for filed.Load() < 6 {
				time.Sleep(time.Millisecond)
			}
			stop()
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.SealingID != m2.ID || res.Resealed["complaints"] < 2 || res.Resealed["persons"] < 1 || res.Resealed["suspects"] != 1 || res.Resealed["users"] != 1 ||
				res.Rehashed["complaints"] < 3 || res.Rehashed["persons"] < 1 || res.Rehashed["suspects"] != 1 {
				t.Errorf("rotation %+v", res)
			}
			if !res.Usage.OnlySealing(m2.ID) {
				t.Errorf("left after rotation: %+v", res.Usage)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM audit_events WHERE action = 'keys.rotate'"); n == 0 {
				t.Error("rotation not audited")
			}

			// Everything opens, and is found, under master 2 alone.
			only, err := keys.FromRing(ring.Only(m2.ID))
			if err != nil {
				t.Fatal(err)
			}
			after := db2(only)
			ids, err := after.ComplaintsByComplainant(inv, "35202-1234567-1")
			if err != nil || len(ids) != int(filed.Load())+2 || ids[0] != c1.ID || ids[1] != c2.ID {
				t.Fatalf("Sana's complaints after rotation: %v (want %d) %v", ids, filed.Load()+2, err)
			}
			for _, id := range ids {
				if c, err := after.RevealComplaint(inv, id); err != nil || c.Complainant.CNIC != "35202-1234567-1" {
					t.Fatalf("complaint %d: %v", id, err)
				}
			}
			if ids, err := after.ComplaintsByComplainant(inv, "0300-1234567"); err != nil || !slices.Equal(ids, []int64{c1.ID}) {
				t.Errorf("by phone: %v %v", ids, err)
			}
			ps, err := after.ListPersons(actorCtx(owner), biz.ID)
			if err != nil || len(ps) != 2 {
				t.Fatalf("persons: %v", err)
			}
			if p, err := after.RevealPerson(actorCtx(owner), biz.ID, director.ID); err != nil || p.CNIC != lastCNIC.Load().(string) {
				t.Errorf("director after concurrent corrections: %v %+v, want CNIC %s", err, p, lastCNIC.Load())
			}
			if p, err := after.RevealPerson(actorCtx(owner), biz.ID, foreigner.ID); err != nil || p.Passport != "123456789" {
				t.Errorf("foreign director: %v %+v", err, p)
			}
			if s, err := after.RevealSuspect(inv, suspect.ID); err != nil || s.CNIC != "35202-9999999-1" {
				t.Errorf("suspect: %v %+v", err, s)
			}
			clk.Add(time.Minute)
			code, _ = auth.TOTPCode(en.Secret, clk.Now())
			if err := after.VerifySecondFactor(sys(), owner.ID, code); err != nil {
				t.Errorf("second factor after rotation: %v", err)
			}
			exp, err := after.SubjectAccess(sys(), "3520299999991")
			if err != nil || len(exp.EnforcementPersons) != 1 {
				t.Errorf("subject access by the new hashes: %v %+v", err, exp)
			}
			// Sana's complaints are still one victim.
			var victims []string
			data, _ := after.ComplaintNetworkData(sys(), ids)
			for _, c := range data.Complaints {
				if slices.Contains(ids, c.ID) {
					victims = append(victims, c.Victim)
				}
			}
			slices.Sort(victims)
			if victims = slices.Compact(victims); len(victims) != 1 {
				t.Errorf("Sana counts as %d victims", len(victims))
			}

			// A server that never learnt master 2 writes under master 1:
			// the old master is still in use, until a rotation pass fixes it.
			stale := db2(func() *keys.Keys { k, _ := keys.New(master); return k }())
			if _, _, _, err := stale.CreateComplaint(inv, n, ""); err != nil {
				t.Fatal(err)
			}
			u, err := db.KeyUsage(sys())
			if err != nil || u.OnlySealing(m2.ID) || u.Sealed[1] != 1 || u.StaleHashes != 1 {
				t.Fatalf("usage with a stale write: %v %+v", err, u)
			}
			res, err = db.RotateKeys(sys(), 100)
			if err != nil || !res.Usage.OnlySealing(m2.ID) || res.Resealed["complaints"] != 1 || res.Passes != 2 {
				t.Errorf("second rotation: %v %+v", err, res)
			}
		})
	}
}
