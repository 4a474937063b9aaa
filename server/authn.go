package server

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
	"golang.org/x/time/rate"
)

const (
	sessionCookie = "gl_session"
	csrfCookie    = "gl_csrf" // pre-session CSRF secret, for the sign-in forms
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

var errBadCSRF = greyline.Errorf(greyline.EFORBIDDEN, "This form has expired or did not come from greyline. Reload the page and try again.")

// authenticate resolves the caller from a bearer token (API only) or the
// session cookie. A bad credential is an error; no credential is anonymous.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		if c.route.Surface != surfaceAPI {
			return greyline.Errorf(greyline.EUNAUTHENTICATED, "API tokens are accepted only under /api/v1.")
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return greyline.Errorf(greyline.EUNAUTHENTICATED, "The Authorization header must be \"Bearer <token>\".")
		}
		secret = strings.TrimSpace(secret)
		tok, u, ok := s.tokens.get(secret)
		if !ok {
			var err error
			if tok, err = s.auth.FindAPIToken(ctx, secret); err != nil {
				return err
			}
			u, err = s.users.FindUserByID(ctx, tok.UserID)
			if err != nil || u.Disabled {
				return greyline.Errorf(greyline.EUNAUTHENTICATED, "The API token's user is disabled.")
			}
			s.tokens.put(secret, tok, u)
		}
		c.user, c.token = u, tok
		c.subject = subjectOf(u)
		c.subject.Token, c.subject.Scopes = true, tok.Scopes
		return nil
	}
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		sess, err := s.auth.FindSession(ctx, ck.Value)
		if err == nil {
			u, uerr := s.users.FindUserByID(ctx, sess.UserID)
			if uerr == nil && !u.Disabled {
				c.session, c.sessionTok, c.user = sess, ck.Value, u
				if sess.State == greyline.SessionFull {
					c.subject = subjectOf(u)
				}
			}
		} else if greyline.ErrorCode(err) != greyline.EUNAUTHENTICATED {
			return err
		}
		if c.session == nil {
			s.clearCookie(w, sessionCookie)
		}
	}
	c.newCSRF = func() string { return s.csrfToken(w, r, c) }
	return nil
}

// checkStage keeps a part-way sign-in on its step, and sends signed-in
// users away from the sign-in forms.
func (s *Server) checkStage(r *http.Request, c *reqCtx, rt *route) (redirect string, err error) {
	state := greyline.SessionState("")
	if c.session != nil {
		state = c.session.State
	}
	want := map[stage]greyline.SessionState{stageNeeds2FA: greyline.SessionNeeds2FA, stageNeedsEnrol: greyline.SessionNeedsEnrolment}
	switch rt.Stage {
	case stageAny:
		if c.session == nil && c.token == nil {
			return "", errSignIn
		}
		return "", nil
	case stageNeeds2FA, stageNeedsEnrol:
		if state == want[rt.Stage] {
			return "", nil
		}
		// A finished sign-in that re-posts a step (a reload) goes home.
		if rt.Surface == surfacePage && (r.Method == "GET" || state == greyline.SessionFull) {
			return stepURL(state), nil
		}
		return "", errSignIn
	}
	// stageFull
	if state == greyline.SessionFull || state == "" {
		if state == greyline.SessionFull && rt.Action == access.SignIn && r.Method == "GET" {
			return "/", nil
		}
		return "", nil
	}
	if rt.Action == access.Public || rt.Action == access.SignIn {
		return "", nil
	}
	if rt.Surface == surfacePage && r.Method == "GET" {
		return stepURL(state), nil
	}
	return "", errSignIn
}

func stepURL(state greyline.SessionState) string {
	switch state {
	case greyline.SessionNeeds2FA:
		return "/login/2fa"
	case greyline.SessionNeedsEnrolment:
		return "/login/enrol"
	case greyline.SessionFull:
		return "/"
	}
	return "/login"
}

// csrfToken returns the token forms must echo. A session's token derives
// from its server-side secret; before sign-in it derives from a random
// cookie (double submit), so the sign-in forms are protected too.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request, c *reqCtx) string {
	if c.session != nil {
		return encodeMAC(s.keys.MAC("csrf-session", c.session.CSRF))
	}
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		return encodeMAC(s.keys.MAC("csrf-anon", ck.Value))
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	s.setCookie(w, csrfCookie, v, 0)
	return encodeMAC(s.keys.MAC("csrf-anon", v))
}

func encodeMAC(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (s *Server) checkCSRF(r *http.Request, c *reqCtx) error {
	got := r.Header.Get(csrfHeader)
	if got == "" && c.route.Surface == surfacePage {
		if err := parseForm(r); err != nil {
			return err
		}
		got = r.PostFormValue(csrfField)
	}
	if got == "" || !(hmac.Equal([]byte(got), []byte(c.csrfToken())) || s.csrfUnderAnyKey(r, c, got)) {
		c.log.Warn("csrf check failed", "route", c.route.Path)
		return errBadCSRF
	}
	return nil
}

// parseForm reads a urlencoded or multipart form within the body limit.
func parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if isTooLarge(err) {
			return err // rendered as 413, naming the body
		}
		return greyline.Invalid("body", "is not a valid form submission")
	}
	return nil
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, ck)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// startSession issues a session cookie, replacing any earlier one, and
// rotates the pre-session CSRF cookie (both defeat fixation).
func (s *Server) startSession(w http.ResponseWriter, token string) {
	s.setCookie(w, sessionCookie, token, 0)
	s.clearCookie(w, csrfCookie)
}

// safeNext keeps post-sign-in redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// limiter is a per-key token bucket, for per-IP limits on sign-in and on
// public forms. Old buckets are swept so the map stays small.
type limiter struct {
	mu      sync.Mutex
	now     greyline.Clock
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(now greyline.Clock) *limiter {
	return &limiter{now: now, buckets: map[string]*bucket{}}
}

// allow takes one token from key's bucket, which refills perMinute tokens a
// minute up to a burst of perMinute.
func (l *limiter) allow(key string, perMinute int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > 10*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

var errTooManyAttempts = greyline.Errorf(greyline.ERATELIMITED, "Too many attempts from your network. Wait a minute and try again.")

// csrfUnderAnyKey accepts a token made under an older key of the ring, so
// that forms rendered before a key rotation still submit. Tokens are
// compared as text, as the current one is: base64 decoding would let a
// changed last character through.
func (s *Server) csrfUnderAnyKey(r *http.Request, c *reqCtx, got string) bool {
	var macs [][]byte
	if c.session != nil {
		macs = s.keys.MACs("csrf-session", c.session.CSRF)
	} else if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		macs = s.keys.MACs("csrf-anon", ck.Value)
	}
	for _, m := range macs {
		if hmac.Equal([]byte(got), []byte(encodeMAC(m))) {
			return true
		}
	}
	return false
}
