package greyline

import "strings"

// MaskCNIC hides all but the last four digits: "*****-****567-1".
func MaskCNIC(c string) string {
	if c == "" {
		return ""
	}
	var b strings.Builder
	digits := 0
	for _, r := range c {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	seen := 0
	for _, r := range c {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= digits-4 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaskPassport hides all but the last three characters.
func MaskPassport(p string) string {
	if len(p) <= 3 {
		return strings.Repeat("*", len(p))
	}
	return strings.Repeat("*", len(p)-3) + p[len(p)-3:]
}
