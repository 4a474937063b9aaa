package server

import (
	"context"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

// Record loaders for licensing routes: each finds who owns the record in the
// path, so that access can answer 404 for records out of scope.

// ownedBy makes a record loader from a finder and the owning organisation
// of what it finds.
func ownedBy[T any](find func(context.Context, int64) (T, error), org func(context.Context, T) (int64, error)) func(*http.Request, *reqCtx) (*access.Record, error) {
	return func(r *http.Request, c *reqCtx) (*access.Record, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		x, err := find(r.Context(), id)
		if err != nil {
			return nil, asMissing(err)
		}
		orgID, err := org(r.Context(), x)
		if err != nil {
			return nil, asMissing(err)
		}
		return &access.Record{OrgID: orgID}, nil
	}
}

func (s *Server) businessRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.businesses.FindBusinessByID, func(_ context.Context, b *greyline.Business) (int64, error) { return b.OrgID, nil })(r, c)
}

func (s *Server) applicationRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.applications.FindApplication, func(_ context.Context, a *greyline.Application) (int64, error) { return a.OrgID, nil })(r, c)
}

func (s *Server) taskRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.clearance.FindTask, func(_ context.Context, t *greyline.TaskView) (int64, error) { return t.OrgID, nil })(r, c)
}

func (s *Server) licenceRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.licences.FindLicence, func(_ context.Context, l *greyline.Licence) (int64, error) { return l.OrgID, nil })(r, c)
}

// licenceOrg is the organisation owning a licence.
func (s *Server) licenceOrg(ctx context.Context, licenceID int64) (int64, error) {
	l, err := s.licences.FindLicence(ctx, licenceID)
	if err != nil {
		return 0, err
	}
	return l.OrgID, nil
}

func (s *Server) inspectionRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.licences.FindInspection, func(ctx context.Context, in *greyline.Inspection) (int64, error) {
		return s.licenceOrg(ctx, in.LicenceID)
	})(r, c)
}

func (s *Server) objectionRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	find := func(ctx context.Context, id int64) (int64, error) {
		_, appID, err := s.clearance.FindObjection(ctx, id)
		return appID, err
	}
	return ownedBy(find, func(ctx context.Context, appID int64) (int64, error) {
		a, err := s.applications.FindApplication(ctx, appID)
		if err != nil {
			return 0, err
		}
		return a.OrgID, nil
	})(r, c)
}

func (s *Server) documentRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.applications.FindDocument(r.Context(), id)
	if err != nil {
		return nil, errNotFound
	}
	if d.InspectionID != 0 {
		in, err := s.licences.FindInspection(r.Context(), d.InspectionID)
		if err != nil {
			return nil, asMissing(err)
		}
		orgID, err := s.licenceOrg(r.Context(), in.LicenceID)
		if err != nil {
			return nil, asMissing(err)
		}
		return &access.Record{OrgID: orgID}, nil
	}
	a, err := s.applications.FindApplication(r.Context(), d.ApplicationID)
	if err != nil {
		return nil, asMissing(err)
	}
	return &access.Record{OrgID: a.OrgID}, nil
}

// apiInspectionPhoto adds a photo to an inspection.
func (s *Server) apiInspectionPhoto(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	d := &greyline.Document{InspectionID: id}
	content, err := s.readUpload(r, d)
	if err != nil {
		return err
	}
	d.Kind = greyline.DocInspectionPhoto
	if err := s.applications.AddDocument(r.Context(), d, content); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

// businessInput is what a client may set on a business.
type businessInput struct {
	OrgID             int64                 `json:"org_id"`
	LegalName         string                `json:"legal_name"`
	TradeName         string                `json:"trade_name"`
	Kind              greyline.BusinessKind `json:"kind"`
	LegalForm         greyline.LegalForm    `json:"legal_form"`
	SECPNumber        string                `json:"secp_number"`
	NTN               string                `json:"ntn"`
	PSEBNumber        string                `json:"pseb_number"`
	RegisteredAddress string                `json:"registered_address"`
	InboundPercent    int                   `json:"inbound_percent"`
	ClientCountries   []string              `json:"client_countries"`
	Version           int                   `json:"version"`
}

func (in businessInput) business() *greyline.Business {
	return &greyline.Business{OrgID: in.OrgID, LegalName: in.LegalName, TradeName: in.TradeName, Kind: in.Kind, LegalForm: in.LegalForm,
		SECPNumber: in.SECPNumber, NTN: in.NTN, PSEBNumber: in.PSEBNumber, RegisteredAddress: in.RegisteredAddress,
		InboundPercent: in.InboundPercent, ClientCountries: in.ClientCountries, Version: in.Version}
}

// apiBusinessCreate makes the business record of the caller's organisation;
// an admin may name another organisation.
func (s *Server) apiBusinessCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in businessInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.OrgID == 0 {
		in.OrgID = c.user.OrgID
	}
	if !c.can(access.BusinessEdit, &access.Record{OrgID: in.OrgID}) {
		return greyline.Invalid("org_id", "must be your own organisation")
	}
	b := in.business()
	if err := s.businesses.CreateBusiness(r.Context(), b); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/businesses/"+strconv.FormatInt(b.ID, 10))
	return writeJSON(w, http.StatusCreated, b)
}

