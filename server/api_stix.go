package server

// STIX 2.1 sharing: the export of shared indicators for MISP and OpenCTI,
// and partners' bundles imported as indicators.

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/stix"
)

// exportIndicators reads every shared record after the cursor that the
// caller may receive, changed after after.
func (s *Server) exportIndicators(ctx context.Context, c *reqCtx, since greyline.FeedCursor, after time.Time) ([]*greyline.Indicator, greyline.FeedCursor, error) {
	var all []*greyline.Indicator
	for {
		items, next, err := s.sharedFeed(ctx, c, since, "", 10000)
		if err != nil {
			return nil, since, err
		}
		for _, in := range items {
			if in.UpdatedAt.After(after) {
				all = append(all, in)
			}
		}
		if next == since || len(all) > 200_000 {
			return all, next, nil
		}
		since = next
	}
}

func (s *Server) apiStixExport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	since, after, err := greyline.ParseSince(r.URL.Query().Get("since"))
	if err != nil {
		return greyline.Invalid("since", "must be a cursor from an earlier export, a date (YYYY-MM-DD) or a time (RFC 3339)")
	}
	items, next, err := s.exportIndicators(r.Context(), c, since, after)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	w.Header().Set("Content-Disposition", `attachment; filename="greyline-stix.json"`)
	w.Header().Set("X-Next-Cursor", next.String())
	return stix.Write(w, stix.Producer{Name: "greyline (NCCIA, PTA, SECP)"}, stix.FromIndicators(items), s.now())
}

// importStix stores a partner's bundle: all of it or, if any object is
// refused, none.
func (s *Server) importStix(ctx context.Context, c *reqCtx, body []byte) (int, error) {
	recs, err := stix.Parse(body)
	if err != nil {
		return 0, err
	}
	ins, err := stix.ToIndicators(recs)
	if err != nil {
		return 0, err
	}
	n, err := s.takedowns.ImportIndicators(ctx, "STIX from "+c.subject.OrgCode, ins)
	if err != nil {
		return 0, err
	}
	if err := s.watch.CheckIndicators(context.WithoutCancel(ctx), ins); err != nil {
		s.log.Error("checking imported indicators against takedowns failed", "err", err)
	}
	return n, nil
}

func (s *Server) apiStixImport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	n, err := s.importStix(r.Context(), c, body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"imported": n})
}

func (s *Server) stixImportSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var d greyline.Document
	content, err := s.readUpload(r, &d)
	var n int
	if err == nil {
		var body []byte
		if body, err = io.ReadAll(content); err == nil {
			n, err = s.importStix(r.Context(), c, body)
		}
	}
	if err != nil {
		p, lerr := s.loadSharePage(r.Context(), r, c)
		if lerr != nil {
			return lerr
		}
		return s.formError(w, r, c, "share", p, err)
	}
	return redirect(w, r, "/share?done=stix-imported&n="+strconv.Itoa(n))
}
