// Package reappear finds illegal apps, sites and numbers that come back
// after a takedown under a new name, in a new store or as an APK on a
// website.
//
// A listing that enters greyline (from a complaint, a takedown request or
// an import) is compared with the listings already removed. The evidence
// is of two sorts:
//
//   - what only the same operator holds: the package id or its stem with a
//     changed suffix, the developer account's name or e-mail address, the
//     contact numbers, wallets and accounts printed in the listing, the
//     site's own domain;
//   - what anyone can imitate: a name or a domain or a package that looks
//     like the removed one (typos, look-alike letters, added words).
//
// Each piece of evidence has a weight; the score is the chance that at
// least one piece is real, 1 − Π(1 − weight), over independent groups of
// signals. Look-alikes are one group, capped below the alert threshold
// unless several agree, because a name alone is cheap to copy and
// collides innocently; generic words ("Cash", "Loan", "Pay"), free-mail
// providers, stores, hosting platforms and big publishers' package
// namespaces count for little or nothing.
//
// Skeleton, NameCore and PackageStem are the normalisations the comparison
// uses, exported for looking a name or package id up in a list (such as
// SECP's approved and illegal lending apps) the same way.
//
// The package is pure: no I/O, no clock, no database.
package reappear

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/warninglist"
)

// Kind is what a listing is.
type Kind string

const (
	// App is a mobile app in a store or as an APK.
	App Kind = "app"
	// Site is a website.
	Site Kind = "site"
	// Number is a phone or WhatsApp number or a wallet account.
	Number Kind = "number"
	// Social is a page or account on a social network.
	Social Kind = "social"
)

// Listing is an app, site, number or social account, either removed (a
// takedown) or a candidate to check against the removed ones.
type Listing struct {
	// Ref is the caller's id, such as the takedown's; 0 for a candidate.
	Ref int64 `json:"ref,omitempty"`
	// Kind says what the listing is. It does not limit what it is
	// compared with: an app comes back as an APK on a site, a site's
	// number as a WhatsApp account.
	Kind Kind `json:"kind"`
	// PackageID is the Android application id ("com.easyloan.app"). When
	// empty it is taken from a Play Store or APK-mirror URL.
	PackageID string `json:"package_id,omitempty"`
	// Name is the app's, site's or account's display name.
	Name           string `json:"name,omitempty"`
	Developer      string `json:"developer,omitempty"`
	DeveloperEmail string `json:"developer_email,omitempty"`
	// Contacts are the phones, wallets, accounts, e-mail addresses and
	// handles shown in the listing, as identifier match keys
	// ("phone:+923001234567") or as written ("JazzCash 0300 1234567").
	// Values that unrelated listings share by nature (a wallet's helpline,
	// package warninglist) are ignored.
	Contacts []string `json:"contacts,omitempty"`
	// URL is the store listing, the APK's page or the site.
	URL string `json:"url,omitempty"`
	// Domain is the site's domain; when empty it is taken from URL.
	Domain string `json:"domain,omitempty"`
}

// Signal names a kind of evidence.
type Signal string

const (
	SignalPackage   Signal = "package"
	SignalName      Signal = "name"
	SignalDeveloper Signal = "developer"
	SignalEmail     Signal = "email"
	SignalContact   Signal = "contact"
	SignalDomain    Signal = "domain"
)

// Reason is one piece of evidence, in plain English, with the weight it
// carries on its own.
type Reason struct {
	Signal Signal  `json:"signal"`
	Text   string  `json:"text"`
	Weight float64 `json:"weight"`
}

// Match says how likely the candidate is the removed listing Ref come back.
type Match struct {
	Ref     int64    `json:"ref"`
	Score   float64  `json:"score"`
	Reasons []Reason `json:"reasons,omitempty"`
}

// Threshold is the score from which a match is an alert. One piece of
// evidence only the operator holds (package id, developer e-mail, a
// contact number, the domain) reaches it alone; look-alikes reach it only
// together or beside another signal.
const Threshold = 0.6

