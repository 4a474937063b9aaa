package identifier

import (
	"encoding/json"
	"os"
	"sort"
	"testing"
)

// corpusMessage is one complaint narrative, chat or SMS in
// testdata/corpus.json, with the identifiers an analyst would pick out of
// it. Expectations follow the package's documented rules: a number tied to
// a named wallet is a wallet, a number next to a named bank is a bank
// account, a bare host is a URL, and an identifier written twice is
// expected twice.
type corpusMessage struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Lang     string `json:"lang"`
	Batch    string `json:"batch,omitempty"` // "holdout" or "fresh": see testdata/README.md
	Text     string `json:"text"`
	Expect   []struct {
		Type Type   `json:"type"`
		Key  string `json:"key"`
	} `json:"expect"`
}

func loadCorpus(t testing.TB) []corpusMessage {
	b, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []corpusMessage
	if err := json.Unmarshal(b, &msgs); err != nil {
		t.Fatal(err)
	}
	return msgs
}

// TestCorpusPrecisionRecall measures extraction over the whole corpus,
// matching found and expected identifiers on type and key (as multisets, so
// a number written three times must be found three times).
func TestCorpusPrecisionRecall(t *testing.T) {
	msgs := loadCorpus(t)
	if len(msgs) < 150 {
		t.Fatalf("the corpus has %d messages; it needs at least 150", len(msgs))
	}
	var tp, fp, fn int
	batch := map[string]*[3]int{}
	perType := map[Type]*[3]int{}
	count := func(ty Type, i int) {
		if perType[ty] == nil {
			perType[ty] = new([3]int)
		}
		perType[ty][i]++
	}
	for _, m := range msgs {
		if batch[m.Batch] == nil {
			batch[m.Batch] = new([3]int)
		}
		b := batch[m.Batch]
		want := map[string]int{}
		for _, e := range m.Expect {
			want[string(e.Type)+" "+e.Key]++
		}
		got := map[string]int{}
		for _, f := range Extract(m.Text) {
			got[string(f.Type)+" "+f.Key]++
			if m.Text[f.Start:f.End] != f.Raw {
				t.Errorf("%s: span [%d:%d] is %q but Raw is %q", m.ID, f.Start, f.End, m.Text[f.Start:f.End], f.Raw)
			}
		}
		var keys []string
		for k := range want {
			keys = append(keys, k)
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			w, g := want[k], got[k]
			ty := Type(k[:indexByte(k, ' ')])
			for range min(w, g) {
				tp++
				b[0]++
				count(ty, 0)
			}
			for range g - min(w, g) {
				fp++
				b[1]++
				count(ty, 1)
				t.Logf("%s: unexpected %s", m.ID, k)
			}
			for range w - min(w, g) {
				fn++
				b[2]++
				count(ty, 2)
				t.Logf("%s: missed %s", m.ID, k)
			}
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	var types []string
	for ty := range perType {
		types = append(types, string(ty))
	}
	sort.Strings(types)
	for _, ty := range types {
		c := perType[Type(ty)]
		t.Logf("  %-12s found %3d, wrong %2d, missed %2d", ty, c[0], c[1], c[2])
	}
	for _, name := range []string{"", "holdout", "fresh"} {
		if h := batch[name]; h != nil {
			t.Logf("  batch %-8q precision %.3f, recall %.3f (%d expected)", name, float64(h[0])/float64(h[0]+h[1]), float64(h[0])/float64(h[0]+h[2]), h[0]+h[2])
		}
	}
	t.Logf("corpus: %d messages, %d expected identifiers; precision %.3f, recall %.3f", len(msgs), tp+fn, precision, recall)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.3f and recall %.3f must both be at least 0.95", precision, recall)
	}
}

// TestCorpusExpectationsAreValid guards the corpus itself: every expected
// key must be one that Parse can produce, so a typo in the corpus cannot
// hide as a miss.
func TestCorpusExpectationsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range loadCorpus(t) {
		if seen[m.ID] {
			t.Errorf("duplicate corpus id %s", m.ID)
		}
		seen[m.ID] = true
		for _, e := range m.Expect {
			value := e.Key[len(e.Type)+1:]
			if e.Type == Crypto {
				value = value[indexByte(value, ':')+1:]
			}
			id := Parse(e.Type, value)
			if !id.Valid || id.Key != e.Key {
				t.Errorf("%s: expected %s %s does not parse back to itself: %q %s", m.ID, e.Type, e.Key, id.Key, id.Reason)
			}
		}
	}
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
