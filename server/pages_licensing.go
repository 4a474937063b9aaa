package server

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/identifier"
)

type applicationPage struct {
	Page
	App       *applicationView
	Business  *greyline.Business
	DocKinds  []greyline.DocumentKind
	Persons   []*greyline.Person
	CanEdit   bool
	CanDocs   bool
	KindLabel map[greyline.DocumentKind]string
}

func (s *Server) loadApplicationPage(r *http.Request, c *reqCtx) (*applicationPage, error) {
	id, _ := pathID(r, "id")
	v, err := s.applicationView(r, c, id)
	if err != nil {
		return nil, err
	}
	b, err := s.businesses.FindBusinessByID(r.Context(), v.BusinessID)
	if err != nil {
		return nil, err
	}
	rec := &access.Record{OrgID: v.OrgID}
	p := &applicationPage{Page: s.page(c, "Application "+v.Reference), App: v, Business: b,
		CanEdit: c.can(access.ApplicationEdit, rec), CanDocs: c.can(access.DocumentView, rec)}
	for _, d := range greyline.DocumentKinds {
		if d.Kind != greyline.DocInspectionPhoto && d.Kind != greyline.DocEvidence {
			p.DocKinds = append(p.DocKinds, d.Kind)
		}
	}
	if p.CanEdit {
		if p.Persons, err = s.businesses.ListPersons(r.Context(), b.ID); err != nil {
			return nil, err
		}
	}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) applicationPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadApplicationPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "application", p)
	return nil
}

// applicationAction runs fn and returns to the application page, showing
// errors inline.
func (s *Server) applicationAction(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(id int64) error) error {
	id, _ := pathID(r, "id")
	if err := fn(id); err != nil {
		p, perr := s.loadApplicationPage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "application", p, err)
	}
	return redirect(w, r, "/applications/"+strconv.FormatInt(id, 10)+"?done="+done)
}

func (s *Server) documentSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.applicationAction(w, r, c, "document-added", func(id int64) error {
		d := &greyline.Document{ApplicationID: id}
		content, err := s.readUpload(r, d)
		if err != nil {
			return err
		}
		return s.applications.AddDocument(r.Context(), d, content)
	})
}

func (s *Server) paymentSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return s.applicationAction(w, r, c, "payment-saved", func(id int64) error {
		var v greyline.Validation
		ver := formInt(r, "version", 0, &v)
		if err := v.Err(); err != nil {
			return err
		}
		_, err := s.applications.UpdatePayment(r.Context(), id, ver, r.PostFormValue("payment_ref"))
		return err
	})
}

func (s *Server) submitSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return s.applicationAction(w, r, c, "submitted", func(id int64) error {
		var v greyline.Validation
		ver := formInt(r, "version", 0, &v)
		if err := v.Err(); err != nil {
			return err
		}
		_, err := s.applications.Submit(r.Context(), id, ver)
		return err
	})
}

func (s *Server) answerSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	_, appID, err := s.clearance.FindObjection(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.clearance.Answer(r.Context(), id, r.PostFormValue("answer")); err != nil {
		r.SetPathValue("id", strconv.FormatInt(appID, 10))
		p, perr := s.loadApplicationPage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "application", p, err)
	}
	return redirect(w, r, fmt.Sprintf("/applications/%d?done=answered", appID))
}

// documentDownload sends a document to someone allowed to see it; audited.
func (s *Server) documentDownload(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiDocument(w, r, c)
}

type queuePage struct {
	Page
	Tasks []*greyline.TaskView
	Now   time.Time
	All   bool
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	all := r.URL.Query().Get("all") != ""
	tasks, err := s.clearance.ListTasks(r.Context(), greyline.TaskFilter{OrgID: c.user.OrgID, Open: !all})
	if err != nil {
		return err
	}
	p := &queuePage{Page: s.page(c, c.user.OrgCode+" clearance queue"), Tasks: tasks, Now: s.now(), All: all}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "queue", p)
	return nil
}

type taskPage struct {
	Page
	Task     *greyline.TaskView
	Overdue  bool
	Notes    []*greyline.TaskNote
	Own      []*greyline.Objection
	App      *applicationView
	Business *greyline.Business
	Persons  []*greyline.Person
	Sites    []*greyline.Site
}

func (s *Server) loadTaskPage(r *http.Request, c *reqCtx) (*taskPage, error) {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	t, err := s.clearance.FindTask(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &taskPage{Page: s.page(c, "Clearance of "+t.Reference), Task: t, Overdue: t.Overdue(s.now())}
	if p.Notes, err = s.clearance.Notes(ctx, id); err != nil {
		return nil, err
	}
	if p.App, err = s.applicationView(r, c, t.ApplicationID); err != nil {
		return nil, err
	}
	for _, o := range p.App.Objections {
		if o.TaskID == id {
			p.Own = append(p.Own, o)
		}
	}
	if p.Business, err = s.businesses.FindBusinessByID(ctx, p.App.BusinessID); err != nil {
		return nil, err
	}
	if p.Persons, err = s.businesses.ListPersons(ctx, p.Business.ID); err != nil {
		return nil, err
	}
	if p.Sites, err = s.businesses.ListSites(ctx, p.Business.ID); err != nil {
		return nil, err
	}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) taskPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadTaskPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "task", p)
	return nil
}

