package identifier

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkID checks the promises every parsed identifier keeps, and that its
// canonical value is stable: parsing it again gives the same value and key.
func checkID(t *testing.T, where string, id ID) {
	t.Helper()
	if id.Valid {
		if id.Reason != "" {
			t.Fatalf("%s: valid with a reason %q", where, id.Reason)
		}
		if !strings.HasPrefix(id.Key, string(id.Type)+":") {
			t.Fatalf("%s: key %q is not prefixed by the type %s", where, id.Key, id.Type)
		}
		again := Parse(id.Type, id.Value)
		if !again.Valid || again.Value != id.Value || again.Key != id.Key {
			t.Fatalf("%s: value %q key %q is not stable: parsing the value gives %q %q valid=%v (%s)",
				where, id.Value, id.Key, again.Value, again.Key, again.Valid, again.Reason)
		}
		return
	}
	if id.Key != "" {
		t.Fatalf("%s: invalid but has key %q", where, id.Key)
	}
	if id.Reason == "" {
		t.Fatalf("%s: invalid without a reason", where)
	}
}

// FuzzParse runs every parser, chosen by the first argument.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		for i, ty := range Types {
			if ty == c.t {
				f.Add(uint8(i), c.raw)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		ty := Types[int(which)%len(Types)]
		id := Parse(ty, raw)
		if id.Type != ty || id.Raw != raw {
			t.Fatalf("Parse(%s, %q) returned type %s raw %q", ty, raw, id.Type, id.Raw)
		}
		checkID(t, "Parse("+string(ty)+", "+quote(raw)+")", id)
	})
}

// FuzzDetect runs type detection.
func FuzzDetect(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id := Detect(raw)
		if id.Raw != raw {
			t.Fatalf("Detect(%q).Raw = %q", raw, id.Raw)
		}
		if id.Type == "" {
			if id.Valid || id.Reason == "" {
				t.Fatalf("Detect(%q): no type but valid=%v reason=%q", raw, id.Valid, id.Reason)
			}
			return
		}
		checkID(t, "Detect("+quote(raw)+")", id)
	})
}

// FuzzExtract runs the extractor on arbitrary text: offsets must lie in the
// text, cover the raw text, come in order, and every identifier must be
// valid with a stable canonical value.
func FuzzExtract(f *testing.F) {
	for _, m := range loadCorpus(f) {
		f.Add(m.Text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, fd := range Extract(text) {
			if fd.Start < 0 || fd.End > len(text) || fd.Start >= fd.End {
				t.Fatalf("span [%d:%d] outside text of %d bytes", fd.Start, fd.End, len(text))
			}
			if text[fd.Start:fd.End] != fd.Raw {
				t.Fatalf("span [%d:%d] is %q but Raw is %q", fd.Start, fd.End, text[fd.Start:fd.End], fd.Raw)
			}
			if fd.Start < prev {
				t.Fatalf("found identifiers out of order at %d", fd.Start)
			}
			prev = fd.Start
			if utf8.ValidString(text) && !utf8.ValidString(fd.Raw) {
				t.Fatalf("span [%d:%d] cuts a character: %q", fd.Start, fd.End, fd.Raw)
			}
			if !fd.Valid {
				t.Fatalf("extracted an invalid identifier %q: %s", fd.Raw, fd.Reason)
			}
			checkID(t, "Extract: "+quote(fd.Raw), fd.ID)
		}
	})
}
