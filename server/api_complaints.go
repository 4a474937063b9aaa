package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

func (s *Server) complaintRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.complaints.FindComplaint, func(_ context.Context, x *greyline.Complaint) (int64, error) { return x.SourceOrgID, nil })(r, c)
}

// channelFor decides the channel from who submits: a complaint cannot
// claim to come from somewhere else than its caller.
func (s *Server) channelFor(ctx context.Context, c *reqCtx, asked greyline.Channel) (greyline.Channel, error) {
	org, err := s.orgs.FindOrgByID(ctx, c.user.OrgID)
	if err != nil {
		return "", err
	}
	takesCalls := c.can(access.ComplaintTakeCall, nil)
	switch {
	case takesCalls && asked == greyline.ChannelWalkIn:
		return asked, nil
	case takesCalls:
		return greyline.ChannelHelpline, nil
	case org.Kind == greyline.OrgBank:
		return greyline.ChannelBank, nil
	case org.Kind == greyline.OrgTelco:
		return greyline.ChannelTelco, nil
	}
	return greyline.ChannelPartner, nil
}

// createdComplaint is the answer to a new complaint: the tracking code is
// in it once, for the complainant.
type createdComplaint struct {
	*greyline.Complaint
	TrackingCode string `json:"tracking_code,omitempty"`
}

func (s *Server) apiComplaintCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var n greyline.NewComplaint
	if err := decodeJSON(r, &n); err != nil {
		return err
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(key) > 200 {
		return greyline.Invalid("Idempotency-Key", "must be at most 200 characters")
	}
	ch, err := s.channelFor(r.Context(), c, n.Channel)
	if err != nil {
		return err
	}
	n.Channel = ch
	comp, code, existing, err := s.complaints.CreateComplaint(r.Context(), n, key)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/complaints/"+strconv.FormatInt(comp.ID, 10))
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	return writeJSON(w, status, createdComplaint{comp, code})
}

func (s *Server) apiComplaints(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var v greyline.Validation
	q := r.URL.Query()
	f := greyline.ComplaintFilter{Status: greyline.ComplaintStatus(q.Get("status")), Circle: q.Get("circle"), AssignedTo: queryInt64(r, "assigned_to", &v), Limit: int(queryInt64(r, "limit", &v))}
	if err := v.Err(); err != nil {
		return err
	}
	// Those who may see only their own organisation's complaints get only those.
	if !c.can(access.ComplaintView, &access.Record{OrgID: -1}) {
		f.SourceOrg = c.user.OrgID
	}
	complaints, err := s.complaints.ListComplaints(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(complaints, len(complaints)))
}

func (s *Server) apiComplaint(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	comp, err := s.complaints.FindComplaint(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, comp)
}

// apiComplainant returns the complainant in full; the read is audited.
func (s *Server) apiComplainant(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	comp, err := s.complaints.RevealComplaint(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, comp.Complainant)
}

func (s *Server) complaintChange(w http.ResponseWriter, r *http.Request, allowed ...greyline.ComplaintStatus) error {
	var ch greyline.ComplaintChange
	if err := decodeJSON(r, &ch); err != nil {
		return err
	}
	ok := false
	for _, a := range allowed {
		ok = ok || ch.To == a
	}
	if !ok {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		return greyline.Invalid("to", "must be "+strings.Join(names, " or ")+" on this route")
	}
	id, _ := pathID(r, "id")
	comp, err := s.complaints.ChangeComplaint(r.Context(), id, ch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, comp)
}

func (s *Server) apiComplaintTriage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.complaintChange(w, r, greyline.ComplaintTriaged, greyline.ComplaintAssigned)
}

func (s *Server) apiComplaintProgress(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.complaintChange(w, r, greyline.ComplaintEnquiry, greyline.ComplaintCaseRegistered, greyline.ComplaintClosed)
}

// apiComplaintTrack is the complainant's status check: reference and code.
func (s *Server) apiComplaintTrack(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if !s.limits.allow("track:"+c.ip, s.cfg.LookupRate) {
		return errTooManyAttempts
	}
	q := r.URL.Query()
	tr, err := s.complaints.TrackComplaint(r.Context(), strings.TrimSpace(q.Get("reference")), strings.TrimSpace(q.Get("code")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tr)
}

// apiComplaintIdentifier records an analyst's review of an identifier.
func (s *Server) apiComplaintIdentifier(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Status greyline.IdentifierStatus `json:"status"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	comp, err := s.complaints.ReviewIdentifier(r.Context(), id, iid, in.Status)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, comp)
}

func (s *Server) apiComplaintHistory(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	h, err := s.complaints.ComplaintHistory(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(h, len(h)))
}

// apiComplaintDocumentAdd adds an evidence file (multipart, field "file").
func (s *Server) apiComplaintDocumentAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	var d greyline.Document
	content, err := s.readUpload(r, &d)
	if err != nil {
		return err
	}
	doc, err := s.complaints.AddComplaintDocument(r.Context(), id, greyline.Attachment{Filename: d.Filename, Content: content})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/complaints/"+strconv.FormatInt(id, 10)+"/documents/"+strconv.FormatInt(doc.ID, 10))
	return writeJSON(w, http.StatusCreated, doc)
}

// apiTrackingCode issues a new tracking code for the complainant.
func (s *Server) apiTrackingCode(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	code, err := s.complaints.ReissueTrackingCode(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"tracking_code": code})
}