// Weights of the signals. Generic variants (made only of generic words)
// weigh less; see the Compare rules in each signal's function.
const (
	wPackageID        = 0.95
	wStem             = 0.75
	wStemGeneric      = 0.55
	wStemOneWord      = 0.3
	wNamespace        = 0.45
	wPackageNear      = 0.4
	wPackageNearGen   = 0.1
	wDeveloper        = 0.65
	wDeveloperGen     = 0.2
	wDeveloperNear1   = 0.6 // one edit on a long distinctive name
	wDeveloperNear    = 0.45
	wEmail            = 0.9
	wMailboxName      = 0.55 // same distinctive mailbox name at another provider
	wMailDomainOnly   = 0.4  // two mailboxes at a domain neither listing is named after
	wContact          = 0.85
	wSameNumber       = 0.75
	wDomain           = 0.85
	wDomainTLD        = 0.6
	wDomainTLDGen     = 0.3
	wDomainCore       = 0.5
	wDomainLookAlikes = 0.55
	wDomainCoreGen    = 0.15
	wDomainNear       = 0.45
	wDomainNearGen    = 0.1
	wName             = 0.5
	wNameGeneric      = 0.2
	wNameOneWord      = 0.05
	wNameNear         = 0.4
	wNameNearGeneric  = 0.1
	wNameContains     = 0.35
	wNameLookAlikes   = 0.55
	lookAlikeCap      = 0.7
	lookAlikeExtra    = 0.1
)

// Compare scores how likely candidate is removed come back. The score does
// not depend on which side is which (Compare(a, b).Score ==
// Compare(b, a).Score); the reasons quote the removed listing.
func Compare(removed, candidate Listing) Match {
	return compare(extract(removed), extract(candidate))
}

// features is a listing taken apart and normalised once, so that an Index
// compares a candidate with many removed listings cheaply.
type features struct {
	ref  int64
	name string // as given, trimmed

	nameVariants [][]rune // folded: whole name, without filler, head before a tagline
	nameGeneric  []int    // wordSet.generic of each variant
	nameLetters  string   // lower-case letters and digits, for "same name"
	nameDistinct string   // distinctive part, "" when none
	lookAlikes   bool     // mixes Latin with look-alike letters

	pkg        string
	stem       string
	compact    string
	compactR   []rune
	compactGen int
	namespace  string
	nsLabel    string
	nsGen      int

	developer string
	devCore   string
	devRunes  []rune
	devGen    int

	devEmail string  // canonical developer e-mail
	emails   []email // sorted by address
	contacts []contact
	sites    []site
}

type email struct {
	addr    string // canonical
	shown   string // as given, lower case
	domain  string
	mailbox string // the distinctive mailbox name, "" when it is not distinctive
}

func (f *features) addEmail(addr, shown string) {
	for _, e := range f.emails {
		if e.addr == addr {
			return
		}
	}
	local, domain, _ := strings.Cut(addr, "@")
	e := email{addr: addr, shown: shown, domain: domain}
	if m := mailboxName(local); runeLen(m) >= 6 && developerSet.generic(fold(m)) == 0 {
		e.mailbox = m
	}
	f.emails = append(f.emails, e)
}

func (f *features) hasEmail(addr string) bool {
	for _, e := range f.emails {
		if e.addr == addr {
			return true
		}
	}
	return false
}

type contact struct {
	key    string // identifier match key
	number string // E.164 number of a phone or wallet, "" otherwise
	kind   identifier.Type
	value  string
	detail string // wallet provider, social platform
}

func extract(l Listing) *features {
	f := &features{ref: l.Ref, name: strings.TrimSpace(l.Name)}
	f.extractName()

	f.pkg = strings.ToLower(strings.TrimSpace(l.PackageID))
	if f.pkg == "" {
		f.pkg = packageInURL(l.URL)
	}
	if f.pkg != "" {
		f.stem = PackageStem(f.pkg)
		f.compact = packageCompact(f.stem)
		f.compactR = []rune(f.compact)
		f.namespace, f.nsLabel = packageNamespace(f.pkg)
		f.compactGen = genericSet.generic(f.compact)
		f.nsGen = genericSet.generic(f.nsLabel)
	}

	f.developer = strings.TrimSpace(l.Developer)
	var dev []string
	for _, t := range tokens(f.developer) {
		if !legalSet.words[t] {
			dev = append(dev, t)
		}
	}
	f.devCore = strings.Join(dev, "")
	f.devRunes = []rune(f.devCore)
	f.devGen = developerSet.generic(f.devCore)

	if e, d, ok := canonicalEmail(l.DeveloperEmail); ok {
		f.devEmail = e
		f.addEmail(e, strings.ToLower(strings.TrimSpace(l.DeveloperEmail)))
		f.addSite(d, true)
	}
	seen := map[string]bool{}
	for _, raw := range l.Contacts {
		for _, c := range parseContacts(raw) {
			if seen[c.key] {
				continue
			}
			seen[c.key] = true
			if c.kind == identifier.Email {
				if e, d, ok := canonicalEmail(c.value); ok {
					f.addEmail(e, c.value)
					f.addSite(d, true)
				}
				continue
			}
			f.contacts = append(f.contacts, c)
		}
	}
	slices.SortFunc(f.emails, func(x, y email) int { return strings.Compare(x.addr, y.addr) })
	if h := hostOf(l.Domain); h != "" {
		f.addSite(h, false)
	}
	if h := hostOf(l.URL); h != "" {
		f.addSite(h, false)
	}
	return f
}

