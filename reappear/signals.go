package reappear

import (
	"fmt"
	"slices"
	"strings"

	"github.com/greyline/greyline/identifier"
)

// comparePackage finds the package evidence only the app's owner has: the
// same id, the same stem with another suffix, the same namespace.
func comparePackage(a, b *features) (Reason, bool) {
	if a.pkg == "" || b.pkg == "" {
		return Reason{}, false
	}
	if a.pkg == b.pkg {
		return Reason{SignalPackage, "same package id " + a.pkg, wPackageID}, true
	}
	if a.nsLabel == "" || b.nsLabel == "" {
		return Reason{}, false
	}
	// A brand's namespace is borrowed by impostors ("com.hbl.instant.loan"
	// beside HBL's own app): when one side shows it owns the domain the
	// namespace is named after and the other does not, sharing it is
	// imitation, not the same owner.
	if ownsLabel(a, a.nsLabel) != ownsLabel(b, a.nsLabel) || ownsLabel(a, b.nsLabel) != ownsLabel(b, b.nsLabel) {
		return Reason{}, false
	}
	// Under a big publisher's or an app builder's namespace only a stem
	// that goes beyond it says anything ("com.google.loan", not
	// "com.google").
	platform := platformNS.words[a.nsLabel] || platformNS.words[b.nsLabel]
	if a.compact != "" && a.compact == b.compact && !(platform && (a.stem == a.namespace || b.stem == b.namespace)) {
		w := wStem
		switch a.compactGen {
		case 1:
			w = wStemOneWord
		case 2:
			w = wStemGeneric
		}
		switch {
		case a.stem == b.stem:
			return Reason{SignalPackage, fmt.Sprintf("package stem %s with changed suffix (%s, %s)", a.stem, a.pkg, b.pkg), w}, true
		case strings.ReplaceAll(a.stem, ".", "") == strings.ReplaceAll(b.stem, ".", ""):
			return Reason{SignalPackage, fmt.Sprintf("package %s has the stem of %s, split differently", b.pkg, a.pkg), w}, true
		}
		return Reason{SignalPackage, fmt.Sprintf("package %s has the stem of %s, written differently", b.pkg, a.pkg), w}, true
	}
	if platform || a.nsLabel != b.nsLabel {
		return Reason{}, false
	}
	if a.nsGen == 0 && runeLen(a.nsLabel) >= 4 {
		return Reason{SignalPackage, "same package namespace " + a.namespace + " (" + a.pkg + ", " + b.pkg + ")", wNamespace}, true
	}
	return Reason{}, false
}

// ownsLabel reports whether a listing's own domain carries the label.
func ownsLabel(f *features, label string) bool {
	for _, s := range f.sites {
		if !s.hosted && s.label == label {
			return true
		}
	}
	return false
}

// shareEmailAt reports whether the listings share an e-mail address at the
// domain, which compareEmails has counted already.
func shareEmailAt(a, b *features, unit string) bool {
	for _, e := range a.emails {
		if (e.domain == unit || strings.HasSuffix(e.domain, "."+unit)) && b.hasEmail(e.addr) {
			return true
		}
	}
	return false
}

// namedAfter reports whether a listing's name, package or developer is the
// folded label of a domain.
func namedAfter(f *features, label string) bool {
	if label == "" {
		return false
	}
	if label == f.compact || label == f.nsLabel || label == f.devCore || label == f.nameDistinct {
		return true
	}
	for _, v := range f.nameVariants {
		if string(v) == label {
			return true
		}
	}
	return false
}

// comparePackageNear finds a package stem that looks like the other one
// ("com.sitaaraqarz" and "com.sitaraqarz").
func comparePackageNear(a, b *features) (Reason, bool) {
	if a.pkg == "" || b.pkg == "" || a.compact == b.compact || platformNS.words[a.nsLabel] || platformNS.words[b.nsLabel] {
		return Reason{}, false
	}
	n := max(len(a.compactR), len(b.compactR))
	k := allowedEdits(n)
	if k == 0 {
		return Reason{}, false
	}
	d := osa(a.compactR, b.compactR, k)
	if d > k {
		return Reason{}, false
	}
	w := wPackageNear
	if a.compactGen > 0 && b.compactGen > 0 {
		w = wPackageNearGen
	}
	return Reason{SignalPackage, fmt.Sprintf("package %s looks like %s (%s)", b.pkg, a.pkg, edits(d)), w}, true
}

// devNear1Len is the length from which a developer name one edit away is
// strong evidence.
const devNear1Len = 12

func edits(d int) string {
	if d == 1 {
		return "1 edit"
	}
	return fmt.Sprintf("%d edits", d)
}

