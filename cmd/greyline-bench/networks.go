package main

// The networks benchmark (issue #5, part 8):
//
//	go run ./cmd/greyline-bench networks [--complaints 1000000] [--duration 10s] [--skip-http]
//
// Set-up, not measured: network.Generate makes N complaints with about 3N
// links in its realistic skew (fraud rings of a power-law size, most
// identifiers seen once, 40 very popular values of which 28 are on the
// shipped warninglist and 12 are left to the over-link threshold). Each
// generated identifier becomes a real value of its type (a mobile number,
// a JazzCash wallet, an IBAN with its check digits, a link, a handle…),
// parsed by package identifier for its match key; every link stores the
// value as a complainant wrote it, in one of several styles. The rows go
// straight into a fresh embedded SQLite database of the real schema
// (sqlstore.Open, Migrate, Seed) with multi-row INSERTs in big
// transactions; the sealed complainant is one fixed value, and a complaint
// the generator gave no city gets one, as the form requires. A first
// rebuild then stores the tiers, as a server that followed the complaints
// as they arrived would have, and everything the set-up held is freed.
//
// Measured: the full rebuild from the database (fraudnet.Service.Rebuild:
// read, build, save tiers) and the peak resident memory during it; adding
// one complaint with sqlstore's CreateComplaint, whose commit hook brings
// the network engine in step (timed apart); a batch lookup of 1,000 values
// through the real handler; and the throughput of single lookups over
// loopback against the real server and, with the same load generator, a
// trivial net/http handler.

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/network"
	"github.com/greyline/greyline/server"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/warninglist"
	"github.com/greyline/greyline/watch"
)

const networksUsage = `Usage: greyline-bench networks [options]

Generates N complaints with about 3N links (network.Generate's skew), loads
them into a fresh embedded SQLite database of the real schema, and measures
the full network rebuild and its peak memory, adding one complaint, a batch
lookup of 1,000 identifiers, and the HTTP throughput of single lookups
against a trivial handler. Prints each figure with its target from issue 5.

Options:
`

// The targets of issue 5, part 8.
const (
	targetRebuild  = 5 * time.Second
	targetRSSBytes = 1_000_000_000 // 1 GB
	targetAdd      = time.Millisecond
	targetBatch    = 20 * time.Millisecond
	targetRatio    = 0.5
)

type netFlags struct {
	n        int
	seed     uint64
	duration time.Duration
	conns    int
	adds     int
	batches  int
	keep     bool
	skipHTTP bool
	profile  string
}

// netRow is one line of the summary.
type netRow struct {
	what, figure, target string
	pass                 bool
	load                 string
}

