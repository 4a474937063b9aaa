package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
)

// importAbout is the help of "greyline import"; docs/import.md says the same.
var importAbout = `Import complaints in bulk from a CSV or NDJSON file.

Loads complaints collected elsewhere (a bank's or telco's complaint desk, a
partner's export). The file is streamed: memory stays flat however long it
is. Each row is checked; a refused row goes to the rejects file with its row
number and the reason, naming the column, while the good rows load, up to
50,000 to a transaction (--batch; on SQLite a transaction also ends after 3
seconds, so that other writers wait little). Running the same file again imports nothing twice: a row
whose external_ref was already imported from the same --source is skipped.
A progress bar is shown when standard error is a terminal; the summary
(rows read, imported, skipped, rejected, rate) goes to standard output.

CSV: the first line names the columns, in any order (case does not matter).
NDJSON: one JSON object a line with the column names as keys; values are
strings (numbers are accepted too, e.g. for loss_paisa), and identifiers may
also be an array of strings. The columns:

  external_ref          required: the row's stable id in the source system;
                        a second import skips rows whose external_ref exists
  received_at           when it was received: RFC 3339 or YYYY-MM-DD (a date
                        is midnight in Pakistan); empty: the time of the import
  incident_at           required: when it happened, RFC 3339 or YYYY-MM-DD
  channel               web, helpline, walk_in, bank, telco, partner_api or
                        bulk_import (the default)
  category              required, one of:
` + wrapList(categoryCodes(), "                          ", 78) + `
  contact_method        required: call, sms, whatsapp, social_media, website,
                        app or email
  payment_method        required: bank_transfer, mobile_wallet, card, crypto,
                        cash, other or none
  loss_paisa            the loss as a whole number of paisa (Rs 1 = 100
                        paisa); empty is 0
  currency              ISO 4217 code; PKR by default
  complainant_name      required
  complainant_cnic      at least one of the CNIC, phone and e-mail is required
  complainant_phone
  complainant_email
  complainant_city      required
  complainant_province  written in full, one of:
` + wrapList(provinceNames(), "                          ", 78) + `
  complainant_gender    female, male, transgender or not_stated
  complainant_age_band  under_18, 18_25, 26_35, 36_50, 51_65 or over_65
  narrative             required: what happened; identifiers in it are
                        extracted and wait for an analyst to confirm them
  identifiers           the fraudsters' numbers, accounts, wallets, links and
                        crypto addresses, separated by ';'

Rejects (--rejects FILE) are written in the input's format: for CSV the
original columns plus "row" and "reason"; for NDJSON one object a line,
{"row":N,"reason":"…","input":{…}}. The row is the line of the file where
the record starts (the CSV header is line 1). The exit status is 2 when any
row was rejected (the good rows are loaded all the same) and 0 otherwise.`

func categoryCodes() []string {
	var out []string
	for _, c := range greyline.Categories {
		out = append(out, c.Code)
	}
	return out
}

func provinceNames() []string {
	var out []string
	for _, p := range greyline.Provinces {
		out = append(out, string(p))
	}
	return out
}

// wrapList writes items comma-separated, indented, in lines of at most width.
func wrapList(items []string, indent string, width int) string {
	var b strings.Builder
	line := indent
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		}
		if len(line) > len(indent) && len(line)+1+len(it) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += it
	}
	b.WriteString(line)
	return b.String()
}

const importSynopsis = "greyline import complaints [--format csv|ndjson] [--rejects FILE] [--source ORG-CODE] [options] FILE"

// Limits that keep memory flat whatever the file holds.
const (
	maxImportLine   = 1 << 20 // one NDJSON line
	maxImportRecord = 4 << 20 // one CSV record, counted with the reader's look-ahead
	defaultBatch    = 50000
	// chunkRows is the most rows read, checked and audited as one batch;
	// a transaction (--batch) holds several. Small batches keep memory
	// flat; large transactions make SQLite write less (see
	// sqlstore.ImportWriter).
	chunkRows = 2500
)

// Columns of an import, in the documented order.
const (
	colExternalRef = iota
	colReceivedAt
	colIncidentAt
	colChannel
	colCategory
	colContactMethod
	colPaymentMethod
	colLossPaisa
	colCurrency
	colName
	colCNIC
	colPhone
	colEmail
	colCity
	colProvince
	colGender
	colAgeBand
	colNarrative
	colIdentifiers
	numColumns
)

