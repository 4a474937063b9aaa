package identifier

import "strings"

// ibanLengths is the IBAN length of each country in the ISO 13616 registry.
// A country missing here is still accepted when the check digits are right,
// because the registry grows; only the length check is skipped.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
	"BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
	"CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
	"EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
	"GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21,
	"HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30,
	"KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
	"MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
	"SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26,
	"UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// parseIBAN reads an IBAN written with or without spaces or dashes, in any
// case. It checks the country's length, Pakistan's layout (four letters of
// bank code, then sixteen digits) and the ISO 7064 mod-97 check digits.
func parseIBAN(s string) ID {
	if hasPrefixFold(s, "iban") {
		s = strings.TrimLeft(s[4:], " :#-")
	}
	var buf [40]byte
	b := buf[:0]
	for i := 0; i < len(s); {
		if d, n := digitAt(s, i); n > 0 {
			if len(b) == cap(buf) {
				return invalid(s, "an IBAN has at most 34 characters")
			}
			b = append(b, d)
			i += n
			continue
		}
		c := s[i]
		switch {
		case isLetter(c):
			if len(b) == cap(buf) {
				return invalid(s, "an IBAN has at most 34 characters")
			}
			b = append(b, c&^0x20)
		case c == ' ' || c == '-' || c == '.':
		default:
			if n := invisibleAt(s, i); n > 0 {
				i += n
				continue
			}
			return invalid(s, "an IBAN has only letters and digits")
		}
		i++
	}
	v := string(b)
	if len(b) < 4 || !isLetter(b[0]) || !isLetter(b[1]) || !isDigit(b[2]) || !isDigit(b[3]) {
		return invalid(v, "an IBAN starts with a two-letter country code and two check digits")
	}
	if len(b) > 34 {
		return invalid(v, "an IBAN has at most 34 characters")
	}
	country := v[:2]
	if want, ok := ibanLengths[country]; ok && len(b) != want {
		return invalid(v, "an IBAN from "+country+" has "+itoa(want)+" characters, this has "+itoa(len(b)))
	} else if !ok && len(b) < 15 {
		return invalid(v, "an IBAN has at least 15 characters")
	}
	if country == "PK" {
		for i := 4; i < 8; i++ {
			if !isLetter(b[i]) {
				return invalid(v, "a Pakistani IBAN has a four-letter bank code after the check digits")
			}
		}
		for i := 8; i < 24; i++ {
			if !isDigit(b[i]) {
				return invalid(v, "a Pakistani IBAN ends with a 16-digit account number")
			}
		}
	}
	if !mod97(b) {
		return invalid(v, "the IBAN check digits do not match; a character is probably mistyped")
	}
	id := ID{Value: v, Key: "iban:" + v, Valid: true, Region: country}
	id.Value = id.Key[len("iban:"):]
	if country == "PK" {
		id.Bank = id.Value[4:8]
	}
	return id
}

