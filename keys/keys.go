// Package keys holds the server's secrets: keys derived from the master
// secrets of a keyring (encryption and MACs), and the Ed25519 keyring that
// signs licence certificates. Callers are handed keys explicitly instead of
// reading globals.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// MasterSize is the length of a master secret in bytes.
const MasterSize = 32

// Keys holds the subkeys derived from every master secret of a keyring. The
// newest master seals and computes MACs; every master opens. Keys loaded
// from a file can be reloaded while in use (Reload, Watch), which is how a
// running server learns a key added by `greyline keys rotate`.
type Keys struct {
	cur  atomic.Pointer[keySet]
	path string // the keyring file; "" when the ring was given directly

	mu        sync.Mutex // serialises reloads
	lastTry   time.Time  // of a reload prompted by an unknown key id
	lastStamp fileStamp
}

// keySet is one loaded keyring: immutable, swapped whole on reload.
type keySet struct {
	ring  Ring
	seal  *subkeys
	byID  map[int]*subkeys
	order []*subkeys // the sealing key first, then the others, newest first
}

type subkeys struct {
	id   int
	aead cipher.AEAD
	mac  []byte
	// macs holds keyed HMAC states for reuse: a new one costs two
	// SHA-256 states and the key's pads, and a bulk import computes
	// millions of keyed hashes.
	macs sync.Pool
}

// macState is a keyed HMAC with a buffer for its input.
type macState struct {
	h   hash.Hash
	buf []byte
}

