package greyline

import (
	"context"
	"io"
	"time"
)

// BusinessService keeps licensees and their people and sites. Persons'
// CNIC and passport numbers are personal data: lists return them masked;
// RevealPerson returns them in full and audits the read.
type BusinessService interface {
	CreateBusiness(ctx context.Context, b *Business) error
	// UpdateBusiness saves b if b.Version is still current (else ECONFLICT).
	UpdateBusiness(ctx context.Context, b *Business) error
	FindBusinessByID(ctx context.Context, id int64) (*Business, error)
	FindBusinessByOrg(ctx context.Context, orgID int64) (*Business, error)
	ListBusinesses(ctx context.Context, f BusinessFilter) ([]*Business, int, error)

	SavePerson(ctx context.Context, p *Person) error
	DeletePerson(ctx context.Context, businessID, personID int64) error
	ListPersons(ctx context.Context, businessID int64) ([]*Person, error) // masked
	RevealPerson(ctx context.Context, businessID, personID int64) (*Person, error)

	// SaveSite validates the declared resources and refuses numbers held by
	// another licensee.
	SaveSite(ctx context.Context, s *Site) error
	DeleteSite(ctx context.Context, businessID, siteID int64) error
	ListSites(ctx context.Context, businessID int64) ([]*Site, error)
}

// BusinessFilter selects businesses.
type BusinessFilter struct {
	Query  string
	Limit  int
	Offset int
}

// ApplicationService builds and submits applications.
type ApplicationService interface {
	CreateApplication(ctx context.Context, businessID int64, kind ApplicationKind, licenceIDs []int64) (*Application, error)
	FindApplication(ctx context.Context, id int64) (*Application, error)
	ListApplications(ctx context.Context, f ApplicationFilter) ([]*Application, error)
	// UpdatePayment records the fee payment reference on a draft.
	UpdatePayment(ctx context.Context, id int64, version int, paymentRef string) (*Application, error)
	// Missing lists what a draft still needs before it can be submitted.
	Missing(ctx context.Context, id int64) ([]FieldError, error)
	// Submit checks completeness, fixes the fee, snapshots the dossier and
	// opens one clearance task per required agency. A second submission is refused.
	Submit(ctx context.Context, id int64, version int) (*Application, error)
	// DatePaperSubmission gives an application just submitted in greyline
	// the date it was first handed in on paper, before greyline: the
	// agencies' deadlines count from that day, so they may already be
	// overdue. Only while no agency has acted on it.
	DatePaperSubmission(ctx context.Context, id int64, on time.Time) (*Application, error)

	AddDocument(ctx context.Context, d *Document, content io.Reader) error
	ListDocuments(ctx context.Context, applicationID int64) ([]*Document, error)
	FindDocument(ctx context.Context, id int64) (*Document, error)
	// OpenDocument returns a document's bytes and audits the download.
	OpenDocument(ctx context.Context, id int64) (*Document, io.ReadCloser, error)
}

// ApplicationFilter selects applications.
type ApplicationFilter struct {
	BusinessID int64
	Status     ApplicationStatus
}

// ClearanceService is the agencies' side of an application.
type ClearanceService interface {
	ListTasks(ctx context.Context, f TaskFilter) ([]*TaskView, error)
	FindTask(ctx context.Context, id int64) (*TaskView, error)
	TasksOf(ctx context.Context, applicationID int64) ([]*ClearanceTask, error)
	// Decide records a reviewer's decision if version is current (else
	// ECONFLICT, so that two reviewers never overwrite each other).
	Decide(ctx context.Context, taskID int64, version int, d Decision, reason string) (*ClearanceTask, error)
	AddNote(ctx context.Context, taskID int64, body string) error
	Notes(ctx context.Context, taskID int64) ([]*TaskNote, error)
	Objections(ctx context.Context, applicationID int64) ([]*Objection, error)
	// FindObjection returns an objection and the id of its application.
	FindObjection(ctx context.Context, id int64) (*Objection, int64, error)
	// Answer records the applicant's answer; the task returns to the objecting agency only.
	Answer(ctx context.Context, objectionID int64, answer string) error
}

// TaskFilter selects tasks for a queue.
type TaskFilter struct {
	OrgID  int64
	Open   bool // pending, answered or waiting on an objection
	Status TaskStatus
}

// TaskView is a task with what a queue shows beside it.
type TaskView struct {
	ClearanceTask
	Reference string          `json:"reference"`
	TradeName string          `json:"trade_name"`
	Kind      BusinessKind    `json:"kind"`
	AppKind   ApplicationKind `json:"app_kind"`
	Submitted time.Time       `json:"submitted_at"`
	// Overdue is set by whoever shows the queue, at their clock.
	OverdueNow bool `json:"overdue"`
}