// mod97 computes the ISO 7064 MOD 97-10 check over the rearranged IBAN,
// expanding letters to two digits on the fly.
func mod97(b []byte) bool {
	r := 0
	add := func(c byte) {
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return r == 1
}

// bank is one Pakistani bank: its four-letter IBAN code and the names
// complainants call it by, lower-case.
type bank struct {
	code    string
	name    string
	aliases []string
}

var banks = []bank{
	{"HABB", "Habib Bank Limited", []string{"habib bank limited", "habib bank", "hbl", "حبیب بینک", "ایچ بی ایل"}},
	{"MCIB", "MCB Islamic Bank", []string{"mcb islamic"}},
	{"MUCB", "MCB Bank", []string{"muslim commercial bank", "mcb bank", "mcb", "ایم سی بی"}},
	{"UNIL", "United Bank Limited", []string{"united bank limited", "united bank", "ubl", "یو بی ایل", "یونائیٹڈ بینک"}},
	{"ABPA", "Allied Bank Limited", []string{"allied bank", "allied", "abl", "الائیڈ بینک"}},
	{"NBPA", "National Bank of Pakistan", []string{"national bank of pakistan", "national bank", "nbp", "نیشنل بینک"}},
	{"MEZN", "Meezan Bank", []string{"meezan bank", "meezan", "میزان بینک", "میزان"}},
	{"BAHL", "Bank Al Habib", []string{"bank al habib", "bank al-habib", "bank alhabib", "bahl", "بینک الحبیب"}},
	{"ALFH", "Bank Alfalah", []string{"bank alfalah", "bank al falah", "bank al-falah", "alfalah", "bafl", "بینک الفلاح", "الفلاح"}},
	{"ASCM", "Askari Bank", []string{"askari bank", "askari", "عسکری بینک"}},
	{"SCBL", "Standard Chartered Bank", []string{"standard chartered", "scb"}},
	{"FAYS", "Faysal Bank", []string{"faysal bank", "faisal bank", "faysal", "فیصل بینک"}},
	{"BKIP", "BankIslami", []string{"bankislami", "bank islami"}},
	{"JSBL", "JS Bank", []string{"js bank", "jsbl"}},
	{"SONE", "Soneri Bank", []string{"soneri bank", "soneri"}},
	{"BPUN", "The Bank of Punjab", []string{"the bank of punjab", "bank of punjab", "punjab bank", "bop"}},
	{"KHYB", "The Bank of Khyber", []string{"the bank of khyber", "bank of khyber", "bok"}},
	{"MPBL", "Habib Metropolitan Bank", []string{"habib metropolitan bank", "habib metropolitan", "habib metro", "habibmetro", "hmb"}},
	{"SUMB", "Summit Bank", []string{"summit bank"}},
	{"SILK", "Silk Bank", []string{"silk bank", "silkbank"}},
	{"DUIB", "Dubai Islamic Bank", []string{"dubai islamic bank", "dubai islamic", "dib"}},
	{"AIIN", "Al Baraka Bank", []string{"al baraka bank", "al baraka", "albaraka"}},
	{"SIND", "Sindh Bank", []string{"sindh bank"}},
	{"FWOM", "First Women Bank", []string{"first women bank"}},
	{"SMES", "SME Bank", []string{"sme bank"}},
	{"SAMB", "Samba Bank", []string{"samba bank"}},
	{"CITI", "Citibank", []string{"citibank", "citi bank"}},
}

// BankName returns the name of the bank with the four-letter IBAN code, or
// "" if it is not one this package knows.
func BankName(code string) string {
	for _, b := range banks {
		if b.code == code {
			return b.name
		}
	}
	return ""
}

// bankAt returns the bank whose alias starts s (ignoring case) and the alias
// length. Aliases must end at a word boundary, so "bop" does not match
// "bopal".
func bankAt(s string) (code string, n int) {
	code, n = bankNames.at(s)
	if n == 0 && len(s) >= 4 && isWordEnd(s, 4) {
		// The structured form starts with the IBAN bank code itself.
		c := upperASCII(s[:4])
		for _, b := range banks {
			if b.code == c {
				return c, 4
			}
		}
	}
	return code, n
}

func isWordEnd(s string, i int) bool { return i == len(s) || !isAlnum(s[i]) }

// parseBankAccount reads a domestic bank account: a bank named by one of its
// usual names or its IBAN code, then the account number, as in
// "HBL 1234-5678901234", "Meezan Bank A/C # 0101-0123456789" or the canonical
// "HABB:12345678901234". The bank may also follow the number
// ("12345678901234 (UBL)"). Account numbers have 6 to 24 digits; Pakistani
// banks use 6 (JS Bank) to 20.
func parseBankAccount(s string) ID {
	if looksLikeIBAN(s) {
		return invalid(s, "this is an IBAN; enter it as an IBAN")
	}
	code, num, ok := splitLabelled(s, bankAt)
	if !ok {
		return invalid(s, "name the bank and the account number, e.g. HBL 1234-5678901234")
	}
	var buf [32]byte
	d, ok := digitsOnly(num, buf[:])
	if !ok {
		return invalid(s, "an account number has only digits")
	}
	if len(d) < 6 || len(d) > 24 {
		return invalid(string(d), "an account number has 6 to 24 digits, this has "+itoa(len(d)))
	}
	if allSame(d) {
		return invalid(string(d), "an account number is not one digit repeated")
	}
	key := "bank_account:" + code + ":" + string(d)
	return ID{Value: key[len("bank_account:"):], Key: key, Valid: true, Bank: code, Region: "PK"}
}

func looksLikeIBAN(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 15 && isLetter(s[0]) && isLetter(s[1]) && isDigit(s[2]) && isDigit(s[3])
}

// filler are the words people put between a name and a number: "HBL
// account no. 123", "JazzCash number: 0300…", "Meezan ka a/c 123".
var filler = []string{
	"account", "acct", "acc", "a/c", "ac", "number", "num", "no", "nbr", "nmbr",
	"bank", "ltd", "limited", "wallet", "mobile", "title", "id", "ka", "ki", "ke",
	"mein", "main", "me", "pe", "par", "per", "on", "at", "to", "in", "is", "via",
	"acount", "accont", "a/c#", "hai", "he", "my", "mera", "meri", "the", "wala", "wali", "wale",
	// Transfer verbs: "Easypaisa kar do 0312…", "JazzCash ya Easypaisa 0300…".
	"kar", "karo", "kardo", "krdo", "kr", "do", "dein", "den", "karein", "karen", "bhejo",
	"bhejein", "bhej", "bheja", "bheje", "bheji", "kiya", "kiye", "send", "transfer", "pay",
	"into", "through", "ya", "or",
	"اکاؤنٹ", "اکاونٹ", "نمبر", "نمبرز", "پر", "پہ", "میں", "کا", "کی", "کے", "بینک", "والٹ",
}

// fillerEnd skips filler words and the punctuation around them from s[i:]
// and returns where it stopped.
func fillerEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c == ' ' || c == ':' || c == '#' || c == '-' || c == '.' || c == ',' || c == '(' || c == ')' || c == '=' || c == '\t' || c == '/' || c == '|' || c == '\'' || c == '"' || c == '*' {
			i++
			continue
		}
		if n := invisibleAt(s, i); n > 0 {
			i += n
			continue
		}
		matched := 0
		for _, f := range filler {
			if len(f) > matched && hasPrefixFold(s[i:], f) && isWordEnd(s, i+len(f)) {
				matched = len(f)
			}
		}
		if matched == 0 {
			return i
		}
		i += matched
	}
	return i
}

