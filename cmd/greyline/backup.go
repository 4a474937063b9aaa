package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

const backupSynopsis = "greyline backup [--include-keys] [options] FILE"

const backupAbout = `Write a consistent copy of the embedded SQLite database and of the uploaded
documents (DATA-DIR/files/) to FILE, while the server runs: the database as
of one moment, and every document it names, each checked against its
SHA-256. FILE is a gzip-compressed tar archive that starts with
manifest.json (schema version, time, record counts, and the SHA-256 of every
member); "greyline restore FILE" brings it back.

The secret key (DATA-DIR/secret.key) and the certificate signing keys
(DATA-DIR/signing-keys/) are left out: the secret key decrypts the personal
data, so keep it apart from the backups. --include-keys puts them in.

With --database postgres://… it prints how to back up PostgreSQL with
pg_dump instead.`

const restoreSynopsis = "greyline restore [--force] [options] FILE"

const restoreAbout = `Bring a backup written by "greyline backup" back into the data directory.
Stop every greyline server and command using the database first: restore
refuses a database that is open. It checks every member of FILE against the
manifest before writing anything, refuses a backup from a newer schema than
this binary's, and refuses to replace a database that already exists unless
--force is given. Each file is written beside its place and renamed into it.

The restored data can be read only with the secret key of the server that
made the backup: put its secret.key in the data directory (or give
--secret-key) unless the backup was made with --include-keys.

With --database postgres://… it prints how to restore a pg_dump instead.`

// Archive layout. The manifest comes first, so that a restore can refuse
// a backup it cannot use before it reads the rest.
const (
	backupFormat        = "greyline-backup"
	backupFormatVersion = 1
	manifestName        = "manifest.json"
	dbMember            = "greyline.db"
	secretKeyMember     = "secret.key"
	signingKeysDir      = "signing-keys"
	keyCheckPurpose     = "backup.key-check"
	maxKeyFile          = 64 << 10
)

// manifest describes a backup archive.
type manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	Engine        string    `json:"engine"`
	SchemaVersion int       `json:"schema_version"`
	CreatedAt     time.Time `json:"created_at"`
	Greyline      string    `json:"greyline_version"`
	// KeyCheck is a MAC of a fixed text under the secret key: it tells
	// whether a key is the right one without saying anything about it.
	KeyCheck     string           `json:"key_check"`
	KeysIncluded bool             `json:"keys_included"`
	Counts       map[string]int64 `json:"counts"`
	Members      []backupMember   `json:"members"`
}

type backupMember struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

var (
	documentMember = regexp.MustCompile(`^files/([0-9a-f]{2})/([0-9a-f]{64})$`)
	signingMember  = regexp.MustCompile(`^signing-keys/[A-Za-z0-9_-]{1,100}\.pem$`)
)

// validMember reports whether name may be in an archive: nothing else is
// ever written, so no name can reach outside the data directory.
func validMember(name, sum string) bool {
	if m := documentMember.FindStringSubmatch(name); m != nil {
		return m[2][:2] == m[1] && m[2] == sum // a document is named by its hash
	}
	return name == dbMember || name == secretKeyMember || signingMember.MatchString(name)
}

// keyCheck is made under the keyring's sealing key.
func keyCheck(master keys.Ring) (string, error) {
	k, err := keys.FromRing(master)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k.MAC(keyCheckPurpose)), nil
}

// keyMatches reports whether any key of the ring made check: after a key
// rotation the ring still holds the key a backup was made under, until it
// is retired.
func keyMatches(master keys.Ring, check string) bool {
	k, err := keys.FromRing(master)
	if err != nil {
		return false
	}
	b, err := hex.DecodeString(check)
	return err == nil && k.VerifyMAC(b, keyCheckPurpose)
}

// masterKey reads the keyring the flags name, without creating one; ok is
// false when there is none.
func masterKey(sf *storeFlags) (master keys.Ring, ok bool, err error) {
	if sf.secretKey != "" {
		master, err = keys.ParseRing(sf.secretKey)
		return master, err == nil, err
	}
	b, err := os.ReadFile(filepath.Join(sf.dataDir, "secret.key"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	master, err = keys.ParseRing(string(b))
	return master, err == nil, err
}

// sqlitePath is the SQLite file the flags name.
func sqlitePath(sf *storeFlags) string {
	if p, ok := strings.CutPrefix(sf.database, "sqlite:"); ok {
		return p
	}
	return filepath.Join(sf.dataDir, "greyline.db")
}

func isPostgres(dsn string) bool { return hasPrefix(dsn, "postgres://", "postgresql://") }

func buildVersion() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v += " " + s.Value
			}
		}
	}
	return v
}

