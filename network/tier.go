package network

import (
	"fmt"
	"strconv"
	"strings"
)

// The tier rule (documented for partners in docs/risk.md). Points:
//
//	distinct victims   1: 1   2–4: 2   5–19: 3   20 or more: 4
//	total loss         Rs 100,000: +1   Rs 1,000,000: +2   Rs 10,000,000: +3
//	network size       10 complaints: +1   100 complaints: +2
//	confirmed by an analyst: +1, and at least medium
//
// Tier by points: fewer than 2 none, 2–3 medium, 4–5 high, 6 or more very
// high. Then:
//   - held for review (over the threshold, not yet confirmed): at most
//     medium, since a value in many unrelated complaints is as likely a
//     shared service as a fraud;
//   - an enforcement finding (seized in a raid, named in a case): very
//     high, whatever the counts, since it is evidence, not a count;
//   - taken down by the platform: at most medium (the operation may still
//     use it elsewhere), or none for a blocked number or account;
//   - listed on a warninglist or rejected by an analyst: none, always.
//
// So one person reporting a number once with no loss is none; two people
// reporting it is medium; a number in 20 complaints from 20 people with
// Rs 2,000,000 lost is very high (4 + 2, and its network has 20
// complaints: + 1).
const (
	lossStep1 = 100_000 * 100 // paisa
	lossStep2 = 1_000_000 * 100
	lossStep3 = 10_000_000 * 100
)

const heldReason = "held for review: it appears in many unrelated complaints"

func victimPoints(v int) int {
	switch {
	case v >= 20:
		return 4
	case v >= 5:
		return 3
	case v >= 2:
		return 2
	case v >= 1:
		return 1
	}
	return 0
}

func lossPoints(p int64) int {
	switch {
	case p >= lossStep3:
		return 3
	case p >= lossStep2:
		return 2
	case p >= lossStep1:
		return 1
	}
	return 0
}

func tierOf(points int) Tier {
	switch {
	case points >= 6:
		return TierVeryHigh
	case points >= 4:
		return TierHigh
	case points >= 2:
		return TierMedium
	}
	return TierNone
}

// evaluate computes identifier i's tier; with reasons non-nil it also
// explains it in words, in the order the rule applies them.
func (g *graph) evaluate(i int32, reasons *[]string) Tier {
	id := &g.ids[i]
	say := func(s string) {
		if reasons != nil {
			*reasons = append(*reasons, s)
		}
	}
	switch id.state {
	case StateListed:
		say("on a warninglist of legitimate services (a helpline, a platform, a shortener, a gateway): it never links complaints")
		return TierNone
	case StateRejected:
		say("rejected by an analyst: it does not link complaints")
		return TierNone
	}
	n, v := len(id.complaints), int(id.victims)
	if n == 0 {
		say("not reported in any complaint")
	} else if reasons != nil {
		say(fmt.Sprintf("reported in %s by %s", plural(n, "complaint", "complaints"), people(v)))
	}
	points := victimPoints(v)
	if lp := lossPoints(id.loss); lp > 0 || id.loss > 0 {
		points += lp
		if reasons != nil {
			say(Rupees(id.loss) + " reported lost")
		}
	}
	if b := sizeBracket(g.netSize(i)); b > 0 {
		points += b
		if reasons != nil {
			say(fmt.Sprintf("part of a network of %d complaints", g.netSize(i)))
		}
	}
	confirmed := id.state == StateConfirmed
	if confirmed {
		points++
		say("confirmed by an analyst")
	}
	t := tierOf(points)
	if confirmed && t < TierMedium {
		t = TierMedium
	}
	if id.state == StateHeld {
		t = min(t, TierMedium)
		say(heldReason)
	}
	if f := g.findings[i]; f != "" {
		t = TierVeryHigh
		say(f)
	}
	if r := g.removals[i]; r != "" {
		if closed, ok := strings.CutPrefix(r, "closed: "); ok {
			t = TierNone
			say(closed + ", so it can no longer be used")
		} else {
			t = min(t, TierMedium)
			say(r)
		}
	}
	return t
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func people(v int) string {
	if v == 1 {
		return "1 person"
	}
	return strconv.Itoa(v) + " different people"
}

// Rupees formats paisa as "Rs 1,250,000" (or "Rs 1,250.50" when there are
// paisa), the way the reasons show losses.
func Rupees(paisa int64) string {
	neg := paisa < 0
	if neg {
		paisa = -paisa
	}
	s := strconv.FormatInt(paisa/100, 10)
	out := make([]byte, 0, len(s)+len(s)/3+8)
	out = append(out, "Rs "...)
	if neg {
		out = append(out, '-')
	}
	for k := range len(s) {
		if k > 0 && (len(s)-k)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[k])
	}
	if p := paisa % 100; p != 0 {
		out = append(out, fmt.Sprintf(".%02d", p)...)
	}
	return string(out)
}
