package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/certificate"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

// licensingFlags configure documents, fees, durations and clearance.
type licensingFlags struct {
	maxUpload      int64
	signingKeysDir string
	holidays       string
	mainFee        int64
	branchFee      int64
	provisional    int
	validity       int
	clearanceDays  int
	clearance      string
	calendar       greyline.Calendar
	circlesFile    string
	circles        *greyline.CircleTable
	platformsFile  string
	platforms      *greyline.PlatformTable
}

func (lf *licensingFlags) register(fs *flag.FlagSet) {
	fs.Int64Var(&lf.maxUpload, "max-upload", 10<<20, "largest document upload in `bytes`")
	fs.StringVar(&lf.signingKeysDir, "signing-keys", "", "`directory` of the Ed25519 keys that sign certificates (default DATA-DIR/signing-keys)")
	fs.StringVar(&lf.holidays, "holidays", "", "extra public `dates` (YYYY-MM-DD, comma-separated) skipped when counting working days, e.g. the Eids")
	fs.Int64Var(&lf.mainFee, "fee-main-office", greyline.DefaultFees.MainOfficePaisa, "licence fee for the main office, in `paisa`")
	fs.Int64Var(&lf.branchFee, "fee-branch", greyline.DefaultFees.BranchPaisa, "licence fee for each branch, in `paisa`")
	fs.IntVar(&lf.provisional, "provisional-days", greyline.DefaultLicenceSettings.ProvisionalDays, "validity of a provisional licence, in `days`")
	fs.IntVar(&lf.validity, "licence-days", greyline.DefaultLicenceSettings.ValidityDays, "validity of an active licence, in `days`")
	fs.IntVar(&lf.clearanceDays, "clearance-days", greyline.DefaultLicenceSettings.ClearanceDays, "working `days` each agency has to decide")
	fs.StringVar(&lf.circlesFile, "circles", "", "JSON `file` of NCCIA's circles and their cities, to which complaints are routed (default: today's twelve circles)")
	fs.StringVar(&lf.platformsFile, "platforms", "", "JSON `file` of the platforms that take takedown requests, with each one's deadline in hours (default: app stores, social media, registrars and mobile operators)")
	fs.StringVar(&lf.clearance, "clearance", strings.Join(sqlstore.DefaultClearance, ","), "organisation `codes` that must all clear every application")
}

func (lf *licensingFlags) validate(v *greyline.Validation) {
	v.Check(lf.maxUpload >= 1<<10, "--max-upload", "must be at least 1024")
	v.Check(lf.mainFee >= 0, "--fee-main-office", "must not be negative")
	v.Check(lf.branchFee >= 0, "--fee-branch", "must not be negative")
	v.Check(lf.provisional >= 1, "--provisional-days", "must be at least 1")
	v.Check(lf.validity >= 1, "--licence-days", "must be at least 1")
	v.Check(lf.clearanceDays >= 1, "--clearance-days", "must be at least 1")
	lf.calendar = greyline.DefaultCalendar()
	if err := lf.calendar.AddDates(lf.holidays); err != nil {
		v.Add("--holidays", err.Error())
	}
	if len(lf.codes()) == 0 {
		v.Add("--clearance", "must name at least one organisation")
	}
	lf.circles = greyline.DefaultCircles()
	if lf.circlesFile != "" {
		b, err := os.ReadFile(lf.circlesFile)
		if err == nil {
			lf.circles, err = greyline.ParseCircles(b)
		}
		if err != nil {
			v.Add("--circles", circlesReason(err))
		}
	}
	lf.platforms = greyline.DefaultPlatforms()
	if lf.platformsFile != "" {
		b, err := os.ReadFile(lf.platformsFile)
		if err == nil {
			lf.platforms, err = greyline.ParsePlatforms(b)
		}
		if err != nil {
			v.Add("--platforms", circlesReason(err))
		}
	}
}

// circlesReason puts a circles file's errors in one line for the flag.
func circlesReason(err error) string {
	fe := greyline.ErrorFields(err)
	if len(fe) == 0 {
		return "cannot be read: " + err.Error()
	}
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + " " + f.Reason
	}
	return strings.Join(parts, "; ")
}

func (lf *licensingFlags) codes() []string {
	var out []string
	for _, c := range strings.Split(lf.clearance, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func (lf *licensingFlags) apply(o *sqlstore.Options) {
	files, err := filestore.New(filepath.Join(o.DataDir, "files"))
	if err == nil {
		o.Files = files
	}
	o.MaxUpload = lf.maxUpload
	o.Platforms = lf.platforms
	o.Fees = greyline.FeeSchedule{MainOfficePaisa: lf.mainFee, BranchPaisa: lf.branchFee}
	o.Licences = greyline.LicenceSettings{ProvisionalDays: lf.provisional, ValidityDays: lf.validity, ClearanceDays: lf.clearanceDays}
	cal := lf.calendar
	o.Calendar = &cal
	codes := lf.codes()
	o.Clearance = map[greyline.ApplicationKind][]string{greyline.NewLicence: codes, greyline.Renewal: codes, greyline.Amendment: codes}
	o.Circles = lf.circles
}

// keyring loads (creating on first start) the certificate signing keys.
func (m *Main) keyring(sf *storeFlags, lf *licensingFlags) (*keys.Keyring, error) {
	dir := lf.signingKeysDir
	if dir == "" {
		dir = filepath.Join(sf.dataDir, "signing-keys")
	}
	return keys.LoadOrCreateKeyring(dir, m.Now())
}

const licencesHelp = `Usage: greyline licences expire [options]

Expire every licence whose validity has ended. The server does this by
itself every ten minutes; run it from cron where the server is not running.
`

func (m *Main) licencesCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "expire", "subcommand", licencesHelp); err != nil {
		return err
	}
	fs := m.flags("licences", args)
	var sf storeFlags
	sf.register(fs)
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	if err := checkArgs(fs, &sf); err != nil {
		return err
	}
	db, err := m.openCurrent(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.ExpireDue(greyline.WithActor(ctx, greyline.Actor{System: true}))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "expired %d licence(s)\n", n)
	return nil
}

