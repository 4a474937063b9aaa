package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

// ownBusinessRecord makes the caller's organisation the record of the
// /business pages, which always address the caller's own business.
func (s *Server) ownBusinessRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return &access.Record{OrgID: c.user.OrgID}, nil
}

type businessPage struct {
	Page
	Business     *greyline.Business
	Persons      []*greyline.Person
	Sites        []*greyline.Site
	Applications []*greyline.Application
	Licences     []*greyline.Licence
	Form         businessForm
	Kinds        []greyline.BusinessKind
	Forms        []greyline.LegalForm
	Roles        []greyline.PersonRole
	Provinces    []greyline.Province
	CanEdit      bool
}

// businessForm echoes the business form's fields.
type businessForm struct {
	LegalName, TradeName, SECPNumber, NTN, PSEBNumber, RegisteredAddress, ClientCountries string
	Kind                                                                                  greyline.BusinessKind
	LegalForm                                                                             greyline.LegalForm
	InboundPercent                                                                        int
	Version                                                                               int
}

func formOf(b *greyline.Business) businessForm {
	return businessForm{LegalName: b.LegalName, TradeName: b.TradeName, SECPNumber: b.SECPNumber, NTN: b.NTN, PSEBNumber: b.PSEBNumber,
		RegisteredAddress: b.RegisteredAddress, ClientCountries: strings.Join(b.ClientCountries, ", "), Kind: b.Kind, LegalForm: b.LegalForm,
		InboundPercent: b.InboundPercent, Version: b.Version}
}

func (s *Server) loadBusinessPage(r *http.Request, c *reqCtx, b *greyline.Business) (*businessPage, error) {
	p := &businessPage{Page: s.page(c, "Business"), Business: b, Kinds: greyline.BusinessKinds, Forms: greyline.LegalForms,
		Roles: greyline.PersonRoles, Provinces: greyline.Provinces}
	p.Flash = flash(r)
	if b == nil {
		p.Title = "Register your business"
		p.CanEdit = c.can(access.BusinessEdit, &access.Record{OrgID: c.user.OrgID})
		p.Form.Kind, p.Form.LegalForm = greyline.CallCentre, greyline.Company
		return p, nil
	}
	ctx := r.Context()
	p.Title, p.Form = b.TradeName, formOf(b)
	p.CanEdit = c.can(access.BusinessEdit, &access.Record{OrgID: b.OrgID})
	var err error
	if p.Persons, err = s.businesses.ListPersons(ctx, b.ID); err != nil {
		return nil, err
	}
	if p.Sites, err = s.businesses.ListSites(ctx, b.ID); err != nil {
		return nil, err
	}
	if p.Applications, err = s.applications.ListApplications(ctx, greyline.ApplicationFilter{BusinessID: b.ID}); err != nil {
		return nil, err
	}
	if p.Licences, err = s.licences.ListLicences(ctx, greyline.LicenceFilter{BusinessID: b.ID}); err != nil {
		return nil, err
	}
	return p, nil
}

// myBusiness returns the caller's organisation's business, or nil.
func (s *Server) myBusiness(r *http.Request, c *reqCtx) (*greyline.Business, error) {
	b, err := s.businesses.FindBusinessByOrg(r.Context(), c.user.OrgID)
	if greyline.ErrorCode(err) == greyline.ENOTFOUND {
		return nil, nil
	}
	return b, err
}

func (s *Server) businessHome(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	b, err := s.myBusiness(r, c)
	if err != nil {
		return err
	}
	p, err := s.loadBusinessPage(r, c, b)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "business", p)
	return nil
}

// businessView shows any business to staff allowed to see it.
func (s *Server) businessView(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	b, err := s.businesses.FindBusinessByID(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := s.loadBusinessPage(r, c, b)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "business", p)
	return nil
}

