package identifier

import (
	"crypto/sha256"
	"strings"

	"golang.org/x/crypto/sha3"
)

// Chains of crypto addresses.
const (
	ChainBTC     = "btc"
	ChainETH     = "eth" // Ethereum and every EVM chain (BSC, Polygon, …): the addresses are the same
	ChainTron    = "tron"
	ChainUnknown = "unknown"
)

// parseCrypto reads a cryptocurrency address, with or without a payment-URI
// scheme ("bitcoin:…?amount=…").
//
// Bitcoin (base58check P2PKH and P2SH, bech32 and bech32m segwit),
// Ethereum-style and TRON addresses are verified by their checksums, so a
// mistyped address is reported as invalid. An address of any other shape is
// kept exactly as given with Chain "unknown" and counted as valid: we cannot
// prove it wrong, and fraudsters use many chains (USDT on Solana, TON, …),
// so it must still link complaints. It has to look like an address, though:
// 20 to 128 letters and digits, with at least one of each.
func parseCrypto(s string) ID {
	s = stripPaymentScheme(s)
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		return parseETH(s)
	case hasPrefixFold(s, "bc1"):
		return parseBech32Address(s)
	case len(s) >= 26 && len(s) <= 35 && (s[0] == '1' || s[0] == '3') && isBase58(s):
		return parseBase58Address(s, ChainBTC)
	case len(s) == 34 && s[0] == 'T' && isBase58(s):
		return parseBase58Address(s, ChainTron)
	}
	return parseUnknownCrypto(s)
}

// stripPaymentScheme removes "bitcoin:", "ethereum:" and similar prefixes
// and any query, which wallets add when they show a QR code as text.
func stripPaymentScheme(s string) string {
	for _, p := range [...]string{"bitcoin:", "ethereum:", "tron:", "usdt:"} {
		if hasPrefixFold(s, p) {
			s = s[len(p):]
			if i := strings.IndexAny(s, "?@/"); i >= 0 {
				s = s[:i]
			}
			return s
		}
	}
	return s
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = int8(i)
	}
	return t
}()

func isBase58(s string) bool {
	for i := 0; i < len(s); i++ {
		if base58Index[s[i]] < 0 {
			return false
		}
	}
	return true
}

// base58Decode decodes s into out, returning the decoded length, or -1 if s
// does not fit.
func base58Decode(s string, out []byte) int {
	size := len(out)
	var buf [64]byte
	if size > len(buf) {
		return -1
	}
	b := buf[:size]
	used := 0 // bytes at the end of b in use
	for i := 0; i < len(s); i++ {
		v := base58Index[s[i]]
		if v < 0 {
			return -1
		}
		carry := int(v)
		j := size - 1
		for ; j >= size-used || carry != 0; j-- {
			if j < 0 {
				return -1
			}
			carry += 58 * int(b[j])
			b[j] = byte(carry)
			carry >>= 8
		}
		used = size - 1 - j
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	n := zeros + used
	if n > size {
		return -1
	}
	copy(out, make([]byte, zeros))
	copy(out[zeros:], b[size-used:])
	return n
}

// parseBase58Address checks a 25-byte base58check address: a version byte
// (0x00 P2PKH or 0x05 P2SH for Bitcoin, 0x41 for TRON), a 20-byte hash and
// the first four bytes of a double SHA-256 of the rest. The value keeps its
// case, because base58 is case-sensitive.
func parseBase58Address(s, chain string) ID {
	var out [25]byte
	n := base58Decode(s, out[:])
	if n != 25 {
		return invalid(s, "not a "+chainName(chain)+" address: it decodes to the wrong length")
	}
	switch chain {
	case ChainBTC:
		if out[0] != 0x00 && out[0] != 0x05 {
			return invalid(s, "not a Bitcoin address: unknown version byte")
		}
	case ChainTron:
		if out[0] != 0x41 {
			return invalid(s, "not a TRON address: TRON addresses start with byte 0x41")
		}
	}
	h := sha256.Sum256(out[:21])
	h = sha256.Sum256(h[:])
	if h[0] != out[21] || h[1] != out[22] || h[2] != out[23] || h[3] != out[24] {
		return invalid(s, "the "+chainName(chain)+" address checksum does not match; a character is probably mistyped")
	}
	key := "crypto:" + chain + ":" + s
	return ID{Value: key[len(key)-len(s):], Key: key, Valid: true, Chain: chain}
}

func chainName(c string) string {
	switch c {
	case ChainBTC:
		return "Bitcoin"
	case ChainETH:
		return "Ethereum"
	case ChainTron:
		return "TRON"
	}
	return c
}

// parseETH checks an Ethereum-style address. When the hex digits are in
// mixed case they carry an EIP-55 checksum, which must match; all-lower and
// all-upper addresses carry none. The value is the EIP-55 form, which is what
// block explorers show; the key is lower case so that every spelling links.
func parseETH(s string) ID {
	if len(s) != 42 {
		return invalid(s, "an Ethereum address is 0x and 40 hex digits, this has "+itoa(len(s)-2))
	}
	var lower [40]byte
	hasUpper, hasLower := false, false
	for i := 0; i < 40; i++ {
		c := s[2+i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			hasLower = true
		case c >= 'A' && c <= 'F':
			hasUpper = true
			c += 'a' - 'A'
		default:
			return invalid(s, "an Ethereum address is 0x and 40 hex digits")
		}
		lower[i] = c
	}
	hash := keccak256(lower[:])
	var b [len("crypto:eth:0x") + 40 + 2 + 40]byte
	k := append(b[:0], "crypto:eth:0x"...)
	k = append(k, lower[:]...)
	k = append(k, '0', 'x')
	for i := 0; i < 40; i++ {
		c := lower[i]
		if c >= 'a' && hash[i/2]>>(4*(1-uint(i%2)))&0xf >= 8 {
			c -= 'a' - 'A'
		}
		k = append(k, c)
	}
	if hasUpper && hasLower && string(k[len(k)-40:]) != s[2:] {
		return invalid("0x"+string(lower[:]), "the Ethereum address checksum (EIP-55 capitals) does not match; a character is probably mistyped")
	}
	all := string(k)
	return ID{Value: all[len(all)-42:], Key: all[:len(all)-42], Valid: true, Chain: ChainETH}
}

func keccak256(b []byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Index maps a lower-case bech32 character to its 5-bit value.
var bech32Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(bech32Charset); i++ {
		t[bech32Charset[i]] = int8(i)
	}
	return t
}()

const (
	bech32Const  = 1
	bech32mConst = 0x2bc830a3
)

func bech32Polymod(values func(yield func(byte))) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	values(func(v byte) {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>uint(i))&1 == 1 {
				chk ^= gen[i]
			}
		}
	})
	return chk
}

