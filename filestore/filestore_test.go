package filestore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/greyline/greyline"
)

var (
	pdf  = []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj<<>>endobj\n%%EOF\n")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	// zipFile is an empty ZIP archive: just its end-of-central-directory record.
	zipFile = []byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
)

func TestPut(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		in     []byte
		max    int64
		want   string // content type, or "" for a refusal
		reason string
	}{
		{"pdf", pdf, 1 << 20, PDF, ""},
		{"png", png, 1 << 20, PNG, ""},
		{"jpeg", jpeg, 1 << 20, JPEG, ""},
		{"exe named anything", []byte("MZ\x90\x00\x03"), 1 << 20, "", "must be a PDF, JPEG or PNG file"},
		{"html", []byte("<html><script>alert(1)</script>"), 1 << 20, "", "must be a PDF, JPEG or PNG file"},
		{"zip", []byte("PK\x03\x04"), 1 << 20, "", "must be a PDF, JPEG or PNG file"},
		{"empty", nil, 1 << 20, "", "is empty"},
		// Polyglots: a real signature, then a web page or an archive.
		{"pdf header, html body", []byte("%PDF-1.4\n<html><body>hi</body></html>\n%%EOF\n"), 1 << 20, "", `holds web page code ("<html"); send a plain PDF, JPEG or PNG`},
		{"png with a script chunk", append(slices.Clone(png), "\x00\x00\x00\x20tEXt<script>alert(1)</script>"...), 1 << 20, "", `holds web page code ("<script"); send a plain PDF, JPEG or PNG`},
		{"jpeg with an svg", append(slices.Clone(jpeg), `<SVG onload=alert(1)>`...), 1 << 20, "", `holds web page code ("<svg"); send a plain PDF, JPEG or PNG`},
		{"pdf with a javascript link", []byte("%PDF-1.4\n1 0 obj<</URI (JaVaScRiPt:alert(1))>>endobj\n%%EOF\n"), 1 << 20, "", `holds web page code ("javascript:"); send a plain PDF, JPEG or PNG`},
		{"script after the first kilobyte", append(append(slices.Clone(pdf), bytes.Repeat([]byte{0}, 5000)...), "<sCrIpT>x"...), 1 << 20, "", `holds web page code ("<script"); send a plain PDF, JPEG or PNG`},
		{"script across a write boundary", append(append(slices.Clone(pdf), bytes.Repeat([]byte{0}, 32*1024-len(pdf)-3)...), "<script>"...), 1 << 20, "", `holds web page code ("<script"); send a plain PDF, JPEG or PNG`},
		{"png then a zip (GIFAR-like)", append(slices.Clone(png), zipFile...), 1 << 20, "", "has an archive (ZIP or JAR) hidden inside it; send the PDF, JPEG or PNG on its own"},
		{"gif then a zip (GIFAR)", append([]byte("GIF89a\x01\x00\x01\x00"), zipFile...), 1 << 20, "", "must be a PDF, JPEG or PNG file"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 1 << 20, "", "must be a PDF, JPEG or PNG file"},
		{"exactly the limit", pdf, int64(len(pdf)), PDF, ""},
		{"one byte over", pdf, int64(len(pdf)) - 1, "", "is larger than the limit of 0 MB"},
	}
	for _, tt := range tests {
		got, err := s.Put(bytes.NewReader(tt.in), tt.max)
		if tt.want == "" {
			fe := greyline.ErrorFields(err)
			if !errors.Is(err, greyline.ErrInvalid) || len(fe) != 1 || fe[0].Field != "file" || fe[0].Reason != tt.reason {
				t.Errorf("%s: err = %v, want file %q", tt.name, err, tt.reason)
			}
			continue
		}
		if err != nil || got.ContentType != tt.want || got.Size != int64(len(tt.in)) || len(got.SHA256) != 64 {
			t.Fatalf("%s: %+v %v", tt.name, got, err)
		}
		rc, err := s.Open(got.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, tt.in) {
			t.Errorf("%s: stored bytes differ", tt.name)
		}
	}
	// No temporary files are left behind by refusals.
	left, _ := filepath.Glob(filepath.Join(s.dir, ".upload-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSameContentStoredOnce(t *testing.T) {
	s, _ := New(t.TempDir())
	a, _ := s.Put(bytes.NewReader(pdf), 1<<20)
	b, _ := s.Put(bytes.NewReader(pdf), 1<<20)
	if a.SHA256 != b.SHA256 {
		t.Fatal("same content, different hashes")
	}
	files, _ := filepath.Glob(filepath.Join(s.dir, "*", "*"))
	if len(files) != 1 {
		t.Errorf("stored %d files, want 1", len(files))
	}
}

func TestOpenRefusesPathsOutsideTheStore(t *testing.T) {
	dir := t.TempDir()
	s, _ := New(filepath.Join(dir, "store"))
	os.WriteFile(filepath.Join(dir, "secret"), []byte("secret"), 0o600)
	for _, bad := range []string{"../secret", "../../etc/passwd", strings.Repeat("a", 63) + "/", "", strings.Repeat("A", 64), strings.Repeat("0", 65),
		"..\\secret", "/etc/passwd", filepath.Join(dir, "secret"), "%2e%2e%2fsecret", "..%2fsecret", "\x00", strings.Repeat("a", 63) + "\x00",
		"../" + strings.Repeat("a", 61), "..\\" + strings.Repeat("a", 61), strings.Repeat("a", 62) + "/.", "aa/" + strings.Repeat("../", 19) + "x"} {
		if _, err := s.Open(bad); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("Open(%q): %v, want not found", bad, err)
		}
	}
}

func FuzzPut(f *testing.F) {
	for _, seed := range [][]byte{pdf, png, jpeg, []byte("MZ"), nil, []byte("%PDF"), append(slices.Clone(pdf), "<script>"...), append(slices.Clone(png), zipFile...)} {
		f.Add(seed)
	}
	s, _ := New(f.TempDir())
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := s.Put(bytes.NewReader(in), 4096)
		if err != nil {
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if Sniff(in) != got.ContentType || got.Size != int64(len(in)) {
			t.Fatalf("accepted %q as %+v", in, got)
		}
		if m := findMarkup(in, fileMarkup); m != "" || bytes.Contains(in, []byte("PK\x05\x06")) {
			t.Fatalf("accepted %q, which holds %q or an archive", in, m)
		}
	})
}
