package greyline

import (
	"errors"
	"strings"
)

// ParseRupees reads an amount people write ("75,000", "Rs 1,25,000.50",
// "2500") into paisa, exactly: no floating point.
func ParseRupees(s string) (int64, error) {
	s = strings.TrimSpace(s)
	for _, p := range []string{"Rs.", "Rs", "PKR", "rs.", "rs", "pkr"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", "")
	if s == "" {
		return 0, errors.New("is empty")
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (len(frac) == 0 || len(frac) > 2 || !allDigits(frac))) {
		return 0, errors.New("must be an amount in rupees, e.g. 75,000 or 1250.50")
	}
	if len(whole) > 15 {
		return 0, errors.New("is too large")
	}
	var rupees int64
	for _, c := range whole {
		rupees = rupees*10 + int64(c-'0')
	}
	var paisa int64
	if hasFrac {
		for i := 0; i < 2; i++ {
			paisa *= 10
			if i < len(frac) {
				paisa += int64(frac[i] - '0')
			}
		}
	}
	return rupees*100 + paisa, nil
}
