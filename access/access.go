// Package access is the single place that decides who may do what. It is
// pure: the server asks it once per request, with the subject, the route's
// action and, for record routes, the record's ownership.
package access

import (
	"slices"

	"github.com/greyline/greyline"
)

// Action is something a route does. Every route names exactly one.
type Action string

const (
	// Public pages and sign-in.
	Public Action = "public"
	// SignIn covers the steps of signing in (password, second factor, enrolment).
	SignIn Action = "sign_in"
	// SignOut ends the caller's own session.
	SignOut Action = "sign_out"

	AccountView  Action = "account.view"
	AccountEdit  Action = "account.edit"
	TokensManage Action = "tokens.manage"

	UserList   Action = "user.list"
	UserView   Action = "user.view"
	UserCreate Action = "user.create"
	UserEdit   Action = "user.edit"

	OrgList   Action = "org.list"
	OrgView   Action = "org.view"
	OrgCreate Action = "org.create"
	OrgEdit   Action = "org.edit"

	AuditRead Action = "audit.read"

	// Licensing.
	BusinessView     Action = "business.view"
	BusinessEdit     Action = "business.edit"
	PersonReveal     Action = "person.reveal" // full CNIC or passport, audited
	ApplicationView  Action = "application.view"
	ApplicationEdit  Action = "application.edit"
	DocumentView     Action = "document.view"
	TaskQueue        Action = "task.queue"
	TaskView         Action = "task.view"
	TaskDecide       Action = "task.decide"
	InspectionRecord Action = "inspection.record"
	LicenceView      Action = "licence.view"
	LicenceList      Action = "licence.list"    // the whole register, for agency staff
	LicenceEnforce   Action = "licence.enforce" // suspend, revoke, reinstate
	LicenceSurrender Action = "licence.surrender"
	VerifyBatch      Action = "verify.batch"

	// Complaints.
	ComplaintCreate Action = "complaint.create" // helpline, partners (banks, telcos) and admin; the public form is Public
	ComplaintView   Action = "complaint.view"   // the complaint with its complainant masked
	ComplaintReveal Action = "complaint.reveal" // the complainant in full, audited
	ComplaintTriage Action = "complaint.triage" // confirm category, priority, circle; assign
	ComplaintWork   Action = "complaint.work"   // enquiry, case registered, closed
	// ComplaintReview confirms or removes the identifiers extracted from a
	// narrative, deciding what links complaints together.
	ComplaintReview Action = "complaint.review"
	// ComplaintAttach adds evidence files to a complaint.
	ComplaintAttach Action = "complaint.attach"
	// ComplaintHistory is the workflow's history with staff's internal notes.
	ComplaintHistory Action = "complaint.history"
	// ComplaintTakeCall records complaints phoned in to the 1799 helpline or
	// made in person (the helpline and walk-in channels).
	ComplaintTakeCall Action = "complaint.take_call"

	// Fraud networks.
	NetworkView   Action = "network.view"   // networks, their pictures, the review queue
	NetworkDecide Action = "network.decide" // confirm or reject identifiers and links, merge and split networks
	// SuspectLookup is the suspect registry: tiers of identifiers, without
	// personal data, for banks, telcos and exchanges.
	SuspectLookup Action = "suspect.lookup"

	// Operation Grey.
	EnforcementView   Action = "enforcement.view"   // operations, raids, FIRs, court stages; persons masked
	EnforcementRecord Action = "enforcement.record" // record raids, persons, arrests, FIRs, seizures, court stages
	EnforcementReveal Action = "enforcement.reveal" // a raided person's CNIC or passport in full, audited
	// SuspensionDecide is an agency's decision, after a raid on a licensed
	// business, whether to suspend the licence: its own agency's only.
	SuspensionDecide Action = "suspension.decide"
	// ReportView is the committee report: figures only, no personal data.
	ReportView Action = "report.view"

	// Takedowns and sharing.
	TakedownView    Action = "takedown.view"    // the agencies' takedown queues
	TakedownRequest Action = "takedown.request" // ask a platform to remove a target
	TakedownUpdate  Action = "takedown.update"  // record the platform's answer, add evidence: the asking agency's own
	LendingAppEdit  Action = "lending_app.edit" // SECP's approved and illegal lending-app lists
	WatchlistView   Action = "watchlist.view"
	WatchlistEdit   Action = "watchlist.edit"
	AlertView       Action = "alert.view"
	AlertResolve    Action = "alert.resolve"
	// ShareFeed is the partner feeds and the STIX export; each record's
	// TLP marking then decides who receives it (MayReceive).
	ShareFeed Action = "share.feed"
	// ShareImport takes partners' STIX bundles.
	ShareImport Action = "share.import"
)