const certificateHelp = `Usage: greyline certificate verify [--keys FILE] FILE-OR-TOKEN

Check a licence certificate offline: its Ed25519 signature against the
published keys. FILE-OR-TOKEN is a certificate PDF, a token (GL1.…) or the
verification URL from the QR code. Keys come from --keys, a JSON file as
served at /api/v1/keys, or else from the local signing-keys directory. The
licence's current status is on the verify page the QR code opens.
Exit status 0: genuine; 2: malformed; 5: altered or signed by an unknown key.
`

func (m *Main) certificateCmd(ctx context.Context, args []string) error {
	if err := m.only(args, "verify", "subcommand", certificateHelp); err != nil {
		return err
	}
	fs := m.flags("certificate", args)
	var sf storeFlags
	sf.register(fs)
	var keysFile, keysDir string
	fs.StringVar(&keysFile, "keys", "", "JSON `file` of published keys, as served at /api/v1/keys")
	fs.StringVar(&keysDir, "signing-keys", "", "`directory` of signing keys (default DATA-DIR/signing-keys)")
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return greyline.Invalid("FILE-OR-TOKEN", "exactly one certificate file, token or URL is required")
	}
	arg := fs.Arg(0)
	token, ok := certificate.TokenFromURL(arg)
	if !ok {
		b, err := os.ReadFile(arg)
		if err != nil {
			return greyline.Invalid("FILE-OR-TOKEN", "is neither a certificate token nor a readable file")
		}
		if token, err = certificate.TokenFromPDF(b); err != nil {
			return greyline.Invalid("FILE-OR-TOKEN", err.Error())
		}
	}
	lookup, err := m.publicKeys(keysFile, keysDir, &sf)
	if err != nil {
		return err
	}
	c, err := certificate.Verify(token, lookup)
	if err != nil {
		fmt.Fprintf(m.Stdout, "NOT VALID: %v\n", err)
		if errors.Is(err, certificate.ErrMalformed) {
			return greyline.Errorf(greyline.EINVALID, "%v", err)
		}
		return greyline.Errorf(greyline.EFORBIDDEN, "%v", err)
	}
	fmt.Fprintf(m.Stdout, "signature valid (key %s)\nlicence %s\ntrade name %s\nkind %s\ncity %s\nvalid %s to %s\nissued %s\n",
		c.KeyID, c.LicenceNumber, c.TradeName, certificate.KindLabel(c.Kind), c.City, greyline.FormatTime(c.ValidFrom), greyline.FormatTime(c.ValidUntil), greyline.FormatTime(c.IssuedAt))
	fmt.Fprintf(m.Stdout, "its current status (suspension, revocation) is shown at the address in its QR code\n")
	return nil
}

// publicKeys returns the key lookup for offline verification.
func (m *Main) publicKeys(file, dir string, sf *storeFlags) (func(string) (ed25519.PublicKey, bool), error) {
	if file == "" {
		if dir == "" {
			dir = filepath.Join(sf.dataDir, "signing-keys")
		}
		// Verifying must never create a key: require existing ones.
		if pems, _ := filepath.Glob(filepath.Join(dir, "*.pem")); len(pems) == 0 {
			return nil, greyline.Invalid("--keys", "no published keys given and no signing keys in "+dir)
		}
		kr, err := keys.LoadOrCreateKeyring(dir, m.Now())
		if err != nil {
			return nil, err
		}
		return kr.Lookup, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, greyline.Invalid("--keys", "cannot be read")
	}
	var list []keys.PublicKey
	var wrapped struct {
		Items []keys.PublicKey `json:"items"`
	}
	if json.Unmarshal(b, &wrapped) == nil && len(wrapped.Items) > 0 {
		list = wrapped.Items
	} else if err := json.Unmarshal(b, &list); err != nil {
		return nil, greyline.Invalid("--keys", "must be the JSON served at /api/v1/keys")
	}
	byID := map[string]ed25519.PublicKey{}
	for _, k := range list {
		pub, err := k.Ed25519()
		if err != nil {
			return nil, greyline.Invalid("--keys", err.Error())
		}
		byID[k.ID] = pub
	}
	return func(id string) (ed25519.PublicKey, bool) { k, ok := byID[id]; return k, ok }, nil
}
