package identifier

import (
	"slices"
	"sort"
	"strings"
)

// group is a run of digits in the text (in any script), with the "+" that
// may lead it.
type group struct {
	start, end int // byte span, including a leading "+"
	digits     string
	plus       bool
	sep        byte // the separator before the next group in a run, or 0
}

// numberGroups finds every run of digits.
func numberGroups(s string, gs []group) []group {
	var buf []byte
	for i := 0; i < len(s); {
		d, n := digitAt(s, i)
		if n == 0 {
			i++
			continue
		}
		start := i
		buf = buf[:0]
		for n > 0 {
			buf = append(buf, d)
			i += n
			if i >= len(s) {
				break
			}
			d, n = digitAt(s, i)
		}
		g := group{start: start, end: i, digits: string(buf)}
		if start > 0 && s[start-1] == '+' {
			g.start--
			g.plus = true
		}
		gs = append(gs, g)
	}
	return gs
}

// joined reports whether two groups belong to one written number: they are
// separated only by a space, a dash, parentheses, invisible marks or a lone
// dot, as in "0300-1234567", "+92 (300) 123 4567" or "0300.1234567".
func joined(s string, a, b group) (byte, bool) {
	if b.plus {
		return 0, false
	}
	gap := s[a.end:b.start]
	if len(gap) == 0 || len(gap) > 8 {
		return 0, false
	}
	if gap == "." {
		return '.', true
	}
	var sep byte
	for i := 0; i < len(gap); {
		c := gap[i]
		switch c {
		case ' ', '-', '(', ')':
			if c != ' ' || sep == 0 {
				sep = c
			}
			i++
			continue
		}
		if n := invisibleAt(gap, i); n > 0 {
			i += n
			continue
		}
		if n := dashAt(gap, i); n > 0 {
			sep = '-'
			i += n
			continue
		}
		return 0, false
	}
	return sep, sep != 0 || strings.Contains(gap, " ")
}

// Context words, lower case. They are matched as whole words near a number.
var (
	// negativeWords say a number is not a phone: transaction and order
	// ids, OTPs, reference and tracking numbers, identity numbers.
	negativeWords = []string{
		"tid", "trx", "txn", "trxid", "tx", "transaction", "order", "tracking", "track", "ref",
		"reference", "invoice", "receipt", "cnic", "nic", "otp", "code", "pin", "iban", "bill",
		"consumer", "policy", "cheque", "serial", "imei", "booking", "parcel", "consignment", "cn",
		"challan", "psid", "voucher", "ticket", "roll", "reg", "registration",
		"shanakhti", "b-form", "passport", "آرڈر", "ٹریکنگ", "شناختی", "کوڈ", "ٹرانزیکشن",
	}
	// phoneWords say a number is a phone number, which lets a mobile
	// number written without its leading 0 be taken.
	phoneWords = []string{
		"call", "called", "calls", "number", "no", "num", "nmbr", "numbr", "whatsapp", "wa",
		"mobile", "mob", "cell", "contact", "phone", "ph", "sim", "sms", "tel", "dial",
		"نمبر", "فون", "موبائل", "کال", "واٹس ایپ", "رابطہ",
	}
	imeiWords = []string{"imei", "imei1", "imei2", "آئی ایم ای آئی"}
	cnicWords = []string{"cnic", "nic", "id card", "shanakhti", "شناختی"}
	// notCNICWords say a plain 13-digit number is a reference, not a CNIC.
	notCNICWords = []string{
		"tid", "trx", "txn", "transaction", "order", "tracking", "ref", "reference", "invoice",
		"receipt", "consumer", "challan", "psid", "voucher", "ticket", "booking", "parcel",
		"consignment", "cn", "complaint", "bill", "policy", "account", "a/c", "acc", "iban", "imei",
		"serial", "otp", "code", "pin",
	}
	moneyWords = []string{
		"rs", "rs.", "pkr", "rupees", "rupee", "rupay", "rupaye", "rupey", "rupiya", "rup",
		"usd", "usdt", "aed", "sar", "dollars", "dollar", "lakh", "lac", "hazar", "crore",
		"روپے", "روپیہ", "روپئے", "ہزار", "لاکھ", "کروڑ",
	}
)