func runNetworks(args []string) error {
	fs := flag.NewFlagSet("networks", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, networksUsage); fs.PrintDefaults() }
	var f netFlags
	fs.IntVar(&f.n, "complaints", 1_000_000, "number of complaints to generate (about 3 links each)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the generator")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long each HTTP throughput run lasts")
	fs.IntVar(&f.conns, "connections", 64, "concurrent connections of the load generator")
	fs.IntVar(&f.adds, "adds", 1000, "complaints to add one at a time (after 10 not counted)")
	fs.IntVar(&f.batches, "batches", 200, "batch lookups of 1,000 values to time")
	fs.BoolVar(&f.keep, "keep", false, "keep the temporary directory (database, keys) and print its name")
	fs.BoolVar(&f.skipHTTP, "skip-http", false, "skip the HTTP throughput runs")
	fs.StringVar(&f.profile, "cpuprofile", "", "write CPU profiles of the rebuild, the adds and each HTTP run to files with this `prefix`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.n < 1000 || f.adds < 1 || f.batches < 1 || f.conns < 1 || f.duration <= 0 || fs.NArg() > 0 {
		return errors.New("--complaints must be at least 1000, --adds, --batches, --connections and --duration positive, and no other arguments are taken")
	}
	ctx := context.Background()
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	dir, err := os.MkdirTemp("", "greyline-bench-networks-")
	if err != nil {
		return err
	}
	if f.keep {
		fmt.Printf("working directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Printf("greyline-bench networks: %d complaints, embedded SQLite, %d CPUs (GOMAXPROCS %d), %s, load average %s\n",
		f.n, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())

	k, err := keys.New(make([]byte, keys.MasterSize))
	if err != nil {
		return err
	}
	// The commit hook, as cmd/greyline wires it (through the server, which
	// calls the same fraudnet method); set once the engine is built.
	var onChanged func([]int64)
	db, err := sqlstore.Open(ctx, sqlstore.Options{DataDir: dir, Keys: k, OnComplaintsChanged: func(ids []int64) {
		if onChanged != nil {
			onChanged(ids)
		}
	}})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.Seed(ctx); err != nil {
		return err
	}

	// ---- set-up (not measured) ----
	fmt.Printf("\nset-up (not measured: generate with network.Generate, write rows with multi-row INSERTs, first rebuild stores the tiers):\n")
	t0 := time.Now()
	data, err := loadNetworks(ctx, db, k, f.n, f.seed)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	written := time.Since(t0)
	fmt.Printf("  generated and wrote %d complaints, %d identifiers, %d links (%d pending review) in %s\n",
		data.complaints, data.identifiers, data.links, data.pending, written.Round(time.Millisecond))
	fmt.Printf("  popular values: %d on the warninglist, %d not (left to the over-link threshold)\n", data.listed, data.unlisted)
	if st, err := os.Stat(dbFile(dir)); err == nil {
		fmt.Printf("  database file: %.0f MB\n", float64(st.Size())/1e6)
	}
	t1 := time.Now()
	first := fraudnet.New(db, fraudnet.Options{})
	st1, err := first.Rebuild(sys)
	if err != nil {
		return fmt.Errorf("first rebuild: %w", err)
	}
	fmt.Printf("  first rebuild (stores every tier for the first time): %s (read %s, build %s, save %s, %d tiers stored)\n",
		time.Since(t1).Round(time.Millisecond), st1.Read.Round(time.Millisecond), st1.Build.Round(time.Millisecond), st1.Save.Round(time.Millisecond), st1.TiersChanged)
	first = nil
	fmt.Printf("  set-up took %s in all; load average %s\n", time.Since(t0).Round(time.Millisecond), loadAverage())

	var rows []netRow

	// ---- 1. full rebuild ----
	runtime.GC()
	debug.FreeOSMemory()
	rssBefore := vmRSS()
	resetErr := resetHWM()
	fmt.Printf("\nfull rebuild from the database (fraudnet.Service.Rebuild on a fresh service: read, build, save tiers):\n")
	fmt.Printf("  RSS before: %.0f MB (VmRSS, generator data freed)\n", float64(rssBefore)*1024/1e6)
	nets := fraudnet.New(db, fraudnet.Options{})
	stop := func() {}
	if f.profile != "" {
		stop = startProfile(f.profile + "rebuild.pprof")
	}
	cpu0 := cpuTime()
	t0 = time.Now()
	st, err := nets.Rebuild(sys)
	took := time.Since(t0)
	cpu := cpuTime() - cpu0
	stop()
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	peak := vmHWM() * 1024
	load := loadAverage()
	fmt.Printf("  %s: read %s, build %s, save %s (%d tiers changed)\n", took.Round(time.Millisecond),
		st.Read.Round(time.Millisecond), st.Build.Round(time.Millisecond), st.Save.Round(time.Millisecond), st.TiersChanged)
	fmt.Printf("  CPU time of the process meanwhile: %s (user + system, all threads, garbage collector included)\n", cpu.Round(time.Millisecond))
	fmt.Printf("  %+v\n", st.Stats)
	if resetErr != nil {
		fmt.Printf("  peak RSS: %.0f MB (VmHWM could not be reset, %v: this peak includes the set-up)\n", float64(peak)/1e6, resetErr)
	} else {
		fmt.Printf("  peak RSS during the rebuild: %.0f MB (VmHWM, reset just before); RSS after: %.0f MB\n", float64(peak)/1e6, float64(vmRSS())*1024/1e6)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("  live heap after the rebuild and a collection: %.0f MB (the engine, kept; the rest of the peak is what the read and its conversion held, and the collector's headroom, GOGC=%s GOMEMLIMIT=%s)\n",
		float64(ms.HeapAlloc)/1e6, envOr("GOGC", "100"), envOr("GOMEMLIMIT", "off"))
	fmt.Printf("  load average %s\n", load)
	rows = append(rows,
		netRow{"full rebuild from the database", fmtDur(took), "≤ 5 s", took <= targetRebuild, load},
		netRow{"peak RSS during the rebuild", fmt.Sprintf("%.0f MB", float64(peak)/1e6), "≤ 1 GB", peak <= targetRSSBytes && resetErr == nil, load})

	// ---- 2. adding one complaint ----
	addRows, err := benchAdds(sys, db, nets, data, f, &onChanged)
	if err != nil {
		return fmt.Errorf("adding complaints: %w", err)
	}
	rows = append(rows, addRows...)

	// ---- 3. batch lookup, 4. HTTP ----
	token, err := partnerToken(sys, db)
	if err != nil {
		return fmt.Errorf("partner token: %w", err)
	}
	signing, err := keys.LoadOrCreateKeyring(dir+"/signing-keys", time.Now())
	if err != nil {
		return err
	}
	w, r := db.Pools()
	// The public verify endpoint allows 120 lookups a minute per IP; all
	// the load comes from 127.0.0.1, so the limit is raised out of the way.
	cfg := server.Config{Addr: "127.0.0.1:0", LookupRate: 1 << 30}
	watches := watch.New(db, nil)
	if err := watches.Load(ctx); err != nil {
		return err
	}
	srv, err := server.New(cfg, server.Deps{Takedowns: db, Watch: watches, Networks: nets, Enforcement: db, Reports: db, Users: db, Orgs: db, Auth: db, Audit: db, Health: db, Keys: k, Pools: map[string]*sql.DB{"writer": w, "reader": r},
		Businesses: db, Applications: db, Clearance: db, Licences: db, Registry: db, Signing: signing, Complaints: db})
	if err != nil {
		return err
	}
	if err := srv.RebuildRegistry(ctx); err != nil {
		return err
	}
	values := newValueMix(data, f.seed)
	rows = append(rows, benchBatch(srv, nets, token, values, f.batches)...)
	if !f.skipHTTP {
		hr, err := benchHTTP(ctx, srv, token, values, f)
		if err != nil {
			return err
		}
		rows = append(rows, hr...)
	}

	fmt.Printf("\nsummary (%d complaints; targets from issue 5, part 8):\n", f.n)
	fmt.Printf("  %-52s %-28s %-9s %-6s %s\n", "figure", "measured", "target", "", "load average")
	failed := 0
	for _, r := range rows {
		res := "PASS"
		if !r.pass {
			res = "FAIL"
			failed++
		}
		fmt.Printf("  %-52s %-28s %-9s %-6s %s\n", r.what, r.figure, r.target, res, r.load)
	}
	if failed > 0 {
		fmt.Printf("  %d of %d targets missed\n", failed, len(rows))
	} else {
		fmt.Printf("  all %d targets met\n", len(rows))
	}
	return nil
}

func dbFile(dir string) string { return dir + "/greyline.db" }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// startProfile writes a CPU profile to path until the returned func is
// called; "" profiles nothing.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "greyline-bench: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintf(os.Stderr, "greyline-bench: %v\n", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// ---- memory ----------------------------------------------------------------

// vmRSS is this process's resident set now, in KiB.
func vmRSS() int64 { return procStatus("VmRSS:") }

func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetHWM sets the peak resident set (VmHWM) back to the current one
// (Linux 4.0 and later), so that the next reading is the peak of what
// follows and not of the set-up.
func resetHWM() error { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// ---- figures ---------------------------------------------------------------

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.3f ms", float64(d)/1e6)
}

// pct is the p-th quantile (0 < p ≤ 1) of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func sortedCopy(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}

// ---- the data set ----------------------------------------------------------

// netPopular is how many very popular values network.Generate makes
// before anything else (ids 1 to 40).
const netPopular = 40

// netRef names a stored identifier: its type and id, from which its value
// is made again in any writing style.
type netRef struct {
	typ string
	id  int64
}

// netData is what the set-up keeps for the measurements: counts, and
// samples of the stored identifiers (everything else is freed).
type netData struct {
	complaints, identifiers, links, pending int
	listed, unlisted                        int
	maxID                                   int64
	popular                                 []string   // raw values of ids 1..netPopular
	weighted                                []netRef   // drawn in proportion to their links
	uniform                                 []netRef   // drawn uniformly over identifiers
	shared                                  [][]netRef // link-weighted: one complaint's values that are in ≥ 2 complaints and not popular, so all of one ring
}

// raw writes an identifier as a complainant might.
func (d *netData) raw(r netRef, style int) string {
	if r.id >= 1 && r.id <= int64(len(d.popular)) {
		return d.popular[r.id-1]
	}
	return netValue(r.typ, r.id, style)
}

// Generate's categories as the taxonomy's codes.
var netCategory = map[string]string{
	"investment": "investment_scheme", "lottery": "prize_lottery", "job": "job_task", "loan app": "loan_app",
	"impersonation": "impersonation_official", "e-commerce": "online_shopping", "romance": "romance", "sim swap": "sim_identity",
}

var (
	netWallets     = []string{"JazzCash", "Easypaisa", "SadaPay", "NayaPay"}
	netPaths       = []string{"/login", "/claim", "/pay", "/verify-account"}
	netDomainWords = []string{"trade-profit", "pk-rewards", "lucky-draw", "loan-fast", "jobs-online", "bisp-help", "pta-verify", "daraz-sale"}
	netMailHosts   = []string{"gmail.com", "yahoo.com", "outlook.com"}
	netStatuses    = []string{"received", "received", "received", "triaged", "triaged", "assigned", "assigned", "enquiry", "case_registered", "closed", "closed"}
	netChannels    = []string{"web", "helpline", "helpline", "bank", "telco", "partner_api", "bulk_import"}
	netCities      = []string{"Karachi", "Lahore", "Islamabad", "Rawalpindi", "Faisalabad", "Multan", "Peshawar", "Quetta", "Hyderabad"}
)

// netMobile is a Pakistani mobile number without the leading 0, unique
// for u below 4×10^8 (multiplication by mult, coprime with 4×10^8, is a
// bijection modulo it).
func netMobile(u, mult uint64) string {
	m := uint64(len(mobilePrefixes)) * 10_000_000
	k := u * mult % m
	return mobilePrefixes[k%uint64(len(mobilePrefixes))] + fmt.Sprintf("%07d", k/uint64(len(mobilePrefixes)))
}

// netValue writes identifier id of type typ in one of its writing styles;
// every style of one id has the same match key, and different ids have
// different keys (for ids below 4×10^8).
func netValue(typ string, id int64, style int) string {
	u := uint64(id)
	b36 := func(mult uint64) string { return strconv.FormatUint(u*mult%1_000_000_000_000, 36) }
	switch typ {
	case "phone":
		nat := netMobile(u, 2654435761)
		switch style % 7 {
		case 0:
			return "+92" + nat
		case 1:
			return "0" + nat[:3] + "-" + nat[3:]
		case 2:
			return "+92 " + nat[:3] + " " + nat[3:]
		case 3:
			return "0" + nat
		case 4:
			return "92" + nat
		case 5:
			return "0092-" + nat[:3] + "-" + nat[3:]
		}
		return "(0" + nat[:3] + ") " + nat[3:6] + " " + nat[6:]
	case "wallet":
		nat := netMobile(u, 2246822519)
		p := netWallets[u%uint64(len(netWallets))]
		switch style % 4 {
		case 0:
			return p + " 0" + nat[:3] + "-" + nat[3:]
		case 1:
			return p + " account 0" + nat
		case 2:
			return "0" + nat + " (" + p + ")"
		}
		return strings.ToLower(p) + ":+92" + nat
	case "iban":
		s := netIBAN(u)
		switch style % 3 {
		case 1:
			var b strings.Builder
			for i := 0; i < len(s); i += 4 {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s[i:min(i+4, len(s))])
			}
			return b.String()
		case 2:
			return strings.ToLower(s)
		}
		return s
	case "url":
		host := scamWords[u%uint64(len(scamWords))] + "-" + b36(2654435761) + tlds[(u/10)%uint64(len(tlds))]
		path := netPaths[(u/60)%uint64(len(netPaths))]
		switch style % 5 {
		case 1:
			return "http://" + host + path
		case 2:
			return host + path
		case 3:
			return "HTTPS://" + strings.ToUpper(host) + path
		case 4:
			return "https://www." + host + path
		}
		return "https://" + host + path
	case "domain":
		host := netDomainWords[u%uint64(len(netDomainWords))] + "-" + b36(2246822519) + tlds[(u/8)%uint64(len(tlds))]
		switch style % 3 {
		case 1:
			return strings.ToUpper(host)
		case 2:
			return host + "."
		}
		return host
	case "social":
		plat := []string{"instagram", "facebook"}[u%2]
		h := strings.ToLower(firstNames[(u/2)%uint64(len(firstNames))]) + "." + b36(2654435761)
		switch style % 4 {
		case 1:
			return plat + ".com/" + h
		case 2:
			return "https://www." + plat + ".com/" + h + "/"
		case 3:
			return plat + ":" + h
		}
		return "https://" + plat + ".com/" + h
	case "email":
		local := strings.ToLower(firstNames[u%uint64(len(firstNames))]) + "." + b36(2654435761)
		host := netMailHosts[(u/20)%uint64(len(netMailHosts))]
		switch style % 3 {
		case 1:
			return strings.ToUpper(local[:1]) + local[1:] + "@" + strings.ToUpper(host[:1]) + host[1:]
		case 2:
			return "mailto:" + local + "@" + host
		}
		return local + "@" + host
	case "imei":
		d := "35" + fmt.Sprintf("%012d", u*2654435761%1_000_000_000_000)
		d += string(rune('0' + luhnCheck(d)))
		switch style % 3 {
		case 1:
			return d[:2] + "-" + d[2:8] + "-" + d[8:14] + "-" + d[14:]
		case 2:
			return d[:2] + " " + d[2:8] + " " + d[8:14] + " " + d[14:]
		}
		return d
	case "crypto":
		h := sha256.Sum256([]byte("crypto:" + strconv.FormatUint(u, 10)))
		return "0x" + hex.EncodeToString(h[:20])
	}
	return strconv.FormatUint(u, 10)
}

