package identifier

import (
	"slices"
	"strings"
)

// Found is an identifier found in free text. Start and End are byte offsets
// into the text, and text[Start:End] == Raw.
//
// The span covers the identifier itself. When nearby words decided its type
// ("JazzCash 0300-1234567" is a wallet, "@ali on Instagram" an Instagram
// handle, "HBL 1234…" an HBL account), those words are not part of the span,
// so Raw alone may not parse to the same identifier; Value and Key carry
// what the context added.
type Found struct {
	ID
	Start int `json:"start"`
	End   int `json:"end"`
}

// Extract finds the identifiers in a complaint narrative, a pasted WhatsApp
// chat or an SMS, in English, Roman Urdu or Urdu script. Every occurrence
// is returned, in order of position, even when the same identifier appears
// twice: the offsets are evidence of where each was written, and callers
// that want distinct identifiers can group by Key. Only valid identifiers
// are returned.
//
// It aims to miss little while not inventing identifiers: amounts of money,
// dates, times, OTP codes, order and transaction ids are not read as phone
// numbers; a CNIC or IBAN is read whole, never as the phone number its
// digits might contain; a 10-digit mobile number without its leading 0 is
// taken only where the text says it is a number; an IMEI only where the text
// says "IMEI"; a bank account only next to a bank's name; a social-media
// handle only next to a platform's name; and a crypto address only when its
// checksum is right. Addresses of chains we cannot verify are not extracted.
func Extract(text string) []Found {
	// Room for the usual few finds, so that adding them does not regrow.
	x := extractor{text: text, found: make([]Found, 0, 4)}
	x.links()
	x.ibans()
	x.cryptos()
	x.handles()
	x.labelledHandles()
	x.numbers()
	if len(x.found) == 0 {
		return nil
	}
	slices.SortFunc(x.found, func(a, b Found) int { return a.Start - b.Start })
	return x.found
}

type extractor struct {
	text  string
	found []Found

	// Computed on first use, so that each costs one pass over the text
	// however many numbers and handles it holds.
	labels       [2][]int // where bank and wallet names start
	labelsDone   [2]bool
	onlyPlatform *string // the one platform the text names, or ""
}

func (x *extractor) overlaps(start, end int) bool {
	for _, f := range x.found {
		if start < f.End && f.Start < end {
			return true
		}
	}
	return false
}

func (x *extractor) add(id ID, start, end int) {
	if !id.Valid || start >= end || x.overlaps(start, end) {
		return
	}
	id.Raw = x.text[start:end]
	x.found = append(x.found, Found{ID: id, Start: start, End: end})
}

// isSpaceAt returns the length of the white space at text[i], or 0.
func isSpaceAt(s string, i int) int {
	if isSpaceByte(s[i]) {
		return 1
	}
	if n := invisibleAt(s, i); n > 0 {
		return n
	}
	return 0
}

// links finds links, e-mail addresses, app ids and IP addresses, which are
// all written without spaces.
func (x *extractor) links() {
	s := x.text
	for i := 0; i < len(s); {
		if n := isSpaceAt(s, i); n > 0 {
			i += n
			continue
		}
		j := i
		for j < len(s) && isSpaceAt(s, j) == 0 {
			j++
		}
		x.token(i, j)
		i = j
	}
}

// Punctuation that ends a sentence or wraps a link but is not part of it.
// Urdu uses ۔ (full stop), ، (comma) and ؟.
var trailingPunct = []string{".", ",", ";", ":", "!", "?", ")", "]", "}", ">", "\"", "'", "*", "»", "”", "’", "۔", "،", "؟", "…"}
var leadingPunct = []string{"(", "[", "{", "<", "\"", "'", "*", "«", "“", "‘"}

func trimPunct(s string, start, end int) (int, int) {
	// Most tokens begin and end with a letter or digit, which no
	// punctuation above begins or ends with: nothing to try.
	if start < end && isAlnum(s[start]) && isAlnum(s[end-1]) {
		return start, end
	}
	for changed := true; changed && start < end; {
		changed = false
		for _, p := range leadingPunct {
			if strings.HasPrefix(s[start:end], p) {
				start += len(p)
				changed = true
			}
		}
	}
	for changed := true; changed && start < end; {
		changed = false
		for _, p := range trailingPunct {
			if strings.HasSuffix(s[start:end], p) {
				// A closing parenthesis belongs to the link when the
				// link opened it (Wikipedia-style paths).
				if p == ")" && strings.Count(s[start:end], "(") >= strings.Count(s[start:end], ")") {
					continue
				}
				end -= len(p)
				changed = true
			}
		}
	}
	return start, end
}

