// Package warninglist says whether an identifier is a value that unrelated
// fraud cases share by nature: a bank's or wallet's helpline that victims
// mention, a big platform's or a URL shortener's bare domain, a payment
// gateway, an exchange's hot wallet. Such a value must never link two
// complaints, or every JazzCash victim would land in one network.
//
// Lists are plain text, one entry a line:
//
//	TYPE VALUE [# reason]
//	VALUE [# reason]
//
// TYPE is an identifier type name (identifier.ParseType, so "phone",
// "domain", "url", "crypto", … and their aliases); without it the type is
// detected. Blank lines and lines starting with "#" are ignored; a "#"
// after white space starts the reason. Values are normalised through
// package identifier, so an entry matches however the value is written.
//
// Matching:
//   - most types match on the identifier's match key exactly;
//   - a Pakistani UAN (area code, then 111 and six digits) is one helpline
//     whatever the area code it is dialled with, so an entry "111-124-444"
//     matches 021-111-124-444, +92 51 111 124 444 and so on;
//   - a domain matches a domain identifier on that host or any sub-domain
//     of it down to the registrable domain, and a URL that is just the
//     site's root (no path beyond "/", no query) on such a host. A specific
//     page (facebook.com/fake-invest-page, bit.ly/abc123) is not matched:
//     it belongs to one fraud and must still link.
//
// A List is immutable once built and safe for concurrent use.
package warninglist

import (
	"bufio"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

// Entry is one listed value.
type Entry struct {
	// Type is the identifier type name, as identifier.Type.
	Type string `json:"type"`
	// Key is the match key as identifier.Parse gives it, except for a UAN,
	// which has no area-free key there: it is "phone:uan:" and the nine
	// digits ("phone:uan:111124444").
	Key string `json:"key"`
	// Value is the canonical value ("facebook.com", "111-124-444").
	Value string `json:"value"`
	// List names the list the entry came from.
	List string `json:"list"`
	// Reason says in plain English what the value is.
	Reason string `json:"reason,omitempty"`
}

// String is the entry as a line of a list file; Parse reads it back.
func (e Entry) String() string {
	s := e.Type + " " + e.Value
	if e.Reason != "" {
		s += " # " + e.Reason
	}
	return s
}

// List is a set of entries.
type List struct {
	exact   map[string]Entry // by identifier key
	domains map[string]Entry // by host, without "www." (the key's host)
	uans    map[string]Entry // by the nine digits "111xxxxxx"
}

// The names of the shipped lists, which are also their file names.
const (
	BankHelplines       = "bank-helplines"
	GovernmentHelplines = "government-helplines"
	PlatformDomains     = "platform-domains"
	URLShorteners       = "url-shorteners"
	PaymentGateways     = "payment-gateways"
	ExchangeWallets     = "exchange-wallets"
)

//go:embed lists/*.txt
var shipped embed.FS

// Default returns the shipped lists. They are parsed once; the List is
// shared, which is safe because a List never changes.
func Default() *List { return defaultList() }

var defaultList = sync.OnceValue(func() *List {
	l, err := parseShipped()
	if err != nil {
		// The lists are compiled in and tested; a failure here is a
		// build defect, not a runtime condition.
		panic("warninglist: shipped list: " + err.Error())
	}
	return l
})

func parseShipped() (*List, error) {
	files, err := shipped.ReadDir("lists")
	if err != nil {
		return nil, err
	}
	out := newList()
	for _, f := range files {
		r, err := shipped.Open("lists/" + f.Name())
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(path.Base(f.Name()), ".txt")
		l, err := Parse(name, r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name(), err)
		}
		out = out.Merge(l)
	}
	return out, nil
}

func newList() *List {
	return &List{exact: map[string]Entry{}, domains: map[string]Entry{}, uans: map[string]Entry{}}
}

// maxLine bounds a line so that a hostile upload cannot make the scanner
// grow without limit; no real entry comes near it.
const maxLine = 4096

// Parse reads a list file. name is recorded as each entry's List. An error
// names the line ("line 12") and says why it was refused; a value listed
// twice is an error too, since it is usually a mistake in the file.
func Parse(name string, r io.Reader) (*List, error) {
	l := newList()
	seen := map[string]int{} // key → line, to name the earlier line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		e, ok, reason := parseLine(line)
		if reason != "" {
			return nil, lineError(n, reason)
		}
		if !ok {
			continue
		}
		e.List = name
		if first, dup := seen[e.Key]; dup {
			return nil, lineError(n, fmt.Sprintf("%s is already listed on line %d", e.Value, first))
		}
		seen[e.Key] = n
		l.add(e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, lineError(n+1, fmt.Sprintf("longer than %d bytes", maxLine))
		}
		return nil, greyline.Internal(err)
	}
	return l, nil
}