var sentenceBreaks = [...]string{". ", "! ", "? ", "\n", "۔", "؟"}

// sentenceStart returns where the sentence or line holding pos starts, no
// further back than lo.
func sentenceStart(s string, lo, pos int) int {
	// One pass backwards for the last end of any of sentenceBreaks, rather
	// than a search for each: the extractor asks for every number.
	for e := pos; e > lo; e-- {
		c, prev := s[e-1], byte(0)
		if e-1 > lo {
			prev = s[e-2]
		}
		switch {
		case c == '\n',
			c == ' ' && (prev == '.' || prev == '!' || prev == '?'),
			c == 0x94 && prev == 0xDB, // ۔
			c == 0x9F && prev == 0xD8: // ؟
			return e
		}
	}
	return lo
}

// sentenceEnd is sentenceStart looking forward.
func sentenceEnd(s string, pos, hi int) int {
	w := s[pos:hi]
	best := len(w)
	for _, m := range sentenceBreaks {
		if k := strings.Index(w, m); k >= 0 && k < best {
			best = k
		}
	}
	return pos + best
}

// numbers finds phones, wallets, CNICs, IMEIs and bank accounts among the
// numbers in the text.
func (x *extractor) numbers() {
	s := x.text
	var room [16]group // on the stack for most texts
	gs := numberGroups(s, room[:0])
	prevEnd := 0 // context windows never reach back past the previous number
	for i := 0; i < len(gs); {
		g := gs[i]
		if x.overlaps(g.start, g.end) || glued(s, g.start, g.end) {
			if len(g.digits) >= 6 {
				prevEnd = g.end
			}
			i++
			continue
		}
		// A run of groups joined by separators.
		j := i
		for j+1 < len(gs) {
			sep, ok := joined(s, gs[j], gs[j+1])
			if !ok || x.overlaps(gs[j+1].start, gs[j+1].end) {
				break
			}
			gs[j].sep = sep
			j++
		}
		run := gs[i : j+1]
		k := 0
		for k < len(run) {
			if isDate(run[k:]) {
				k += 3
				continue
			}
			n := x.number(run, k, prevEnd)
			if n == 0 {
				// Only numbers long enough to be identifiers end a
				// context window; "IMEI 2: 35…" keeps its word.
				if len(run[k].digits) >= 6 {
					prevEnd = run[k].end
				}
				k++
				continue
			}
			prevEnd = run[k+n-1].end
			k += n
		}
		i = j + 1
	}
}

// glued reports whether a number is part of a word ("abc123", "v2") or of a
// larger token that is not a number: a time 10:15, a date 12/03/2025, an
// amount 1,25,000, a decimal 4.5%. Short digit runs joined by ":", "/" or
// "," are those; "0300-1234567/0321-7654321" and "…567,0321…" are lists.
func glued(s string, start, end int) bool {
	digits := func(from, to int) int { // digits in the run ending at to or starting at from
		n := 0
		if to >= 0 {
			for to > 0 {
				_, k := digitBefore(s, to)
				if k == 0 {
					break
				}
				to -= k
				n++
			}
			return n
		}
		for from < len(s) {
			_, k := digitAt(s, from)
			if k == 0 {
				break
			}
			from += k
			n++
		}
		return n
	}
	own := digits(start, -1)
	if s[start] == '+' {
		own = digits(start+1, -1)
	}
	if start > 0 {
		c := s[start-1]
		if isLetter(c) || c == '_' {
			return !gluedToPhoneWord(s, start)
		}
		if (c == ':' || c == '/' || c == ',') && isDigitBefore(s, start-1) && own <= 4 && digits(0, start-1) <= 4 {
			return true
		}
	}
	if end < len(s) {
		c := s[end]
		if isLetter(c) || c == '_' || c == '%' {
			// "03001234567pe" is rare; "5000rs" and "3pm" are not.
			return true
		}
		if (c == ':' || c == '/' || c == ',') && end+1 < len(s) && isDigitAt(s, end+1) && own <= 4 && digits(end+1, -1) <= 4 {
			return true
		}
	}
	return false
}

