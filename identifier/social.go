package identifier

import "strings"

// platform is a social-media service: the hosts of its profile links and
// the words people use for it in text.
type platform struct {
	name  string
	hosts []string
	words []string // lower case, longest first where one is a prefix of another
	// handleFromPath returns the handle in a profile link's path
	// segments, or "" if the link is not a profile (a post, a group, …).
	handleFromPath func(segs []string, query string) string
	// valid checks a handle and says what it should look like.
	valid func(h string) bool
	rule  string
}

var platforms = []platform{
	{
		name:  "facebook",
		hosts: []string{"facebook.com", "m.facebook.com", "web.facebook.com", "mbasic.facebook.com", "business.facebook.com", "fb.com", "fb.me"},
		words: []string{"facebook", "fb", "فیس بک", "فیسبک"},
		handleFromPath: func(segs []string, q string) string {
			switch strings.ToLower(segs[0]) {
			case "profile.php":
				return queryParam(q, "id")
			case "people":
				if len(segs) >= 3 {
					return segs[2]
				}
				return ""
			case "groups", "pages", "events", "watch", "marketplace", "share", "sharer", "sharer.php",
				"story.php", "permalink.php", "photo", "photo.php", "photos", "videos", "reel", "reels",
				"login", "login.php", "help", "hashtag", "gaming", "ads", "privacy", "policies", "l.php", "messages", "stories":
				return ""
			}
			return segs[0]
		},
		valid: func(h string) bool { return handleChars(h, 1, 50, ".") },
		rule:  "a Facebook username has letters, digits and dots",
	},
	{
		name:  "instagram",
		hosts: []string{"instagram.com", "m.instagram.com", "instagr.am"},
		words: []string{"instagram", "insta", "ig", "انسٹاگرام", "انسٹا"},
		handleFromPath: func(segs []string, q string) string {
			switch strings.ToLower(segs[0]) {
			case "stories":
				if len(segs) >= 2 {
					return segs[1]
				}
				return ""
			case "p", "reel", "reels", "tv", "explore", "accounts", "direct", "about", "legal", "developer":
				return ""
			}
			return segs[0]
		},
		valid: func(h string) bool { return handleChars(h, 1, 30, "._") },
		rule:  "an Instagram handle has 1 to 30 letters, digits, dots and underscores",
	},
	{
		name:  "tiktok",
		hosts: []string{"tiktok.com", "m.tiktok.com"},
		words: []string{"tiktok", "tik tok", "ٹک ٹاک", "ٹک ٹوک"},
		handleFromPath: func(segs []string, q string) string {
			if h, ok := strings.CutPrefix(segs[0], "@"); ok {
				return h
			}
			return ""
		},
		valid: func(h string) bool { return handleChars(h, 2, 24, "._") },
		rule:  "a TikTok handle has 2 to 24 letters, digits, dots and underscores",
	},
	{
		name:  "x",
		hosts: []string{"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"},
		words: []string{"twitter", "x.com"},
		handleFromPath: func(segs []string, q string) string {
			switch strings.ToLower(segs[0]) {
			case "i", "intent", "share", "home", "search", "hashtag", "explore", "settings", "messages", "notifications", "login", "tos", "privacy":
				return ""
			}
			return segs[0]
		},
		valid: func(h string) bool { return handleChars(h, 1, 15, "_") },
		rule:  "an X (Twitter) handle has 1 to 15 letters, digits and underscores",
	},
	{
		name:  "telegram",
		hosts: []string{"t.me", "telegram.me", "telegram.dog"},
		words: []string{"telegram", "tg", "ٹیلیگرام"},
		handleFromPath: func(segs []string, q string) string {
			switch s := strings.ToLower(segs[0]); {
			case s == "s" && len(segs) >= 2:
				return segs[1]
			case s == "joinchat" || s == "addstickers" || s == "share" || s == "proxy" || s == "c" || s == "s" || strings.HasPrefix(s, "+"):
				return ""
			}
			return segs[0]
		},
		valid: func(h string) bool { return handleChars(h, 4, 32, "_") && isLetter(h[0]) },
		rule:  "a Telegram username has 4 to 32 letters, digits and underscores, starting with a letter",
	},
	{
		name:  "youtube",
		hosts: []string{"youtube.com", "m.youtube.com"},
		words: []string{"youtube", "yt", "یوٹیوب"},
		handleFromPath: func(segs []string, q string) string {
			switch strings.ToLower(segs[0]) {
			case "c", "user", "channel":
				if len(segs) >= 2 {
					return strings.ToLower(segs[0]) + "/" + segs[1]
				}
				return ""
			}
			if strings.HasPrefix(segs[0], "@") {
				return segs[0]
			}
			return ""
		},
		valid: validYouTube,
		rule:  "a YouTube channel is @handle, c/name, user/name or channel/ID",
	},
	{
		name:  "snapchat",
		hosts: []string{"snapchat.com"},
		words: []string{"snapchat", "snap"},
		handleFromPath: func(segs []string, q string) string {
			if strings.EqualFold(segs[0], "add") && len(segs) >= 2 {
				return segs[1]
			}
			return ""
		},
		valid: func(h string) bool { return handleChars(h, 3, 15, "._-") },
		rule:  "a Snapchat username has 3 to 15 letters, digits, dots, hyphens and underscores",
	},
	{
		name:  "linkedin",
		hosts: []string{"linkedin.com", "pk.linkedin.com"},
		words: []string{"linkedin"},
		handleFromPath: func(segs []string, q string) string {
			switch strings.ToLower(segs[0]) {
			case "in", "company":
				if len(segs) >= 2 {
					return strings.ToLower(segs[0]) + "/" + segs[1]
				}
			}
			return ""
		},
		valid: func(h string) bool {
			p, rest, ok := strings.Cut(h, "/")
			return ok && (p == "in" || p == "company") && handleChars(rest, 3, 100, "-_")
		},
		rule: "a LinkedIn profile is in/name or company/name",
	},
	{
		name:  "threads",
		hosts: []string{"threads.net", "threads.com"},
		words: []string{"threads"},
		handleFromPath: func(segs []string, q string) string {
			if h, ok := strings.CutPrefix(segs[0], "@"); ok {
				return h
			}
			return ""
		},
		valid: func(h string) bool { return handleChars(h, 1, 30, "._") },
		rule:  "a Threads handle has 1 to 30 letters, digits, dots and underscores",
	},
}

