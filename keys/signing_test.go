package keys

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestKeyringCreateAndLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "signing-keys")
	r, err := LoadOrCreateKeyring(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	k := r.Current()
	if !regexp.MustCompile(`^ed25519-[0-9a-f]{16}$`).MatchString(k.ID) {
		t.Errorf("key id %q is not ed25519- and 16 hex digits", k.ID)
	}
	if k.ID != KeyID(k.Public) || !k.Created.Equal(t0) {
		t.Errorf("current key = %s created %v", k.ID, k.Created)
	}
	if !k.Public.Equal(k.Private.Public()) {
		t.Error("public key does not belong to the private key")
	}

	if runtime.GOOS != "windows" {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("directory mode = %v, want 0700", st.Mode().Perm())
		}
		st, err = os.Stat(filepath.Join(dir, k.ID+".pem"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want just the key", len(entries))
	}
	b, _ := os.ReadFile(filepath.Join(dir, k.ID+".pem"))
	if !strings.Contains(string(b), "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("key file is not PKCS#8 PEM:\n%s", b)
	}

	// A second start must load the same key, not make another.
	r2, err := LoadOrCreateKeyring(dir, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	k2 := r2.Current()
	if k2.ID != k.ID || !k2.Private.Equal(k.Private) || !k2.Created.Equal(k.Created) {
		t.Errorf("reloaded key %s created %v, want %s created %v", k2.ID, k2.Created, k.ID, k.Created)
	}
	if pubs := r2.Public(); len(pubs) != 1 {
		t.Errorf("Public() lists %d keys, want 1", len(pubs))
	}
}

func TestKeyringRotate(t *testing.T) {
	dir := t.TempDir()
	r, err := LoadOrCreateKeyring(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	old := r.Current()
	msg := []byte("signed before rotation")
	sig := ed25519.Sign(old.Private, msg)

	nk, err := Rotate(dir, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if nk.ID == old.ID {
		t.Fatal("rotation returned the old key")
	}
	r, err = LoadOrCreateKeyring(dir, t0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Current().ID != nk.ID {
		t.Errorf("current key = %s, want the rotated key %s", r.Current().ID, nk.ID)
	}
	pub, ok := r.Lookup(old.ID)
	if !ok || !ed25519.Verify(pub, msg, sig) {
		t.Error("the old key no longer verifies what it signed")
	}
	if _, ok := r.Lookup("ed25519-0000000000000000"); ok {
		t.Error("Lookup found a key that does not exist")
	}

	pubs := r.Public()
	if len(pubs) != 2 || pubs[0].ID != nk.ID || pubs[1].ID != old.ID {
		t.Fatalf("Public() = %+v, want the new key then the old one", pubs)
	}
	for _, p := range pubs {
		k, err := p.Ed25519()
		if err != nil {
			t.Errorf("published key %s: %v", p.ID, err)
		}
		if want, _ := r.Lookup(p.ID); !k.Equal(want) {
			t.Errorf("published key %s differs from the keyring's", p.ID)
		}
	}
	// A published id paired with another key must be refused.
	forged := pubs[0]
	forged.Key = pubs[1].Key
	if _, err := forged.Ed25519(); err == nil {
		t.Error("a published key whose id does not match was accepted")
	}

	// Rotating to a time before the newest key would add a key that never signs.
	if _, err := Rotate(dir, t0); err == nil {
		t.Error("rotation with the clock behind the newest key was accepted")
	}
}

func TestKeyringRefusesDamagedFiles(t *testing.T) {
	cases := []struct {
		name    string
		content func(good []byte) []byte
		want    string
	}{
		{"not PEM", func([]byte) []byte { return []byte("hello\n") }, "not a PEM file"},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "damaged"},
		{"garbled key", func(b []byte) []byte {
			s := string(b)
			i := strings.Index(s, "-----BEGIN PRIVATE KEY-----\n") + len("-----BEGIN PRIVATE KEY-----\n")
			return []byte(s[:i] + "AAAA" + s[i+4:])
		}, "cannot be parsed"},
		{"no created line", func(b []byte) []byte {
			s := string(b)
			return []byte(s[strings.Index(s, "-----BEGIN"):])
		}, `"Created:" line`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			r, err := LoadOrCreateKeyring(dir, t0)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, r.Current().ID+".pem")
			good, _ := os.ReadFile(path)
			if err := os.WriteFile(path, c.content(good), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = LoadOrCreateKeyring(dir, t0)
			if err == nil {
				t.Fatal("a damaged key file was accepted")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q should name the file and say %q", err, c.want)
			}
			if _, err := Rotate(dir, t0.Add(time.Hour)); err == nil {
				t.Error("Rotate went ahead despite a damaged key file")
			}
		})
	}
}

func TestKeyringRefusesRenamedFile(t *testing.T) {
	dir := t.TempDir()
	r, err := LoadOrCreateKeyring(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Current().ID
	if err := os.Rename(filepath.Join(dir, id+".pem"), filepath.Join(dir, "ed25519-0000000000000000.pem")); err != nil {
		t.Fatal(err)
	}
	_, err = LoadOrCreateKeyring(dir, t0)
	if err == nil || !strings.Contains(err.Error(), id+".pem") {
		t.Errorf("error = %v, want one naming the file the key belongs in", err)
	}
}

func TestKeyringIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "README"), []byte("keys live here"), 0o600)
	os.WriteFile(filepath.Join(dir, ".new-key-123"), []byte("half written"), 0o600)
	r, err := LoadOrCreateKeyring(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Public()) != 1 {
		t.Errorf("keyring has %d keys, want 1", len(r.Public()))
	}
}
