// Package filestore keeps uploaded files on disk, content-addressed by
// SHA-256, and recognises their type by content, never by name.
package filestore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/greyline/greyline"
)

// Store is a directory of files named by their SHA-256.
type Store struct {
	dir string
}

// New opens (creating) a store in dir.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Accepted content types.
const (
	PDF  = "application/pdf"
	JPEG = "image/jpeg"
	PNG  = "image/png"
)

// Sniff recognises PDF, JPEG and PNG from their first bytes and returns ""
// for anything else.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	}
	return ""
}

// Stored describes a file after Put.
type Stored struct {
	SHA256      string
	Size        int64
	ContentType string
	// New is true when this Put added the file, false when the store
	// already held the same content.
	New bool
}

// Put stores r, refusing files over max bytes and any type but PDF, JPEG
// and PNG. The same content stored twice is kept once.
func (s *Store) Put(r io.Reader, max int64) (Stored, error) {
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return Stored{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	head := make([]byte, 1024) // the type's signature, and the part old browsers sniffed
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Stored{}, greyline.Invalid("file", "could not be read")
	}
	head = head[:n]
	if n == 0 {
		return Stored{}, greyline.Invalid("file", "is empty")
	}
	ct := Sniff(head)
	if ct == "" {
		return Stored{}, greyline.Invalid("file", "must be a PDF, JPEG or PNG file")
	}
	if m := findMarkup(head, headMarkup); m != "" {
		return Stored{}, errMarkup(m)
	}
	scan := &markupScanner{}
	size, err := io.Copy(io.MultiWriter(tmp, h, scan), io.MultiReader(bytes.NewReader(head), io.LimitReader(r, max-int64(n)+1)))
	if err != nil {
		return Stored{}, greyline.Invalid("file", "could not be read")
	}
	if size > max {
		return Stored{}, greyline.Invalid("file", fmt.Sprintf("is larger than the limit of %d MB", max>>20))
	}
	if scan.found != "" {
		return Stored{}, errMarkup(scan.found)
	}
	if hasArchive(tmp, size) {
		return Stored{}, greyline.Invalid("file", "has an archive (ZIP or JAR) hidden inside it; send the PDF, JPEG or PNG on its own")
	}
	if err := tmp.Sync(); err != nil {
		return Stored{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Stored{}, err
	}
	fresh := false
	if _, err := os.Stat(dst); err != nil {
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return Stored{}, err
		}
		fresh = true
	}
	return Stored{SHA256: sum, Size: size, ContentType: ct, New: fresh}, nil
}

// Open returns the file with the given hash. The hash is checked for form
// first, so that no caller can walk out of the store.
func (s *Store) Open(sum string) (io.ReadCloser, error) {
	if !validSum(sum) {
		return nil, greyline.Errorf(greyline.ENOTFOUND, "File not found.")
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, greyline.Errorf(greyline.ENOTFOUND, "File not found.")
	}
	return f, err
}

// Remove deletes the file with the given hash, for a caller whose write
// failed after Put added it. Removing a missing file is not an error.
func (s *Store) Remove(sum string) error {
	if !validSum(sum) {
		return greyline.Errorf(greyline.ENOTFOUND, "File not found.")
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// A file may start like a PDF, JPEG or PNG and still carry a web page or an
// archive (a polyglot): a browser or program that sniffs content, or a
// person who renames the download, would run it. Downloads are served as
// attachments with nosniff, but such files are refused anyway: no receipt
// or screenshot holds them.

// fileMarkup is refused anywhere in a file. The markers are long enough
// that compressed or binary data holds one by chance about once in 2^40
// bytes.
var fileMarkup = []string{"<script", "<iframe", "<object", "<embed", "<!doctype", "javascript:", "<svg/", "<svg ", "onerror=", "onload="}

// headMarkup is refused in the first 1 KB, which old browsers sniffed for
// HTML whatever the type said; short tags are checked there only.
var headMarkup = append([]string{"<html", "<head", "<body", "<svg", "<img", "<meta", "<link", "<style", "<form", "<base", "<title"}, fileMarkup...)

func errMarkup(m string) error {
	return greyline.Invalid("file", fmt.Sprintf("holds web page code (%q); send a plain PDF, JPEG or PNG", m))
}

// findMarkup returns the first marker found in b, ignoring ASCII case.
func findMarkup(b []byte, markers []string) string {
	lower := bytes.ToLower(b)
	for _, m := range markers {
		if bytes.Contains(lower, []byte(m)) {
			return m
		}
	}
	return ""
}

// markupScanner looks for fileMarkup in a stream, across write boundaries.
type markupScanner struct {
	tail  []byte // the end of the previous write, shorter than the longest marker
	found string
}

func (m *markupScanner) Write(p []byte) (int, error) {
	if m.found != "" {
		return len(p), nil
	}
	buf := append(m.tail, p...)
	m.found = findMarkup(buf, fileMarkup)
	keep := min(len(buf), 15)
	m.tail = append(m.tail[:0], buf[len(buf)-keep:]...)
	return len(p), nil
}

// hasArchive reports whether the end of f holds a ZIP end-of-central-
// directory record, where ZIP and JAR readers look for one.
func hasArchive(f *os.File, size int64) bool {
	const window = 64<<10 + 22
	off := max(0, size-window)
	tail := make([]byte, size-off)
	if _, err := f.ReadAt(tail, off); err != nil && !errors.Is(err, io.EOF) {
		return true // unreadable: refuse rather than store blind
	}
	return bytes.Contains(tail, []byte("PK\x05\x06"))
}