// Platforms lists the social-media platforms this package knows.
func Platforms() []string {
	out := make([]string, len(platforms))
	for i, p := range platforms {
		out[i] = p.name
	}
	return out
}

func handleChars(h string, min, max int, extra string) bool {
	if len(h) < min || len(h) > max {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !isAlnum(c) && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

func validYouTube(h string) bool {
	if rest, ok := strings.CutPrefix(h, "@"); ok {
		return handleChars(rest, 3, 30, "._-")
	}
	p, rest, ok := strings.Cut(h, "/")
	if !ok {
		return false
	}
	switch p {
	case "c", "user":
		return handleChars(rest, 1, 100, "._-")
	case "channel":
		return handleChars(rest, 24, 24, "_-") && strings.HasPrefix(rest, "UC")
	}
	return false
}

func queryParam(q, name string) string {
	for p := range strings.SplitSeq(q, "&") {
		if v, ok := strings.CutPrefix(p, name+"="); ok {
			return v
		}
	}
	return ""
}

func platformByHost(host string) *platform {
	host = strings.TrimPrefix(host, "www.")
	for i := range platforms {
		for _, h := range platforms[i].hosts {
			if host == h {
				return &platforms[i]
			}
		}
	}
	return nil
}

// platformAt returns the platform whose name starts s, as a whole word.
func platformAt(s string) (string, int) {
	best, n := platformNames.at(s)
	// Canonical values name the platform exactly as in keys.
	for _, p := range platforms {
		if len(p.name) > n && hasPrefixFold(s, p.name) && len(s) > len(p.name) && s[len(p.name)] == ':' {
			best, n = p.name, len(p.name)
		}
	}
	return best, n
}

func platformNamed(name string) *platform {
	for i := range platforms {
		if platforms[i].name == name {
			return &platforms[i]
		}
	}
	return nil
}

// socialFiller are the words between a platform and a handle, in English,
// Roman Urdu and Urdu: "Instagram ID: @x", "@x on Instagram", "@x naam se
// TikTok par".
var socialFiller = []string{
	"id", "handle", "page", "account", "acc", "profile", "username", "user", "channel", "name",
	"on", "at", "from", "in", "pe", "par", "per", "py", "ka", "ki", "ke", "se", "is", "naam",
	"پر", "پہ", "کا", "کی", "کے", "سے", "آئی ڈی", "اکاؤنٹ", "پیج", "چینل",
}

// isHandleEnd reports whether a word ends at s[i] when handles are about:
// dots, underscores and slashes continue a handle ("user_0", "channel/UC…").
func isHandleEnd(s string, i int) bool {
	return i == len(s) || !isAlnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '/'
}

func skipSocialFiller(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c == ' ' || c == ':' || c == '-' || c == ',' || c == '(' || c == ')' || c == '\t' || c == '=' {
			i++
			continue
		}
		if n := invisibleAt(s, i); n > 0 {
			i += n
			continue
		}
		matched := 0
		for _, f := range socialFiller {
			// "channel/UC…" is a YouTube handle, not the word channel.
			if len(f) > matched && hasPrefixFold(s[i:], f) && isHandleEnd(s, i+len(f)) {
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

// parseSocial reads a handle with its platform: a profile link
// ("instagram.com/ali.trader", "t.me/fastloans"), a phrase naming the
// platform ("@ali.trader on Instagram", "Insta ID: @ali.trader") or the
// canonical "instagram:ali.trader". Handles are case-insensitive on every
// platform here, so the value and key are lower case, except YouTube
// channel ids, which are not.
func parseSocial(s string) ID {
	if looksLikeLink(s) {
		if p, h, reason := socialFromLink(s); reason == "" {
			return socialID(p, h)
		} else if p != nil {
			return invalid(s, reason)
		}
	}
	name, handle, ok := splitSocial(s)
	if !ok {
		if _, n := platformAt(s); n == 0 && !strings.Contains(s, " on ") {
			return invalid(s, "name the platform with the handle, e.g. @name on Instagram")
		}
		return invalid(s, "give the handle with its platform, e.g. @name on Instagram or instagram.com/name")
	}
	p := platformNamed(name)
	if p.name != "youtube" {
		handle = strings.TrimPrefix(handle, "@")
	} else if !strings.HasPrefix(handle, "@") && !strings.Contains(handle, "/") {
		handle = "@" + handle
	}
	if !p.valid(handle) {
		return invalid(s, p.rule)
	}
	return socialID(p, handle)
}

// splitSocial finds the platform and the handle in "PLATFORM filler HANDLE"
// or "HANDLE filler PLATFORM".
func splitSocial(s string) (platform, handle string, ok bool) {
	// The canonical form, "instagram:handle", is read as it is.
	if name, h, found := strings.Cut(s, ":"); found && platformNamed(name) != nil && h != "" && !strings.ContainsAny(h, " \t") {
		return name, h, true
	}
	if name, n := platformAt(s); n > 0 {
		if n < len(s) && s[n] == '.' {
			return "", "", false // "facebook.com" is the platform's host, not a handle
		}
		i := skipSocialFiller(s, n)
		h := s[i:]
		if h == "" {
			// The handle itself looked like a filler word
			// ("instagram:on", "facebook: py"): it is the last word.
			h = s[n:]
			if k := strings.LastIndexAny(h, " \t:"); k >= 0 {
				h = h[k+1:]
			}
		}
		if h == "" || strings.ContainsAny(h, " \t") {
			return "", "", false
		}
		return name, h, true
	}
	end := strings.IndexAny(s, " \t")
	if end <= 0 {
		return "", "", false
	}
	h := s[:end]
	i := skipSocialFiller(s, end)
	if name, n := platformAt(s[i:]); n > 0 && strings.TrimSpace(s[i+n:]) == "" {
		return name, h, true
	}
	return "", "", false
}

// socialFromLink reads a profile link. It returns the platform even when the
// link is not a profile, so the caller can say why.
func socialFromLink(s string) (*platform, string, string) {
	l, reason := parseLink(s)
	if reason != "" {
		return nil, "", reason
	}
	p := platformByHost(l.host)
	if p == nil {
		return nil, "", "not a link to a social-media profile"
	}
	var segs []string
	for seg := range strings.SplitSeq(l.path, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	if len(segs) == 0 {
		return p, "", "the link goes to " + p.name + " itself, not to a profile"
	}
	h := p.handleFromPath(segs, l.query)
	if notAHandle(h) {
		h = ""
	}
	if h == "" {
		return p, "", "the link goes to a " + p.name + " post, group or page, not to a profile"
	}
	if !p.valid(h) {
		return p, "", p.rule
	}
	return p, h, ""
}

func socialID(p *platform, handle string) ID {
	v := handle
	if !(p.name == "youtube" && strings.HasPrefix(handle, "channel/")) {
		v = lowerASCII(handle)
	}
	value := p.name + ":" + v
	return ID{Value: value, Key: "social:" + p.name + ":" + lowerASCII(v), Valid: true, Platform: p.name}
}

// looksLikeLink reports whether s is written as a link: with a scheme, or as
// host.tld/path.
func looksLikeLink(s string) bool {
	if strings.Contains(s, "://") {
		return true
	}
	slash := strings.IndexByte(s, '/')
	if slash <= 0 {
		return false
	}
	host := s[:slash]
	return strings.IndexByte(host, '.') > 0 && !strings.ContainsAny(host, ": @")
}

// notAHandle reports a path that names a file or a host, not a profile:
// "facebook.com/index.html" is the site's page, and no platform here
// allows a handle ending in ".com" or ".net".
func notAHandle(h string) bool {
	l := lowerASCII(h)
	for _, ext := range []string{".html", ".htm", ".php", ".asp", ".aspx", ".jsp", ".com", ".net"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}