// netIBAN is a Pakistani IBAN with valid check digits.
func netIBAN(u uint64) string {
	bank := banks[u%uint64(len(banks))]
	acct := fmt.Sprintf("%016d", u*2654435761%10_000_000_000_000_000)
	// ISO 13616: the BBAN, then "PK00", letters as 10–35, 98 − mod 97.
	mod := 0
	for _, c := range bank + acct + "PK00" {
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			mod = (mod*100 + v) % 97
		} else {
			mod = (mod*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("PK%02d%s%s", 98-mod, bank, acct)
}

// luhnCheck is the check digit that makes digits+check pass Luhn.
func luhnCheck(digits string) int {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// popularValues gives the 40 popular values real identities: the listed
// ones are entries of the shipped warninglist (banks' and government
// helplines, platforms' roots, shorteners, gateways, exchange wallets);
// the others are payment gateways' and hosts' values that are on no list,
// which only the over-link threshold stops.
func popularValues(ids []network.Identifier) ([]string, int, int, error) {
	list := warninglist.Default()
	var listedPhones, listedCrypto []string
	for _, e := range list.Entries() {
		switch e.Type {
		case "phone":
			v := e.Value
			if strings.HasPrefix(v, "111") {
				v = "021-" + v // a UAN as dialled from Karachi
			}
			listedPhones = append(listedPhones, v)
		case "crypto":
			listedCrypto = append(listedCrypto, e.Value)
		}
	}
	pools := map[string][]string{
		"phone/listed":    listedPhones,
		"crypto/listed":   listedCrypto,
		"url/listed":      {"https://www.facebook.com/", "https://bit.ly/", "https://www.instagram.com/", "https://tinyurl.com/", "https://www.youtube.com/", "https://www.tiktok.com/"},
		"domain/listed":   {"easypaisa.com.pk", "jazzcash.com.pk", "whatsapp.com", "bit.ly", "paypal.com", "google.com"},
		"phone/unlisted":  {"021-111-746-746", "042-111-000-786", "051-111-333-222", "021-111-786-111", "042-111-456-456", "021-111-010-010"},
		"domain/unlisted": {"safepay.pk", "paymob.pk", "payfast.pk"},
		"wallet/unlisted": {"JazzCash 0300-0001122", "Easypaisa 0345-0009988", "JazzCash 0301-0007766"},
	}
	used := map[string]int{}
	out := make([]string, 0, netPopular)
	listed, unlisted := 0, 0
	for _, x := range ids[:min(netPopular, len(ids))] {
		kind := x.Type + "/unlisted"
		if x.Listed {
			kind = x.Type + "/listed"
		}
		pool := pools[kind]
		if used[kind] >= len(pool) {
			return nil, 0, 0, fmt.Errorf("network.Generate's popular values changed: no value for the %d-th %s", used[kind]+1, kind)
		}
		v := pool[used[kind]]
		used[kind]++
		id := identifier.Parse(identifier.Type(x.Type), v)
		if !id.Valid {
			return nil, 0, 0, fmt.Errorf("popular value %q is not a valid %s: %s", v, x.Type, id.Reason)
		}
		if _, ok := list.Match(id); ok != x.Listed {
			return nil, 0, 0, fmt.Errorf("popular value %q: on the warninglist %v, wanted %v", v, ok, x.Listed)
		}
		if x.Listed {
			listed++
		} else {
			unlisted++
		}
		out = append(out, v)
	}
	return out, listed, unlisted, nil
}

// netStmt is a multi-row INSERT: the VALUES group repeated per rows, run
// on one pinned connection.
type netStmt struct {
	ctx        context.Context
	conn       *sql.Conn
	head, grp  string
	per, cols  int
	full       *sql.Stmt
	args       []any
	rows, done int
}

func newNetStmt(ctx context.Context, conn *sql.Conn, head, grp string, cols int) *netStmt {
	return &netStmt{ctx: ctx, conn: conn, head: head, grp: grp, cols: cols, per: min(500, 30000/cols)}
}

func (s *netStmt) query(rows int) string {
	var b strings.Builder
	b.Grow(len(s.head) + rows*(len(s.grp)+2))
	b.WriteString(s.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.grp)
	}
	return b.String()
}

func (s *netStmt) add(vals ...any) error {
	s.args = append(s.args, vals...)
	s.rows++
	if s.rows < s.per {
		return nil
	}
	return s.flush()
}

func (s *netStmt) flush() error {
	if s.rows == 0 {
		return nil
	}
	var err error
	if s.rows == s.per {
		if s.full == nil {
			if s.full, err = s.conn.PrepareContext(s.ctx, s.query(s.per)); err != nil {
				return err
			}
		}
		_, err = s.full.ExecContext(s.ctx, s.args...)
	} else {
		_, err = s.conn.ExecContext(s.ctx, s.query(s.rows), s.args...)
	}
	s.done += s.rows
	s.args, s.rows = s.args[:0], 0
	return err
}

func (s *netStmt) close() error {
	err := s.flush()
	if s.full != nil {
		err = errors.Join(err, s.full.Close())
	}
	return err
}

// loadNetworks generates the data set and writes it. Only the samples in
// netData outlive it.
func loadNetworks(ctx context.Context, db *sqlstore.DB, k *keys.Keys, n int, seed uint64) (*netData, error) {
	cs, ids, links := network.Generate(n, seed)
	popular, listed, unlisted, err := popularValues(ids)
	if err != nil {
		return nil, err
	}
	data := &netData{complaints: len(cs), identifiers: len(ids), links: len(links), listed: listed, unlisted: unlisted, popular: popular, maxID: int64(len(ids))}
	r := rand.New(rand.NewPCG(seed, 0x6e6574))

	// Per identifier: complaints, first and last seen.
	count := make([]int32, len(ids)+1)
	first := make([]int64, len(ids)+1)
	last := make([]int64, len(ids)+1)
	for _, l := range links {
		at := cs[l.Complaint-1].ReceivedAt.Unix()
		i := l.Identifier
		if count[i] == 0 || at < first[i] {
			first[i] = at
		}
		last[i] = max(last[i], at)
		count[i]++
	}
	// Samples for the measurements.
	for range 20000 {
		l := links[r.IntN(len(links))]
		data.weighted = append(data.weighted, netRef{ids[l.Identifier-1].Type, l.Identifier})
		x := ids[r.IntN(len(ids))]
		data.uniform = append(data.uniform, netRef{x.Type, x.ID})
	}
	for tries := 0; len(data.shared) < 5000 && tries < 1_000_000; tries++ {
		l := links[r.IntN(len(links))]
		if l.Identifier <= netPopular || count[l.Identifier] < 2 {
			continue
		}
		// The ring's values this complaint names (links are in complaint
		// order): drawing several values of one ring, rather than one
		// value from each of several rings, is another victim of that
		// ring, not a complaint bridging unrelated rings.
		at, _ := slices.BinarySearchFunc(links, l.Complaint, func(x network.Link, c int64) int { return cmp.Compare(x.Complaint, c) })
		var ring []netRef
		for ; at < len(links) && links[at].Complaint == l.Complaint; at++ {
			if i := links[at].Identifier; i > netPopular && count[i] >= 2 {
				ring = append(ring, netRef{ids[i-1].Type, i})
			}
		}
		data.shared = append(data.shared, ring)
	}

	w, _ := db.Pools()
	conn, err := w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, p := range []string{"PRAGMA foreign_keys = OFF", "PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 20000"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return nil, err
		}
	}
	defer func() {
		conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
		conn.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 1000")
		conn.ExecContext(ctx, "PRAGMA cache_size = -2000")
	}()
	const perTx = 200_000
	inTx, pending := 0, 0
	begin := func() error { _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); return err }
	commit := func() error { _, err := conn.ExecContext(ctx, "COMMIT"); return err }
	step := func(s *netStmt) error {
		inTx++
		if inTx < perTx {
			return nil
		}
		inTx = 0
		if err := s.flush(); err != nil {
			return err
		}
		if err := commit(); err != nil {
			return err
		}
		return begin()
	}
	if err := begin(); err != nil {
		return nil, err
	}

	// Identifiers.
	st := newNetStmt(ctx, conn, "INSERT INTO identifiers (id, type, match_key, value, first_seen, last_seen, complaints) VALUES ", "(?, ?, ?, ?, ?, ?, ?)", 7)
	for _, x := range ids {
		raw := data.raw(netRef{x.Type, x.ID}, 0)
		id := identifier.Parse(identifier.Type(x.Type), raw)
		if !id.Valid {
			return nil, fmt.Errorf("generated %s %q is not valid: %s", x.Type, raw, id.Reason)
		}
		if err := st.add(x.ID, x.Type, id.Key, id.Value, time.Unix(first[x.ID], 0).UTC(), time.Unix(last[x.ID], 0).UTC(), count[x.ID]); err != nil {
			return nil, err
		}
		if err := step(st); err != nil {
			return nil, err
		}
	}
	if err := st.close(); err != nil {
		return nil, fmt.Errorf("identifiers: %w", err)
	}
	count, first, last = nil, nil, nil

	// Complaints and their links, complaint by complaint.
	sealedFixed := k.Seal([]byte(`{"name":"Bench Complainant","cnic":"35202-1234567-1","phone":"+923001234567","city":"Lahore","province":"Punjab","gender":"not_stated","age_band":"26_35"}`), "complainant:BENCH")
	cst := newNetStmt(ctx, conn, `INSERT INTO complaints (id, reference, channel, complainant, cnic_hash, phone_hash, category, contact_method, incident_at, received_at,
		loss_paisa, payment_method, narrative, status, priority, circle, tracking_hash, created_at, updated_at, city) VALUES `,
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 20)
	lst := newNetStmt(ctx, conn, "INSERT INTO complaint_identifiers (complaint_id, identifier_id, source, raw, start_pos, end_pos, status) VALUES ", "(?, ?, ?, ?, ?, ?, ?)", 7)
	circles := greyline.DefaultCircles()
	storyOf := map[string][]story{}
	for _, s := range stories {
		storyOf[s.category] = append(storyOf[s.category], s)
	}
	seqs := map[int]int64{}
	li := 0
	type linkOut struct {
		id        int64
		raw       string
		extracted bool
	}
	var mine []linkOut
	for ci := range cs {
		c := &cs[ci]
		year := c.ReceivedAt.In(greyline.Karachi).Year()
		seqs[year]++
		ref := greyline.ComplaintReference(year, seqs[year])
		cat := netCategory[c.Category]
		if cat == "" {
			cat = "other"
		}
		sts := storyOf[cat]
		var s story
		if len(sts) > 0 {
			s = sts[r.IntN(len(sts))]
		} else {
			s = story{cat, "call", "mobile_wallet", "Someone called from %[1]s and asked for Rs %[2]s, sent to %[3]s. More at %[4]s"}
		}
		// The links: most given in fields (confirmed), some only found in
		// the narrative and awaiting an analyst (pending).
		mine = mine[:0]
		for ; li < len(links) && links[li].Complaint == c.ID; li++ {
			iid := links[li].Identifier
			style := int((c.ID + iid) % 35)
			mine = append(mine, linkOut{id: iid, raw: data.raw(netRef{ids[iid-1].Type, iid}, style), extracted: r.IntN(100) < 12})
		}
		fill := [3]string{"a number I no longer have", "an account he gave on the phone", "a site that is now closed"}
		for i := range min(3, len(mine)) {
			fill[i] = mine[i].raw
		}
		amount := strconv.FormatInt(c.LossPaisa/100, 10)
		narrative := fmt.Sprintf(s.text, fill[0], amount, fill[1], fill[2])
		for _, m := range mine[min(3, len(mine)):] {
			narrative += " They also used " + m.raw + "."
		}
		for _, m := range mine {
			source, status, start, end := "field", "confirmed", -1, -1
			if m.extracted {
				if at := strings.Index(narrative, m.raw); at >= 0 {
					source, status, start, end = "extracted", "pending", at, at+len(m.raw)
					pending++
				}
			}
			if err := lst.add(c.ID, m.id, source, m.raw, start, end, status); err != nil {
				return nil, err
			}
			if err := step(lst); err != nil {
				return nil, err
			}
		}
		// The complainant: distinct victims by keyed hash of CNIC (and
		// phone), some by phone only, some unknown.
		var cnicHash, phoneHash string
		if c.Victim != "" {
			phoneHash = hex.EncodeToString(k.MAC("lookup:phone", c.Victim)[:16])
			if c.Victim[len(c.Victim)-1]%4 != 0 {
				cnicHash = hex.EncodeToString(k.MAC("lookup:cnic", c.Victim)[:16])
			}
		}
		sealed, city := sealedFixed, c.City
		if city == "" {
			city = netCities[r.IntN(len(netCities))]
		}
		status := netStatuses[r.IntN(len(netStatuses))]
		priority, circle := "", ""
		if status != "received" {
			priority, circle = greyline.Priorities[r.IntN(len(greyline.Priorities))], circles.For(city)
		}
		tracking := k.MAC("bench-tracking", ref)
		if err := cst.add(c.ID, ref, netChannels[r.IntN(len(netChannels))], sealed, cnicHash, phoneHash, cat, s.contact,
			c.ReceivedAt.Add(-time.Duration(r.IntN(72*60))*time.Minute), c.ReceivedAt, c.LossPaisa, s.payment, narrative,
			status, priority, circle, hex.EncodeToString(tracking), c.ReceivedAt, c.ReceivedAt, city); err != nil {
			return nil, err
		}
		if err := step(cst); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(cst.close(), lst.close()); err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	for y, n := range seqs {
		if _, err := conn.ExecContext(ctx, "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			"complaint:"+strconv.Itoa(y), n); err != nil {
			return nil, err
		}
	}
	if err := commit(); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	data.pending = pending
	return data, nil
}

// ---- adding one complaint ----------------------------------------------------

// benchAdds files complaints one at a time with the store's
// CreateComplaint, whose commit hook (as cmd/greyline wires it) calls
// fraudnet's ComplaintsChanged; the hook is timed on its own.
func benchAdds(sys context.Context, db *sqlstore.DB, nets *fraudnet.Service, data *netData, f netFlags, hook *func([]int64)) ([]netRow, error) {
	var hookTimes []time.Duration
	var hookErr error
	*hook = func(ids []int64) {
		t0 := time.Now()
		err := nets.ComplaintsChanged(sys, ids)
		hookTimes = append(hookTimes, time.Since(t0))
		if err != nil && hookErr == nil {
			hookErr = err
		}
	}
	defer func() { *hook = nil }()
	r := rand.New(rand.NewPCG(f.seed, 0xadd))
	fresh := int64(200_000_000) // ids of values never seen, below 4×10^8
	freshRef := func(typ string) string {
		fresh++
		return netValue(typ, fresh, r.IntN(35))
	}
	const warm = 10
	if f.profile != "" {
		defer startProfile(f.profile + "adds.pprof")()
	}
	var totals []time.Duration
	_, rpool := db.Pools()
	lastSeq := func() (n int64) {
		rpool.QueryRowContext(sys, "SELECT COALESCE(MAX(seq), 0) FROM tier_changes").Scan(&n)
		return n
	}
	seqStart := lastSeq()
	// The network update's time, by whether the complaint joined a known
	// ring and whether it changed tiers (counted outside the timing; the
	// changed tiers are saved by fraudnet's background flush, not by the
	// update).
	var joinedT, newT, quietT, tieredT []time.Duration
	tierRows := 0
	for i := range warm + f.adds {
		var idents []string
		join := r.IntN(100) < 55 && len(data.shared) > 0
		if join {
			// Another victim of a known ring: one to three of its values
			// (as many as one of its complaints names).
			ring := data.shared[r.IntN(len(data.shared))]
			for _, k := range r.Perm(len(ring))[:min(len(ring), 1+r.IntN(3))] {
				idents = append(idents, data.raw(ring[k], r.IntN(35)))
			}
			if r.IntN(2) == 0 {
				idents = append(idents, freshRef("phone"))
			}
		} else {
			idents = append(idents, freshRef("phone"))
			if r.IntN(100) < 90 {
				idents = append(idents, freshRef([]string{"wallet", "wallet", "iban"}[r.IntN(3)]))
			}
			if r.IntN(100) < 75 {
				idents = append(idents, freshRef([]string{"url", "social", "email", "imei", "phone"}[r.IntN(5)]))
			}
		}
		if r.IntN(100) < 8 {
			u := r.Float64()
			idents = append(idents, data.popular[int(float64(len(data.popular))*u*u*u)])
		}
		s := stories[r.IntN(len(stories))]
		n := greyline.NewComplaint{
			Channel:       greyline.ChannelHelpline,
			Complainant:   greyline.Complainant{Name: "Bench Caller", Phone: "0" + netMobile(uint64(300_000_000+i), 2654435761), City: netCities[r.IntN(len(netCities))]},
			Category:      s.category,
			ContactMethod: greyline.ContactMethod(s.contact),
			PaymentMethod: greyline.PaymentMethod(s.payment),
			IncidentAt:    time.Now().Add(-time.Duration(1+r.IntN(48)) * time.Hour),
			LossPaisa:     int64(1+r.IntN(500)) * 100_00,
			Narrative:     fmt.Sprintf(s.text, idents[0], "25,000", "the account he named", "a link he sent"),
			Identifiers:   idents,
		}
		before := len(hookTimes)
		queued0 := nets.QueuedTiers()
		t0 := time.Now()
		if _, _, _, err := db.CreateComplaint(sys, n, ""); err != nil {
			return nil, err
		}
		total := time.Since(t0)
		if hookErr != nil {
			return nil, hookErr
		}
		if len(hookTimes) != before+1 {
			return nil, fmt.Errorf("the commit hook ran %d times for one complaint", len(hookTimes)-before)
		}
		if i < warm {
			hookTimes = hookTimes[:0]
			continue
		}
		h := hookTimes[len(hookTimes)-1]
		totals = append(totals, total-h)
		if join {
			joinedT = append(joinedT, h)
		} else {
			newT = append(newT, h)
		}
		if d := int(nets.QueuedTiers() - queued0); d > 0 {
			tieredT = append(tieredT, h)
			tierRows += d
		} else {
			quietT = append(quietT, h)
		}
	}
	t0 := time.Now()
	if err := nets.Flush(sys); err != nil {
		return nil, err
	}
	flushed, lastFlush := lastSeq()-seqStart, time.Since(t0)
	load := loadAverage()
	hs, ws := sortedCopy(hookTimes), sortedCopy(totals)
	fmt.Printf("\nadding one complaint, network updated (%d complaints filed one at a time with sqlstore's CreateComplaint, after %d not counted):\n", f.adds, warm)
	fmt.Printf("  network update after commit (fraudnet.Service.ComplaintsChanged: read the complaint, update the engine, queue changed tiers for the background flush):\n")
	fmt.Printf("    p50 %s, p99 %s, max %s\n", fmtDur(pct(hs, .5)), fmtDur(pct(hs, .99)), fmtDur(hs[len(hs)-1]))
	split := func(name string, ds []time.Duration) {
		if len(ds) == 0 {
			return
		}
		ds = sortedCopy(ds)
		fmt.Printf("    %-44s %4d adds: p50 %s, p99 %s\n", name, len(ds), fmtDur(pct(ds, .5)), fmtDur(pct(ds, .99)))
	}
	split("joining a known ring", joinedT)
	split("new values only", newT)
	split("changing no tier", quietT)
	split(fmt.Sprintf("changing tiers (%d queued in all)", tierRows), tieredT)
	fmt.Printf("  tier changes saved to the feed by the background flush meanwhile and a last Flush (%s): %d rows\n", fmtDur(lastFlush), flushed)
	fmt.Printf("  storing the complaint (sqlstore CreateComplaint without the hook: parse, seal, insert, audit, commit):\n")
	fmt.Printf("    p50 %s, p99 %s, max %s\n", fmtDur(pct(ws, .5)), fmtDur(pct(ws, .99)), fmtDur(ws[len(ws)-1]))
	fmt.Printf("  load average %s\n", load)
	p99 := pct(hs, .99)
	return []netRow{
		{"add one complaint: network update, p99", fmtDur(p99), "≤ 1 ms", p99 <= targetAdd, load},
		{"add one complaint: store write (no target), p99", fmtDur(pct(ws, .99)), "-", true, load},
	}, nil
}

// ---- lookups -----------------------------------------------------------------

// valueMix is what partners and the public look up: half values that are
// stored (network members and singletons, in many writing styles), the
// rest unknown values and a little that is no identifier at all.
type valueMix struct {
	values []string
	known  int
}

func newValueMix(data *netData, seed uint64) *valueMix {
	r := rand.New(rand.NewPCG(seed, 0x100c))
	junk := []string{"hello", "12345", "call me back", "0300", "not sure", "www", "Rs 5000", "HBL"}
	types := []string{"phone", "phone", "phone", "wallet", "wallet", "iban", "url", "domain", "social", "email", "imei"}
	m := &valueMix{}
	unknown := int64(300_000_000)
	for i := range 20000 {
		switch p := r.IntN(100); {
		case p < 25:
			m.values = append(m.values, data.raw(data.weighted[i%len(data.weighted)], r.IntN(35)))
			m.known++
		case p < 50:
			m.values = append(m.values, data.raw(data.uniform[i%len(data.uniform)], r.IntN(35)))
			m.known++
		case p < 95:
			unknown++
			m.values = append(m.values, netValue(types[r.IntN(len(types))], unknown, r.IntN(35)))
		default:
			m.values = append(m.values, junk[r.IntN(len(junk))])
		}
	}
	return m
}

// benchBatch times POST /api/v1/suspects with 1,000 values through the
// real server's handler (authentication, decoding, lookups, encoding),
// and the 1,000 lookups alone.
func benchBatch(srv *server.Server, nets *fraudnet.Service, token string, m *valueMix, batches int) []netRow {
	h := srv.Handler()
	var server, bare []time.Duration
	tiered := 0
	for b := range batches {
		at := (b * 1000) % (len(m.values) - 1000)
		vals := m.values[at : at+1000]
		body, _ := json.Marshal(map[string][]string{"values": vals})
		req := httptest.NewRequest("POST", "/api/v1/suspects", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		server = append(server, time.Since(t0))
		if rec.Code != http.StatusOK {
			fmt.Printf("  batch lookup answered %d: %s\n", rec.Code, rec.Body.String())
			return []netRow{{"batch lookup of 1,000 identifiers (server)", "error", "≤ 20 ms", false, loadAverage()}}
		}
		t0 = time.Now()
		for _, q := range vals {
			if s := nets.Lookup(q); s.Tier != "none" && b == 0 {
				tiered++
			}
		}
		bare = append(bare, time.Since(t0))
	}
	load := loadAverage()
	ss, bs := sortedCopy(server), sortedCopy(bare)
	fmt.Printf("\nbatch lookup of 1,000 identifiers (%d batches; about %d%% of values stored, %d of the first batch's 1,000 have a tier):\n", batches, 100*m.known/len(m.values), tiered)
	fmt.Printf("  POST /api/v1/suspects through the server's handler (partner token, httptest recorder): p50 %s, p99 %s\n", fmtDur(pct(ss, .5)), fmtDur(pct(ss, .99)))
	fmt.Printf("  fraudnet.Lookup × 1,000 alone: p50 %s, p99 %s\n", fmtDur(pct(bs, .5)), fmtDur(pct(bs, .99)))
	fmt.Printf("  load average %s\n", load)
	p99 := pct(ss, .99)
	return []netRow{{"batch lookup of 1,000 identifiers, server time p99", fmtDur(p99) + " (p50 " + fmtDur(pct(ss, .5)) + ")", "≤ 20 ms", p99 <= targetBatch, load}}
}

// partnerToken makes a bank, a partner user in it and a read token.
func partnerToken(sys context.Context, db *sqlstore.DB) (string, error) {
	org := &greyline.Org{Code: "BENCHBANK", Name: "Bench Bank Limited", Kind: greyline.OrgBank}
	if err := db.CreateOrg(sys, org); err != nil {
		return "", err
	}
	u, err := db.CreateUser(sys, greyline.NewUser{OrgID: org.ID, Email: "partner@benchbank.example.pk", Name: "Bench Partner", Roles: []greyline.Role{greyline.RolePartner}, Password: "a long bench password"})
	if err != nil {
		return "", err
	}
	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
	secret, _, err := db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Name: "bench", Scopes: []string{"read"}, ExpiresIn: 30})
	return secret, err
}