var importColumns = [numColumns]string{
	"external_ref", "received_at", "incident_at", "channel", "category", "contact_method", "payment_method",
	"loss_paisa", "currency", "complainant_name", "complainant_cnic", "complainant_phone", "complainant_email",
	"complainant_city", "complainant_province", "complainant_gender", "complainant_age_band", "narrative", "identifiers",
}

// requiredColumns must be in a CSV header: without them every row would be refused.
var requiredColumns = []int{colExternalRef, colIncidentAt, colCategory, colContactMethod, colPaymentMethod, colName, colCity, colNarrative}

func columnByName(name string) (int, bool) {
	i := slices.Index(importColumns[:], name)
	return i, i >= 0
}

// flatRow is one record's values by column, before they are checked.
type flatRow struct {
	v   [numColumns]string
	ids []string // NDJSON arrays; nil splits v[colIdentifiers] on ';'
}

// buildRow turns a record into a complaint, refusing values that are not
// the right kind (dates, the loss). The rest is checked by the store.
func buildRow(f *flatRow) (sqlstore.ImportRow, error) {
	var r sqlstore.ImportRow
	var v greyline.Validation
	for i := range f.v {
		f.v[i] = strings.TrimSpace(f.v[i])
	}
	n := &r.NewComplaint
	n.ExternalRef = f.v[colExternalRef]
	v.Check(n.ExternalRef != "", "external_ref", "is required: it identifies the row when the file is imported again")
	var err error
	if s := f.v[colReceivedAt]; s != "" {
		if r.ReceivedAt, err = parseImportTime(s); err != nil {
			v.Add("received_at", err.Error())
		}
	}
	if s := f.v[colIncidentAt]; s != "" {
		if n.IncidentAt, err = parseImportTime(s); err != nil {
			v.Add("incident_at", err.Error())
		}
	}
	n.Channel = greyline.Channel(f.v[colChannel])
	n.Category = f.v[colCategory]
	n.ContactMethod = greyline.ContactMethod(f.v[colContactMethod])
	n.PaymentMethod = greyline.PaymentMethod(f.v[colPaymentMethod])
	if s := f.v[colLossPaisa]; s != "" {
		if n.LossPaisa, err = strconv.ParseInt(s, 10, 64); err != nil {
			v.Add("loss_paisa", "must be a whole number of paisa, such as 7500000 for Rs 75,000")
		}
	}
	n.Currency = f.v[colCurrency]
	n.Complainant = greyline.Complainant{
		Name: f.v[colName], CNIC: f.v[colCNIC], Phone: f.v[colPhone], Email: f.v[colEmail], City: f.v[colCity],
		Province: f.v[colProvince], Gender: f.v[colGender], AgeBand: f.v[colAgeBand],
	}
	n.Narrative = f.v[colNarrative]
	ids := f.ids
	if ids == nil && f.v[colIdentifiers] != "" {
		ids = strings.Split(f.v[colIdentifiers], ";")
	}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			n.Identifiers = append(n.Identifiers, id)
		}
	}
	if v.Err() == nil {
		return r, nil // the store checks the rest, once
	}
	// Report every problem of the row at once, not only the unreadable values.
	check := *n
	if check.Channel == "" {
		check.Channel = greyline.ChannelImport
	}
	received := r.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	for _, f := range greyline.ErrorFields(check.Validate(received)) {
		if !v.Has(f.Field) {
			v.Add(f.Field, f.Reason)
		}
	}
	return r, v.Err()
}

// parseImportTime reads RFC 3339, or a date alone as midnight in Pakistan.
func parseImportTime(s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		if t, err := time.ParseInLocation(time.DateOnly, s, greyline.Karachi); err == nil {
			return t.UTC(), nil
		}
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errors.New("must be a date (YYYY-MM-DD) or a time in RFC 3339 (2026-03-01T14:30:00+05:00)")
}

