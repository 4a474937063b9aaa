package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/lookup"
)

// registry keeps the in-memory lookup index in step with the database:
// rebuilt on start and refreshed per business after every change.
type registry struct {
	src greyline.RegistrySource
	idx *lookup.Index
	// mu orders refreshes: each reads the database and applies what it read
	// before the next starts, so an older read never lands after a newer one.
	mu sync.Mutex
}

func newRegistry(src greyline.RegistrySource) *registry {
	return &registry{src: src, idx: lookup.New()}
}

func toLookup(e greyline.RegistryEntry) lookup.Record {
	l, s := e.Licence, e.Site
	rec := lookup.Record{Licence: lookup.Licence{Number: l.Number, Status: string(l.Status), TradeName: l.TradeName, Kind: string(l.Kind),
		City: l.City, ValidUntil: l.ValidUntil, BusinessID: l.BusinessID, SiteID: l.SiteID}}
	res := &rec.Resources
	res.Phones = s.Resources.Numbers
	for _, r := range s.Resources.Ranges {
		res.Ranges = append(res.Ranges, lookup.PhoneRange{Start: r.Start, End: r.End})
	}
	res.Domains = s.Resources.Domains
	for _, p := range s.Resources.IPRanges {
		if pfx, err := netip.ParsePrefix(p); err == nil {
			res.Prefixes = append(res.Prefixes, pfx)
		}
	}
	if e.LegalForm != greyline.SoleProprietor {
		// A sole proprietorship's legal name is a person's name.
		res.BusinessName = e.LegalName
	}
	return rec
}

// Rebuild loads every licence.
func (g *registry) Rebuild(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	entries, err := g.src.RegistryEntries(ctx, 0)
	if err != nil {
		return err
	}
	recs := make([]lookup.Record, len(entries))
	for i, e := range entries {
		recs[i] = toLookup(e)
	}
	return g.idx.Replace(recs)
}

// Refresh reloads one business's licences.
func (g *registry) Refresh(ctx context.Context, businessID int64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	entries, err := g.src.RegistryEntries(ctx, businessID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		r := toLookup(e)
		if err := g.idx.Upsert(r.Licence, r.Resources); err != nil {
			return err
		}
	}
	return nil
}

// LicencesChanged is the storage hook: it refreshes the business's entries.
func (s *Server) LicencesChanged(businessID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.registry.Refresh(ctx, businessID); err != nil {
		s.log.Error("registry refresh failed", "business_id", businessID, "err", err)
	}
}

// RebuildRegistry reloads the whole lookup index from the database.
func (s *Server) RebuildRegistry(ctx context.Context) error { return s.registry.Rebuild(ctx) }

// PublicLicence is what a lookup returns about a licence: never personal data.
type PublicLicence struct {
	Number     string    `json:"number"`
	Status     string    `json:"status"`
	TradeName  string    `json:"trade_name"`
	Kind       string    `json:"kind"`
	City       string    `json:"city"`
	ValidUntil time.Time `json:"valid_until"`
}

// Lookup is the answer to one query.
type Lookup struct {
	Query    string          `json:"query"`
	Kind     string          `json:"kind"` // licence_number, phone, domain, ip, name
	Value    string          `json:"value,omitempty"`
	Licensed bool            `json:"licensed"`
	Licences []PublicLicence `json:"licences"`
	// Risk is set when the value was reported in fraud complaints: its
	// tier and the reasons, never who reported it.
	Risk  *Risk  `json:"risk,omitempty"`
	Error string `json:"error,omitempty"`
}

// Risk is a value's risk tier in the suspect registry.
type Risk struct {
	Tier    string   `json:"tier"`
	Reasons []string `json:"reasons"`
}

// withRisk adds the suspect registry's tier to a lookup, for every kind of
// value but licence numbers and names.
func (s *Server) withRisk(l Lookup) Lookup {
	if s.nets == nil || l.Error != "" || l.Kind == "licence_number" || l.Kind == "name" {
		return l
	}
	if sus := s.nets.Lookup(l.Query); sus.Error == "" && sus.Tier != "none" {
		l.Risk = &Risk{Tier: sus.Tier, Reasons: sus.Reasons}
	}
	return l
}

var licenceNumberPattern = regexp.MustCompile(`^(CC|SH)-[A-Z]{3}-\d{4}-\d{6}$`)

// MaxBatch is the most values one batch lookup may check.
const MaxBatch = 1000

