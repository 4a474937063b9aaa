package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	greyline "github.com/greyline/greyline"
)

var (
	t0  = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	t1  = time.Date(2025, 4, 2, 12, 0, 0, 123_000_000, time.UTC)
	now = time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)

	pta = Producer{Name: "Pakistan Telecommunication Authority", Contact: "cert@pta.gov.pk"}
)

// everyKind holds one record of each kind, with every property set on some.
var everyKind = []Record{
	{Kind: Domain, Value: "jazzcash-rewards.pk", Name: "Fake JazzCash reward site", Description: "Collects wallet PINs.", Labels: []string{"phishing", "jazzcash"}, TLP: TLPGreen, Created: t0, Modified: t1, ValidFrom: t0},
	{Kind: URL, Value: "https://bit.ly/abc", TLP: TLPAmber, Created: t0, Modified: t1},
	{Kind: IPv4, Value: "203.0.113.7", TLP: TLPClear, Created: t0, Modified: t0},
	{Kind: IPv6, Value: "2001:db8::1", TLP: TLPRed, Created: t0, Modified: t1},
	{Kind: Email, Value: "refunds@easypaisa-help.com", TLP: TLPAmberStrict, Created: t0, Modified: t1},
	{Kind: Phone, Value: "+923001234567", Labels: []string{"vishing"}, TLP: TLPAmber, Created: t0, Modified: t1},
	{Kind: Crypto, Value: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Chain: "tron", TLP: TLPAmber, Created: t0, Modified: t1},
}

func marshal(t *testing.T, recs []Record) []byte {
	t.Helper()
	b, err := Marshal(pta, recs, now)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}

func TestBundlesValidateAgainstOASISSchemas(t *testing.T) {
	var everyTLP []Record
	for i, l := range TLPs {
		everyTLP = append(everyTLP, Record{Kind: Domain, Value: []string{"a.pk", "b.pk", "c.pk", "d.pk", "e.pk"}[i], TLP: l, Created: t0, Modified: t1})
	}
	tests := []struct {
		name string
		recs []Record
	}{
		{"every kind", everyKind},
		{"every TLP level", everyTLP},
		{"empty bundle", nil},
		{"revoked indicator", []Record{{Kind: Phone, Value: "+923331112222", TLP: TLPGreen, Created: t0, Modified: t1, Revoked: true}}},
		{"times left to now", []Record{{Kind: Email, Value: "a@b.pk", TLP: TLPClear}}},
		{"url needing an escape in the pattern", []Record{{Kind: URL, Value: "https://example.com/a?b=c'd", TLP: TLPGreen}}},
		{"wallet on a chain identifier cannot place", []Record{{Kind: Crypto, Value: "abcdefghij1234567890xyz", Chain: "sol", TLP: TLPRed}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := marshal(t, tc.recs)
			if err := validateBundle(b); err != nil {
				t.Fatalf("bundle is not valid STIX 2.1:\n%v\n%s", err, b)
			}
		})
	}
}

