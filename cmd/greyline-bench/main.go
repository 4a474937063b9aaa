// Command greyline-bench measures greyline's bulk paths and prints the figures.
//
//	go run ./cmd/greyline-bench import --complaints 1000000 [--database postgres://…]
//
// It generates N complaints deterministically (three identifiers each: a
// phone, a wallet or IBAN, and a link or crypto address, drawn from pools
// so that identifiers repeat across complaints as a fraud network's do),
// writes them to a temporary CSV file and loads it with the real command,
// "greyline import complaints", built from this module and run as its own
// process into a fresh database. In the same run it loads the same rows into
// a second fresh database of the same schema with a bare loop of prepared
// single-row INSERTs, and prints both rates and their ratio, the peak
// resident memory, and the rate of identifier parsing.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

const usage = `Usage: greyline-bench import --complaints N [options]
       greyline-bench networks [options] (see greyline-bench networks --help)
       greyline-bench load [options] (see greyline-bench load --help)

Generates N complaints, imports them with "greyline import complaints" into a
fresh database, times a bare loop of prepared single-row INSERTs of the same
rows into another fresh database of the same schema, and measures identifier
parsing. Prints rows/s, total time, peak resident memory and the ratio.

Options:
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "greyline-bench: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "networks" {
		return runNetworks(args[1:])
	}
	if len(args) > 0 && args[0] == "load" {
		return runLoad(args[1:])
	}
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(os.Stderr, usage)
		return errors.New(`the benchmarks are "import", "networks" and "load"`)
	}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage); fs.PrintDefaults() }
	n := fs.Int("complaints", 100000, "number of complaints to generate")
	database := fs.String("database", "", "PostgreSQL URL; empty uses fresh embedded SQLite databases in a temporary directory")
	batch := fs.Int("batch", 50000, "rows per transaction, for the import and the baseline")
	keep := fs.Bool("keep", false, "keep the temporary directory (CSV and databases) and print its name")
	seed := fs.Uint64("seed", 1, "seed of the generator")
	skipBaseline := fs.Bool("no-baseline", false, "skip the baseline loop")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *n < 1 || fs.NArg() > 0 {
		return errors.New("--complaints must be at least 1, and no other arguments are taken")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "greyline-bench-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Printf("working directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Printf("greyline-bench import: %d complaints, %d a transaction, %s, %d CPUs (GOMAXPROCS %d), load average %s\n",
		*n, *batch, engineName(*database), runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage())

	// 1. The data.
	csvPath := filepath.Join(dir, "complaints.csv")
	t0 := time.Now()
	size, err := writeCSV(csvPath, *n, *seed)
	if err != nil {
		return err
	}
	fmt.Printf("generated %s (%.1f MB) in %s\n", filepath.Base(csvPath), float64(size)/1e6, time.Since(t0).Round(time.Millisecond))

	// 2. The real import, as its own process.
	bin := filepath.Join(dir, "greyline")
	t0 = time.Now()
	if err := buildGreyline(bin); err != nil {
		return err
	}
	fmt.Printf("built greyline in %s\n", time.Since(t0).Round(time.Millisecond))
	secret := hex.EncodeToString(make([]byte, keys.MasterSize))
	importDSN, dropImport, err := freshDatabase(ctx, *database, filepath.Join(dir, "import"), "import")
	if err != nil {
		return err
	}
	defer dropImport()
	common := []string{"--data-dir", filepath.Join(dir, "import"), "--secret-key", secret}
	if importDSN != "" {
		common = append(common, "--database", importDSN)
	}
	if _, _, err := runGreyline(bin, append([]string{"migrate"}, common...)...); err != nil {
		return err
	}
	args = append([]string{"import", "complaints", "--batch", strconv.Itoa(*batch)}, common...)
	t0 = time.Now()
	out, maxRSS, err := runGreyline(bin, append(args, csvPath)...)
	importTime := time.Since(t0)
	if err != nil {
		return err
	}
	importRate := float64(*n) / importTime.Seconds()
	fmt.Printf("\nimport (greyline import complaints, one process, from start to exit):\n  %s", indent(out))
	fmt.Printf("  %d complaints in %s: %.0f complaints/s\n", *n, importTime.Round(time.Millisecond), importRate)
	fmt.Printf("  peak RSS of the import process: %.1f MB (ru_maxrss, = its VmHWM)\n", float64(maxRSS)/1024)
	fmt.Printf("  load average after: %s\n", loadAverage())

	// 3. The baseline, into a second fresh database.
	if !*skipBaseline {
		baseDSN, dropBase, err := freshDatabase(ctx, *database, filepath.Join(dir, "baseline"), "baseline")
		if err != nil {
			return err
		}
		defer dropBase()
		baseTime, err := baseline(ctx, baseDSN, filepath.Join(dir, "baseline"), csvPath, *batch)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		baseRate := float64(*n) / baseTime.Seconds()
		fmt.Printf("\nbaseline (bare loop of prepared single-row INSERTs, same rows, same schema, %d rows a transaction):\n", *batch)
		fmt.Printf("  %d complaints in %s: %.0f complaints/s\n", *n, baseTime.Round(time.Millisecond), baseRate)
		fmt.Printf("  load average after: %s\n", loadAverage())
		fmt.Printf("\nimport / baseline: %.2f×\n", importRate/baseRate)
	}

	// 4. Parsing.
	fmt.Println()
	parseRates(*seed, min(3**n, 600000))
	fmt.Printf("\npeak RSS of greyline-bench itself (generator, baseline, parsing): %.1f MB (VmHWM)\n", float64(vmHWM())/1024)
	fmt.Printf("targets (issue 4): import ≥ 25,000 complaints/s at 1,000,000 with RSS < 300 MB; import ≥ baseline; parsing ≥ 1,000,000 identifiers/s per core\n")
	return nil
}

func engineName(dsn string) string {
	if dsn == "" {
		return "embedded SQLite"
	}
	return "PostgreSQL"
}

// loadAverage is the 1, 5 and 15 minute load average: the machine is shared.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// vmHWM is this process's peak resident set, in KiB.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// buildGreyline builds the command from the module this bench belongs to.
func buildGreyline(bin string) error {
	cmd := exec.Command("go", "build", "-o", bin, "github.com/greyline/greyline/cmd/greyline")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/greyline (run greyline-bench from inside the module): %w", err)
	}
	return nil
}

// runGreyline runs the command and returns its standard output and its
// peak resident set in KiB.
func runGreyline(bin string, args ...string) (string, int64, error) {
	cmd := exec.Command(bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	cmd.Env = append(os.Environ(), "GREYLINE_LOG_LEVEL=warn")
	err := cmd.Run()
	var rss int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = ru.Maxrss // KiB on Linux
		}
	}
	if err != nil {
		return out.String(), rss, fmt.Errorf("greyline %s: %w\n%s", strings.Join(args[:2], " "), err, out.String())
	}
	return out.String(), rss, nil
}

// freshDatabase returns the DSN of an empty database: "" (SQLite in the
// data directory) or, for PostgreSQL, a new schema dropped afterwards.
func freshDatabase(ctx context.Context, base, dataDir, name string) (string, func(), error) {
	if base == "" {
		return "", func() {}, os.MkdirAll(dataDir, 0o700)
	}
	b := make([]byte, 4)
	rand.Read(b)
	schema := "bench_" + name + "_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}, nil
}

// ---- the baseline --------------------------------------------------------

// baseline loads the CSV with one prepared single-row INSERT per row and
// table: the complaint, an upsert of each identifier, a link for each, the
// 'received' event. It does none of the import's work: no validation,
// identifier parsing or extraction, no sealing (the complainant is stored
// as plain JSON, an identifier's key is its text as written), and hashes
// are stood in for by SHA-256 so that the indexes are the same size. It
// commits every batch rows, as the import does, on the writer connection
// as sqlstore opens it (no import settings).
func baseline(ctx context.Context, dsn, dataDir, csvPath string, batch int) (time.Duration, error) {
	k, err := keys.New(make([]byte, keys.MasterSize))
	if err != nil {
		return 0, err
	}
	db, err := sqlstore.Open(ctx, sqlstore.Options{DSN: dsn, DataDir: dataDir, Keys: k})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return 0, err
	}
	w, _ := db.Pools()
	pg := db.Engine() == sqlstore.Postgres
	bind := func(q string) string {
		if !pg {
			return q
		}
		var b strings.Builder
		n := 0
		for _, c := range q {
			if c == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	qComplaint := bind(`INSERT INTO complaints (reference, channel, source_org_id, external_ref, complainant, cnic_hash, phone_hash,
		category, contact_method, incident_at, received_at, loss_paisa, currency, payment_method, narrative, status, tracking_hash, created_at, updated_at, city, province)
		VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?) RETURNING id`)
	qIdent := bind(`INSERT INTO identifiers (type, match_key, value, first_seen, last_seen, complaints) VALUES ('raw', ?, ?, ?, ?, 1)
		ON CONFLICT (match_key) DO UPDATE SET last_seen = excluded.last_seen, complaints = identifiers.complaints + 1 RETURNING id`)
	qLink := bind("INSERT INTO complaint_identifiers (complaint_id, identifier_id, source, raw, start_pos, end_pos, status) VALUES (?, ?, 'field', ?, -1, -1, 'confirmed')")
	qEvent := bind("INSERT INTO complaint_events (complaint_id, at, user_id, from_status, to_status, public_message) VALUES (?, ?, 0, '', 'received', 'Your complaint was received.')")

	f, err := os.Open(csvPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return 0, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	start := time.Now()
	var tx *sql.Tx
	var stC, stI, stL, stE *sql.Stmt
	begin := func() error {
		var err error
		if tx, err = w.BeginTx(ctx, nil); err != nil {
			return err
		}
		for _, p := range []struct {
			st **sql.Stmt
			q  string
		}{{&stC, qComplaint}, {&stI, qIdent}, {&stL, qLink}, {&stE, qEvent}} {
			if *p.st, err = tx.PrepareContext(ctx, p.q); err != nil {
				return err
			}
		}
		return nil
	}
	if err := begin(); err != nil {
		return 0, err
	}
	now := time.Now().UTC()
	year := now.Year()
	for i := 1; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		get := func(name string) string { return rec[col[name]] }
		complainant, _ := json.Marshal(greyline.Complainant{Name: get("complainant_name"), CNIC: get("complainant_cnic"), Phone: get("complainant_phone"),
			Email: get("complainant_email"), City: get("complainant_city"), Province: get("complainant_province"), Gender: get("complainant_gender"), AgeBand: get("complainant_age_band")})
		incident, _ := time.Parse(time.RFC3339, get("incident_at"))
		received, _ := time.Parse(time.RFC3339, get("received_at"))
		loss, _ := strconv.ParseInt(get("loss_paisa"), 10, 64)
		var id int64
		if err := stC.QueryRowContext(ctx, greyline.ComplaintReference(year, int64(i)), get("channel"), get("external_ref"), complainant,
			standIn(get("complainant_cnic")), standIn(get("complainant_phone")), get("category"), get("contact_method"), incident, received, loss, "PKR",
			get("payment_method"), get("narrative"), standIn(get("external_ref")), now, now, get("complainant_city"), get("complainant_province")).Scan(&id); err != nil {
			return 0, err
		}
		for _, raw := range strings.Split(get("identifiers"), ";") {
			var identID int64
			if err := stI.QueryRowContext(ctx, raw, raw, now, now).Scan(&identID); err != nil {
				return 0, err
			}
			if _, err := stL.ExecContext(ctx, id, identID, raw); err != nil {
				return 0, err
			}
		}
		if _, err := stE.ExecContext(ctx, id, received); err != nil {
			return 0, err
		}
		if i%batch == 0 {
			if err := tx.Commit(); err != nil {
				return 0, err
			}
			if err := begin(); err != nil {
				return 0, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// standIn fills a hash column with a value of the same length and spread
// as the import's keyed hash (16 bytes in hex), so that both runs build
// indexes of the same size (SHA-256 costs about what HMAC-SHA-256 does).
func standIn(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// ---- parsing -------------------------------------------------------------

// parseRates times identifier.Parse (type known, as for import columns)
// and identifier.Detect over n generated identifiers, on one goroutine.
func parseRates(seed uint64, n int) {
	g := newGenerator(seed, n/3+1)
	type typed struct {
		t   identifier.Type
		raw string
	}
	ids := make([]typed, 0, n)
	for len(ids) < n {
		c := g.complaint(len(ids) / 3)
		ids = append(ids, typed{identifier.Phone, c.fraudPhone}, typed{c.accountType, c.account}, typed{c.linkType, c.link})
	}
	ids = ids[:n]
	invalid := 0
	t0 := time.Now()
	for _, x := range ids {
		if !identifier.Parse(x.t, x.raw).Valid {
			invalid++
		}
	}
	parse := time.Since(t0)
	t0 = time.Now()
	for _, x := range ids {
		identifier.Detect(x.raw)
	}
	detect := time.Since(t0)
	fmt.Printf("parsing %d generated identifiers on one goroutine (per core):\n", n)
	fmt.Printf("  identifier.Parse (type known):   %.0f identifiers/s (%d invalid)\n", float64(n)/parse.Seconds(), invalid)
	fmt.Printf("  identifier.Detect (type guessed): %.0f identifiers/s\n", float64(n)/detect.Seconds())
}

// ---- the generator -------------------------------------------------------

// generator makes realistic complaints from an index, deterministically:
// the same seed and index give the same complaint, without keeping any.
type generator struct {
	seed uint64
	// Pool sizes: identifiers are drawn from pools smaller than the number
	// of complaints, with a skew, so the busiest numbers of a network turn
	// up in hundreds of complaints and most in a few.
	phones, accounts, links int
	n                       int
}

func newGenerator(seed uint64, n int) *generator {
	return &generator{seed: seed, n: n, phones: max(10, n/4), accounts: max(10, n/5), links: max(10, n/6)}
}

type genComplaint struct {
	ref                         string
	received, incident          time.Time
	channel, category           string
	contact, payment            string
	loss                        int64
	name, cnic, phone, email    string
	city, province, gender, age string
	narrative                   string
	fraudPhone                  string // as written
	account, link               string
	accountType, linkType       identifier.Type
}

var (
	firstNames = []string{"Ali", "Ahmed", "Bilal", "Hassan", "Usman", "Imran", "Kamran", "Faisal", "Sana", "Ayesha", "Fatima", "Hira", "Zainab", "Maryam", "Nadia", "Rabia", "Saima", "Tariq", "Waqas", "Zubair"}
	lastNames  = []string{"Khan", "Malik", "Butt", "Chaudhry", "Qureshi", "Sheikh", "Raza", "Hussain", "Iqbal", "Akhtar", "Siddiqui", "Abbasi", "Baloch", "Memon", "Shah", "Javed"}
	cities     = []struct{ city, province string }{
		{"Lahore", "Punjab"}, {"Karachi", "Sindh"}, {"Islamabad", "Islamabad Capital Territory"}, {"Rawalpindi", "Punjab"}, {"Faisalabad", "Punjab"},
		{"Multan", "Punjab"}, {"Peshawar", "Khyber Pakhtunkhwa"}, {"Quetta", "Balochistan"}, {"Hyderabad", "Sindh"}, {"Gujranwala", "Punjab"},
		{"Sukkur", "Sindh"}, {"Gilgit", "Gilgit-Baltistan"}, {"Muzaffarabad", "Azad Jammu and Kashmir"}, {"Sialkot", "Punjab"},
	}
	mobilePrefixes = []string{"300", "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313", "314", "315", "316", "317", "318", "320", "321", "322", "323", "324", "330", "331", "332", "333", "334", "335", "336", "340", "341", "342", "343", "344", "345", "346", "347", "355"}
	wallets        = []string{"JazzCash", "Easypaisa", "SadaPay", "NayaPay"}
	banks          = []string{"HABB", "MUCB", "UNIL", "SCBL", "MEZN", "ALFH", "BAHL", "ABPA"}
	shortHosts     = []string{"bit.ly", "tinyurl.com", "cutt.ly"}
	scamWords      = []string{"jazzcash-reward", "bisp-8171", "ehsaas-program", "hbl-verify", "easypaisa-bonus", "pta-sim-block", "fia-notice", "profit-trade", "binary-earn", "daraz-lucky"}
	tlds           = []string{".com", ".pk", ".online", ".xyz", ".site", ".com.pk"}
	ageBands       = []string{"18_25", "26_35", "26_35", "36_50", "36_50", "51_65", "over_65"}
	genders        = []string{"female", "male", "male", "not_stated"}
)

// story is a category with how such frauds usually go.
type story struct {
	category, contact, payment string
	text                       string // %[1]s the phone as written, %[2]s the amount, %[3]s the account, %[4]s the link
}

var stories = []story{
	{"impersonation_family", "whatsapp", "mobile_wallet", "Someone messaged me on WhatsApp from %[1]s saying he was my nephew stuck at the hospital and needed Rs %[2]s urgently. I sent it to %[3]s. Later my nephew said he never asked. Link he sent: %[4]s"},
	{"whatsapp_hijack", "whatsapp", "none", "I got a call from %[1]s claiming to be from WhatsApp support and asking for the 6 digit code. After I shared it my account was taken and my contacts were asked for money (Rs %[2]s) to %[3]s. They also sent %[4]s to everyone."},
	{"impersonation_official", "call", "mobile_wallet", "A man called from %[1]s, said he was an FIA officer and that my CNIC was used in a money laundering case. To clear my name I paid Rs %[2]s to %[3]s. He shared a notice at %[4]s"},
	{"investment_scheme", "social_media", "bank_transfer", "Joined a trading group on Facebook, the admin on %[1]s promised 30%% monthly profit. I invested Rs %[2]s into %[3]s and the dashboard at %[4]s showed fake profits, then withdrawal was blocked."},
	{"crypto_investment", "social_media", "crypto", "A lady on Instagram guided me to buy USDT and send it for mining. Her number is %[1]s. Total Rs %[2]s lost. Payment first went to %[3]s and then to the address %[4]s"},
	{"loan_app", "app", "mobile_wallet", "Took a small loan from an app, they called from %[1]s and threatened to send my photos to my contacts unless I pay Rs %[2]s more to %[3]s. The app download link was %[4]s"},
	{"phishing_otp", "sms", "bank_transfer", "Got an SMS that my account will be blocked, with the link %[4]s. I entered my details, then got a call from %[1]s asking for the OTP. Rs %[2]s was moved to %[3]s the same day."},
	{"prize_lottery", "call", "mobile_wallet", "Call from %[1]s saying I won a car in the BISP lucky draw, pay Rs %[2]s as tax to %[3]s. Details were on %[4]s"},
	{"job_task", "whatsapp", "mobile_wallet", "Part time job offer on WhatsApp from %[1]s, liking YouTube videos for commission. Then they asked to deposit Rs %[2]s for a premium task to %[3]s. Task site: %[4]s"},
	{"online_shopping", "website", "mobile_wallet", "Ordered a phone from a page, seller %[1]s took advance Rs %[2]s on %[3]s and never delivered. The shop was at %[4]s"},
	{"romance", "social_media", "bank_transfer", "Met someone online who said he lives in Dubai, number %[1]s. He asked for Rs %[2]s for customs on a gift, sent to %[3]s. Profile link %[4]s"},
}

// mix turns the seed and a few numbers into a well-spread 64-bit value.
func mix(vals ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, v := range vals {
		h ^= v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 31
	}
	return h
}

// skewed picks from a pool of n so that low indexes come up far more often.
func skewed(r *mrand.Rand, n int) int {
	x := r.Float64()
	return int(x * x * x * float64(n))
}

func (g *generator) mobile(k int, salt uint64) string {
	h := mix(g.seed, salt, uint64(k))
	return mobilePrefixes[h%uint64(len(mobilePrefixes))] + fmt.Sprintf("%07d", (h>>8)%10000000)
}

// phoneAs writes a mobile number ("3001234567") the ways people do.
func phoneAs(m string, style int) string {
	switch style % 5 {
	case 0:
		return "0" + m[:3] + "-" + m[3:]
	case 1:
		return "+92 " + m[:3] + " " + m[3:]
	case 2:
		return "0" + m
	case 3:
		return "92" + m
	}
	return "+92" + m
}

func (g *generator) iban(k int) string {
	h := mix(g.seed, 2, uint64(k))
	bank := banks[h%uint64(len(banks))]
	acct := fmt.Sprintf("%016d", (h>>4)%10000000000000000)
	// ISO 13616 check digits: move "PK00" to the end, letters as numbers, 98 − mod 97.
	num := ""
	for _, c := range bank + acct + "PK00" {
		if c >= 'A' && c <= 'Z' {
			num += strconv.Itoa(int(c-'A') + 10)
		} else {
			num += string(c)
		}
	}
	v, _ := new(big.Int).SetString(num, 10)
	check := 98 - new(big.Int).Mod(v, big.NewInt(97)).Int64()
	s := fmt.Sprintf("PK%02d%s%s", check, bank, acct)
	if h%3 == 0 { // written in groups of four
		var b strings.Builder
		for i := 0; i < len(s); i += 4 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[i:min(i+4, len(s))])
		}
		return b.String()
	}
	return s
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58(b []byte) string {
	x := new(big.Int).SetBytes(b)
	mod, zero, base := new(big.Int), big.NewInt(0), big.NewInt(58)
	var out []byte
	for x.Cmp(zero) > 0 {
		x.DivMod(x, base, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func (g *generator) crypto(k int) string {
	h := mix(g.seed, 3, uint64(k))
	sum := sha256.Sum256([]byte(strconv.FormatUint(h, 16)))
	if h%2 == 0 { // an EVM address, lower case
		return "0x" + hex.EncodeToString(sum[:20])
	}
	// A TRON address: base58check of 0x41 and 20 bytes.
	payload := append([]byte{0x41}, sum[:20]...)
	c1 := sha256.Sum256(payload)
	c2 := sha256.Sum256(c1[:])
	return base58(append(payload, c2[:4]...))
}

func (g *generator) url(k int) string {
	h := mix(g.seed, 4, uint64(k))
	if h%3 == 0 {
		return "https://" + shortHosts[h%uint64(len(shortHosts))] + "/" + strconv.FormatUint((h>>20)|1<<43, 36)[1:8]
	}
	host := scamWords[h%uint64(len(scamWords))] + strconv.Itoa(k) + tlds[(h>>8)%uint64(len(tlds))]
	switch (h >> 12) % 3 {
	case 0:
		return "https://" + host + "/claim?id=" + strconv.Itoa(int(h>>40)%100000)
	case 1:
		return "www." + host
	}
	return "http://" + host + "/login"
}

// complaint returns complaint i.
func (g *generator) complaint(i int) genComplaint {
	r := mrand.New(mrand.NewPCG(g.seed, uint64(i)))
	var c genComplaint
	c.ref = fmt.Sprintf("BENCH-%08d", i)
	// Exports list complaints in the order they were received: over two
	// years, a few minutes out of order here and there.
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	span := 2 * 365 * 24 * time.Hour
	c.received = start.Add(time.Duration(float64(span) * float64(i) / float64(g.n))).Add(time.Duration(r.IntN(600)) * time.Second).Truncate(time.Second)
	c.incident = c.received.Add(-time.Duration(r.IntN(30*24*60)) * time.Minute)
	c.channel = []string{"bulk_import", "bank", "telco", "helpline"}[r.IntN(4)]
	st := stories[r.IntN(len(stories))]
	c.category, c.contact, c.payment = st.category, st.contact, st.payment
	c.loss = int64(1+r.IntN(500)) * 100000 / int64(1+r.IntN(4))
	c.name = firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
	c.cnic = fmt.Sprintf("%d%04d-%07d-%d", 1+r.IntN(7), r.IntN(10000), r.IntN(10000000), r.IntN(10))
	own := g.mobile(i, 9)
	c.phone = phoneAs(own, r.IntN(5))
	if r.IntN(3) == 0 {
		c.email = strings.ToLower(strings.ReplaceAll(c.name, " ", ".")) + strconv.Itoa(i%1000) + "@gmail.com"
	}
	loc := cities[r.IntN(len(cities))]
	c.city, c.province = loc.city, loc.province
	c.gender, c.age = genders[r.IntN(len(genders))], ageBands[r.IntN(len(ageBands))]

	// The fraudsters' identifiers, shared across complaints.
	fraud := g.mobile(skewed(r, g.phones), 1)
	c.fraudPhone = phoneAs(fraud, r.IntN(5))
	if r.IntN(2) == 0 {
		k := skewed(r, g.accounts)
		c.account = wallets[k%len(wallets)] + " 0" + g.mobile(k, 5)
		c.accountType = identifier.Wallet
	} else {
		c.account = g.iban(skewed(r, g.accounts))
		c.accountType = identifier.IBAN
	}
	if st.category == "crypto_investment" || r.IntN(8) == 0 {
		c.link = g.crypto(skewed(r, g.links))
		c.linkType = identifier.Crypto
	} else {
		c.link = g.url(skewed(r, g.links))
		c.linkType = identifier.URL
	}
	amount := strconv.FormatInt(c.loss/100, 10)
	if len(amount) > 3 {
		amount = amount[:len(amount)-3] + "," + amount[len(amount)-3:]
	}
	// The narrative names the same identifiers as the columns, as
	// complainants do, so extraction finds them again.
	c.narrative = fmt.Sprintf(st.text, c.fraudPhone, amount, c.account, c.link)
	return c
}

// columns of the generated CSV, as documented for "greyline import".
var columns = []string{"external_ref", "received_at", "incident_at", "channel", "category", "contact_method", "payment_method", "loss_paisa", "currency",
	"complainant_name", "complainant_cnic", "complainant_phone", "complainant_email", "complainant_city", "complainant_province",
	"complainant_gender", "complainant_age_band", "narrative", "identifiers"}

func writeCSV(path string, n int, seed uint64) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write(columns)
	g := newGenerator(seed, n)
	rec := make([]string, len(columns))
	for i := range n {
		c := g.complaint(i)
		rec = append(rec[:0], c.ref, c.received.Format(time.RFC3339), c.incident.Format(time.RFC3339), c.channel, c.category, c.contact, c.payment,
			strconv.FormatInt(c.loss, 10), "PKR", c.name, c.cnic, c.phone, c.email, c.city, c.province, c.gender, c.age, c.narrative,
			c.fraudPhone+";"+c.account+";"+c.link)
		if err := w.Write(rec); err != nil {
			f.Close()
			return 0, err
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), bw.Flush()); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.Size(), f.Close()
}
