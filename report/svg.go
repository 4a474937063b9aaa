package report

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chart is one chart of the report as SVG. The SVG uses presentation
// attributes only (no <style>, no style attributes, no scripts, no links),
// so it can be inlined in a page served under
// "default-src 'self'; style-src 'self'"; every text from the data is
// XML-escaped. The same Committee always gives the same bytes.
type Chart struct {
	Name  string // e.g. "actions-by-city"; also the file name without ".svg"
	Title string
	SVG   []byte
}

// Charts draws the report's charts: actions by city, accused by
// nationality per city, complaints by category and monthly trends.
func (r *Committee) Charts() []Chart {
	specs := r.chartSpecs()
	out := make([]Chart, len(specs))
	for i, s := range specs {
		out[i] = Chart{Name: s.name, Title: s.title, SVG: s.svg()}
	}
	return out
}

// Sizes in SVG user units (CSS pixels at 100%).
const (
	svgPad     = 16.0
	titleSize  = 16.0
	textSize   = 12.0
	smallSize  = 10.0
	charW      = 0.6  // advance of a sans-serif character per unit of font size, roughly
	legendRowH = 18.0 // legend row height
	axisLeft   = 56.0 // room for the y ticks and the y axis label
	panelH     = 120.0
	barAreaH   = 220.0
	hRowH      = 22.0
	hBarArea   = 400.0
)

type svgWriter struct{ b bytes.Buffer }

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// esc is s escaped for XML text and attribute values alike; characters XML
// cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (w *svgWriter) raw(parts ...string) {
	for _, p := range parts {
		w.b.WriteString(p)
	}
}

// text writes a <text> element; class marks value labels for tests and
// for pages that want to restyle them from their own stylesheet.
func (w *svgWriter) text(x, y float64, size float64, anchor, fill, class, s string, extra ...string) {
	w.raw(`<text x="`, num(x), `" y="`, num(y), `" font-size="`, num(size), `" fill="`, fill, `"`)
	if anchor != "" {
		w.raw(` text-anchor="`, anchor, `"`)
	}
	if class != "" {
		w.raw(` class="`, class, `"`)
	}
	for _, e := range extra {
		w.raw(" ", e)
	}
	w.raw(">", esc(s), "</text>\n")
}

func (w *svgWriter) rect(x, y, wd, h float64, fill, tooltip string) {
	w.raw(`<rect x="`, num(x), `" y="`, num(y), `" width="`, num(wd), `" height="`, num(h), `" fill="`, fill, `"`)
	if tooltip == "" {
		w.raw("/>\n")
		return
	}
	w.raw("><title>", esc(tooltip), "</title></rect>\n")
}

func (w *svgWriter) line(x1, y1, x2, y2 float64, stroke string) {
	w.raw(`<line x1="`, num(x1), `" y1="`, num(y1), `" x2="`, num(x2), `" y2="`, num(y2), `" stroke="`, stroke, `" stroke-width="1"/>`, "\n")
}

func textW(s string, size float64) float64 { return float64(utf8.RuneCountInString(s)) * size * charW }

// header writes the root element, title, description, visible title,
// subtitle and legend, and returns the y where the plot may start.
func (s *chartSpec) header(w *svgWriter, width, height float64) float64 {
	id := "report-" + s.name
	w.raw(`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="`, id, `-title" aria-describedby="`, id, `-desc" width="`,
		num(width), `" height="`, num(height), `" viewBox="0 0 `, num(width), " ", num(height), `" font-family="sans-serif">`, "\n")
	w.raw(`<title id="`, id, `-title">`, esc(s.title), "</title>\n")
	w.raw(`<desc id="`, id, `-desc">`, esc(s.describe()), "</desc>\n")
	w.rect(0, 0, width, height, "#ffffff", "")
	y := svgPad + titleSize
	w.text(svgPad, y, titleSize, "", "#1e2124", "", s.title, `font-weight="bold"`)
	if s.subtitle != "" {
		y += textSize + 6
		w.text(svgPad, y, textSize, "", "#5f6863", "", s.subtitle)
	}
	if items := s.legendItems(); len(items) > 0 {
		y += 8
		x := svgPad
		for _, it := range items {
			w.rect(x, y, 12, 12, it.color, "")
			w.text(x+16, y+10, textSize, "", "#1e2124", "", it.name)
			x += 16 + textW(it.name, textSize) + 18
		}
		y += legendRowH
	}
	return y + 12
}