// ---- HTTP throughput -----------------------------------------------------------

type loadResult struct {
	name     string
	requests int
	errors   int
	rps      float64
	p50, p99 time.Duration
	load     string
}

// hammer sends GETs to urls from conns connections for d and measures
// what comes back; the same code drives every server.
func hammer(name string, urls []string, header http.Header, conns int, d time.Duration, profile string) loadResult {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	run := func(d time.Duration, record bool) ([][]time.Duration, []int) {
		lat := make([][]time.Duration, conns)
		errs := make([]int, conns)
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		for w := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w * 7919; time.Now().Before(deadline); i++ {
					req, _ := http.NewRequest("GET", urls[i%len(urls)], nil)
					for k, v := range header {
						req.Header[k] = v
					}
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						errs[w]++
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						errs[w]++
					}
					if record {
						lat[w] = append(lat[w], time.Since(t0))
					}
				}
			}()
		}
		wg.Wait()
		return lat, errs
	}
	run(time.Second, false) // warm up: connections, caches
	stop := startProfile(profile)
	t0 := time.Now()
	lat, errs := run(d, true)
	el := time.Since(t0)
	stop()
	var all []time.Duration
	res := loadResult{name: name, load: loadAverage()}
	for w := range conns {
		all = append(all, lat[w]...)
		res.errors += errs[w]
	}
	slices.Sort(all)
	res.requests = len(all)
	res.rps = float64(len(all)) / el.Seconds()
	res.p50, res.p99 = pct(all, .5), pct(all, .99)
	fmt.Printf("  %-44s %8.0f requests/s  p50 %-9s p99 %-9s %d requests, %d errors; load average %s\n", name, res.rps, fmtDur(res.p50), fmtDur(res.p99), res.requests, res.errors, res.load)
	return res
}

