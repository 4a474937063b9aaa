package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
	"github.com/greyline/greyline/sqlstore"
)

// The authorization matrix: every route of Server.Routes(), every caller
// (anonymous and one user per role), and for record routes every kind of
// target record, with the outcome the access policy and the sign-in stage
// rules require. A route without a row, or a row without a route, fails.

// outcome is the expected result of one request.
type outcome string

const (
	// allowed: the request passed authentication, the stage check, CSRF and
	// authorization. The handler may still refuse the (deliberately minimal)
	// input with 400 or 409; that is allowed too. Not allowed: 401, 403, 404,
	// 429, 5xx, or a redirect to /login?next=.
	allowed outcome = "allowed"
	// denied: 403, signed in but without permission.
	denied outcome = "denied"
	// mustSignIn: sign in first: 401 for the API and for page POSTs; for page
	// GETs a 303 to /login?next=<the page>.
	mustSignIn outcome = "must sign in"
	// hidden: 404, a record out of the caller's scope answered as if it did
	// not exist; also plain not-found pages (fallbacks, invalid set-up links).
	hidden outcome = "hidden"
	// toHome and toLogin are the sign-in stage redirects (303).
	toHome  outcome = "redirect /"
	toLogin outcome = "redirect /login"
)

const anonCaller = "anonymous"

// callerNames lists the callers of the matrix: anonymous, then one per role.
func callerNames() []string {
	out := []string{anonCaller}
	for _, r := range greyline.Roles {
		out = append(out, string(r))
	}
	return out
}

// byCaller is the outcome for each caller (anonymous and every role name).
type byCaller map[string]outcome

// everyone: every caller, anonymous included, gets w.
func everyone(w outcome) byCaller {
	e := byCaller{}
	for _, n := range callerNames() {
		e[n] = w
	}
	return e
}

// signedIn: anonymous gets anon, every signed-in user gets user.
func signedIn(anon, user outcome) byCaller {
	e := everyone(user)
	e[anonCaller] = anon
	return e
}

// granted: anonymous must sign in, the listed roles are allowed, every other
// role gets rest (denied for actions, hidden for records out of scope).
func granted(rest outcome, roles ...greyline.Role) byCaller {
	e := signedIn(mustSignIn, rest)
	for _, r := range roles {
		e[string(r)] = allowed
	}
	return e
}

var (
	adminOnly   = granted(denied, greyline.RoleAdmin)
	adminOrHide = granted(hidden, greyline.RoleAdmin)
	anyUser     = signedIn(mustSignIn, allowed)
)

// Record targets. User routes are tried on the caller ("self"), on another
// user of the caller's organisation ("peer") and on a user of another
// organisation ("other"); organisation routes on the caller's organisation
// ("own") and another ("other"); token routes on one of the caller's tokens
// ("own") and a token of a user of another organisation ("other").
const (
	tSelf  = "self"
	tPeer  = "peer"
	tOwn   = "own"
	tOther = "other"
)

// userTargets gives the same expectation for every user target.
func userTargets(e byCaller) map[string]byCaller {
	return map[string]byCaller{tSelf: e, tPeer: e, tOther: e}
}

// authzRow is one route's row of the matrix.
type authzRow struct {
	action access.Action
	// expect is used for routes without a record in the path, targets for
	// routes with one.
	expect  byCaller
	targets map[string]byCaller
	// body is the minimal plausible input: a JSON value for the API,
	// url.Values for pages (the CSRF token is added).
	body any
	// freshClient runs the row on a newly signed-in client (signing out).
	freshClient bool
	// endsOwnSessions: when allowed on the caller's own record, the caller's
	// sessions end (reset-2fa); the caller signs in again afterwards.
	endsOwnSessions bool
}

var (
	emptyForm = url.Values{}
	emptyJSON = map[string]any{}
)