// parseBech32Address checks a segwit address (BIP-173 and BIP-350): witness
// version 0 must use bech32 and a 20- or 32-byte program, versions 1 to 16
// must use bech32m. The value is lower case, as the BIPs define it.
func parseBech32Address(s string) ID {
	if len(s) > 90 {
		return invalid(s, "a bech32 address has at most 90 characters")
	}
	lower := lowerASCII(s)
	if lower != s && upperASCII(s) != s {
		return invalid(lower, "a bech32 address is all lower case or all upper case, not mixed")
	}
	sep := strings.LastIndexByte(lower, '1')
	if sep < 1 || len(lower)-sep-1 < 6 {
		return invalid(lower, "not a bech32 address")
	}
	hrp, data := lower[:sep], lower[sep+1:]
	var vals [90]byte
	for i := 0; i < len(data); i++ {
		v := bech32Index[data[i]]
		if v < 0 {
			return invalid(lower, "a bech32 address cannot contain "+quote(data[i:i+1]))
		}
		vals[i] = byte(v)
	}
	dv := vals[:len(data)]
	chk := bech32Polymod(func(yield func(byte)) {
		for i := 0; i < len(hrp); i++ {
			yield(hrp[i] >> 5)
		}
		yield(0)
		for i := 0; i < len(hrp); i++ {
			yield(hrp[i] & 31)
		}
		for _, v := range dv {
			yield(v)
		}
	})
	if chk != bech32Const && chk != bech32mConst {
		return invalid(lower, "the Bitcoin address checksum does not match; a character is probably mistyped")
	}
	payload := dv[:len(dv)-6]
	if len(payload) < 1 {
		return invalid(lower, "a segwit address needs a witness version and program")
	}
	ver := payload[0]
	if ver > 16 {
		return invalid(lower, "the segwit version must be 0 to 16")
	}
	prog, ok := convertBits5to8(payload[1:])
	if !ok || prog < 2 || prog > 40 {
		return invalid(lower, "the segwit program has the wrong length")
	}
	if ver == 0 && prog != 20 && prog != 32 {
		return invalid(lower, "a version 0 segwit program has 20 or 32 bytes")
	}
	if ver == 0 && chk != bech32Const {
		return invalid(lower, "a version 0 segwit address must use bech32, not bech32m")
	}
	if ver != 0 && chk != bech32mConst {
		return invalid(lower, "a version 1+ segwit address must use bech32m (BIP-350), not bech32")
	}
	if hrp != "bc" {
		return invalid(lower, "only Bitcoin mainnet (bc1…) segwit addresses are accepted")
	}
	key := "crypto:btc:" + lower
	return ID{Value: key[len("crypto:btc:"):], Key: key, Valid: true, Chain: ChainBTC}
}

// convertBits5to8 regroups 5-bit values into bytes, returning how many bytes
// they make; padding must be under 5 bits and zero.
func convertBits5to8(in []byte) (int, bool) {
	acc, bits, n := 0, 0, 0
	for _, v := range in {
		acc = acc<<5 | int(v)
		bits += 5
		for bits >= 8 {
			bits -= 8
			n++
		}
		acc &= (1 << bits) - 1
	}
	if bits >= 5 || acc != 0 {
		return 0, false
	}
	return n, true
}

func parseUnknownCrypto(s string) ID {
	if len(s) < 20 || len(s) > 128 {
		return invalid(s, "a crypto address has 20 to 128 characters")
	}
	letters, digits := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits = true
		case isLetter(c):
			letters = true
		case c == ':' || c == '_' || c == '-':
		default:
			return invalid(s, "a crypto address has only letters and digits")
		}
	}
	if !letters || !digits {
		return invalid(s, "a crypto address mixes letters and digits")
	}
	key := "crypto:unknown:" + s
	return ID{Value: key[len("crypto:unknown:"):], Key: key, Valid: true, Chain: ChainUnknown}
}