// compareDeveloper compares the developer accounts' names, legal forms
// ("Pvt Ltd", "Co.") left out.
func compareDeveloper(a, b *features) (Reason, bool) {
	if runeLen(a.devCore) < 3 || runeLen(b.devCore) < 3 {
		return Reason{}, false
	}
	generic := a.devGen > 0 && b.devGen > 0
	// Impostors publish under the name of the bank they imitate: a
	// developer name that one side's own domain carries and the other
	// side's does not is imitation, not the same account.
	if ownsLabel(a, a.devCore) != ownsLabel(b, a.devCore) || ownsLabel(a, b.devCore) != ownsLabel(b, b.devCore) {
		return Reason{}, false
	}
	if a.devCore == b.devCore {
		if generic {
			return Reason{SignalDeveloper, fmt.Sprintf("same developer name %q, but a common one", a.developer), wDeveloperGen}, true
		}
		return Reason{SignalDeveloper, fmt.Sprintf("same developer %q", a.developer), wDeveloper}, true
	}
	if generic {
		return Reason{}, false
	}
	n := max(len(a.devRunes), len(b.devRunes))
	k := allowedEdits(n)
	if k == 0 {
		return Reason{}, false
	}
	d := osa(a.devRunes, b.devRunes, k)
	if d > k {
		return Reason{}, false
	}
	w := wDeveloperNear
	if d == 1 && n >= devNear1Len {
		w = wDeveloperNear1
	}
	return Reason{SignalDeveloper, fmt.Sprintf("developer looks like %q (%s)", a.developer, edits(d)), w}, true
}

// compareEmails finds the same mailbox, as developer e-mail or shown in the
// listing. The address counts even at a free-mail provider: the provider
// is shared, the mailbox is not.
func compareEmails(a, b *features) []Reason {
	var out []Reason
	for _, e := range a.emails {
		if !b.hasEmail(e.addr) {
			continue
		}
		text := "same e-mail address " + e.shown
		if e.addr == a.devEmail && e.addr == b.devEmail {
			text = "same developer email " + e.shown
		}
		out = append(out, Reason{SignalEmail, text, wEmail})
	}
	return out
}

// compareMailboxNames finds the same distinctive mailbox name at two
// providers ("rupeetree.pk@gmail.com", "rupeetree.pk@yahoo.com"): handles
// are reused, and a distinctive one is rarely a stranger's.
func compareMailboxNames(a, b *features) []Reason {
	var out []Reason
	for _, e := range a.emails {
		if e.mailbox == "" || b.hasEmail(e.addr) {
			continue
		}
		for _, g := range b.emails {
			if g.mailbox == e.mailbox && g.domain != e.domain {
				out = append(out, Reason{SignalEmail, fmt.Sprintf("same mailbox name as %s at another provider", e.shown), wMailboxName})
				break
			}
		}
	}
	return out
}

// mailboxName is the local part without dots, hyphens and underscores.
func mailboxName(local string) string { return mailboxSeparators.Replace(local) }

var mailboxSeparators = strings.NewReplacer(".", "", "-", "", "_", "")

// compareContacts finds the same numbers, wallets, accounts and handles,
// and a wallet opened on a number the other listing shows as a phone.
func compareContacts(a, b *features) []Reason {
	var out []Reason
	seenNumber := map[string]bool{}
	for _, x := range a.contacts {
		for _, y := range b.contacts {
			if x.key == y.key {
				out = append(out, Reason{SignalContact, "same " + x.describe(), wContact})
				if x.number != "" {
					seenNumber[x.number] = true
				}
			}
		}
	}
	for _, x := range a.contacts {
		for _, y := range b.contacts {
			if x.number == "" || x.number != y.number || x.key == y.key || seenNumber[x.number] {
				continue
			}
			seenNumber[x.number] = true
			out = append(out, Reason{SignalContact, fmt.Sprintf("%s is on the same number as %s", x.describe(), y.describe()), wSameNumber})
		}
	}
	return out
}

func (c contact) describe() string {
	switch c.kind {
	case identifier.Phone:
		return "phone number " + c.value
	case identifier.Wallet:
		return c.detail + " wallet " + c.value
	case identifier.Social:
		return c.detail + " account " + c.value
	case identifier.Crypto:
		return "crypto address " + c.value
	case identifier.IBAN, identifier.BankAccount:
		return "bank account " + c.value
	case identifier.URL, identifier.Domain:
		return "link " + c.value
	case "":
		return "contact " + c.value
	}
	return string(c.kind) + " " + c.value
}