// fileArgs are the options and argument of backup and restore.
type fileArgs struct {
	sf      storeFlags
	signing string // the signing keys' directory
	file    string
}

// fileCommand parses a command that takes the store options, its own
// (added by more) and one FILE.
func (m *Main) fileCommand(name string, args []string, more func(*flag.FlagSet)) (*fileArgs, error) {
	fs := m.flags(name, args)
	var fa fileArgs
	fa.sf.register(fs)
	fs.StringVar(&fa.signing, "signing-keys", "", "`directory` of the certificate signing keys (default DATA-DIR/signing-keys)")
	more(fs)
	if err := m.parse(fs, args, secretFlags); err != nil {
		return nil, err
	}
	var v greyline.Validation
	fa.sf.validate(&v)
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		v.Add("FILE", "give exactly one archive file (options go before it)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if fa.signing == "" {
		fa.signing = filepath.Join(fa.sf.dataDir, signingKeysDir)
	}
	fa.file = fs.Arg(0)
	return &fa, nil
}

// --- backup -------------------------------------------------------------------

func (m *Main) backupCmd(ctx context.Context, args []string) error {
	var includeKeys bool
	fa, err := m.fileCommand("backup", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&includeKeys, "include-keys", false, "also put the secret key and the signing keys in the archive: whoever holds it can then read the personal data")
	})
	if err != nil {
		return err
	}
	sf, signing, file := &fa.sf, fa.signing, fa.file
	if isPostgres(sf.database) {
		printPgDump(m.Stdout, sf, file, signing)
		return nil
	}
	start := time.Now()
	if st, err := os.Stat(filepath.Dir(file)); err != nil || !st.IsDir() {
		return greyline.Invalid("FILE", "must be in a directory that exists")
	}
	dbPath := sqlitePath(sf)
	if _, err := os.Stat(dbPath); err != nil {
		return greyline.Errorf(greyline.ENOTFOUND, "There is no database at %s to back up.", dbPath)
	}
	if _, err := os.Stat(file); err == nil {
		return greyline.Errorf(greyline.ECONFLICT, "%s already exists: give a new file name.", file)
	}
	master, ok, err := masterKey(sf)
	if err != nil {
		return greyline.Errorf(greyline.EINVALID, "secret key: %v", err)
	}
	if !ok {
		return greyline.Errorf(greyline.EINVALID, "There is no secret key in %s: the backup records which key its personal data needs (give --secret-key if it is kept elsewhere).", keySource(sf))
	}
	check, err := keyCheck(master)
	if err != nil {
		return err
	}
	db, _, err := m.open(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()

	tmpDir, err := os.MkdirTemp(filepath.Dir(file), ".greyline-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	snap := filepath.Join(tmpDir, dbMember)
	if err := db.Snapshot(ctx, snap); err != nil {
		return err
	}
	db.Close() // the server need not wait for us any longer
	snapshotTook := time.Since(start)
	info, err := sqlstore.InspectSQLite(ctx, snap)
	if err != nil {
		return fmt.Errorf("reading the copy: %w", err)
	}
	sum, size, err := hashFile(snap)
	if err != nil {
		return err
	}
	man := manifest{Format: backupFormat, FormatVersion: backupFormatVersion, Engine: string(sqlstore.SQLite), SchemaVersion: info.SchemaVersion,
		CreatedAt: m.Now().UTC().Truncate(time.Second), Greyline: buildVersion(), KeyCheck: check, KeysIncluded: includeKeys, Counts: info.Counts}
	man.Members = append(man.Members, backupMember{Name: dbMember, Size: size, SHA256: sum})
	// Every file the copy names. Each is stored before the row that names
	// it commits, and removed (under the retention policy) only after a
	// commit says so, so all are there unless a retention run removed one
	// since the copy was taken; each is checked against its name as it is
	// copied.
	sources := map[string]string{dbMember: snap}
	filesDir := filepath.Join(sf.dataDir, "files")
	for _, d := range info.Documents {
		name := "files/" + d[:2] + "/" + d
		if !validMember(name, d) {
			return greyline.Internal(fmt.Errorf("the documents table names a file %q that is not a SHA-256", d))
		}
		p := filepath.Join(filesDir, d[:2], d)
		st, err := os.Stat(p)
		if err != nil {
			return greyline.Internal(fmt.Errorf("document %s is missing from %s (removed meanwhile under the retention policy?): the backup was not written; run it again", d, filesDir))
		}
		man.Members = append(man.Members, backupMember{Name: name, Size: st.Size(), SHA256: d})
		sources[name] = p
	}
	if includeKeys {
		keyFile := []byte(master.Text())
		if sf.secretKey == "" { // the file as it is, older format included
			if b, err := os.ReadFile(filepath.Join(sf.dataDir, "secret.key")); err == nil {
				keyFile = b
			}
		}
		ksum := sha256.Sum256(keyFile)
		man.Members = append(man.Members, backupMember{Name: secretKeyMember, Size: int64(len(keyFile)), SHA256: hex.EncodeToString(ksum[:])})
		kp := filepath.Join(tmpDir, secretKeyMember)
		if err := os.WriteFile(kp, keyFile, 0o600); err != nil {
			return err
		}
		sources[secretKeyMember] = kp
		ents, err := os.ReadDir(signing)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		for _, e := range ents {
			name := signingKeysDir + "/" + e.Name()
			if !e.Type().IsRegular() || !signingMember.MatchString(name) {
				continue
			}
			p := filepath.Join(signing, e.Name())
			s, n, err := hashFile(p)
			if err != nil {
				return err
			}
			man.Members = append(man.Members, backupMember{Name: name, Size: n, SHA256: s})
			sources[name] = p
		}
	}
	if err := writeArchive(file, &man, sources); err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup written to %s: schema version %d, %d complaints, %d applications, %d users, %d audit events, %d document files\n",
		file, man.SchemaVersion, man.Counts["complaints"], man.Counts["applications"], man.Counts["users"], man.Counts["audit_events"], len(info.Documents))
	fmt.Fprintf(m.Stdout, "%d bytes in %s (database copied in %s)\n", st.Size(), round(time.Since(start)), round(snapshotTook))
	if includeKeys {
		fmt.Fprintf(m.Stderr, "WARNING: %s holds the secret key and the signing keys. Whoever has this file can read\n"+
			"the complainants' and applicants' personal data and sign licence certificates: keep it encrypted and apart.\n", file)
	} else {
		fmt.Fprintf(m.Stdout, "The secret key and the signing keys are not in the backup. Keep a copy of %s and %s\n"+
			"apart from it: without the secret key the personal data in the backup cannot be read.\n",
			filepath.Join(sf.dataDir, "secret.key"), signing)
	}
	return nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// writeArchive writes the manifest and then each member, checking every
// one against the manifest as it goes, to a temporary file renamed to file
// once complete and synced.
func writeArchive(file string, man *manifest, sources map[string]string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".greyline-backup-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	zw := gzip.NewWriter(tmp)
	tw := tar.NewWriter(zw)
	mj, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	mj = append(mj, '\n')
	hdr := func(name string, size int64) *tar.Header {
		return &tar.Header{Name: name, Size: size, Mode: 0o600, ModTime: man.CreatedAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr(manifestName, int64(len(mj)))); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	for _, mb := range man.Members {
		if err := copyMember(tw, hdr(mb.Name, mb.Size), sources[mb.Name], mb); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	return syncDir(filepath.Dir(file))
}

func copyMember(tw *tar.Writer, h *tar.Header, path string, mb backupMember) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, sum), io.LimitReader(f, mb.Size+1))
	if err != nil {
		return err
	}
	if n != mb.Size || hex.EncodeToString(sum.Sum(nil)) != mb.SHA256 {
		return greyline.Internal(fmt.Errorf("%s does not match its SHA-256 (or changed while it was copied): the backup was not written", path))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// --- PostgreSQL --------------------------------------------------------------

// pgTarget turns a greyline PostgreSQL URL into one libpq's tools accept:
// search_path is a pgx setting, which pg_dump names with --schema.
func pgTarget(dsn string) (uri, schema string) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, ""
	}
	q := u.Query()
	schema = q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// pgDumpArgs is the pg_dump command the procedure prints (and the test runs).
func pgDumpArgs(dsn, file string) []string {
	uri, schema := pgTarget(dsn)
	args := []string{"pg_dump", "--format=custom", "--no-owner", "--file=" + file}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	return append(args, "--dbname="+uri)
}

// pgRestoreArgs restores such a dump into an empty database.
func pgRestoreArgs(dsn, file string) []string {
	uri, _ := pgTarget(dsn)
	return []string{"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname=" + uri, file}
}

// shellLine quotes a command for the terminal, leaving the password out.
func shellLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok && k == "--dbname" {
			a = k + "=" + hidePassword(v)
		}
		if strings.ContainsAny(a, " '\"$&;|<>()*?`\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

func hidePassword(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.User(u.User.Username()) // left out, not masked: the command must work as printed
		return u.String()
	}
	return uri
}

// stem is a backup file's name without its archive or dump extension: the
// PostgreSQL procedure names its two files after it.
func stem(file string) string {
	for _, ext := range []string{".tar.gz", ".tgz", ".tar", ".dump", ".gz"} {
		if s, ok := strings.CutSuffix(file, ext); ok && s != "" {
			return s
		}
	}
	return file
}

const pgPasswordNote = "(The password is not shown: pg_dump and pg_restore read it from PGPASSWORD or ~/.pgpass.)"

func printPgDump(w io.Writer, sf *storeFlags, file, signing string) {
	base := stem(file)
	files := filepath.Join(sf.dataDir, "files")
	fmt.Fprintf(w, `greyline does not copy a PostgreSQL database itself: use PostgreSQL's pg_dump,
which takes a consistent snapshot while the servers run. Nothing was written.

1. The database (one transaction: every record as of one moment):

     %s
%s
2. The documents, after step 1: they are never changed or deleted, so the
   copy holds every file the dump names (and perhaps a few newer ones):

     tar -C %s -czf %s files

3. The keys, kept apart from the backups (the secret key decrypts the
   personal data; without it the dump cannot be read):

     %s
     %s

To restore, see "greyline restore --database URL FILE".
`, shellLine(pgDumpArgs(sf.database, base+".dump")), passwordNote(sf.database), shellQuote(sf.dataDir), shellQuote(base+"-files.tar.gz"),
		shellQuote(filepath.Join(sf.dataDir, "secret.key")), shellQuote(signing))
	if _, err := os.Stat(files); err != nil {
		fmt.Fprintf(w, "\n(%s does not exist here: run step 2 where the servers keep their documents.)\n", files)
	}
}

func printPgRestore(w io.Writer, sf *storeFlags, file string) {
	base := stem(file)
	fmt.Fprintf(w, `greyline does not restore a PostgreSQL database itself: use PostgreSQL's
pg_restore, with every greyline server stopped. Nothing was written.

1. The database, into a new, empty database (createdb); a dump of one
   schema (search_path in greyline's URL) brings that schema back, so
   keep search_path in the URL greyline is given:

     %s
%s
2. The documents, into the data directory of every server:

     tar -C %s -xzf %s

3. The same secret key (and signing keys) as the server that made the dump:
   copy them into %s, or give --secret-key.

4. Bring the schema up to date and check the audit chain:

     greyline migrate --database URL
     greyline audit verify --database URL
`, shellLine(pgRestoreArgs(sf.database, base+".dump")), passwordNote(sf.database), shellQuote(sf.dataDir), shellQuote(base+"-files.tar.gz"), shellQuote(sf.dataDir))
}

func shellQuote(s string) string { return shellLine([]string{s}) }

// passwordNote says where the hidden password goes, when there is one.
func passwordNote(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return "\n   " + pgPasswordNote + "\n"
		}
	}
	return ""
}