func (s *Server) apiBusiness(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	b, err := s.businesses.FindBusinessByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (s *Server) apiBusinessUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in businessInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	cur, err := s.businesses.FindBusinessByID(r.Context(), id)
	if err != nil {
		return err
	}
	b := in.business()
	b.ID, b.OrgID = id, cur.OrgID
	if err := s.businesses.UpdateBusiness(r.Context(), b); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (s *Server) apiPersons(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	ps, err := s.businesses.ListPersons(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(ps, len(ps)))
}

type personInput struct {
	Name        string              `json:"name"`
	Role        greyline.PersonRole `json:"role"`
	CNIC        string              `json:"cnic"`
	Passport    string              `json:"passport"`
	Nationality string              `json:"nationality"`
}

func (s *Server) apiPersonSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in personInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	bid, _ := pathID(r, "id")
	p := &greyline.Person{BusinessID: bid, Name: in.Name, Role: in.Role, CNIC: in.CNIC, Passport: in.Passport, Nationality: in.Nationality}
	status := http.StatusCreated
	if r.PathValue("pid") != "" {
		pid, err := pathID(r, "pid")
		if err != nil {
			return err
		}
		p.ID, status = pid, http.StatusOK
	}
	if err := s.businesses.SavePerson(r.Context(), p); err != nil {
		return err
	}
	p.CNIC, p.Passport = greyline.MaskCNIC(p.CNIC), greyline.MaskPassport(p.Passport)
	return writeJSON(w, status, p)
}

