package server

// STIX 2.1 sharing: the export of shared indicators for MISP and OpenCTI,
// and partners' bundles imported as indicators.

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/stix"
)

// StixRecords turns shared indicators into STIX records: the types STIX
// has objects for (and greyline's phone and wallet extensions), one
// record per value in its latest state, a withdrawn one revoked.
func StixRecords(items []*greyline.Indicator) []stix.Record {
	latest := map[string]int{}
	var out []stix.Record
	for _, in := range items {
		var kind stix.Kind
		switch identifier.Type(in.Type) {
		case identifier.Domain:
			kind = stix.Domain
		case identifier.URL:
			kind = stix.URL
		case identifier.Email:
			kind = stix.Email
		case identifier.Phone:
			kind = stix.Phone
		case identifier.Crypto:
			kind = stix.Crypto
		case identifier.IP:
			kind = stix.IPv4
			if strings.Contains(in.Value, ":") {
				kind = stix.IPv6
			}
		default:
			continue
		}
		rec := stix.Record{Kind: kind, Value: in.Value, Name: in.Source, Description: in.Reason, TLP: stix.TLP(in.TLP),
			Created: in.UpdatedAt, Modified: in.UpdatedAt, ValidFrom: in.UpdatedAt, Revoked: !in.Active}
		if kind == stix.Crypto {
			rec.Chain = strings.ToLower(in.Chain)
		}
		key := string(kind) + ":" + in.Key
		if i, ok := latest[key]; ok {
			rec.Created = out[i].Created
			out[i] = rec
			continue
		}
		latest[key] = len(out)
		out = append(out, rec)
	}
	return out
}

// IndicatorsFromStix turns an imported bundle's records into indicators,
// normalised by package identifier; a record without a marking takes
// TLP:AMBER, the cautious default for a partner's data.
func IndicatorsFromStix(recs []stix.Record) ([]*greyline.Indicator, error) {
	var v greyline.Validation
	out := make([]*greyline.Indicator, 0, len(recs))
	for i, r := range recs {
		var ty identifier.Type
		switch r.Kind {
		case stix.Domain:
			ty = identifier.Domain
		case stix.URL:
			ty = identifier.URL
		case stix.Email:
			ty = identifier.Email
		case stix.Phone:
			ty = identifier.Phone
		case stix.Crypto:
			ty = identifier.Crypto
		case stix.IPv4, stix.IPv6:
			ty = identifier.IP
		}
		id := identifier.Parse(ty, r.Value)
		if ty == "" || !id.Valid {
			v.Add("objects["+strconv.Itoa(i)+"].value", "is not a valid "+string(r.Kind))
			continue
		}
		tlp := greyline.TLP(r.TLP)
		if tlp == "" {
			tlp = greyline.TLPAmber
		}
		reason := r.Description
		if reason == "" {
			reason = r.Name
		}
		out = append(out, &greyline.Indicator{Type: string(id.Type), Value: id.Value, Key: id.Key, Chain: id.Chain, TLP: tlp,
			Reason: reason, Active: !r.Revoked})
	}
	return out, v.Err()
}

// stixSince reads since: a feed cursor, or a date or time after which
// changed records are wanted.
func stixSince(raw string) (greyline.FeedCursor, time.Time, error) {
	if raw == "" {
		return greyline.FeedCursor{}, time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return greyline.FeedCursor{}, t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", raw, greyline.Karachi); err == nil {
		return greyline.FeedCursor{}, t, nil
	}
	c, err := greyline.ParseFeedCursor(raw)
	if err != nil {
		return c, time.Time{}, greyline.Invalid("since", "must be a cursor from an earlier export, a date (YYYY-MM-DD) or a time (RFC 3339)")
	}
	return c, time.Time{}, nil
}

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
	since, after, err := stixSince(r.URL.Query().Get("since"))
	if err != nil {
		return err
	}
	items, next, err := s.exportIndicators(r.Context(), c, since, after)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	w.Header().Set("Content-Disposition", `attachment; filename="greyline-stix.json"`)
	w.Header().Set("X-Next-Cursor", next.String())
	return stix.Write(w, stix.Producer{Name: "greyline (NCCIA, PTA, SECP)"}, StixRecords(items), s.now())
}

// importStix stores a partner's bundle: all of it or, if any object is
// refused, none.
func (s *Server) importStix(ctx context.Context, c *reqCtx, body []byte) (int, error) {
	recs, err := stix.Parse(body)
	if err != nil {
		return 0, err
	}
	ins, err := IndicatorsFromStix(recs)
	if err != nil {
		return 0, err
	}
	return s.takedowns.ImportIndicators(ctx, "STIX from "+c.subject.OrgCode, ins)
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
