package keys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzPublicKeys: a published key list (GET /api/v1/keys, read back by
// `greyline certificate verify --keys`) never panics the decoder, and a key
// is accepted only when its id belongs to its 32 bytes.
func FuzzPublicKeys(f *testing.F) {
	kr, err := LoadOrCreateKeyring(f.TempDir(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(kr.Public())
	f.Add(good)
	f.Add([]byte(`{"items":` + string(good) + `}`))
	f.Add([]byte(`[{"id":"ed25519-0000000000000000","algorithm":"Ed25519","public_key":"AAAA"}]`))
	f.Add([]byte(`[{"algorithm":"RSA"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var list []PublicKey
		if json.Unmarshal(data, &list) != nil {
			return
		}
		for _, k := range list {
			pub, err := k.Ed25519()
			if err != nil {
				continue
			}
			if len(pub) != ed25519.PublicKeySize || KeyID(pub) != k.ID {
				t.Fatalf("accepted key %+v as %x", k, pub)
			}
		}
	})
}

// FuzzReadKey: a signing key file is read or refused with a reason; a key
// read has a matching public half and a creation time.
func FuzzReadKey(f *testing.F) {
	dir := f.TempDir()
	k, err := createKey(dir, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	name := filepath.Join(dir, k.ID+keyFileExt)
	seed, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(bytes.Replace(seed, []byte("Created: "), []byte("Created: x"), 1))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readKey(name)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("refused without a reason")
			}
			return
		}
		if got.ID != k.ID || !got.Public.Equal(got.Private.Public()) || got.Created.IsZero() {
			t.Fatalf("read key %+v from %q", got, data)
		}
	})
}
