package main

// Data protection commands: the retention policy, subject access exports
// and key rotation.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

// retentionFlags is the retention policy, shared by serve and retention.
type retentionFlags struct {
	complainant string
	period      greyline.RetentionPeriod
}

func (rf *retentionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&rf.complainant, "retention-complainant", greyline.DefaultRetention.String(),
		"keep complainants' name, CNIC, phone and e-mail this long after their complaints' last step (a `period` such as 5y, 18m, 90d, or never)")
}

func (rf *retentionFlags) validate(v *greyline.Validation) {
	p, err := greyline.ParseRetention(rf.complainant)
	if err != nil {
		v.Add("--retention-complainant", err.Error())
	}
	rf.period = p
}

// describeRetention says what a run did in a sentence or two.
func describeRetention(r greyline.RetentionResult) string {
	if r.Period.Forever {
		return "the retention policy is \"never\": complainants' details are kept without limit\n"
	}
	verb := "pseudonymised"
	if r.DryRun {
		verb = "would pseudonymise"
	}
	return fmt.Sprintf("%s %d complaint(s) of %d complainant(s) past %s (clock started on or before %s), with %d attached file(s)\nkept: %d held for an open case, %d whose complainant has a more recent complaint\n",
		verb, r.Pseudonymised, r.Complainants, r.Period, greyline.FormatTime(r.Cutoff), r.FilesRemoved, r.HeldForCase, r.HeldWithRecent)
}

const retentionHelp = `Usage: greyline retention apply [--dry-run] [--retention-complainant PERIOD] [options]

Apply the retention policy: complainants whose complaints are all past the
period lose their name, CNIC, phone and e-mail, and the hashes that found
them, wherever written (narrative, staff notes, messages), and the files
attached to their complaints; city, province, gender, age band, amounts, dates, the fraudsters'
identifiers and the networks stay, and a random pseudonym keeps each
person's complaints counted as one victim. The period runs from a
complaint's last step (its closing, for a closed one), or from the
conclusion of its last FIR if later; a complaint with an FIR not concluded,
or registered as a case without an FIR record, is never touched. The
server does this once a day; --dry-run only counts.
`

func (m *Main) retentionCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "apply", "subcommand", retentionHelp); err != nil {
		return err
	}
	fs := m.flags("retention", args)
	var sf storeFlags
	sf.register(fs)
	var rf retentionFlags
	rf.register(fs)
	dry := fs.Bool("dry-run", false, "count what would be pseudonymised, change nothing")
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	sf.validate(&v)
	rf.validate(&v)
	if fs.NArg() > 0 {
		v.Add("arguments", fmt.Sprintf("unexpected %q", fs.Args()))
	}
	if err := v.Err(); err != nil {
		return err
	}
	db, err := m.openCurrent(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.ApplyRetention(greyline.WithActor(ctx, m.cliActor()), rf.period, *dry)
	if err != nil {
		return err
	}
	fmt.Fprint(m.Stdout, describeRetention(res))
	return nil
}

// cliActor is who acts from the command line: the system, with the
// operator's login name for the audit log.
func (m *Main) cliActor() greyline.Actor {
	a := greyline.Actor{System: true, RequestID: "cli"}
	if u := m.Getenv("USER"); u != "" {
		a.RequestID = "cli:" + u
	}
	return a
}

const subjectHelp = `Usage: greyline subject export --cnic CNIC [options]

Print as JSON everything greyline holds about the person with a CNIC:
complaints they filed (in full, with the messages they were sent), their
records as a business's director, owner or other person, Operation Grey's
records of them (found at a centre, arrested, accused in an FIR), and the
audit events about all of these. Records are found through keyed hashes.
The export is audited, naming the CNIC only by its hash. Give the CNIC in
GREYLINE_CNIC or GREYLINE_CNIC_FILE to keep it out of the shell history.
`

func (m *Main) subjectCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "export", "subcommand", subjectHelp); err != nil {
		return err
	}
	fs := m.flags("subject", args)
	var sf storeFlags
	sf.register(fs)
	cnic := fs.String("cnic", "", "the person's `CNIC`")
	secrets := map[string]bool{"cnic": true}
	for k := range secretFlags {
		secrets[k] = true
	}
	if err := m.parse(fs, args[1:], secrets); err != nil {
		return err
	}
	if err := checkArgs(fs, &sf); err != nil {
		return err
	}
	if *cnic == "" {
		return greyline.Invalid("--cnic", "is required")
	}
	db, err := m.openCurrent(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	exp, err := db.SubjectAccess(greyline.WithActor(ctx, m.cliActor()), *cnic)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(exp)
}

const keysHelp = `Usage: greyline keys <rotate|new|status> [options]

  rotate             add a new master key to DATA-DIR/secret.key, wait --grace
                     for running servers to load it, then re-seal every sealed
                     value and recompute every lookup hash under it, in batches
  rotate --no-new-key  re-seal under the keyring's newest key without adding one
                     (after installing a keyring by hand, or to finish a rotation)
  rotate --retire-old  drop the older keys, once nothing uses them
  new [--pending]    print the keyring with a fresh key added, on one line, for
                     keyrings given with --secret-key (GREYLINE_SECRET_KEY)
  status             which key seals, and how many values each key holds

Servers re-read DATA-DIR/secret.key every two seconds, on SIGHUP, and when
they meet a value sealed under a key they do not know, so a rotation needs no
restart. Keep a copy of the old keyring with backups made before a rotation.
`

