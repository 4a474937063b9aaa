package server

import (
	"io/fs"
	"net/http"
	"unicode/utf8"

	"github.com/greyline/greyline/access"
)

// stage is the sign-in stage a route serves. Most routes need a complete
// sign-in; the second-factor pages serve sessions part-way through.
type stage int

const (
	stageFull       stage = iota // fully signed in, or anonymous where the action allows it
	stageAny                     // any session stage (signing out)
	stageNeeds2FA                // password accepted, TOTP code due
	stageNeedsEnrol              // organisation requires 2FA, none set up yet
)

// surface says how a route authenticates and how its errors are shown.
type surface int

const (
	surfacePage surface = iota // HTML; session cookie; CSRF on writes
	surfaceAPI                 // JSON; bearer token or session; problem+json errors
	surfaceSys                 // health, metrics, static: no session lookup
)

// handlerFunc returns an error instead of writing one; errors are rendered
// once, by the surface's error renderer.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c *reqCtx) error

// route is one row of a routes table.
type route struct {
	Method  string
	Path    string
	Action  access.Action
	Stage   stage
	Surface surface
	// Record loads the ownership of the record a route addresses, so that
	// the access check can answer 404 for records out of the caller's scope.
	Record func(r *http.Request, c *reqCtx) (*access.Record, error)
	// Upload routes accept bodies up to MaxUploadBytes instead of MaxBodyBytes.
	Upload bool
	h      handlerFunc
}

// RouteInfo describes a route, for the authorization test and docs.
type RouteInfo struct {
	Method, Path string
	Action       access.Action
	API          bool
}

// Routes lists every route the server answers.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, rt := range s.routes {
		out[i] = RouteInfo{rt.Method, rt.Path, rt.Action, rt.Surface == surfaceAPI}
	}
	return out
}

func (s *Server) routeTable() []route {
	var rs []route
	rs = append(rs, s.systemRoutes()...)
	rs = append(rs, s.pageRoutes()...)
	rs = append(rs, s.apiRoutes()...)
	return rs
}

func (s *Server) systemRoutes() []route {
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	return []route{
		{Method: "GET", Path: "/healthz", Action: access.Public, Surface: surfaceSys, h: s.healthz},
		{Method: "GET", Path: "/readyz", Action: access.Public, Surface: surfaceSys, h: s.readyz},
		{Method: "GET", Path: "/metrics", Action: access.Public, Surface: surfaceSys, h: s.metricsHandler},
		{Method: "GET", Path: "/static/", Action: access.Public, Surface: surfaceSys, h: func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
			// The file server answers 500 to a name that is not UTF-8
			// (/static/%c0); no such name is one of ours.
			if !utf8.ValidString(r.URL.Path) {
				return errNotFound
			}
			w.Header().Set("Cache-Control", "public, max-age=3600")
			http.StripPrefix("/static/", files).ServeHTTP(w, r)
			return nil
		}},
		// Fallbacks, so that unknown paths get a proper page or problem document.
		{Method: "", Path: "/api/", Action: access.Public, Surface: surfaceAPI, h: s.notFound},
		{Method: "", Path: "/", Action: access.Public, Surface: surfacePage, h: s.notFound},
	}
}

