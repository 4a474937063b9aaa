// Package server is greyline's HTTP surface: the JSON API under /api/v1,
// the HTML pages and the embedded static assets. Each surface has one routes
// table; every route names an access.Action that is checked in one place.
package server

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/watch"
	"github.com/prometheus/client_golang/prometheus"
)

// Config holds the HTTP settings.
type Config struct {
	Addr    string // listen address, e.g. "127.0.0.1:8080"
	TLSCert string // optional: serve HTTPS with this certificate…
	TLSKey  string // …and key
	// SecureCookies marks cookies Secure. It is on with TLS, and should be on
	// behind a TLS-terminating proxy.
	SecureCookies bool
	// NetworksFromLog leaves the server's own new complaints to the
	// change-log follower (Follow), which applies them to the networks
	// within its interval, in batches: a request that files a complaint
	// then never waits on the network engine. Without it (or without a
	// follower) they are applied at once, before the request answers.
	NetworksFromLog bool
	// TrustProxy takes the client IP from X-Forwarded-For (only behind a proxy you run).
	TrustProxy   bool
	MaxBodyBytes int64 // request body limit; default 1 MiB
	// MaxUploadBytes is the largest document upload; default 10 MB.
	MaxUploadBytes int64
	// LoginRate is the sign-in attempts allowed per IP per minute; default 10.
	LoginRate int
	// PublicURL is where the public reaches greyline; certificates' QR codes
	// point there. Default: http:// plus Addr.
	PublicURL string
	// ReportRate is the public complaints allowed per IP per minute; default 5.
	ReportRate int
	// LookupRate is the public lookups (and, separately, downloads of the
	// whole registry) allowed per IP per minute; default 120.
	LookupRate      int
	ShutdownTimeout time.Duration // default 15 s
}

// Health reports on the database for /readyz.
type Health interface {
	Ping(ctx context.Context) error
	CheckSchema(ctx context.Context) error
}

// Deps are the services the server uses.
type Deps struct {
	Users  greyline.UserService
	Orgs   greyline.OrgService
	Auth   greyline.AuthService
	Audit  greyline.AuditService
	Health Health
	Keys   *keys.Keys

	// Licensing.
	Businesses   greyline.BusinessService
	Applications greyline.ApplicationService
	Clearance    greyline.ClearanceService
	Licences     greyline.LicenceService
	Registry     greyline.RegistrySource
	Signing      *keys.Keyring // signs licence certificates
	Complaints   greyline.ComplaintService
	// Networks is the live fraud-network index and suspect registry.
	Networks    *fraudnet.Service
	Enforcement greyline.EnforcementService
	Reports     ReportSource
	// Takedowns is takedowns, lending-app lists, the watchlist, alerts and
	// shared indicators; Watch the live reappearance and wallet watch.
	Takedowns greyline.TakedownService
	Watch     *watch.Service
	// Changes, if set, is followed (Follow) to see other servers' writes.
	Changes greyline.ChangeLog
	// Circles are offered when triaging (default greyline.DefaultCircles()).
	Circles *greyline.CircleTable
	// Calendar counts working days (default: fixed public holidays only).
	Calendar *greyline.Calendar
	Logger   *slog.Logger
	Now      greyline.Clock
	// Pools are exported as Prometheus metrics, by name.
	Pools map[string]*sql.DB

	// DataProtection answers subject access requests.
	DataProtection greyline.DataProtectionService
}

// Server serves greyline over HTTP.
type Server struct {
	cfg    Config
	users  greyline.UserService
	orgs   greyline.OrgService
	auth   greyline.AuthService
	audit  greyline.AuditService
	health Health
	keys   *keys.Keys

	businesses   greyline.BusinessService
	applications greyline.ApplicationService
	clearance    greyline.ClearanceService
	licences     greyline.LicenceService
	registry     *registry
	signing      *keys.Keyring
	complaints   greyline.ComplaintService
	calendar     greyline.Calendar
	circles      *greyline.CircleTable
	nets         *fraudnet.Service
	changes      greyline.ChangeLog
	enforcement  greyline.EnforcementService
	takedowns    greyline.TakedownService
	watch        *watch.Service
	tokens       *tokenCache
	reports      ReportSource
	follow       *follower
	log          *slog.Logger
	now          greyline.Clock
	tmpl         *templates
	metrics      *metrics
	limits       *limiter
	routes       []route
	handler      http.Handler

	dataProtection greyline.DataProtectionService
}

// New builds a server. Templates are parsed here, once.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Users == nil || d.Orgs == nil || d.Auth == nil || d.Audit == nil || d.Health == nil || d.Keys == nil ||
		d.Businesses == nil || d.Applications == nil || d.Clearance == nil || d.Licences == nil || d.Registry == nil || d.Signing == nil || d.Complaints == nil || d.Networks == nil || d.Enforcement == nil || d.Reports == nil || d.Takedowns == nil || d.Watch == nil {
		return nil, errors.New("server: missing dependency")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 10 << 20
	}
	if cfg.LoginRate <= 0 {
		cfg.LoginRate = 10
	}
	if cfg.LookupRate <= 0 {
		cfg.LookupRate = 120
	}
	if cfg.ReportRate <= 0 {
		cfg.ReportRate = 5
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Addr
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 15 * time.Second
	}
	if cfg.TLSCert != "" {
		cfg.SecureCookies = true
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	cal := greyline.DefaultCalendar()
	if d.Calendar != nil {
		cal = *d.Calendar
	}
	if d.Circles == nil {
		d.Circles = greyline.DefaultCircles()
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, users: d.Users, orgs: d.Orgs, auth: d.Auth, audit: d.Audit, health: d.Health,
		keys: d.Keys, log: d.Logger, now: d.Now, tmpl: t,
		businesses: d.Businesses, applications: d.Applications, clearance: d.Clearance, licences: d.Licences,
		registry: newRegistry(d.Registry), signing: d.Signing, complaints: d.Complaints, calendar: cal, circles: d.Circles, nets: d.Networks, changes: d.Changes, enforcement: d.Enforcement, reports: d.Reports, takedowns: d.Takedowns, watch: d.Watch,
		metrics: newMetrics(d.Pools),
		limits:  newLimiter(d.Now),
		tokens:  newTokenCache(d.Now),
	}
	s.dataProtection = d.DataProtection
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	return s, nil
}

// Handler returns the root handler with all middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry exposes the server's metrics registry (tests read it).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// ListenAndServe serves until ctx is cancelled, then drains requests in
// flight for up to ShutdownTimeout. ready, if not nil, receives the bound
// address once listening.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if s.cfg.TLSCert != "" {
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down; draining requests in flight", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