// TaskNote is an agency's internal note on its task.
type TaskNote struct {
	ID        int64     `json:"id"`
	TaskID    int64     `json:"task_id"`
	AuthorID  int64     `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Objection is an agency's question to the applicant and its answer.
type Objection struct {
	ID         int64      `json:"id"`
	TaskID     int64      `json:"task_id"`
	OrgCode    string     `json:"org_code"`
	Reason     string     `json:"reason"`
	RaisedAt   time.Time  `json:"raised_at"`
	Answer     string     `json:"answer,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// LicenceService runs the licence lifecycle.
type LicenceService interface {
	// DatePaperLicence gives a licence just granted in greyline for one
	// issued on paper before greyline its original issue date; its validity
	// counts from that day (and may have ended: ExpireDue then expires it).
	DatePaperLicence(ctx context.Context, id int64, issuedOn time.Time) (*Licence, error)
	FindLicence(ctx context.Context, id int64) (*Licence, error)
	FindLicenceByNumber(ctx context.Context, number string) (*Licence, error)
	ListLicences(ctx context.Context, f LicenceFilter) ([]*Licence, error)
	History(ctx context.Context, licenceID int64) ([]*LicenceEvent, error)
	// RecordInspection stores an inspection; a pass activates the licence
	// for a year, a fail ends the provisional licence.
	// Photos are stored with the inspection, in the same transaction.
	RecordInspection(ctx context.Context, in *Inspection, photos ...Upload) (*Licence, error)
	FindInspection(ctx context.Context, id int64) (*Inspection, error)
	Inspections(ctx context.Context, licenceID int64) ([]*InspectionView, error)
	// ChangeStatus suspends, revokes, reinstates or surrenders a licence.
	ChangeStatus(ctx context.Context, id int64, version int, to LicenceStatus, reason, orderNo string) (*Licence, error)
	// ExpireDue expires every licence past its end date and returns how many.
	ExpireDue(ctx context.Context) (int, error)
}

// LicenceFilter selects licences.
type LicenceFilter struct {
	BusinessID int64
	Status     LicenceStatus
	Limit      int
}

// RegistryEntry is one licence with what the public registry publishes
// about its site and business; it carries no personal data.
type RegistryEntry struct {
	Licence   *Licence
	Site      *Site
	LegalName string
	LegalForm LegalForm
}

// RegistrySource feeds the in-memory registry index.
type RegistrySource interface {
	// RegistryEntries returns every licence, or one business's when businessID is not 0.
	RegistryEntries(ctx context.Context, businessID int64) ([]RegistryEntry, error)
}

// InspectionView is an inspection with its photos.
type InspectionView struct {
	Inspection
	Photos []*Document `json:"photos"`
}

// ComplaintService takes complaints from every channel and runs their workflow.
type ComplaintService interface {
	// CreateComplaint records a complaint and returns its tracking code
	// (once). A retry with the same idempotency key or external reference
	// from the same organisation returns the first complaint, existing=true.
	CreateComplaint(ctx context.Context, n NewComplaint, idempotencyKey string) (c *Complaint, trackingCode string, existing bool, err error)
	FindComplaint(ctx context.Context, id int64) (*Complaint, error)
	// RevealComplaint returns the complainant in full and audits the read.
	RevealComplaint(ctx context.Context, id int64) (*Complaint, error)
	ChangeComplaint(ctx context.Context, id int64, ch ComplaintChange) (*Complaint, error)
	ListComplaints(ctx context.Context, f ComplaintFilter) ([]*Complaint, error)
	TrackComplaint(ctx context.Context, reference, code string) (*ComplaintTracking, error)
	// ReissueTrackingCode gives the complainant a new tracking code (shown
	// once) in place of the old one: for a complainant who lost it, or whose
	// complaint came in bulk and never had one shown.
	ReissueTrackingCode(ctx context.Context, id int64) (string, error)
	// ComplaintHistory is every step of the workflow, notes included.
	ComplaintHistory(ctx context.Context, id int64) ([]*ComplaintEvent, error)
	// ReviewIdentifier records an analyst's decision on one of a
	// complaint's identifiers: confirmed links it, removed unlinks it. It
	// can be reversed by another review.
	ReviewIdentifier(ctx context.Context, complaintID, identifierID int64, to IdentifierStatus) (*Complaint, error)
	// AddComplaintDocument stores evidence for a complaint.
	AddComplaintDocument(ctx context.Context, complaintID int64, a Attachment) (*Document, error)
	// OpenComplaintDocument returns a complaint's document with its bytes
	// and audits the download.
	OpenComplaintDocument(ctx context.Context, complaintID, documentID int64) (*Document, io.ReadCloser, error)
}
