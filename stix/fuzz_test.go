package stix

import (
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// can be exported again as a bundle that validates against the OASIS
// schemas and reads back to the same values.
func FuzzParse(f *testing.F) {
	f.Add([]byte(partner))
	for _, recs := range [][]Record{everyKind, nil, {{Kind: URL, Value: "https://example.com/a?b=c'd", TLP: TLPRed, Revoked: true}}} {
		b, err := Marshal(pta, recs, now)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-02-01T10:00:00Z","modified":"2024-02-01T10:00:00Z","valid_from":"2024-02-01T10:00:00Z","pattern_type":"stix","pattern":"[url:value = 'https://a.pk/\\'x\\\\'] OR [cryptocurrency-wallet:value = '0x52908400098527886E0F7030069857D2E4169EE7']"}]}`))
	f.Add([]byte(`{"type":"bundle"`))

	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse(data)
		if err != nil {
			if recs != nil {
				t.Fatalf("Parse returned records with an error: %v", err)
			}
			return
		}
		// Partners may list a value twice and may leave it unmarked; the
		// importer deduplicates and chooses a TLP before re-exporting.
		var out []Record
		seen := map[string]bool{}
		for _, r := range recs {
			k := string(r.Kind) + "|" + r.Value
			if seen[k] {
				continue
			}
			seen[k] = true
			if r.TLP == "" {
				r.TLP = TLPAmber
			}
			out = append(out, r)
		}
		b, err := Marshal(pta, out, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("re-export of %+v: %v", out, err)
		}
		if err := validateBundle(b); err != nil {
			t.Fatalf("re-export is not valid STIX 2.1: %v\n%s", err, b)
		}
		again, err := Parse(b)
		if err != nil {
			t.Fatalf("re-export does not parse: %v\n%s", err, b)
		}
		if len(again) != len(out) {
			t.Fatalf("re-export reads back %d records, want %d", len(again), len(out))
		}
		for i := range out {
			a, w := again[i], out[i]
			if a.Kind != w.Kind || a.Value != w.Value || a.Chain != w.Chain || a.TLP != w.TLP || a.Revoked != w.Revoked {
				t.Errorf("record %d reads back as %+v, want %+v", i, a, w)
			}
		}
	})
}