// keyWatchEvery is how often a server checks its keyring file; a rotation
// waits longer than this (--grace) before re-sealing.
const keyWatchEvery = 2 * time.Second

func (m *Main) keysCmd(ctx context.Context, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	if sub != "rotate" && sub != "new" && sub != "status" {
		if sub == "-h" || sub == "--help" {
			fmt.Fprint(m.Stdout, keysHelp)
			return flag.ErrHelp
		}
		fmt.Fprint(m.Stderr, keysHelp)
		return greyline.Errorf(greyline.EINVALID, "the subcommands are rotate, new and status")
	}
	fs := m.flags("keys", args)
	var sf storeFlags
	sf.register(fs)
	var grace time.Duration
	var batch int
	var noNew, retire, pending bool
	switch sub {
	case "rotate":
		fs.DurationVar(&grace, "grace", 5*keyWatchEvery, "how long running servers get to load a new key before re-sealing starts")
		fs.IntVar(&batch, "batch", 500, "rows re-sealed per transaction")
		fs.BoolVar(&noNew, "no-new-key", false, "re-seal under the newest key without adding one")
		fs.BoolVar(&retire, "retire-old", false, "drop every key but the newest, once nothing uses them")
	case "new":
		fs.BoolVar(&pending, "pending", false, "mark the new key pending: it opens values but does not seal until the mark is removed")
	}
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	sf.validate(&v)
	v.Check(grace >= 0, "--grace", "must not be negative")
	v.Check(sub != "rotate" || batch >= 1, "--batch", "must be at least 1")
	v.Check(!(noNew && retire), "--retire-old", "cannot go with --no-new-key")
	if fs.NArg() > 0 {
		v.Add("arguments", fmt.Sprintf("unexpected %q", fs.Args()))
	}
	if err := v.Err(); err != nil {
		return err
	}
	if sub == "new" {
		k, err := sf.keys()
		if err != nil {
			return err
		}
		r, added, err := k.Ring().Add(pending)
		if err != nil {
			return greyline.Errorf(greyline.ECONFLICT, "%v", err)
		}
		fmt.Fprintln(m.Stdout, r.OneLine())
		fmt.Fprintf(m.Stderr, "the keyring above adds key %d; it holds every secret key: install it where GREYLINE_SECRET_KEY is kept, not in a shell history\n", added.ID)
		return nil
	}
	fixed := sf.secretKey != ""
	if sub == "rotate" && !fixed && !noNew {
		// Hold the file while changing it, so that two rotations cannot
		// both add a key 2, the second overwriting the first's, nor a
		// retirement drop a key another rotation has just added.
		if err := os.MkdirAll(sf.dataDir, 0o700); err != nil {
			return err
		}
		unlock, err := lockFile(sf.keyFile() + ".lock")
		if err != nil {
			return err
		}
		defer unlock()
	}
	db, k, err := m.open(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	sys := greyline.WithActor(ctx, m.cliActor())
	switch {
	case sub == "status":
		u, err := db.KeyUsage(sys)
		if err != nil {
			return err
		}
		m.printKeys(k, u)
		return nil
	case retire:
		return m.retireKeys(sys, db, k, fixed)
	case !noNew && fixed:
		return greyline.Invalid("--secret-key", "greyline cannot add to a keyring given directly: run `greyline keys new`, install its output as GREYLINE_SECRET_KEY on every server and restart them one at a time, then run `greyline keys rotate --no-new-key`")
	case !noNew:
		r, added, err := k.Ring().Add(false)
		if err != nil {
			return greyline.Errorf(greyline.ECONFLICT, "%v", err)
		}
		if err := keys.WriteRingFile(k.Path(), r); err != nil {
			return err
		}
		if err := k.Reload(); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "added key %d to %s\n", added.ID, k.Path())
		if grace > 0 {
			fmt.Fprintf(m.Stdout, "waiting %s for running servers to load it\n", grace)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(grace):
			}
		}
	}
	res, err := db.RotateKeys(sys, batch)
	if err != nil {
		return err
	}
	var resealed, rehashed int
	for _, n := range res.Resealed {
		resealed += n
	}
	for _, n := range res.Rehashed {
		rehashed += n
	}
	fmt.Fprintf(m.Stdout, "re-sealed %d value(s) and recomputed %d lookup hash(es) under key %d in %d pass(es)\n", resealed, rehashed, res.SealingID, res.Passes)
	for _, t := range sortedKeys(res.Resealed) {
		fmt.Fprintf(m.Stdout, "  %-10s %d re-sealed, %d re-hashed\n", t, res.Resealed[t], res.Rehashed[t])
	}
	if !res.Usage.OnlySealing(res.SealingID) {
		m.printUsage(m.Stdout, res.SealingID, res.Usage)
		return greyline.Errorf(greyline.ECONFLICT, "some values are still under older keys (written by a server that has not loaded key %d, or unreadable): run `greyline keys rotate --no-new-key` again", res.SealingID)
	}
	fmt.Fprintf(m.Stdout, "everything is under key %d; `greyline keys rotate --retire-old` drops the older keys\n", res.SealingID)
	return nil
}