// compareSites compares the listings' own domains. near reports whether
// the evidence is only a look-alike (a typo or added words), which anyone
// can register.
func compareSites(a, b *features) (r Reason, near, ok bool) {
	type found struct {
		r    Reason
		near bool
	}
	var best *found
	consider := func(f found) {
		if best == nil || f.r.Weight > best.r.Weight || (f.r.Weight == best.r.Weight && f.r.Text < best.r.Text) {
			best = &f
		}
	}
	for _, x := range a.sites {
		for _, y := range b.sites {
			if x.fromEmail && y.fromEmail {
				// Two addresses at one company domain are compared as
				// e-mail; their domain says the same again.
				// A domain that neither listing is named after may be an
				// ISP's, a university's or a mail host's, shared by
				// strangers.
				if x.unit == y.unit && !shareEmailAt(a, b, x.unit) {
					w := wMailDomainOnly
					if namedAfter(a, x.label) || namedAfter(b, y.label) {
						w = wDomain
					}
					consider(found{Reason{SignalDomain, "developer e-mail at the same domain " + x.unit, w}, false})
				}
				continue
			}
			if x.unit == y.unit {
				what := "same domain "
				if x.hosted {
					what = "same site "
				}
				consider(found{Reason{SignalDomain, what + x.unit, wDomain}, false})
				continue
			}
			if x.label == "" || y.label == "" {
				continue
			}
			generic := x.labelGen > 0
			if x.label == y.label && x.suffix != y.suffix {
				w := wDomainTLD
				if generic {
					w = wDomainTLDGen
				}
				consider(found{Reason{SignalDomain, fmt.Sprintf("domain %s is %s under another ending", y.unit, x.unit), w}, false})
				continue
			}
			if x.label == y.label {
				// Same suffix, labels that differ only in what folding
				// removes: hyphens or look-alike letters.
				detail, w := "look-alike letters", wDomainLookAlikes
				if strings.ReplaceAll(x.raw, "-", "") == strings.ReplaceAll(y.raw, "-", "") {
					detail, w = "hyphens", wDomainCore
				}
				if generic {
					w = wDomainCoreGen
				}
				consider(found{Reason{SignalDomain, fmt.Sprintf("domain %s looks like %s (%s)", y.unit, x.unit, detail), w}, true})
				continue
			}
			if x.core == y.core && runeLen(x.core) >= 4 {
				w := wDomainCore
				if x.coreGen > 0 {
					w = wDomainCoreGen
				}
				consider(found{Reason{SignalDomain, fmt.Sprintf("domain %s looks like %s (words added)", y.unit, x.unit), w}, true})
				continue
			}
			k := allowedEdits(max(len(x.coreRunes), len(y.coreRunes)))
			if k == 0 {
				continue
			}
			if d := osa(x.coreRunes, y.coreRunes, k); d <= k {
				w := wDomainNear
				if x.coreGen > 0 && y.coreGen > 0 {
					w = wDomainNearGen
				}
				consider(found{Reason{SignalDomain, fmt.Sprintf("domain %s looks like %s (%s)", y.unit, x.unit, edits(d)), w}, true})
			}
		}
	}
	if best == nil {
		return Reason{}, false, false
	}
	return best.r, best.near, true
}

// compareNames compares the names' skeletons: the whole name, the name
// without filler words and the name before its tagline.
func compareNames(a, b *features) (Reason, bool) {
	if len(a.nameVariants) == 0 || len(b.nameVariants) == 0 {
		return Reason{}, false
	}
	lookAlikes := a.lookAlikes || b.lookAlikes
	bestD, bestG, exactFull := -1, 0, false
	for i, x := range a.nameVariants {
		for j, y := range b.nameVariants {
			k := allowedEdits(max(len(x), len(y)))
			d := 0
			if !slices.Equal(x, y) {
				if k == 0 {
					continue
				}
				if d = osa(x, y, k); d > k {
					continue
				}
			}
			g := min(a.nameGeneric[i], b.nameGeneric[j])
			if d > 0 && (a.nameGeneric[i] == 0 || b.nameGeneric[j] == 0) {
				g = 0
			}
			if bestD < 0 || d < bestD || (d == bestD && g < bestG) {
				bestD, bestG = d, g
				exactFull = d == 0 && i == 0 && j == 0
			}
		}
	}
	if bestD < 0 && (a.nameDistinct == "" || a.nameDistinct != b.nameDistinct) {
		return Reason{}, false
	}
	q := fmt.Sprintf("%q", a.name)
	switch {
	case bestD == 0:
		w := wName
		detail := ""
		switch bestG {
		case 1:
			w, detail = wNameOneWord, " (one generic word)"
		case 2:
			w, detail = wNameGeneric, " (generic words only)"
		}
		if lookAlikes {
			return Reason{SignalName, "name looks like " + q + " (look-alike letters)", wNameLookAlikes}, true
		}
		if a.nameLetters == b.nameLetters {
			return Reason{SignalName, "same name " + q + detail, w}, true
		}
		if exactFull {
			if detail == "" {
				detail = " (disguised letters or spacing)"
			}
			return Reason{SignalName, "name looks like " + q + detail, w}, true
		}
		if detail == "" {
			detail = " (words added or removed)"
		}
		return Reason{SignalName, "name looks like " + q + detail, w}, true
	case bestD > 0:
		if lookAlikes {
			return Reason{SignalName, fmt.Sprintf("name looks like %s (look-alike letters, %s)", q, edits(bestD)), wNameLookAlikes}, true
		}
		w := wNameNear
		if bestG > 0 {
			w = wNameNearGeneric
		}
		if bestG == 1 {
			return Reason{}, false
		}
		return Reason{SignalName, fmt.Sprintf("name looks like %s (%s)", q, edits(bestD)), w}, true
	}
	if a.nameDistinct != "" && a.nameDistinct == b.nameDistinct {
		return Reason{SignalName, "name has the distinctive part of " + q, wNameContains}, true
	}
	return Reason{}, false
}
