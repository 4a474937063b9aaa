package identifier

// nameIndex finds which of many names (bank names, wallet brands, platform
// words) starts a string. The extractor asks at every word of a message, so
// names are grouped by their first word: a lookup is one map access instead
// of a comparison with every name.
type nameIndex map[string][]nameEntry

type nameEntry struct{ name, code string }

func (ix nameIndex) add(name, code string) {
	var buf [32]byte
	if w, ok := firstWord(name, buf[:0]); ok {
		ix[string(w)] = append(ix[string(w)], nameEntry{name, code})
	}
}

// at returns the code of the longest name that starts s, ignoring ASCII
// case and ending at a word boundary, and the name's length.
func (ix nameIndex) at(s string) (string, int) {
	var buf [32]byte
	w, ok := firstWord(s, buf[:0])
	if !ok {
		return "", 0
	}
	best, n := "", 0
	for _, e := range ix[string(w)] {
		if len(e.name) > n && hasPrefixFold(s, e.name) && isWordEnd(s, len(e.name)) {
			best, n = e.code, len(e.name)
		}
	}
	return best, n
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
	bankNames = func() nameIndex {
		ix := nameIndex{}
		for _, b := range banks {
			for _, a := range b.aliases {
				ix.add(a, b.code)
			}
		}
		return ix
	}()
	walletNames = func() nameIndex {
		ix := nameIndex{}
		for _, p := range walletProviders {
			for _, a := range p.aliases {
				ix.add(a, p.name)
			}
		}
		return ix
	}()
	platformNames = func() nameIndex {
		ix := nameIndex{}
		for _, p := range platforms {
			for _, w := range p.words {
				ix.add(w, p.name)
			}
		}
		return ix
	}()
)