// retireKeys drops every key but the sealing one, refusing while anything
// still uses another.
func (m *Main) retireKeys(ctx context.Context, db *sqlstore.DB, k *keys.Keys, fixed bool) error {
	sealing := k.SealingID()
	ring := k.Ring()
	var old []string
	var kept keys.Ring // the sealing key, and any still being rolled out
	for _, mk := range ring {
		if mk.ID == sealing || mk.Pending {
			kept = append(kept, mk)
		} else {
			old = append(old, fmt.Sprint(mk.ID))
		}
	}
	if len(old) == 0 {
		fmt.Fprintf(m.Stdout, "nothing to retire: key %d is the only key\n", sealing)
		return nil
	}
	u, err := db.KeyUsage(ctx)
	if err != nil {
		return err
	}
	if !u.OnlySealing(sealing) {
		m.printUsage(m.Stdout, sealing, u)
		return greyline.Errorf(greyline.ECONFLICT, "key(s) %s are still in use: run `greyline keys rotate --no-new-key` first", strings.Join(old, ", "))
	}
	if fixed {
		fmt.Fprintf(m.Stdout, "nothing uses key(s) %s any more: remove them from GREYLINE_SECRET_KEY, keeping the entry %d:… (and any pending one), on every server\n", strings.Join(old, ", "), sealing)
		return nil
	}
	if err := keys.WriteRingFile(k.Path(), kept); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "retired key(s) %s: %s holds key %d alone; backups made before the rotation need the old keyring\n", strings.Join(old, ", "), k.Path(), sealing)
	return nil
}

func (m *Main) printKeys(k *keys.Keys, u sqlstore.KeyUsage) {
	where := "--secret-key"
	if k.Path() != "" {
		where = k.Path()
	}
	fmt.Fprintf(m.Stdout, "keyring %s: key %d seals\n", where, k.SealingID())
	for _, mk := range k.Ring() {
		note := ""
		if mk.Pending {
			note = " (pending: opens, does not seal)"
		}
		fmt.Fprintf(m.Stdout, "  key %d: %d sealed value(s)%s\n", mk.ID, u.Sealed[mk.ID], note)
	}
	m.printUsage(m.Stdout, k.SealingID(), u)
}

func (m *Main) printUsage(w io.Writer, sealing int, u sqlstore.KeyUsage) {
	for _, id := range sortedKeys(u.Sealed) {
		if id != sealing && u.Sealed[id] > 0 {
			fmt.Fprintf(w, "still under key %d: %d value(s)\n", id, u.Sealed[id])
		}
	}
	if u.StaleHashes > 0 {
		fmt.Fprintf(w, "lookup hashes not under key %d: %d\n", sealing, u.StaleHashes)
	}
	for _, x := range u.Unreadable {
		fmt.Fprintf(w, "unreadable under every key: %s\n", x)
	}
}

// lockFile takes an exclusive lock file, removed by the returned function.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, greyline.Errorf(greyline.ECONFLICT, "another key rotation is running (if none is, remove %s)", path)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	f.Close()
	return func() { os.Remove(path) }, nil
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// applyRetention is the server's daily retention run: on one server when
// several share a PostgreSQL database.
func applyRetention(ctx context.Context, db *sqlstore.DB, log *slog.Logger, p greyline.RetentionPeriod) {
	if p.Forever {
		return
	}
	if _, err := db.Exclusive(ctx, "complainant-retention", func(ctx context.Context) error {
		res, err := db.ApplyRetention(ctx, p, false)
		if res.Pseudonymised > 0 {
			log.Info("complainants pseudonymised under the retention policy", "complaints", res.Pseudonymised, "complainants", res.Complainants, "files", res.FilesRemoved, "period", p.String())
		}
		return err
	}); err != nil {
		log.Error("retention run failed", "err", err)
	}
}

// watchKeys keeps a server's keyring in step with its file: checked every
// keyWatchEvery and on SIGHUP (values under a key not yet loaded also
// prompt a reload, in package keys).
func watchKeys(ctx context.Context, k *keys.Keys, log *slog.Logger) {
	if k.Path() == "" {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	t := time.NewTicker(keyWatchEvery)
	defer t.Stop()
	sealing := k.SealingID()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-hup:
			err = k.Reload()
		case <-t.C:
			_, err = k.ReloadIfChanged()
		}
		if err != nil {
			log.Error("reloading the keyring failed; the keys already loaded stay in use", "err", err)
		} else if now := k.SealingID(); now != sealing {
			log.Info("keyring reloaded", "sealing_key", now)
			sealing = now
		}
	}
}