// skipFiller skips filler words up to a number and returns where the number
// starts. It gives up (returning -1) at any other word, so that a bank name
// and a number in unrelated parts of a sentence are not joined.
func skipFiller(s string, i int) int {
	j := fillerEnd(s, i)
	if j < len(s) {
		if _, n := digitAt(s, j); n == 0 && s[j] != '+' {
			return -1
		}
	}
	return j
}

// splitLabelled splits "LABEL filler NUMBER" or "NUMBER (LABEL)" into the
// label's code and the number text, using at to recognise the label.
func splitLabelled(s string, at func(string) (string, int)) (code, num string, ok bool) {
	if code, n := at(s); n > 0 {
		i := skipFiller(s, n)
		if i < 0 || i >= len(s) {
			return "", "", false
		}
		return code, strings.TrimRight(s[i:], " )."), true
	}
	// NUMBER then label, e.g. "03001234567 (JazzCash)".
	end := 0
	for end < len(s) {
		if _, n := digitAt(s, end); n > 0 {
			end += n
			continue
		}
		if c := s[end]; c == ' ' || c == '-' || c == '+' || c == '.' {
			end++
			continue
		}
		break
	}
	if end == 0 {
		return "", "", false
	}
	rest := s[end:]
	for j := 0; j < len(rest); j++ {
		if j > 0 && isAlnum(rest[j-1]) {
			continue
		}
		code, n := at(rest[j:])
		if n == 0 {
			continue
		}
		if skipFiller(rest[:j], 0) != j || skipFiller(rest, j+n) != len(rest) {
			return "", "", false
		}
		return code, strings.TrimSpace(s[:end]), true
	}
	return "", "", false
}
