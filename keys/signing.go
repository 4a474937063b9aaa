package keys

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The certificate signing keys live in their own directory rather than being
// derived from the master secret: rotating the master secret must not make
// every certificate already printed unverifiable, and a published key has to
// stay valid for as long as the paper it signed.

// keyFileExt names key files; anything else in the directory (a README, an
// editor's backup) is left alone.
const keyFileExt = ".pem"

// SigningKey is one Ed25519 key pair of the certificate keyring.
type SigningKey struct {
	ID      string
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
	Created time.Time
}

// PublicKey is the published half of a signing key, as served at
// GET /api/v1/keys so that anyone can verify certificates offline.
type PublicKey struct {
	ID        string    `json:"id"`
	Algorithm string    `json:"algorithm"`
	Key       string    `json:"public_key"` // standard base64 of the 32-byte Ed25519 key
	Created   time.Time `json:"created"`
}

// Ed25519 decodes a published key and checks that its id belongs to it, so
// that a key list copied by hand or fetched from a mirror cannot pair a
// trusted id with someone else's key.
func (p PublicKey) Ed25519() (ed25519.PublicKey, error) {
	if p.Algorithm != "" && p.Algorithm != "Ed25519" {
		return nil, fmt.Errorf("key %s: algorithm %q is not supported, only Ed25519", p.ID, p.Algorithm)
	}
	b, err := base64.StdEncoding.DecodeString(p.Key)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key %s: the public key must be %d bytes in base64", p.ID, ed25519.PublicKeySize)
	}
	pub := ed25519.PublicKey(b)
	if KeyID(pub) != p.ID {
		return nil, fmt.Errorf("key %s: the id does not match the public key (it should be %s)", p.ID, KeyID(pub))
	}
	return pub, nil
}

// KeyID names a public key. Deriving the id from the key, instead of
// numbering keys, means the id can never be reused for another key and any
// verifier can check that an id and a key belong together.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519-" + hex.EncodeToString(sum[:8])
}

// Keyring holds every certificate signing key, oldest first. It is not
// changed after loading, so it is safe for concurrent use.
type Keyring struct {
	keys []SigningKey
	byID map[string]int
}

// LoadOrCreateKeyring reads the keys in dir, creating dir (mode 0700) and a
// first key when there are none. A file that cannot be read as a key is an
// error rather than being skipped: silently dropping a key would make the
// certificates it signed fail verification with no hint as to why.
func LoadOrCreateKeyring(dir string, now time.Time) (*Keyring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("signing keys: cannot create directory: %w", err)
	}
	keys, err := readKeys(dir)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		k, err := createKey(dir, now)
		if err != nil {
			return nil, err
		}
		keys = []SigningKey{k}
	}
	return newKeyring(keys), nil
}

// Rotate adds a new key to the keyring in dir and returns it. Older keys are
// kept, so certificates they signed still verify; a running server picks the
// new key up when it next loads the keyring.
func Rotate(dir string, now time.Time) (SigningKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return SigningKey{}, fmt.Errorf("signing keys: cannot create directory: %w", err)
	}
	keys, err := readKeys(dir)
	if err != nil {
		return SigningKey{}, err
	}
	// The newest key is the one that signs; a key dated before it would be
	// added but never used, which is surely not what rotating meant.
	if n := len(keys); n > 0 && !now.After(keys[n-1].Created) {
		newest := keys[n-1]
		return SigningKey{}, fmt.Errorf("signing keys: cannot rotate: the clock reads %s, but key %s was created later, at %s",
			now.UTC().Format(time.RFC3339), newest.ID, newest.Created.Format(time.RFC3339))
	}
	return createKey(dir, now)
}

func newKeyring(keys []SigningKey) *Keyring {
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].Created.Equal(keys[j].Created) {
			return keys[i].Created.Before(keys[j].Created)
		}
		return keys[i].ID < keys[j].ID
	})
	r := &Keyring{keys: keys, byID: make(map[string]int, len(keys))}
	for i, k := range keys {
		r.byID[k.ID] = i
	}
	return r
}

// Current returns the newest key, the one new certificates are signed with.
func (r *Keyring) Current() SigningKey {
	if len(r.keys) == 0 {
		return SigningKey{}
	}
	return r.keys[len(r.keys)-1]
}

