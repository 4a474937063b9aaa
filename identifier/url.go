package identifier

import (
	"errors"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// link is a web address taken apart and normalised.
type link struct {
	scheme   string // "http" or "https"
	host     string // ASCII, lower case, no trailing dot; IPv6 in brackets
	port     string // "" when absent or the scheme's default
	path     string // starts with "/"
	query    string // without "?"; parameters in their original order
	fragment string // without "#"
	ip       bool   // host is an IP address
	domain   string // registrable domain, "" for IP addresses
}

// defang undoes the ways analysts and warning messages neuter links so they
// cannot be clicked: "hxxps://evil[.]com".
// Only the scheme and the host are touched: the same characters in a path
// are real.
func defang(s string) string {
	if hasPrefixFold(s, "hxxp") {
		s = "http" + s[4:]
	}
	return s
}

func defangHost(h string) string {
	if strings.Contains(h, "[.]") || strings.Contains(h, "(.)") || strings.Contains(h, "[dot]") {
		h = strings.NewReplacer("[.]", ".", "(.)", ".", "[dot]", ".").Replace(h)
	}
	return h
}

// parseLink takes a link apart. Links without a scheme are taken as https,
// which is what browsers now try first. It returns a reason when the link
// cannot be used.
func parseLink(s string) (link, string) {
	var l link
	s = defang(s)
	rest := s
	if i := strings.Index(s, "://"); i > 0 && i <= 12 && isSchemeName(s[:i]) {
		l.scheme = lowerASCII(s[:i])
		rest = s[i+3:]
		if l.scheme != "http" && l.scheme != "https" {
			return l, "only web links (http and https) are accepted, not " + quote(l.scheme)
		}
	} else {
		if strings.Contains(s, ":") && !hasHostPort(s) {
			return l, "not a web link"
		}
		l.scheme = "https"
		rest = strings.TrimPrefix(s, "//")
	}
	end := strings.IndexAny(rest, "/?#\\")
	if end < 0 {
		end = len(rest)
	}
	auth := defangHost(rest[:end])
	rest = rest[end:]
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		// "https://www.hbl.com@evil.example/" goes to evil.example; the
		// part before @ is only a disguise, kept in Raw as evidence.
		auth = auth[i+1:]
	}
	host := auth
	if strings.HasPrefix(auth, "[") {
		j := strings.IndexByte(auth, ']')
		if j < 0 {
			return l, "the IPv6 address in the link is missing its closing ]"
		}
		host = auth[:j+1]
		if p := auth[j+1:]; p != "" {
			if p[0] != ':' {
				return l, "unexpected text after the IPv6 address"
			}
			l.port = p[1:]
		}
	} else if i := strings.LastIndexByte(auth, ':'); i >= 0 {
		host, l.port = auth[:i], auth[i+1:]
	}
	if l.port != "" {
		n := 0
		for i := 0; i < len(l.port); i++ {
			if !isDigit(l.port[i]) || n > 65535 {
				return l, "the port in the link is not a number"
			}
			n = n*10 + int(l.port[i]-'0')
		}
		if n == 0 || n > 65535 {
			return l, "the port in the link is out of range"
		}
		l.port = itoa(n)
		if (l.scheme == "http" && n == 80) || (l.scheme == "https" && n == 443) {
			l.port = ""
		}
	}
	h, ip, reason := normHost(host)
	if reason != "" {
		return l, reason
	}
	l.host, l.ip = h, ip
	if !ip {
		d, err := publicsuffix.EffectiveTLDPlusOne(h)
		if err != nil {
			return l, quote(h) + " is a public suffix, not a site"
		}
		l.domain = d
	}
	if rest != "" && rest[0] == '\\' {
		return l, "a link's path starts with /, not \\"
	}
	frag := ""
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, frag = rest[:i], rest[i+1:]
	}
	q := ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, q = rest[:i], rest[i+1:]
	}
	l.path = normEscapes(rest)
	if l.path == "" {
		l.path = "/"
	}
	l.query = normEscapes(q)
	l.fragment = normEscapes(frag)
	return l, ""
}

