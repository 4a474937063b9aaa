// Package keys holds the server's secrets: keys derived from one master
// secret (encryption and MACs), and the Ed25519 keyring that signs licence
// certificates. Callers are handed keys explicitly instead of reading globals.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MasterSize is the length of the master secret in bytes.
const MasterSize = 32

// Keys holds the subkeys derived from the master secret.
type Keys struct {
	aead cipher.AEAD
	mac  []byte
}

// New derives all keys from master, which must be MasterSize bytes.
func New(master []byte) (*Keys, error) {
	if len(master) != MasterSize {
		return nil, fmt.Errorf("master secret must be %d bytes, got %d", MasterSize, len(master))
	}
	derive := func(label string) []byte {
		k, err := hkdf.Key(sha256.New, master, nil, "greyline "+label, 32)
		if err != nil {
			panic(err) // only fails for absurd lengths
		}
		return k
	}
	block, err := aes.NewCipher(derive("data encryption v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{aead: aead, mac: derive("mac v1")}, nil
}

// Generate returns a fresh master secret.
func Generate() []byte {
	b := make([]byte, MasterSize)
	rand.Read(b)
	return b
}

// Parse decodes a master secret written as 64 hex digits.
func Parse(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != MasterSize {
		return nil, errors.New("must be 64 hexadecimal digits (32 bytes)")
	}
	return b, nil
}

// LoadOrCreate reads the master secret from path, creating it (mode 0600) when absent.
func LoadOrCreate(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return Parse(string(b))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	m := Generate()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(m) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return m, f.Close()
}

// Seal encrypts plaintext with AES-256-GCM. ad binds the ciphertext to its
// context (e.g. "totp:42") so that it cannot be moved to another record.
func (k *Keys) Seal(plaintext []byte, ad string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plaintext, []byte(ad))
}

// ErrDecrypt means a ciphertext was altered, or sealed under another key or context.
var ErrDecrypt = errors.New("keys: cannot decrypt")

// Open decrypts what Seal produced with the same ad.
func (k *Keys) Open(ciphertext []byte, ad string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(ciphertext) < n {
		return nil, ErrDecrypt
	}
	p, err := k.aead.Open(nil, ciphertext[:n], ciphertext[n:], []byte(ad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}

// MAC returns HMAC-SHA256 of the parts under the MAC key, domain-separated by purpose.
func (k *Keys) MAC(purpose string, parts ...string) []byte {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}