// --- restore ------------------------------------------------------------------

func (m *Main) restoreCmd(ctx context.Context, args []string) error {
	var force bool
	fa, err := m.fileCommand("restore", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "replace the database (and keys) already in the data directory")
	})
	if err != nil {
		return err
	}
	sf, signing, file := &fa.sf, fa.signing, fa.file
	if isPostgres(sf.database) {
		printPgRestore(m.Stdout, sf, file)
		return nil
	}
	// 1. The archive: its manifest, then every member checked against it,
	// before anything is written.
	man, small, err := verifyArchive(file)
	if err != nil {
		return err
	}
	if latest := sqlstore.LatestSchema(sqlstore.SQLite); man.SchemaVersion > latest {
		return &greyline.Error{Code: greyline.ECONFLICT, Err: sqlstore.ErrSchemaNew,
			Message: fmt.Sprintf("The backup is at schema version %d, newer than this binary's %d: restore it with a newer greyline.", man.SchemaVersion, latest)}
	}

	// 2. The target: not in use, empty unless --force, keys that fit.
	dbPath := sqlitePath(sf)
	lock, err := sqlstore.LockSQLite(ctx, dbPath)
	if err != nil {
		return err
	}
	defer lock.Release()
	if lock != nil {
		have, err := lock.Contents(ctx)
		if err != nil {
			return fmt.Errorf("reading the database already at %s: %w", dbPath, err)
		}
		if len(have.Counts) > 0 && !force {
			return greyline.Errorf(greyline.ECONFLICT, "%s already holds a database (schema version %d, %d complaints, %d users): restoring would replace it. Run again with --force to replace it.",
				dbPath, have.SchemaVersion, have.Counts["complaints"], have.Counts["users"])
		}
	}
	keyFile := filepath.Join(sf.dataDir, "secret.key")
	var replaceKeys []string // existing key files that differ from the backup's
	if key, ok := small[secretKeyMember]; ok {
		if cur, err := os.ReadFile(keyFile); err == nil && !bytes.Equal(cur, key) {
			replaceKeys = append(replaceKeys, keyFile)
		}
	} else {
		master, ok, err := masterKey(sf)
		if err != nil {
			return greyline.Errorf(greyline.EINVALID, "secret key: %v", err)
		}
		if ok {
			if !keyMatches(master, man.KeyCheck) && !force {
				return greyline.Errorf(greyline.ECONFLICT, "The secret key in use (%s) is not the one this backup was made with: the personal data in it could not be read. Put the backed-up server's secret.key in place first, or run again with --force.", keySource(sf))
			}
		}
	}
	for _, mb := range man.Members {
		if name, ok := strings.CutPrefix(mb.Name, signingKeysDir+"/"); ok {
			p := filepath.Join(signing, name)
			if cur, err := os.ReadFile(p); err == nil && !bytes.Equal(cur, small[mb.Name]) {
				replaceKeys = append(replaceKeys, p)
			}
		}
	}
	if len(replaceKeys) > 0 && !force {
		return greyline.Errorf(greyline.ECONFLICT, "%s differs from the key in the backup: run again with --force to replace it (the old one is kept beside it).", strings.Join(replaceKeys, ", "))
	}

	// 3. Write: documents and keys first, each through a temporary file
	// renamed into place, the database last, so that it never names a
	// document that is not there.
	n, err := extractArchive(file, man, sf.dataDir, signing, dbPath, lock, replaceKeys, m.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s from %s (made %s): schema version %d, %d complaints, %d applications, %d users, %d audit events; %d document files written, %d already there\n",
		dbPath, file, man.CreatedAt.Format(time.RFC3339), man.SchemaVersion, man.Counts["complaints"], man.Counts["applications"], man.Counts["users"], man.Counts["audit_events"], n.written, n.present)
	switch master, ok, err := masterKey(sf); {
	case man.KeysIncluded:
		fmt.Fprintf(m.Stdout, "The secret key and signing keys were restored from the backup into %s.\n", sf.dataDir)
	case err != nil || !ok:
		fmt.Fprintf(m.Stdout, "This backup holds no keys. greyline needs the SAME secret key as the server that made it:\n"+
			"copy that server's secret.key to %s (and its signing-keys/ to %s) before starting greyline.\n"+
			"Started without it, greyline would create a new key and the personal data could not be read.\n", keyFile, signing)
	default:
		if keyMatches(master, man.KeyCheck) {
			fmt.Fprintf(m.Stdout, "The secret key in use (%s) is the one the backup was made with.\n", keySource(sf))
		} else {
			fmt.Fprintf(m.Stdout, "WARNING: the secret key in use (%s) is NOT the one the backup was made with: replace it with\n"+
				"the backed-up server's secret.key before starting greyline, or the personal data cannot be read.\n", keySource(sf))
		}
	}
	if man.SchemaVersion < sqlstore.LatestSchema(sqlstore.SQLite) {
		fmt.Fprintf(m.Stdout, "The backup's schema is older than this binary's: run \"greyline migrate\" (greyline serve does it when it starts).\n")
	}
	fmt.Fprintf(m.Stdout, "Check it with \"greyline audit verify\".\n")
	return nil
}