func isSchemeName(s string) bool {
	if !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// hasHostPort reports whether the colon in a scheme-less link introduces a
// port ("example.com:8080/x") rather than a scheme ("javascript:…").
func hasHostPort(s string) bool {
	i := strings.IndexByte(s, ':')
	j := strings.IndexAny(s, "/?#")
	if j >= 0 && j < i {
		return true
	}
	return i+1 < len(s) && isDigit(s[i+1]) && strings.IndexByte(s[:i], '.') > 0
}

var errIDNA = errors.New("host name changes when converted again")

// normHost converts a host to ASCII with IDNA (the lookup profile) and lower
// case, and checks it: LDH labels of 1–63 characters, at least two labels,
// and a top-level domain on the public suffix list. IP addresses are put in
// standard form.
func normHost(h string) (host string, ip bool, reason string) {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", false, "a link needs a host name"
	}
	if h[0] == '[' {
		a, err := netip.ParseAddr(strings.TrimSuffix(h[1:], "]"))
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", false, "not a valid IPv6 address in the link"
		}
		if a.Is4In6() {
			return a.Unmap().String(), true, ""
		}
		return "[" + a.String() + "]", true, ""
	}
	numeric := true
	ascii := true
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 0x80 {
			ascii = false
		}
		if !isDigit(c) && c != '.' {
			numeric = false
		}
	}
	if numeric {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is4() {
			return "", false, "not a valid IPv4 address in the link"
		}
		return a.String(), true, ""
	}
	if !ascii || strings.Contains(h, "xn--") || strings.Contains(h, "XN--") {
		a, err := idna.Lookup.ToASCII(h)
		// The lookup profile maps some characters it would refuse in
		// punycode; insist that the result reads back as itself, or the
		// canonical value would not be stable.
		if err == nil {
			var again string
			again, err = idna.Lookup.ToASCII(a)
			if err == nil && again != a {
				err = errIDNA
			}
		}
		if err != nil {
			return "", false, "the host name " + quote(h) + " is not a valid domain name"
		}
		h = a
	}
	h = lowerASCII(h)
	if len(h) > 253 {
		return "", false, "the host name is longer than 253 characters"
	}
	labels, start := 0, 0
	for i := 0; i <= len(h); i++ {
		if i < len(h) && h[i] != '.' {
			c := h[i]
			if !isDigit(c) && !(c >= 'a' && c <= 'z') && c != '-' {
				return "", false, "a host name has only letters, digits, hyphens and dots, not " + quote(h[i:i+1])
			}
			continue
		}
		n := i - start
		if n == 0 {
			return "", false, "the host name has an empty part (two dots together)"
		}
		if n > 63 {
			return "", false, "a part of the host name is longer than 63 characters"
		}
		if h[start] == '-' || h[i-1] == '-' {
			return "", false, "a part of the host name starts or ends with a hyphen"
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return "", false, "a host name needs a dot and a top-level domain"
	}
	if !knownTLD(h) {
		return "", false, "." + h[strings.LastIndexByte(h, '.')+1:] + " is not a top-level domain"
	}
	return h, false, ""
}

// knownTLD reports whether the host ends in a suffix on the public suffix
// list. PublicSuffix answers every host; for an unlisted top-level domain it
// falls back to the last label and says it is not ICANN-managed, while
// private suffixes (blogspot.com, …) always contain a dot.
func knownTLD(h string) bool {
	s, icann := publicsuffix.PublicSuffix(h)
	return icann || strings.IndexByte(s, '.') >= 0
}

// normEscapes puts percent-escapes in a normal form (RFC 3986 §6.2.2):
// escapes of unreserved characters are decoded, the rest use upper-case
// hex, and characters that cannot appear in a link (spaces, non-ASCII, …)
// are escaped. It returns s itself when nothing changes.
func normEscapes(s string) string {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' || !urlSafe(c) {
			break
		}
	}
	if i == len(s) {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				v := unhex(s[i+1])<<4 | unhex(s[i+2])
				if isUnreserved(v) {
					b = append(b, v)
				} else {
					b = append(b, '%', hex[v>>4], hex[v&15])
				}
				i += 2
				continue
			}
			b = append(b, '%', '2', '5')
			continue
		}
		if !urlSafe(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

func urlSafe(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '<', '>', '\\', '^', '`', '{', '|', '}', '[', ']':
		return false
	}
	return true
}

func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// value is the canonical link.
func (l *link) value() string {
	n := len(l.scheme) + 3 + len(l.host) + len(l.port) + 1 + len(l.path) + len(l.query) + 1 + len(l.fragment) + 1
	b := make([]byte, 0, n)
	b = append(b, l.scheme...)
	b = append(b, "://"...)
	b = append(b, l.host...)
	if l.port != "" {
		b = append(b, ':')
		b = append(b, l.port...)
	}
	b = append(b, l.path...)
	if l.query != "" {
		b = append(b, '?')
		b = append(b, l.query...)
	}
	if l.fragment != "" {
		b = append(b, '#')
		b = append(b, l.fragment...)
	}
	return string(b)
}

// key is the match key: no scheme (an http and an https link to the same
// page are the same lead), no leading "www.", no fragment, and the query
// parameters sorted.
func (l *link) key() string {
	host := strings.TrimPrefix(l.host, "www.")
	b := make([]byte, 0, 4+len(host)+len(l.port)+1+len(l.path)+len(l.query)+1)
	b = append(b, "url:"...)
	b = append(b, host...)
	if l.port != "" {
		b = append(b, ':')
		b = append(b, l.port...)
	}
	b = append(b, l.path...)
	if q := sortedQuery(l.query); q != "" {
		b = append(b, '?')
		b = append(b, q...)
	}
	return string(b)
}