func lineError(n int, reason string) error {
	return greyline.Invalid(fmt.Sprintf("line %d", n), reason)
}

// parseLine reads one line. ok is false for blank and comment lines;
// reason is set when the line is wrong.
func parseLine(line string) (e Entry, ok bool, reason string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return Entry{}, false, ""
	}
	text, why := splitComment(line)
	var id identifier.ID
	if i := strings.IndexAny(text, " \t"); i > 0 {
		word, rest := text[:i], strings.TrimSpace(text[i+1:])
		if t, isType := identifier.ParseType(word); isType {
			if rest == "" {
				return Entry{}, false, "no value after the type " + word
			}
			id = identifier.Parse(t, rest)
		}
	} else if t, isType := identifier.ParseType(text); isType {
		return Entry{}, false, "no value after the type " + string(t)
	}
	if id.Type == "" {
		id = detect(text)
	}
	e, reason = entryFor(id)
	e.Reason = why
	return e, reason == "", reason
}

// splitComment splits "value # reason". Only a "#" at the start or after
// white space starts the reason, so that a URL fragment stays in the value.
func splitComment(s string) (text, reason string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		}
	}
	return s, ""
}

// detect is identifier.Detect, except that a bare host name is a domain:
// on a warninglist "facebook.com" means the site, and Detect may read some
// host names as something else (a social handle, a link).
func detect(s string) identifier.ID {
	id := identifier.Detect(s)
	switch id.Type {
	case identifier.Social, identifier.URL, identifier.Domain:
		if !strings.ContainsAny(s, "/@: \t?#") {
			if d := identifier.Parse(identifier.Domain, s); d.Valid {
				return d
			}
		}
	}
	return id
}

// entryFor turns a parsed identifier into an entry, or says why it cannot
// be one.
func entryFor(id identifier.ID) (Entry, string) {
	if id.Type == identifier.Phone {
		if u, ok := uanOf(id); ok {
			return Entry{Type: string(identifier.Phone), Key: uanKeyPrefix + u, Value: u[:3] + "-" + u[3:6] + "-" + u[6:]}, ""
		}
	}
	if !id.Valid {
		if id.Type == "" {
			return Entry{}, id.Reason
		}
		if id.Type == identifier.Phone && shortCode(id.Value) {
			// Short codes such as 1799 or 4444 are not phone numbers to
			// package identifier, so they never link and need no entry.
			return Entry{}, id.Reason + " (short codes never link, so they need no entry)"
		}
		return Entry{}, id.Reason
	}
	switch id.Type {
	case identifier.Domain:
		// Show the host without "www." as the key has it, unless that is
		// not a valid domain on its own ("www.ac" is, "ac" is not).
		v := strings.TrimPrefix(id.Key, "domain:")
		if d := identifier.Parse(identifier.Domain, v); d.Key != id.Key {
			v = id.Value
		}
		return Entry{Type: string(identifier.Domain), Key: id.Key, Value: v}, ""
	case identifier.URL:
		// A site's root is the site: list it as its domain so that it
		// matches every way of writing the root.
		if isRoot(id.Key) {
			if d := identifier.Parse(identifier.Domain, id.Host); d.Valid {
				return entryFor(d)
			}
		}
	}
	return Entry{Type: string(id.Type), Key: id.Key, Value: id.Value}, ""
}

func shortCode(value string) bool {
	d := strings.TrimPrefix(value, "+92")
	return len(d) > 0 && len(d) <= 6 && strings.Trim(d, "0123456789") == ""
}

const uanKeyPrefix = "phone:uan:"

// uanOf returns the nine digits "111xxxxxx" of a Pakistani UAN. A UAN is
// dialled with an area code (021-111-124-444) and identifier keys it with
// that code, but it is one helpline from every city. Written without an
// area code it is not a valid number to identifier (its Value is then
// "+92111xxxxxx"), yet still plainly that helpline.
func uanOf(id identifier.ID) (string, bool) {
	v := id.Value
	if !strings.HasPrefix(v, "+92") {
		return "", false
	}
	switch {
	case id.Valid && id.Kind == "uan":
		if len(v) < 9 {
			return "", false
		}
		v = v[len(v)-9:]
	case !id.Valid && len(v) == 12:
		v = v[3:]
	default:
		return "", false
	}
	if !strings.HasPrefix(v, "111") || strings.Trim(v, "0123456789") != "" {
		return "", false
	}
	return v, true
}

