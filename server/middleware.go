package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

// reqCtx is the per-request state shared by middleware and handlers.
type reqCtx struct {
	requestID string
	ip        string
	log       *slog.Logger
	route     *route

	subject    access.Subject
	user       *greyline.User // nil when anonymous
	session    *greyline.Session
	sessionTok string
	token      *greyline.APIToken
	record     *access.Record
	csrf       string // token to embed in forms; see csrfToken
	newCSRF    func() string
}

// csrfToken is the token forms must echo, made when first needed: a
// request that shows no form and changes nothing (a lookup) makes none,
// and gets no cookie.
func (c *reqCtx) csrfToken() string {
	if c.csrf == "" && c.newCSRF != nil {
		c.csrf = c.newCSRF()
	}
	return c.csrf
}

type ctxKey struct{}

func reqFrom(r *http.Request) *reqCtx {
	c, _ := r.Context().Value(ctxKey{}).(*reqCtx)
	return c
}

// statusWriter records the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		// The proxy appends the address it saw; earlier entries are the
		// client's own claims and cannot be trusted.
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// buildHandler registers every route on one mux and wraps it with the
// outer middleware: request ID, logging, metrics, panic recovery, headers.
func (s *Server) buildHandler() http.Handler { return s.buildHandlerWith(nil) }

// buildHandlerWith lets tests add handlers (a slow or panicking one) to the mux.
func (s *Server) buildHandlerWith(extra func(*http.ServeMux)) http.Handler {
	mux := http.NewServeMux()
	if extra != nil {
		extra(mux)
	}
	for i := range s.routes {
		rt := &s.routes[i]
		pattern := rt.Path
		if rt.Method != "" {
			pattern = rt.Method + " " + rt.Path
		}
		mux.Handle(pattern, s.dispatch(rt))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		c := &reqCtx{requestID: newRequestID(), ip: s.clientIP(r)}
		c.log = s.log.With("request_id", c.requestID)
		sw := &statusWriter{ResponseWriter: w}
		s.securityHeaders(sw.Header())
		sw.Header().Set("X-Request-Id", c.requestID)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, c))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				c.log.Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.renderError(sw, r, c, greyline.Internal(fmt.Errorf("panic: %v", p)))
				}
			}
			pattern := r.Pattern
			if pattern == "" {
				pattern = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := s.now().Sub(start)
			s.metrics.observe(pattern, r.Method, status, d)
			// The path is not logged: later routes carry identifiers in it.
			attrs := []any{"method", r.Method, "route", pattern, "status", status, "duration_ms", float64(d.Microseconds()) / 1000, "bytes", sw.bytes}
			if c.user != nil {
				attrs = append(attrs, "user_id", c.user.ID)
			}
			if c.token != nil {
				attrs = append(attrs, "token_id", c.token.ID)
			}
			c.log.Info("request", attrs...)
		}()
		mux.ServeHTTP(sw, r)
	})
}

func (s *Server) securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.cfg.TLSCert != "" || s.cfg.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// dispatch is the one place where each request is authenticated, checked
// against CSRF, and authorised before its handler runs.
func (s *Server) dispatch(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := reqFrom(r)
		c.route = rt
		limit := s.cfg.MaxBodyBytes
		if rt.Upload {
			limit = s.cfg.MaxUploadBytes + 1<<20 // the file plus the form around it
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if rt.Surface == surfaceSys {
			if err := rt.h(w, r, c); err != nil {
				s.renderError(w, r, c, err)
			}
			return
		}
		if err := s.serveRoute(w, r, c, rt); err != nil {
			s.renderError(w, r, c, err)
		}
	})
}

func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, c *reqCtx, rt *route) error {
	if err := s.authenticate(w, r, c); err != nil {
		return err
	}
	// A session part-way through sign-in may only use its own step.
	if redirect, err := s.checkStage(r, c, rt); err != nil || redirect != "" {
		if redirect != "" {
			http.Redirect(w, r, redirect, http.StatusSeeOther)
		}
		return err
	}
	// CSRF matters only where the browser attaches a credential by itself:
	// every page form, and API calls riding on a session cookie.
	if !safeMethod(r.Method) && c.token == nil && (rt.Surface == surfacePage || c.session != nil) {
		if err := s.checkCSRF(r, c); err != nil {
			return err
		}
	}
	ctx := greyline.WithActor(r.Context(), c.actor())
	r = r.WithContext(ctx)
	if err := s.authorize(r, c, rt); err != nil {
		return err
	}
	return rt.h(w, r, c)
}

func safeMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "OPTIONS" }

func (c *reqCtx) actor() greyline.Actor {
	a := greyline.Actor{IP: c.ip, RequestID: c.requestID}
	if c.user != nil {
		a.UserID, a.OrgID = c.user.ID, c.user.OrgID
	}
	if c.token != nil {
		a.TokenID = c.token.ID
	}
	return a
}

// authorize asks package access, first about the action and then, for
// record routes, about the record.
func (s *Server) authorize(r *http.Request, c *reqCtx, rt *route) error {
	if err := decisionError(access.Decide(c.subject, rt.Action, nil)); err != nil {
		return err
	}
	if rt.Record == nil {
		return nil
	}
	rec, err := rt.Record(r, c)
	if err != nil {
		return err
	}
	c.record = rec
	return decisionError(access.Decide(c.subject, rt.Action, rec))
}

var (
	errSignIn    = greyline.Errorf(greyline.EUNAUTHENTICATED, "Please sign in to continue.")
	errForbidden = greyline.Errorf(greyline.EFORBIDDEN, "You do not have permission to do that.")
	errNotFound  = greyline.Errorf(greyline.ENOTFOUND, "The page or record you asked for does not exist.")
)

func decisionError(d access.Decision) error {
	switch d {
	case access.Allow:
		return nil
	case access.Unauthenticated:
		return errSignIn
	case access.Hide:
		return errNotFound
	default:
		return errForbidden
	}
}

// pathID parses a numeric path parameter, answering 404 when malformed so
// that ids cannot be probed.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// asMissing makes a missing record answer exactly like one out of scope, so
// that ids cannot be probed.
func asMissing(err error) error {
	if greyline.ErrorCode(err) == greyline.ENOTFOUND {
		return errNotFound
	}
	return err
}

func (s *Server) userRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	u, err := s.users.FindUserByID(r.Context(), id)
	if err != nil {
		return nil, asMissing(err)
	}
	return &access.Record{OrgID: u.OrgID, UserID: u.ID}, nil
}

func (s *Server) orgRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if _, err := s.orgs.FindOrgByID(r.Context(), id); err != nil {
		return nil, asMissing(err)
	}
	return &access.Record{OrgID: id}, nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.health.Ping(ctx); err != nil {
		c.log.Warn("readyz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
		return nil
	}
	if err := s.health.CheckSchema(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("schema not current\n"))
		return nil
	}
	w.Write([]byte("ready\n"))
	return nil
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return errNotFound
}