// authzTable is keyed by "METHOD PATH" as in Server.Routes(); the two
// fallback routes, which answer every method, are keyed by their path.
var authzTable = map[string]authzRow{
	// System routes: no session lookup, open to all.
	"GET /healthz": {action: access.Public, expect: everyone(allowed)},
	"GET /readyz":  {action: access.Public, expect: everyone(allowed)},
	"GET /metrics": {action: access.Public, expect: everyone(allowed)},
	"GET /static/": {action: access.Public, expect: everyone(allowed)},
	"/api/":        {action: access.Public, expect: everyone(hidden)},
	"/":            {action: access.Public, expect: everyone(hidden)},

	// Pages: public and sign-in.
	"GET /{$}": {action: access.Public, expect: everyone(allowed)},
	// Signed-in users are sent home from the sign-in form (checkStage).
	"GET /login": {action: access.SignIn, expect: signedIn(allowed, toHome)},
	// Posting the form (here: empty, 400) is open to everyone.
	"POST /login": {action: access.SignIn, expect: everyone(allowed), body: emptyForm},
	// Without a session waiting for a code: anonymous callers are sent to
	// /login (GET) or must sign in (POST); signed-in users are sent home,
	// also when they re-post a step (a reload after finishing it).
	"GET /login/2fa":    {action: access.SignIn, expect: signedIn(toLogin, toHome)},
	"POST /login/2fa":   {action: access.SignIn, expect: signedIn(mustSignIn, toHome), body: emptyForm},
	"GET /login/enrol":  {action: access.SignIn, expect: signedIn(toLogin, toHome)},
	"POST /login/enrol": {action: access.SignIn, expect: signedIn(mustSignIn, toHome), body: emptyForm},
	// Signing out needs a session; each user signs out a fresh one.
	"POST /logout": {action: access.SignOut, expect: anyUser, body: emptyForm, freshClient: true},
	// No set-up link is valid once users exist: 404 for anonymous callers;
	// signed-in users GETting a sign-in page are sent home first.
	"GET /setup/{token}":  {action: access.SignIn, expect: signedIn(hidden, toHome)},
	"POST /setup/{token}": {action: access.SignIn, expect: everyone(hidden), body: emptyForm},

	// Pages: the caller's own account.
	"GET /account":           {action: access.AccountView, expect: anyUser},
	"POST /account/password": {action: access.AccountEdit, expect: anyUser, body: emptyForm},
	"GET /account/2fa":       {action: access.AccountEdit, expect: anyUser},
	"POST /account/2fa":      {action: access.AccountEdit, expect: anyUser, body: emptyForm},
	"POST /account/tokens":   {action: access.TokensManage, expect: anyUser, body: emptyForm},
	// TokensManage is OwnUser for everyone, admins included: another user's
	// token is not found (RevokeAPIToken matches on the owner).
	"POST /account/tokens/{id}/revoke": {action: access.TokensManage, body: emptyForm,
		targets: map[string]byCaller{tOwn: anyUser, tOther: signedIn(mustSignIn, hidden)}},

	// Pages: administration.
	"GET /admin/users":     {action: access.UserList, expect: adminOnly},
	"GET /admin/users/new": {action: access.UserCreate, expect: adminOnly},
	"POST /admin/users":    {action: access.UserCreate, expect: adminOnly, body: emptyForm},
	"GET /admin/users/{id}": {action: access.UserView,
		targets: map[string]byCaller{tSelf: anyUser, tPeer: adminOrHide, tOther: adminOrHide}},
	// Edits are admin-only whatever the record: the action check comes
	// first, so non-admins get 403 even on their own record. The admin's
	// self-disable is refused by the handler (409), which counts as allowed.
	"POST /admin/users/{id}/disable":        {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyForm},
	"POST /admin/users/{id}/enable":         {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyForm},
	"POST /admin/users/{id}/roles":          {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyForm},
	"POST /admin/users/{id}/reset-password": {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyForm},
	"POST /admin/users/{id}/reset-2fa":      {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyForm, endsOwnSessions: true},
	"GET /admin/orgs":                       {action: access.OrgList, expect: adminOnly},
	"POST /admin/orgs":                      {action: access.OrgCreate, expect: adminOnly, body: emptyForm},
	"GET /admin/orgs/{id}": {action: access.OrgView,
		targets: map[string]byCaller{tOwn: anyUser, tOther: adminOrHide}},
	"POST /admin/orgs/{id}": {action: access.OrgEdit, body: emptyForm,
		targets: map[string]byCaller{tOwn: adminOnly, tOther: adminOnly}},
	"GET /audit": {action: access.AuditRead, expect: granted(denied, greyline.RoleAdmin, greyline.RoleAnalyst)},

	// API.
	"GET /api/v1/me":     {action: access.AccountView, expect: anyUser},
	"GET /api/v1/users":  {action: access.UserList, expect: adminOnly},
	"POST /api/v1/users": {action: access.UserCreate, expect: adminOnly, body: emptyJSON},
	"GET /api/v1/users/{id}": {action: access.UserView,
		targets: map[string]byCaller{tSelf: anyUser, tPeer: adminOrHide, tOther: adminOrHide}},
	"PATCH /api/v1/users/{id}":               {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyJSON},
	"POST /api/v1/users/{id}/reset-password": {action: access.UserEdit, targets: userTargets(adminOnly), body: emptyJSON},
	"POST /api/v1/users/{id}/reset-2fa":      {action: access.UserEdit, targets: userTargets(adminOnly)},
	"GET /api/v1/orgs":                       {action: access.OrgList, expect: adminOnly},
	"POST /api/v1/orgs":                      {action: access.OrgCreate, expect: adminOnly, body: emptyJSON},
	"GET /api/v1/orgs/{id}": {action: access.OrgView,
		targets: map[string]byCaller{tOwn: anyUser, tOther: adminOrHide}},
	"PATCH /api/v1/orgs/{id}": {action: access.OrgEdit, body: map[string]any{"name": ""},
		targets: map[string]byCaller{tOwn: adminOnly, tOther: adminOnly}},
	// API tokens never manage tokens (access.Rule.NoToken); the matrix calls the API with tokens.
	"GET /api/v1/tokens":  {action: access.TokensManage, expect: signedIn(mustSignIn, denied)},
	"POST /api/v1/tokens": {action: access.TokensManage, expect: signedIn(mustSignIn, denied), body: emptyJSON},
	"DELETE /api/v1/tokens/{id}": {action: access.TokensManage,
		targets: map[string]byCaller{tOwn: signedIn(mustSignIn, denied), tOther: signedIn(mustSignIn, denied)}},
	"GET /api/v1/audit": {action: access.AuditRead, expect: granted(denied, greyline.RoleAdmin, greyline.RoleAnalyst)},

	// API: licensing. Record targets are the callers' own organisation's
	// records ("own", of TESTCO) and another business's ("other"); tasks are
	// TESTCO's task ("own") and PTA's ("other"). Minimal bodies are refused
	// by the handlers (400, or 409 for a submitted application or a deletion
	// of a person with documents or a licensed site), which counts as allowed.
	"POST /api/v1/businesses":                      {action: access.BusinessEdit, expect: granted(denied, greyline.RoleApplicant, greyline.RoleAdmin), body: emptyJSON},
	"GET /api/v1/businesses/{id}":                  {action: access.BusinessView, targets: businessViewers},
	"PUT /api/v1/businesses/{id}":                  {action: access.BusinessEdit, targets: businessEditors, body: emptyJSON},
	"GET /api/v1/businesses/{id}/persons":          {action: access.BusinessView, targets: businessViewers},
	"POST /api/v1/businesses/{id}/persons":         {action: access.BusinessEdit, targets: businessEditors, body: emptyJSON},
	"PUT /api/v1/businesses/{id}/persons/{pid}":    {action: access.BusinessEdit, targets: businessEditors, body: emptyJSON},
	"GET /api/v1/businesses/{id}/persons/{pid}":    {action: access.PersonReveal, targets: recordRule(roles(greyline.RoleApplicant), greyline.RoleReviewer, greyline.RoleInvestigator)},
	"DELETE /api/v1/businesses/{id}/persons/{pid}": {action: access.BusinessEdit, targets: businessEditors},
	"GET /api/v1/businesses/{id}/sites":            {action: access.BusinessView, targets: businessViewers},
	"POST /api/v1/businesses/{id}/sites":           {action: access.BusinessEdit, targets: businessEditors, body: emptyJSON},
	"PUT /api/v1/businesses/{id}/sites/{sid}":      {action: access.BusinessEdit, targets: businessEditors, body: emptyJSON},
	"DELETE /api/v1/businesses/{id}/sites/{sid}":   {action: access.BusinessEdit, targets: businessEditors},
	"POST /api/v1/businesses/{id}/applications":    {action: access.ApplicationEdit, targets: applicantOwn, body: emptyJSON},
	"GET /api/v1/applications/{id}":                {action: access.ApplicationView, targets: applicationViewers},
	"PATCH /api/v1/applications/{id}":              {action: access.ApplicationEdit, targets: applicantOwn, body: emptyJSON},
	"POST /api/v1/applications/{id}/documents":     {action: access.ApplicationEdit, targets: applicantOwn, body: emptyJSON},
	"POST /api/v1/applications/{id}/submit":        {action: access.ApplicationEdit, targets: applicantOwn, body: emptyJSON},
	"POST /api/v1/objections/{id}/answer":          {action: access.ApplicationEdit, targets: applicantOwn, body: emptyJSON},
	"GET /api/v1/documents/{id}":                   {action: access.DocumentView, targets: documentViewers},
	"GET /api/v1/tasks":                            {action: access.TaskQueue, expect: granted(denied, greyline.RoleReviewer)},
	"GET /api/v1/tasks/{id}":                       {action: access.TaskView, targets: reviewerOwn},
	"POST /api/v1/tasks/{id}/decision":             {action: access.TaskDecide, targets: reviewerOwn, body: emptyJSON},
	"POST /api/v1/tasks/{id}/notes":                {action: access.TaskDecide, targets: reviewerOwn, body: emptyJSON},
	"GET /api/v1/licences/{id}":                    {action: access.LicenceView, targets: licenceViewers},
	"POST /api/v1/licences/{id}/inspection":        {action: access.InspectionRecord, targets: recordRule(nil, greyline.RoleInspector), body: emptyJSON},
	"POST /api/v1/inspections/{id}/photos":         {action: access.InspectionRecord, targets: recordRule(nil, greyline.RoleInspector), body: emptyJSON},
	// Only reviewers and investigators of PTA or NCCIA enforce; the callers
	// are all of TESTCO (see TestAuthzLicenceEnforce for the agencies).
	"POST /api/v1/licences/{id}/status":    {action: access.LicenceEnforce, targets: recordRule(nil), body: emptyJSON},
	"POST /api/v1/licences/{id}/surrender": {action: access.LicenceSurrender, targets: applicantOwn, body: emptyJSON},

	// API: public verification and registry; batch lookups for partners.
	"GET /api/v1/verify":              {action: access.Public, expect: everyone(allowed)},
	"POST /api/v1/verify":             {action: access.VerifyBatch, expect: granted(denied, greyline.RolePartner, greyline.RoleAdmin), body: emptyJSON},
	"GET /api/v1/registry.csv":        {action: access.Public, expect: everyone(allowed)},
	"GET /api/v1/registry.json":       {action: access.Public, expect: everyone(allowed)},
	"GET /api/v1/keys":                {action: access.Public, expect: everyone(allowed)},
	"GET /api/v1/certificates/verify": {action: access.Public, expect: everyone(allowed)},

	// Pages: licensing. /business addresses the caller's own organisation's
	// business (its {pid} and {sid} are TESTCO's person and site); the other
	// pages take the same targets as the API.
	"GET /business":                       {action: access.BusinessView, expect: businessViewers[tOwn]},
	"POST /business":                      {action: access.BusinessEdit, expect: businessEditors[tOwn], body: emptyForm},
	"POST /business/persons":              {action: access.BusinessEdit, expect: businessEditors[tOwn], body: emptyForm},
	"POST /business/persons/{pid}/delete": {action: access.BusinessEdit, expect: businessEditors[tOwn], body: emptyForm},
	"POST /business/sites":                {action: access.BusinessEdit, expect: businessEditors[tOwn], body: emptyForm},
	"POST /business/sites/{sid}/delete":   {action: access.BusinessEdit, expect: businessEditors[tOwn], body: emptyForm},
	"POST /business/applications":         {action: access.ApplicationEdit, expect: applicantOwn[tOwn], body: emptyForm},
	"GET /businesses/{id}":                {action: access.BusinessView, targets: businessViewers},
	"GET /applications/{id}":              {action: access.ApplicationView, targets: applicationViewers},
	"POST /applications/{id}/documents":   {action: access.ApplicationEdit, targets: applicantOwn, body: emptyForm},
	"POST /applications/{id}/payment":     {action: access.ApplicationEdit, targets: applicantOwn, body: emptyForm},
	"POST /applications/{id}/submit":      {action: access.ApplicationEdit, targets: applicantOwn, body: emptyForm},
	"POST /objections/{id}/answer":        {action: access.ApplicationEdit, targets: applicantOwn, body: emptyForm},
	"GET /documents/{id}":                 {action: access.DocumentView, targets: documentViewers},
	"GET /queue":                          {action: access.TaskQueue, expect: granted(denied, greyline.RoleReviewer)},
	"GET /tasks/{id}":                     {action: access.TaskView, targets: reviewerOwn},
	"POST /tasks/{id}/decision":           {action: access.TaskDecide, targets: reviewerOwn, body: emptyForm},
	"POST /tasks/{id}/notes":              {action: access.TaskDecide, targets: reviewerOwn, body: emptyForm},
	"GET /inspections":                    {action: access.InspectionRecord, expect: granted(denied, greyline.RoleInspector)},
	"GET /licences/{id}":                  {action: access.LicenceView, targets: licenceViewers},
	// Complaints.
	"POST /api/v1/complaints": {action: access.ComplaintCreate, expect: granted(denied, greyline.RoleHelpline, greyline.RolePartner, greyline.RoleAdmin), body: emptyJSON},
	"GET /api/v1/complaints":  {action: access.ComplaintView, expect: granted(denied, greyline.RolePartner, greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	// Without a reference and code the tracking answer is "not found", for everyone.
	"GET /api/v1/complaints/track": {action: access.Public, expect: everyone(hidden)},
	"GET /api/v1/complaints/{id}": {action: access.ComplaintView,
		targets: recordRule(roles(greyline.RolePartner), greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	"GET /api/v1/complaints/{id}/complainant":        {action: access.ComplaintReveal, targets: recordRule(nil, greyline.RoleHelpline, greyline.RoleInvestigator)},
	"POST /api/v1/complaints/{id}/triage":            {action: access.ComplaintTriage, targets: recordRule(nil, greyline.RoleAnalyst, greyline.RoleInvestigator), body: emptyJSON},
	"POST /api/v1/complaints/{id}/progress":          {action: access.ComplaintWork, targets: recordRule(nil, greyline.RoleInvestigator), body: emptyJSON},
	"POST /api/v1/complaints/{id}/tracking-code":     {action: access.ComplaintReveal, targets: recordRule(nil, greyline.RoleHelpline, greyline.RoleInvestigator), body: emptyJSON},
	"GET /api/v1/complaints/{id}/history":            {action: access.ComplaintHistory, targets: recordRule(nil, greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	"POST /api/v1/complaints/{id}/identifiers/{iid}": {action: access.ComplaintReview, targets: recordRule(nil, greyline.RoleAnalyst, greyline.RoleInvestigator), body: emptyJSON},
	"POST /api/v1/complaints/{id}/documents":         {action: access.ComplaintAttach, targets: complaintAttachers, body: emptyJSON},
	"GET /api/v1/complaints/{id}/documents/{did}":    {action: access.ComplaintView, targets: complaintViewers},

	// Fraud networks and the suspect registry; networks are not any
	// organisation's records, so one target is enough.
	"GET /networks":                               {action: access.NetworkView, expect: networkViewers},
	"GET /networks/review":                        {action: access.NetworkView, expect: networkViewers},
	"GET /networks/{id}":                          {action: access.NetworkView, targets: map[string]byCaller{tOwn: networkViewers}},
	"POST /networks/decisions":                    {action: access.NetworkDecide, expect: networkDeciders, body: emptyForm},
	"POST /networks/decisions/{id}/revoke":        {action: access.NetworkDecide, targets: map[string]byCaller{tOwn: networkDeciders}, body: emptyForm},
	"GET /api/v1/networks":                        {action: access.NetworkView, expect: networkViewers},
	"GET /api/v1/networks/held":                   {action: access.NetworkView, expect: networkViewers},
	"GET /api/v1/networks/{id}":                   {action: access.NetworkView, targets: map[string]byCaller{tOwn: networkViewers}},
	"POST /api/v1/networks/decisions":             {action: access.NetworkDecide, expect: networkDeciders, body: emptyJSON},
	"POST /api/v1/networks/decisions/{id}/revoke": {action: access.NetworkDecide, targets: map[string]byCaller{tOwn: networkDeciders}, body: emptyJSON},
	"GET /api/v1/suspects":                        {action: access.SuspectLookup, expect: suspectLookers},
	"POST /api/v1/suspects":                       {action: access.SuspectLookup, expect: suspectLookers, body: emptyJSON},
	"GET /api/v1/suspects/feed":                   {action: access.SuspectLookup, expect: suspectLookers},

	// Operation Grey: not any organisation's records, so one target.
	"POST /suspension-reviews/{id}":         {action: access.SuspensionDecide, targets: recordRule(roles(greyline.RoleReviewer, greyline.RoleInvestigator)), body: emptyForm},
	"POST /api/v1/suspension-reviews/{id}":  {action: access.SuspensionDecide, targets: recordRule(roles(greyline.RoleReviewer, greyline.RoleInvestigator)), body: emptyJSON},
	"GET /api/v1/licences/{id}/suspensions": {action: access.LicenceView, targets: licenceViewers},
	"GET /reports/committee":                {action: access.ReportView, expect: reportViewers},
	"GET /reports/committee/{format}":       {action: access.ReportView, expect: reportViewers},
	"GET /operations":                       {action: access.EnforcementView, expect: enforcementViewers},
	"POST /operations":                      {action: access.EnforcementRecord, expect: enforcementRecorders, body: emptyForm},
	"GET /operations/{id}":                  {action: access.EnforcementView, targets: map[string]byCaller{tOwn: enforcementViewers}},
	"POST /operations/{id}/raids":           {action: access.EnforcementRecord, targets: map[string]byCaller{tOwn: enforcementRecorders}, body: emptyForm},
	"GET /raids/{id}":                       {action: access.EnforcementView, targets: map[string]byCaller{tOwn: enforcementViewers}},
	"POST /firs/{id}/stage":                 {action: access.EnforcementRecord, targets: map[string]byCaller{tOwn: enforcementRecorders}, body: emptyForm},
	"GET /firs":                             {action: access.EnforcementView, expect: enforcementViewers},
	"GET /persons/{id}":                     {action: access.EnforcementReveal, targets: map[string]byCaller{tOwn: enforcementRecorders}},
	"GET /api/v1/operations":                {action: access.EnforcementView, expect: enforcementViewers},
	"POST /api/v1/operations":               {action: access.EnforcementRecord, expect: enforcementRecorders, body: emptyJSON},
	"GET /api/v1/operations/{id}/raids":     {action: access.EnforcementView, targets: map[string]byCaller{tOwn: enforcementViewers}},
	"POST /api/v1/operations/{id}/raids":    {action: access.EnforcementRecord, targets: map[string]byCaller{tOwn: enforcementRecorders}, body: emptyJSON},
	"POST /api/v1/operations/{id}/arrests":  {action: access.EnforcementRecord, targets: map[string]byCaller{tOwn: enforcementRecorders}, body: emptyJSON},
	"GET /api/v1/raids/{id}":                {action: access.EnforcementView, targets: map[string]byCaller{tOwn: enforcementViewers}},
	"POST /api/v1/raids/{id}/seizures":      {action: access.EnforcementRecord, targets: map[string]byCaller{tOwn: enforcementRecorders}, body: emptyJSON},
	"POST /api/v1/persons":                  {action: access.EnforcementRecord, expect: enforcementRecorders, body: emptyJSON},
	"GET /api/v1/persons/{id}":              {action: access.EnforcementReveal, targets: map[string]byCaller{tOwn: enforcementRecorders}},
	"POST /api/v1/firs":                     {action: access.EnforcementRecord, expect: enforcementRecorders, body: emptyJSON},
	"GET /api/v1/firs/{id}":                 {action: access.EnforcementView, targets: map[string]byCaller{tOwn: enforcementViewers}},
	"POST /api/v1/firs/{id}/stage":          {action: access.EnforcementRecord, targets: map[string]byCaller{tOwn: enforcementRecorders}, body: emptyJSON},

	// Complaint pages: the public form and tracking, and the helpline's form.
	"GET /report":                             {action: access.Public, expect: everyone(allowed)},
	"POST /report":                            {action: access.Public, expect: everyone(allowed), body: emptyForm},
	"GET /track":                              {action: access.Public, expect: everyone(allowed)},
	"GET /complaints/new":                     {action: access.ComplaintTakeCall, expect: granted(denied, greyline.RoleHelpline)},
	"POST /complaints":                        {action: access.ComplaintTakeCall, expect: granted(denied, greyline.RoleHelpline), body: emptyForm},
	"GET /complaints":                         {action: access.ComplaintView, expect: granted(denied, greyline.RolePartner, greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	"GET /complaints/{id}":                    {action: access.ComplaintView, targets: complaintViewers},
	"GET /complaints/{id}/complainant":        {action: access.ComplaintReveal, targets: recordRule(nil, greyline.RoleHelpline, greyline.RoleInvestigator)},
	"POST /complaints/{id}/tracking-code":     {action: access.ComplaintReveal, targets: recordRule(nil, greyline.RoleHelpline, greyline.RoleInvestigator), body: emptyForm},
	"POST /complaints/{id}/triage":            {action: access.ComplaintTriage, targets: recordRule(nil, greyline.RoleAnalyst, greyline.RoleInvestigator), body: emptyForm},
	"POST /complaints/{id}/progress":          {action: access.ComplaintWork, targets: recordRule(nil, greyline.RoleInvestigator), body: emptyForm},
	"POST /complaints/{id}/identifiers/{iid}": {action: access.ComplaintReview, targets: recordRule(nil, greyline.RoleAnalyst, greyline.RoleInvestigator), body: emptyForm},
	"POST /complaints/{id}/documents":         {action: access.ComplaintAttach, targets: complaintAttachers, body: emptyForm},
	"GET /complaints/{id}/documents/{did}":    {action: access.ComplaintView, targets: complaintViewers},

	"GET /licences":                      {action: access.LicenceList, expect: granted(denied, greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)},
	"POST /licences/{id}/inspection":     {action: access.InspectionRecord, targets: recordRule(nil, greyline.RoleInspector), body: emptyForm},
	"POST /licences/{id}/status":         {action: access.LicenceEnforce, targets: recordRule(nil), body: emptyForm},
	"POST /licences/{id}/surrender":      {action: access.LicenceSurrender, targets: applicantOwn, body: emptyForm},
	"GET /licences/{id}/certificate.pdf": {action: access.LicenceView, targets: licenceViewers},
	"GET /verify":                        {action: access.Public, expect: everyone(allowed)},
	"GET /verify/certificate":            {action: access.Public, expect: everyone(allowed)},

	// Takedowns, lending apps, the watchlist, alerts and sharing. The
	// takedown grants are for agency staff (SECP, PTA, NCCIA): the callers
	// here are all of TESTCO, so only the administrator sees the queues
	// (see TestTakedownAgencies for the agencies, own and other).
	"GET /takedowns":                             {action: access.TakedownView, expect: adminOnly},
	"POST /takedowns":                            {action: access.TakedownRequest, expect: granted(denied), body: emptyForm},
	"GET /takedowns/{id}":                        {action: access.TakedownView, targets: map[string]byCaller{tOwn: adminOnly}},
	"POST /takedowns/{id}/status":                {action: access.TakedownUpdate, targets: map[string]byCaller{tOwn: granted(denied)}, body: emptyForm},
	"POST /takedowns/{id}/documents":             {action: access.TakedownUpdate, targets: map[string]byCaller{tOwn: granted(denied)}, body: emptyForm},
	"GET /takedowns/{id}/documents/{did}":        {action: access.TakedownView, targets: map[string]byCaller{tOwn: adminOnly}},
	"GET /loan-apps":                             {action: access.Public, expect: everyone(allowed)},
	"POST /loan-apps":                            {action: access.LendingAppEdit, expect: adminOnly, body: emptyForm},
	"POST /loan-apps/import":                     {action: access.LendingAppEdit, expect: adminOnly, body: emptyForm},
	"GET /watchlist":                             {action: access.WatchlistView, expect: enforcementViewers},
	"POST /watchlist":                            {action: access.WatchlistEdit, expect: networkDeciders, body: emptyForm},
	"POST /watchlist/{id}/remove":                {action: access.WatchlistEdit, targets: map[string]byCaller{tOwn: networkDeciders}, body: emptyForm},
	"GET /alerts":                                {action: access.AlertView, expect: enforcementViewers},
	"POST /alerts/{id}/resolve":                  {action: access.AlertResolve, targets: map[string]byCaller{tOwn: networkDeciders}, body: emptyForm},
	"GET /share":                                 {action: access.ShareFeed, expect: suspectLookers},
	"GET /api/v1/takedowns":                      {action: access.TakedownView, expect: adminOnly},
	"POST /api/v1/takedowns":                     {action: access.TakedownRequest, expect: granted(denied), body: emptyJSON},
	"GET /api/v1/takedowns/{id}":                 {action: access.TakedownView, targets: map[string]byCaller{tOwn: adminOnly}},
	"POST /api/v1/takedowns/{id}/status":         {action: access.TakedownUpdate, targets: map[string]byCaller{tOwn: granted(denied)}, body: emptyJSON},
	"POST /api/v1/takedowns/{id}/documents":      {action: access.TakedownUpdate, targets: map[string]byCaller{tOwn: granted(denied)}, body: emptyJSON},
	"GET /api/v1/takedowns/{id}/documents/{did}": {action: access.TakedownView, targets: map[string]byCaller{tOwn: adminOnly}},
	"GET /api/v1/platforms":                      {action: access.TakedownView, expect: adminOnly},
	"GET /api/v1/lending-apps":                   {action: access.Public, expect: everyone(allowed)},
	"GET /api/v1/lending-apps/list":              {action: access.Public, expect: everyone(allowed)},
	"POST /api/v1/lending-apps":                  {action: access.LendingAppEdit, expect: adminOnly, body: emptyJSON},
	"POST /api/v1/lending-apps/import":           {action: access.LendingAppEdit, expect: adminOnly, body: emptyJSON},
	"GET /api/v1/watchlist":                      {action: access.WatchlistView, expect: enforcementViewers},
	"POST /api/v1/watchlist":                     {action: access.WatchlistEdit, expect: networkDeciders, body: emptyJSON},
	"POST /api/v1/watchlist/{id}/remove":         {action: access.WatchlistEdit, targets: map[string]byCaller{tOwn: networkDeciders}, body: emptyJSON},
	"GET /api/v1/alerts":                         {action: access.AlertView, expect: enforcementViewers},
	"POST /api/v1/alerts/{id}/resolve":           {action: access.AlertResolve, targets: map[string]byCaller{tOwn: networkDeciders}, body: emptyJSON},
	"GET /api/v1/share/feeds/{feed}":             {action: access.ShareFeed, expect: suspectLookers},
	"GET /api/v1/share/stix":                     {action: access.ShareFeed, expect: suspectLookers},
	"POST /api/v1/share/stix":                    {action: access.ShareImport, expect: granted(denied, greyline.RolePartner, greyline.RoleAnalyst, greyline.RoleAdmin), body: emptyJSON},
	"POST /share/stix":                           {action: access.ShareImport, expect: granted(denied, greyline.RolePartner, greyline.RoleAnalyst, greyline.RoleAdmin), body: emptyForm},

	// Data protection: the subject access export, the CNIC in the body.
	"POST /api/v1/subject-access": {action: access.SubjectAccess, expect: adminOnly, body: map[string]any{"cnic": "35202-1234567-1"}},
}

// roles is a list of roles, for recordRule.
func roles(rs ...greyline.Role) []greyline.Role { return rs }

// recordRule gives the outcomes, on the callers' own organisation's record
// ("own") and on another's ("other"), of an action granted to the roles in
// own over their own organisation's records and to the roles in all over
// every record: own-only roles get 404 on the other record, roles without a
// grant 403 on both.
func recordRule(own []greyline.Role, all ...greyline.Role) map[string]byCaller {
	onOwn := granted(denied, append(slices.Clone(own), all...)...)
	onOther := granted(denied, all...)
	for _, r := range own {
		if !slices.Contains(all, r) {
			onOther[string(r)] = hidden
		}
	}
	return map[string]byCaller{tOwn: onOwn, tOther: onOther}
}

var (
	businessViewers = recordRule(roles(greyline.RoleApplicant), greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)
	businessEditors = recordRule(roles(greyline.RoleApplicant), greyline.RoleAdmin)
	applicantOwn    = recordRule(roles(greyline.RoleApplicant))
	reviewerOwn     = recordRule(roles(greyline.RoleReviewer))

	applicationViewers   = recordRule(roles(greyline.RoleApplicant), greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleAdmin)
	documentViewers      = recordRule(roles(greyline.RoleApplicant), greyline.RoleReviewer, greyline.RoleInspector)
	reportViewers        = granted(denied, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleReviewer, greyline.RoleAdmin)
	enforcementViewers   = granted(denied, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)
	enforcementRecorders = granted(denied, greyline.RoleInvestigator)
	networkViewers       = granted(denied, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleAdmin)
	networkDeciders      = granted(denied, greyline.RoleAnalyst, greyline.RoleInvestigator)
	suspectLookers       = granted(denied, greyline.RolePartner, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleAdmin)
	complaintViewers     = recordRule(roles(greyline.RolePartner), greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)
	complaintAttachers   = recordRule(roles(greyline.RolePartner), greyline.RoleHelpline, greyline.RoleInvestigator, greyline.RoleAnalyst)
	licenceViewers       = recordRule(roles(greyline.RoleApplicant), greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleAdmin)
)

func routeKey(ri RouteInfo) string {
	if ri.Method == "" {
		return ri.Path
	}
	return ri.Method + " " + ri.Path
}

// authzCaller is one column of the matrix. Page routes use page (a signed-in
// browser-like client, as pageUser); API routes use token (read and write
// scopes, of apiUser). Separate users keep API side effects (reset-2fa ends
// sessions) away from the browser sessions.
type authzCaller struct {
	name      string
	pageUser  *greyline.User // nil for anonymous
	apiUser   *greyline.User
	page      *client
	csrf      string
	token     string
	pageTokID int64 // a spare token of pageUser, for the revoke route
	apiTokID  int64 // a spare token of apiUser, for DELETE /api/v1/tokens/{id}
}

type authzFixture struct {
	e       *testEnv
	callers []*authzCaller
	peer    *greyline.User // a user of e.noTFA, the callers' organisation
	other   *greyline.User // a user of e.otherO
	otherTk int64          // a token of other
	// lic holds the licensing records by target: tOwn for the callers'
	// organisation (TESTCO), tOther for another business (OTHERBIZ).
	lic map[string]*licensingRecords
	// network is the network the two complaints of lic form (they share a
	// number); decision an analyst's merge decision.
	network, decision int64
	// operation, raid, person and fir are Operation Grey records.
	operation, raid, person, fir int64
	// Takedowns and the watch: a request (by NCCIA) with a file, a watched
	// wallet and an alert.
	takedown, takedownDoc, wallet, alert int64
}

// licensingRecords are one business's records that licensing routes address.
type licensingRecords struct {
	business, person, site int64
	application            int64 // submitted, with documents and an objection
	document, objection    int64
	task                   int64 // for tOwn: TESTCO's task; for tOther: PTA's
	inspection             int64 // a passed inspection of the licence
	complaint              int64 // sent by the target organisation
	suspension             int64 // a suspension review: tOwn's belongs to the callers' organisation, tOther's to PTA
	complaintIdent         int64 // one of the complaint's identifiers
	complaintDoc           int64 // the complaint's evidence file
	licence                int64 // provisional
}

// authzClearance is the matrix's clearance policy: new licences need PTA
// only; amendments need the callers' own organisation too, so that the
// callers' reviewers have a task of their own.
var authzClearance = map[greyline.ApplicationKind][]string{
	greyline.NewLicence: {"PTA"},
	greyline.Amendment:  {"TESTCO", "PTA"},
}

// addLicensing builds, for TESTCO and for another business, a licensed
// business with a person and a site, and a submitted amendment with
// documents, an objection (raised on TESTCO's task) and open tasks.
func (f *authzFixture) addLicensing(t testing.TB) {
	e := f.e
	decider := e.user(e.seeded("PTA"), greyline.RoleReviewer)
	f.lic = map[string]*licensingRecords{}
	var tasks map[string]int64
	for _, target := range []string{tOwn, tOther} {
		org := e.noTFA
		if target == tOther {
			org = e.org("OTHERBIZ", greyline.OrgBusiness, false)
		}
		l := newStoreLicensee(t, e, org, "Islamabad", greyline.Resources{}, decider)
		app := l.submit(t, e, greyline.Amendment)
		ts, err := e.db.TasksOf(e.sys, app.ID)
		if err != nil || len(ts) != 2 {
			t.Fatalf("%s amendment tasks: %v %+v", org.Code, err, ts)
		}
		byOrg := map[string]int64{}
		for _, tk := range ts {
			byOrg[tk.OrgCode] = tk.ID
			if tk.OrgCode == "TESTCO" {
				if _, err := e.db.Decide(actorCtx(decider), tk.ID, tk.Version, greyline.DecideObject, "Explain the new site."); err != nil {
					t.Fatal(err)
				}
			}
		}
		if target == tOwn {
			tasks = byOrg
		}
		docs, err := e.db.ListDocuments(e.sys, app.ID)
		if err != nil || len(docs) == 0 {
			t.Fatalf("documents: %v", err)
		}
		objs, err := e.db.Objections(e.sys, app.ID)
		if err != nil || len(objs) != 1 {
			t.Fatalf("objections: %v %+v", err, objs)
		}
		in := &greyline.Inspection{LicenceID: l.lic.ID, Date: e.clock.Now(), Findings: "As declared.", Passed: true}
		if _, err := e.db.RecordInspection(actorCtx(decider), in); err != nil {
			t.Fatal(err)
		}
		sender := e.user(org, greyline.RolePartner)
		comp, _, _, err := e.db.CreateComplaint(actorCtx(sender), greyline.NewComplaint{Channel: greyline.ChannelPartner, ExternalRef: "authz-" + org.Code,
			Complainant: greyline.Complainant{Name: "Victim", City: "Lahore", Phone: "03001234567"}, Category: "other", ContactMethod: "call",
			IncidentAt: e.clock.Now().Add(-time.Hour), PaymentMethod: "none", Narrative: "A call from 0321-7654321.",
			Attachments: []greyline.Attachment{{Filename: "chat.png", Content: bytes.NewReader(pngBytes)}}}, "")
		if err != nil || len(comp.Identifiers) != 1 || len(comp.Documents) != 1 {
			t.Fatalf("complaint: %v %+v", err, comp)
		}
		f.lic[target] = &licensingRecords{business: l.biz.ID, person: l.person.ID, site: l.site.ID, application: app.ID,
			document: docs[0].ID, objection: objs[0].ID, licence: l.lic.ID, inspection: in.ID, complaint: comp.ID,
			complaintIdent: comp.Identifiers[0].ID, complaintDoc: comp.Documents[0].ID}
	}
	f.lic[tOwn].task, f.lic[tOther].task = tasks["TESTCO"], tasks["PTA"]
}

// addNetwork records an analyst's decision on the network that the two
// complaints of the licensing records form.
func (f *authzFixture) addNetwork(t testing.TB) {
	a, b := f.lic[tOwn].complaint, f.lic[tOther].complaint
	f.network = min(a, b)
	if n, ok := f.e.srv.nets.Engine().NetworkOf(a); !ok || n != f.network {
		t.Fatalf("the fixture's complaints are in network %d, want %d", n, f.network)
	}
	analyst := f.e.user(f.e.noTFA, greyline.RoleAnalyst)
	d := &greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: []int64{a, b}, Note: "Same caller."}
	if err := f.e.srv.nets.Decide(actorCtx(analyst), d); err != nil {
		t.Fatal(err)
	}
	f.decision = d.ID
}

// addEnforcement records an operation with a raid, a person and an FIR.
func (f *authzFixture) addEnforcement(t testing.TB) {
	inv := actorCtx(f.e.user(f.e.noTFA, greyline.RoleInvestigator))
	now := f.e.clock.Now()
	op := &greyline.Operation{Name: "Operation Grey", StartsOn: now.Add(-48 * time.Hour)}
	if err := f.e.db.CreateOperation(inv, op); err != nil {
		t.Fatal(err)
	}
	raid := &greyline.Raid{OperationID: op.ID, At: now.Add(-time.Hour), City: "Karachi", Province: "Sindh", Address: "Plot 1", Outcome: greyline.RaidCentreFound}
	if err := f.e.db.RecordRaid(inv, raid); err != nil {
		t.Fatal(err)
	}
	p := &greyline.Suspect{Name: "Li Wei", Passport: "E12345678", Nationality: "CN", Gender: "male", Role: greyline.CentreManager}
	if err := f.e.db.AddSuspect(inv, p); err != nil {
		t.Fatal(err)
	}
	fir := &greyline.FIR{Number: "1/2026", RegisteredOn: now.Add(-time.Minute), Station: "NCCIA Karachi", City: "Karachi", Province: "Sindh", PECASections: []string{"14"}, RaidID: raid.ID, Accused: []int64{p.ID}}
	if err := f.e.db.RegisterFIR(inv, fir); err != nil {
		t.Fatal(err)
	}
	f.operation, f.raid, f.person, f.fir = op.ID, raid.ID, p.ID, fir.ID

	// A raid on the callers' licensed business opens PTA's and NCCIA's
	// decisions; the callers' own organisation gets one too, written
	// directly, so that the matrix has a review of the callers' own.
	onLicensed := &greyline.Raid{OperationID: op.ID, At: now, City: "Islamabad", Province: "Islamabad Capital Territory", Address: "Plot 2",
		Outcome: greyline.RaidCentreFound, BusinessID: f.lic[tOwn].business}
	if err := f.e.db.RecordRaid(inv, onLicensed); err != nil || !onLicensed.Licensed {
		t.Fatalf("raid on the licensed business: %v %+v", err, onLicensed)
	}
	revs, err := f.e.db.SuspensionReviews(inv, onLicensed.LicenceID, 0)
	if err != nil || len(revs) != 2 {
		t.Fatalf("reviews: %v %+v", err, revs)
	}
	w, _ := f.e.db.Pools()
	var own int64
	q := "INSERT INTO suspension_reviews (licence_id, raid_id, org_id, status, created_at) VALUES (?, ?, ?, 'open', ?) RETURNING id"
	if f.e.engine == sqlstore.Postgres {
		q = "INSERT INTO suspension_reviews (licence_id, raid_id, org_id, status, created_at) VALUES ($1, $2, $3, 'open', $4) RETURNING id"
	}
	if err := w.QueryRow(q,
		onLicensed.LicenceID, onLicensed.ID, f.e.noTFA.ID, now).Scan(&own); err != nil {
		t.Fatal(err)
	}
	f.lic[tOwn].suspension, f.lic[tOther].suspension = own, revs[0].ID
}

// addTakedowns has NCCIA request a takedown with evidence, watch a wallet,
// and raise an alert.
func (f *authzFixture) addTakedowns(t testing.TB) {
	e := f.e
	nccia := actorCtx(e.user(e.seeded("NCCIA"), greyline.RoleAnalyst))
	td := &greyline.Takedown{Target: greyline.TargetURL, Platform: "isp_blocking", Value: "https://easy-loan-pk.com/apply", LegalBasis: "PECA 2016 s.37"}
	if err := e.db.CreateTakedown(nccia, td); err != nil {
		t.Fatal(err)
	}
	d := &greyline.Document{Filename: "notice.png"}
	if err := e.db.AddTakedownDocument(nccia, td.ID, d, bytes.NewReader(pngBytes)); err != nil {
		t.Fatal(err)
	}
	w := &greyline.WatchedWallet{Address: "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", Reason: "Victims' USDT"}
	if err := e.db.WatchWallet(nccia, w); err != nil {
		t.Fatal(err)
	}
	a := &greyline.Alert{Kind: greyline.AlertWallet, WalletID: w.ID, SourceKind: "complaint", SourceID: f.lic[tOwn].complaint, Subject: "wallet", Score: 100}
	if _, err := e.db.RaiseAlert(nccia, a); err != nil {
		t.Fatal(err)
	}
	f.takedown, f.takedownDoc, f.wallet, f.alert = td.ID, d.ID, w.ID, a.ID
}

// subIDs fills the second path parameter ({pid}, {sid}) of licensing routes
// with the target business's person or site.
func (f *authzFixture) subIDs(path, target string) string {
	if target == "" {
		target = tOwn // the /business pages: the callers' own business
	}
	r := f.lic[target]
	if r == nil {
		return path
	}
	path = strings.Replace(path, "{format}", "json", 1)
	path = strings.Replace(path, "{feed}", "telco", 1)
	if strings.Contains(path, "/takedowns/") {
		path = strings.Replace(path, "{did}", strconv.FormatInt(f.takedownDoc, 10), 1)
	}
	path = strings.Replace(path, "{iid}", strconv.FormatInt(r.complaintIdent, 10), 1)
	path = strings.Replace(path, "{did}", strconv.FormatInt(r.complaintDoc, 10), 1)
	path = strings.Replace(path, "{pid}", strconv.FormatInt(r.person, 10), 1)
	return strings.Replace(path, "{sid}", strconv.FormatInt(r.site, 10), 1)
}

func newAuthzFixture(t *testing.T) *authzFixture {
	// Many sign-ins come from one address; lift the per-IP limit.
	e := newEnvWith(t, envOptions{cfg: Config{LoginRate: 10000, ReportRate: 10000}, tune: func(o *sqlstore.Options) { o.Clearance = authzClearance }})
	f := &authzFixture{e: e}
	f.addLicensing(t)
	f.addNetwork(t)
	f.addEnforcement(t)
	f.addTakedowns(t)
	f.peer = e.user(e.noTFA, greyline.RoleApplicant)
	f.other = e.user(e.otherO, greyline.RoleApplicant)
	f.otherTk = f.spareToken(f.other)

	anon := &authzCaller{name: anonCaller, page: e.client()}
	anon.csrf = anon.page.csrf("/login")
	// Anonymous callers have no records; their targets are only ids to ask about.
	anon.pageTokID, anon.apiTokID = f.spareToken(f.peer), f.spareToken(f.peer)
	f.callers = append(f.callers, anon)
	for _, r := range greyline.Roles {
		c := &authzCaller{name: string(r), pageUser: e.user(e.noTFA, r), apiUser: e.user(e.noTFA, r), page: e.client()}
		c.token = e.token(c.apiUser, greyline.ScopeRead, greyline.ScopeWrite)
		c.pageTokID, c.apiTokID = f.spareToken(c.pageUser), f.spareToken(c.apiUser)
		f.signIn(c)
		f.callers = append(f.callers, c)
	}
	return f
}

func (f *authzFixture) spareToken(u *greyline.User) int64 {
	f.e.t.Helper()
	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
	_, tok, err := f.e.db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Name: "spare", Scopes: []string{greyline.ScopeRead}, ExpiresIn: 30})
	if err != nil {
		f.e.t.Fatal(err)
	}
	return tok.ID
}

// signIn (re)signs c's page user in and refreshes its CSRF token.
func (f *authzFixture) signIn(c *authzCaller) {
	f.e.t.Helper()
	c.page = f.e.client()
	c.page.login(c.pageUser)
	c.csrf = c.page.csrf("/")
}

// recordID resolves the {id} of path for a target and caller.
func (f *authzFixture) recordID(t testing.TB, path, target string, c *authzCaller, api bool) int64 {
	self := c.pageUser
	tok := c.pageTokID
	if api {
		self, tok = c.apiUser, c.apiTokID
	}
	if self == nil {
		self = f.peer
	}
	if r := f.lic[target]; r != nil {
		for _, p := range []struct {
			prefix string
			id     int64
		}{
			{"/businesses/{id}", r.business},
			{"/applications/{id}", r.application},
			{"/documents/{id}", r.document},
			{"/objections/{id}", r.objection},
			{"/tasks/{id}", r.task},
			{"/licences/{id}", r.licence},
			{"/inspections/{id}", r.inspection},
			{"/complaints/{id}", r.complaint},
			{"/suspension-reviews/{id}", r.suspension},
		} {
			if strings.HasPrefix(strings.TrimPrefix(path, "/api/v1"), p.prefix) {
				return p.id
			}
		}
	}
	switch {
	case strings.Contains(path, "/users/{id}"):
		switch target {
		case tSelf:
			return self.ID
		case tPeer:
			return f.peer.ID
		case tOther:
			return f.other.ID
		}
	case strings.Contains(path, "/orgs/{id}"):
		switch target {
		case tOwn:
			return f.e.noTFA.ID
		case tOther:
			return f.e.otherO.ID
		}
	case strings.Contains(path, "/operations/{id}"):
		return f.operation
	case strings.Contains(path, "/raids/{id}"):
		return f.raid
	case strings.Contains(path, "/persons/{id}"):
		return f.person
	case strings.Contains(path, "/firs/{id}"):
		return f.fir
	case strings.Contains(path, "/networks/decisions/{id}"):
		return f.decision
	case strings.Contains(path, "/networks/{id}"):
		return f.network
	case strings.Contains(path, "/takedowns/{id}"):
		return f.takedown
	case strings.Contains(path, "/watchlist/{id}"):
		return f.wallet
	case strings.Contains(path, "/alerts/{id}"):
		return f.alert
	case strings.Contains(path, "/tokens/{id}"):
		switch target {
		case tOwn:
			return tok
		case tOther:
			return f.otherTk
		}
	}
	t.Fatalf("%s: no target %q", path, target)
	return 0
}

// concretePath turns a route pattern into a path to request.
func concretePath(pattern string, id int64) string {
	switch pattern {
	case "/":
		return "/no-such-page"
	case "/api/":
		return "/api/v1/no-such-resource"
	case "/{$}":
		return "/"
	case "/static/":
		return "/static/app.css"
	}
	p := strings.Replace(pattern, "{id}", strconv.FormatInt(id, 10), 1)
	return strings.Replace(p, "{token}", "not-a-valid-setup-token", 1)
}

// authzResult is what a request came back with.
type authzResult struct {
	status   int
	location string
	ctype    string
	body     string
}

func (r authzResult) String() string {
	b := r.body
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return fmt.Sprintf("%d Location=%q Content-Type=%q body=%q", r.status, r.location, r.ctype, b)
}

func resultOf(resp *http.Response, body string) authzResult {
	return authzResult{resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"), body}
}

// pageRequest sends a page request as c, adding c's CSRF token to forms.
func (f *authzFixture) pageRequest(t *testing.T, c *client, csrf, method, path string, body any) authzResult {
	t.Helper()
	if method == "" || method == "GET" {
		return resultOf(c.get(path))
	}
	form := url.Values{}
	if v, ok := body.(url.Values); ok {
		for k, vs := range v {
			form[k] = slices.Clone(vs)
		}
	}
	form.Set(csrfField, csrf)
	req, err := http.NewRequest(method, f.e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resultOf(resp, readBody(t, resp))
}

func (f *authzFixture) apiRequest(t *testing.T, token, method, path string, body any) authzResult {
	t.Helper()
	if method == "" {
		method = "GET"
	}
	resp, b := f.e.api(method, path, token, body)
	return resultOf(resp, string(b))
}

// checkOutcome reports whether res is the outcome w, and why not.
func checkOutcome(w outcome, api bool, method string, res authzResult) string {
	problemCode := func() greyline.Code {
		var p Problem
		if json.Unmarshal([]byte(res.body), &p) != nil {
			return ""
		}
		return p.Code
	}
	errorShape := func(status int, code greyline.Code) string {
		if res.status != status {
			return fmt.Sprintf("want %d", status)
		}
		if api && (res.ctype != "application/problem+json" || problemCode() != code) {
			return fmt.Sprintf("want a problem document with code %q", code)
		}
		if !api && !strings.HasPrefix(res.ctype, "text/html") {
			return "want the HTML error page"
		}
		return ""
	}
	redirect := func(to string) string {
		if res.status != http.StatusSeeOther || res.location != to {
			return fmt.Sprintf("want 303 to %q", to)
		}
		return ""
	}
	switch w {
	case allowed:
		switch {
		case res.status == 401 || res.status == 403 || res.status == 404 || res.status == 429 || res.status >= 500:
			return "want the request to pass authorization"
		case res.status == http.StatusSeeOther && strings.HasPrefix(res.location, "/login?next="):
			return "want the request to pass authorization, got sent to sign in"
		}
		return ""
	case denied:
		return errorShape(http.StatusForbidden, greyline.EFORBIDDEN)
	case hidden:
		return errorShape(http.StatusNotFound, greyline.ENOTFOUND)
	case mustSignIn:
		if !api && (method == "GET" || method == "") {
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login?next=") {
				return "want 303 to /login?next=…"
			}
			return ""
		}
		return errorShape(http.StatusUnauthorized, greyline.EUNAUTHENTICATED)
	case toHome:
		return redirect("/")
	case toLogin:
		return redirect("/login")
	}
	return "unknown expectation " + string(w)
}

func TestAuthzMatrix(t *testing.T) {
	f := newAuthzFixture(t)
	routes := f.e.srv.Routes()
	seen := map[string]bool{}
	checks := 0
	for _, ri := range routes {
		key := routeKey(ri)
		seen[key] = true
		row, ok := authzTable[key]
		if !ok {
			t.Errorf("route %q (action %s) has no row in authzTable: add one", key, ri.Action)
			continue
		}
		t.Run(key, func(t *testing.T) {
			if row.action != ri.Action {
				t.Errorf("route action is %q, the table says %q: review the row", ri.Action, row.action)
			}
			hasID := strings.Contains(ri.Path, "{id}")
			if hasID != (row.targets != nil) || (row.targets == nil) == (row.expect == nil) {
				t.Fatalf("row must give targets exactly when the path has {id}")
			}
			targets := row.targets
			if targets == nil {
				targets = map[string]byCaller{"": row.expect}
			}
			for _, target := range slices.Sorted(maps.Keys(targets)) {
				exp := targets[target]
				for _, c := range f.callers {
					w, ok := exp[c.name]
					if !ok {
						t.Fatalf("no expectation for caller %s", c.name)
					}
					var id int64
					if hasID {
						id = f.recordID(t, ri.Path, target, c, ri.API)
					}
					path := concretePath(f.subIDs(ri.Path, target), id)
					var res authzResult
					switch {
					case ri.API:
						res = f.apiRequest(t, c.token, ri.Method, path, row.body)
					case row.freshClient && c.pageUser != nil:
						fresh := f.e.client()
						fresh.login(c.pageUser)
						res = f.pageRequest(t, fresh, fresh.csrf("/"), ri.Method, path, row.body)
					default:
						res = f.pageRequest(t, c.page, c.csrf, ri.Method, path, row.body)
					}
					checks++
					if why := checkOutcome(w, ri.API, ri.Method, res); why != "" {
						who := c.name
						if target != "" {
							who += " on " + target + " record"
						}
						t.Errorf("%s %s as %s: %s (%s); got %s", ri.Method, path, who, w, why, res)
					}
					if row.endsOwnSessions && !ri.API && target == tSelf && w == allowed {
						f.signIn(c)
					}
				}
			}
		})
	}
	for key := range authzTable {
		if !seen[key] {
			t.Errorf("authzTable has a row for %q, which is not a route: remove it", key)
		}
	}
	t.Logf("%d routes × %d callers: %d requests checked", len(routes), len(f.callers), checks)
}

// TestAuthzTokenScopes: a read-only token may read but must not write, even
// for an admin, whose roles allow everything; a write-only token may not read.
func TestAuthzTokenScopes(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	readOnly := e.token(admin, greyline.ScopeRead)
	writeOnly := e.token(admin, greyline.ScopeWrite)
	f := &authzFixture{e: e, peer: e.user(nil, greyline.RoleApplicant), other: e.user(e.otherO, greyline.RoleApplicant)}
	f.otherTk = f.spareToken(f.other)
	c := &authzCaller{name: "admin", apiUser: admin, apiTokID: f.spareToken(admin)}
	type row struct {
		method, path, target string
		body                 any
		w                    outcome
	}
	rows := []struct {
		token string
		scope string
		rows  []row
	}{
		{readOnly, "read", []row{
			{"GET", "/api/v1/me", "", nil, allowed},
			{"GET", "/api/v1/users", "", nil, allowed},
			{"GET", "/api/v1/users/{id}", tOther, nil, allowed},
			{"GET", "/api/v1/orgs/{id}", tOther, nil, allowed},
			{"GET", "/api/v1/audit", "", nil, allowed},
			{"POST", "/api/v1/users", "", emptyJSON, denied},
			{"PATCH", "/api/v1/users/{id}", tPeer, map[string]any{"disabled": true}, denied},
			{"POST", "/api/v1/users/{id}/reset-password", tPeer, map[string]any{"password": "a brand new password"}, denied},
			{"POST", "/api/v1/users/{id}/reset-2fa", tPeer, nil, denied},
			{"POST", "/api/v1/orgs", "", map[string]any{"code": "NEWCO", "name": "New", "kind": "bank"}, denied},
			{"PATCH", "/api/v1/orgs/{id}", tOther, map[string]any{"name": "Renamed"}, denied},
			{"POST", "/api/v1/tokens", "", map[string]any{"name": "x", "scopes": []string{"read", "write"}, "expires_in_days": 1}, denied},
			{"DELETE", "/api/v1/tokens/{id}", tOwn, nil, denied},
			// TokensManage is a write action as a whole, so even listing
			// tokens needs the write scope.
			{"GET", "/api/v1/tokens", "", nil, denied},
		}},
		{writeOnly, "write", []row{
			{"GET", "/api/v1/me", "", nil, denied},
			{"GET", "/api/v1/users", "", nil, denied},
			{"GET", "/api/v1/audit", "", nil, denied},
		}},
	}
	routes := map[string]bool{}
	for _, ri := range e.srv.Routes() {
		routes[routeKey(ri)] = true
	}
	before := snapshotOf(t, e)
	for _, tc := range rows {
		for _, r := range tc.rows {
			if !routes[r.method+" "+r.path] {
				t.Errorf("%s %s is not a route", r.method, r.path)
				continue
			}
			var id int64
			if r.target != "" {
				id = f.recordID(t, r.path, r.target, c, true)
			}
			path := concretePath(r.path, id)
			res := f.apiRequest(t, tc.token, r.method, path, r.body)
			if why := checkOutcome(r.w, true, r.method, res); why != "" {
				t.Errorf("%s %s with a %s-only token: %s (%s); got %s", r.method, path, tc.scope, r.w, why, res)
			}
		}
	}
	if diff := snapshotOf(t, e).diff(before); diff != "" {
		t.Errorf("refused token requests changed data (-before +after):\n%s", diff)
	}
}

// TestAuthzSignInStages: a session part-way through sign-in may use only its
// own step (and sign out); everything else sends it back to that step.
func TestAuthzSignInStages(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAdmin)
	base, _ := url.Parse(e.ts.URL)
	for _, tc := range []struct {
		state greyline.SessionState
		step  string
	}{
		{greyline.SessionNeeds2FA, "/login/2fa"},
		{greyline.SessionNeedsEnrolment, "/login/enrol"},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			tok, sess, err := e.db.CreateSession(e.sys, u.ID, tc.state)
			if err != nil {
				t.Fatal(err)
			}
			c := e.client()
			c.http.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: tok, Path: "/"}})
			f := &authzFixture{e: e}
			csrf := encodeMAC(e.srv.keys.MAC("csrf-session", sess.CSRF))
			other := "/login/enrol"
			if tc.step == other {
				other = "/login/2fa"
			}
			for _, r := range []struct {
				method, path string
				api          bool
				w            outcome
				to           string // for redirects to the step
			}{
				{"GET", tc.step, false, allowed, ""},
				{"GET", other, false, "", tc.step},
				{"GET", "/account", false, "", tc.step},
				{"GET", "/admin/users", false, "", tc.step},
				{"GET", "/login", false, allowed, ""},
				{"GET", "/", false, allowed, ""},
				{"POST", other, false, mustSignIn, ""},
				{"POST", "/account/tokens", false, mustSignIn, ""},
				{"POST", "/admin/orgs", false, mustSignIn, ""},
				{"GET", "/api/v1/me", true, mustSignIn, ""},
			} {
				var res authzResult
				if r.api {
					req, _ := http.NewRequest(r.method, e.ts.URL+r.path, nil)
					resp, err := c.http.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					res = resultOf(resp, readBody(t, resp))
				} else {
					res = f.pageRequest(t, c, csrf, r.method, r.path, emptyForm)
				}
				if r.to != "" {
					if res.status != http.StatusSeeOther || res.location != r.to {
						t.Errorf("%s %s at stage %s: want 303 to %s; got %s", r.method, r.path, tc.state, r.to, res)
					}
					continue
				}
				if why := checkOutcome(r.w, r.api, r.method, res); why != "" {
					t.Errorf("%s %s at stage %s: %s (%s); got %s", r.method, r.path, tc.state, r.w, why, res)
				}
			}
			// Signing out works at any stage (the route is stageAny), and
			// ends the session.
			res := f.pageRequest(t, c, csrf, "POST", "/logout", emptyForm)
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login?done=") {
				t.Errorf("POST /logout at stage %s: want 303 to /login?done=…; got %d %q", tc.state, res.status, res.location)
			}
			if _, err := e.db.FindSession(e.sys, tok); err == nil {
				t.Errorf("session at stage %s survived sign-out", tc.state)
			}
		})
	}
}