func (s *Server) businessSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var v greyline.Validation
	b := &greyline.Business{OrgID: c.user.OrgID, LegalName: r.PostFormValue("legal_name"), TradeName: r.PostFormValue("trade_name"),
		Kind: greyline.BusinessKind(r.PostFormValue("kind")), LegalForm: greyline.LegalForm(r.PostFormValue("legal_form")),
		SECPNumber: r.PostFormValue("secp_number"), NTN: r.PostFormValue("ntn"), PSEBNumber: r.PostFormValue("pseb_number"),
		RegisteredAddress: r.PostFormValue("registered_address"), InboundPercent: formInt(r, "inbound_percent", 0, &v),
		ClientCountries: strings.FieldsFunc(r.PostFormValue("client_countries"), func(r rune) bool { return r == ',' || r == ' ' }),
		Version:         formInt(r, "version", 0, &v)}
	cur, err := s.myBusiness(r, c)
	if err != nil {
		return err
	}
	err = v.Err()
	if err == nil {
		if cur == nil {
			err = s.businesses.CreateBusiness(r.Context(), b)
		} else {
			b.ID = cur.ID
			err = s.businesses.UpdateBusiness(r.Context(), b)
		}
	}
	if err != nil {
		p, perr := s.loadBusinessPage(r, c, cur)
		if perr != nil {
			return perr
		}
		p.Form = formOf(b)
		if cur != nil {
			p.Form.Version = cur.Version
		}
		return s.formError(w, r, c, "business", p, err)
	}
	return redirect(w, r, "/business?done=business-saved")
}

// businessChild runs fn on the caller's business, then goes to the page fn
// names (or back to the business page with a done message).
func (s *Server) businessChild(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(b *greyline.Business) (string, error)) error {
	if err := parseForm(r); err != nil {
		return err
	}
	b, err := s.myBusiness(r, c)
	if err != nil {
		return err
	}
	if b == nil {
		return greyline.Errorf(greyline.ECONFLICT, "Register your business first.")
	}
	to, err := fn(b)
	if err != nil {
		p, perr := s.loadBusinessPage(r, c, b)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "business", p, err)
	}
	if to == "" {
		to = "/business?done=" + done
	}
	return redirect(w, r, to)
}

func (s *Server) personSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.businessChild(w, r, c, "person-saved", func(b *greyline.Business) (string, error) {
		return "", s.businesses.SavePerson(r.Context(), &greyline.Person{BusinessID: b.ID, Name: r.PostFormValue("name"), Role: greyline.PersonRole(r.PostFormValue("role")),
			CNIC: r.PostFormValue("cnic"), Passport: r.PostFormValue("passport"), Nationality: r.PostFormValue("nationality")})
	})
}

func (s *Server) personDeleteSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return s.businessChild(w, r, c, "person-removed", func(b *greyline.Business) (string, error) {
		return "", s.businesses.DeletePerson(r.Context(), b.ID, pid)
	})
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) siteSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.businessChild(w, r, c, "site-saved", func(b *greyline.Business) (string, error) {
		var v greyline.Validation
		site := &greyline.Site{BusinessID: b.ID, Address: r.PostFormValue("address"), City: r.PostFormValue("city"), Province: greyline.Province(r.PostFormValue("province")),
			Seats: formInt(r, "seats", 0, &v), Staff: formInt(r, "staff", 0, &v), ForeignStaff: formInt(r, "foreign_staff", 0, &v), MainOffice: r.PostFormValue("main_office") == "on"}
		res := &site.Resources
		res.Numbers, res.IPRanges, res.Domains, res.Apps, res.SIPProviders = lines(r.PostFormValue("numbers")), lines(r.PostFormValue("ip_ranges")),
			lines(r.PostFormValue("domains")), lines(r.PostFormValue("apps")), lines(r.PostFormValue("sip_providers"))
		for i, l := range lines(r.PostFormValue("ranges")) {
			a, z, ok := strings.Cut(l, " to ")
			if !ok {
				a, z, ok = strings.Cut(l, "..")
			}
			if !ok {
				v.Add(fmt.Sprintf("resources.ranges[%d]", i), "write a range as START to END")
				continue
			}
			res.Ranges = append(res.Ranges, greyline.NumberRange{Start: a, End: z})
		}
		if err := v.Err(); err != nil {
			return "", err
		}
		return "", s.businesses.SaveSite(r.Context(), site)
	})
}

func (s *Server) siteDeleteSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	return s.businessChild(w, r, c, "site-removed", func(b *greyline.Business) (string, error) {
		return "", s.businesses.DeleteSite(r.Context(), b.ID, sid)
	})
}

func (s *Server) applicationCreateSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.businessChild(w, r, c, "", func(b *greyline.Business) (string, error) {
		var ids []int64
		for _, x := range r.PostForm["licence_ids"] {
			if id, err := strconv.ParseInt(x, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		app, err := s.applications.CreateApplication(r.Context(), b.ID, greyline.ApplicationKind(r.PostFormValue("kind")), ids)
		if err != nil {
			return "", err
		}
		return "/applications/" + strconv.FormatInt(app.ID, 10), nil
	})
}