func (f *features) addSite(host string, fromEmail bool) {
	s, ok := siteOf(host)
	if !ok {
		return
	}
	for i, t := range f.sites {
		if t.unit == s.unit {
			f.sites[i].fromEmail = t.fromEmail && fromEmail
			return
		}
	}
	s.fromEmail = fromEmail
	f.sites = append(f.sites, s)
}

// taglineSeparators end a store title's name and start its tagline:
// "EasyLoan - Instant Cash Loan".
var taglineSeparators = []string{" - ", " – ", " — ", ": ", " | ", "|", " (", "(", " ~ ", " • "}

func (f *features) extractName() {
	if f.name == "" {
		return
	}
	all := tokens(f.name)
	if len(all) == 0 {
		return
	}
	head := all
	if cut := taglineCut(f.name); cut > 0 {
		if h := tokens(f.name[:cut]); len(h) > 0 {
			head = h
		}
	}
	add := func(words []string) {
		s := strings.Join(words, "")
		if s == "" {
			return
		}
		r := []rune(s)
		for _, v := range f.nameVariants {
			if string(v) == s {
				return
			}
		}
		f.nameVariants = append(f.nameVariants, r)
		f.nameGeneric = append(f.nameGeneric, genericSet.generic(s))
	}
	add(all)
	add(stripFiller(all))
	add(stripFiller(head))
	if len(f.nameVariants) > 0 {
		// "EasyLoanApp" is EasyLoan with "App" glued on.
		last := string(f.nameVariants[len(f.nameVariants)-1])
		if c := stripGluedFiller(last); c != last {
			add([]string{c})
		}
	}

	// The distinctive part: the head without generic words at its ends
	// ("Barwaqt" in "Barwaqt Cash - Fast Loan").
	f.nameDistinct = distinctPart(head)
	f.lookAlikes = usesLookAlikes(f.name)
	var b strings.Builder
	for _, r := range strings.ToLower(f.name) {
		if isWordRune(r) {
			b.WriteRune(r)
		}
	}
	f.nameLetters = b.String()
}

// distinctPart drops generic words from the ends of a name as long as
// what is left is still distinctive and at least five letters ("Rupee
// Tree Loan" → "rupeetree", not "tree"); "" when nothing distinctive is
// left.
func distinctPart(words []string) string {
	ok := func(w []string) bool {
		s := strings.Join(w, "")
		return runeLen(s) >= 5 && genericSet.generic(s) == 0
	}
	if !ok(words) {
		return ""
	}
	for len(words) > 1 && genericSet.segments(words[len(words)-1]) > 0 && ok(words[:len(words)-1]) {
		words = words[:len(words)-1]
	}
	for len(words) > 1 && genericSet.segments(words[0]) > 0 && ok(words[1:]) {
		words = words[1:]
	}
	return strings.Join(words, "")
}

// NameCore is the skeleton of a name's own part: the title before a
// tagline, without filler words at its ends ("PK", "App", "Official",
// "Online", version numbers). "EasyLoan PK - Instant Cash" and "Easy Loan
// App" both give "easyloan", so a list of approved apps can be looked up
// by it.
func NameCore(name string) string {
	words := tokens(name)
	if cut := taglineCut(name); cut > 0 {
		if h := tokens(name[:cut]); len(h) > 0 {
			words = h
		}
	}
	return stripGluedFiller(strings.Join(stripFiller(words), ""))
}

func taglineCut(name string) int {
	cut := -1
	for _, sep := range taglineSeparators {
		if i := strings.Index(name, sep); i > 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	return cut
}

// canonicalEmail returns the address as one mailbox is known whatever way
// it is written (Gmail ignores dots and "+tags"), and its host.
func canonicalEmail(raw string) (addr, host string, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", false
	}
	id := identifier.Parse(identifier.Email, raw)
	if !id.Valid {
		return "", "", false
	}
	local, domain, _ := strings.Cut(id.Value, "@")
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain, id.Host, true
}

