package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

const importHeader = "external_ref,received_at,incident_at,category,contact_method,payment_method,loss_paisa,complainant_name,complainant_cnic,complainant_phone,complainant_city,narrative,identifiers"

// importCSV has three good rows and three bad ones; the second good row's
// narrative runs over two lines, so later rows start a line further on.
const importCSV = importHeader + `
HBL-1,2026-01-06T10:00:00+05:00,2026-01-05,loan_app,call,mobile_wallet,500000,Ali Raza,35202-1234567-1,0300-1112223,Karachi,Loan app agents called from 0321-5556667 and threatened me.,0345-1234567;https://bit.ly/xyz
HBL-2,,2026-01-07,prize_lottery,sms,none,,Sara Khan,,0301-2223334,Lahore,"Won a prize, they said.
Then asked for tax to JazzCash 0345-1234567.",
HBL-3,2026-01-08,2026-01-02,nope,call,mobile_wallet,abc,Bilal,,0302-3334445,Multan,Bad row,
HBL-4,,2026-01-07,prize_lottery,sms,none,,Hina,,,Quetta,No way to reach her,
HBL-5,,2026-01-07,prize_lottery,sms,none
HBL-6,,2026-02-01T09:30:00Z,phishing_otp,sms,bank_transfer,2500000,Usman,,0303-4445556,Peshawar,OTP stolen by a caller,0345-1234567
`

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestImportCSV(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env["GREYLINE_DATABASE"] = sqlstoretest.DSN(t, engine)
			c.mustRun("migrate")
			file := writeFile(t, "complaints.csv", importCSV)
			rejects := filepath.Join(t.TempDir(), "rejects.csv")

			out, errs := c.wantExit(ExitInvalid, []string{"3 rows rejected", rejects}, "import", "complaints", "--rejects", rejects, file)
			if !strings.Contains(out, "read 6 rows") || !strings.Contains(out, "imported 3, skipped 0 (already imported), rejected 3") {
				t.Errorf("summary:\n%s", out)
			}
			if strings.Contains(errs, "\r") || strings.Contains(errs, "[=") {
				t.Errorf("a progress bar was drawn on a pipe:\n%q", errs)
			}
			recs := readCSV(t, rejects)
			want := [][]string{
				append(strings.Split(importHeader, ","), "row", "reason"),
				{"HBL-3", "2026-01-08", "2026-01-02", "nope", "call", "mobile_wallet", "abc", "Bilal", "", "0302-3334445", "Multan", "Bad row", "", "5",
					"category: is not a known category; loss_paisa: must be a whole number of paisa, such as 7500000 for Rs 75,000"},
				{"HBL-4", "", "2026-01-07", "prize_lottery", "sms", "none", "", "Hina", "", "", "Quetta", "No way to reach her", "", "6",
					"complainant_phone: give a phone number, e-mail or CNIC so that the complainant can be reached"},
				{"HBL-5", "", "2026-01-07", "prize_lottery", "sms", "none", "", "", "", "", "", "", "", "7", "has 6 columns where the header has 13"},
			}
			if diff := cmp.Diff(want, recs); diff != "" {
				t.Errorf("rejects (-want +got):\n%s", diff)
			}

			db := c.openStore()
			ctx := sysCtx()
			list, err := db.ListComplaints(ctx, greyline.ComplaintFilter{})
			if err != nil || len(list) != 3 {
				t.Fatalf("complaints: %d %v", len(list), err)
			}
			ids, err := db.ComplaintsByComplainant(ctx, "3520212345671")
			if err != nil || len(ids) != 1 {
				t.Fatalf("by CNIC: %v %v", ids, err)
			}
			full, err := db.RevealComplaint(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if full.ExternalRef != "HBL-1" || full.Channel != greyline.ChannelImport || full.LossPaisa != 500000 || full.Complainant.Name != "Ali Raza" ||
				!full.ReceivedAt.Equal(time.Date(2026, 1, 6, 5, 0, 0, 0, time.UTC)) || !full.IncidentAt.Equal(time.Date(2026, 1, 4, 19, 0, 0, 0, time.UTC)) {
				t.Errorf("imported complaint: %+v", full)
			}
			var keys []string
			for _, ci := range full.Identifiers {
				keys = append(keys, ci.Source+" "+ci.Key)
			}
			if diff := cmp.Diff([]string{"field phone:+923451234567", "field url:bit.ly/xyz", "extracted phone:+923215556667"}, keys); diff != "" {
				t.Errorf("identifiers (-want +got):\n%s", diff)
			}

			// The same file again: nothing twice.
			out, _ = c.wantExit(ExitInvalid, []string{"3 rows rejected"}, "import", "complaints", "--rejects", rejects, file)
			if !strings.Contains(out, "imported 0, skipped 3 (already imported), rejected 3") {
				t.Errorf("second run:\n%s", out)
			}
			// Fixed rows load and the rest are skipped; exit 0 when nothing is rejected.
			fixed := strings.Replace(strings.Replace(importCSV, ",nope,", ",other,", 1), ",abc,", ",100,", 1)
			fixed = strings.Replace(fixed, ",,Quetta,", ",hina@example.pk,Quetta,", 1)
			fixed = strings.Replace(fixed, "HBL-5,,2026-01-07,prize_lottery,sms,none\n", "", 1)
			out = c.mustRun("import", "complaints", writeFile(t, "fixed.csv", fixed))
			if !strings.Contains(out, "read 5 rows") || !strings.Contains(out, "imported 2, skipped 3 (already imported), rejected 0") {
				t.Errorf("fixed file:\n%s", out)
			}
			if list, _ := db.ListComplaints(ctx, greyline.ComplaintFilter{}); len(list) != 5 {
				t.Errorf("%d complaints after the fixed file, want 5", len(list))
			}
			// Each batch is audited once, and the chain holds.
			if evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "complaint.import"}); len(evs) != 2 {
				t.Errorf("%d import audit events, want 2", len(evs))
			}
			c.mustRun("audit", "verify")
		})
	}
}

