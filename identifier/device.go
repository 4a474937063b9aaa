package identifier

import (
	"net/netip"
	"strings"
)

// parseIMEI reads a 15-digit IMEI, allowing the spaces, dashes and slashes
// that handsets show between its parts, and checks the Luhn digit. A
// 16-digit IMEISV and a 14-digit IMEI without its check digit are refused
// with a reason saying so, because they cannot be compared with a full IMEI
// reliably.
func parseIMEI(s string) ID {
	if hasPrefixFold(s, "imei") {
		s = strings.TrimLeft(s[4:], " :#-")
	}
	var buf [20]byte
	d, ok := digitsOnly(s, buf[:])
	if !ok {
		return invalid(s, "an IMEI has only digits")
	}
	switch {
	case len(d) == 14:
		return invalid(string(d), "an IMEI has 15 digits; this looks like one without its last (check) digit")
	case len(d) == 16:
		return invalid(string(d), "this has 16 digits, an IMEISV; give the 15-digit IMEI shown by *#06#")
	case len(d) != 15:
		return invalid(string(d), "an IMEI has 15 digits, this has "+itoa(len(d)))
	}
	if allSame(d) {
		return invalid(string(d), "an IMEI is not one digit repeated")
	}
	if !luhn(d) {
		return invalid(string(d), "the IMEI check digit does not match; a digit is probably mistyped")
	}
	key := "imei:" + string(d)
	return ID{Value: key[len("imei:"):], Key: key, Valid: true}
}

// parseIP reads an IPv4 or IPv6 address, with or without a port or the
// brackets around IPv6. The value is the address in its standard form;
// IPv4-mapped IPv6 addresses become plain IPv4 so that both spellings link.
// Zones ("fe80::1%eth0") are refused: they only mean something on one
// machine.
func parseIP(s string) ID {
	a, err := netip.ParseAddr(s)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(s); err2 == nil {
			a, err = ap.Addr(), nil
		} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			a, err = netip.ParseAddr(s[1 : len(s)-1])
		}
	}
	if err != nil {
		return invalid(s, "not an IPv4 or IPv6 address")
	}
	if a.Zone() != "" {
		return invalid(s, "an IP address with a zone (%…) only means something on one machine")
	}
	a = a.Unmap()
	v := a.String()
	key := "ip:" + v
	return ID{Value: key[len("ip:"):], Key: key, Valid: true, Kind: ipKind(a)}
}

func ipKind(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return "link_local"
	case a.IsMulticast():
		return "multicast"
	case a.IsUnspecified() || !a.IsGlobalUnicast():
		return "reserved"
	}
	return "public"
}