func keySource(sf *storeFlags) string {
	if sf.secretKey != "" {
		return "--secret-key"
	}
	return filepath.Join(sf.dataDir, "secret.key")
}

// damaged is the error for an archive that cannot be trusted.
func damaged(file, format string, args ...any) error {
	return greyline.Invalid("FILE", fmt.Sprintf("%s is not a usable greyline backup: ", file)+fmt.Sprintf(format, args...))
}

// openArchive returns a tar reader over file and its manifest, read from
// the first member.
func openArchive(file string) (*tar.Reader, *manifest, func(), error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, nil, greyline.Invalid("FILE", "cannot be read: "+err.Error())
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, nil, damaged(file, "not gzip-compressed (%v)", err)
	}
	closer := func() { zr.Close(); f.Close() }
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil || h.Name != manifestName {
		closer()
		return nil, nil, nil, damaged(file, "it does not start with %s", manifestName)
	}
	var man manifest
	dec := json.NewDecoder(io.LimitReader(tr, 64<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&man); err != nil {
		closer()
		return nil, nil, nil, damaged(file, "%s cannot be read: %v", manifestName, err)
	}
	switch {
	case man.Format != backupFormat:
		err = damaged(file, "%s has format %q", manifestName, man.Format)
	case man.FormatVersion > backupFormatVersion:
		err = greyline.Errorf(greyline.ECONFLICT, "%s is a backup of format %d, newer than this binary's %d: restore it with a newer greyline.", file, man.FormatVersion, backupFormatVersion)
	case man.Engine != string(sqlstore.SQLite):
		err = damaged(file, "it holds a %q database", man.Engine)
	}
	seen := map[string]bool{}
	hasDB := false
	for _, mb := range man.Members {
		if err != nil {
			break
		}
		switch {
		case !validMember(mb.Name, mb.SHA256):
			err = damaged(file, "the manifest names a member %q that greyline never writes", mb.Name)
		case seen[mb.Name]:
			err = damaged(file, "the manifest names %s twice", mb.Name)
		case mb.Size < 0 || len(mb.SHA256) != 64:
			err = damaged(file, "the manifest's entry for %s is incomplete", mb.Name)
		case (mb.Name == secretKeyMember || strings.HasPrefix(mb.Name, signingKeysDir+"/")) && mb.Size > maxKeyFile:
			err = damaged(file, "%s is too large to be a key", mb.Name) // keys are read into memory
		}
		seen[mb.Name] = true
		hasDB = hasDB || mb.Name == dbMember
	}
	if err == nil && !hasDB {
		err = damaged(file, "it holds no database")
	}
	if err != nil {
		closer()
		return nil, nil, nil, err
	}
	return tr, &man, closer, nil
}