// commonTLDs are the top-level domains that a link written without a scheme
// or path may end in. Elsewhere "word.word" is too often a typing slip
// ("hai.kal") or a file name ("video.mov") to be taken as a link.
var commonTLDs = []string{
	"com", "pk", "net", "org", "info", "io", "co", "xyz", "top", "site", "online", "shop",
	"store", "app", "link", "live", "club", "vip", "cc", "me", "ly", "in", "uk", "ae", "sa",
	"biz", "tk", "ml", "ga", "cf", "gq", "icu", "win", "bid", "loan", "work", "cn", "ru", "us",
	"gov", "edu", "tv", "gl", "gy", "to", "id", "ws", "lol", "click", "fun", "buzz", "pro",
	"finance", "money", "trade", "exchange", "cash", "bank", "tech", "cloud", "website",
	"space", "today", "pw", "su", "one", "digital", "services", "support", "network", "asia",
}

func (x *extractor) token(start, end int) {
	s := x.text
	start, end = trimPunct(s, start, end)
	if start >= end {
		return
	}
	tok := s[start:end]
	if !strings.ContainsAny(tok, ".@:") {
		return
	}
	// A link may be glued to a label or to Urdu text ("لنک:bit.ly/x",
	// "site:www.x.pk"); start where the link does.
	if i := strings.Index(tok, "://"); i > 0 {
		k := i
		for k > 0 && isLetter(tok[k-1]) {
			k--
		}
		start += k
	} else if i := indexFold(tok, "www."); i > 0 {
		start += i
	} else {
		k := 0
		for k < len(tok) && (tok[k] >= 0x80 || tok[k] == ':') {
			if _, n := digitAt(tok, k); n > 0 {
				break
			}
			k++
		}
		if c := strings.IndexByte(tok[k:], ':'); c >= 0 && c+1 < len(tok)-k && !strings.Contains(tok, "://") && !isDigit(tok[k+c+1]) && strings.IndexByte(tok[k:k+c], '.') < 0 && strings.IndexByte(tok[k:k+c], '@') < 0 {
			k += c + 1 // "link:bit.ly/x", "email:x@y.com"
		}
		start += k
	}
	start, end = trimPunct(s, start, end)
	if start >= end {
		return
	}
	tok = s[start:end]
	if id, ok := x.classifyToken(tok, start); ok {
		x.add(id, start, end)
	}
}

func (x *extractor) classifyToken(tok string, start int) (ID, bool) {
	if hasPrefixFold(tok, "mailto:") {
		return Parse(Email, tok), true
	}
	if hasPrefixFold(tok, "tel:") {
		return Parse(Phone, tok), true
	}
	if at := strings.IndexByte(tok, '@'); at > 0 && !strings.Contains(tok, "/") {
		if id := Parse(Email, tok); id.Valid {
			return id, true
		}
		return ID{}, false
	}
	if tok[0] == '@' {
		return ID{}, false // a handle; see handles
	}
	if hp := strings.LastIndexByte(tok, ':'); hp > 0 && strings.Count(tok, ".") == 3 && isIPv4Shape(tok[:hp]) && isAllDigits(tok[hp+1:]) {
		tok = tok[:hp] // address:port
	}
	if strings.Count(tok, ".") == 3 && isIPv4Shape(tok) {
		if x.near(start, len(tok), 16, 0, versionWords) {
			return ID{}, false
		}
		return Parse(IP, tok), true
	}
	if strings.Count(tok, ":") >= 2 && !strings.Contains(tok, "/") {
		if id := Parse(IP, tok); id.Valid && strings.Contains(id.Value, ":") {
			return id, true
		}
		return ID{}, false
	}
	if hasPrefixFold(tok, "market://") || (strings.Contains(tok, "play.google.com") && strings.Contains(tok, "id=")) {
		if id := Parse(App, tok); id.Valid {
			return id, true
		}
	}
	if strings.IndexByte(tok, '.') < 0 {
		return ID{}, false
	}
	hasScheme := strings.Contains(tok, "://")
	if !hasScheme && strings.IndexByte(tok, '/') < 0 && strings.IndexByte(tok, '?') < 0 && looksLikeAppID(tok) {
		id := Parse(App, tok)
		if id.Valid && (strings.Count(tok, ".") >= 2 || x.near(start, len(tok), 40, 0, appWords)) {
			return id, true
		}
		return ID{}, false
	}
	l, reason := parseLink(tok)
	if reason != "" {
		return ID{}, false
	}
	host := strings.TrimPrefix(l.host, "www.")
	if !hasScheme && !hasPrefixFold(tok, "www.") {
		if l.ip {
			return ID{}, false
		}
		bare := !strings.ContainsAny(tok, "/?#")
		tld := host[strings.LastIndexByte(host, '.')+1:]
		known := slices.Contains(shorteners, host) || platformByHost(host) != nil || host == "wa.me"
		if bare && !known && !slices.Contains(commonTLDs, tld) {
			return ID{}, false
		}
		// Roman Urdu and English glued at a full stop without a space
		// ("kiya.Phir") look like host names; real ones are lower case.
		if bare && !known && tok != lowerASCII(tok) {
			return ID{}, false
		}
	}
	if t, ok := linkType(tok); ok && t != URL {
		id := Parse(t, tok)
		if id.Valid {
			return id, true
		}
	}
	return Parse(URL, tok), true
}