// reason renders a refusal naming the columns, as "category: is not a
// known category; narrative: is required".
func reason(err error, r *sqlstore.ImportRow) string {
	fields := greyline.ErrorFields(err)
	if len(fields) == 0 {
		return greyline.ErrorMessage(err)
	}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		name := strings.Replace(f.Field, "complainant.", "complainant_", 1)
		if rest, ok := strings.CutPrefix(name, "identifiers["); ok {
			name = "identifiers"
			if i, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil && r != nil && i < len(r.Identifiers) {
				name = fmt.Sprintf("identifiers: %q", r.Identifiers[i])
			}
		}
		parts = append(parts, name+": "+f.Reason)
	}
	return strings.Join(parts, "; ")
}

// importRecord is one record read from the file: a complaint to load, or
// a refusal. input is what the rejects file echoes.
type importRecord struct {
	line   int
	row    sqlstore.ImportRow
	reject string
	input  any // CSV: []string; NDJSON: []byte
}

// importReader reads records from a file of one format.
type importReader interface {
	// next returns the next record, or io.EOF. Other errors end the import.
	next() (importRecord, error)
	// rejects writes refused records in the same format.
	rejects(w io.Writer) rejectWriter
}

type rejectWriter interface {
	write(rec *importRecord) error
	flush() error
}

// csvReader reads CSV with a header line.
type csvReader struct {
	r      *csv.Reader
	lim    *recordLimit
	header []string
	cols   [numColumns]int // record index of each column, -1 if absent
	flat   flatRow
}

// recordLimit fails a read when one CSV record grows beyond max bytes, so
// that a stray quote in a huge file cannot take all memory.
type recordLimit struct {
	r io.Reader
	n int
}

var errRecordTooLong = errors.New("record too long")

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n > maxImportRecord {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	lim := &recordLimit{r: r}
	cr := csv.NewReader(lim)
	cr.ReuseRecord = true
	c := &csvReader{r: cr, lim: lim}
	head, err := cr.Read()
	if err == io.EOF {
		return nil, greyline.Errorf(greyline.EINVALID, "the file is empty: a CSV import starts with a header line naming the columns")
	}
	if err != nil {
		return nil, greyline.Errorf(greyline.EINVALID, "reading the header: %v", err)
	}
	c.header = slices.Clone(head)
	for i := range c.cols {
		c.cols[i] = -1
	}
	var v greyline.Validation
	for i, h := range c.header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // a byte-order mark from spreadsheet exports
		}
		name := strings.ToLower(strings.TrimSpace(h))
		col, ok := columnByName(name)
		switch {
		case !ok:
			v.Add("header", fmt.Sprintf("column %d %q is not a known column", i+1, h))
		case c.cols[col] >= 0:
			v.Add("header", fmt.Sprintf("column %q appears twice", name))
		default:
			c.cols[col] = i
		}
	}
	for _, col := range requiredColumns {
		if c.cols[col] < 0 {
			v.Add("header", fmt.Sprintf("the required column %q is missing", importColumns[col]))
		}
	}
	if c.cols[colCNIC] < 0 && c.cols[colPhone] < 0 && c.cols[colEmail] < 0 {
		v.Add("header", "give at least one of complainant_cnic, complainant_phone and complainant_email")
	}
	if err := v.Err(); err != nil {
		e := err.(*greyline.Error)
		e.Message = "The CSV header is not right; the columns are " + strings.Join(importColumns[:], ", ") + "."
		return nil, e
	}
	return c, nil
}

func (c *csvReader) next() (importRecord, error) {
	c.lim.n = 0
	rec, err := c.r.Read()
	if err == io.EOF {
		return importRecord{}, io.EOF
	}
	if errors.Is(err, errRecordTooLong) {
		line, _ := c.r.FieldPos(0)
		return importRecord{}, greyline.Errorf(greyline.EINVALID, "the record after line %d is longer than %d MiB: is a quote left open?", line, maxImportRecord>>20)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		out := importRecord{line: pe.StartLine, input: slices.Clone(rec)}
		if errors.Is(err, csv.ErrFieldCount) {
			out.reject = fmt.Sprintf("has %d columns where the header has %d", len(rec), len(c.header))
		} else {
			out.reject = "not valid CSV: " + pe.Err.Error()
		}
		return out, nil
	}
	if err != nil {
		return importRecord{}, err
	}
	line, _ := c.r.FieldPos(0)
	out := importRecord{line: line, input: slices.Clone(rec)}
	c.flat = flatRow{}
	for col, i := range c.cols {
		if i >= 0 {
			c.flat.v[col] = rec[i]
		}
	}
	row, err := buildRow(&c.flat)
	if err != nil {
		out.reject = reason(err, nil)
		return out, nil
	}
	out.row = row
	return out, nil
}

