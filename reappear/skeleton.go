package reappear

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// confusables maps letters of other scripts that look like a Latin letter
// to it. Only the look-alikes fraudsters use in names and domains are here
// (Cyrillic, Greek, Armenian and a few Latin variants); the full Unicode
// table would fold far more than names need. Lower case only: names are
// lower-cased first.
var confusables = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'г': 'r', 'е': 'e', 'ё': 'e', 'з': '3', 'і': 'i', 'ї': 'i', 'ј': 'j',
	'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'п': 'n', 'р': 'p', 'с': 'c', 'т': 't',
	'у': 'y', 'х': 'x', 'ѕ': 's', 'ԁ': 'd', 'ӏ': 'l', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w',
	'ь': 'b', 'ы': 'b', 'ц': 'u', 'и': 'u', 'ѵ': 'v', 'ү': 'y', 'ҫ': 'c', 'ӓ': 'a', 'ӧ': 'o',
	// Greek
	'α': 'a', 'β': 'b', 'γ': 'y', 'δ': 'd', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k',
	'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'μ': 'u',
	'ς': 'c', 'ϲ': 'c', 'ϳ': 'j', 'ί': 'i', 'ό': 'o', 'ά': 'a', 'έ': 'e', 'ύ': 'u',
	// Armenian
	'օ': 'o', 'ս': 'u', 'ց': 'g', 'հ': 'h', 'ո': 'n', 'զ': 'q',
	// Latin variants NFKD leaves alone
	'ı': 'i', 'ȷ': 'j', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŀ': 'l', 'ɑ': 'a',
	'ɡ': 'g', 'ǀ': 'l', 'ℓ': 'l', 'ß': 's',
	// Arabic letters that Urdu writes with its own code points
	'ي': 'ی', 'ى': 'ی', 'ك': 'ک', 'ه': 'ہ', 'ة': 'ہ',
}

// digitLetters are the digits written for letters inside a word ("L0an",
// "Pa1sa", "3asy").
var digitLetters = map[rune]rune{'0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g'}

// disguised are the symbols written for letters ("Lo@n", "Ca$h").
var disguised = map[rune]rune{'@': 'a', '$': 's', '|': 'l'}

// Skeleton folds a name to the form that look-alike names share: case,
// accents, width and compatibility forms, spaces and punctuation go;
// Cyrillic and Greek look-alike letters become the Latin letter they
// imitate; digits inside a word become the letter they stand for (0→o,
// 1→l, 3→e, 5→s…); "i", "1" and "|" all become "l" (one stroke in most
// fonts); "rn" becomes "m" and "vv" "w". Numbers standing alone ("Loan 24")
// stay digits. Two names with the same skeleton look the same to a reader.
//
// The skeleton is for comparing, not for showing: "Easy Loan" is
// "easyloan", "Instant Cash" is "lnstantcash".
func Skeleton(name string) string {
	return strings.Join(tokens(name), "")
}