// lookup works out what q is and answers from one consistent view.
func lookupOne(v *lookup.View, q string) Lookup {
	q = strings.TrimSpace(q)
	out := Lookup{Query: q, Licences: []PublicLicence{}}
	var found []lookup.Licence
	switch {
	case q == "":
		out.Kind, out.Error = "none", "enter a licence number, telephone number, domain, IP address or business name"
		return out
	case maybeLicenceNumber(q) && licenceNumberPattern.MatchString(strings.ToUpper(q)):
		upper := strings.ToUpper(q)
		out.Kind, out.Value = "licence_number", upper
		if l, ok := v.ByNumber(upper); ok {
			found = []lookup.Licence{l}
		}
	default:
		// Only text with a dot or colon can be an address; skipping the
		// parse keeps the common caller-ID check fast.
		if strings.ContainsAny(q, ".:") {
			if a, err := netip.ParseAddr(q); err == nil {
				out.Kind, out.Value = "ip", a.String()
				found = v.ByIP(a)
				break
			}
		}
		// The cheap test first: parsing a phone number is the costly part
		// of a lookup, and links and names are not numbers.
		if looksLikeNumber(q) {
			if id := identifier.Parse(identifier.Phone, q); id.Valid {
				out.Kind, out.Value = "phone", id.Value
				found = v.ByPhone(id.Value)
				break
			}
		}
		if id := identifier.Parse(identifier.URL, q); id.Valid && strings.Contains(q, ".") && !strings.Contains(q, " ") {
			if a, err := netip.ParseAddr(strings.Trim(id.Host, "[]")); err == nil {
				// A URL or host:port on a bare address is looked up by address.
				out.Kind, out.Value = "ip", a.String()
				found = v.ByIP(a)
				break
			}
			out.Kind, out.Value = "domain", id.Host
			found = v.ByDomain(strings.TrimPrefix(id.Host, "www."))
			break
		}
		out.Kind, out.Value = "name", q
		found = v.SearchName(q, 20)
	}
	for _, l := range found {
		out.Licences = append(out.Licences, PublicLicence{l.Number, l.Status, l.TradeName, l.Kind, l.City, l.ValidUntil})
		if l.Status == string(greyline.LicenceActive) || l.Status == string(greyline.LicenceProvisional) {
			out.Licensed = true
		}
	}
	return out
}

// maybeLicenceNumber is a cheap test before the pattern: "CC-…" or "SH-…".
func maybeLicenceNumber(q string) bool {
	return len(q) == 18 && q[2] == '-' && (q[0]|0x20 == 'c' && q[1]|0x20 == 'c' || q[0]|0x20 == 's' && q[1]|0x20 == 'h')
}

// looksLikeNumber keeps names with a few digits from being read as phones.
func looksLikeNumber(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9', r >= '۰' && r <= '۹', r >= '٠' && r <= '٩', r >= '０' && r <= '９':
			digits++
		case r == '+' || r == '-' || r == ' ' || r == '(' || r == ')' || r == '.':
		default:
			if !strings.HasPrefix(strings.ToLower(q), "tel:") && !strings.Contains(q, "wa.me") && !strings.Contains(q, "whatsapp") {
				return false
			}
		}
	}
	return digits >= 7
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if !s.limits.allow("lookup:"+c.ip, s.cfg.LookupRate) {
		return errTooManyAttempts
	}
	return writeJSON(w, http.StatusOK, s.withRisk(lookupOne(s.registry.idx.View(), r.URL.Query().Get("q"))))
}

func (s *Server) apiVerifyBatch(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Values []string `json:"values"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Values) == 0 || len(in.Values) > MaxBatch {
		return greyline.Invalid("values", "must hold 1 to 1000 values")
	}
	v := s.registry.idx.View()
	out := make([]Lookup, len(in.Values))
	for i, q := range in.Values {
		out[i] = s.withRisk(lookupOne(v, q))
	}
	return writeJSON(w, http.StatusOK, list(out, len(out)))
}

func publicLicences(v *lookup.View) []PublicLicence {
	all := v.All()
	out := make([]PublicLicence, len(all))
	for i, l := range all {
		out[i] = PublicLicence{l.Number, l.Status, l.TradeName, l.Kind, l.City, l.ValidUntil}
	}
	return out
}

// registryAllowed limits downloads of whole public lists (the registry,
// SECP's lending apps), the largest answers anyone may ask for without an
// account.
func (s *Server) registryAllowed(c *reqCtx) error {
	if !s.limits.allow("registry:"+c.ip, s.cfg.LookupRate) {
		return errTooManyAttempts
	}
	return nil
}

func (s *Server) apiRegistryJSON(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.registryAllowed(c); err != nil {
		return err
	}
	lics := publicLicences(s.registry.idx.View())
	return writeJSON(w, http.StatusOK, list(lics, len(lics)))
}

func (s *Server) apiRegistryCSV(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.registryAllowed(c); err != nil {
		return err
	}
	lics := publicLicences(s.registry.idx.View())
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="greyline-registry.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"number", "status", "trade_name", "kind", "city", "valid_until"})
	for _, l := range lics {
		cw.Write([]string{l.Number, l.Status, csvSafe(l.TradeName), l.Kind, csvSafe(l.City), l.ValidUntil.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formulas in free text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type verifyPage struct {
	Page
	Query  string
	Result *Lookup
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &verifyPage{Page: s.page(c, "Check a licence")}
	if q, ok := r.URL.Query()["q"]; ok {
		if !s.limits.allow("lookup:"+c.ip, s.cfg.LookupRate) {
			return errTooManyAttempts
		}
		res := s.withRisk(lookupOne(s.registry.idx.View(), strings.Join(q, " ")))
		p.Query, p.Result = res.Query, &res
	}
	s.render(w, r, c, http.StatusOK, "verify", p)
	return nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