func (c *csvReader) rejects(w io.Writer) rejectWriter {
	return &csvRejects{w: csv.NewWriter(w), header: c.header}
}

type csvRejects struct {
	w      *csv.Writer
	header []string
	wrote  bool
	buf    []string
}

func (c *csvRejects) write(rec *importRecord) error {
	if !c.wrote {
		c.wrote = true
		if err := c.w.Write(append(slices.Clone(c.header), "row", "reason")); err != nil {
			return err
		}
	}
	in, _ := rec.input.([]string)
	c.buf = c.buf[:0]
	for i := range c.header { // a short record is padded, a long one cut
		if i < len(in) {
			c.buf = append(c.buf, in[i])
		} else {
			c.buf = append(c.buf, "")
		}
	}
	c.buf = append(c.buf, strconv.Itoa(rec.line), rec.reject)
	return c.w.Write(c.buf)
}

func (c *csvRejects) flush() error {
	if !c.wrote { // even an empty rejects file has its header
		c.wrote = true
		c.w.Write(append(slices.Clone(c.header), "row", "reason"))
	}
	c.w.Flush()
	return c.w.Error()
}

// ndjsonReader reads one JSON object a line.
type ndjsonReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
	flat flatRow
}

func newNDJSONReader(r io.Reader) (*ndjsonReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if _, err := br.Peek(1); err == io.EOF {
		return nil, greyline.Errorf(greyline.EINVALID, "the file is empty")
	}
	return &ndjsonReader{r: br}, nil
}

func (n *ndjsonReader) next() (importRecord, error) {
	for {
		n.buf = n.buf[:0]
		long := false
		for {
			chunk, err := n.r.ReadSlice('\n')
			if len(n.buf)+len(chunk) > maxImportLine {
				long = true
			} else {
				n.buf = append(n.buf, chunk...)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF && len(n.buf) == 0 && !long {
				return importRecord{}, io.EOF
			}
			if err != nil && err != io.EOF {
				return importRecord{}, err
			}
			break
		}
		n.line++
		if long {
			return importRecord{line: n.line, input: []byte{}, reject: fmt.Sprintf("the line is longer than %d MiB", maxImportLine>>20)}, nil
		}
		line := bytes.TrimSpace(n.buf)
		if len(line) == 0 {
			continue // blank lines are allowed, and still counted
		}
		rec := importRecord{line: n.line, input: bytes.Clone(line)}
		rec.row, rec.reject = n.parse(line)
		return rec, nil
	}
}

func (n *ndjsonReader) parse(line []byte) (sqlstore.ImportRow, string) {
	if line[0] != '{' {
		return sqlstore.ImportRow{}, "the line is not a JSON object"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return sqlstore.ImportRow{}, "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	n.flat = flatRow{}
	var v greyline.Validation
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		raw := obj[k]
		col, ok := columnByName(k)
		if !ok {
			v.Add(k, "is not a known column")
			continue
		}
		if col == colIdentifiers && len(raw) > 0 && raw[0] == '[' {
			var list []string
			if err := json.Unmarshal(raw, &list); err != nil {
				v.Add(k, "must be a list of strings or one string separated by ';'")
				continue
			}
			n.flat.ids = append(list[:0:0], list...)
			if n.flat.ids == nil {
				n.flat.ids = []string{}
			}
			continue
		}
		s, err := jsonScalar(raw)
		if err != nil {
			v.Add(k, err.Error())
			continue
		}
		n.flat.v[col] = s
	}
	if err := v.Err(); err != nil {
		return sqlstore.ImportRow{}, reason(err, nil)
	}
	row, err := buildRow(&n.flat)
	if err != nil {
		return sqlstore.ImportRow{}, reason(err, nil)
	}
	return row, ""
}

// jsonScalar reads a string, a number (as written) or null.
func jsonScalar(raw json.RawMessage) (string, error) {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return string(raw), nil
	}
	return "", errors.New("must be a string")
}

func (n *ndjsonReader) rejects(w io.Writer) rejectWriter {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &ndjsonRejects{w: bw, enc: enc}
}

