package server

import (
	"net/http"
	"strings"

	"github.com/greyline/greyline"
)

type accountPage struct {
	Page
	Org      *greyline.Org
	Tokens   []*greyline.APIToken
	Scopes   []string
	NewToken string // the secret, shown once
	Created  *greyline.APIToken
}

func (s *Server) account(r *http.Request, c *reqCtx) (*accountPage, error) {
	ctx := r.Context()
	org, err := s.orgs.FindOrgByID(ctx, c.user.OrgID)
	if err != nil {
		return nil, err
	}
	toks, err := s.auth.ListAPITokens(ctx, c.user.ID)
	if err != nil {
		return nil, err
	}
	p := &accountPage{Page: s.page(c, "My account"), Org: org, Tokens: toks, Scopes: greyline.Scopes}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.account(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "account", p)
	return nil
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if !s.limits.allow("password:"+c.ip, s.cfg.LoginRate) {
		return errTooManyAttempts
	}
	err := s.users.ChangePassword(r.Context(), c.user.ID, r.PostFormValue("current_password"), r.PostFormValue("new_password"))
	if err != nil {
		p, perr := s.account(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "account", p, err)
	}
	// Changing the password ends every session, this one included.
	s.clearCookie(w, sessionCookie)
	return redirect(w, r, "/login?done=password-change")
}

func (s *Server) account2FAPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &codePage{Page: s.page(c, "Two-step verification")}
	if !c.user.TOTPEnabled {
		if err := s.enrolment(r, c, p); err != nil {
			return err
		}
	}
	s.render(w, r, c, http.StatusOK, "account_2fa", p)
	return nil
}

func (s *Server) account2FASubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := &codePage{Page: s.page(c, "Two-step verification")}
	codes, err := s.auth.ConfirmTOTPEnrolment(r.Context(), c.user.ID, r.PostFormValue("code"))
	if err != nil {
		if greyline.ErrorCode(err) == greyline.EINVALID {
			if e := s.enrolment(r, c, p); e != nil {
				return e
			}
		}
		return s.formError(w, r, c, "account_2fa", p, err)
	}
	p.Title = "Save your recovery codes"
	p.RecoveryCodes = codes
	p.Next = "/account"
	s.render(w, r, c, http.StatusOK, "recovery_codes", p)
	return nil
}

func (s *Server) tokenCreateSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var v greyline.Validation
	n := greyline.NewAPIToken{Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: r.PostForm["scopes"], ExpiresIn: formInt(r, "expires_in_days", 90, &v)}
	err := v.Err()
	var secret string
	var tok *greyline.APIToken
	if err == nil {
		secret, tok, err = s.auth.CreateAPIToken(r.Context(), c.user.ID, n)
	}
	p, perr := s.account(r, c)
	if perr != nil {
		return perr
	}
	if err != nil {
		return s.formError(w, r, c, "account", p, err)
	}
	p.NewToken, p.Created = secret, tok
	s.render(w, r, c, http.StatusOK, "account", p)
	return nil
}

func (s *Server) tokenRevokeSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	defer s.tokens.forget()
	if err := s.auth.RevokeAPIToken(r.Context(), c.user.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/account?done=token-revoked")
}