func isIPv4Shape(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// versionWords show that a dotted quad is a version number, not an address.
var versionWords = []string{"version", "ver", "v", "build", "release"}

var appWords = []string{"app", "apk", "package", "play store", "playstore", "application", "ایپ"}

// near reports whether one of words (lower case) appears within before bytes
// before text[pos] or after bytes after text[pos+n], on the same line.
func (x *extractor) near(pos, n, before, after int, words []string) bool {
	_, ok := x.nearest(pos, n, before, after, words)
	return ok
}

// nearest is near that also says which word was found, preferring the
// closest one before the position.
func (x *extractor) nearest(pos, n, before, after int, words []string) (string, bool) {
	lo := max(0, pos-before)
	if k := strings.LastIndexByte(x.text[lo:pos], '\n'); k >= 0 {
		lo += k + 1
	}
	win := x.text[lo:pos]
	best, bestAt := "", -1
	for _, w := range words {
		if k := lastIndexWord(win, w); k > bestAt {
			best, bestAt = w, k
		}
	}
	if bestAt >= 0 {
		return best, true
	}
	hi := min(len(x.text), pos+n+after)
	if k := strings.IndexByte(x.text[pos+n:hi], '\n'); k >= 0 {
		hi = pos + n + k
	}
	win = x.text[pos+n : hi]
	bestAt = len(win) + 1
	for _, w := range words {
		if k := indexWord(win, w); k >= 0 && k < bestAt {
			best, bestAt = w, k
		}
	}
	return best, bestAt <= len(win)
}

// indexWord finds w in s as a whole word, ignoring ASCII case.
func indexWord(s, w string) int {
	for i := 0; i+len(w) <= len(s); i++ {
		if hasPrefixFold(s[i:], w) && (i == 0 || !isAlnum(s[i-1])) && isWordEnd(s, i+len(w)) {
			return i
		}
	}
	return -1
}

func lastIndexWord(s, w string) int {
	for i := len(s) - len(w); i >= 0; i-- {
		if hasPrefixFold(s[i:], w) && (i == 0 || !isAlnum(s[i-1])) && isWordEnd(s, i+len(w)) {
			return i
		}
	}
	return -1
}

// ibans finds IBANs, written whole or in groups of four.
func (x *extractor) ibans() {
	s := x.text
	for i := 0; i+4 <= len(s); i++ {
		if !isLetter(s[i]) || !isLetter(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) || (i > 0 && isAlnum(s[i-1])) {
			continue
		}
		want, ok := ibanLengths[upperASCII(s[i:i+2])]
		if !ok {
			continue
		}
		// Collect want letters and digits, allowing one space or dash
		// between groups.
		n, j := 0, i
		for j < len(s) && n < want {
			c := s[j]
			if isAlnum(c) {
				n++
				j++
				continue
			}
			if (c == ' ' || c == '-') && j+1 < len(s) && isAlnum(s[j+1]) && n > 0 {
				j++
				continue
			}
			break
		}
		if n != want || (j < len(s) && isAlnum(s[j])) {
			continue
		}
		if id := Parse(IBAN, s[i:j]); id.Valid {
			x.add(id, i, j)
			i = j - 1
		}
	}
}

// cryptos finds Bitcoin, Ethereum-style and TRON addresses among runs of
// letters and digits.
func (x *extractor) cryptos() {
	s := x.text
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		if j-i >= 26 && j-i <= 90 && (i == 0 || s[i-1] != '/' || x.inLink(i)) {
			w := s[i:j]
			if cryptoShape(w) != "" {
				if id := Parse(Crypto, w); id.Valid && id.Chain != ChainUnknown {
					x.addInside(id, i, j)
				}
			} else if j-i >= 32 && j-i <= 64 && hasUpperLowerDigit(w) && !x.inLink(i) && x.near(i, j-i, 48, 24, cryptoWords) {
				// An address of a chain we cannot verify (Solana, TON,
				// …) is taken only where the text says it is one.
				if id := Parse(Crypto, w); id.Valid {
					x.add(id, i, j)
				}
			}
		}
		i = j
	}
}