// TestAuthzSessionOnAPI: the API accepts the session cookie, but a write
// riding on it needs the CSRF header, as a browser could send it unasked.
func TestAuthzSessionOnAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	c := e.client()
	c.login(admin)
	csrf := c.csrf("/")
	send := func(method, path, csrfHeader, body string) authzResult {
		req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrfHeader != "" {
			req.Header.Set("X-CSRF-Token", csrfHeader)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resultOf(resp, readBody(t, resp))
	}
	before := snapshotOf(t, e)
	org := `{"code":"CSRFCO","name":"Csrf Co","kind":"bank"}`
	for _, r := range []struct {
		method, path, csrf, body string
		w                        outcome
	}{
		{"GET", "/api/v1/me", "", "", allowed},
		{"GET", "/api/v1/users", "", "", allowed},
		{"POST", "/api/v1/orgs", "", org, denied},
		{"POST", "/api/v1/orgs", "not-the-token", org, denied},
		{"PATCH", "/api/v1/orgs/" + strconv.FormatInt(e.otherO.ID, 10), "", `{"name":"Hijacked"}`, denied},
	} {
		res := send(r.method, r.path, r.csrf, r.body)
		if why := checkOutcome(r.w, true, r.method, res); why != "" {
			t.Errorf("%s %s with session cookie, CSRF header %q: %s (%s); got %s", r.method, r.path, r.csrf, r.w, why, res)
		}
	}
	if diff := snapshotOf(t, e).diff(before); diff != "" {
		t.Errorf("requests refused for CSRF changed data (-before +after):\n%s", diff)
	}
	if res := send("POST", "/api/v1/orgs", csrf, org); res.status != http.StatusCreated {
		t.Errorf("POST /api/v1/orgs with session cookie and CSRF header: want 201; got %s", res)
	}
}

