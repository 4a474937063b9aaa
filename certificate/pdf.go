package certificate

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"

	"github.com/greyline/greyline"
)

// Certificate is everything printed on a licence certificate. Only Claims
// are signed; the rest is printed for the reader's convenience, and the
// verify page shows the registry's own current record.
type Certificate struct {
	Claims
	Token     string // from Sign over Claims
	VerifyURL string // from VerificationURL; the QR code carries it
	LegalName string
	Address   string // the licensed site's street address
	Province  string // province or territory of the site
	Seats     int    // 0 leaves the line out
	// Provisional marks a licence issued after clearance but before the site
	// inspection, so that the paper itself says it is not yet final.
	Provisional bool
}

// TokenKeyword precedes the token in the PDF's Keywords entry, where
// TokenFromPDF looks for it.
const TokenKeyword = "greyline-token:"

// The page's palette: the green of the national flag for structure, dark
// grey for text, so it prints well in black and white too.
var (
	green     = [3]int{1, 65, 28}
	ink       = [3]int{30, 33, 36}
	muted     = [3]int{95, 104, 99}
	paleGreen = [3]int{236, 243, 238}
	rule      = [3]int{190, 200, 193}
	amber     = [3]int{138, 84, 0}
	paleAmber = [3]int{253, 243, 222}
)

// The page geometry, in millimetres on A4 portrait.
const (
	pageW   = 210.0
	left    = 24.0
	right   = pageW - 24.0
	content = right - left
)