// verifyArchive reads the whole archive and checks every member against
// the manifest: the same names, sizes and SHA-256, nothing more or less.
// It returns the small members' bytes (the keys).
func verifyArchive(file string) (*manifest, map[string][]byte, error) {
	tr, man, closer, err := openArchive(file)
	if err != nil {
		return nil, nil, err
	}
	defer closer()
	want := map[string]backupMember{}
	for _, mb := range man.Members {
		want[mb.Name] = mb
	}
	small := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, damaged(file, "it is cut short or corrupt (%v)", err)
		}
		mb, ok := want[h.Name]
		if !ok {
			return nil, nil, damaged(file, "it holds %q, which the manifest does not list (or lists twice)", h.Name)
		}
		delete(want, h.Name)
		if h.Typeflag != tar.TypeReg || h.Size != mb.Size {
			return nil, nil, damaged(file, "%s is not the %d-byte file the manifest lists", h.Name, mb.Size)
		}
		sum := sha256.New()
		var keep bytes.Buffer
		w := io.Writer(sum)
		if h.Name == secretKeyMember || strings.HasPrefix(h.Name, signingKeysDir+"/") {
			w = io.MultiWriter(sum, &keep)
		}
		if _, err := io.Copy(w, tr); err != nil {
			return nil, nil, damaged(file, "it is cut short or corrupt: %s cannot be read (%v)", h.Name, err)
		}
		if hex.EncodeToString(sum.Sum(nil)) != mb.SHA256 {
			return nil, nil, damaged(file, "%s does not match its SHA-256 in the manifest", h.Name)
		}
		if keep.Len() > 0 {
			small[h.Name] = keep.Bytes()
		}
	}
	if len(want) > 0 {
		var missing []string
		for name := range want {
			missing = append(missing, name)
		}
		sort.Strings(missing)
		return nil, nil, damaged(file, "%s is missing", strings.Join(missing, ", "))
	}
	return man, small, nil
}

