package reappear

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/greyline/greyline/identifier"
)

// freeMail are mail providers anyone can sign up with: two addresses
// there share nothing but the provider.
var freeMail = setOf(`
gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.co.in ymail.com rocketmail.com hotmail.com
hotmail.co.uk outlook.com live.com msn.com icloud.com me.com mac.com aol.com proton.me protonmail.com
pm.me gmx.com gmx.net mail.com email.com yandex.com yandex.ru zoho.com zohomail.com qq.com 163.com
126.com sina.com foxmail.com rediffmail.com tutanota.com tuta.io mail.ru inbox.com hushmail.com
`)

// platformDomains are sites that host many unrelated owners' pages, files
// or listings under one domain (stores, APK mirrors, social networks,
// file lockers, link shorteners, form builders): being on one of them is
// no evidence of who is behind a listing.
var platformDomains = setOf(`
google.com goo.gl forms.gle youtube.com youtu.be facebook.com fb.com fb.me messenger.com instagram.com
whatsapp.com whatsapp.net wa.me t.me telegram.me telegram.org tiktok.com x.com twitter.com
linkedin.com snapchat.com threads.net pinterest.com reddit.com quora.com
apple.com microsoft.com live.com office.com sharepoint.com amazon.com amazonaws.com cloudfront.net
googleusercontent.com googleapis.com gstatic.com appspot.com
apkpure.com apkpure.net apkcombo.com apkmirror.com uptodown.com aptoide.com apk.support apkmonk.com
apksupport.com apkfab.com softonic.com malavida.com mob.org happymod.com an1.com apkmody.io
huawei.com samsung.com mi.com xiaomi.com
mediafire.com dropbox.com mega.nz mega.io box.com wetransfer.com 4shared.com zippyshare.com
github.com gitlab.com bitbucket.org sourceforge.net
bit.ly tinyurl.com cutt.ly shorturl.at rb.gy is.gd ow.ly t.co linktr.ee lnk.bio beacons.ai
jotform.com typeform.com wix.com daraz.pk olx.com.pk
`)

// hostingPlatforms give each customer a site under their own domain
// ("easyloan.blogspot.com"): such a site is compared on its full host, not
// on the platform's domain. Most are also on the public suffix list's
// private section; these are listed for the ones that are not.
var hostingPlatforms = []string{
	"blogspot.com", "wordpress.com", "wixsite.com", "weebly.com", "000webhostapp.com",
	"netlify.app", "vercel.app", "github.io", "gitlab.io", "web.app", "firebaseapp.com",
	"herokuapp.com", "pages.dev", "workers.dev", "glitch.me", "carrd.co", "godaddysites.com",
	"webflow.io", "mystrikingly.com", "strikingly.com", "business.site", "site123.me",
	"yolasite.com", "tumblr.com", "substack.com", "square.site", "myshopify.com",
	"azurewebsites.net", "onrender.com", "replit.app", "repl.co", "fly.dev", "surge.sh",
	"tilda.ws", "jimdosite.com", "webnode.page", "simdif.com", "ueniweb.com", "odoo.com",
	"framer.website", "durable.co", "sites.google.com",
}

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// site is a web presence a listing owns: a registrable domain, or a site on
// a hosting platform.
type site struct {
	unit      string // "easyloan.pk", or "easyloan.blogspot.com" on a platform
	suffix    string // "pk", "com.pk", "blogspot.com"
	raw       string // the unit without its suffix, lower case, in the letters it shows
	label     string // the same, folded ("easyloan")
	labelGen  int    // wordSet.generic of label
	core      string // label without filler words ("easyloan" for "get-easyloan-pk")
	coreGen   int    // wordSet.generic of core
	coreRunes []rune
	hosted    bool // on a hosting platform
	fromEmail bool // known only from an e-mail address
}