func (s *Server) taskAction(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(id int64) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	if err := fn(id); err != nil {
		p, perr := s.loadTaskPage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "task", p, err)
	}
	return redirect(w, r, "/tasks/"+strconv.FormatInt(id, 10)+"?done="+done)
}

func (s *Server) decisionSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.taskAction(w, r, c, "decided", func(id int64) error {
		var v greyline.Validation
		ver := formInt(r, "version", 0, &v)
		if err := v.Err(); err != nil {
			return err
		}
		_, err := s.clearance.Decide(r.Context(), id, ver, greyline.Decision(r.PostFormValue("decision")), r.PostFormValue("reason"))
		return err
	})
}

func (s *Server) noteSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.taskAction(w, r, c, "note-added", func(id int64) error {
		return s.clearance.AddNote(r.Context(), id, r.PostFormValue("body"))
	})
}

type licencesPage struct {
	Page
	Licences []*greyline.Licence
	Status   string
}

// inspectionsPage lists provisional licences waiting for a site inspection.
func (s *Server) inspectionsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	lics, err := s.licences.ListLicences(r.Context(), greyline.LicenceFilter{Status: greyline.LicenceProvisional, Limit: 500})
	if err != nil {
		return err
	}
	p := &licencesPage{Page: s.page(c, "Site inspections due"), Licences: lics, Status: string(greyline.LicenceProvisional)}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "inspections", p)
	return nil
}

type licencePage struct {
	Page
	Licence     *greyline.Licence
	History     []*greyline.LicenceEvent
	Inspections []*greyline.InspectionView
	CanDocs     bool
	Business    *greyline.Business
	CanInspect  bool
	CanEnforce  bool
	CanSurrend  bool
	Today       string
	StatusLabel string
	// Flags are the licence's declared numbers, domains and apps that turn
	// up in fraud complaints: for NCCIA's and PTA's attention.
	Flags       []licenceFlag
	CanNetworks bool
	// Suspensions are the decisions raids opened for PTA and NCCIA.
	Suspensions []suspensionView
}

// suspensionView is a review with whether the caller's agency decides it.
type suspensionView struct {
	*greyline.SuspensionReview
	CanDecide bool
}

// licenceFlag is a declared resource reported in fraud complaints.
type licenceFlag struct {
	Value    string
	Tier     string
	Reasons  []string
	Networks []int64
}

func (s *Server) loadLicencePage(r *http.Request, c *reqCtx) (*licencePage, error) {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	l, err := s.licences.FindLicence(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &licencePage{Page: s.page(c, "Licence "+l.Number), Licence: l, Today: s.now().In(greyline.Karachi).Format("2006-01-02")}
	if p.History, err = s.licences.History(ctx, id); err != nil {
		return nil, err
	}
	if p.Business, err = s.businesses.FindBusinessByID(ctx, l.BusinessID); err != nil {
		return nil, err
	}
	if p.Inspections, err = s.licences.Inspections(ctx, id); err != nil {
		return nil, err
	}
	rec := &access.Record{OrgID: l.OrgID}
	p.CanDocs = c.can(access.DocumentView, rec)
	p.CanInspect = l.Status == greyline.LicenceProvisional && c.can(access.InspectionRecord, rec)
	p.CanEnforce = c.can(access.LicenceEnforce, rec)
	p.CanSurrend = l.Status.Holds() && c.can(access.LicenceSurrender, rec)
	p.StatusLabel = statusLabel(l.Status)
	p.CanNetworks = c.can(access.NetworkView, nil)
	revs, err := s.enforcement.SuspensionReviews(ctx, l.ID, 0)
	if err != nil {
		return nil, err
	}
	for _, rv := range revs {
		p.Suspensions = append(p.Suspensions, suspensionView{rv, rv.Status == "open" && c.can(access.SuspensionDecide, &access.Record{OrgID: rv.OrgID})})
	}
	if p.CanEnforce || p.CanNetworks {
		if p.Flags, err = s.licenceFlags(ctx, l); err != nil {
			return nil, err
		}
	}
	p.Flash = flash(r)
	return p, nil
}

// licenceFlags finds the licence's declared resources among the
// identifiers of fraud complaints.
func (s *Server) licenceFlags(ctx context.Context, l *greyline.Licence) ([]licenceFlag, error) {
	sites, err := s.businesses.ListSites(ctx, l.BusinessID)
	if err != nil {
		return nil, err
	}
	var out []licenceFlag
	eng := s.nets.Engine()
	for _, site := range sites {
		if site.ID != l.SiteID {
			continue
		}
		var ids []identifier.ID
		for _, n := range site.Resources.Numbers {
			ids = append(ids, identifier.Parse(identifier.Phone, n))
		}
		for _, d := range site.Resources.Domains {
			ids = append(ids, identifier.Parse(identifier.Domain, d))
		}
		for _, a := range site.Resources.Apps {
			ids = append(ids, identifier.Parse(identifier.App, a))
		}
		for _, id := range ids {
			if !id.Valid {
				continue
			}
			iid, ok := eng.IdentifierByKey(id.Key)
			if !ok {
				continue
			}
			a, _ := eng.Assess(iid)
			out = append(out, licenceFlag{Value: id.Value, Tier: a.Tier.String(), Reasons: a.Reasons, Networks: eng.NetworksOf(iid)})
		}
	}
	return out, nil
}

func statusLabel(s greyline.LicenceStatus) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

func (s *Server) licencePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadLicencePage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "licence", p)
	return nil
}