// parseContacts reads a contact given as a match key or as written; a
// value with a note ("+92 333 5577991 (WhatsApp only)") gives what it
// holds. Values on the warning lists (helplines, platforms) are dropped;
// one that cannot be read at all compares as written, trimmed and
// lower-cased.
func parseContacts(raw string) []contact {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxNameBytes {
		return nil
	}
	var id identifier.ID
	if t, rest, ok := strings.Cut(raw, ":"); ok {
		if ty, known := identifier.ParseType(t); known && string(ty) == strings.ToLower(t) {
			id = identifier.Parse(ty, rest)
		}
	}
	if !id.Valid {
		id = identifier.Detect(raw)
	}
	if id.Valid {
		if c, ok := contactOf(id); ok {
			return []contact{c}
		}
		return nil
	}
	var out []contact
	found := false
	for _, f := range identifier.Extract(raw) {
		found = true
		if c, ok := contactOf(f.ID); ok {
			out = append(out, c)
		}
	}
	if found {
		return out
	}
	// Compared on the value after any "type:" or "chain:" prefix, so that
	// "crypto:tron:TXk…" and "TXk…" are one address even when its
	// checksum fails.
	k := raw
	if i := strings.LastIndexByte(k, ':'); i >= 0 && i+1 < len(k) {
		k = k[i+1:]
	}
	k = strings.ToLower(strings.TrimSpace(k))
	return []contact{{key: "raw:" + k, value: k}}
}

func contactOf(id identifier.ID) (contact, bool) {
	if _, listed := warninglist.Default().Match(id); listed {
		return contact{}, false
	}
	c := contact{key: id.Key, kind: id.Type, value: id.Value}
	switch id.Type {
	case identifier.Phone:
		c.number = id.Value
	case identifier.Wallet:
		c.detail = id.Provider
		if _, n, ok := strings.Cut(id.Value, ":"); ok {
			c.number, c.value = n, n
		}
	case identifier.Social:
		c.detail = id.Platform
		if _, h, ok := strings.Cut(id.Value, ":"); ok {
			c.value = h
		}
	}
	return c, true
}

// compare scores two listings; it is symmetric in its score.
func compare(a, b *features) Match {
	var reasons []Reason
	var groups []float64
	var look []Reason

	if r, ok := comparePackage(a, b); ok {
		reasons = append(reasons, r)
		groups = append(groups, r.Weight)
	}
	if r, ok := comparePackageNear(a, b); ok {
		look = append(look, r)
	}
	if r, ok := compareDeveloper(a, b); ok {
		reasons = append(reasons, r)
		groups = append(groups, r.Weight)
	}
	for _, r := range compareEmails(a, b) {
		reasons = append(reasons, r)
		groups = append(groups, r.Weight)
	}
	for _, r := range compareMailboxNames(a, b) {
		reasons = append(reasons, r)
		groups = append(groups, r.Weight)
	}
	for _, r := range compareContacts(a, b) {
		reasons = append(reasons, r)
		groups = append(groups, r.Weight)
	}
	if r, near, ok := compareSites(a, b); ok {
		if near {
			look = append(look, r)
		} else {
			reasons = append(reasons, r)
			groups = append(groups, r.Weight)
		}
	}
	if r, ok := compareNames(a, b); ok {
		look = append(look, r)
	}
	if len(look) > 0 {
		// Look-alikes of one listing are not independent (the domain
		// is usually the name): the strongest counts, each other adds a
		// little, and together they stay below certainty.
		best := 0.0
		for _, r := range look {
			best = max(best, r.Weight)
		}
		g := math.Min(lookAlikeCap, best+lookAlikeExtra*float64(len(look)-1))
		groups = append(groups, g)
		reasons = append(reasons, look...)
	}

	// In a fixed order, so that the score is the same both ways round to
	// the last bit.
	slices.Sort(groups)
	miss := 1.0
	for _, g := range groups {
		miss *= 1 - g
	}
	score := math.Round((1-miss)*1000) / 1000
	score = math.Max(0, math.Min(1, score))
	slices.SortStableFunc(reasons, func(x, y Reason) int {
		return cmp.Or(cmp.Compare(y.Weight, x.Weight), strings.Compare(x.Text, y.Text))
	})
	return Match{Ref: a.ref, Score: score, Reasons: reasons}
}