func (s *Server) pageRoutes() []route {
	p := func(method, path string, a access.Action, st stage, h handlerFunc) route {
		return route{Method: method, Path: path, Action: a, Stage: st, Surface: surfacePage, h: h}
	}
	user := func(rt route) route { rt.Record = s.userRecord; return rt }
	org := func(rt route) route { rt.Record = s.orgRecord; return rt }
	return []route{
		p("GET", "/{$}", access.Public, stageFull, s.homePage),
		p("GET", "/login", access.SignIn, stageFull, s.loginPage),
		p("POST", "/login", access.SignIn, stageFull, s.loginSubmit),
		p("GET", "/login/2fa", access.SignIn, stageNeeds2FA, s.secondFactorPage),
		p("POST", "/login/2fa", access.SignIn, stageNeeds2FA, s.secondFactorSubmit),
		p("GET", "/login/enrol", access.SignIn, stageNeedsEnrol, s.enrolPage),
		p("POST", "/login/enrol", access.SignIn, stageNeedsEnrol, s.enrolSubmit),
		p("POST", "/logout", access.SignOut, stageAny, s.logoutSubmit),
		p("GET", "/setup/{token}", access.SignIn, stageFull, s.setupPage),
		p("POST", "/setup/{token}", access.SignIn, stageFull, s.setupSubmit),

		p("GET", "/account", access.AccountView, stageFull, s.accountPage),
		p("POST", "/account/password", access.AccountEdit, stageFull, s.passwordSubmit),
		p("GET", "/account/2fa", access.AccountEdit, stageFull, s.account2FAPage),
		p("POST", "/account/2fa", access.AccountEdit, stageFull, s.account2FASubmit),
		p("POST", "/account/tokens", access.TokensManage, stageFull, s.tokenCreateSubmit),
		p("POST", "/account/tokens/{id}/revoke", access.TokensManage, stageFull, s.tokenRevokeSubmit),

		p("GET", "/admin/users", access.UserList, stageFull, s.usersPage),
		p("GET", "/admin/users/new", access.UserCreate, stageFull, s.userNewPage),
		p("POST", "/admin/users", access.UserCreate, stageFull, s.userCreateSubmit),
		user(p("GET", "/admin/users/{id}", access.UserView, stageFull, s.userPage)),
		user(p("POST", "/admin/users/{id}/disable", access.UserEdit, stageFull, s.userDisableSubmit)),
		user(p("POST", "/admin/users/{id}/enable", access.UserEdit, stageFull, s.userEnableSubmit)),
		user(p("POST", "/admin/users/{id}/roles", access.UserEdit, stageFull, s.userRolesSubmit)),
		user(p("POST", "/admin/users/{id}/reset-password", access.UserEdit, stageFull, s.userResetPasswordSubmit)),
		user(p("POST", "/admin/users/{id}/reset-2fa", access.UserEdit, stageFull, s.userReset2FASubmit)),
		p("GET", "/admin/orgs", access.OrgList, stageFull, s.orgsPage),
		p("POST", "/admin/orgs", access.OrgCreate, stageFull, s.orgCreateSubmit),
		org(p("GET", "/admin/orgs/{id}", access.OrgView, stageFull, s.orgPage)),
		org(p("POST", "/admin/orgs/{id}", access.OrgEdit, stageFull, s.orgUpdateSubmit)),
		p("GET", "/audit", access.AuditRead, stageFull, s.auditPage),

		// Licensing: the applicant's own business, under /business.
		s.ownRecord(p("GET", "/business", access.BusinessView, stageFull, s.businessHome)),
		s.ownRecord(p("POST", "/business", access.BusinessEdit, stageFull, s.businessSubmit)),
		s.ownRecord(p("POST", "/business/persons", access.BusinessEdit, stageFull, s.personSubmit)),
		s.ownRecord(p("POST", "/business/persons/{pid}/delete", access.BusinessEdit, stageFull, s.personDeleteSubmit)),
		s.ownRecord(p("POST", "/business/sites", access.BusinessEdit, stageFull, s.siteSubmit)),
		s.ownRecord(p("POST", "/business/sites/{sid}/delete", access.BusinessEdit, stageFull, s.siteDeleteSubmit)),
		s.ownRecord(p("POST", "/business/applications", access.ApplicationEdit, stageFull, s.applicationCreateSubmit)),
		rec(s.businessRecord, p("GET", "/businesses/{id}", access.BusinessView, stageFull, s.businessView)),
		rec(s.applicationRecord, p("GET", "/applications/{id}", access.ApplicationView, stageFull, s.applicationPage)),
		upload(rec(s.applicationRecord, p("POST", "/applications/{id}/documents", access.ApplicationEdit, stageFull, s.documentSubmit))),
		rec(s.applicationRecord, p("POST", "/applications/{id}/payment", access.ApplicationEdit, stageFull, s.paymentSubmit)),
		rec(s.applicationRecord, p("POST", "/applications/{id}/submit", access.ApplicationEdit, stageFull, s.submitSubmit)),
		rec(s.objectionRecord, p("POST", "/objections/{id}/answer", access.ApplicationEdit, stageFull, s.answerSubmit)),
		rec(s.documentRecord, p("GET", "/documents/{id}", access.DocumentView, stageFull, s.documentDownload)),
		p("GET", "/queue", access.TaskQueue, stageFull, s.queuePage),
		rec(s.taskRecord, p("GET", "/tasks/{id}", access.TaskView, stageFull, s.taskPage)),
		rec(s.taskRecord, p("POST", "/tasks/{id}/decision", access.TaskDecide, stageFull, s.decisionSubmit)),
		rec(s.taskRecord, p("POST", "/tasks/{id}/notes", access.TaskDecide, stageFull, s.noteSubmit)),
		p("GET", "/inspections", access.InspectionRecord, stageFull, s.inspectionsPage),
		p("GET", "/licences", access.LicenceList, stageFull, s.registerPage),
		rec(s.licenceRecord, p("GET", "/licences/{id}", access.LicenceView, stageFull, s.licencePage)),
		upload(rec(s.licenceRecord, p("POST", "/licences/{id}/inspection", access.InspectionRecord, stageFull, s.inspectionSubmit))),
		rec(s.licenceRecord, p("POST", "/licences/{id}/status", access.LicenceEnforce, stageFull, s.statusSubmit)),
		rec(s.licenceRecord, p("POST", "/licences/{id}/surrender", access.LicenceSurrender, stageFull, s.surrenderSubmit)),
		rec(s.licenceRecord, p("GET", "/licences/{id}/certificate.pdf", access.LicenceView, stageFull, s.certificatePDF)),
		rec(s.suspensionRecord, p("POST", "/suspension-reviews/{id}", access.SuspensionDecide, stageFull, s.suspensionSubmit)),

		// Complaints: the public form, tracking, the helpline's form, the
		// queues and the complaint view.
		p("GET", "/report", access.Public, stageFull, s.reportPage),
		upload(p("POST", "/report", access.Public, stageFull, s.reportSubmit)),
		p("GET", "/track", access.Public, stageFull, s.trackPage),
		p("GET", "/complaints/new", access.ComplaintTakeCall, stageFull, s.helplinePage),
		upload(p("POST", "/complaints", access.ComplaintTakeCall, stageFull, s.helplineSubmit)),
		p("GET", "/complaints", access.ComplaintView, stageFull, s.complaintsPage),
		rec(s.complaintRecord, p("GET", "/complaints/{id}", access.ComplaintView, stageFull, s.complaintPage)),
		rec(s.complaintRecord, p("GET", "/complaints/{id}/complainant", access.ComplaintReveal, stageFull, s.complainantPage)),
		rec(s.complaintRecord, p("POST", "/complaints/{id}/tracking-code", access.ComplaintReveal, stageFull, s.trackingCodeSubmit)),
		rec(s.complaintRecord, p("POST", "/complaints/{id}/triage", access.ComplaintTriage, stageFull, s.complaintTriageSubmit)),
		rec(s.complaintRecord, p("POST", "/complaints/{id}/progress", access.ComplaintWork, stageFull, s.complaintProgressSubmit)),
		rec(s.complaintRecord, p("POST", "/complaints/{id}/identifiers/{iid}", access.ComplaintReview, stageFull, s.complaintIdentifierSubmit)),
		upload(rec(s.complaintRecord, p("POST", "/complaints/{id}/documents", access.ComplaintAttach, stageFull, s.complaintDocumentSubmit))),
		rec(s.complaintRecord, p("GET", "/complaints/{id}/documents/{did}", access.ComplaintView, stageFull, s.complaintDocument)),

		// Operation Grey.
		p("GET", "/operations", access.EnforcementView, stageFull, s.operationsPage),
		p("POST", "/operations", access.EnforcementRecord, stageFull, s.operationSubmit),
		p("GET", "/operations/{id}", access.EnforcementView, stageFull, s.operationPage),
		p("POST", "/operations/{id}/raids", access.EnforcementRecord, stageFull, s.raidSubmit),
		p("GET", "/raids/{id}", access.EnforcementView, stageFull, s.raidPage),
		p("POST", "/firs/{id}/stage", access.EnforcementRecord, stageFull, s.firStageSubmit),
		p("GET", "/firs", access.EnforcementView, stageFull, s.firsPage),
		p("GET", "/persons/{id}", access.EnforcementReveal, stageFull, s.personPage),

		// The committee report and its downloads.
		p("GET", "/reports/committee", access.ReportView, stageFull, s.committeePage),
		p("GET", "/reports/committee/{format}", access.ReportView, stageFull, s.reportDownload),

		// Fraud networks.
		p("GET", "/networks", access.NetworkView, stageFull, s.networksPage),
		p("GET", "/networks/review", access.NetworkView, stageFull, s.networkReviewPage),
		p("GET", "/networks/{id}", access.NetworkView, stageFull, s.networkPage),
		p("POST", "/networks/decisions", access.NetworkDecide, stageFull, s.networkDecisionSubmit),
		p("POST", "/networks/decisions/{id}/revoke", access.NetworkDecide, stageFull, s.networkRevokeSubmit),

		// Takedowns, lending apps, the watchlist, alerts and sharing.
		p("GET", "/takedowns", access.TakedownView, stageFull, s.takedownsPage),
		p("POST", "/takedowns", access.TakedownRequest, stageFull, s.takedownSubmit),
		p("GET", "/takedowns/{id}", access.TakedownView, stageFull, s.takedownPage),
		rec(s.takedownRecord, p("POST", "/takedowns/{id}/status", access.TakedownUpdate, stageFull, s.takedownStatusSubmit)),
		upload(rec(s.takedownRecord, p("POST", "/takedowns/{id}/documents", access.TakedownUpdate, stageFull, s.takedownDocumentSubmit))),
		p("GET", "/takedowns/{id}/documents/{did}", access.TakedownView, stageFull, s.takedownDocument),
		p("GET", "/loan-apps", access.Public, stageFull, s.loanAppsPage),
		p("POST", "/loan-apps", access.LendingAppEdit, stageFull, s.loanAppSubmit),
		upload(p("POST", "/loan-apps/import", access.LendingAppEdit, stageFull, s.loanAppImportSubmit)),
		p("GET", "/watchlist", access.WatchlistView, stageFull, s.watchlistPage),
		p("POST", "/watchlist", access.WatchlistEdit, stageFull, s.watchSubmit),
		p("POST", "/watchlist/{id}/remove", access.WatchlistEdit, stageFull, s.unwatchSubmit),
		p("GET", "/alerts", access.AlertView, stageFull, s.alertsPage),
		p("POST", "/alerts/{id}/resolve", access.AlertResolve, stageFull, s.alertResolveSubmit),
		p("GET", "/share", access.ShareFeed, stageFull, s.sharePageHandler),
		upload(p("POST", "/share/stix", access.ShareImport, stageFull, s.stixImportSubmit)),

		// Public verification.
		p("GET", "/verify", access.Public, stageFull, s.verifyPage),
		p("GET", "/verify/certificate", access.Public, stageFull, s.certificateVerifyPage),
	}
}

