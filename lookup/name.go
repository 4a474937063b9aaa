package lookup

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokens splits a name into lower-case tokens of letters and digits.
// Apostrophes are dropped inside a token ("Jinnah's" -> "jinnahs"); any
// other character separates tokens ("Al-Noor (Pvt.) Ltd" -> al, noor, pvt,
// ltd). The order of first appearance is kept and repeats are dropped.
func tokens(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			t := b.String()
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
			b.Reset()
		}
	}
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteByte(byte(r))
		case r >= 'A' && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
		case r == '\'' || r == '\u2019':
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// normName returns a name's tokens joined by single spaces.
func normName(name string) string { return strings.Join(tokens(name), " ") }

// match reports 2 if q is one of the tokens of the normalised name, 1 if
// it is a prefix of one, 0 otherwise.
func match(norm, q string) int {
	best := 0
	for norm != "" {
		tok, rest, _ := strings.Cut(norm, " ")
		if strings.HasPrefix(tok, q) {
			if len(tok) == len(q) {
				return 2
			}
			best = 1
		}
		norm = rest
	}
	return best
}

// nameQuery is a tokenised search.
type nameQuery struct {
	toks   []string
	joined string // toks joined by single spaces
}

// score rates a licence's names against the query; ok is false when some
// query token matches no token of either name.
//
// Every query token must match a token of the trade name or of the
// business name, exactly or as a prefix. A trade-name token counts more
// than a business-name one, and an exact token more than a prefix. On top
// of that a trade name made of exactly the query's tokens scores most, then
// one that begins with the query as typed (the last query token may be
// incomplete), then one whose first token begins with the first query
// token.
func (e *licEntry) score(q *nameQuery) (score int, ok bool) {
	for _, t := range q.toks {
		switch m := match(e.trade, t); {
		case m == 2:
			score += 4
		case m == 1:
			score += 3
		default:
			switch match(e.biz, t) {
			case 2:
				score += 2
			case 1:
				score++
			default:
				return 0, false
			}
		}
	}
	switch {
	case e.trade == q.joined:
		score += 100
	case strings.HasPrefix(e.trade, q.joined):
		score += 10
	case strings.HasPrefix(e.trade, q.toks[0]):
		score += 5
	}
	return score, true
}

// statusRank orders search results with equal scores: licences that are
// in force first.
func statusRank(s string) int {
	switch s {
	case StatusActive:
		return 0
	case StatusProvisional:
		return 1
	case StatusSuspended:
		return 2
	case StatusExpired:
		return 3
	case StatusSurrendered:
		return 4
	case StatusRevoked:
		return 5
	}
	return 6
}

// DefaultSearchLimit is used when SearchName is given a limit of zero or
// less.
const DefaultSearchLimit = 20

func (v *View) searchName(q string, limit int) []Licence {
	qt := tokens(q)
	if len(qt) == 0 {
		return nil
	}
	qq := &nameQuery{toks: qt, joined: strings.Join(qt, " ")}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	// Pick the query token with the fewest candidate licences (postings of
	// every name token it is a prefix of) and check the others against each
	// candidate's own tokens, so the work is bounded by the rarest token.
	best, bestCost := -1, 0
	for i, t := range qt {
		cost := 0
		v.tokens.withPrefix(t, func(_ string, p plist) bool {
			cost += p.n
			return best < 0 || cost < bestCost
		})
		if best < 0 || cost < bestCost {
			best, bestCost = i, cost
		}
		if cost == 0 {
			return nil
		}
	}
	cand := make([]uint32, 0, bestCost)
	v.tokens.withPrefix(qt[best], func(_ string, p plist) bool {
		cand = p.appendTo(cand)
		return true
	})
	slices.Sort(cand)
	cand = slices.Compact(cand)

	type hit struct {
		e                  *licEntry
		score, ntok, state int
	}
	hits := make([]hit, 0, min(len(cand), 4*limit))
	for _, s := range cand {
		e := v.lics.get(s)
		if sc, ok := e.score(qq); ok {
			hits = append(hits, hit{e, sc, strings.Count(e.trade, " "), statusRank(e.lic.Status)})
		}
	}
	better := func(a, b hit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ntok, b.ntok); c != 0 {
			return c
		}
		if c := cmp.Compare(a.state, b.state); c != 0 {
			return c
		}
		if c := strings.Compare(a.e.lic.TradeName, b.e.lic.TradeName); c != 0 {
			return c
		}
		return strings.Compare(a.e.lic.Number, b.e.lic.Number)
	}
	if len(hits) <= limit || limit > 64 {
		slices.SortFunc(hits, better)
		hits = hits[:min(len(hits), limit)]
	} else {
		// Keep the best limit in a small sorted window.
		top := make([]hit, 0, limit+1)
		for _, h := range hits {
			if len(top) == limit && better(h, top[limit-1]) >= 0 {
				continue
			}
			i, _ := slices.BinarySearchFunc(top, h, better)
			top = slices.Insert(top, i, h)
			if len(top) > limit {
				top = top[:limit]
			}
		}
		hits = top
	}
	out := make([]Licence, len(hits))
	for i, h := range hits {
		out[i] = h.e.lic
	}
	return out
}
