package server

import (
	"net/http"
	"strconv"

	"github.com/greyline/greyline"
)

// listResponse wraps every list so that paging fields can be added later.
type listResponse[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func list[T any](items []T, total int) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	return listResponse[T]{Items: items, Total: total}
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return writeJSON(w, http.StatusOK, c.user)
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var v greyline.Validation
	f := greyline.UserFilter{OrgID: queryInt64(r, "org_id", &v), Query: r.URL.Query().Get("q"), Limit: int(queryInt64(r, "limit", &v)), Offset: int(queryInt64(r, "offset", &v))}
	if err := v.Err(); err != nil {
		return err
	}
	users, total, err := s.users.ListUsers(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(users, total))
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var n greyline.NewUser
	if err := decodeJSON(r, &n); err != nil {
		return err
	}
	u, err := s.users.CreateUser(r.Context(), n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u, err := s.users.FindUserByID(r.Context(), c.record.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// userPatch lists what PATCH /users/{id} may change; absent fields are kept.
type userPatch struct {
	Disabled *bool            `json:"disabled"`
	Roles    *[]greyline.Role `json:"roles"`
}

func (s *Server) apiUserUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var p userPatch
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	id, ctx := c.record.UserID, r.Context()
	if p.Disabled == nil && p.Roles == nil {
		return greyline.Invalid("body", "must change disabled or roles")
	}
	if p.Disabled != nil && *p.Disabled && id == c.user.ID {
		return errSelfDisable
	}
	// Validate everything before changing anything.
	if p.Roles != nil {
		if err := validateRoles(*p.Roles); err != nil {
			return err
		}
	}
	if p.Roles != nil {
		defer s.tokens.forget()
		if err := s.users.SetUserRoles(ctx, id, *p.Roles); err != nil {
			return err
		}
	}
	if p.Disabled != nil {
		defer s.tokens.forget()
		if err := s.users.SetUserDisabled(ctx, id, *p.Disabled); err != nil {
			return err
		}
	}
	u, err := s.users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func validateRoles(roles []greyline.Role) error {
	var v greyline.Validation
	v.Check(len(roles) > 0, "roles", "at least one role is required")
	for _, r := range roles {
		if !r.Valid() {
			v.Add("roles", "unknown role "+strconv.Quote(string(r)))
			break
		}
	}
	return v.Err()
}

func (s *Server) apiUserResetPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var body struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := s.users.ResetPassword(r.Context(), c.record.UserID, body.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiUserReset2FA(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.users.ResetTOTP(r.Context(), c.record.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiOrgs(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	orgs, err := s.orgs.ListOrgs(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(orgs, len(orgs)))
}

func (s *Server) apiOrgCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var o greyline.Org
	var body struct {
		Code       string           `json:"code"`
		Name       string           `json:"name"`
		Kind       greyline.OrgKind `json:"kind"`
		Require2FA bool             `json:"require_2fa"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	o = greyline.Org{Code: body.Code, Name: body.Name, Kind: body.Kind, Require2FA: body.Require2FA}
	if err := s.orgs.CreateOrg(r.Context(), &o); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/orgs/"+strconv.FormatInt(o.ID, 10))
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) apiOrg(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	o, err := s.orgs.FindOrgByID(r.Context(), c.record.OrgID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (s *Server) apiOrgUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var upd greyline.OrgUpdate
	if err := decodeJSON(r, &upd); err != nil {
		return err
	}
	o, err := s.orgs.UpdateOrg(r.Context(), c.record.OrgID, upd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	toks, err := s.auth.ListAPITokens(r.Context(), c.user.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(toks, len(toks)))
}

// createdToken is the only response that ever carries a token's secret.
type createdToken struct {
	*greyline.APIToken
	Token string `json:"token"`
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var n greyline.NewAPIToken
	if err := decodeJSON(r, &n); err != nil {
		return err
	}
	secret, tok, err := s.auth.CreateAPIToken(r.Context(), c.user.ID, n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdToken{tok, secret})
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	defer s.tokens.forget()
	if err := s.auth.RevokeAPIToken(r.Context(), c.user.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, _, err := s.auditFilter(r)
	if err != nil {
		return err
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return greyline.Invalid("limit", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	evs, err := s.audit.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(evs, len(evs)))
}