// TestValidatorRejectsInvalidBundles shows the schema check can fail: each
// case breaks one rule in an otherwise valid bundle.
func TestValidatorRejectsInvalidBundles(t *testing.T) {
	tests := []struct {
		name   string
		breaks func(objs []map[string]any, b map[string]any)
	}{
		{"indicator without pattern_type", func(o []map[string]any, _ map[string]any) { delete(find(o, "indicator"), "pattern_type") }},
		{"created without milliseconds", func(o []map[string]any, _ map[string]any) { find(o, "indicator")["created"] = "2025-03-01T09:30:00Z" }},
		{"ipv4 value that is not an address", func(o []map[string]any, _ map[string]any) { find(o, "ipv4-addr")["value"] = "203.0.113.700" }},
		{"id of the wrong type", func(o []map[string]any, _ map[string]any) {
			find(o, "domain-name")["id"] = "url--3c10e93f-798e-5a26-a0c1-08156efab7f5"
		}},
		{"TLP marking with another level's id", func(o []map[string]any, _ map[string]any) {
			m := find(o, "marking-definition")
			m["id"] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
		}},
		{"new SCO without its extension", func(o []map[string]any, _ map[string]any) { delete(find(o, "phone-number"), "extensions") }},
		{"marking that is not in the bundle", func(o []map[string]any, _ map[string]any) {
			find(o, "url")["object_marking_refs"] = []any{"marking-definition--00000000-0000-4000-8000-000000000000"}
		}},
		{"empty objects", func(_ []map[string]any, b map[string]any) { b["objects"] = []any{} }},
		{"STIX 2.0 bundle property", func(_ []map[string]any, b map[string]any) { b["spec_version"] = "2.0" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b map[string]any
			if err := json.Unmarshal(marshal(t, everyKind), &b); err != nil {
				t.Fatal(err)
			}
			var objs []map[string]any
			for _, o := range b["objects"].([]any) {
				objs = append(objs, o.(map[string]any))
			}
			tc.breaks(objs, b)
			broken, _ := json.Marshal(b)
			if err := validateBundle(broken); err == nil {
				t.Fatalf("the validator accepted a bundle with %s", tc.name)
			}
		})
	}
}

func find(objs []map[string]any, typ string) map[string]any {
	for _, o := range objs {
		if o["type"] == typ {
			return o
		}
	}
	panic("no " + typ)
}