type ndjsonRejects struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func (n *ndjsonRejects) write(rec *importRecord) error {
	in, _ := rec.input.([]byte)
	var input any = string(in)
	if json.Valid(in) {
		input = json.RawMessage(in)
	}
	return n.enc.Encode(struct {
		Row    int    `json:"row"`
		Reason string `json:"reason"`
		Input  any    `json:"input"`
	}{rec.line, rec.reject, input})
}

func (n *ndjsonRejects) flush() error { return n.w.Flush() }

// importBatch is a group of records on their way to the database.
type importBatch struct {
	recs     []importRecord // every record, in file order
	rows     []sqlstore.ImportRow
	rowIndex []int // rows[i] is recs[rowIndex[i]]
	prepared *sqlstore.PreparedImport
}

// prepare does the batch's CPU work and then lets go of what only a
// rejected row needs, so that a batch in flight holds each row once.
func (b *importBatch) prepare(db *sqlstore.DB, src int64) {
	b.prepared = db.PrepareImport(src, b.rows)
	refused := make(map[int]bool)
	for _, r := range b.prepared.Rejected() {
		b.recs[b.rowIndex[r.Index]].reject = reason(r.Err, &b.rows[r.Index])
		refused[r.Index] = true
	}
	for i, ri := range b.rowIndex {
		if !refused[i] {
			b.recs[ri].input = nil
		}
	}
	b.rows, b.rowIndex = nil, nil
}

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importStats are the running totals.
type importStats struct {
	read, imported, skipped, rejected atomic.Int64
}

