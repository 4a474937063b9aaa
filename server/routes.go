package server

import (
	"io/fs"
	"net/http"

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
	}
}

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
	}
}
