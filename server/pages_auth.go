package server

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/greyline/greyline"
)

type homePage struct {
	Page
	Orgs int
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &homePage{Page: s.page(c, "greyline")}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "home", p)
	return nil
}

type loginPage struct {
	Page
	Email string
	Next  string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &loginPage{Page: s.page(c, "Sign in"), Next: safeNext(r.URL.Query().Get("next"))}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "login", p)
	return nil
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := &loginPage{Page: s.page(c, "Sign in"), Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	if !s.limits.allow("login:"+c.ip, s.cfg.LoginRate) {
		return s.formError(w, r, c, "login", p, errTooManyAttempts)
	}
	ctx := r.Context()
	u, err := s.auth.Authenticate(ctx, p.Email, r.PostFormValue("password"))
	if err != nil {
		return s.formError(w, r, c, "login", p, err)
	}
	org, err := s.orgs.FindOrgByID(ctx, u.OrgID)
	if err != nil {
		return err
	}
	state := greyline.SessionFull
	switch {
	case u.TOTPEnabled:
		state = greyline.SessionNeeds2FA
	case org.Require2FA:
		state = greyline.SessionNeedsEnrolment
	}
	if c.sessionTok != "" {
		s.auth.DeleteSession(ctx, c.sessionTok)
	}
	tok, _, err := s.auth.CreateSession(ctx, u.ID, state)
	if err != nil {
		return err
	}
	s.startSession(w, tok)
	if state == greyline.SessionFull {
		return redirect(w, r, p.Next)
	}
	return redirect(w, r, stepURL(state)+"?next="+url.QueryEscape(p.Next))
}

type codePage struct {
	Page
	Next string
	// Enrolment only:
	QR      template.URL
	Secret  string
	Account string
	// Shown once, after enrolment:
	RecoveryCodes []string
}

func (s *Server) secondFactorPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &codePage{Page: s.page(c, "Two-step verification"), Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, c, http.StatusOK, "login_2fa", p)
	return nil
}

func (s *Server) secondFactorSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := &codePage{Page: s.page(c, "Two-step verification"), Next: safeNext(r.PostFormValue("next"))}
	if !s.limits.allow("login:"+c.ip, s.cfg.LoginRate) {
		return s.formError(w, r, c, "login_2fa", p, errTooManyAttempts)
	}
	ctx := r.Context()
	if err := s.auth.VerifySecondFactor(ctx, c.user.ID, r.PostFormValue("code")); err != nil {
		if greyline.ErrorCode(err) == greyline.EUNAUTHENTICATED {
			err = greyline.Invalid("code", "is not correct; enter the current code from your app, or a recovery code")
		}
		return s.formError(w, r, c, "login_2fa", p, err)
	}
	tok, _, err := s.auth.PromoteSession(ctx, c.sessionTok, greyline.SessionFull)
	if err != nil {
		return err
	}
	s.startSession(w, tok)
	return redirect(w, r, p.Next)
}

func (s *Server) enrolment(r *http.Request, c *reqCtx, p *codePage) error {
	en, err := s.auth.BeginTOTPEnrolment(r.Context(), c.user.ID)
	if err != nil {
		return err
	}
	p.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRPNG))
	p.Secret, p.Account = en.Secret, en.Account
	return nil
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &codePage{Page: s.page(c, "Set up two-step verification"), Next: safeNext(r.URL.Query().Get("next"))}
	if err := s.enrolment(r, c, p); err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "login_enrol", p)
	return nil
}

func (s *Server) enrolSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := &codePage{Page: s.page(c, "Set up two-step verification"), Next: safeNext(r.PostFormValue("next"))}
	codes, err := s.auth.ConfirmTOTPEnrolment(ctx, c.user.ID, r.PostFormValue("code"))
	if err != nil {
		if e := s.enrolment(r, c, p); e != nil {
			return e
		}
		return s.formError(w, r, c, "login_enrol", p, err)
	}
	tok, _, err := s.auth.PromoteSession(ctx, c.sessionTok, greyline.SessionFull)
	if err != nil {
		return err
	}
	s.startSession(w, tok)
	// The new session's CSRF token and navigation apply from here on.
	sess, err := s.auth.FindSession(ctx, tok)
	if err != nil {
		return err
	}
	c.session, c.sessionTok = sess, tok
	c.subject = subjectOf(c.user)
	c.csrf = encodeMAC(s.keys.MAC("csrf-session", sess.CSRF))
	p.Page = s.page(c, "Save your recovery codes")
	p.RecoveryCodes = codes
	s.render(w, r, c, http.StatusOK, "recovery_codes", p)
	return nil
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.sessionTok != "" {
		if err := s.auth.DeleteSession(r.Context(), c.sessionTok); err != nil {
			return err
		}
	}
	s.clearCookie(w, sessionCookie)
	return redirect(w, r, "/login?done=signed-out")
}

type setupPage struct {
	Page
	Token string
	Orgs  []*greyline.Org
	Form  greyline.NewUser
}

func (s *Server) setupForm(r *http.Request, c *reqCtx) (*setupPage, error) {
	tok := r.PathValue("token")
	if !s.auth.SetupTokenValid(r.Context(), tok) {
		return nil, greyline.Errorf(greyline.ENOTFOUND, "This set-up link is invalid or has already been used.")
	}
	orgs, err := s.orgs.ListOrgs(r.Context())
	if err != nil {
		return nil, err
	}
	return &setupPage{Page: s.page(c, "Set up greyline"), Token: tok, Orgs: orgs}, nil
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.setupForm(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "setup", p)
	return nil
}

func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if !s.limits.allow("setup:"+c.ip, s.cfg.LoginRate) {
		return errTooManyAttempts
	}
	p, err := s.setupForm(r, c)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p.Form = greyline.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Password: r.PostFormValue("password")}
	var v greyline.Validation
	p.Form.OrgID = formID(r, "org_id", &v)
	if err := v.Err(); err != nil {
		return s.formError(w, r, c, "setup", p, err)
	}
	if _, err := s.auth.CompleteSetup(r.Context(), p.Token, p.Form); err != nil {
		return s.formError(w, r, c, "setup", p, err)
	}
	return redirect(w, r, "/login?done=setup-done")
}
