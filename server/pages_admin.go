package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

type usersPage struct {
	Page
	Users  []*greyline.User
	Total  int
	Query  string
	OrgID  int64
	Orgs   []*greyline.Org
	Offset int
	Next   int
	Prev   int
}

const usersPerPage = 50

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var v greyline.Validation
	q := r.URL.Query()
	f := greyline.UserFilter{Query: q.Get("q"), OrgID: queryInt64(r, "org", &v), Limit: usersPerPage, Offset: int(queryInt64(r, "offset", &v))}
	if err := v.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	users, total, err := s.users.ListUsers(ctx, f)
	if err != nil {
		return err
	}
	orgs, err := s.orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	p := &usersPage{Page: s.page(c, "Users"), Users: users, Total: total, Query: f.Query, OrgID: f.OrgID, Orgs: orgs, Offset: f.Offset, Next: -1, Prev: -1}
	if f.Offset+usersPerPage < total {
		p.Next = f.Offset + usersPerPage
	}
	if f.Offset > 0 {
		p.Prev = max(0, f.Offset-usersPerPage)
	}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "users", p)
	return nil
}

type userFormPage struct {
	Page
	Orgs  []*greyline.Org
	Roles []greyline.Role
	Form  greyline.NewUser
}

func (s *Server) userNewPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	orgs, err := s.orgs.ListOrgs(r.Context())
	if err != nil {
		return err
	}
	p := &userFormPage{Page: s.page(c, "New user"), Orgs: orgs, Roles: greyline.Roles}
	s.render(w, r, c, http.StatusOK, "user_new", p)
	return nil
}

func (s *Server) userCreateSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	orgs, err := s.orgs.ListOrgs(r.Context())
	if err != nil {
		return err
	}
	p := &userFormPage{Page: s.page(c, "New user"), Orgs: orgs, Roles: greyline.Roles}
	var v greyline.Validation
	p.Form = greyline.NewUser{OrgID: formID(r, "org_id", &v), Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Roles: formRoles(r), Password: r.PostFormValue("password")}
	if err := v.Err(); err != nil {
		// Report every problem at once: merge with the model's own checks.
		if verr := p.Form.Validate(); verr != nil {
			for _, f := range greyline.ErrorFields(verr) {
				if !v.Has(f.Field) && f.Field != "org_id" {
					v.Add(f.Field, f.Reason)
				}
			}
		}
		return s.formError(w, r, c, "user_new", p, v.Err())
	}
	u, err := s.users.CreateUser(r.Context(), p.Form)
	if err != nil {
		p.Form.Password = ""
		return s.formError(w, r, c, "user_new", p, err)
	}
	return redirect(w, r, fmt.Sprintf("/admin/users/%d?done=user-created", u.ID))
}

type userPage struct {
	Page
	Subject *greyline.User
	Org     *greyline.Org
	Roles   []greyline.Role
	Self    bool
}

func (s *Server) loadUserPage(r *http.Request, c *reqCtx) (*userPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	u, err := s.users.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	org, err := s.orgs.FindOrgByID(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	p := &userPage{Page: s.page(c, u.Name), Subject: u, Org: org, Roles: greyline.Roles, Self: u.ID == c.user.ID}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadUserPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "user", p)
	return nil
}

// userAction runs an admin action on the user in the path and returns to the user's page.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		p, perr := s.loadUserPage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "user", p, err)
	}
	return redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(done))
}

var errSelfDisable = greyline.Errorf(greyline.ECONFLICT, "You cannot disable your own account.")

func (s *Server) userDisableSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userAction(w, r, c, "user-disabled", func(id int64) error {
		if id == c.user.ID {
			return errSelfDisable
		}
		defer s.tokens.forget()
		return s.users.SetUserDisabled(r.Context(), id, true)
	})
}

func (s *Server) userEnableSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userAction(w, r, c, "user-enabled", func(id int64) error { return s.users.SetUserDisabled(r.Context(), id, false) })
}

func (s *Server) userRolesSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userAction(w, r, c, "roles-saved", func(id int64) error {
		defer s.tokens.forget()
		return s.users.SetUserRoles(r.Context(), id, formRoles(r))
	})
}

func (s *Server) userResetPasswordSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userAction(w, r, c, "password-reset", func(id int64) error { return s.users.ResetPassword(r.Context(), id, r.PostFormValue("password")) })
}

func (s *Server) userReset2FASubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userAction(w, r, c, "2fa-reset", func(id int64) error { return s.users.ResetTOTP(r.Context(), id) })
}

type orgsPage struct {
	Page
	Orgs  []*greyline.Org
	Kinds []greyline.OrgKind
	Form  greyline.Org
}

func (s *Server) orgsList(r *http.Request, c *reqCtx) (*orgsPage, error) {
	orgs, err := s.orgs.ListOrgs(r.Context())
	if err != nil {
		return nil, err
	}
	p := &orgsPage{Page: s.page(c, "Organisations"), Orgs: orgs, Kinds: greyline.OrgKinds, Form: greyline.Org{Kind: greyline.OrgBusiness}}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.orgsList(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "orgs", p)
	return nil
}

func (s *Server) orgCreateSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p, err := s.orgsList(r, c)
	if err != nil {
		return err
	}
	p.Form = greyline.Org{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: greyline.OrgKind(r.PostFormValue("kind")), Require2FA: r.PostFormValue("require_2fa") == "on"}
	o := p.Form
	if err := s.orgs.CreateOrg(r.Context(), &o); err != nil {
		return s.formError(w, r, c, "orgs", p, err)
	}
	return redirect(w, r, "/admin/orgs?done=org-created")
}

type orgPage struct {
	Page
	Org     *greyline.Org
	Users   []*greyline.User
	CanEdit bool
}

func (s *Server) loadOrgPage(r *http.Request, c *reqCtx) (*orgPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	org, err := s.orgs.FindOrgByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &orgPage{Page: s.page(c, org.Name), Org: org, CanEdit: c.can(access.OrgEdit, &access.Record{OrgID: id})}
	if c.can(access.UserList, nil) {
		if p.Users, _, err = s.users.ListUsers(ctx, greyline.UserFilter{OrgID: id, Limit: 200}); err != nil {
			return nil, err
		}
	}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadOrgPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "org", p)
	return nil
}

func (s *Server) orgUpdateSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	name := r.PostFormValue("name")
	req := r.PostFormValue("require_2fa") == "on"
	if _, err := s.orgs.UpdateOrg(r.Context(), id, greyline.OrgUpdate{Name: &name, Require2FA: &req}); err != nil {
		p, perr := s.loadOrgPage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "org", p, err)
	}
	return redirect(w, r, "/admin/orgs/"+strconv.FormatInt(id, 10)+"?done=org-saved")
}