// tokens splits a name into words and folds each. Words are separated by
// anything that is not a letter or digit, and by a change from lower to
// upper case ("EasyLoan" is two words), so filler words can be dropped
// whole.
func tokens(name string) []string {
	rs := []rune(norm.NFKD.String(truncate(name, maxNameBytes)))
	var out []string
	var word []rune
	flush := func() {
		if len(word) > 0 {
			if t := foldWord(word); t != "" {
				out = append(out, t)
			}
			word = word[:0]
		}
	}
	for i, r := range rs {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r):
			// Accents and zero-width characters: invisible, so ignored.
			continue
		case r == '@' || r == '$' || r == '|':
			// "Lo@n", "Ca$h", "|nstant": a letter in disguise only
			// inside or at the edge of a word.
			if (i > 0 && isWordRune(rs[i-1])) || (i+1 < len(rs) && isWordRune(rs[i+1])) {
				word = append(word, disguised[r])
				continue
			}
			flush()
		case isWordRune(r):
			if len(word) > 0 && unicode.IsUpper(r) {
				prev := rs[i-1]
				next := rune(0)
				if i+1 < len(rs) {
					next = rs[i+1]
				}
				// "EasyLoan" → Easy|Loan; "HBLMobile" → HBL|Mobile.
				if unicode.IsLower(prev) || (unicode.IsUpper(prev) && unicode.IsLower(next)) {
					flush()
				}
			}
			word = append(word, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// maxNameBytes bounds the work on one name; no real name comes near it.
const maxNameBytes = 512

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// foldWord folds one word: lower case, confusables, digits for letters,
// the one-stroke letters, then "rn" and "vv".
func foldWord(w []rune) string {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	var b strings.Builder
	for i, r := range w {
		if unicode.IsDigit(r) {
			// Other scripts' digits (۰۱۲, ٠١٢) are read as ASCII.
			d := r
			if n, ok := digitValue(r); ok {
				d = '0' + n
			}
			// A digit stands for a letter only in a word that also has
			// letters, and only next to one: "L0an", "Pa1sa"; "Loan24"
			// keeps its number.
			if l, ok := digitLetters[d]; ok && letters > 0 && adjacentLetter(w, i) {
				d = l
			}
			b.WriteRune(d)
			continue
		}
		r = unicode.ToLower(r)
		if r >= 0x80 {
			if c, ok := confusables[r]; ok {
				r = c
			}
		}
		if r == 'i' {
			r = 'l'
		}
		b.WriteRune(r)
	}
	s := b.String()
	if strings.Contains(s, "rn") {
		s = strings.ReplaceAll(s, "rn", "m")
	}
	if strings.Contains(s, "vv") {
		s = strings.ReplaceAll(s, "vv", "w")
	}
	return s
}

// adjacentLetter reports whether the digit run around w[i] touches a letter
// and is at most two digits long ("L00n" yes, "Loan365" no).
func adjacentLetter(w []rune, i int) bool {
	start, end := i, i
	for start > 0 && unicode.IsDigit(w[start-1]) {
		start--
	}
	for end+1 < len(w) && unicode.IsDigit(w[end+1]) {
		end++
	}
	if end-start+1 > 2 {
		return false
	}
	before := start > 0 && unicode.IsLetter(w[start-1])
	after := end+1 < len(w) && unicode.IsLetter(w[end+1])
	if end > start {
		// Two digits stand for letters only between letters.
		return before && after
	}
	return before || after
}

// digitValue reads a decimal digit of any script.
func digitValue(r rune) (rune, bool) {
	switch {
	case r >= '0' && r <= '9':
		return r - '0', true
	case r >= 0x660 && r <= 0x669: // Arabic-Indic
		return r - 0x660, true
	case r >= 0x6F0 && r <= 0x6F9: // Extended Arabic-Indic (Urdu)
		return r - 0x6F0, true
	case r >= 0x966 && r <= 0x96F: // Devanagari
		return r - 0x966, true
	}
	return 0, false
}

// usesLookAlikes reports whether name mixes Latin letters with letters of
// another script that imitate Latin ones ("Emааn" with Cyrillic а): no
// honest name does that, so it is a sign of evasion.
func usesLookAlikes(name string) bool {
	latin, foreign := false, false
	for _, r := range norm.NFKD.String(name) {
		lr := unicode.ToLower(r)
		switch {
		case lr < 0x80 && unicode.IsLetter(lr):
			latin = true
		case unicode.In(lr, unicode.Cyrillic, unicode.Greek, unicode.Armenian):
			if _, ok := confusables[lr]; ok {
				foreign = true
			}
		}
	}
	return latin && foreign
}

// fold is Skeleton for a word list entry.
func fold(s string) string { return Skeleton(s) }

// osa is the optimal-string-alignment form of the Damerau–Levenshtein
// distance: insertions, deletions, substitutions and swaps of two adjacent
// letters each cost one. It gives up and returns limit+1 once the distance
// must exceed limit.
func osa(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	// Three rows; names are short, so they live on the stack.
	var buf [3 * 65]int
	var prev2, prev, cur []int
	if len(b) < 65 {
		prev2, prev, cur = buf[0:len(b)+1], buf[65:65+len(b)+1], buf[130:130+len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// allowedEdits is how many edits still make two strings of this length
// (the longer one's, in letters) look alike: none below six letters, where
// one letter changes a name ("Finja", "Finca"), then one per six letters,
// at most three.
func allowedEdits(n int) int {
	switch {
	case n < 6:
		return 0
	case n < 12:
		return 1
	case n < 18:
		return 2
	}
	return 3
}
