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
	head := make([]byte, 512)
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
	size, err := io.Copy(io.MultiWriter(tmp, h), io.MultiReader(bytes.NewReader(head), io.LimitReader(r, max-int64(n)+1)))
	if err != nil {
		return Stored{}, greyline.Invalid("file", "could not be read")
	}
	if size > max {
		return Stored{}, greyline.Invalid("file", fmt.Sprintf("is larger than the limit of %d MB", max>>20))
	}
	if err := tmp.Sync(); err != nil {
		return Stored{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Stored{}, err
	}
	if _, err := os.Stat(dst); err != nil {
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return Stored{}, err
		}
	}
	return Stored{SHA256: sum, Size: size, ContentType: ct}, nil
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