const importNDJSON = `{"external_ref":"TEL-1","incident_at":"2026-01-05","category":"whatsapp_hijack","contact_method":"whatsapp","payment_method":"none","complainant_name":"Zara","complainant_phone":"0300-9998887","complainant_city":"Islamabad","narrative":"My WhatsApp was taken over after a call.","identifiers":["+92 321 1112223","wa.me/923331112223"],"loss_paisa":0}
{"external_ref":2,"incident_at":"2026-01-06T08:00:00+05:00","category":"romance","contact_method":"social_media","payment_method":"bank_transfer","complainant_name":"Omar","complainant_email":"omar@example.pk","complainant_city":"Lahore","narrative":"Sent money for a gift.","identifiers":"PK36SCBL0000001123456702; 0345-7776665","loss_paisa":"1500000"}

{"external_ref":"TEL-3","incident_at":"yesterday","category":"romance","contact_method":"call","payment_method":"none","complainant_name":"X","complainant_email":"x@example.pk","complainant_city":"Lahore","narrative":"n"}
{"external_ref":"TEL-4","colour":"red","incident_at":"2026-01-05","category":"romance","contact_method":"call","payment_method":"none","complainant_name":"X","complainant_email":"x@example.pk","complainant_city":"Lahore","narrative":"n"}
{"external_ref":"TEL-5", this is not JSON
["an","array"]
{"external_ref":"TEL-7","incident_at":"2026-01-05","category":"romance","contact_method":"call","payment_method":"none","complainant_name":"X","complainant_email":"x@example.pk","complainant_city":"Lahore","narrative":"n","identifiers":["not an identifier"]}
`