func sortedQuery(q string) string {
	if q == "" || strings.IndexByte(q, '&') < 0 {
		return q
	}
	parts := strings.Split(q, "&")
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
	slices.Sort(parts)
	return strings.Join(parts, "&")
}

// shorteners are link-shortening services: a link on one hides where it
// goes, which analysts want to see at a glance.
var shorteners = []string{
	"bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "t.co", "cutt.ly", "rb.gy", "is.gd",
	"ow.ly", "shorturl.at", "tiny.cc", "rebrand.ly", "s.id", "v.gd", "t.ly", "surl.li",
	"shorte.st", "short.gy", "bit.do", "u.to", "clck.ru", "linktr.ee",
}

func parseURL(s string) ID {
	l, reason := parseLink(s)
	if reason != "" {
		return invalid(s, reason)
	}
	v := l.value()
	id := ID{Value: v, Key: l.key(), Valid: true, Host: l.host, RegistrableDomain: l.domain}
	if slices.Contains(shorteners, strings.TrimPrefix(l.host, "www.")) {
		id.Kind = "shortener"
	}
	return id
}

// parseDomain reads a bare host name. A full link is accepted and reduced
// to its host, because people paste links into domain fields. The key drops
// a leading "www." as URL keys do.
func parseDomain(s string) ID {
	if strings.ContainsAny(s, "/:?#@") {
		l, reason := parseLink(s)
		if reason != "" {
			return invalid(s, reason)
		}
		s = l.host
	}
	h, ip, reason := normHost(defangHost(s))
	if reason != "" {
		return invalid(s, reason)
	}
	if ip {
		return invalid(h, "this is an IP address; enter it as an IP address")
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return invalid(h, quote(h)+" is a public suffix, not a site")
	}
	return ID{Value: h, Key: "domain:" + strings.TrimPrefix(h, "www."), Valid: true, Host: h, RegistrableDomain: d}
}

// parseEmail reads an e-mail address and lower-cases all of it. Local parts
// are case-sensitive in theory but not in any provider complainants meet,
// and provider-specific rules (Gmail's dots and +tags) are deliberately not
// applied: they would link different people on other providers.
func parseEmail(s string) ID {
	if hasPrefixFold(s, "mailto:") {
		s = s[len("mailto:"):]
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i]
		}
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return invalid(s, "an e-mail address needs an @")
	}
	local, host := s[:at], s[at+1:]
	if local == "" || len(local) > 64 {
		return invalid(s, "the part before @ must have 1 to 64 characters")
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return invalid(s, "the part before @ cannot start or end with a dot or have two dots together")
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !isAlnum(c) && strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) < 0 {
			return invalid(s, "the part before @ cannot contain "+quote(local[i:i+1]))
		}
	}
	h, ip, reason := normHost(host)
	if reason != "" {
		return invalid(s, reason)
	}
	if ip {
		return invalid(s, "the part after @ must be a domain name, not an IP address")
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return invalid(s, quote(h)+" is a public suffix, not a mail domain")
	}
	key := "email:" + lowerASCII(local) + "@" + h
	return ID{Value: key[len("email:"):], Key: key, Valid: true, Host: h, RegistrableDomain: d}
}

// parseApp reads an Android application id, or takes it from a Play Store
// link. Android's rules: at least two dot-separated segments, each starting
// with a letter and holding only letters, digits and underscores. Ids are
// case-sensitive on the Play Store, so case is kept.
func parseApp(s string) ID {
	if id, ok := appFromLink(s); ok {
		s = id
	} else if strings.ContainsAny(s, "/?") {
		return invalid(s, "not a Play Store link or an app id such as com.example.app")
	}
	if len(s) > 150 {
		return invalid(s, "an app id has at most 150 characters")
	}
	segs, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if !isAlnum(c) && c != '_' {
				return invalid(s, "an app id has only letters, digits, underscores and dots")
			}
			continue
		}
		if i == start {
			return invalid(s, "an app id has no empty parts between dots")
		}
		if !isLetter(s[start]) {
			return invalid(s, "each part of an app id starts with a letter")
		}
		segs++
		start = i + 1
	}
	if segs < 2 {
		return invalid(s, "an app id has at least two parts, such as com.example")
	}
	key := "app:" + s
	return ID{Value: key[len("app:"):], Key: key, Valid: true}
}

// appFromLink returns the id in a Play Store or market:// link.
func appFromLink(s string) (string, bool) {
	var q string
	switch {
	case hasPrefixFold(s, "market://details?"):
		q = s[len("market://details?"):]
	default:
		if !strings.Contains(s, "play.google.com") {
			return "", false
		}
		l, reason := parseLink(s)
		if reason != "" || l.host != "play.google.com" || !strings.HasPrefix(l.path, "/store/apps/details") {
			return "", false
		}
		q = l.query
	}
	for p := range strings.SplitSeq(q, "&") {
		if v, ok := strings.CutPrefix(p, "id="); ok {
			return v, true
		}
	}
	return "", false
}