// TestAuthzHiddenLooksMissing: a record out of scope is answered exactly as
// a record that does not exist, so that ids cannot be probed. (The record
// loaders once passed on the store's own "User not found.", which told a
// non-admin which ids exist; asMissing in server/middleware.go fixed it.)
func TestAuthzHiddenLooksMissing(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleReviewer)
	other := e.user(e.otherO, greyline.RoleReviewer)
	tok := e.token(u, greyline.ScopeRead, greyline.ScopeWrite)
	c := e.client()
	c.login(u)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, pair := range [][2]string{
		{"/api/v1/users/" + id(other.ID), "/api/v1/users/999999"},
		{"/api/v1/orgs/" + id(e.otherO.ID), "/api/v1/orgs/999999"},
		{"/api/v1/users/" + id(other.ID), "/api/v1/users/not-a-number"},
	} {
		var got [2]Problem
		for i, path := range pair {
			resp, body := e.api("GET", path, tok, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s: %d, want 404", path, resp.StatusCode)
			}
			if err := json.Unmarshal(body, &got[i]); err != nil {
				t.Fatal(err)
			}
			got[i].RequestID, got[i].Instance = "", ""
		}
		if diff := cmp.Diff(got[1], got[0]); diff != "" {
			t.Errorf("hidden %s and missing %s differ (-missing +hidden):\n%s", pair[0], pair[1], diff)
		}
	}
	for _, pair := range [][2]string{
		{"/admin/users/" + id(other.ID), "/admin/users/999999"},
		{"/admin/orgs/" + id(e.otherO.ID), "/admin/orgs/999999"},
	} {
		var got [2]string
		for i, path := range pair {
			resp, body := c.get(path)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s: %d, want 404", path, resp.StatusCode)
			}
			// The page differs only in its request reference, if shown.
			got[i] = regexp.MustCompile(`[0-9a-f]{16}`).ReplaceAllString(body, "")
		}
		if got[0] != got[1] {
			t.Errorf("hidden %s and missing %s render differently", pair[0], pair[1])
		}
	}
}