// siteOf returns the site a host belongs to, if it is evidence of an owner.
func siteOf(host string) (site, bool) {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	host = strings.TrimPrefix(host, "www.")
	if host == "" || strings.ContainsAny(host, ":[]/ ") {
		return site{}, false
	}
	for _, p := range hostingPlatforms {
		if host == p {
			return site{}, false
		}
		if strings.HasSuffix(host, "."+p) {
			rest := strings.TrimSuffix(host, "."+p)
			if i := strings.LastIndexByte(rest, '.'); i >= 0 {
				rest = rest[i+1:]
			}
			return newSite(rest+"."+p, rest, p, true), true
		}
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil || platformDomains[reg] || freeMail[reg] {
		return site{}, false
	}
	suffix, icann := publicsuffix.PublicSuffix(reg)
	if platformDomains[suffix] {
		return site{}, false
	}
	label := strings.TrimSuffix(reg, "."+suffix)
	if label == reg || label == "" {
		return site{}, false
	}
	// A private suffix on the public suffix list (blogspot.com, github.io)
	// is a hosting platform by definition.
	return newSite(reg, label, suffix, !icann && strings.Contains(suffix, ".")), true
}

func newSite(unit, label, suffix string, hosted bool) site {
	if u, err := idna.ToUnicode(label); err == nil {
		// A look-alike domain in another script ("еasyloan" with a
		// Cyrillic е) is compared in the letters it shows.
		label = u
	}
	words := tokens(strings.ReplaceAll(label, "-", " "))
	s := site{unit: unit, suffix: suffix, raw: strings.ToLower(label), label: strings.Join(words, ""), hosted: hosted}
	s.core = domainCore(words)
	s.coreRunes = []rune(s.core)
	s.labelGen = genericSet.generic(s.label)
	s.coreGen = genericSet.generic(s.core)
	return s
}

// domainCore drops the filler words added around a label: "get",
// "-pk", "app", "online" ("geteasyloan-online" → "easyloan").
func domainCore(words []string) string {
	words = stripFiller(words)
	s := strings.Join(words, "")
	for _, p := range foldedPrefixes {
		if strings.HasPrefix(s, p) && runeLen(s)-runeLen(p) >= 5 {
			s = s[len(p):]
			break
		}
	}
	return stripGluedFiller(s)
}

// stripFiller drops filler words from both ends of a word list, keeping at
// least one word.
func stripFiller(words []string) []string {
	for len(words) > 1 && (fillerSet.words[words[len(words)-1]] || isDigits(words[len(words)-1])) {
		words = words[:len(words)-1]
	}
	for len(words) > 1 && (fillerSet.words[words[0]] || prefixSet.words[words[0]]) {
		words = words[1:]
	}
	return words
}

// stripGluedFiller drops a filler word glued to the end of a word
// ("easyloanapp", "easyloanonline") when enough is left to be a name.
func stripGluedFiller(s string) string {
	for changed := true; changed; {
		changed = false
		t := strings.TrimRight(s, "0123456789")
		if t != s && runeLen(t) >= 4 {
			s, changed = t, true
		}
		for _, f := range fillerByLength {
			if strings.HasSuffix(s, f) && runeLen(s)-runeLen(f) >= 4 {
				s, changed = strings.TrimSuffix(s, f), true
				break
			}
		}
	}
	return s
}

// fillerByLength lists the filler words longest first, so that "apk" is
// dropped whole rather than as "pk".
var fillerByLength = func() []string {
	var l []string
	for f := range fillerSet.words {
		l = append(l, f)
	}
	slices.SortFunc(l, func(a, b string) int {
		return cmp.Or(cmp.Compare(runeLen(b), runeLen(a)), strings.Compare(a, b))
	})
	return l
}()

func runeLen(s string) int { return len([]rune(s)) }

// hostOf returns the host of a link or bare domain, "" if there is none.
func hostOf(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if id := identifier.Parse(identifier.URL, raw); id.Valid {
		return id.Host
	}
	if id := identifier.Parse(identifier.Domain, raw); id.Valid {
		return id.Host
	}
	return ""
}

// packageInURL finds an app id in a store link or an APK mirror's path
// ("apkpure.com/easy-loan/com.easyloan.app").
func packageInURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if id := identifier.Parse(identifier.App, raw); id.Valid {
		return id.Value
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	for _, seg := range strings.Split(u.Path, "/") {
		seg = strings.TrimSuffix(strings.ToLower(seg), ".apk")
		if looksLikePackage(seg) {
			return seg
		}
	}
	return ""
}

// looksLikePackage reports whether a path segment is an app id: three or
// more dotted parts starting with a reversed top-level domain, so that
// "index.html" or "loan.pk" are not taken for one.
func looksLikePackage(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 3 || !packageTLDs[parts[0]] {
		return false
	}
	for _, p := range parts {
		if p == "" || !(p[0] >= 'a' && p[0] <= 'z') {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}
