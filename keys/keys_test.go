package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func secret(b byte) []byte { return bytes.Repeat([]byte{b}, MasterSize) }

// legacySeal seals as greyline did before keyrings: nonce then ciphertext,
// under the key derived from the one master, without a prefix.
func legacySeal(t *testing.T, master []byte, nonce []byte, plain []byte, ad string) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, master, nil, "greyline data encryption v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(k)
	aead, _ := cipher.NewGCM(block)
	return aead.Seal(bytes.Clone(nonce), nonce, plain, []byte(ad))
}

// legacyMAC is the MAC as computed before keyrings.
func legacyMAC(t *testing.T, master []byte, purpose string, parts ...string) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, master, nil, "greyline mac v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

func mustRing(t *testing.T, r Ring) *Keys {
	t.Helper()
	k, err := FromRing(r)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenAcrossRotation(t *testing.T) {
	old := mustRing(t, Ring{{ID: 1, Secret: secret(1)}})
	both := mustRing(t, Ring{{ID: 1, Secret: secret(1)}, {ID: 2, Secret: secret(2)}})
	onlyNew := mustRing(t, Ring{{ID: 2, Secret: secret(2)}})
	pending := mustRing(t, Ring{{ID: 1, Secret: secret(1)}, {ID: 2, Secret: secret(2), Pending: true}})

	legacy := legacySeal(t, secret(1), bytes.Repeat([]byte{9}, 12), []byte("legacy"), "ad")
	// A legacy value whose random nonce happens to start like a prefix
	// naming key 1 (and, for the ring of two, a known key) still opens.
	lookalike := legacySeal(t, secret(1), []byte{0xC7, 0x6B, 0, 1, 5, 5, 5, 5, 5, 5, 5, 5}, []byte("lookalike"), "ad")
	lookalike2 := legacySeal(t, secret(1), []byte{0xC7, 0x6B, 0, 2, 5, 5, 5, 5, 5, 5, 5, 5}, []byte("lookalike2"), "ad")
	underOld := old.Seal([]byte("v1"), "ad")
	underBoth := both.Seal([]byte("v2"), "ad")
	underPending := pending.Seal([]byte("still v1"), "ad")

	type want struct {
		plain string
		id    int
		err   bool
	}
	tests := []struct {
		name  string
		k     *Keys
		value []byte
		ad    string
		want  want
	}{
		{"legacy under old", old, legacy, "ad", want{"legacy", 1, false}},
		{"legacy under both", both, legacy, "ad", want{"legacy", 1, false}},
		{"legacy lookalike", old, lookalike, "ad", want{"lookalike", 1, false}},
		{"legacy lookalike naming key 2", both, lookalike2, "ad", want{"lookalike2", 1, false}},
		{"legacy needs key 1", onlyNew, legacy, "ad", want{err: true}},
		{"v1 under both", both, underOld, "ad", want{"v1", 1, false}},
		{"v2 under both", both, underBoth, "ad", want{"v2", 2, false}},
		{"v2 under only new", onlyNew, underBoth, "ad", want{"v2", 2, false}},
		{"v1 after retiring", onlyNew, underOld, "ad", want{err: true}},
		{"v2 unknown to old", old, underBoth, "ad", want{err: true}},
		{"pending does not seal", old, underPending, "ad", want{"still v1", 1, false}},
		{"wrong context", both, underBoth, "other", want{err: true}},
		{"truncated", both, underBoth[:10], "ad", want{err: true}},
		{"empty", both, nil, "ad", want{err: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, id, err := tt.k.OpenID(tt.value, tt.ad)
			got := want{string(p), id, err != nil}
			if err != nil && !errors.Is(err, ErrDecrypt) {
				t.Errorf("error %v is not ErrDecrypt", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("OpenID (-want +got):\n%s", diff)
			}
		})
	}
	if got := both.SealingID(); got != 2 {
		t.Errorf("sealing id %d, want 2", got)
	}
	if got := pending.SealingID(); got != 1 {
		t.Errorf("pending ring seals with %d, want 1", got)
	}
}

func TestMACs(t *testing.T) {
	old := mustRing(t, Ring{{ID: 1, Secret: secret(1)}})
	both := mustRing(t, Ring{{ID: 1, Secret: secret(1)}, {ID: 2, Secret: secret(2)}})
	want1 := legacyMAC(t, secret(1), "lookup:cnic", "3520212345671")
	if !bytes.Equal(old.MAC("lookup:cnic", "3520212345671"), want1) {
		t.Fatal("master 1 must compute the MACs computed before keyrings")
	}
	macs := both.MACs("lookup:cnic", "3520212345671")
	if len(macs) != 2 || !bytes.Equal(macs[1], want1) || !bytes.Equal(macs[0], both.MAC("lookup:cnic", "3520212345671")) || bytes.Equal(macs[0], macs[1]) {
		t.Fatalf("MACs must be the sealing key's, then the older one's: %x", macs)
	}
	if !both.VerifyMAC(want1, "lookup:cnic", "3520212345671") || both.VerifyMAC(want1, "lookup:cnic", "3520212345672") {
		t.Error("VerifyMAC must accept any master's MAC of the same parts only")
	}
}

// MACs computed at once on many goroutines, with the reused HMAC states,
// are each what a fresh HMAC computes, however long their input.
func TestMACsConcurrent(t *testing.T) {
	k := mustRing(t, Ring{{ID: 1, Secret: secret(1)}})
	const goroutines, each = 8, 200
	parts := make([][]string, goroutines)
	want := make([][][]byte, goroutines)
	for g := range goroutines {
		for i := range each {
			p := strings.Repeat(strconv.Itoa(g*1000+i), 1+i%700) // up to several KB
			parts[g] = append(parts[g], p)
			want[g] = append(want[g], legacyMAC(t, secret(1), "lookup:phone", p))
		}
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i, p := range parts[g] {
				if got := k.MAC("lookup:phone", p); !bytes.Equal(got, want[g][i]) {
					t.Errorf("goroutine %d, MAC %d: %x, want %x", g, i, got, want[g][i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestParseRing(t *testing.T) {
	h1, h2 := hex.EncodeToString(secret(1)), hex.EncodeToString(secret(2))
	tests := []struct {
		name, in string
		want     Ring
		err      string
	}{
		{"legacy", h1 + "\n", Ring{{ID: 1, Secret: secret(1)}}, ""},
		{"file", "# comment\n1:" + h1 + "\n\n2:" + h2 + " # newest\n", Ring{{ID: 1, Secret: secret(1)}, {ID: 2, Secret: secret(2)}}, ""},
		{"one line, any order", "7:" + h2 + ";3:" + h1, Ring{{ID: 3, Secret: secret(1)}, {ID: 7, Secret: secret(2)}}, ""},
		{"pending", "1:" + h1 + ",2:" + h2 + ":pending", Ring{{ID: 1, Secret: secret(1)}, {ID: 2, Secret: secret(2), Pending: true}}, ""},
		{"empty", "# nothing\n", nil, "holds no key"},
		{"short", "1:abcd", nil, "key 1: must be 64 hexadecimal digits"},
		{"legacy short", "abcd", nil, "must be 64 hexadecimal digits"},
		{"id zero", "0:" + h1, nil, "id must be a whole number"},
		{"id leading zero", "01:" + h1, nil, "id must be a whole number"},
		{"id too big", "65536:" + h1, nil, "id must be a whole number"},
		{"twice", "1:" + h1 + ",1:" + h2, nil, "key 1 is listed twice"},
		{"all pending", "1:" + h1 + ":pending", nil, "every key is pending"},
		{"bad mark", "1:" + h1 + ":later", nil, `key 1: "later" is not a known mark`},
		{"two bare", h1 + "," + h2, nil, "entry 1: must be ID:HEX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRing(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			for _, text := range []string{got.Text(), got.OneLine()} {
				again, err := ParseRing(text)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(got, again); diff != "" {
					t.Errorf("round trip of %q (-want +got):\n%s", text, diff)
				}
			}
		})
	}
}

func FuzzParseRing(f *testing.F) {
	h1, h2 := hex.EncodeToString(secret(1)), hex.EncodeToString(secret(2))
	for _, s := range []string{h1, "1:" + h1 + "\n2:" + h2 + ":pending", "# x\n3:" + h1 + ";4:" + h2, "", ":", "1::", "1:" + h1 + ":pending"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRing(s)
		if err != nil {
			return
		}
		if err := r.Check(); err != nil {
			t.Fatalf("parsed ring fails its check: %v", err)
		}
		again, err := ParseRing(r.Text())
		if err != nil {
			t.Fatalf("text of a parsed ring does not parse: %v", err)
		}
		if diff := cmp.Diff(r, again); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		if _, err := FromRing(r); err != nil {
			t.Fatal(err)
		}
	})
}

// Two processes share a keyring file: one adds a key and seals with it,
// the other opens the value at once (it reloads on meeting an unknown id)
// and starts sealing with the new key once it notices the file changed.
func TestFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "secret.key")
	a, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if diff := cmp.Diff(a.Ring(), b.Ring()); diff != "" {
		t.Fatalf("second load must read the created file:\n%s", diff)
	}
	before := b.Seal([]byte("before"), "ad")
	r, m, err := a.Ring().Add(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteRingFile(path, r); err != nil {
		t.Fatal(err)
	}
	if changed, err := a.ReloadIfChanged(); err != nil || !changed {
		t.Fatalf("ReloadIfChanged = %v, %v; want a reload", changed, err)
	}
	if a.SealingID() != m.ID {
		t.Fatalf("a seals with %d, want %d", a.SealingID(), m.ID)
	}
	after := a.Seal([]byte("after"), "ad")
	if p, id, err := b.OpenID(after, "ad"); err != nil || string(p) != "after" || id != m.ID {
		t.Fatalf("b opening a value under the new key: %q, %d, %v", p, id, err)
	}
	if b.SealingID() != m.ID {
		t.Errorf("b, having reloaded, seals with %d, want %d", b.SealingID(), m.ID)
	}
	if p, err := a.Open(before, "ad"); err != nil || string(p) != "before" {
		t.Errorf("old value after rotation: %q, %v", p, err)
	}
	if changed, err := a.ReloadIfChanged(); err != nil || changed {
		t.Errorf("unchanged file reloaded: %v, %v", changed, err)
	}

	// A broken file leaves the keys in use.
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(); err == nil {
		t.Error("reloading a broken file must fail")
	}
	if a.SealingID() != m.ID {
		t.Error("a failed reload must keep the ring in use")
	}

	// The format before keyrings loads as master 1.
	legacyPath := filepath.Join(t.TempDir(), "secret.key")
	os.WriteFile(legacyPath, []byte(hex.EncodeToString(secret(7))+"\n"), 0o600)
	l, err := LoadFile(legacyPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Ring{{ID: 1, Secret: secret(7)}}, l.Ring()); diff != "" {
		t.Error(diff)
	}
}