var cryptoWords = []string{
	"address", "wallet", "solana", "sol", "usdt", "usdc", "trc20", "erc20", "bep20", "ton",
	"crypto", "coin", "ltc", "litecoin", "xrp", "doge", "bnb", "binance", "ایڈریس", "والٹ",
}

// inLink reports whether position i falls inside a link already found.
func (x *extractor) inLink(i int) bool {
	for _, f := range x.found {
		if f.Type == URL && f.Start <= i && i < f.End {
			return true
		}
	}
	return false
}

// addInside adds an identifier that may sit inside a link found earlier
// (an explorer link to a wallet): both are kept.
func (x *extractor) addInside(id ID, start, end int) {
	for _, f := range x.found {
		if start < f.End && f.Start < end && !(f.Type == URL && f.Start <= start && end <= f.End) {
			return
		}
	}
	id.Raw = x.text[start:end]
	x.found = append(x.found, Found{ID: id, Start: start, End: end})
}

// handles finds @handles with a platform named close by: "@ali.trader on
// Instagram", "Insta ID: @ali.trader", "Telegram pe @fastearning_pk".
func (x *extractor) handles() {
	s := x.text
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.' || s[i-1] == '_')) {
			continue
		}
		j := i + 1
		for j < len(s) && (isAlnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '-') {
			j++
		}
		for j > i+1 && (s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		if j == i+1 || x.overlaps(i, j) {
			continue
		}
		name, ok := x.platformNear(i, j)
		if !ok {
			continue
		}
		id := Parse(Social, name+":"+s[i:j])
		if id.Valid {
			x.add(id, i, j)
		}
	}
}

// labelledHandles finds handles written without "@" after a platform's
// name and a colon: "FB: ali.khan.786", "Insta ID: zara_outlet". Without the
// colon, or without a dot, underscore or digit in the handle, the word after
// a platform's name is too often ordinary text ("Facebook: The page…").
func (x *extractor) labelledHandles() {
	s := x.text
	for p := 0; p < len(s); p++ {
		if p > 0 && (s[p-1] >= 0x80 || isAlnum(s[p-1])) {
			continue
		}
		name, n := platformNames.at(s[p:])
		if n == 0 {
			continue
		}
		i := p + n
		// Optional words such as "ID" or "username", then a colon.
		j := skipSocialFiller(s, i)
		if strings.IndexByte(s[i:j], ':') < 0 {
			continue
		}
		h := j
		for h < len(s) && (isAlnum(s[h]) || s[h] == '.' || s[h] == '_') {
			h++
		}
		for h > j && s[h-1] == '.' {
			h--
		}
		if h-j < 3 || (h < len(s) && (s[h] == '/' || s[h] == '@')) || !strings.ContainsAny(s[j:h], "._0123456789") || x.overlaps(j, h) {
			continue
		}
		if id := Parse(Social, name+":"+s[j:h]); id.Valid {
			x.add(id, j, h)
		}
	}
}

// platformWords are the platforms' names and the hosts of their links,
// which name the platform as well as a word does.
var platformWords = func() []string {
	var w []string
	for _, p := range platforms {
		w = append(w, p.words...)
		w = append(w, p.hosts...)
	}
	return w
}()

// platformNear names the platform of an @handle: the one named closest to
// it, or else the only one the whole text mentions ("I joined a Telegram
// group … The admin @x told me …").
func (x *extractor) platformNear(start, end int) (string, bool) {
	if w, ok := x.nearest(start, end-start, 48, 32, platformWords); ok {
		return platformOfWord(w), true
	}
	if x.onlyPlatform == nil {
		only := ""
		for _, w := range platformWords {
			if indexWord(x.text, w) >= 0 {
				p := platformOfWord(w)
				if only != "" && p != only {
					only = ""
					break
				}
				only = p
			}
		}
		x.onlyPlatform = &only
	}
	return *x.onlyPlatform, *x.onlyPlatform != ""
}

func platformOfWord(w string) string {
	for _, p := range platforms {
		for _, v := range p.words {
			if v == w {
				return p.name
			}
		}
		for _, h := range p.hosts {
			if h == w {
				return p.name
			}
		}
	}
	return ""
}