func (m *Main) importCmd(ctx context.Context, args []string) error {
	fs := m.flags("import", args)
	var sf storeFlags
	sf.register(fs)
	format := fs.String("format", "", "`FORMAT` of the file: csv or ndjson; empty guesses it from the name (.csv; .ndjson, .jsonl, .json)")
	rejectsPath := fs.String("rejects", "", "write refused rows to `FILE`, with their row number and reason")
	source := fs.String("source", "", "`ORG-CODE` of the organisation the complaints come from; external_ref is unique per source")
	batchSize := fs.Int("batch", defaultBatch, "`rows` per transaction")
	keepIndexes := fs.Bool("keep-indexes", false, "keep every index up to date while importing; otherwise an import on SQLite as large as what is stored drops three indexes and builds them at the end, which is faster (see docs/import.md)")
	if len(args) == 0 || args[0] != "complaints" {
		if err := m.parse(fs, args, secretFlags); err != nil {
			return err // --help
		}
		return greyline.Errorf(greyline.EINVALID, "say what to import: %s (see greyline import --help)", importSynopsis)
	}
	if err := m.parse(fs, args[1:], secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	sf.validate(&v)
	v.Check(*batchSize >= 1 && *batchSize <= 100000, "--batch", "must be between 1 and 100000")
	if fs.NArg() != 1 {
		v.Add("FILE", "name exactly one file to import (- for standard input, with --format)")
	}
	if err := v.Err(); err != nil {
		return err
	}
	path := fs.Arg(0)
	f := strings.ToLower(*format)
	if f == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			f = "csv"
		case ".ndjson", ".jsonl", ".json":
			f = "ndjson"
		default:
			return greyline.Invalid("--format", "cannot be guessed from the file name: give csv or ndjson")
		}
	}
	if f != "csv" && f != "ndjson" {
		return greyline.Invalid("--format", "must be csv or ndjson")
	}

	var in io.Reader
	var size int64
	if path == "-" {
		in = m.Stdin
		if in == nil {
			return greyline.Invalid("FILE", "there is no standard input")
		}
	} else {
		file, err := os.Open(path)
		if err != nil {
			return greyline.Invalid("FILE", err.Error())
		}
		defer file.Close()
		if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		in = file
	}
	counter := &countingReader{r: in}
	var rd importReader
	var err error
	if f == "csv" {
		rd, err = newCSVReader(counter)
	} else {
		rd, err = newNDJSONReader(counter)
	}
	if err != nil {
		return err
	}

	db, err := m.openCurrent(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = greyline.WithActor(ctx, greyline.Actor{System: true})
	var src int64
	if *source != "" {
		org, err := db.FindOrgByCode(ctx, strings.ToUpper(*source))
		if greyline.ErrorCode(err) == greyline.ENOTFOUND {
			return greyline.Invalid("--source", fmt.Sprintf("no organisation has the code %q", *source))
		}
		if err != nil {
			return err
		}
		src = org.ID
	}

	var rejects rejectWriter
	var shown int
	if *rejectsPath != "" {
		out, err := os.Create(*rejectsPath)
		if err != nil {
			return greyline.Invalid("--rejects", err.Error())
		}
		defer out.Close()
		rejects = rd.rejects(out)
	}
	reject := func(rec *importRecord) error {
		if rejects != nil {
			return rejects.write(rec)
		}
		if shown++; shown <= 20 {
			fmt.Fprintf(m.Stderr, "row %d: %s\n", rec.line, rec.reject)
		}
		return nil
	}

	// The heap is bounded by a limit rather than by GOGC: the batches in
	// flight (about 3 of a few KB a row) and the writer's identifiers (some
	// 20 bytes an identifier for the cache, as much again for a large
	// import's kept counts) are live throughout, and the collector runs
	// only when the heap nears the limit. The limit leaves room above
	// them, or the collector runs all the time (at a million complaints a
	// limit just 30 MB above the live heap cost a fifth of the CPU), and
	// it keeps resident memory flat, at about 250 MB with SQLite's page
	// cache (16 MiB during an import) and the runtime's own. At a million
	// complaints this is 2–4% faster than GOGC=100 under a 150 MB limit,
	// for 45 MB more. GOMEMLIMIT and GOGC, if set, win.
	if os.Getenv("GOMEMLIMIT") == "" {
		old := debug.SetMemoryLimit(int64(170<<20 + min(*batchSize, chunkRows)*(12<<10)))
		defer debug.SetMemoryLimit(old)
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
		}
	}
	// A CPU profile of the whole import, for tuning it (greyline-bench
	// passes the environment on). Not a flag: it is not for operators.
	if path := m.Getenv("GREYLINE_IMPORT_CPUPROFILE"); path != "" {
		pf, err := os.Create(path)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var stats importStats
	start := time.Now()
	stopProgress := m.progress(counter, size, &stats, start)
	// How many rows the file holds, estimated from its size and the bytes
	// per row read so far, so that a large import can drop indexes it
	// would otherwise update at random (sqlstore.ImportWriter.DeferIndexes).
	var estimate func() int64
	if !*keepIndexes && size > 0 {
		estimate = func() int64 {
			read, n := stats.read.Load(), counter.n.Load()
			if read == 0 || n == 0 {
				return 0
			}
			return int64(float64(read) * float64(size) / float64(n))
		}
	}
	err = runImport(ctx, db, src, rd, *batchSize, estimate, &stats, reject)
	stopProgress()
	if rejects != nil {
		err = errors.Join(err, rejects.flush())
	}
	elapsed := time.Since(start)
	fmt.Fprintf(m.Stdout, "read %d rows in %s (%.0f rows/s): imported %d, skipped %d (already imported), rejected %d\n",
		stats.read.Load(), elapsed.Round(time.Millisecond), float64(stats.read.Load())/max(elapsed.Seconds(), 1e-9),
		stats.imported.Load(), stats.skipped.Load(), stats.rejected.Load())
	if err != nil {
		if ctx.Err() != nil {
			return greyline.Errorf(greyline.EINTERNAL, "interrupted: the rows counted as imported are in the database; run the same command again to load the rest")
		}
		return err
	}
	if n := stats.rejected.Load(); n > 0 {
		if rejects != nil {
			return greyline.Errorf(greyline.EINVALID, "%d rows rejected: their reasons are in %s; the other rows were loaded", n, *rejectsPath)
		}
		more := ""
		if n > 20 {
			more = " (the first 20 are shown above)"
		}
		return greyline.Errorf(greyline.EINVALID, "%d rows rejected%s; the other rows were loaded. Use --rejects FILE to keep them all", n, more)
	}
	return nil
}

