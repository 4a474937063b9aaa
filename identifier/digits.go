package identifier

// digitAt decodes the digit at s[i]: an ASCII digit, an Extended
// Arabic-Indic (Urdu) digit ۰–۹, an Arabic-Indic digit ٠–٩ or a full-width
// digit ０–９. It returns the ASCII digit and the byte length, or n = 0.
//
// Urdu keyboards type U+06F0–U+06F9; text copied from Arabic sources and some
// phones' SMS apps carries U+0660–U+0669. Both appear in complaints.
func digitAt(s string, i int) (d byte, n int) {
	c := s[i]
	if c >= '0' && c <= '9' {
		return c, 1
	}
	if i+1 < len(s) {
		c1 := s[i+1]
		switch c {
		case 0xDB: // U+06F0–U+06F9 is DB B0–DB B9
			if c1 >= 0xB0 && c1 <= 0xB9 {
				return '0' + c1 - 0xB0, 2
			}
		case 0xD9: // U+0660–U+0669 is D9 A0–D9 A9
			if c1 >= 0xA0 && c1 <= 0xA9 {
				return '0' + c1 - 0xA0, 2
			}
		}
	}
	if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99 {
		return '0' + s[i+2] - 0x90, 3
	}
	return 0, 0
}

// digitBefore decodes the digit that ends at s[end], as digitAt.
func digitBefore(s string, end int) (d byte, n int) {
	for n := 1; n <= 3 && end-n >= 0; n++ {
		if d, m := digitAt(s, end-n); m == n {
			return d, n
		}
	}
	return 0, 0
}

// asciiDigits returns s with every digit form converted to ASCII, or s
// itself when it already is.
func asciiDigits(s string) string {
	i := 0
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			break
		}
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for i < len(s) {
		if d, n := digitAt(s, i); n > 1 {
			b = append(b, d)
			i += n
			continue
		}
		b = append(b, s[i])
		i++
	}
	return string(b)
}

// digitsOnly collects the digits of s into buf, skipping the separators
// people put inside numbers (space, -, ., /, parentheses and invisible
// marks). ok is false if s holds anything else or more than len(buf) digits.
func digitsOnly(s string, buf []byte) (digits []byte, ok bool) {
	digits = buf[:0]
	for i := 0; i < len(s); {
		if d, n := digitAt(s, i); n > 0 {
			if len(digits) == cap(buf) {
				return digits, false
			}
			digits = append(digits, d)
			i += n
			continue
		}
		switch s[i] {
		case ' ', '-', '.', '/', '(', ')', '\t':
			i++
			continue
		}
		if n := invisibleAt(s, i); n > 0 {
			i += n
			continue
		}
		if n := dashAt(s, i); n > 0 {
			i += n
			continue
		}
		return digits, false
	}
	return digits, true
}

// allSame reports whether every byte of b is the same, which marks the
// placeholder numbers ("0000000000000", "1111111111111") that forms get.
func allSame(b []byte) bool {
	for i := 1; i < len(b); i++ {
		if b[i] != b[0] {
			return false
		}
	}
	return true
}

// luhn reports whether the digits pass the Luhn check.
func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// dashAt returns the length of a Unicode dash (U+2010–U+2015) at s[i], or 0.
// Word processors and phones substitute these for "-" in numbers.
func dashAt(s string, i int) int {
	if i+2 < len(s) && s[i] == 0xE2 && s[i+1] == 0x80 && s[i+2] >= 0x90 && s[i+2] <= 0x95 {
		return 3
	}
	return 0
}

// isDigitAt reports whether a digit in any script starts at s[i].
func isDigitAt(s string, i int) bool {
	_, n := digitAt(s, i)
	return n > 0
}

// isDigitBefore reports whether a digit in any script ends at s[end].
func isDigitBefore(s string, end int) bool {
	_, n := digitBefore(s, end)
	return n > 0
}