func TestImportNDJSON(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env["GREYLINE_DATABASE"] = sqlstoretest.DSN(t, engine)
			c.mustRun("migrate")
			file := writeFile(t, "telco.jsonl", importNDJSON)
			rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
			out, _ := c.wantExit(ExitInvalid, []string{"5 rows rejected"}, "import", "complaints", "--source", "pta", "--rejects", rejects, file)
			if !strings.Contains(out, "read 7 rows") || !strings.Contains(out, "imported 2, skipped 0 (already imported), rejected 5") {
				t.Errorf("summary:\n%s", out)
			}
			b, err := os.ReadFile(rejects)
			if err != nil {
				t.Fatal(err)
			}
			type reject struct {
				Row    int             `json:"row"`
				Reason string          `json:"reason"`
				Input  json.RawMessage `json:"input"`
			}
			var got []reject
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				var r reject
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("rejects line %q: %v", line, err)
				}
				got = append(got, r)
			}
			want := []struct {
				row    int
				reason string
				input  string // the start of the echoed input
			}{
				{4, "incident_at: must be a date (YYYY-MM-DD) or a time in RFC 3339", `{"external_ref":"TEL-3"`},
				{5, `colour: is not a known column`, `{"external_ref":"TEL-4"`},
				{6, "not valid JSON", `"{\"external_ref\":\"TEL-5\", this is not JSON"`},
				{7, "the line is not a JSON object", `["an","array"]`},
				{8, `identifiers: "not an identifier": `, `{"external_ref":"TEL-7"`},
			}
			if len(got) != len(want) {
				t.Fatalf("rejects:\n%s", b)
			}
			for i, w := range want {
				if got[i].Row != w.row || !strings.HasPrefix(got[i].Reason, w.reason) || !strings.HasPrefix(string(got[i].Input), w.input) {
					t.Errorf("reject %d: %+v, want row %d, reason %q…, input %s…", i, got[i], w.row, w.reason, w.input)
				}
			}

			db := c.openStore()
			pta := mustFindOrg(t, c, "PTA")
			list, err := db.ListComplaints(sysCtx(), greyline.ComplaintFilter{SourceOrg: pta})
			if err != nil || len(list) != 2 {
				t.Fatalf("complaints from PTA: %d %v", len(list), err)
			}
			refs := []string{list[0].ExternalRef, list[1].ExternalRef}
			slices.Sort(refs)
			if diff := cmp.Diff([]string{"2", "TEL-1"}, refs); diff != "" {
				t.Errorf("external refs (-want +got):\n%s", diff)
			}
			// Again from the same source: nothing new; from another: all new.
			out, _ = c.wantExit(ExitInvalid, nil, "import", "complaints", "--source", "PTA", file)
			if !strings.Contains(out, "imported 0, skipped 2 (already imported), rejected 5") {
				t.Errorf("second run:\n%s", out)
			}
			out, _ = c.wantExit(ExitInvalid, nil, "import", "complaints", "--format", "ndjson", "--source", "SECP", file)
			if !strings.Contains(out, "imported 2, skipped 0") {
				t.Errorf("another source:\n%s", out)
			}
		})
	}
}

func mustFindOrg(t *testing.T, c *cli, code string) int64 {
	t.Helper()
	o, err := c.openStore().FindOrgByCode(sysCtx(), code)
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func TestImportRefusals(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	empty := writeFile(t, "empty.csv", "")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"bad header", []string{writeFile(t, "bad.csv", "external_ref,narative,category\nA,b,other\n")},
			[]string{"header", `column 2 "narative" is not a known column`, `required column "narrative" is missing`, `required column "incident_at" is missing`}},
		{"duplicate column", []string{writeFile(t, "dup.csv", importHeader+",category\n")}, []string{`column "category" appears twice`}},
		{"empty CSV", []string{empty}, []string{"the file is empty"}},
		{"empty NDJSON", []string{writeFile(t, "empty.ndjson", "")}, []string{"the file is empty"}},
		{"unknown format", []string{writeFile(t, "x.txt", importCSV)}, []string{"--format", "cannot be guessed"}},
		{"bad format", []string{"--format", "xml", empty}, []string{"--format", "csv or ndjson"}},
		{"no file", nil, []string{"FILE"}},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.csv")}, []string{"FILE", "no such file"}},
		{"unknown source", []string{"--source", "NOPE", writeFile(t, "ok.csv", importCSV)}, []string{"--source", `"NOPE"`}},
		{"what to import", nil, []string{"say what to import"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"import", "complaints"}, tt.args...)
			if tt.name == "what to import" {
				args = []string{"import", "licences", "x.csv"}
			}
			c.on(t).wantExit(ExitInvalid, tt.want, args...)
		})
	}
	// Nothing was written by any of them.
	if list, _ := c.openStore().ListComplaints(sysCtx(), greyline.ComplaintFilter{}); len(list) != 0 {
		t.Errorf("refused imports wrote %d complaints", len(list))
	}
	// A header with no rows is a file with nothing to import.
	out := c.mustRun("import", "complaints", writeFile(t, "header.csv", importHeader+"\n"))
	if !strings.Contains(out, "read 0 rows") {
		t.Errorf("header only:\n%s", out)
	}
}