// runImport reads, prepares and writes batches in a pipeline: the reader
// fills batch n+2 while batch n+1 is prepared on every core and batch n is
// written by the single writer, in transactions of about txRows rows.
// Memory is bounded by the batches in flight. estimate, if not nil, tells
// how many rows the whole input holds, once the first batch is read.
func runImport(ctx context.Context, db *sqlstore.DB, src int64, rd importReader, txRows int, estimate func() int64, stats *importStats, reject func(*importRecord) error) error {
	size := min(txRows, chunkRows)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := make(chan *importBatch)
	prepared := make(chan *importBatch)
	var readErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(read)
		// Sized once: grown by append, a batch's records were copied
		// about twice over, a sixth of all the import allocated.
		newBatch := func() *importBatch {
			return &importBatch{recs: make([]importRecord, 0, size), rows: make([]sqlstore.ImportRow, 0, size), rowIndex: make([]int, 0, size)}
		}
		b := newBatch()
		send := func() bool {
			select {
			case read <- b:
				b = newBatch()
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			rec, err := rd.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err // load what was read before it, then stop
				break
			}
			stats.read.Add(1)
			if rec.reject == "" {
				b.rows = append(b.rows, rec.row)
				b.rowIndex = append(b.rowIndex, len(b.recs))
				rec.row = sqlstore.ImportRow{} // kept once, in rows
			}
			b.recs = append(b.recs, rec)
			if len(b.recs) >= size && !send() {
				return
			}
		}
		if len(b.recs) > 0 {
			send()
		}
	})
	wg.Go(func() {
		defer close(prepared)
		for b := range read {
			b.prepare(db, src)
			select {
			case prepared <- b:
			case <-ctx.Done():
				return
			}
		}
	})
	// A batch's rejects and counts are reported once the transaction
	// holding it has committed, so that the rows counted as imported are
	// in the database whatever happens next.
	var err error
	committed := func(b *importBatch) func(sqlstore.ImportResult) {
		return func(res sqlstore.ImportResult) {
			for i := range b.recs {
				if b.recs[i].reject == "" {
					continue
				}
				stats.rejected.Add(1)
				if werr := reject(&b.recs[i]); werr != nil && err == nil {
					err = fmt.Errorf("writing the rejects: %w", werr)
				}
			}
			stats.imported.Add(int64(res.Imported))
			stats.skipped.Add(int64(res.Skipped))
		}
	}
	w := db.NewImportWriter(ctx, txRows)
	for b := range prepared {
		if err != nil || ctx.Err() != nil {
			continue // drain, so that the other stages end
		}
		if estimate != nil {
			if _, werr := w.DeferIndexes(estimate()); werr != nil {
				err = werr
				cancel()
				continue
			}
			estimate = nil
		}
		if werr := w.Write(b.prepared, committed(b)); werr != nil && err == nil {
			err = werr
		}
		b.prepared = nil
		if err != nil {
			cancel()
		}
	}
	if cerr := w.Close(); cerr != nil && err == nil && ctx.Err() == nil {
		err = cerr
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err() // the caller's: this function cancels only after an error
	}
	return errors.Join(readErr, err)
}

// isTerminal reports whether w is a terminal, where a progress bar belongs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws a bar on stderr while the import runs, if stderr is a
// terminal; it returns the function that stops it.
func (m *Main) progress(c *countingReader, size int64, stats *importStats, start time.Time) func() {
	if !isTerminal(m.Stderr) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(m.Stderr, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprint(m.Stderr, "\r\033[K"+progressLine(c.n.Load(), size, stats.read.Load(), stats.imported.Load(), time.Since(start)))
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func progressLine(bytesRead, size, read, imported int64, elapsed time.Duration) string {
	const width = 30
	rate := float64(read) / max(elapsed.Seconds(), 1e-9)
	if size <= 0 {
		return fmt.Sprintf("%d rows read, %d imported, %.0f rows/s", read, imported, rate)
	}
	frac := min(float64(bytesRead)/float64(size), 1)
	full := int(frac * width)
	bar := strings.Repeat("=", full) + strings.Repeat(" ", width-full)
	if full < width {
		bar = bar[:full] + ">" + bar[full+1:]
	}
	eta := ""
	if frac > 0.01 {
		eta = fmt.Sprintf(", %s left", (time.Duration(float64(elapsed)/frac) - elapsed).Round(time.Second))
	}
	return fmt.Sprintf("[%s] %3.0f%%  %d rows, %.0f rows/s%s", bar, frac*100, read, rate, eta)
}
