package netsvg

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText makes caller text safe to show: invalid UTF-8 and characters
// XML 1.0 forbids become U+FFFD (so the output always parses), bidi
// controls are dropped (so a label cannot reorder the text around it), and
// runs of white space become one space. Escaping happens when writing.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			r = unicode.ReplacementChar
		case unicode.IsSpace(r) || r < 0x20 || r == 0x7f:
			space = b.Len() > 0
			continue
		case isBidi(r) || r == 0xfeff:
			continue
		case !xmlChar(r):
			r = unicode.ReplacementChar
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0a || r == 0x0d ||
		r >= 0x20 && r <= 0xd7ff ||
		r >= 0xe000 && r <= 0xfffd ||
		r >= 0x10000 && r <= 0x10ffff
}

func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

// truncate shortens s to at most limit runes, ending with an ellipsis.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	n := 0
	for i := range s {
		if n == limit-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// safeHref returns h if it is a same-site path, or "" to draw no link.
// "//host" and "/\host" are rejected because browsers treat both as another
// site, and control characters or spaces because browsers strip some of
// them ("/\t/host" becomes "//host").
func safeHref(h string) string {
	if len(h) == 0 || h[0] != '/' || len(h) > 1 && (h[1] == '/' || h[1] == '\\') {
		return ""
	}
	if !utf8.ValidString(h) || len(h) > 2048 {
		return ""
	}
	for _, r := range h {
		if r <= ' ' || r == 0x7f || r == '\\' || !xmlChar(r) || isBidi(r) || unicode.IsSpace(r) {
			return ""
		}
	}
	return h
}

func stateOf(s string) string {
	switch s {
	case StateHeld, StateListed, StateRejected, StateConfirmed:
		return s
	}
	return ""
}

// escape appends s to b, escaped for both text and double- or
// single-quoted attribute values. s must already be cleaned.
func escape(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&quot;"
		case '\'':
			rep = "&#39;"
		case '\t':
			rep = "&#9;"
		case '\n':
			rep = "&#10;"
		case '\r':
			rep = "&#13;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, rep...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