// describe is the chart's data in words, for screen readers.
func (s *chartSpec) describe() string {
	var b strings.Builder
	b.WriteString(s.subtitle)
	if len(s.categories) == 0 {
		b.WriteString(" No data for this period.")
		return strings.TrimSpace(b.String())
	}
	for i, c := range s.categories {
		b.WriteString(" ")
		b.WriteString(c)
		b.WriteString(":")
		for j, x := range s.series {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(" ")
			b.WriteString(strings.ToLower(x.name))
			b.WriteString(" ")
			b.WriteString(thousands(int64(x.values[i])))
		}
		b.WriteString(".")
	}
	return strings.TrimSpace(b.String())
}

func (s *chartSpec) svg() []byte {
	var w svgWriter
	switch s.kind {
	case horizontalBars:
		s.svgHorizontal(&w)
	default:
		s.svgVertical(&w)
	}
	return w.b.Bytes()
}

func (s *chartSpec) headerHeight() float64 {
	h := svgPad + titleSize
	if s.subtitle != "" {
		h += textSize + 6
	}
	if len(s.legendItems()) > 0 {
		h += 8 + legendRowH
	}
	return h + 12
}

// barWidth fits the widest value label above its bar.
func (s *chartSpec) barWidth() float64 {
	chars := 1
	for _, x := range s.series {
		for _, v := range x.values {
			chars = max(chars, len(thousands(int64(v))))
		}
	}
	return max(18, float64(chars)*smallSize*charW+6)
}

func (s *chartSpec) svgVertical(w *svgWriter) {
	n := len(s.categories)
	perGroup := len(s.series)
	if s.kind == panels {
		perGroup = 1
	}
	barW := s.barWidth()
	groupW := float64(perGroup)*barW + max(16, barW*0.8)
	plotW := max(360, float64(n)*groupW)
	width := axisLeft + svgPad + plotW + svgPad
	width = max(width, 2*svgPad+textW(s.title, titleSize), 2*svgPad+textW(s.subtitle, textSize))
	plotW = width - axisLeft - 2*svgPad
	if n > 0 {
		groupW = plotW / float64(n)
	}

	blocks := []int{-1} // -1: all series in one plot
	blockH := barAreaH
	if s.kind == panels {
		blocks = blocks[:0]
		for i := range s.series {
			blocks = append(blocks, i)
		}
		blockH = panelH
	}
	const xLabelH, panelTitleH, xAxisTitleH = 22.0, 20.0, 20.0
	each := blockH + xLabelH
	if s.kind == panels {
		each += panelTitleH
	}
	height := s.headerHeight() + float64(len(blocks))*each + xAxisTitleH + svgPad
	y := s.header(w, width, height)
	left := svgPad + axisLeft

	for _, b := range blocks {
		top := y
		ser := s.series
		if b >= 0 {
			ser = s.series[b : b+1]
			w.text(left, top+12, textSize, "", "#1e2124", "", ser[0].name, `font-weight="bold"`)
			top += panelTitleH
		}
		vals := make([][]int, len(ser))
		for i := range ser {
			vals[i] = ser[i].values
		}
		maxV, step := axis(maxOf(vals...))
		// Leave room above the top tick for the tallest bar's label.
		plotTop := top + 14
		plotH := blockH - 14
		yOf := func(v int) float64 { return plotTop + plotH - float64(v)/float64(maxV)*plotH }
		for t := 0; t <= maxV; t += step {
			ty := yOf(t)
			w.line(left, ty, left+plotW, ty, "#e3e7ea")
			w.text(left-6, ty+4, smallSize, "end", "#5f6863", "", thousands(int64(t)))
		}
		w.line(left, plotTop+plotH, left+plotW, plotTop+plotH, "#5f6863")
		if s.yLabel != "" && b < 0 {
			cy := plotTop + plotH/2
			w.text(svgPad+4, cy, textSize, "middle", "#1e2124", "", s.yLabel, `transform="rotate(-90 `+num(svgPad+4)+" "+num(cy)+`)"`)
		}
		if n == 0 {
			w.text(left+plotW/2, plotTop+plotH/2, textSize, "middle", "#5f6863", "", "No data for this period")
		}
		for i, cat := range s.categories {
			gx := left + float64(i)*groupW
			bx := gx + (groupW-float64(len(ser))*barW)/2
			for j := range ser {
				v := ser[j].values[i]
				x := bx + float64(j)*barW
				tip := cat + ", " + strings.ToLower(ser[j].name) + ": " + thousands(int64(v))
				if note := ser[j].noteAt(i); note != "" {
					tip += " (" + note + ")"
				}
				w.rect(x+1, yOf(v), barW-2, float64(v)/float64(maxV)*plotH, ser[j].colorAt(i), tip)
				w.text(x+barW/2, yOf(v)-3, smallSize, "middle", "#1e2124", "value", thousands(int64(v)),
					`data-series="`+esc(ser[j].name)+`"`)
			}
			label := truncate(cat, int(groupW/(smallSize*charW)))
			w.text(gx+groupW/2, plotTop+plotH+14, smallSize, "middle", "#1e2124", "category", label)
		}
		y = plotTop + plotH + xLabelH
	}
	if s.xLabel != "" {
		w.text(left+plotW/2, y+12, textSize, "middle", "#1e2124", "", s.xLabel)
	}
	w.raw("</svg>\n")
}