func TestSCOIDsFollowSTIX(t *testing.T) {
	// The ids cti-python-stix2 and other STIX libraries derive.
	for v, want := range map[string]string{
		"example.com":         "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7",
		"control.example.com": "domain-name--427e3664-0043-5865-b454-97df26649bde",
	} {
		if got := scoID("domain-name", v); got != want {
			t.Errorf("scoID(%q) = %s, want %s", v, got, want)
		}
	}
	if got, want := jcsString("a\"\\\x01<>&\u2028é"), `"a\"\\\u0001<>&`+"\u2028é\""; got != want {
		t.Errorf("jcsString = %s, want %s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	got, err := Parse(marshal(t, everyKind))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Record, len(everyKind))
	copy(want, everyKind)
	for i := range want {
		if want[i].ValidFrom.IsZero() {
			want[i].ValidFrom = want[i].Created
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Parse(Write(records)) (-want +got):\n%s", d)
	}
}

// TestReExportUpdates checks that exporting a record again keeps every id
// and moves modified forward, so partners update instead of duplicating.
func TestReExportUpdates(t *testing.T) {
	first := objectsByType(t, marshal(t, everyKind))
	later := append([]Record(nil), everyKind...)
	for i := range later {
		later[i].Modified = now
	}
	b, err := Marshal(pta, later, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	second := objectsByType(t, b)
	if d := cmp.Diff(ids(first), ids(second)); d != "" {
		t.Errorf("ids changed between exports (-first +second):\n%s", d)
	}
	for i, o := range second["indicator"] {
		if !(o["modified"].(string) > first["indicator"][i]["modified"].(string)) {
			t.Errorf("indicator %s: modified %s did not move past %s", o["id"], o["modified"], first["indicator"][i]["modified"])
		}
		if o["created"] != first["indicator"][i]["created"] {
			t.Errorf("indicator %s: created changed", o["id"])
		}
	}
}

func objectsByType(t *testing.T, b []byte) map[string][]map[string]any {
	t.Helper()
	var bundle struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	m := map[string][]map[string]any{}
	for _, o := range bundle.Objects {
		m[o["type"].(string)] = append(m[o["type"].(string)], o)
	}
	return m
}

func ids(m map[string][]map[string]any) map[string][]string {
	out := map[string][]string{}
	for typ, objs := range m {
		for _, o := range objs {
			out[typ] = append(out[typ], o["id"].(string))
		}
	}
	return out
}

func TestWriteOutput(t *testing.T) {
	objs := objectsByType(t, marshal(t, []Record{
		{Kind: Phone, Value: "+923001234567", TLP: TLPAmber, Created: t0, Modified: t1},
	}))
	ind := objs["indicator"][0]
	got := map[string]any{
		"pattern":        ind["pattern"],
		"created_by_ref": ind["created_by_ref"] == objs["identity"][1]["id"],
		"indicator_mark": ind["object_marking_refs"],
		"sco_mark":       objs["phone-number"][0]["object_marking_refs"],
		"markings":       len(objs["marking-definition"]),
		"ext_types":      objs["extension-definition"][0]["extension_types"],
		"ext_name":       objs["extension-definition"][0]["name"],
		"sco_ext":        objs["phone-number"][0]["extensions"],
		"producer":       objs["identity"][1]["name"],
		"ext_creator":    objs["extension-definition"][0]["created_by_ref"] == objs["identity"][0]["id"],
	}
	want := map[string]any{
		"pattern":        "[phone-number:value = '+923001234567']",
		"created_by_ref": true,
		"indicator_mark": []any{"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
		"sco_mark":       []any{"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
		"markings":       2, // AMBER for the record, CLEAR for the identities and extension
		"ext_types":      []any{"new-sco"},
		"ext_name":       "phone-number",
		"sco_ext":        map[string]any{newSCOs["phone-number"].id: map[string]any{"extension_type": "new-sco"}},
		"producer":       pta.Name,
		"ext_creator":    true,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("bundle (-want +got):\n%s", d)
	}
	if b := marshal(t, nil); !bytes.Contains(b, []byte(`"type": "bundle"`)) || bytes.Contains(b, []byte("objects")) {
		t.Errorf("empty bundle:\n%s", b)
	}
}

func TestWriteRefuses(t *testing.T) {
	ok := Record{Kind: Domain, Value: "a.pk", TLP: TLPGreen}
	tests := []struct {
		name  string
		p     Producer
		recs  []Record
		field string
	}{
		{"no producer", Producer{}, nil, "producer.name"},
		{"unknown kind", pta, []Record{{Kind: "iban", Value: "x", TLP: TLPGreen}}, "records[0].kind"},
		{"no TLP", pta, []Record{{Kind: Domain, Value: "a.pk"}}, "records[0].tlp"},
		{"TLP 1.0 white", pta, []Record{{Kind: Domain, Value: "a.pk", TLP: "white"}}, "records[0].tlp"},
		{"value not canonical", pta, []Record{{Kind: Domain, Value: "A.PK", TLP: TLPGreen}}, "records[0].value"},
		{"invalid value", pta, []Record{{Kind: Phone, Value: "12", TLP: TLPGreen}}, "records[0].value"},
		{"ipv6 as ipv4", pta, []Record{{Kind: IPv4, Value: "2001:db8::1", TLP: TLPGreen}}, "records[0].value"},
		{"chain on a domain", pta, []Record{{Kind: Domain, Value: "a.pk", Chain: "btc", TLP: TLPGreen}}, "records[0].chain"},
		{"wrong chain", pta, []Record{{Kind: Crypto, Value: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Chain: "btc", TLP: TLPGreen}}, "records[0].chain"},
		{"empty label", pta, []Record{{Kind: Domain, Value: "a.pk", Labels: []string{" "}, TLP: TLPGreen}}, "records[0].labels[0]"},
		{"modified before created", pta, []Record{{Kind: Domain, Value: "a.pk", TLP: TLPGreen, Created: t1, Modified: t0}}, "records[0].modified"},
		{"duplicate", pta, []Record{ok, {Kind: Domain, Value: "b.pk", TLP: TLPGreen}, ok}, "records[2].value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w bytes.Buffer
			err := Write(&w, tc.p, tc.recs, now)
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if d := cmp.Diff([]string{tc.field}, fields(err)); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			if w.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", w.Len())
			}
		})
	}
}

func fields(err error) []string {
	var out []string
	for _, f := range greyline.ErrorFields(err) {
		out = append(out, f.Field)
	}
	return out
}

// partner is a bundle as MISP or OpenCTI might send it.
const partner = `{
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {"type": "identity", "spec_version": "2.1", "id": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
     "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "CERT-X", "identity_class": "organization"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
     "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
     "created": "2024-02-01T10:00:00Z", "modified": "2024-02-03T10:00:00.5Z", "valid_from": "2024-02-01T10:00:00Z",
     "name": "Smishing kit", "labels": ["smishing"],
     "pattern": "[domain-name:value = 'Login-HBL.PK'] OR [url:value = 'http://login-hbl.pk/x' OR ipv4-addr:value = '198.51.100.9']",
     "pattern_type": "stix", "pattern_version": "2.1",
     "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1f7c1bd5-2f13-4b4f-8e5a-8a4b2d6f7a11",
     "created": "2024-02-01T10:00:00Z", "modified": "2024-02-01T10:00:00Z", "valid_from": "2024-02-01T10:00:00Z", "revoked": true,
     "pattern": "[phone-number:value='0300-7654321']", "pattern_type": "stix"},
    {"type": "domain-name", "id": "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5", "value": "login-hbl.pk"},
    {"type": "email-addr", "spec_version": "2.1", "id": "email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3", "value": "Help@Login-HBL.pk",
     "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]},
    {"type": "cryptocurrency-wallet", "spec_version": "2.1", "id": "cryptocurrency-wallet--0b4a3f5e-9c1d-5e2f-8a7b-6c5d4e3f2a1b",
     "value": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
    {"type": "relationship", "spec_version": "2.1", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
     "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "relationship_type": "based-on",
     "source_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "target_ref": "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5"}
  ]
}`

func TestParse(t *testing.T) {
	c := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	m := time.Date(2024, 2, 3, 10, 0, 0, 500_000_000, time.UTC)
	base := Record{Name: "Smishing kit", Labels: []string{"smishing"}, TLP: TLPAmber, Created: c, Modified: m, ValidFrom: c}
	with := func(k Kind, v string) Record { r := base; r.Kind, r.Value = k, v; return r }
	want := []Record{
		with(Domain, "login-hbl.pk"),
		with(URL, "http://login-hbl.pk/x"),
		with(IPv4, "198.51.100.9"),
		{Kind: Phone, Value: "+923007654321", Created: c, Modified: c, ValidFrom: c, Revoked: true},
		{Kind: Email, Value: "help@login-hbl.pk", TLP: TLPClear},
		{Kind: Crypto, Value: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", Chain: "btc"},
	}
	got, err := Parse([]byte(partner))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Parse (-want +got):\n%s", d)
	}
}

func TestParseRefuses(t *testing.T) {
	ind := func(extra string) string {
		return `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
{"type":"domain-name","id":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","value":"ok.pk"},
{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-02-01T10:00:00Z","modified":"2024-02-01T10:00:00Z","valid_from":"2024-02-01T10:00:00Z","pattern_type":"stix"` + extra + `}]}`
	}
	const id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: "
	tests := []struct {
		name, in, field, reason string
	}{
		{"bad JSON", `{"type":"bundle",`, "bundle", "is not a JSON object: invalid JSON at byte 17"},
		{"not a bundle", `{"type":"report","id":"report--5d0092c5-5f74-4287-9642-33f4c354e56d"}`, "type", `is "report", not "bundle"`},
		{"bad bundle id", `{"type":"bundle","id":"bundle--1234"}`, "id", `"bundle--1234" is not a bundle id (bundle--<UUID>)`},
		{"STIX 2.0", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","spec_version":"2.0"}`, "spec_version", `is "2.0"; only STIX 2.1 is supported`},
		{"objects not an array", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":{}}`, "objects", "must be an array of objects"},
		{"object not an object", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[3]}`, "objects[0]", "is not a JSON object"},
		{"type not a string", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":7}]}`, "objects[0].type", "must be a string"},
		{"missing id", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"identity"}]}`, "objects[0].id", "is required"},
		{"id of another type", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"url","id":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","value":"https://a.pk/"}]}`,
			"objects[0].id", `"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5" is not a url id (url--<UUID>)`},
		{"missing spec_version", strings.Replace(ind(`,"pattern":"[domain-name:value = 'a.pk']"`), `"spec_version":"2.1",`, "", 1),
			"objects[1].spec_version", id + "is required"},
		{"unsupported AND", ind(`,"pattern":"[domain-name:value = 'a.pk' AND url:value = 'https://a.pk/']"`), "objects[1].pattern",
			id + `is not a supported pattern: expected OR or ] after a comparison at "AND url:value = 'https://a.pk/']"`},
		{"unsupported property", ind(`,"pattern":"[file:hashes.MD5 = 'abc']"`), "objects[1].pattern",
			id + `is not a supported pattern: expected a comparison on domain-name, url, ipv4-addr, ipv6-addr, email-addr, phone-number or cryptocurrency-wallet at "file:hashes.MD5 = 'abc']"`},
		{"unsupported operator", ind(`,"pattern":"[domain-name:value LIKE 'a%']"`), "objects[1].pattern",
			id + `is not a supported pattern: only the = operator is supported at "LIKE 'a%']"`},
		{"qualifier", ind(`,"pattern":"[domain-name:value = 'a.pk'] WITHIN 5 SECONDS"`), "objects[1].pattern",
			id + `is not a supported pattern: expected OR between observations at "WITHIN 5 SECONDS"`},
		{"invalid value", ind(`,"pattern":"[ipv4-addr:value = '10.0.0.0/8']"`), "objects[1].pattern",
			id + `ipv4-addr value "10.0.0.0/8": not an IPv4 or IPv6 address`},
		{"ipv6 in ipv4-addr", ind(`,"pattern":"[ipv4-addr:value = '2001:db8::1']"`), "objects[1].pattern",
			id + `ipv4-addr value "2001:db8::1": is not an IPv4 address`},
		{"other pattern type", strings.Replace(ind(`,"pattern":"alert tcp any any"`), `"pattern_type":"stix"`, `"pattern_type":"snort"`, 1),
			"objects[1].pattern_type", id + `is "snort"; only STIX patterns are supported`},
		{"missing pattern", ind(""), "objects[1].pattern", id + "is required"},
		{"bad timestamp", strings.Replace(ind(`,"pattern":"[domain-name:value = 'a.pk']"`), `"created":"2024-02-01T10:00:00Z"`, `"created":"2024-02-01 10:00:00"`, 1),
			"objects[1].created", id + `"2024-02-01 10:00:00" is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)`},
		{"revoked not a bool", ind(`,"pattern":"[domain-name:value = 'a.pk']","revoked":"yes"`), "objects[1].revoked", id + "must be true or false"},
		{"label not a string", ind(`,"pattern":"[domain-name:value = 'a.pk']","labels":[1]`), "objects[1].labels", id + "must be an array of strings"},
		{"bad marking ref", ind(`,"pattern":"[domain-name:value = 'a.pk']","object_marking_refs":["tlp:red"]`), "objects[1].object_marking_refs", id + `"tlp:red" is not a marking-definition id`},
		{"invalid SCO value", `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"email-addr","id":"email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3","value":"nobody"}]}`,
			"objects[0].value", `email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3: "nobody": an e-mail address needs an @`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := Parse([]byte(tc.in))
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if recs != nil {
				t.Errorf("returned %d records with the error", len(recs))
			}
			want := []greyline.FieldError{{Field: tc.field, Reason: tc.reason}}
			if d := cmp.Diff(want, greyline.ErrorFields(err)); d != "" {
				t.Errorf("field errors (-want +got):\n%s", d)
			}
		})
	}
}