func TestImportStdinAndHelp(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	code, out, errs := c.runStdin(importCSV, "import", "complaints", "--format", "csv", "-")
	if code != ExitInvalid || !strings.Contains(out, "imported 3") || !strings.Contains(errs, "row 5: category: is not a known category") {
		t.Errorf("from standard input: exit %d\n%s\n%s", code, out, errs)
	}
	c.wantExit(ExitInvalid, []string{"--format"}, "import", "complaints", "-")

	for _, args := range [][]string{{"import", "--help"}, {"import", "complaints", "--help"}} {
		out := c.mustRun(args...)
		if !strings.Contains(out, "Usage: "+importSynopsis) {
			t.Errorf("%v: no usage line:\n%s", args, out)
		}
		for _, col := range importColumns {
			if !regexp.MustCompile(`(?m)^  ` + col + `\b`).MatchString(out) {
				t.Errorf("%v: column %s is not documented", args, col)
			}
		}
		var got []string
		for _, m := range helpOption.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1])
		}
		slices.Sort(got)
		if diff := cmp.Diff(with(storeOptions, "batch", "format", "keep-indexes", "rejects", "source"), got); diff != "" {
			t.Errorf("%v: options (-want +got):\n%s", args, diff)
		}
	}
	// docs/import.md documents the same columns.
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "import.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range importColumns {
		if !strings.Contains(string(doc), "`"+col+"`") {
			t.Errorf("docs/import.md does not document %s", col)
		}
	}
}

