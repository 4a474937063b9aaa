package server

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/certificate"
)

// certificatePDF renders a licence's signed certificate.
func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	ctx := r.Context()
	l, err := s.licences.FindLicence(ctx, id)
	if err != nil {
		return err
	}
	if !l.Status.Holds() || l.Status == greyline.LicenceSuspended {
		return greyline.Errorf(greyline.ECONFLICT, "A certificate is issued only for a provisional or active licence; this one is %s.", l.Status)
	}
	b, err := s.businesses.FindBusinessByID(ctx, l.BusinessID)
	if err != nil {
		return err
	}
	var site *greyline.Site
	sites, err := s.businesses.ListSites(ctx, l.BusinessID)
	if err != nil {
		return err
	}
	for _, x := range sites {
		if x.ID == l.SiteID {
			site = x
		}
	}
	if site == nil {
		return greyline.Internal(errors.New("licence site missing"))
	}
	claims := certificate.Claims{LicenceNumber: l.Number, TradeName: l.TradeName, City: l.City, Kind: string(l.Kind),
		ValidFrom: l.ValidFrom.Truncate(time.Second), ValidUntil: l.ValidUntil.Truncate(time.Second), IssuedAt: s.now().UTC().Truncate(time.Second)}
	token, err := certificate.Sign(s.signing.Current(), claims)
	if err != nil {
		return greyline.Internal(err)
	}
	parsed, err := certificate.Verify(token, s.signing.Lookup)
	if err != nil {
		return greyline.Internal(err)
	}
	var buf bytes.Buffer
	if err := certificate.Render(&buf, certificate.Certificate{Claims: parsed, Token: token, VerifyURL: certificate.VerificationURL(s.cfg.PublicURL, token),
		LegalName: b.LegalName, Address: site.Address, Province: string(site.Province), Seats: site.Seats, Provisional: l.Status == greyline.LicenceProvisional}); err != nil {
		return greyline.Internal(err)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+l.Number+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}

// CertificateCheck is the result of verifying a certificate: the signature
// first, offline, then the licence's current status.
type CertificateCheck struct {
	SignatureValid bool                `json:"signature_valid"`
	Problem        string              `json:"problem,omitempty"`
	Claims         *certificate.Claims `json:"claims,omitempty"`
	Current        *PublicLicence      `json:"current,omitempty"`
	// InForce is true only for a valid signature on a licence that is
	// provisional or active today.
	InForce bool `json:"in_force"`
}

func (s *Server) checkCertificate(raw string) CertificateCheck {
	token, ok := certificate.TokenFromURL(raw)
	if !ok {
		return CertificateCheck{Problem: certificate.ErrMalformed.Error()}
	}
	claims, err := certificate.Verify(token, s.signing.Lookup)
	if err != nil {
		return CertificateCheck{Problem: err.Error()}
	}
	out := CertificateCheck{SignatureValid: true, Claims: &claims}
	if l, ok := s.registry.idx.View().ByNumber(claims.LicenceNumber); ok {
		out.Current = &PublicLicence{l.Number, l.Status, l.TradeName, l.Kind, l.City, l.ValidUntil}
		out.InForce = (l.Status == string(greyline.LicenceActive) || l.Status == string(greyline.LicenceProvisional)) && s.now().Before(l.ValidUntil)
	}
	return out
}

func (s *Server) apiKeys(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	keys := s.signing.Public()
	return writeJSON(w, http.StatusOK, list(keys, len(keys)))
}

func (s *Server) apiCertificateVerify(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if !s.limits.allow("lookup:"+c.ip, s.cfg.LookupRate) {
		return errTooManyAttempts
	}
	return writeJSON(w, http.StatusOK, s.checkCertificate(r.URL.Query().Get("t")))
}

type certificatePage struct {
	Page
	Check *CertificateCheck
}

func (s *Server) certificateVerifyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &certificatePage{Page: s.page(c, "Check a licence certificate")}
	if t := r.URL.Query().Get("t"); t != "" {
		if !s.limits.allow("lookup:"+c.ip, s.cfg.LookupRate) {
			return errTooManyAttempts
		}
		chk := s.checkCertificate(t)
		p.Check = &chk
	}
	s.render(w, r, c, http.StatusOK, "certificate", p)
	return nil
}