// Render writes c as a one-page A4 PDF. It refuses a certificate whose
// printed claims differ from the signed token, or whose URL does not carry
// that token, because such a paper would show one thing and verify as
// another.
func Render(w io.Writer, c Certificate) error {
	if err := c.check(); err != nil {
		return err
	}
	qrPNG, err := qrImage(c.VerifyURL)
	if err != nil {
		return err
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	// Fixed dates and sorted catalog make the file a function of its input,
	// so the same licence always downloads byte for byte the same.
	pdf.SetCreationDate(c.IssuedAt.UTC())
	pdf.SetModificationDate(c.IssuedAt.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetProducer("greyline", false)
	pdf.SetCreator("greyline", false)
	pdf.SetAuthor("greyline", false)
	pdf.SetTitle("Licence certificate "+c.LicenceNumber, true)
	pdf.SetSubject(fmt.Sprintf("Licence certificate for %s, %s", c.TradeName, c.City), true)
	// The token goes in plain ASCII in the document information dictionary,
	// which fpdf never compresses, so TokenFromPDF can find it without a PDF
	// parser.
	pdf.SetKeywords(TokenKeyword+c.Token, false)
	pdf.SetLang("en-GB")
	pdf.SetDisplayMode("fullpage", "single")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(left, 15, pageW-right)
	pdf.AddPage()

	// The core fonts only know Windows-1252; names outside it print with
	// stand-in characters, while the signed token keeps them exactly.
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	r := renderer{pdf: pdf, tr: tr}
	r.page(c, qrPNG)

	if err := pdf.Error(); err != nil {
		return fmt.Errorf("certificate: cannot draw the PDF: %w", err)
	}
	return pdf.Output(w)
}

// check makes sure the paper and its code agree.
func (c Certificate) check() error {
	_, _, signed, err := parse(c.Token)
	if err != nil {
		return fmt.Errorf("certificate: the token cannot be read: %w", err)
	}
	printed := c.Claims
	if printed.KeyID == "" {
		printed.KeyID = signed.KeyID
	}
	if !sameClaims(normalise(printed), signed) {
		return errors.New("certificate: the claims to print differ from the ones in the signed token")
	}
	if t, ok := TokenFromURL(c.VerifyURL); !ok || t != c.Token {
		return errors.New("certificate: the verify URL does not carry the certificate's token")
	}
	if c.Seats < 0 {
		return errors.New("certificate: seats cannot be negative")
	}
	// The unsigned fields have no limits of their own; these keep one page.
	for _, f := range [][2]string{{"legal name", c.LegalName}, {"address", c.Address}, {"province", c.Province}} {
		if len(f[1]) > maxField {
			return fmt.Errorf("certificate: the %s is longer than %d bytes", f[0], maxField)
		}
	}
	return nil
}

func sameClaims(a, b Claims) bool {
	return a.LicenceNumber == b.LicenceNumber && a.TradeName == b.TradeName &&
		a.City == b.City && a.Kind == b.Kind && a.KeyID == b.KeyID &&
		a.ValidFrom.Equal(b.ValidFrom) && a.ValidUntil.Equal(b.ValidUntil) && a.IssuedAt.Equal(b.IssuedAt)
}

// qrImage draws the code as a two-colour PNG at a whole number of pixels per
// module, with the four-module quiet zone scanners need. Scaling in the PDF
// instead would leave viewers to blur the edges.
func qrImage(s string) ([]byte, error) {
	// Level M survives a fold or a smudge and keeps the code small enough
	// to print at 4 cm.
	code, err := qr.Encode(s, qr.M, qr.Unicode)
	if err != nil {
		return nil, fmt.Errorf("certificate: cannot make the QR code: %w", err)
	}
	const scale, quiet = 8, 4
	n := code.Bounds().Dx()
	side := (n + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if gray, _, _, _ := code.At(x, y).RGBA(); gray != 0 {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := img.Pix[((y+quiet)*scale+dy)*img.Stride:]
				for dx := 0; dx < scale; dx++ {
					row[(x+quiet)*scale+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type renderer struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
}

func (r renderer) color(c [3]int) { r.pdf.SetTextColor(c[0], c[1], c[2]) }
func (r renderer) draw(c [3]int)  { r.pdf.SetDrawColor(c[0], c[1], c[2]) }
func (r renderer) fill(c [3]int)  { r.pdf.SetFillColor(c[0], c[1], c[2]) }

// centred writes one line of text centred across the content width.
func (r renderer) centred(y float64, family, style string, size float64, c [3]int, s string) {
	r.pdf.SetFont(family, style, size)
	r.color(c)
	r.pdf.SetXY(left, y)
	r.pdf.CellFormat(content, size*0.45, r.tr(s), "", 0, "C", false, 0, "")
}

// when prints a time as people in Pakistan read it, whatever zone the
// server runs in.
func when(t time.Time) string {
	return t.In(greyline.Karachi).Format("2 January 2006, 15:04 MST")
}

func (r renderer) page(c Certificate, qrPNG []byte) {
	pdf := r.pdf

	// Frame: a heavy outer line and a fine inner one, as on printed
	// government forms.
	r.draw(green)
	pdf.SetLineWidth(1.4)
	pdf.Rect(9, 9, pageW-18, 297-18, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(12, 12, pageW-24, 297-24, "D")

	r.centred(20, "Helvetica", "B", 8.5, green, "PAKISTAN  \u00b7  LICENSING OF CALL CENTRES AND SOFTWARE HOUSES")
	r.centred(29, "Times", "B", 30, green, "Licence certificate")
	r.centred(43, "Times", "I", 11, muted, "Granted after joint clearance by PTA, NCCIA and the Security Agency")
	r.draw(green)
	pdf.SetLineWidth(0.5)
	pdf.Line(left+20, 50, right-20, 50)
	pdf.SetLineWidth(0.2)
	pdf.Line(left+20, 51.2, right-20, 51.2)

	// The licence number is what people quote and search for, so it gets
	// the most weight on the page.
	y := 57.0
	r.fill(paleGreen)
	r.draw(green)
	pdf.SetLineWidth(0.4)
	pdf.Rect(left+25, y, content-50, 22, "DF")
	r.centred(y+3.5, "Helvetica", "B", 8, muted, "LICENCE NUMBER")
	r.centred(y+9.5, "Helvetica", "B", 22, ink, c.LicenceNumber)
	y += 27

	if c.Provisional {
		r.fill(paleAmber)
		r.draw(amber)
		pdf.SetLineWidth(0.4)
		pdf.Rect(left+25, y, content-50, 9, "DF")
		r.centred(y+2.6, "Helvetica", "B", 9.5, amber, "PROVISIONAL LICENCE  \u00b7  pending a site inspection")
		y += 13
	}

	activity := "a call centre"
	if c.Kind == KindSoftwareHouse {
		activity = "a software house"
	}
	pdf.SetFont("Times", "", 11.5)
	r.color(ink)
	pdf.SetXY(left+6, y)
	pdf.MultiCell(content-12, 5.6, r.tr("This certifies that the business named below is licensed to operate "+
		activity+" at the site stated, for the period shown, and for no other site."), "", "C", false)
	y = pdf.GetY() + 5

	rows := [][2]string{
		{"Trade name", c.TradeName},
		{"Legal name", c.LegalName},
		{"Kind", KindLabel(c.Kind)},
		{"Site address", c.Address},
		{"City", c.City},
		{"Province or territory", c.Province},
	}
	if c.Seats > 0 {
		rows = append(rows, [2]string{"Seats", strconv.Itoa(c.Seats)})
	}
	rows = append(rows,
		[2]string{"Valid from", when(c.ValidFrom)},
		[2]string{"Valid until", when(c.ValidUntil)},
		[2]string{"Issued", when(c.IssuedAt)},
	)

	// The verification block is anchored to the foot of the page and the
	// clearances sit just above it; the details table gets whatever room is
	// left, so a long address or the provisional banner squeezes the rows
	// instead of pushing the QR code off the page.
	urlLines := chunk(c.VerifyURL, urlPerLine)
	verifyTop := innerBottom - 3 - float64(len(urlLines))*urlLineH - 1 - qrSize - 5
	clearTop := verifyTop - clearancesH - 7
	r.table(rows, y, clearTop-6)
	r.clearances(clearTop)
	r.verification(c, qrPNG, urlLines, verifyTop)
}

// Layout of the lower part of the page.
const (
	innerBottom = 297 - 12.0 // the inner frame line
	qrSize      = 46.0
	urlFont     = 6.5
	urlLineH    = 3.0
	clearancesH = 27.0
	labelW      = 48.0
	lineH       = 5.0
)

// urlPerLine is how many Courier characters fit across the content width;
// Courier glyphs are 0.6 em wide.
var urlPerLine = func() int {
	glyph := 0.6 * urlFont * 25.4 / 72
	return int(content / glyph)
}()

// table draws the labelled details between top and bottom, spacing the rows
// to fill the room.
func (r renderer) table(rows [][2]string, top, bottom float64) {
	pdf := r.pdf
	font := func(label string) string {
		if label == "Trade name" || label == "Valid until" {
			return "B"
		}
		return ""
	}
	var shown [][2]string
	var lines []int
	total := 0
	for _, row := range rows {
		if row[1] == "" {
			continue
		}
		pdf.SetFont("Helvetica", font(row[0]), 11)
		// SplitLines, not SplitText: the text is already Windows-1252 bytes,
		// and SplitText would index the font's 256 widths by rune.
		n := len(pdf.SplitLines([]byte(r.tr(row[1])), content-labelW))
		shown = append(shown, row)
		lines = append(lines, n)
		total += n
	}
	pad := (bottom - top - float64(total)*lineH) / float64(2*len(shown))
	pad = min(max(pad, 0.8), 3)

	y := top
	r.draw(rule)
	pdf.SetLineWidth(0.2)
	pdf.Line(left, y, right, y)
	for i, row := range shown {
		pdf.SetXY(left+2, y+pad)
		pdf.SetFont("Helvetica", "", 9)
		r.color(muted)
		pdf.CellFormat(labelW-2, lineH, r.tr(row[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", font(row[0]), 11)
		r.color(ink)
		pdf.SetXY(left+labelW, y+pad)
		pdf.MultiCell(content-labelW, lineH, r.tr(row[1]), "", "L", false)
		y += float64(lines[i])*lineH + 2*pad
		pdf.Line(left, y, right, y)
	}
}

// clearances shows the three bodies whose joint clearance the licence rests on.
func (r renderer) clearances(y float64) {
	pdf := r.pdf
	pdf.SetFont("Helvetica", "B", 10)
	r.color(green)
	pdf.SetXY(left, y)
	pdf.CellFormat(content, 5, "Cleared by", "", 0, "L", false, 0, "")
	y += 7
	bodies := [][2]string{
		{"PTA", "Pakistan Telecommunication Authority"},
		{"NCCIA", "National Cyber Crime Investigation Agency"},
		{"Security Agency", "Security clearance"},
	}
	const gap = 5.0
	w := (content - 2*gap) / 3
	for i, b := range bodies {
		x := left + float64(i)*(w+gap)
		r.draw(green)
		r.fill(paleGreen)
		pdf.SetLineWidth(0.3)
		pdf.Rect(x, y, w, 20, "DF")
		pdf.SetFont("ZapfDingbats", "", 12)
		r.color(green)
		pdf.SetXY(x+3, y+3)
		pdf.CellFormat(6, 6, "4", "", 0, "L", false, 0, "") // a tick in ZapfDingbats
		pdf.SetFont("Helvetica", "B", 11)
		r.color(ink)
		pdf.SetXY(x+10, y+3)
		pdf.CellFormat(w-12, 6, r.tr(b[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 7.5)
		r.color(muted)
		pdf.SetXY(x+10, y+10)
		pdf.MultiCell(w-12, 3.4, r.tr(b[1]), "", "L", false)
	}
}

// verification is the bottom block: the QR code, how to check the
// certificate, and the limits of what the paper proves.
func (r renderer) verification(c Certificate, qrPNG []byte, urlLines []string, y float64) {
	pdf := r.pdf
	r.draw(green)
	pdf.SetLineWidth(0.2)
	pdf.Line(left, y, right, y)
	y += 5

	opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
	pdf.RegisterImageOptionsReader("verify-qr", opt, bytes.NewReader(qrPNG))
	pdf.ImageOptions("verify-qr", left-2, y-2, qrSize, qrSize, false, opt, 0, "")

	x := left + qrSize + 4
	w := right - x
	pdf.SetXY(x, y)
	pdf.SetFont("Helvetica", "B", 11)
	r.color(green)
	pdf.CellFormat(w, 6, "Check this certificate", "", 2, "L", false, 0, "")
	pdf.SetX(x)
	pdf.SetFont("Helvetica", "", 9)
	r.color(ink)
	pdf.MultiCell(w, 4.4, r.tr("Scan the code, or open the address printed below it, to check the digital signature "+
		"and the licence's current status. A licence can be suspended, revoked or surrendered after its "+
		"certificate is printed, so this paper alone does not prove that the licence is in force today."), "", "L", false)
	pdf.SetXY(x, pdf.GetY()+2.5)
	pdf.SetFont("Helvetica", "B", 9)
	pdf.MultiCell(w, 4.4, r.tr("This certificate is valid only for the site named above."), "", "L", false)
	pdf.SetXY(x, pdf.GetY()+2.5)
	pdf.SetFont("Helvetica", "", 7.5)
	r.color(muted)
	pdf.MultiCell(w, 3.6, r.tr("Signed digitally with Ed25519 key "+c.KeyID+". Any change to the signed details "+
		"makes the check fail."), "", "L", false)

	// The URL is printed in full so the certificate can be checked without a
	// camera; a monospaced font keeps it readable when typed by hand.
	y += qrSize + 1
	pdf.SetFont("Courier", "", urlFont)
	r.color(ink)
	for i, line := range urlLines {
		pdf.SetXY(left, y+float64(i)*urlLineH)
		pdf.CellFormat(content, urlLineH, r.tr(line), "", 0, "L", false, 0, "")
	}
}

// chunk splits s into pieces of at most n bytes. The URL is ASCII, and
// breaking it anywhere is better than at a hyphen, which a reader could take
// for part of the line break.
func chunk(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}
