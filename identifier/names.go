package identifier

// nameIndex finds which of many names (bank names, wallet brands, platform
// words) starts a string. The extractor asks at every word of a message, so
// names are grouped by their first word: a lookup is one map access instead
// of a comparison with every name. Most words of a message begin no name at
// all, so a set of the first words' first two bytes turns them away before
// the word is copied and hashed.
type nameIndex struct {
	words map[string][]nameEntry
	heads [1 << 16 / 64]uint64 // bit (first byte << 8 | second byte, or 0)
}

type nameEntry struct{ name, code string }

func newNameIndex() *nameIndex { return &nameIndex{words: map[string][]nameEntry{}} }

// head is the bit of a lower-cased word's first two bytes.
func head(w []byte) int {
	h := int(w[0]) << 8
	if len(w) > 1 {
		h |= int(w[1])
	}
	return h
}

func (ix *nameIndex) add(name, code string) {
	var buf [32]byte
	if w, ok := firstWord(name, buf[:0]); ok {
		ix.words[string(w)] = append(ix.words[string(w)], nameEntry{name, code})
		h := head(w)
		ix.heads[h/64] |= 1 << (h % 64)
	}
}

// at returns the code of the longest name that starts s, ignoring ASCII
// case and ending at a word boundary, and the name's length.
func (ix *nameIndex) at(s string) (string, int) {
	if len(s) == 0 {
		return "", 0
	}
	// The first two bytes of s, lower-cased, are those of its first word
	// (or the first alone, when the second ends the word).
	var two [2]byte
	w := two[:1]
	two[0] = lower(s[0])
	if len(s) > 1 && (s[1] >= 0x80 || isAlnum(s[1])) {
		two[1] = lower(s[1])
		w = two[:2]
	}
	if s[0] < 0x80 && !isAlnum(s[0]) {
		return "", 0
	}
	if h := head(w); ix.heads[h/64]&(1<<(h%64)) == 0 {
		return "", 0
	}
	var buf [32]byte
	w, ok := firstWord(s, buf[:0])
	if !ok {
		return "", 0
	}
	best, n := "", 0
	for _, e := range ix.words[string(w)] {
		if len(e.name) > n && hasPrefixFold(s, e.name) && isWordEnd(s, len(e.name)) {
			best, n = e.code, len(e.name)
		}
	}
	return best, n
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// firstWord appends the lower-cased first word of s to buf: the bytes up to
// the first ASCII character that is not a letter or digit. Urdu letters are
// word bytes. ok is false for an empty word or one longer than buf.
func firstWord(s string, buf []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && !isAlnum(c) {
			break
		}
		if len(buf) == cap(buf) {
			return buf, false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf, len(buf) > 0
}

var (
	bankNames = func() *nameIndex {
		ix := newNameIndex()
		for _, b := range banks {
			for _, a := range b.aliases {
				ix.add(a, b.code)
			}
		}
		return ix
	}()
	walletNames = func() *nameIndex {
		ix := newNameIndex()
		for _, p := range walletProviders {
			for _, a := range p.aliases {
				ix.add(a, p.name)
			}
		}
		return ix
	}()
	platformNames = func() *nameIndex {
		ix := newNameIndex()
		for _, p := range platforms {
			for _, w := range p.words {
				ix.add(w, p.name)
			}
		}
		return ix
	}()
)