// derive makes the subkeys of one master. The labels name the algorithms'
// version, not the master's: the first master of a ring derives exactly the
// keys greyline used before keyrings, so that old data opens under it.
func derive(m Master) (*subkeys, error) {
	if len(m.Secret) != MasterSize {
		return nil, fmt.Errorf("master secret %d must be %d bytes, got %d", m.ID, MasterSize, len(m.Secret))
	}
	key := func(label string) []byte {
		k, err := hkdf.Key(sha256.New, m.Secret, nil, "greyline "+label, 32)
		if err != nil {
			panic(err) // only fails for absurd lengths
		}
		return k
	}
	block, err := aes.NewCipher(key("data encryption v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &subkeys{id: m.ID, aead: aead, mac: key("mac v1")}, nil
}

func newKeySet(r Ring) (*keySet, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	s := &keySet{ring: r.clone(), byID: map[int]*subkeys{}}
	sealing, _ := r.Sealing()
	for i := len(r) - 1; i >= 0; i-- {
		sk, err := derive(r[i])
		if err != nil {
			return nil, err
		}
		s.byID[sk.id] = sk
		if sk.id == sealing.ID {
			s.seal = sk
			s.order = append([]*subkeys{sk}, s.order...)
		} else {
			s.order = append(s.order, sk)
		}
	}
	return s, nil
}

// New makes keys from a single master secret, which must be MasterSize
// bytes: a ring of one key, id 1.
func New(master []byte) (*Keys, error) {
	return FromRing(Ring{{ID: 1, Secret: master}})
}

// FromRing makes keys from a ring given directly (e.g. --secret-key); they
// are never reloaded.
func FromRing(r Ring) (*Keys, error) {
	s, err := newKeySet(r)
	if err != nil {
		return nil, err
	}
	k := &Keys{}
	k.cur.Store(s)
	return k, nil
}

// Generate returns a fresh master secret.
func Generate() []byte {
	b := make([]byte, MasterSize)
	rand.Read(b)
	return b
}

// LoadFile reads the keyring file at path, creating it (mode 0600) with one
// new master when absent. The keys remember the path for Reload and Watch.
func LoadFile(path string) (*Keys, error) {
	r, err := readRingFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		r = Ring{{ID: 1, Secret: Generate()}}
		err = createRingFile(path, r)
		if errors.Is(err, os.ErrExist) { // another process created it first
			r, err = readRingFile(path)
		}
	}
	if err != nil {
		return nil, err
	}
	s, err := newKeySet(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k := &Keys{path: path}
	k.cur.Store(s)
	k.lastStamp, _ = stampOf(path)
	return k, nil
}

// Path is the keyring file the keys were loaded from, "" if none.
func (k *Keys) Path() string { return k.path }

// Ring returns a copy of the keyring in use.
func (k *Keys) Ring() Ring { return k.cur.Load().ring.clone() }

// SealingID is the id of the master that seals.
func (k *Keys) SealingID() int { return k.cur.Load().seal.id }

// Reload reads the keyring file again. Keys given directly are not
// reloaded. A file that cannot be read or parsed leaves the keys in use.
func (k *Keys) Reload() error {
	if k.path == "" {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reloadLocked()
}

func (k *Keys) reloadLocked() error {
	stamp, err := stampOf(k.path)
	if err != nil {
		return err
	}
	r, err := readRingFile(k.path)
	if err != nil {
		return err
	}
	s, err := newKeySet(r)
	if err != nil {
		return fmt.Errorf("%s: %w", k.path, err)
	}
	k.cur.Store(s)
	k.lastStamp = stamp
	return nil
}

// ReloadIfChanged reloads the keyring file when its size or modification
// time changed since the last load. It reports whether it reloaded.
func (k *Keys) ReloadIfChanged() (bool, error) {
	if k.path == "" {
		return false, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	stamp, err := stampOf(k.path)
	if err != nil {
		return false, err
	}
	if stamp == k.lastStamp {
		return false, nil
	}
	return true, k.reloadLocked()
}

// unknownKeyReloadEvery bounds the reloads prompted by values sealed under
// a key id the ring does not hold.
const unknownKeyReloadEvery = time.Second

// reloadForUnknown reloads the file because a value names a key this
// process does not know yet: another process has just added it.
func (k *Keys) reloadForUnknown() bool {
	if k.path == "" {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if time.Since(k.lastTry) < unknownKeyReloadEvery {
		return false
	}
	k.lastTry = time.Now()
	return k.reloadLocked() == nil
}

type fileStamp struct {
	size int64
	mod  time.Time
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.Size(), fi.ModTime()}, nil
}

// Sealed values start with a marker and the id of the master that sealed
// them; values sealed before keyrings existed have no prefix and are opened
// with master 1. A legacy value may begin with the marker by chance (its
// first bytes are a random nonce): Open then falls back to reading it as
// legacy, and GCM's authentication tells the two readings apart.
var sealMarker = [2]byte{0xC7, 0x6B}

const prefixSize = 4

// Seal encrypts plaintext with AES-256-GCM under the sealing master. ad
// binds the ciphertext to its context (e.g. "totp:42") so that it cannot
// be moved to another record.
func (k *Keys) Seal(plaintext []byte, ad string) []byte {
	sk := k.cur.Load().seal
	n := sk.aead.NonceSize()
	out := make([]byte, prefixSize+n, prefixSize+n+len(plaintext)+sk.aead.Overhead())
	out[0], out[1] = sealMarker[0], sealMarker[1]
	binary.BigEndian.PutUint16(out[2:4], uint16(sk.id))
	rand.Read(out[prefixSize:])
	return sk.aead.Seal(out, out[prefixSize:], plaintext, []byte(ad))
}

// ErrDecrypt means a ciphertext was altered, or sealed under another key or context.
var ErrDecrypt = errors.New("keys: cannot decrypt")

// Open decrypts what Seal produced with the same ad, under whichever
// master sealed it.
func (k *Keys) Open(ciphertext []byte, ad string) ([]byte, error) {
	p, _, err := k.OpenID(ciphertext, ad)
	return p, err
}

// OpenID is Open, also reporting the id of the master that opened the value.
func (k *Keys) OpenID(ciphertext []byte, ad string) ([]byte, int, error) {
	s := k.cur.Load()
	if len(ciphertext) >= prefixSize && ciphertext[0] == sealMarker[0] && ciphertext[1] == sealMarker[1] {
		id := int(binary.BigEndian.Uint16(ciphertext[2:4]))
		sk := s.byID[id]
		if sk == nil && k.reloadForUnknown() {
			s = k.cur.Load()
			sk = s.byID[id]
		}
		if sk != nil {
			if p, err := open(sk, ciphertext[prefixSize:], ad); err == nil {
				return p, id, nil
			}
		}
	}
	if sk := s.byID[1]; sk != nil {
		if p, err := open(sk, ciphertext, ad); err == nil {
			return p, 1, nil
		}
	}
	return nil, 0, ErrDecrypt
}

func open(sk *subkeys, ciphertext []byte, ad string) ([]byte, error) {
	n := sk.aead.NonceSize()
	if len(ciphertext) < n {
		return nil, ErrDecrypt
	}
	return sk.aead.Open(nil, ciphertext[:n], ciphertext[n:], []byte(ad))
}

// MAC returns HMAC-SHA256 of the parts under the sealing master's MAC key,
// domain-separated by purpose.
func (k *Keys) MAC(purpose string, parts ...string) []byte {
	return mac(k.cur.Load().seal, purpose, parts)
}

// MACs returns the MAC of the parts under every master, the sealing one
// first: a value hashed before a rotation finished is found under an older
// master, and a token issued before a rotation still verifies.
func (k *Keys) MACs(purpose string, parts ...string) [][]byte {
	s := k.cur.Load()
	out := make([][]byte, len(s.order))
	for i, sk := range s.order {
		out[i] = mac(sk, purpose, parts)
	}
	return out
}

func mac(sk *subkeys, purpose string, parts []string) []byte {
	m, _ := sk.macs.Get().(*macState)
	if m == nil {
		m = &macState{h: hmac.New(sha256.New, sk.mac)}
	} else {
		m.h.Reset()
	}
	b := append(m.buf[:0], purpose...)
	for _, p := range parts {
		b = append(b, 0)
		b = append(b, p...)
	}
	m.h.Write(b)
	out := m.h.Sum(nil)
	if cap(b) <= 4<<10 { // keep no large input alive
		m.buf = b
	}
	sk.macs.Put(m)
	return out
}

// VerifyMAC reports whether got is the MAC of the parts under any master.
func (k *Keys) VerifyMAC(got []byte, purpose string, parts ...string) bool {
	for _, m := range k.MACs(purpose, parts...) {
		if hmac.Equal(got, m) {
			return true
		}
	}
	return false
}