// Public lists every key for publishing, newest first.
func (r *Keyring) Public() []PublicKey {
	out := make([]PublicKey, 0, len(r.keys))
	for i := len(r.keys) - 1; i >= 0; i-- {
		k := r.keys[i]
		out = append(out, PublicKey{
			ID:        k.ID,
			Algorithm: "Ed25519",
			Key:       base64.StdEncoding.EncodeToString(k.Public),
			Created:   k.Created,
		})
	}
	return out
}

// Lookup returns the public key with the given id; its signature matches
// what certificate verification expects.
func (r *Keyring) Lookup(id string) (ed25519.PublicKey, bool) {
	i, ok := r.byID[id]
	if !ok {
		return nil, false
	}
	return r.keys[i].Public, true
}

func readKeys(dir string) ([]SigningKey, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("signing keys: cannot read directory: %w", err)
	}
	var keys []SigningKey
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, keyFileExt) || strings.HasPrefix(name, ".") {
			continue
		}
		k, err := readKey(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// createdLabel starts the line, above the PEM block, that records when a key
// was made. PKCS#8 has no place for it, and PEM headers inside the block
// would make OpenSSL refuse the file; text before the block is ignored by
// both Go and OpenSSL.
const createdLabel = "Created: "

func readKey(path string) (SigningKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing key %s: %w", path, err)
	}
	bad := func(why string) error {
		return fmt.Errorf("signing key %s is damaged: %s; restore it from a backup, or move it out of the directory if it was never used", path, why)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return SigningKey{}, bad("it is not a PEM file")
	}
	if block.Type != "PRIVATE KEY" {
		return SigningKey{}, bad(fmt.Sprintf("it holds a %q block, not a PKCS#8 PRIVATE KEY", block.Type))
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return SigningKey{}, bad("the private key cannot be parsed")
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return SigningKey{}, bad(fmt.Sprintf("it holds a %T, not an Ed25519 key", parsed))
	}
	pub := priv.Public().(ed25519.PublicKey)
	id := KeyID(pub)
	// The id is derived from the key, so a file whose name disagrees has been
	// renamed or had its contents swapped; either way certificates would be
	// looked up under the wrong key.
	if want := id + keyFileExt; filepath.Base(path) != want {
		return SigningKey{}, fmt.Errorf("signing key %s holds key %s; the file must be named %s", path, id, want)
	}
	created, err := readCreated(b)
	if err != nil {
		return SigningKey{}, bad(err.Error())
	}
	return SigningKey{ID: id, Private: priv, Public: pub, Created: created}, nil
}

func readCreated(b []byte) (time.Time, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "-----BEGIN") {
			break
		}
		if v, ok := strings.CutPrefix(line, createdLabel); ok {
			t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
			if err != nil {
				return time.Time{}, fmt.Errorf("the %q line is not an RFC 3339 time", strings.TrimSpace(createdLabel))
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("the %q line above the key is missing", strings.TrimSpace(createdLabel))
}

func createKey(dir string, now time.Time) (SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing keys: cannot generate a key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing keys: cannot encode the key: %w", err)
	}
	k := SigningKey{ID: KeyID(pub), Private: priv, Public: pub, Created: now.UTC()}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "greyline certificate signing key %s\n", k.ID)
	fmt.Fprintf(&buf, "%s%s\n", createdLabel, k.Created.Format(time.RFC3339Nano))
	if err := pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return SigningKey{}, err
	}
	if err := writeFileAtomic(dir, k.ID+keyFileExt, buf.Bytes()); err != nil {
		return SigningKey{}, fmt.Errorf("signing keys: cannot save key %s: %w", k.ID, err)
	}
	return k, nil
}

// writeFileAtomic writes through a temporary file and a rename, so a crash
// never leaves a half-written key that would stop the next start.
func writeFileAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, ".new-key-*") // CreateTemp uses mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	final := filepath.Join(dir, name)
	// Link, unlike rename, refuses to replace an existing file. Ids come from
	// random keys so a clash is not expected, but a key must never be
	// overwritten.
	if err := os.Link(tmp, final); err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		// Some file systems have no hard links; fall back to rename after
		// checking by hand.
		if _, statErr := os.Lstat(final); statErr == nil {
			return fmt.Errorf("%s already exists", final)
		}
		if err := os.Rename(tmp, final); err != nil {
			return err
		}
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: make the new name durable
		d.Close()
	}
	return nil
}
