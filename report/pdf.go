package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/greyline/greyline"
)

// The page, in millimetres on A4 portrait.
const (
	pdfPageW   = 210.0
	pdfPageH   = 297.0
	pdfLeft    = 15.0
	pdfRight   = pdfPageW - 15.0
	pdfContent = pdfRight - pdfLeft
	pdfTop     = 22.0 // below the running header
	pdfBottom  = 16.0 // room for the page number
	pdfRowH    = 5.2
	pdfPad     = 1.4 // cell padding
)

// The palette: the certificate's green for structure, dark grey for text.
var (
	pdfInk       = [3]int{30, 33, 36}
	pdfMuted     = [3]int{95, 104, 99}
	pdfGreen     = [3]int{1, 65, 28}
	pdfPaleGreen = [3]int{236, 243, 238}
	pdfStripe    = [3]int{246, 248, 247}
	pdfGrid      = [3]int{227, 231, 234}
)

// WritePDF writes the report as an A4 PDF: the totals, every table and the
// charts, with the period in each page's header and page numbers in the
// footer. The charts are drawn with PDF primitives from the same data as
// the SVG ones. The same Committee always gives the same bytes.
func (r *Committee) WritePDF(w io.Writer) error { return r.writePDF(w, true) }

// writePDF can leave the page streams uncompressed, so tests can read the
// figures printed.
func (r *Committee) writePDF(w io.Writer, compress bool) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(compress)
	// Fixed dates and a sorted catalogue make the file a function of the
	// report alone.
	pdf.SetCreationDate(r.GeneratedAt.UTC())
	pdf.SetModificationDate(r.GeneratedAt.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetProducer("greyline", false)
	pdf.SetCreator("greyline", false)
	pdf.SetTitle(Heading, true)
	pdf.SetSubject(r.PeriodLine(), true)
	pdf.SetLang("en-GB")
	pdf.SetMargins(pdfLeft, pdfTop, pdfPageW-pdfRight)
	pdf.SetAutoPageBreak(false, pdfBottom)
	pdf.AliasNbPages("{nb}")

	p := &pdfWriter{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	period := r.PeriodLine()
	pdf.SetHeaderFunc(func() {
		p.font("", 8, pdfMuted)
		pdf.SetXY(pdfLeft, 10)
		pdf.CellFormat(pdfContent/2, 4, p.tr("Operation Grey: committee report"), "", 0, "L", false, 0, "")
		pdf.CellFormat(pdfContent/2, 4, p.tr(period), "", 0, "R", false, 0, "")
		p.draw(pdfGreen)
		pdf.SetLineWidth(0.3)
		pdf.Line(pdfLeft, 15.5, pdfRight, 15.5)
		pdf.SetXY(pdfLeft, pdfTop)
	})
	pdf.SetFooterFunc(func() {
		p.font("", 8, pdfMuted)
		pdf.SetXY(pdfLeft, pdfPageH-11)
		pdf.CellFormat(pdfContent/2, 4, p.tr("Generated "+greyline.FormatTime(r.GeneratedAt)), "", 0, "L", false, 0, "")
		pdf.CellFormat(pdfContent/2, 4, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})

	pdf.AddPage()
	p.font("B", 17, pdfGreen)
	pdf.MultiCell(pdfContent, 8, p.tr(Heading), "", "L", false)
	p.font("", 10, pdfInk)
	pdf.MultiCell(pdfContent, 5, p.tr(period+". Days and months in "+r.Timezone+"."), "", "L", false)
	pdf.Ln(3)

	charts := map[string]chartSpec{}
	for _, s := range r.chartSpecs() {
		charts[s.name] = s
	}
	for _, t := range r.Tables() {
		p.table(t)
		if s, ok := charts[t.Name]; ok {
			p.chart(s)
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("report: cannot draw the PDF: %w", err)
	}
	return pdf.Output(w)
}

type pdfWriter struct {
	pdf *fpdf.Fpdf
	// The core fonts only know Windows-1252; other characters print as
	// stand-ins, while the JSON and CSV keep them exactly.
	tr func(string) string
}

func (p *pdfWriter) font(style string, size float64, c [3]int) {
	p.pdf.SetFont("Helvetica", style, size)
	p.pdf.SetTextColor(c[0], c[1], c[2])
}

func (p *pdfWriter) fill(c [3]int) { p.pdf.SetFillColor(c[0], c[1], c[2]) }
func (p *pdfWriter) draw(c [3]int) { p.pdf.SetDrawColor(c[0], c[1], c[2]) }

func (p *pdfWriter) fillHex(h string) {
	var r, g, b int
	_, _ = fmt.Sscanf(h, "#%02x%02x%02x", &r, &g, &b)
	p.pdf.SetFillColor(r, g, b)
}

// need starts a new page unless h millimetres are left on this one.
func (p *pdfWriter) need(h float64) {
	if p.pdf.GetY()+h > pdfPageH-pdfBottom {
		p.pdf.AddPage()
	}
}

// fit shortens s with an ellipsis until it is at most w wide in the
// current font.
func (p *pdfWriter) fit(s string, w float64) string {
	s = p.tr(s)
	w += 0.05 // the widths were measured with this font; allow for rounding
	if p.pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.pdf.GetStringWidth(string(r)+"\x85") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "\x85" // "…" in Windows-1252
}

func (p *pdfWriter) heading(title string) {
	p.font("B", 12, pdfGreen)
	p.pdf.SetX(pdfLeft)
	p.pdf.CellFormat(pdfContent, 7, p.tr(title), "", 1, "L", false, 0, "")
}

// table draws t with its header repeated on every page it spans; the font
// shrinks (to 6 pt) for wide tables and cells are shortened only if even
// that does not fit.
func (p *pdfWriter) table(t Table) {
	pdf := p.pdf
	rows := t.display
	if t.total != nil && len(rows) > 1 {
		rows = append(rows[:len(rows):len(rows)], t.total)
	}
	// A table too wide at 8 pt with its full headings uses the short ones
	// (country codes) and says what they mean.
	note := t.note
	if t.compact != nil && sum(p.widths(t, rows, 8)) > pdfContent {
		t.labels = t.compact
		note = strings.TrimSpace(note + " " + t.compactNote)
	}
	size := 9.0
	var widths []float64
	for ; ; size -= 0.5 {
		widths = p.widths(t, rows, size)
		total := 0.0
		for _, w := range widths {
			total += w
		}
		if total <= pdfContent || size <= 6 {
			if total > pdfContent {
				for i := range widths {
					widths[i] *= pdfContent / total
				}
			}
			break
		}
	}
	rowH := pdfRowH * size / 9

	pdf.Ln(3)
	p.need(7 + rowH*float64(min(len(rows), 3)+1))
	p.heading(t.Title)
	header := func() {
		p.font("B", size, pdfInk)
		p.fill(pdfPaleGreen)
		pdf.SetX(pdfLeft)
		for i, l := range t.labels {
			pdf.CellFormat(widths[i], rowH, p.fit(l, widths[i]-2*pdfPad), "", 0, align(t.right[i]), true, 0, "")
		}
		pdf.Ln(rowH)
	}
	header()
	if len(rows) == 0 {
		p.font("I", size, pdfMuted)
		pdf.SetX(pdfLeft)
		pdf.CellFormat(pdfContent, rowH, "None in this period.", "", 1, "L", false, 0, "")
	}
	for n, row := range rows {
		if pdf.GetY()+rowH > pdfPageH-pdfBottom {
			pdf.AddPage()
			header()
		}
		isTotal := t.total != nil && len(t.display) > 1 && n == len(rows)-1
		style := ""
		if isTotal {
			style = "B"
			p.draw(pdfGreen)
			pdf.SetLineWidth(0.3)
			y := pdf.GetY()
			pdf.Line(pdfLeft, y, pdfLeft+sum(widths), y)
		}
		p.font(style, size, pdfInk)
		p.fill(pdfStripe)
		pdf.SetX(pdfLeft)
		for i, c := range row {
			pdf.CellFormat(widths[i], rowH, p.fit(c, widths[i]-2*pdfPad), "", 0, align(t.right[i]), n%2 == 1 && !isTotal, 0, "")
		}
		pdf.Ln(rowH)
	}
	if note != "" {
		p.font("I", 8, pdfMuted)
		pdf.SetX(pdfLeft)
		pdf.MultiCell(pdfContent, 4, p.tr(note), "", "L", false)
	}
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func align(right bool) string {
	if right {
		return "R"
	}
	return "L"
}

// widths are the columns' natural widths at a font size.
func (p *pdfWriter) widths(t Table, rows [][]string, size float64) []float64 {
	w := make([]float64, len(t.labels))
	p.pdf.SetFont("Helvetica", "B", size)
	for i, l := range t.labels {
		w[i] = p.pdf.GetStringWidth(p.tr(l))
	}
	p.pdf.SetFont("Helvetica", "", size)
	for _, row := range rows {
		for i, c := range row {
			w[i] = max(w[i], p.pdf.GetStringWidth(p.tr(c))*1.05) // bold totals are a little wider
		}
	}
	for i := range w {
		// Narrow columns are widened so short tables do not look cramped.
		w[i] = max(w[i]+2*pdfPad, 14*size/9)
	}
	return w
}

// chart draws a chart from the spec the SVG is drawn from.
func (p *pdfWriter) chart(s chartSpec) {
	pdf := p.pdf
	var plotH, height float64
	switch s.kind {
	case horizontalBars:
		plotH = float64(max(len(s.categories), 1)) * 5
		height = plotH + 30
	case panels:
		plotH = 30
		height = plotH + 14 + 22 // the first panel; the others find their own room
	default:
		plotH = 60
		height = plotH + 36
	}
	pdf.Ln(3)
	p.need(height)
	p.heading(s.title + " (chart)")
	if s.subtitle != "" {
		p.font("", 8, pdfMuted)
		pdf.SetX(pdfLeft)
		pdf.MultiCell(pdfContent, 4, p.tr(s.subtitle), "", "L", false)
	}
	if items := s.legendItems(); len(items) > 0 {
		p.font("", 8, pdfInk)
		x, y := pdfLeft, pdf.GetY()+1
		for _, it := range items {
			p.fillHex(it.color)
			pdf.Rect(x, y+0.5, 3, 3, "F")
			pdf.SetXY(x+4, y)
			l := p.tr(it.name)
			pdf.CellFormat(pdf.GetStringWidth(l)+1, 4, l, "", 0, "L", false, 0, "")
			x += 4 + pdf.GetStringWidth(l) + 6
		}
		pdf.SetY(y + 6)
	}
	switch s.kind {
	case horizontalBars:
		p.hbars(s, plotH)
	case panels:
		for i := range s.series {
			p.need(plotH + 14)
			p.font("B", 8, pdfInk)
			pdf.SetX(pdfLeft)
			pdf.CellFormat(pdfContent, 4, p.tr(s.series[i].name), "", 1, "L", false, 0, "")
			p.vbars(s, s.series[i:i+1], plotH)
		}
	default:
		p.vbars(s, s.series, plotH)
	}
	if s.xLabel != "" && s.kind != horizontalBars {
		p.font("", 8, pdfInk)
		pdf.SetX(pdfLeft)
		pdf.CellFormat(pdfContent, 4, p.tr(s.xLabel), "", 1, "C", false, 0, "")
	}
}

// vbars draws grouped vertical bars with value labels and a y axis.
func (p *pdfWriter) vbars(s chartSpec, ser []series, plotH float64) {
	pdf := p.pdf
	const axisW = 12.0
	left := pdfLeft + axisW
	plotW := pdfContent - axisW
	top := pdf.GetY() + 4 // room for the labels of the tallest bars
	vals := make([][]int, len(ser))
	for i := range ser {
		vals[i] = ser[i].values
	}
	maxV, step := axis(maxOf(vals...))
	yOf := func(v int) float64 { return top + plotH - float64(v)/float64(maxV)*plotH }
	p.draw(pdfGrid)
	pdf.SetLineWidth(0.2)
	p.font("", 6.5, pdfMuted)
	for t := 0; t <= maxV; t += step {
		pdf.Line(left, yOf(t), left+plotW, yOf(t))
		pdf.SetXY(pdfLeft, yOf(t)-1.5)
		pdf.CellFormat(axisW-1.5, 3, thousands(int64(t)), "", 0, "R", false, 0, "")
	}
	p.draw(pdfMuted)
	pdf.Line(left, top+plotH, left+plotW, top+plotH)
	n := len(s.categories)
	if n == 0 {
		p.font("I", 8, pdfMuted)
		pdf.SetXY(left, top+plotH/2-2)
		pdf.CellFormat(plotW, 4, "No data for this period", "", 0, "C", false, 0, "")
	}
	groupW := plotW / float64(max(n, 1))
	barW := groupW * 0.8 / float64(len(ser))
	for i, cat := range s.categories {
		gx := left + float64(i)*groupW
		bx := gx + groupW*0.1
		for j := range ser {
			v := ser[j].values[i]
			x := bx + float64(j)*barW
			p.fillHex(ser[j].colorAt(i))
			if h := float64(v) / float64(maxV) * plotH; h > 0 {
				pdf.Rect(x+0.15, yOf(v), barW-0.3, h, "F")
			}
			label := thousands(int64(v))
			// Narrow bars get smaller labels rather than overlapping ones.
			size := 6.5
			pdf.SetFont("Helvetica", "", size)
			for size > 4 && pdf.GetStringWidth(label) > barW {
				size -= 0.5
				pdf.SetFont("Helvetica", "", size)
			}
			p.font("", size, pdfInk)
			pdf.SetXY(x-1, yOf(v)-3)
			pdf.CellFormat(barW+2, 3, label, "", 0, "C", false, 0, "")
		}
		p.font("", 6.5, pdfInk)
		pdf.SetXY(gx, top+plotH+0.5)
		pdf.CellFormat(groupW, 3.5, p.fit(cat, groupW-1), "", 0, "C", false, 0, "")
	}
	pdf.SetY(top + plotH + 5)
}

// hbars draws one horizontal bar per category with its value at its end.
func (p *pdfWriter) hbars(s chartSpec, plotH float64) {
	pdf := p.pdf
	ser := &s.series[0]
	p.font("", 7, pdfInk)
	labelW := 0.0
	for _, c := range s.categories {
		labelW = max(labelW, pdf.GetStringWidth(p.tr(c)))
	}
	labelW = min(labelW+2, 75)
	left := pdfLeft + labelW
	barArea := pdfContent - labelW - 14
	top := pdf.GetY() + 1
	maxV, step := axis(maxOf(ser.values))
	xOf := func(v int) float64 { return left + float64(v)/float64(maxV)*barArea }
	p.draw(pdfGrid)
	pdf.SetLineWidth(0.2)
	p.font("", 6.5, pdfMuted)
	for t := 0; t <= maxV; t += step {
		pdf.Line(xOf(t), top, xOf(t), top+plotH)
		pdf.SetXY(xOf(t)-8, top+plotH+0.5)
		pdf.CellFormat(16, 3, thousands(int64(t)), "", 0, "C", false, 0, "")
	}
	p.draw(pdfMuted)
	pdf.Line(left, top, left, top+plotH)
	if len(s.categories) == 0 {
		p.font("I", 8, pdfMuted)
		pdf.SetXY(left, top)
		pdf.CellFormat(barArea, 5, "No data for this period", "", 0, "C", false, 0, "")
	}
	for i, cat := range s.categories {
		v := ser.values[i]
		y := top + float64(i)*5
		p.font("", 7, pdfInk)
		pdf.SetXY(pdfLeft, y+0.5)
		pdf.CellFormat(labelW-1.5, 4, p.fit(cat, labelW-2), "", 0, "R", false, 0, "")
		p.fillHex(ser.colorAt(i))
		if w := xOf(v) - left; w > 0 {
			pdf.Rect(left, y+0.8, w, 3.4, "F")
		}
		pdf.SetXY(xOf(v)+0.8, y+0.5)
		pdf.CellFormat(14, 4, thousands(int64(v)), "", 0, "L", false, 0, "")
	}
	pdf.SetY(top + plotH + 4)
	if s.xLabel != "" {
		p.font("", 8, pdfInk)
		pdf.SetX(left)
		pdf.CellFormat(barArea, 4, p.tr(s.xLabel), "", 1, "C", false, 0, "")
	}
}