func (s *Server) licenceAction(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(id int64) error) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	if err := fn(id); err != nil {
		p, perr := s.loadLicencePage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "licence", p, err)
	}
	return redirect(w, r, "/licences/"+strconv.FormatInt(id, 10)+"?done="+done)
}

func (s *Server) inspectionSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.licenceAction(w, r, c, "inspected", func(id int64) error {
		var v greyline.Validation
		date, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(r.PostFormValue("date")), greyline.Karachi)
		if err != nil {
			v.Add("date", "must be a date written YYYY-MM-DD")
		}
		result := r.PostFormValue("result")
		v.Check(result == "pass" || result == "fail", "result", "choose pass or fail")
		// Photos are checked before anything is recorded, so that a bad
		// photo does not leave an inspection half-documented.
		var photos []*multipart.FileHeader
		if r.MultipartForm != nil {
			photos = r.MultipartForm.File["photos"]
		}
		for _, ph := range photos {
			if ph.Size > s.cfg.MaxUploadBytes {
				v.Add("photos", ph.Filename+" is larger than the upload limit")
				continue
			}
			f, err := ph.Open()
			if err != nil {
				v.Add("photos", ph.Filename+" could not be read")
				continue
			}
			head := make([]byte, 512)
			n, _ := io.ReadFull(f, head)
			f.Close()
			if filestore.Sniff(head[:n]) == "" {
				v.Add("photos", ph.Filename+" must be a JPEG, PNG or PDF file")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		var uploads []greyline.Upload
		for _, ph := range photos {
			f, err := ph.Open()
			if err != nil {
				return greyline.Internal(err)
			}
			defer f.Close()
			uploads = append(uploads, greyline.Upload{Filename: ph.Filename, Content: f})
		}
		in := &greyline.Inspection{LicenceID: id, Date: date, Findings: r.PostFormValue("findings"), Passed: result == "pass"}
		_, err = s.licences.RecordInspection(r.Context(), in, uploads...)
		return err
	})
}

func (s *Server) statusSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.licenceAction(w, r, c, "status-changed", func(id int64) error {
		var v greyline.Validation
		ver := formInt(r, "version", 0, &v)
		to := greyline.LicenceStatus(r.PostFormValue("status"))
		if to == greyline.LicenceSurrendered {
			v.Add("status", "must be suspended, revoked or active")
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err := s.licences.ChangeStatus(r.Context(), id, ver, to, r.PostFormValue("reason"), r.PostFormValue("order_no"))
		return err
	})
}

func (s *Server) surrenderSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.licenceAction(w, r, c, "surrendered", func(id int64) error {
		var v greyline.Validation
		ver := formInt(r, "version", 0, &v)
		if err := v.Err(); err != nil {
			return err
		}
		_, err := s.licences.ChangeStatus(r.Context(), id, ver, greyline.LicenceSurrendered, r.PostFormValue("reason"), "")
		return err
	})
}

type registerPage struct {
	Page
	Licences []*greyline.Licence
	Status   string
	Statuses []greyline.LicenceStatus
}

// registerPage lists every licence for agency staff, by status.
func (s *Server) registerPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	st := greyline.LicenceStatus(r.URL.Query().Get("status"))
	statuses := []greyline.LicenceStatus{greyline.LicenceProvisional, greyline.LicenceActive, greyline.LicenceSuspended, greyline.LicenceRevoked, greyline.LicenceExpired, greyline.LicenceSurrendered}
	if st != "" && !slices.Contains(statuses, st) {
		return greyline.Invalid("status", "is not a licence status")
	}
	lics, err := s.licences.ListLicences(r.Context(), greyline.LicenceFilter{Status: st, Limit: 1000})
	if err != nil {
		return err
	}
	p := &registerPage{Page: s.page(c, "Licence register"), Licences: lics, Status: string(st), Statuses: statuses}
	s.render(w, r, c, http.StatusOK, "register", p)
	return nil
}