// gluedToPhoneWord reports whether the letters right before start are a
// word that introduces a phone number, typed without a space
// ("number0300…", "cell#" is handled as punctuation).
func gluedToPhoneWord(s string, start int) bool {
	w := start
	for w > 0 && isLetter(s[w-1]) {
		w--
	}
	if w > 0 && isAlnum(s[w-1]) {
		return false
	}
	word := s[w:start]
	for _, p := range phoneWords {
		if strings.EqualFold(word, p) && len(p) >= 3 {
			return true
		}
	}
	return false
}

// isDate reports whether the next three groups are a date written with
// dashes or dots: 12-03-2025, 2025.03.12, 12-03-25.
func isDate(r []group) bool {
	if len(r) < 3 || r[0].plus || r[0].sep == 0 || r[0].sep != r[1].sep || (r[0].sep != '-' && r[0].sep != '.') {
		return false
	}
	a, b, c := len(r[0].digits), len(r[1].digits), len(r[2].digits)
	day := func(d string) bool { v := atoi(d); return v >= 1 && v <= 31 }
	month := func(d string) bool { v := atoi(d); return v >= 1 && v <= 12 }
	switch {
	case a <= 2 && b <= 2 && (c == 4 || c == 2):
		return day(r[0].digits) && month(r[1].digits) || month(r[0].digits) && day(r[1].digits)
	case a == 4 && b <= 2 && c <= 2:
		return month(r[1].digits) && day(r[2].digits)
	}
	return false
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// number tries the longest number starting at run[k] first, and returns
// how many groups it used, or 0.
func (x *extractor) number(run []group, k, prevEnd int) int {
	total := 0
	last := k
	for last < len(run) && total+len(run[last].digits) <= 24 {
		total += len(run[last].digits)
		last++
	}
	for e := last; e > k; e-- {
		if x.candidate(run[k:e], prevEnd) {
			return e - k
		}
	}
	return 0
}

// candidate decides what the groups are, adds it and reports whether it
// was taken.
func (x *extractor) candidate(gs []group, prevEnd int) bool {
	s := x.text
	start, end := gs[0].start, gs[len(gs)-1].end
	var db [32]byte
	d := db[:0]
	for _, g := range gs {
		d = append(d, g.digits...)
	}
	plus := gs[0].plus
	raw := s[start:end]
	if len(d) > 24 || len(d) < 6 {
		return false
	}
	// Only 13- and 15-digit numbers, numbers written like phone numbers and
	// numbers next to a bank's name can be anything; the rest are skipped
	// before the costlier checks below.
	phoneShaped := plus || d[0] == '0' || d[0] == '3' && len(d) == 10 || d[0] == '9' && d[1] == '2'
	bank, hasBank := x.labelled(start, end, prevEnd, bankLabel)
	if !hasBank && !phoneShaped && len(d) != 13 && len(d) != 15 {
		return false
	}
	if x.money(start, end, prevEnd) {
		return false
	}
	if hasBank && len(d) < 8 && !x.accountWordBefore(start) {
		hasBank = false // "Meezan Bank 150000" is an amount; "JS Bank account 1234567" is not
	}
	if len(d) == 13 && !plus && !(d[0] == '0' && d[1] == '0') {
		grouped := len(gs) == 3 && len(gs[0].digits) == 5 && len(gs[1].digits) == 7
		if len(gs) == 1 && hasBank && !x.nearIn(start, end, prevEnd, 30, 0, cnicWords) {
			return x.take(Parse(BankAccount, bank+":"+raw), start, end)
		}
		// Written 5-7-1 it can only be a CNIC; written plain it may be
		// a complaint or transaction reference.
		if grouped || len(gs) == 1 && !x.nearIn(start, end, prevEnd, 30, 0, notCNICWords) {
			if id := Parse(CNIC, raw); id.Valid {
				return x.take(id, start, end)
			}
		}
	}
	if len(d) == 15 && !plus && d[0] != '0' && luhn(d) && x.nearIn(start, end, prevEnd, 60, 16, imeiWords) {
		return x.take(Parse(IMEI, raw), start, end)
	}
	if hasBank {
		// A named bank wins over a phone reading unless the digits are
		// written as a Pakistani phone number: "Askari a/c 0023-0045678912"
		// is not a call to Mauritius.
		if _, ok := fastPhone(raw, false); !ok {
			return x.take(Parse(BankAccount, bank+":"+raw), start, end)
		}
	}
	if len(d) <= 15 {
		if id, ok := x.phone(d, plus, raw, start, end, prevEnd); ok {
			if provider, ok := x.labelled(start, end, prevEnd, walletLabel); ok && (id.Kind == "mobile" || id.Region != defaultRegion) {
				took := x.take(Parse(Wallet, provider+":"+id.Value), start, end)
				// "JazzCash/Easypaisa 0300…": one number, two wallets.
				for _, other := range x.otherProviders(start, provider) {
					if w := Parse(Wallet, other+":"+id.Value); w.Valid {
						w.Raw = raw
						x.found = append(x.found, Found{ID: w, Start: start, End: end})
					}
				}
				return took
			}
			if provider, ok := x.listedAfterWallet(start); ok && id.Kind == "mobile" {
				return x.take(Parse(Wallet, provider+":"+id.Value), start, end)
			}
			if x.nearIn(start, end, prevEnd, 20, 0, negativeWords) {
				return false
			}
			return x.take(id, start, end)
		}
	}
	return false
}

func (x *extractor) take(id ID, start, end int) bool {
	if id.Type == "" {
		id.Type = Phone // fastPhone leaves the type to Parse
	}
	if !id.Valid {
		return false
	}
	x.add(id, start, end)
	return true
}

// phone reads the digits as a phone number when they are written the way
// phone numbers are.
func (x *extractor) phone(d []byte, plus bool, raw string, start, end, prevEnd int) (ID, bool) {
	switch {
	case plus:
		if len(d) < 8 {
			return ID{}, false
		}
	case d[0] == '0' && d[1] == '0':
		if len(d) < 10 {
			return ID{}, false
		}
	case d[0] == '0':
		if len(d) < 9 || len(d) > 12 {
			return ID{}, false
		}
		if id, ok := fastPhone(raw, false); ok {
			return id, true
		}
		// Toll-free, premium, personal and UAN numbers are the only
		// other Pakistani numbers worth the slow parser.
		if n := d[1:]; !hasPrefixB(n, "800") && !hasPrefixB(n, "900") && !hasPrefixB(n, "122") &&
			!(len(n) >= 5 && (string(n[2:5]) == "111" || string(n[3:5]) == "11" && n[2] == '1')) {
			return ID{}, false
		}
	case (len(d) == 12 || len(d) == 11) && d[0] == '9' && d[1] == '2':
		id, ok := fastPhone(raw, false)
		return id, ok
	case len(d) == 10 && d[0] == '3':
		if !x.nearIn(start, end, prevEnd, 30, 0, phoneWords) {
			return ID{}, false
		}
		id, ok := fastPhone(raw, false)
		return id, ok && id.Kind == "mobile"
	default:
		return ID{}, false
	}
	id := Parse(Phone, raw)
	return id, id.Valid
}

func hasPrefixB(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// nearIn is near with the window limited to the sentence and to text after
// the previous number.
func (x *extractor) nearIn(start, end, prevEnd, before, after int, words []string) bool {
	lo := sentenceStart(x.text, max(prevEnd, start-before), start)
	if lo < start && indexAnyWord(x.text[lo:start], words) >= 0 {
		return true
	}
	if after == 0 {
		return false
	}
	hi := sentenceEnd(x.text, end, min(len(x.text), end+after))
	return indexAnyWord(x.text[end:hi], words) >= 0
}

func indexAnyWord(s string, words []string) int {
	for _, w := range words {
		if k := indexWord(s, w); k >= 0 {
			return k
		}
	}
	return -1
}

// money reports whether a currency sign or word sits right before or right
// after the number: "Rs 50000", "PKR 1,25,000", "50000 rupay".
func (x *extractor) money(start, end, prevEnd int) bool {
	s := x.text
	i := start
	for i > prevEnd && i > 0 && (s[i-1] == ' ' || s[i-1] == '.' || s[i-1] == ':' || s[i-1] == '/' || s[i-1] == '=') {
		i--
	}
	lo := max(prevEnd, i-12)
	before := s[lo:i]
	for _, w := range moneyWords {
		if len(before) >= len(w) && strings.EqualFold(before[len(before)-len(w):], w) &&
			(len(before) == len(w) || !isAlnum(before[len(before)-len(w)-1])) {
			return true
		}
	}
	if strings.HasSuffix(before, "$") || strings.HasSuffix(before, "₨") || strings.HasSuffix(before, "﷼") {
		return true
	}
	j := end
	for j < len(s) && (s[j] == ' ' || s[j] == '/' || s[j] == '-') {
		j++
	}
	after := s[j:min(len(s), j+16)]
	for _, w := range moneyWords {
		if hasPrefixFold(after, w) && isWordEnd(after, len(w)) {
			return true
		}
	}
	return strings.HasPrefix(s[end:], "/-")
}

// labelled looks for a provider or bank named next to a number: right
// before it or right after it with only filler words between ("JazzCash
// account no: 0300…", "0300… (JazzCash)", "Meezan Bank A/C # 0101…"), or
// earlier in the sentence when the number itself is introduced as an
// account ("JazzCash title 'Usman Ali' number 0319…"). A name with other
// words in between says nothing about the number: in "JazzCash se call
// aayi 0300…" the number is the caller's.
func (x *extractor) labelled(start, end, prevEnd int, kind labelKind) (string, bool) {
	s := x.text
	at := labelFuncs[kind]
	lo := sentenceStart(s, max(prevEnd, start-80), start)
	hi := sentenceEnd(s, end, min(len(s), end+40))
	pos := x.labelPositions(kind)
	first := sort.SearchInts(pos, lo)
	if first == len(pos) || pos[first] >= hi {
		return "", false // no name anywhere near: the common case
	}
	strictLo := max(lo, start-60)
	for _, p := range pos[first:] {
		if p >= start {
			break
		}
		if p < strictLo {
			continue
		}
		if code, n := at(s[p:start]); n > 0 && skipFiller(s[:start], p+n) == start {
			return code, true
		}
	}
	if q := x.accountRunStart(start); q >= 0 {
		for k := sort.SearchInts(pos, q) - 1; k >= first; k-- {
			p := pos[k]
			if code, n := at(s[p:q]); n > 0 {
				if indexAnyWord(s[p+n:q], contactWords) >= 0 {
					return "", false
				}
				return code, true
			}
		}
	}
	w := s[end:hi]
	i := fillerEnd(w, 0)
	if i >= len(w) {
		return "", false
	}
	code, n := at(w[i:])
	if n == 0 {
		return "", false
	}
	// The name belongs to the next number if one follows it directly.
	if j := fillerEnd(w, i+n); j < len(w) {
		if _, dn := digitAt(w, j); dn > 0 || w[j] == '+' {
			return "", false
		}
	}
	return code, true
}

// otherProviders returns the wallet providers named together with the one
// that labels a number, joined by "/", "&", "or", "ya" or "aur" right before
// it: "jazzcash/easypaisa: 0302…".
func (x *extractor) otherProviders(start int, provider string) []string {
	s := x.text
	lo := sentenceStart(s, max(0, start-60), start)
	var out []string
	for p := lo; p < start; p++ {
		if p > 0 && (s[p-1] >= 0x80 || isAlnum(s[p-1])) {
			continue
		}
		code, n := walletAt(s[p:start])
		if n == 0 || code == provider || slices.Contains(out, code) {
			continue
		}
		// Only connectors, other providers and filler up to the number.
		i := p + n
		for i < start {
			j := fillerEnd(s[:start], i)
			if j > i {
				i = j
				continue
			}
			if c, m := walletAt(s[i:start]); m > 0 && c != "" {
				i += m
				continue
			}
			if s[i] == '&' || s[i] == '+' {
				i++
				continue
			}
			if hasPrefixFold(s[i:], "aur") && isWordEnd(s, i+3) {
				i += 3
				continue
			}
			break
		}
		if i == start {
			out = append(out, code)
		}
	}
	return out
}

// listedAfterWallet reports whether the number continues a list that a
// wallet number started: "JazzCash 0309… aur 0310… pe bheje".
func (x *extractor) listedAfterWallet(start int) (string, bool) {
	var last *Found
	for i := range x.found {
		if f := &x.found[i]; f.End <= start && (last == nil || f.End > last.End) {
			last = f
		}
	}
	if last == nil || last.Type != Wallet {
		return "", false
	}
	gap := strings.TrimSpace(x.text[last.End:start])
	for _, c := range []string{"", ",", "/", "&", "or", "and", "aur", "ya", "اور", "یا", "،"} {
		if strings.EqualFold(gap, c) {
			return last.Provider, true
		}
	}
	return "", false
}

type labelKind int

const (
	bankLabel labelKind = iota
	walletLabel
)

var labelFuncs = [...]func(string) (string, int){bankLabel: bankAt, walletLabel: walletAt}

// labelPositions returns, in order, where a bank's or wallet provider's name
// starts in the text.
func (x *extractor) labelPositions(kind labelKind) []int {
	if x.labelsDone[kind] {
		return x.labels[kind]
	}
	s, at := x.text, labelFuncs[kind]
	var pos []int
	for p := 0; p < len(s); p++ {
		if p > 0 && (s[p-1] >= 0x80 || isAlnum(s[p-1])) {
			continue
		}
		if _, n := at(s[p:]); n > 0 {
			pos = append(pos, p)
		}
	}
	x.labels[kind], x.labelsDone[kind] = pos, true
	return pos
}

// accountWords introduce a number as an account.
var accountWords = []string{"account", "acc", "acct", "a/c", "ac", "number", "no", "num", "nmbr", "iban", "اکاؤنٹ", "نمبر"}

// contactWords, between a provider's name and a number, show that the
// number is one the fraudster called or wrote from.
var contactWords = []string{
	"call", "called", "caller", "calling", "calls", "helpline", "agent", "representative", "officer",
	"staff", "message", "messages", "sms", "se", "from", "bol", "bola", "kaha", "said", "says",
	"claiming", "pretending", "کال", "سے",
}

// accountRunStart returns where the filler words right before a number
// start, if they include an account word ("account no:", "a/c #"), or -1.
func (x *extractor) accountRunStart(start int) int {
	s := x.text
	i, found := start, false
	for i > 0 {
		j := i
		for j > 0 && strings.IndexByte(" :#-.,()=\t/|'\"*", s[j-1]) >= 0 {
			j--
		}
		w := j
		for w > 0 && s[w-1] != ' ' && strings.IndexByte(":#,()=\t|'\"*", s[w-1]) < 0 {
			w--
		}
		word := s[w:j]
		if word == "" {
			break
		}
		isFiller := false
		for _, f := range filler {
			if strings.EqualFold(word, f) {
				isFiller = true
				break
			}
		}
		if !isFiller {
			for _, a := range accountWords {
				if strings.EqualFold(word, a) || strings.EqualFold(strings.TrimSuffix(word, "."), a) {
					isFiller = true
					break
				}
			}
		}
		if !isFiller {
			break
		}
		for _, a := range accountWords {
			if strings.EqualFold(strings.TrimSuffix(word, "."), a) {
				found = true
			}
		}
		i = w
	}
	if !found {
		return -1
	}
	return i
}

func (x *extractor) accountWordBefore(start int) bool { return x.accountRunStart(start) >= 0 }