// Memory stays bounded whatever the file holds: an NDJSON line over the
// limit is rejected and the next line read; a CSV record over it (a quote
// left open) stops the import after loading the rows before it.
func TestImportLimits(t *testing.T) {
	t.Parallel()
	good := strings.SplitN(importNDJSON, "\n", 2)[0]
	long := `{"narrative":"` + strings.Repeat("a", maxImportLine) + `"}`
	rd, err := newNDJSONReader(strings.NewReader(long + "\n" + good + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rd.next()
	if err != nil || rec.line != 1 || !strings.Contains(rec.reject, "longer than 1 MiB") {
		t.Fatalf("long line: %+v %v", rec.reject, err)
	}
	if rec, err = rd.next(); err != nil || rec.line != 2 || rec.reject != "" || rec.row.ExternalRef != "TEL-1" {
		t.Fatalf("line after the long one: %d %q %v", rec.line, rec.reject, err)
	}

	c := migrated(t)
	rows := strings.SplitN(importCSV, "\n", 3) // the header and HBL-1
	file := writeFile(t, "open.csv", rows[0]+"\n"+rows[1]+"\n"+`HBL-9,,"`+strings.Repeat("x", maxImportRecord+1<<20))
	out, _ := c.wantExit(ExitInvalid, []string{"longer than 4 MiB", "quote left open"}, "import", "complaints", file)
	if !strings.Contains(out, "imported 1") {
		t.Errorf("the row before the open quote was not loaded:\n%s", out)
	}
}

func TestProgressLine(t *testing.T) {
	if got := progressLine(50, 100, 10, 8, 2*time.Second); !strings.HasPrefix(got, "[===============>              ]  50%  10 rows, 5 rows/s") {
		t.Errorf("half way: %q", got)
	}
	if got := progressLine(100, 0, 10, 8, time.Second); got != "10 rows read, 8 imported, 10 rows/s" {
		t.Errorf("unknown size: %q", got)
	}
	if isTerminal(&bytes.Buffer{}) || isTerminal(os.NewFile(^uintptr(0), "none")) {
		t.Error("a buffer or a closed file is not a terminal")
	}
}

// --- fuzzing ---------------------------------------------------------------

// drain reads every record and checks the rule: each record either
// parsed into a complaint with an external reference, or was refused with
// a reason; rows are numbered forward; and the rejects writer can echo it.
func drain(t *testing.T, rd importReader) {
	var rejects bytes.Buffer
	w := rd.rejects(&rejects)
	last := 0
	for n := 0; n < 10000; n++ {
		rec, err := rd.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if greyline.ErrorCode(err) != greyline.EINVALID {
				t.Fatalf("reading: %v", err)
			}
			break
		}
		if rec.line <= last {
			t.Fatalf("row %d after row %d", rec.line, last)
		}
		last = rec.line
		if rec.reject == "" {
			if rec.row.ExternalRef == "" {
				t.Fatalf("row %d parsed without an external_ref: %+v", rec.line, rec.row)
			}
			check := rec.row.NewComplaint
			check.Channel = greyline.ChannelImport
			check.Validate(time.Now()) // must not panic
			continue
		}
		if strings.TrimSpace(rec.reject) == "" {
			t.Fatalf("row %d refused without a reason", rec.line)
		}
		if err := w.write(&rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	switch w.(type) {
	case *csvRejects:
		if _, err := csv.NewReader(&rejects).ReadAll(); err != nil {
			t.Fatalf("the rejects file is not CSV: %v\n%s", err, rejects.String())
		}
	case *ndjsonRejects:
		sc := bufio.NewScanner(&rejects)
		sc.Buffer(nil, 4*maxImportLine)
		for sc.Scan() {
			if !json.Valid(sc.Bytes()) {
				t.Fatalf("a rejects line is not JSON: %s", sc.Bytes())
			}
		}
	}
}

func FuzzImportCSV(f *testing.F) {
	f.Add([]byte(strings.SplitN(importCSV, "\n", 2)[1]))
	f.Add([]byte("A,,2026-01-01,other,call,none,1,N,,0300-1234567,Lahore,\"quoted \"\"x\"\"\",a;b;;c\n"))
	f.Add([]byte("\"unterminated,\n"))
	f.Add([]byte("a,b\"c,d\n"))
	f.Add([]byte("A,2026-13-40,2026-02-30T25:00:00Z,other,call,none,-5,N,1,2,3,4,5\n"))
	f.Add([]byte("\xff\xfe,\x00,\r\n\r\n,,,"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rd, err := newCSVReader(bytes.NewReader(append([]byte(importHeader+"\n"), body...)))
		if err != nil {
			t.Fatalf("a good header was refused: %v", err)
		}
		drain(t, rd)
	})
}

func FuzzImportNDJSON(f *testing.F) {
	for _, line := range strings.Split(importNDJSON, "\n") {
		f.Add([]byte(line))
	}
	f.Add([]byte(importNDJSON))
	f.Add([]byte(`{"identifiers":[1,2],"loss_paisa":true,"external_ref":{"a":1}}`))
	f.Add([]byte(`{"external_ref":"x"} {"external_ref":"y"}`))
	f.Add([]byte("{\"narrative\":\"\xff\"}\n\n\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := newNDJSONReader(bytes.NewReader(data))
		if err != nil {
			if len(data) != 0 {
				t.Fatalf("refused a non-empty file: %v", err)
			}
			return
		}
		drain(t, rd)
	})
}

// A header the reader cannot use is refused with a reason, never a panic.
func FuzzImportCSVHeader(f *testing.F) {
	f.Add(importHeader)
	f.Add("\uFEFFExternal_Ref, narrative")
	f.Add(`"a""b",c`)
	f.Fuzz(func(t *testing.T, header string) {
		rd, err := newCSVReader(strings.NewReader(header + "\n" + "x,y\n"))
		if err != nil {
			if greyline.ErrorCode(err) != greyline.EINVALID || greyline.ErrorMessage(err) == "" {
				t.Fatalf("header %q: %v", header, err)
			}
			return
		}
		drain(t, rd)
	})
}