// isRoot reports whether a URL identifier's match key is a site's root
// page: nothing after the host but "/".
func isRoot(key string) bool {
	k, ok := strings.CutPrefix(key, "url:")
	if !ok {
		return false
	}
	i := strings.IndexAny(k, "/?")
	return i < 0 || k[i:] == "/"
}

func (l *List) add(e Entry) {
	switch {
	case strings.HasPrefix(e.Key, uanKeyPrefix):
		l.uans[e.Key[len(uanKeyPrefix):]] = e
	case e.Type == string(identifier.Domain):
		l.domains[strings.TrimPrefix(e.Key, "domain:")] = e
	default:
		l.exact[e.Key] = e
	}
}

// Merge returns a new list with the entries of both. Where both list a
// value, l's entry is kept.
func (l *List) Merge(other *List) *List {
	out := newList()
	for _, src := range []*List{other, l} {
		if src == nil {
			continue
		}
		for _, e := range src.all() {
			out.add(e)
		}
	}
	return out
}

// Match reports whether id is on the list, and which entry it matched.
func (l *List) Match(id identifier.ID) (Entry, bool) {
	if l == nil {
		return Entry{}, false
	}
	if id.Type == identifier.Phone {
		if u, ok := uanOf(id); ok {
			if e, ok := l.uans[u]; ok {
				return e, true
			}
		}
	}
	if !id.Valid {
		return Entry{}, false
	}
	if e, ok := l.exact[id.Key]; ok {
		return e, true
	}
	switch id.Type {
	case identifier.Domain:
		return l.matchHost(id.Host, id.RegistrableDomain)
	case identifier.URL:
		if isRoot(id.Key) {
			return l.matchHost(id.Host, id.RegistrableDomain)
		}
	}
	return Entry{}, false
}

// MatchStored is Match for an identifier as stored: its type, match key
// and canonical value. It parses the value again only where Match needs
// more than the key (a number that may be a UAN, a domain, a site's root
// page), which a rebuild of the networks, asking about every stored
// identifier, would otherwise do a million times.
func (l *List) MatchStored(typ identifier.Type, key, value string) (Entry, bool) {
	if l == nil {
		return Entry{}, false
	}
	parse := false
	switch typ {
	case identifier.Phone:
		parse = hasDigitRun(value, '1', 3) // every UAN has 111
	case identifier.Domain:
		parse = true
	case identifier.URL:
		parse = isRoot(key)
	}
	if parse {
		return l.Match(identifier.Parse(typ, value))
	}
	return l.Match(identifier.ID{Type: typ, Key: key, Value: value, Valid: true})
}

// hasDigitRun reports whether s holds n digits d in a row, ignoring
// anything but digits between them.
func hasDigitRun(s string, d byte, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == d:
			if run++; run == n {
				return true
			}
		case c >= '0' && c <= '9':
			run = 0
		}
	}
	return false
}

// matchHost looks host up, then each parent domain down to the registrable
// domain and no further, so that listing a platform covers its own
// sub-domains (m.facebook.com) but never a neighbour's site under a shared
// suffix.
func (l *List) matchHost(host, registrable string) (Entry, bool) {
	host = strings.TrimPrefix(host, "www.")
	for host != "" {
		if e, ok := l.domains[host]; ok {
			return e, true
		}
		if registrable == "" || host == registrable {
			break
		}
		i := strings.IndexByte(host, '.')
		if i < 0 || len(host)-i-1 < len(registrable) {
			break
		}
		host = host[i+1:]
	}
	return Entry{}, false
}

// Entries returns every entry, sorted by list, type and value.
func (l *List) Entries() []Entry {
	es := l.all()
	slices.SortFunc(es, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.List, b.List), cmp.Compare(a.Type, b.Type), cmp.Compare(a.Value, b.Value), cmp.Compare(a.Key, b.Key))
	})
	return es
}

func (l *List) all() []Entry {
	if l == nil {
		return nil
	}
	es := make([]Entry, 0, l.Len())
	for _, m := range []map[string]Entry{l.exact, l.domains, l.uans} {
		for _, e := range m {
			es = append(es, e)
		}
	}
	return es
}

// Len returns the number of entries.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.exact) + len(l.domains) + len(l.uans)
}