// own makes a /business page address the caller's own organisation's record.
func (s *Server) ownRecord(rt route) route { rt.Record = s.ownBusinessRecord; return rt }

func (s *Server) apiRoutes() []route {
	a := func(method, path string, act access.Action, h handlerFunc) route {
		return route{Method: method, Path: "/api/v1" + path, Action: act, Surface: surfaceAPI, h: h}
	}
	user := func(rt route) route { rt.Record = s.userRecord; return rt }
	org := func(rt route) route { rt.Record = s.orgRecord; return rt }
	return []route{
		a("GET", "/me", access.AccountView, s.apiMe),
		a("GET", "/users", access.UserList, s.apiUsers),
		a("POST", "/users", access.UserCreate, s.apiUserCreate),
		user(a("GET", "/users/{id}", access.UserView, s.apiUser)),
		user(a("PATCH", "/users/{id}", access.UserEdit, s.apiUserUpdate)),
		user(a("POST", "/users/{id}/reset-password", access.UserEdit, s.apiUserResetPassword)),
		user(a("POST", "/users/{id}/reset-2fa", access.UserEdit, s.apiUserReset2FA)),
		a("GET", "/orgs", access.OrgList, s.apiOrgs),
		a("POST", "/orgs", access.OrgCreate, s.apiOrgCreate),
		org(a("GET", "/orgs/{id}", access.OrgView, s.apiOrg)),
		org(a("PATCH", "/orgs/{id}", access.OrgEdit, s.apiOrgUpdate)),
		a("GET", "/tokens", access.TokensManage, s.apiTokens),
		a("POST", "/tokens", access.TokensManage, s.apiTokenCreate),
		a("DELETE", "/tokens/{id}", access.TokensManage, s.apiTokenRevoke),
		a("GET", "/audit", access.AuditRead, s.apiAudit),

		a("POST", "/businesses", access.BusinessEdit, s.apiBusinessCreate),
		rec(s.businessRecord, a("GET", "/businesses/{id}", access.BusinessView, s.apiBusiness)),
		rec(s.businessRecord, a("PUT", "/businesses/{id}", access.BusinessEdit, s.apiBusinessUpdate)),
		rec(s.businessRecord, a("GET", "/businesses/{id}/persons", access.BusinessView, s.apiPersons)),
		rec(s.businessRecord, a("POST", "/businesses/{id}/persons", access.BusinessEdit, s.apiPersonSave)),
		rec(s.businessRecord, a("PUT", "/businesses/{id}/persons/{pid}", access.BusinessEdit, s.apiPersonSave)),
		rec(s.businessRecord, a("GET", "/businesses/{id}/persons/{pid}", access.PersonReveal, s.apiPersonReveal)),
		rec(s.businessRecord, a("DELETE", "/businesses/{id}/persons/{pid}", access.BusinessEdit, s.apiPersonDelete)),
		rec(s.businessRecord, a("GET", "/businesses/{id}/sites", access.BusinessView, s.apiSites)),
		rec(s.businessRecord, a("POST", "/businesses/{id}/sites", access.BusinessEdit, s.apiSiteSave)),
		rec(s.businessRecord, a("PUT", "/businesses/{id}/sites/{sid}", access.BusinessEdit, s.apiSiteSave)),
		rec(s.businessRecord, a("DELETE", "/businesses/{id}/sites/{sid}", access.BusinessEdit, s.apiSiteDelete)),
		rec(s.businessRecord, a("POST", "/businesses/{id}/applications", access.ApplicationEdit, s.apiApplicationCreate)),
		rec(s.applicationRecord, a("GET", "/applications/{id}", access.ApplicationView, s.apiApplication)),
		rec(s.applicationRecord, a("PATCH", "/applications/{id}", access.ApplicationEdit, s.apiApplicationUpdate)),
		upload(rec(s.applicationRecord, a("POST", "/applications/{id}/documents", access.ApplicationEdit, s.apiDocumentAdd))),
		rec(s.applicationRecord, a("POST", "/applications/{id}/submit", access.ApplicationEdit, s.apiApplicationSubmit)),
		rec(s.objectionRecord, a("POST", "/objections/{id}/answer", access.ApplicationEdit, s.apiObjectionAnswer)),
		rec(s.documentRecord, a("GET", "/documents/{id}", access.DocumentView, s.apiDocument)),
		a("GET", "/tasks", access.TaskQueue, s.apiTasks),
		rec(s.taskRecord, a("GET", "/tasks/{id}", access.TaskView, s.apiTask)),
		rec(s.taskRecord, a("POST", "/tasks/{id}/decision", access.TaskDecide, s.apiTaskDecide)),
		rec(s.taskRecord, a("POST", "/tasks/{id}/notes", access.TaskDecide, s.apiTaskNote)),
		rec(s.licenceRecord, a("GET", "/licences/{id}", access.LicenceView, s.apiLicence)),
		rec(s.licenceRecord, a("POST", "/licences/{id}/inspection", access.InspectionRecord, s.apiInspection)),
		upload(rec(s.inspectionRecord, a("POST", "/inspections/{id}/photos", access.InspectionRecord, s.apiInspectionPhoto))),
		rec(s.licenceRecord, a("POST", "/licences/{id}/status", access.LicenceEnforce, s.apiLicenceStatus)),
		rec(s.licenceRecord, a("POST", "/licences/{id}/surrender", access.LicenceSurrender, s.apiLicenceSurrender)),

		a("GET", "/suspects", access.SuspectLookup, s.apiSuspect),
		a("POST", "/suspects", access.SuspectLookup, s.apiSuspectBatch),
		a("GET", "/suspects/feed", access.SuspectLookup, s.apiSuspectFeed),
		a("GET", "/networks", access.NetworkView, s.apiNetworks),
		a("GET", "/networks/held", access.NetworkView, s.apiHeld),
		a("GET", "/networks/{id}", access.NetworkView, s.apiNetwork),
		a("POST", "/networks/decisions", access.NetworkDecide, s.apiNetworkDecide),
		a("POST", "/networks/decisions/{id}/revoke", access.NetworkDecide, s.apiNetworkRevoke),

		rec(s.suspensionRecord, a("POST", "/suspension-reviews/{id}", access.SuspensionDecide, s.apiSuspensionDecide)),
		rec(s.licenceRecord, a("GET", "/licences/{id}/suspensions", access.LicenceView, s.apiLicenceSuspensions)),
		a("GET", "/operations", access.EnforcementView, s.apiOperations),
		a("POST", "/operations", access.EnforcementRecord, s.apiOperationCreate),
		a("GET", "/operations/{id}/raids", access.EnforcementView, s.apiRaids),
		a("POST", "/operations/{id}/raids", access.EnforcementRecord, s.apiRaidCreate),
		a("POST", "/operations/{id}/arrests", access.EnforcementRecord, s.apiArrestCreate),
		a("GET", "/raids/{id}", access.EnforcementView, s.apiRaid),
		a("POST", "/raids/{id}/seizures", access.EnforcementRecord, s.apiSeizureCreate),
		a("POST", "/persons", access.EnforcementRecord, s.apiPersonCreate),
		a("GET", "/persons/{id}", access.EnforcementReveal, s.apiPerson),
		a("POST", "/firs", access.EnforcementRecord, s.apiFIRCreate),
		a("GET", "/firs/{id}", access.EnforcementView, s.apiFIR),
		a("POST", "/firs/{id}/stage", access.EnforcementRecord, s.apiFIRStage),

		a("GET", "/verify", access.Public, s.apiVerify),
		a("POST", "/verify", access.VerifyBatch, s.apiVerifyBatch),
		a("GET", "/registry.csv", access.Public, s.apiRegistryCSV),
		a("GET", "/registry.json", access.Public, s.apiRegistryJSON),
		a("GET", "/keys", access.Public, s.apiKeys),
		a("GET", "/certificates/verify", access.Public, s.apiCertificateVerify),

		a("POST", "/complaints", access.ComplaintCreate, s.apiComplaintCreate),
		a("GET", "/complaints", access.ComplaintView, s.apiComplaints),
		a("GET", "/complaints/track", access.Public, s.apiComplaintTrack),
		rec(s.complaintRecord, a("GET", "/complaints/{id}", access.ComplaintView, s.apiComplaint)),
		rec(s.complaintRecord, a("GET", "/complaints/{id}/complainant", access.ComplaintReveal, s.apiComplainant)),
		rec(s.complaintRecord, a("POST", "/complaints/{id}/triage", access.ComplaintTriage, s.apiComplaintTriage)),
		rec(s.complaintRecord, a("POST", "/complaints/{id}/progress", access.ComplaintWork, s.apiComplaintProgress)),
		rec(s.complaintRecord, a("POST", "/complaints/{id}/tracking-code", access.ComplaintReveal, s.apiTrackingCode)),
		rec(s.complaintRecord, a("GET", "/complaints/{id}/history", access.ComplaintHistory, s.apiComplaintHistory)),
		rec(s.complaintRecord, a("POST", "/complaints/{id}/identifiers/{iid}", access.ComplaintReview, s.apiComplaintIdentifier)),
		upload(rec(s.complaintRecord, a("POST", "/complaints/{id}/documents", access.ComplaintAttach, s.apiComplaintDocumentAdd))),
		rec(s.complaintRecord, a("GET", "/complaints/{id}/documents/{did}", access.ComplaintView, s.complaintDocument)),

		a("GET", "/takedowns", access.TakedownView, s.apiTakedowns),
		a("POST", "/takedowns", access.TakedownRequest, s.apiTakedownCreate),
		a("GET", "/takedowns/{id}", access.TakedownView, s.apiTakedown),
		rec(s.takedownRecord, a("POST", "/takedowns/{id}/status", access.TakedownUpdate, s.apiTakedownStatus)),
		upload(rec(s.takedownRecord, a("POST", "/takedowns/{id}/documents", access.TakedownUpdate, s.apiTakedownDocument))),
		a("GET", "/takedowns/{id}/documents/{did}", access.TakedownView, s.takedownDocument),
		a("GET", "/platforms", access.TakedownView, s.apiPlatforms),
		a("GET", "/lending-apps", access.Public, s.apiLendingLookup),
		a("GET", "/lending-apps/list", access.Public, s.apiLendingApps),
		a("POST", "/lending-apps", access.LendingAppEdit, s.apiLendingAppSave),
		a("POST", "/lending-apps/import", access.LendingAppEdit, s.apiLendingImport),
		a("GET", "/watchlist", access.WatchlistView, s.apiWatchlist),
		a("POST", "/watchlist", access.WatchlistEdit, s.apiWatchAdd),
		a("POST", "/watchlist/{id}/remove", access.WatchlistEdit, s.apiWatchRemove),
		a("GET", "/alerts", access.AlertView, s.apiAlerts),
		a("POST", "/alerts/{id}/resolve", access.AlertResolve, s.apiAlertResolve),
		a("GET", "/share/feeds/{feed}", access.ShareFeed, s.apiShareFeed),
		a("GET", "/share/stix", access.ShareFeed, s.apiStixExport),
		upload(a("POST", "/share/stix", access.ShareImport, s.apiStixImport)),

		a("POST", "/subject-access", access.SubjectAccess, s.apiSubjectAccess),
	}
}

func upload(rt route) route { rt.Upload = true; return rt }

// rec attaches a record loader to a route.
func rec(load func(*http.Request, *reqCtx) (*access.Record, error), rt route) route {
	rt.Record = load
	return rt
}