// Scope narrows a grant to some records.
type Scope int

const (
	// AllRecords: any record.
	AllRecords Scope = iota
	// OwnOrg: records of the subject's organisation.
	OwnOrg
	// OwnUser: records owned by the subject (their account, their application).
	OwnUser
)

// Grant gives a role an action over a scope of records, optionally only to
// members of the named organisations (by code).
type Grant struct {
	Role  greyline.Role
	Scope Scope
	Orgs  []string
}

// Rule says who may perform an action.
type Rule struct {
	// Anyone, signed in or not.
	Anonymous bool
	// AnyUser: every signed-in user, with AnyUserScope.
	AnyUser      bool
	AnyUserScope Scope
	Grants       []Grant
	// Write actions need the write scope when the caller uses an API token.
	Write bool
	// NoToken refuses API tokens altogether: a leaked token must not be
	// able to mint more.
	NoToken bool
}

// Rules is the whole policy. Later features add their actions here.
var Rules = map[Action]Rule{
	Public: {Anonymous: true},
	SignIn: {Anonymous: true, Write: true},
	// Any stage of sign-in may be abandoned; the route itself needs a session or token.
	SignOut: {Anonymous: true, Write: true},

	AccountView:  {AnyUser: true, AnyUserScope: OwnUser},
	AccountEdit:  {AnyUser: true, AnyUserScope: OwnUser, Write: true},
	TokensManage: {AnyUser: true, AnyUserScope: OwnUser, Write: true, NoToken: true},

	UserList:   {Grants: all(greyline.RoleAdmin)},
	UserView:   {AnyUser: true, AnyUserScope: OwnUser, Grants: all(greyline.RoleAdmin)},
	UserCreate: {Grants: all(greyline.RoleAdmin), Write: true},
	UserEdit:   {Grants: all(greyline.RoleAdmin), Write: true},

	OrgList:   {Grants: all(greyline.RoleAdmin)},
	OrgView:   {AnyUser: true, AnyUserScope: OwnOrg, Grants: all(greyline.RoleAdmin)},
	OrgCreate: {Grants: all(greyline.RoleAdmin), Write: true},
	OrgEdit:   {Grants: all(greyline.RoleAdmin), Write: true},

	AuditRead: {Grants: []Grant{{greyline.RoleAdmin, AllRecords, nil}, {greyline.RoleAnalyst, AllRecords, nil}}},

	BusinessView:     {Grants: append(own(greyline.RoleApplicant), all(greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)...)},
	BusinessEdit:     {Grants: append(own(greyline.RoleApplicant), all(greyline.RoleAdmin)...), Write: true},
	PersonReveal:     {Grants: append(own(greyline.RoleApplicant), all(greyline.RoleReviewer, greyline.RoleInvestigator)...)},
	ApplicationView:  {Grants: append(own(greyline.RoleApplicant), all(greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleAdmin)...)},
	ApplicationEdit:  {Grants: own(greyline.RoleApplicant), Write: true},
	DocumentView:     {Grants: append(own(greyline.RoleApplicant), all(greyline.RoleReviewer, greyline.RoleInspector)...)},
	TaskQueue:        {Grants: all(greyline.RoleReviewer)},
	TaskView:         {Grants: own(greyline.RoleReviewer)},
	TaskDecide:       {Grants: own(greyline.RoleReviewer), Write: true},
	InspectionRecord: {Grants: all(greyline.RoleInspector), Write: true},
	LicenceView:      {Grants: append(own(greyline.RoleApplicant), all(greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)...)},
	LicenceList:      {Grants: all(greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	LicenceEnforce: {Grants: []Grant{
		{greyline.RoleReviewer, AllRecords, []string{"PTA", "NCCIA"}},
		{greyline.RoleInvestigator, AllRecords, []string{"PTA", "NCCIA"}},
	}, Write: true},
	LicenceSurrender: {Grants: own(greyline.RoleApplicant), Write: true},
	VerifyBatch:      {Grants: all(greyline.RolePartner, greyline.RoleAdmin)},

	ComplaintCreate: {Grants: all(greyline.RoleHelpline, greyline.RolePartner, greyline.RoleAdmin), Write: true},
	// Partners see the complaints they sent; agency staff see all.
	ComplaintView: {Grants: append(own(greyline.RolePartner),
		all(greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)...)},
	ComplaintReveal: {Grants: all(greyline.RoleHelpline, greyline.RoleInvestigator)},
	ComplaintTriage: {Grants: all(greyline.RoleAnalyst, greyline.RoleInvestigator), Write: true},
	ComplaintWork:   {Grants: all(greyline.RoleInvestigator), Write: true},
	ComplaintReview: {Grants: all(greyline.RoleAnalyst, greyline.RoleInvestigator), Write: true},
	ComplaintAttach: {Grants: append(own(greyline.RolePartner),
		all(greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst)...), Write: true},
	ComplaintHistory: {Grants: all(greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},

	ComplaintTakeCall: {Grants: all(greyline.RoleHelpline), Write: true},

	NetworkView:   {Grants: all(greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleAdmin)},
	NetworkDecide: {Grants: all(greyline.RoleAnalyst, greyline.RoleInvestigator), Write: true},
	SuspectLookup: {Grants: all(greyline.RolePartner, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleAdmin)},

	EnforcementView:   {Grants: all(greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	EnforcementRecord: {Grants: all(greyline.RoleInvestigator), Write: true},
	EnforcementReveal: {Grants: all(greyline.RoleInvestigator)},
	SuspensionDecide:  {Grants: own(greyline.RoleReviewer, greyline.RoleInvestigator), Write: true},
	ReportView:        {Grants: all(greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleReviewer, greyline.RoleAdmin)},

	TakedownView:    {Grants: append(takedownStaff(AllRecords), Grant{greyline.RoleAdmin, AllRecords, nil})},
	TakedownRequest: {Grants: takedownStaff(AllRecords), Write: true},
	TakedownUpdate:  {Grants: takedownStaff(OwnOrg), Write: true},
	LendingAppEdit: {Grants: []Grant{{greyline.RoleReviewer, AllRecords, []string{"SECP"}}, {greyline.RoleAnalyst, AllRecords, []string{"SECP"}},
		{greyline.RoleAdmin, AllRecords, nil}}, Write: true},
	WatchlistView: {Grants: all(greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	WatchlistEdit: {Grants: all(greyline.RoleInvestigator, greyline.RoleAnalyst), Write: true},
	AlertView:     {Grants: all(greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	AlertResolve:  {Grants: all(greyline.RoleInvestigator, greyline.RoleAnalyst), Write: true},
	ShareFeed:     {Grants: all(greyline.RolePartner, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleAdmin)},
	ShareImport:   {Grants: all(greyline.RolePartner, greyline.RoleAnalyst, greyline.RoleAdmin), Write: true},
}

// takedownStaff are the staff of the agencies that ask for takedowns.
func takedownStaff(sc Scope) []Grant {
	var out []Grant
	for _, r := range []greyline.Role{greyline.RoleReviewer, greyline.RoleInvestigator, greyline.RoleAnalyst} {
		out = append(out, Grant{r, sc, greyline.TakedownAgencies})
	}
	return out
}

// feedPartners says which kind of partner each feed is for.
var feedPartners = map[greyline.Feed]greyline.OrgKind{
	greyline.FeedTelco: greyline.OrgTelco, greyline.FeedBank: greyline.OrgBank, greyline.FeedExchange: greyline.OrgExchange,
}

// MayReceive applies TLP 2.0 to a shared record: CLEAR and GREEN go to any
// signed-in organisation; AMBER to the agencies and to the partners the
// record's feed is for; AMBER+STRICT to the agencies only; RED only back
// to the organisation that shared it.
func MayReceive(s Subject, t greyline.TLP, feed greyline.Feed, sourceOrg int64) bool {
	if s.Anonymous() {
		return false
	}
	if sourceOrg != 0 && s.OrgID == sourceOrg {
		return true
	}
	agency := s.OrgKind == greyline.OrgAgency
	switch t {
	case greyline.TLPClear, greyline.TLPGreen:
		return true
	case greyline.TLPAmber:
		return agency || (feed != "" && feedPartners[feed] == s.OrgKind)
	case greyline.TLPAmberStrict:
		return agency
	}
	return false
}

func own(roles ...greyline.Role) []Grant {
	out := make([]Grant, len(roles))
	for i, r := range roles {
		out[i] = Grant{Role: r, Scope: OwnOrg}
	}
	return out
}

func all(roles ...greyline.Role) []Grant {
	out := make([]Grant, len(roles))
	for i, r := range roles {
		out[i] = Grant{Role: r, Scope: AllRecords}
	}
	return out
}

// Subject is who is asking.
type Subject struct {
	UserID  int64
	OrgID   int64
	OrgCode string
	OrgKind greyline.OrgKind
	Roles   []greyline.Role
	// Token is true when the caller authenticated with an API token, whose
	// Scopes then also limit what it may do.
	Token  bool
	Scopes []string
}

// Anonymous reports whether nobody is signed in.
func (s Subject) Anonymous() bool { return s.UserID == 0 }

// Record identifies who owns a record. Zero fields mean "not owned by any".
type Record struct {
	OrgID  int64
	UserID int64
}

// Decision is the outcome of a check.
type Decision int

const (
	Allow Decision = iota
	// Unauthenticated: sign in first (401).
	Unauthenticated
	// Deny: signed in but not allowed (403).
	Deny
	// Hide: the record exists but is out of the subject's scope; answer as
	// if it did not exist (404), so that no one can probe for it.
	Hide
)

func (d Decision) String() string {
	return [...]string{"allow", "unauthenticated", "deny", "hide"}[d]
}

// Decide answers whether s may perform a on rec. With rec nil it checks the
// action alone (may this subject use the route at all).
func Decide(s Subject, a Action, rec *Record) Decision {
	rule, ok := Rules[a]
	if !ok {
		return Deny // an action without a rule is a bug; fail closed
	}
	if rule.Anonymous {
		return tokenCheck(s, rule)
	}
	if s.Anonymous() {
		return Unauthenticated
	}
	var scopes []Scope
	if rule.AnyUser {
		scopes = append(scopes, rule.AnyUserScope)
	}
	for _, g := range rule.Grants {
		if slices.Contains(s.Roles, g.Role) && (g.Orgs == nil || slices.Contains(g.Orgs, s.OrgCode)) {
			scopes = append(scopes, g.Scope)
		}
	}
	if len(scopes) == 0 {
		return Deny
	}
	if d := tokenCheck(s, rule); d != Allow {
		return d
	}
	if rec == nil {
		return Allow
	}
	for _, sc := range scopes {
		if inScope(s, sc, rec) {
			return Allow
		}
	}
	return Hide
}

func tokenCheck(s Subject, rule Rule) Decision {
	if !s.Token {
		return Allow
	}
	if rule.NoToken {
		return Deny
	}
	need := greyline.ScopeRead
	if rule.Write {
		need = greyline.ScopeWrite
	}
	if slices.Contains(s.Scopes, need) {
		return Allow
	}
	return Deny
}

func inScope(s Subject, sc Scope, rec *Record) bool {
	switch sc {
	case AllRecords:
		return true
	case OwnOrg:
		return rec.OrgID != 0 && rec.OrgID == s.OrgID
	case OwnUser:
		return rec.UserID != 0 && rec.UserID == s.UserID
	}
	return false
}