func (s *chartSpec) svgHorizontal(w *svgWriter) {
	n := len(s.categories)
	const labelChars = 44
	labelW := 0.0
	for _, c := range s.categories {
		labelW = max(labelW, textW(truncate(c, labelChars), smallSize))
	}
	labelW += 8
	valueW := 0.0
	for _, v := range s.series[0].values {
		valueW = max(valueW, textW(thousands(int64(v)), smallSize))
	}
	width := svgPad + labelW + hBarArea + 6 + valueW + svgPad
	width = max(width, 2*svgPad+textW(s.title, titleSize), 2*svgPad+textW(s.subtitle, textSize))
	barArea := width - 2*svgPad - labelW - 6 - valueW
	rows := max(n, 1)
	height := s.headerHeight() + float64(rows)*hRowH + 22 + 20 + svgPad
	top := s.header(w, width, height)
	left := svgPad + labelW
	maxV, step := axis(maxOf(s.series[0].values))
	xOf := func(v int) float64 { return left + float64(v)/float64(maxV)*barArea }
	bottom := top + float64(rows)*hRowH
	for t := 0; t <= maxV; t += step {
		w.line(xOf(t), top, xOf(t), bottom, "#e3e7ea")
		w.text(xOf(t), bottom+14, smallSize, "middle", "#5f6863", "", thousands(int64(t)))
	}
	w.line(left, top, left, bottom, "#5f6863")
	if n == 0 {
		w.text(left+barArea/2, top+hRowH/2+4, textSize, "middle", "#5f6863", "", "No data for this period")
	}
	ser := &s.series[0]
	for i, cat := range s.categories {
		v := ser.values[i]
		y := top + float64(i)*hRowH
		w.text(left-6, y+hRowH/2+4, smallSize, "end", "#1e2124", "category", truncate(cat, labelChars))
		tip := cat + ": " + thousands(int64(v)) + " " + strings.ToLower(ser.name)
		if note := ser.noteAt(i); note != "" {
			tip += ", " + note
		}
		w.rect(left, y+3, float64(v)/float64(maxV)*barArea, hRowH-6, ser.colorAt(i), tip)
		w.text(xOf(v)+4, y+hRowH/2+4, smallSize, "", "#1e2124", "value", thousands(int64(v)), `data-series="`+esc(ser.name)+`"`)
	}
	if s.xLabel != "" {
		w.text(left+barArea/2, bottom+34, textSize, "middle", "#1e2124", "", s.xLabel)
	}
	w.raw("</svg>\n")
}