// TestAuthzLicenceEnforce: suspending, revoking and reinstating is for
// reviewers and investigators of PTA and NCCIA only, on any licence.
func TestAuthzLicenceEnforce(t *testing.T) {
	e := newEnv(t)
	decider := e.user(e.seeded("SA"), greyline.RoleReviewer)
	l := newStoreLicensee(t, e, e.org("MARGALLA", greyline.OrgBusiness, false), "Islamabad", greyline.Resources{}, decider)
	path := "/api/v1/licences/" + strconv.FormatInt(l.lic.ID, 10) + "/status"
	f := &authzFixture{e: e}
	rw := []string{greyline.ScopeRead, greyline.ScopeWrite}
	for _, tc := range []struct {
		org    string
		role   greyline.Role
		scopes []string
		w      outcome
	}{
		{"NCCIA", greyline.RoleReviewer, rw, allowed},
		{"PTA", greyline.RoleReviewer, rw, allowed},
		{"NCCIA", greyline.RoleInvestigator, rw, allowed},
		{"PTA", greyline.RoleInvestigator, rw, allowed},
		{"NCCIA", greyline.RoleReviewer, []string{greyline.ScopeRead}, denied},
		{"PSEB", greyline.RoleReviewer, rw, denied},
		{"SA", greyline.RoleReviewer, rw, denied},
		{"SECP", greyline.RoleInvestigator, rw, denied},
		{"NCCIA", greyline.RoleInspector, rw, denied},
		{"NCCIA", greyline.RoleAnalyst, rw, denied},
		{"NCCIA", greyline.RoleAdmin, rw, denied},
		{"PTA", greyline.RoleHelpline, rw, denied},
		{"MARGALLA", greyline.RoleApplicant, rw, denied},
	} {
		u := e.user(e.seeded(tc.org), tc.role)
		if tc.org == "MARGALLA" {
			u = l.applicant
		}
		// The minimal body is refused (400) once authorised.
		res := f.apiRequest(t, e.token(u, tc.scopes...), "POST", path, emptyJSON)
		if why := checkOutcome(tc.w, true, "POST", res); why != "" {
			t.Errorf("POST %s as %s of %s with scopes %v: %s (%s); got %s", path, tc.role, tc.org, tc.scopes, tc.w, why, res)
		}
	}
	if lic, err := e.db.FindLicence(e.sys, l.lic.ID); err != nil || lic.Status != greyline.LicenceProvisional || lic.Version != l.lic.Version {
		t.Errorf("licence changed by refused requests: %v %+v", err, lic)
	}
}