type extracted struct{ written, present int }

// extractArchive writes the verified archive's members into place. Each
// is written to a temporary file beside its place, checked again against
// the manifest (the file could have changed since it was verified),
// synced, and renamed. The database goes last: its lock is released, the
// old database's WAL files are removed (SQLite would apply them to the new
// file), and the copy is renamed over it.
func extractArchive(file string, man *manifest, dataDir, signing, dbPath string, lock *sqlstore.SQLiteLock, replaceKeys []string, now time.Time) (extracted, error) {
	var n extracted
	tr, _, closer, err := openArchive(file)
	if err != nil {
		return n, err
	}
	defer closer()
	want := map[string]backupMember{}
	for _, mb := range man.Members {
		want[mb.Name] = mb
	}
	replace := map[string]bool{}
	for _, p := range replaceKeys {
		replace[p] = true
	}
	var dbTemp string
	defer func() {
		if dbTemp != "" {
			os.Remove(dbTemp)
		}
	}()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, damaged(file, "it changed while it was restored (%v)", err)
		}
		mb := want[h.Name]
		var dst string
		isKey := false
		switch {
		case h.Name == dbMember:
			dst = dbPath
		case h.Name == secretKeyMember:
			dst, isKey = filepath.Join(dataDir, "secret.key"), true
		case strings.HasPrefix(h.Name, signingKeysDir+"/"):
			dst, isKey = filepath.Join(signing, strings.TrimPrefix(h.Name, signingKeysDir+"/")), true
		default: // a document: one already there and sound is kept
			dst = filepath.Join(dataDir, filepath.FromSlash(h.Name))
		}
		if h.Name != dbMember && !replace[dst] {
			if s, _, err := hashFile(dst); err == nil && s == mb.SHA256 {
				if !isKey {
					n.present++
				}
				continue
			}
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return n, err
		}
		tmp, err := writeTemp(tr, dst, mb)
		if errors.Is(err, errChanged) {
			return n, damaged(file, "%s changed while it was restored", h.Name)
		}
		if err != nil {
			return n, err
		}
		if h.Name == dbMember {
			dbTemp = tmp
			continue
		}
		if replace[dst] { // checked against --force before anything was written
			if err := os.Rename(dst, dst+".replaced-"+now.UTC().Format("20060102T150405Z")); err != nil {
				os.Remove(tmp)
				return n, err
			}
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return n, err
		}
		if !isKey {
			n.written++
		}
	}
	if err := syncDir(filepath.Join(dataDir, "files")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return n, err
	}
	if err := lock.Release(); err != nil {
		return n, err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, err
		}
	}
	if err := os.Rename(dbTemp, dbPath); err != nil {
		return n, err
	}
	dbTemp = ""
	return n, syncDir(filepath.Dir(dbPath))
}

var errChanged = errors.New("member changed")

// writeTemp copies r to a new temporary file beside dst, checking it
// against mb, and returns its name once synced.
func writeTemp(r io.Reader, dst string, mb backupMember) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".restore-*")
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(r, mb.Size+1))
	if err != nil {
		return fail(err)
	}
	if n != mb.Size || hex.EncodeToString(sum.Sum(nil)) != mb.SHA256 {
		return fail(errChanged)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	return tmp.Name(), nil
}