// apiPersonReveal returns one person in full; the read is audited.
func (s *Server) apiPersonReveal(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	bid, _ := pathID(r, "id")
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	p, err := s.businesses.RevealPerson(r.Context(), bid, pid)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiPersonDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	bid, _ := pathID(r, "id")
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	if err := s.businesses.DeletePerson(r.Context(), bid, pid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiSites(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	sites, err := s.businesses.ListSites(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(sites, len(sites)))
}

type siteInput struct {
	Address      string             `json:"address"`
	City         string             `json:"city"`
	Province     greyline.Province  `json:"province"`
	Seats        int                `json:"seats"`
	Staff        int                `json:"staff"`
	ForeignStaff int                `json:"foreign_staff"`
	MainOffice   bool               `json:"main_office"`
	Resources    greyline.Resources `json:"resources"`
}

func (s *Server) apiSiteSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in siteInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	bid, _ := pathID(r, "id")
	site := &greyline.Site{BusinessID: bid, Address: in.Address, City: in.City, Province: in.Province, Seats: in.Seats, Staff: in.Staff,
		ForeignStaff: in.ForeignStaff, MainOffice: in.MainOffice, Resources: in.Resources}
	status := http.StatusCreated
	if r.PathValue("sid") != "" {
		sid, err := pathID(r, "sid")
		if err != nil {
			return err
		}
		site.ID, status = sid, http.StatusOK
	}
	if err := s.businesses.SaveSite(r.Context(), site); err != nil {
		return err
	}
	return writeJSON(w, status, site)
}

func (s *Server) apiSiteDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	bid, _ := pathID(r, "id")
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	if err := s.businesses.DeleteSite(r.Context(), bid, sid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiApplicationCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Kind       greyline.ApplicationKind `json:"kind"`
		LicenceIDs []int64                  `json:"licence_ids"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	bid, _ := pathID(r, "id")
	a, err := s.applications.CreateApplication(r.Context(), bid, in.Kind, in.LicenceIDs)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/applications/"+strconv.FormatInt(a.ID, 10))
	return writeJSON(w, http.StatusCreated, a)
}

// applicationView is an application with where it stands: each agency's
// task (without internal notes), the objections, documents and what is missing.
type applicationView struct {
	*greyline.Application
	Tasks      []taskStatusView      `json:"tasks"`
	Objections []*greyline.Objection `json:"objections"`
	Documents  []*greyline.Document  `json:"documents"`
	Missing    []greyline.FieldError `json:"missing"`
}

// taskStatusView is what the applicant sees of a task.
type taskStatusView struct {
	Agency      string              `json:"agency"`
	Status      greyline.TaskStatus `json:"status"`
	Deadline    time.Time           `json:"deadline"`
	Overdue     bool                `json:"overdue"`
	WaitingDays int                 `json:"waiting_days"` // working days since submission, while open
	DecidedAt   *time.Time          `json:"decided_at,omitempty"`
	Reason      string              `json:"reason,omitempty"`
}

// applicationView assembles what c may see of an application: agencies see
// only their own task's reasons and objections, the applicant sees all.
func (s *Server) applicationView(r *http.Request, c *reqCtx, id int64) (*applicationView, error) {
	ctx := r.Context()
	a, err := s.applications.FindApplication(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &applicationView{Application: a, Tasks: []taskStatusView{}}
	tasks, err := s.clearance.TasksOf(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	applicant := c.can(access.ApplicationEdit, &access.Record{OrgID: a.OrgID})
	ownTasks := map[int64]bool{}
	for _, t := range tasks {
		tv := taskStatusView{Agency: t.OrgCode, Status: t.Status, Deadline: t.Deadline, Overdue: t.Overdue(now), DecidedAt: t.DecidedAt}
		own := c.user != nil && t.OrgID == c.user.OrgID
		if own {
			ownTasks[t.ID] = true
		}
		if (t.Status == greyline.TaskObjection || t.Status == greyline.TaskRefused) && (applicant || own) {
			tv.Reason = t.Reason
		}
		end := now
		if t.DecidedAt != nil && !t.Status.Open() && t.Status != greyline.TaskObjection {
			end = *t.DecidedAt
		}
		if a.SubmittedAt != nil {
			tv.WaitingDays = s.calendar.WorkingDaysBetween(*a.SubmittedAt, end)
		}
		v.Tasks = append(v.Tasks, tv)
	}
	objs, err := s.clearance.Objections(ctx, id)
	if err != nil {
		return nil, err
	}
	v.Objections = []*greyline.Objection{}
	for _, o := range objs {
		if applicant || ownTasks[o.TaskID] {
			v.Objections = append(v.Objections, o)
		}
	}
	if v.Documents, err = s.applications.ListDocuments(ctx, id); err != nil {
		return nil, err
	}
	if a.Status == greyline.AppDraft {
		if v.Missing, err = s.applications.Missing(ctx, id); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) apiApplication(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	v, err := s.applicationView(r, c, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiApplicationUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		PaymentRef string `json:"payment_ref"`
		Version    int    `json:"version"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	a, err := s.applications.UpdatePayment(r.Context(), id, in.Version, in.PaymentRef)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiApplicationSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Version int `json:"version"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	a, err := s.applications.Submit(r.Context(), id, in.Version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// readUpload reads a multipart upload of one document. The part is
// streamed to the store, which recognises the type by content.
func (s *Server) readUpload(r *http.Request, d *greyline.Document) (io.Reader, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, greyline.Invalid("Content-Type", "must be multipart/form-data")
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if isTooLarge(err) {
			return nil, err
		}
		return nil, greyline.Invalid("file", "the upload could not be read")
	}
	var v greyline.Validation
	d.Kind = greyline.DocumentKind(r.FormValue("kind"))
	if pid := strings.TrimSpace(r.FormValue("person_id")); pid != "" {
		n, err := strconv.ParseInt(pid, 10, 64)
		if err != nil || n <= 0 {
			v.Add("person_id", "must be a person's id")
		}
		d.PersonID = n
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		v.Add("file", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if hdr.Size > s.cfg.MaxUploadBytes {
		return nil, &http.MaxBytesError{Limit: s.cfg.MaxUploadBytes} // 413
	}
	d.Filename = hdr.Filename
	return f, nil
}

func (s *Server) apiDocumentAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	d := &greyline.Document{ApplicationID: id}
	content, err := s.readUpload(r, d)
	if err != nil {
		return err
	}
	if err := s.applications.AddDocument(r.Context(), d, content); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

// apiDocument sends a document to those allowed to see it; the download is audited.
func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	d, rc, err := s.applications.OpenDocument(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	sendFile(w, d, rc)
	return nil
}

// sendFile sends a stored document as a download, never to be rendered
// inline: the file came from outside.
func sendFile(w http.ResponseWriter, d *greyline.Document, rc io.Reader) {
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(d.Filename, d.ContentType)}))
	w.Header().Set("Content-Length", strconv.FormatInt(d.Size, 10))
	w.Header().Set("X-Content-SHA256", d.SHA256)
	w.Header().Set("Cache-Control", "private, no-store")
	io.Copy(w, rc) // a client that goes away is not an error to report
}

// downloadName gives a download the extension of its recognised type, so
// that a file uploaded as "invoice.html" is saved, and opened, as the PDF
// it is.
func downloadName(name, ctype string) string {
	want := map[string][]string{"application/pdf": {".pdf"}, "image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}[ctype]
	if len(want) == 0 || slices.Contains(want, strings.ToLower(path.Ext(name))) {
		return name
	}
	return name + want[0]
}

func (s *Server) apiObjectionAnswer(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Answer string `json:"answer"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	if err := s.clearance.Answer(r.Context(), id, in.Answer); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiTasks is the caller's agency's queue: reviewers see only their own.
func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f := greyline.TaskFilter{OrgID: c.user.OrgID, Open: r.URL.Query().Get("all") == ""}
	tasks, err := s.clearance.ListTasks(r.Context(), f)
	if err != nil {
		return err
	}
	now := s.now()
	for _, t := range tasks {
		t.OverdueNow = t.Overdue(now)
	}
	return writeJSON(w, http.StatusOK, list(tasks, len(tasks)))
}

// taskDetail is a task as its own agency sees it, with internal notes.
type taskDetail struct {
	*greyline.TaskView
	Overdue     bool                  `json:"overdue"`
	Notes       []*greyline.TaskNote  `json:"notes"`
	Objections  []*greyline.Objection `json:"objections"`
	Application *applicationView      `json:"application"`
}

func (s *Server) apiTask(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	t, err := s.clearance.FindTask(ctx, id)
	if err != nil {
		return err
	}
	d := &taskDetail{TaskView: t, Overdue: t.Overdue(s.now())}
	if d.Notes, err = s.clearance.Notes(ctx, id); err != nil {
		return err
	}
	if d.Application, err = s.applicationView(r, c, t.ApplicationID); err != nil {
		return err
	}
	// Each agency sees its own objections only.
	for _, o := range d.Application.Objections {
		if o.TaskID == id {
			d.Objections = append(d.Objections, o)
		}
	}
	d.Application.Objections = nil
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiTaskDecide(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Decision greyline.Decision `json:"decision"`
		Reason   string            `json:"reason"`
		Version  int               `json:"version"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	t, err := s.clearance.Decide(r.Context(), id, in.Version, in.Decision, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiTaskNote(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	if err := s.clearance.AddNote(r.Context(), id, in.Body); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type licenceDetail struct {
	*greyline.Licence
	History     []*greyline.LicenceEvent   `json:"history"`
	Inspections []*greyline.InspectionView `json:"inspections"`
}

func (s *Server) apiLicence(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	l, err := s.licences.FindLicence(r.Context(), id)
	if err != nil {
		return err
	}
	h, err := s.licences.History(r.Context(), id)
	if err != nil {
		return err
	}
	ins, err := s.licences.Inspections(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, licenceDetail{l, h, ins})
}

func (s *Server) apiInspection(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Date     string `json:"date"` // YYYY-MM-DD, Pakistan time
		Findings string `json:"findings"`
		Passed   *bool  `json:"passed"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var v greyline.Validation
	date, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Date), greyline.Karachi)
	if err != nil {
		v.Add("date", "must be a date written YYYY-MM-DD")
	}
	v.Check(in.Passed != nil, "passed", "is required: true or false")
	if err := v.Err(); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	l, err := s.licences.RecordInspection(r.Context(), &greyline.Inspection{LicenceID: id, Date: date, Findings: in.Findings, Passed: *in.Passed})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

type statusInput struct {
	Status  greyline.LicenceStatus `json:"status"`
	Reason  string                 `json:"reason"`
	OrderNo string                 `json:"order_no"`
	Version int                    `json:"version"`
}

func (s *Server) changeStatus(w http.ResponseWriter, r *http.Request, in statusInput) error {
	id, _ := pathID(r, "id")
	l, err := s.licences.ChangeStatus(r.Context(), id, in.Version, in.Status, in.Reason, in.OrderNo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// apiLicenceStatus suspends, revokes or reinstates (status "active").
func (s *Server) apiLicenceStatus(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in statusInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Status == greyline.LicenceSurrendered {
		return greyline.Invalid("status", "must be suspended, revoked or active; the licensee surrenders a licence")
	}
	return s.changeStatus(w, r, in)
}

func (s *Server) apiLicenceSurrender(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in statusInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Status = greyline.LicenceSurrendered
	return s.changeStatus(w, r, in)
}