// TestAuthzLicensingCrossRecord: a second path parameter ({pid}, {sid})
// naming another business's person or site is not found, whatever the
// business in the path; and a record out of scope looks exactly missing.
func TestAuthzLicensingCrossRecord(t *testing.T) {
	e := newEnv(t)
	decider := e.user(e.seeded("PTA"), greyline.RoleReviewer)
	own := newStoreLicensee(t, e, e.noTFA, "Islamabad", greyline.Resources{}, decider)
	other := newStoreLicensee(t, e, e.org("OTHERBIZ", greyline.OrgBusiness, false), "Lahore", greyline.Resources{}, decider)
	// The other business also has a person without documents and a site never licensed.
	spare := &greyline.Person{BusinessID: other.biz.ID, Name: "Spare", Role: greyline.KeyPersonnel, CNIC: "61101-7654321-3"}
	if err := e.db.SavePerson(other.ctx, spare); err != nil {
		t.Fatal(err)
	}
	spareSite := &greyline.Site{BusinessID: other.biz.ID, Address: "2 Mall Road", City: "Lahore", Province: "Punjab"}
	if err := e.db.SaveSite(other.ctx, spareSite); err != nil {
		t.Fatal(err)
	}
	tok := e.token(own.applicant, greyline.ScopeRead, greyline.ScopeWrite)
	admin := e.token(e.user(e.noTFA, greyline.RoleAdmin), greyline.ScopeRead, greyline.ScopeWrite)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	ownBiz := "/api/v1/businesses/" + id(own.biz.ID)
	person := map[string]any{"name": "Renamed", "role": "director", "cnic": "35202-7654321-9"}
	site := map[string]any{"address": "Moved", "city": "Lahore", "province": "Punjab"}

	for _, tc := range []struct {
		name, token, method, path string
		body                      any
	}{
		{"reveal another business's person", tok, "GET", ownBiz + "/persons/" + id(other.person.ID), nil},
		{"update another business's person", tok, "PUT", ownBiz + "/persons/" + id(other.person.ID), person},
		{"delete another business's person without documents", tok, "DELETE", ownBiz + "/persons/" + id(spare.ID), nil},
		{"delete another business's person with documents", tok, "DELETE", ownBiz + "/persons/" + id(other.person.ID), nil},
		{"admin deletes a person through the wrong business", admin, "DELETE", ownBiz + "/persons/" + id(other.person.ID), nil},
		{"update another business's site", tok, "PUT", ownBiz + "/sites/" + id(other.site.ID), site},
		{"delete another business's unlicensed site", tok, "DELETE", ownBiz + "/sites/" + id(spareSite.ID), nil},
		{"delete another business's licensed site", tok, "DELETE", ownBiz + "/sites/" + id(other.site.ID), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.api(tc.method, tc.path, tc.token, tc.body)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404\n%s", tc.method, tc.path, resp.StatusCode, b)
			}
		})
	}
	// Nothing of the other business changed.
	ps, _ := e.db.ListPersons(e.sys, other.biz.ID)
	ss, _ := e.db.ListSites(e.sys, other.biz.ID)
	if len(ps) != 2 || len(ss) != 2 || ps[0].Name != other.person.Name || ss[0].Address != other.site.Address {
		t.Errorf("the other business changed: persons %+v, sites %+v", ps, ss)
	}

	// Hidden looks exactly like missing.
	app := other.app.ID
	docs, _ := e.db.ListDocuments(e.sys, app)
	tasks, _ := e.db.TasksOf(e.sys, app)
	var ptaTask int64
	for _, tk := range tasks {
		if tk.OrgCode == "PTA" {
			ptaTask = tk.ID
		}
	}
	nccia := e.token(e.user(e.seeded("NCCIA"), greyline.RoleReviewer), greyline.ScopeRead, greyline.ScopeWrite)
	for _, pair := range []struct {
		token, hidden, missing string
	}{
		{tok, "/api/v1/businesses/" + id(other.biz.ID), "/api/v1/businesses/999999"},
		{tok, "/api/v1/businesses/" + id(other.biz.ID) + "/persons", "/api/v1/businesses/999999/persons"},
		{tok, "/api/v1/applications/" + id(app), "/api/v1/applications/999999"},
		{tok, "/api/v1/documents/" + id(docs[0].ID), "/api/v1/documents/999999"},
		{tok, "/api/v1/licences/" + id(other.lic.ID), "/api/v1/licences/999999"},
		{tok, "/api/v1/licences/" + id(other.lic.ID), "/api/v1/licences/not-a-number"},
		{nccia, "/api/v1/tasks/" + id(ptaTask), "/api/v1/tasks/999999"},
	} {
		var got [2]Problem
		for i, path := range []string{pair.hidden, pair.missing} {
			resp, body := e.api("GET", path, pair.token, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s: %d, want 404", path, resp.StatusCode)
			}
			if err := json.Unmarshal(body, &got[i]); err != nil {
				t.Fatal(err)
			}
			got[i].RequestID, got[i].Instance = "", ""
		}
		if diff := cmp.Diff(got[1], got[0]); diff != "" {
			t.Errorf("hidden %s and missing %s differ (-missing +hidden):\n%s", pair.hidden, pair.missing, diff)
		}
	}
}
