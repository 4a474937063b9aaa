package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/greyline/greyline"
)

// complaintForm is the page for the public form and the helpline form.
type complaintForm struct {
	Page
	Helpline   bool // the operator's version: no challenge, walk-in allowed
	Action     string
	Challenge  challenge
	Form       complaintInput
	Categories []greyline.Category
	Contacts   []greyline.ContactMethod
	Payments   []greyline.PaymentMethod
	Provinces  []greyline.Province
	Genders    []string
	AgeBands   []string
	// After a successful submission:
	Reference    string
	TrackingCode string
}

// complaintInput echoes the form.
type complaintInput struct {
	Name, CNIC, Phone, Email, City, Province, Gender, AgeBand string
	Category, ContactMethod, PaymentMethod, IncidentDate      string
	Loss, Narrative, Identifiers, Channel                     string
}

func (s *Server) complaintFormPage(c *reqCtx, helpline bool) *complaintForm {
	p := &complaintForm{Page: s.page(c, "Report a fraud"), Helpline: helpline, Action: "/report", Categories: greyline.Categories,
		Contacts: greyline.ContactMethods, Payments: greyline.PaymentMethods, Provinces: greyline.Provinces, Genders: greyline.Genders, AgeBands: greyline.AgeBands}
	if helpline {
		p.Title, p.Action = "Record a complaint (helpline 1799)", "/complaints"
	} else {
		p.Challenge = s.newChallenge()
	}
	return p
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s.render(w, r, c, http.StatusOK, "complaint_form", s.complaintFormPage(c, false))
	return nil
}

func (s *Server) helplinePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s.render(w, r, c, http.StatusOK, "complaint_form", s.complaintFormPage(c, true))
	return nil
}

// readComplaintForm turns the form into a complaint, naming every bad
// field at once under the form's own names.
func readComplaintForm(in complaintInput, channel greyline.Channel, now time.Time) (greyline.NewComplaint, error) {
	var v greyline.Validation
	n := greyline.NewComplaint{
		Channel:       channel,
		Complainant:   greyline.Complainant{Name: in.Name, CNIC: in.CNIC, Phone: in.Phone, Email: in.Email, City: in.City, Province: in.Province, Gender: in.Gender, AgeBand: in.AgeBand},
		Category:      in.Category,
		ContactMethod: greyline.ContactMethod(in.ContactMethod),
		PaymentMethod: greyline.PaymentMethod(in.PaymentMethod),
		Narrative:     in.Narrative,
		Identifiers:   lines(in.Identifiers),
	}
	if strings.TrimSpace(in.Loss) != "" {
		p, err := greyline.ParseRupees(in.Loss)
		if err != nil {
			v.Add("loss", err.Error())
		}
		n.LossPaisa = p
	}
	if d := strings.TrimSpace(in.IncidentDate); d != "" {
		t, err := time.ParseInLocation("2006-01-02", d, greyline.Karachi)
		if err != nil {
			v.Add("incident_date", "must be a date written YYYY-MM-DD")
		} else {
			n.IncidentAt = t
		}
	}
	rename := map[string]string{"incident_at": "incident_date", "loss_paisa": "loss"}
	for _, f := range greyline.ErrorFields(n.Validate(now)) {
		name := strings.TrimPrefix(f.Field, "complainant.")
		if r, ok := rename[name]; ok {
			name = r
		}
		if !v.Has(name) {
			v.Add(name, f.Reason)
		}
	}
	return n, v.Err()
}

func formComplaintInput(r *http.Request) complaintInput {
	f := r.PostFormValue
	return complaintInput{Name: f("name"), CNIC: f("cnic"), Phone: f("phone"), Email: f("email"), City: f("city"), Province: f("province"),
		Gender: f("gender"), AgeBand: f("age_band"), Category: f("category"), ContactMethod: f("contact_method"), PaymentMethod: f("payment_method"),
		IncidentDate: f("incident_date"), Loss: f("loss"), Narrative: f("narrative"), Identifiers: f("identifiers"), Channel: f("channel")}
}

func (s *Server) submitComplaintForm(w http.ResponseWriter, r *http.Request, c *reqCtx, helpline bool) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := s.complaintFormPage(c, helpline)
	p.Form = formComplaintInput(r)
	if !helpline {
		if !s.limits.allow("report:"+c.ip, s.cfg.ReportRate) {
			return s.formError(w, r, c, "complaint_form", p, errTooManyAttempts)
		}
		if err := s.checkChallenge(r.PostFormValue("challenge_token"), r.PostFormValue("challenge")); err != nil {
			return s.formError(w, r, c, "complaint_form", p, err)
		}
	}
	channel := greyline.ChannelWeb
	if helpline {
		channel = greyline.ChannelHelpline
		if p.Form.Channel == string(greyline.ChannelWalkIn) {
			channel = greyline.ChannelWalkIn
		}
	}
	n, err := readComplaintForm(p.Form, channel, s.now())
	if err != nil {
		return s.formError(w, r, c, "complaint_form", p, err)
	}
	atts, closeFiles, err := formAttachments(r, s.cfg.MaxUploadBytes)
	defer closeFiles()
	if err != nil {
		return s.formError(w, r, c, "complaint_form", p, err)
	}
	n.Attachments = atts
	comp, code, _, err := s.complaints.CreateComplaint(r.Context(), n, "")
	if err != nil {
		return s.formError(w, r, c, "complaint_form", p, err)
	}
	done := s.complaintFormPage(c, helpline)
	done.Title, done.Reference, done.TrackingCode = "Complaint received", comp.Reference, code
	s.render(w, r, c, http.StatusCreated, "complaint_form", done)
	return nil
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.submitComplaintForm(w, r, c, false)
}

func (s *Server) helplineSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.submitComplaintForm(w, r, c, true)
}

type trackPage struct {
	Page
	Reference string
	Tracking  *greyline.ComplaintTracking
}

// trackPage lets a complainant follow a complaint with its reference and code.
func (s *Server) trackPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &trackPage{Page: s.page(c, "Track your complaint")}
	q := r.URL.Query()
	p.Reference = strings.TrimSpace(q.Get("reference"))
	if p.Reference != "" || q.Get("code") != "" {
		if !s.limits.allow("track:"+c.ip, s.cfg.LookupRate) {
			return errTooManyAttempts
		}
		tr, err := s.complaints.TrackComplaint(r.Context(), p.Reference, strings.TrimSpace(q.Get("code")))
		if err != nil {
			return s.formError(w, r, c, "track", p, greyline.Invalid("code", "no complaint matches that reference and tracking code"))
		}
		p.Tracking = tr
	}
	s.render(w, r, c, http.StatusOK, "track", p)
	return nil
}