func benchHTTP(ctx context.Context, srv *server.Server, token string, m *valueMix, f netFlags) ([]netRow, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The real server, listening on loopback as "greyline serve" does.
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe(ctx, func(addr string) { addrc <- addr }) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		return nil, err
	}
	// The trivial handler: a small JSON body, the same http.Server limits.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	trivial := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"query":"`+url.QueryEscape(r.URL.Query().Get("q"))+`","tier":"none"}`+"\n")
	})}
	go trivial.Serve(ln)
	defer trivial.Close()

	urlsFor := func(base string) []string {
		out := make([]string, 0, len(m.values))
		for _, v := range m.values {
			out = append(out, base+url.QueryEscape(v))
		}
		return out
	}
	auth := http.Header{"Authorization": {"Bearer " + token}}
	fmt.Printf("\nHTTP throughput of single lookups (%d connections over loopback, %s each after 1 s of warm-up; load generator, server and database share this machine's %d CPUs; verify's per-IP limit raised with server.Config.LookupRate; empty licence registry):\n",
		f.conns, f.duration, runtime.NumCPU())
	prof := func(name string) string {
		if f.profile == "" {
			return ""
		}
		return f.profile + name + ".pprof"
	}
	t1 := hammer("trivial net/http handler (before)", urlsFor("http://"+ln.Addr().String()+"/?q="), nil, f.conns, f.duration, prof("trivial"))
	sus := hammer("GET /api/v1/suspects?q= (partner token)", urlsFor("http://"+addr+"/api/v1/suspects?q="), auth, f.conns, f.duration, prof("suspects"))
	ver := hammer("GET /api/v1/verify?q= (public)", urlsFor("http://"+addr+"/api/v1/verify?q="), nil, f.conns, f.duration, prof("verify"))
	t2 := hammer("trivial net/http handler (after)", urlsFor("http://"+ln.Addr().String()+"/?q="), nil, f.conns, f.duration, "")
	best := max(t1.rps, t2.rps)
	fmt.Printf("  ours / trivial (the better of its two runs, %.0f requests/s): suspects %.0f%%, verify %.0f%%\n", best, 100*sus.rps/best, 100*ver.rps/best)
	cancel()
	if err := <-errc; err != nil {
		return nil, err
	}
	row := func(r loadResult) netRow {
		ratio := r.rps / best
		return netRow{r.name + " / trivial", fmt.Sprintf("%.0f%% (%.0f/s, p99 %s)", 100*ratio, r.rps, fmtDur(r.p99)), "≥ 50%", ratio >= targetRatio && r.errors == 0, r.load}
	}
	return []netRow{row(sus), row(ver)}, nil
}
