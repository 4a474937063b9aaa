package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The keyring's text form, used by the keyring file (DATA-DIR/secret.key)
// and by --secret-key:
//
//	# comments run to the end of a line
//	1:0123…cdef
//	2:4567…89ab
//	3:89ab…4567:pending
//
// Entries are separated by newlines, commas or semicolons (one line fits an
// environment variable). Each is an id (1 to 65535), a colon and 64 hex
// digits; ":pending" marks a master that opens but does not seal yet, while
// it is copied to every server. The highest id that is not pending seals.
// A text of 64 hex digits alone, the format before keyrings, is master 1.

// MaxID is the largest master id (sealed values carry it in two bytes).
const MaxID = 65535

// Master is one master secret of a keyring.
type Master struct {
	ID     int
	Secret []byte
	// Pending masters open values but do not seal them yet.
	Pending bool
}

// Ring is a keyring: master secrets in ascending id order.
type Ring []Master

// ParseRing reads a keyring's text form.
func ParseRing(s string) (Ring, error) {
	var entries []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, e := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
	}
	if len(entries) == 0 {
		return nil, errors.New("holds no key: write 64 hexadecimal digits, or entries ID:HEX")
	}
	if len(entries) == 1 && !strings.Contains(entries[0], ":") {
		b, err := parseSecret(entries[0])
		if err != nil {
			return nil, err
		}
		return Ring{{ID: 1, Secret: b}}, nil
	}
	var r Ring
	for i, e := range entries {
		fields := strings.Split(e, ":")
		if len(fields) < 2 || len(fields) > 3 {
			return nil, fmt.Errorf("entry %d: must be ID:HEX or ID:HEX:pending", i+1)
		}
		id, err := strconv.Atoi(fields[0])
		if err != nil || id < 1 || id > MaxID || fields[0] != strconv.Itoa(id) {
			return nil, fmt.Errorf("entry %d: the id must be a whole number from 1 to %d", i+1, MaxID)
		}
		b, err := parseSecret(fields[1])
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", id, err)
		}
		m := Master{ID: id, Secret: b}
		if len(fields) == 3 {
			if fields[2] != "pending" {
				return nil, fmt.Errorf("key %d: %q is not a known mark; only \"pending\"", id, fields[2])
			}
			m.Pending = true
		}
		r = append(r, m)
	}
	slices.SortFunc(r, func(a, b Master) int { return a.ID - b.ID })
	if err := r.Check(); err != nil {
		return nil, err
	}
	return r, nil
}

func parseSecret(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != MasterSize {
		return nil, errors.New("must be 64 hexadecimal digits (32 bytes)")
	}
	return b, nil
}

// Check reports what is wrong with a ring: ids out of order or repeated, a
// secret of the wrong size, or no master that seals.
func (r Ring) Check() error {
	if len(r) == 0 {
		return errors.New("holds no key")
	}
	for i, m := range r {
		if m.ID < 1 || m.ID > MaxID {
			return fmt.Errorf("key id %d is out of range 1 to %d", m.ID, MaxID)
		}
		if i > 0 && m.ID <= r[i-1].ID {
			return fmt.Errorf("key %d is listed twice or out of order", m.ID)
		}
		if len(m.Secret) != MasterSize {
			return fmt.Errorf("key %d must be %d bytes", m.ID, MasterSize)
		}
	}
	if _, ok := r.Sealing(); !ok {
		return errors.New("every key is pending: one must seal")
	}
	return nil
}

// Sealing is the master that seals: the highest id not pending.
func (r Ring) Sealing() (Master, bool) {
	for i := len(r) - 1; i >= 0; i-- {
		if !r[i].Pending {
			return r[i], true
		}
	}
	return Master{}, false
}

// IDs lists the ring's ids in ascending order.
func (r Ring) IDs() []int {
	out := make([]int, len(r))
	for i, m := range r {
		out[i] = m.ID
	}
	return out
}

// Add returns the ring with a fresh master after the highest id.
func (r Ring) Add(pending bool) (Ring, Master, error) {
	id := 1
	if len(r) > 0 {
		id = r[len(r)-1].ID + 1
	}
	if id > MaxID {
		return nil, Master{}, fmt.Errorf("no key id is left after %d", MaxID)
	}
	m := Master{ID: id, Secret: Generate(), Pending: pending}
	return append(r.clone(), m), m, nil
}

// Only returns the ring reduced to the master with the given id.
func (r Ring) Only(id int) Ring {
	for _, m := range r {
		if m.ID == id {
			m.Pending = false
			return Ring{m}
		}
	}
	return nil
}

func (r Ring) clone() Ring {
	out := make(Ring, len(r))
	for i, m := range r {
		m.Secret = slices.Clone(m.Secret)
		out[i] = m
	}
	return out
}

// Text is the ring's text form, one entry a line, with a heading comment.
// It holds the secrets: write it only where the key file goes.
func (r Ring) Text() string {
	var b strings.Builder
	b.WriteString("# greyline master keys: the highest id that is not pending seals, every id opens.\n")
	b.WriteString("# Managed by `greyline keys rotate`; back it up with the database.\n")
	for _, m := range r {
		b.WriteString(strconv.Itoa(m.ID) + ":" + hex.EncodeToString(m.Secret))
		if m.Pending {
			b.WriteString(":pending")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// OneLine is the ring's text form on one line, for an environment variable.
func (r Ring) OneLine() string {
	parts := make([]string, len(r))
	for i, m := range r {
		parts[i] = strconv.Itoa(m.ID) + ":" + hex.EncodeToString(m.Secret)
		if m.Pending {
			parts[i] += ":pending"
		}
	}
	return strings.Join(parts, ",")
}

func readRingFile(path string) (Ring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := ParseRing(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func createRingFile(path string, r Ring) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(r.Text()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteRingFile replaces the keyring file at path atomically (a new file
// renamed over it), so that a process reloading it never reads half a ring.
func WriteRingFile(path string, r Ring) error {
	if err := r.Check(); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".new")
	os.Remove(tmp)
	if err := createRingFile(tmp, r); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
