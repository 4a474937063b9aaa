package certificate

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ErrNoToken means a file holds no greyline certificate code at all: it is
// not a greyline certificate, or whatever saved it last dropped the code.
var ErrNoToken = errors.New("This file does not contain a greyline certificate code. Scan the QR code on the printed certificate instead.")

// Bounds on the work TokenFromPDF does for a hostile file.
const (
	maxInflatePerStream = 4 << 20
	maxInflateTotal     = 32 << 20
	maxHexString        = 16 << 10
)

// TokenFromPDF finds the certificate token in a PDF made by Render. Render
// writes it as plain ASCII in the Keywords entry; to survive a trip through
// other PDF software it also reads the entry written as UTF-16, as a hex
// string, or inside compressed object streams. It does not verify the token.
func TokenFromPDF(pdf []byte) (string, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(pdf, "\x00\t\n\f\r "), []byte("%PDF-")) {
		return "", errors.New("This file is not a PDF.")
	}
	found := newFinds()
	found.scan(pdf)
	if len(found.tokens) == 0 {
		found.inflateStreams(pdf)
	}
	switch {
	case len(found.tokens) == 1:
		return found.tokens[0], nil
	case len(found.tokens) > 1:
		// Keeping either would be a guess about which one the reader meant;
		// an edited file is better refused outright.
		return "", fmt.Errorf("%w It holds %d different certificate codes, so it has been edited.", ErrMalformed, len(found.tokens))
	case found.damaged:
		return "", fmt.Errorf("%w The code in this file is damaged or incomplete.", ErrMalformed)
	}
	return "", ErrNoToken
}

type finds struct {
	tokens  []string
	seen    map[string]bool
	damaged bool
}

func newFinds() *finds { return &finds{seen: map[string]bool{}} }

func (f *finds) add(tok string) {
	if !looksLikeToken(tok) {
		f.damaged = true
		return
	}
	if !f.seen[tok] {
		f.seen[tok] = true
		f.tokens = append(f.tokens, tok)
	}
}

var (
	marker      = []byte(TokenKeyword)
	markerUTF16 = utf16BE(TokenKeyword)
)

func utf16BE(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, 0, s[i])
	}
	return b
}

// scan looks through b for the marker as ASCII, as UTF-16BE, and inside hex
// strings.
func (f *finds) scan(b []byte) {
	f.scanPlain(b)
	f.scanHex(b)
}

func (f *finds) scanPlain(b []byte) {
	for rest := b; ; {
		i := bytes.Index(rest, marker)
		if i < 0 {
			break
		}
		rest = rest[i+len(marker):]
		n := 0
		for n < len(rest) && n <= maxTokenLen && tokenByte(rest[n]) {
			n++
		}
		f.add(string(rest[:n]))
	}
	for rest := b; ; {
		i := bytes.Index(rest, markerUTF16)
		if i < 0 {
			break
		}
		rest = rest[i+len(markerUTF16):]
		var tok []byte
		for n := 0; n+1 < len(rest) && len(tok) <= maxTokenLen && rest[n] == 0 && tokenByte(rest[n+1]); n += 2 {
			tok = append(tok, rest[n+1])
		}
		f.add(string(tok))
	}
}

// scanHex decodes each <...> hex string long enough to hold the marker. It
// runs in one pass: a string is abandoned at the first byte that cannot be
// in it, and scanning resumes from that byte.
func (f *finds) scanHex(b []byte) {
	var digits []byte
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !in {
			if c == '<' {
				if i+1 < len(b) && b[i+1] == '<' { // a dictionary, not a string
					i++
					continue
				}
				in, digits = true, digits[:0]
			}
			continue
		}
		switch {
		case isHex(c):
			if len(digits) >= maxHexString {
				in = false
				continue
			}
			digits = append(digits, c)
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f':
		case c == '>':
			in = false
			if len(digits) < 2*len(marker) {
				continue
			}
			if len(digits)%2 == 1 { // PDF reads a missing last digit as 0
				digits = append(digits, '0')
			}
			dec := make([]byte, len(digits)/2)
			if _, err := hex.Decode(dec, digits); err == nil {
				f.scanPlain(dec)
			}
		default:
			in = false
			i-- // this byte may itself open a string
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// inflateStreams decompresses each stream that zlib accepts and scans it,
// for files re-saved with compressed object streams.
func (f *finds) inflateStreams(b []byte) {
	budget := int64(maxInflateTotal)
	kw := []byte("stream")
	for rest := b; budget > 0; {
		i := bytes.Index(rest, kw)
		if i < 0 {
			return
		}
		isEnd := i >= 3 && string(rest[i-3:i]) == "end"
		rest = rest[i+len(kw):]
		if isEnd {
			continue
		}
		switch {
		case bytes.HasPrefix(rest, []byte("\r\n")):
			rest = rest[2:]
		case bytes.HasPrefix(rest, []byte("\n")):
			rest = rest[1:]
		default:
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(io.LimitReader(zr, min(maxInflatePerStream, budget)))
		budget -= int64(len(data))
		f.scan(data)
	}
}
