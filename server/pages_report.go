package server

// The committee report: one page with the figures, charts and tables, and
// its downloads (JSON, CSV per table, PDF).

import (
	"context"
	"encoding/json"
	"html/template"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/report"
)

// ReportSource reads the facts a committee report is built from.
type ReportSource interface {
	CommitteeInput(ctx context.Context, from, to time.Time, city, province string) (report.Input, error)
}

type reportPage struct {
	Page
	From, To, City, Province string
	C                        *report.Committee
	Charts                   []reportChart
	Tables                   []report.Table
	Query                    string
}

type reportChart struct {
	Title string
	SVG   template.HTML
}

// committeeQuery reads the period and filters; the default is this year.
func (s *Server) committeeQuery(r *http.Request) (from, to time.Time, city, province string, err error) {
	q := r.URL.Query()
	var v greyline.Validation
	now := s.now().In(greyline.Karachi)
	from, to = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, greyline.Karachi), now
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"from", &from}, {"to", &to}} {
		if raw := strings.TrimSpace(q.Get(f.name)); raw != "" {
			t, perr := time.ParseInLocation("2006-01-02", raw, greyline.Karachi)
			if perr != nil {
				v.Add(f.name, "must be a date written YYYY-MM-DD")
			}
			*f.to = t
		}
	}
	return from, to, strings.TrimSpace(q.Get("city")), strings.TrimSpace(q.Get("province")), v.Err()
}

func (s *Server) committeeReport(r *http.Request) (*report.Committee, error) {
	from, to, city, province, err := s.committeeQuery(r)
	if err != nil {
		return nil, err
	}
	in, err := s.reports.CommitteeInput(r.Context(), from, to, city, province)
	if err != nil {
		return nil, err
	}
	return report.Build(in)
}

func (s *Server) committeePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	rep, err := s.committeeReport(r)
	if err != nil {
		return err
	}
	p := &reportPage{Page: s.page(c, report.Heading), C: rep, Tables: rep.Tables(), Query: r.URL.RawQuery,
		From: rep.From, To: rep.To, City: rep.Filters.City, Province: rep.Filters.Province}
	for _, ch := range rep.Charts() {
		// The report package escapes every label and draws no script or
		// link, so its SVG can be inlined.
		p.Charts = append(p.Charts, reportChart{Title: ch.Title, SVG: template.HTML(ch.SVG)})
	}
	s.render(w, r, c, http.StatusOK, "report", p)
	return nil
}

// reportDownload sends the report as JSON, a table as CSV, or the PDF.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	rep, err := s.committeeReport(r)
	if err != nil {
		return err
	}
	name := "committee-" + rep.From + "-" + rep.To
	switch format := r.PathValue("format"); format {
	case "json":
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(rep)
	case "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".pdf"}))
		return rep.WritePDF(w)
	case "csv":
		table := r.URL.Query().Get("table")
		for _, t := range rep.Tables() {
			if t.Name == table {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "-" + t.Name + ".csv"}))
				return t.WriteCSV(w)
			}
		}
		return greyline.Invalid("table", "is not a table of the report")
	}
	return greyline.Errorf(greyline.ENOTFOUND, "No such download.")
}
