package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

// TestLogsHoldNoSecrets drives sign-in, token use and failures, then checks
// that no password, token, cookie or e-mail address reached the logs.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	c := e.client()
	c.post("/login", url.Values{"email": {admin.Email}, "password": {"wrong password 123"}}, "/login")
	c.login(admin)
	tok := e.token(admin, "read", "write")
	e.api("GET", "/api/v1/me", tok, nil)
	e.api("GET", "/api/v1/me", tok+"tampered", nil)
	e.api("POST", "/api/v1/users", tok, map[string]any{"email": "new.person@example.pk", "name": "New Person", "org_id": e.noTFA.ID, "roles": []string{"analyst"}, "password": "another secret password"})
	var session string
	base, _ := url.Parse(e.ts.URL)
	for _, ck := range c.http.Jar.Cookies(base) {
		if ck.Name == sessionCookie {
			session = ck.Value
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatal("no request logs captured")
	}
	for name, secret := range map[string]string{
		"password": testPassword, "wrong password": "wrong password 123", "new password": "another secret password",
		"token": tok, "session": session, "e-mail": admin.Email, "new e-mail": "new.person@example.pk",
	} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("logs contain the %s", name)
		}
	}
}

// TestInternalErrorsAreNotShown checks that an internal error is logged
// with its request ID while the user sees only a reference.
func TestInternalErrorsAreNotShown(t *testing.T) {
	e := newEnv(t)
	for _, api := range []bool{false, true} {
		path := "/x"
		sf := surfacePage
		if api {
			path, sf = "/api/v1/x", surfaceAPI
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		c := &reqCtx{requestID: "req-123", log: e.srv.log.With("request_id", "req-123"), route: &route{Surface: sf}}
		e.srv.renderError(w, r, c, greyline.Internal(errors.New("pq: secret table exploded")))
		body := w.Body.String()
		if w.Code != 500 || strings.Contains(body, "exploded") || !strings.Contains(body, "req-123") {
			t.Errorf("api=%v: %d %s", api, w.Code, body)
		}
	}
	if logs := e.logs.String(); !strings.Contains(logs, "exploded") || !strings.Contains(logs, "req-123") {
		t.Error("internal error not logged with its request id")
	}
}

func TestPanicBecomes500(t *testing.T) {
	e := newEnv(t)
	h := e.srv.buildHandlerWith(func(mux *http.ServeMux) {
		mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "kaboom") {
		t.Fatalf("panic: %d %s", w.Code, w.Body.String())
	}
	if !strings.Contains(e.logs.String(), "kaboom") {
		t.Error("panic not logged")
	}
}

func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

// serve runs ListenAndServe until the returned stop is called.
func serve(t *testing.T, s *Server) (addr string, stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, func(a string) { ready <- a }) }()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	return addr, func() error { cancel(); return <-done }
}

func TestTLSCookiesAndHSTS(t *testing.T) {
	cert, key := selfSignedCert(t)
	e := newEnvWith(t, envOptions{cfg: Config{Addr: "127.0.0.1:0", TLSCert: cert, TLSKey: key}})
	addr, stop := serve(t, e.srv)
	defer stop()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get("https://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over TLS")
	}
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		t.Fatal("no cookie set")
	}
	for _, ck := range cookies {
		if !ck.Secure {
			t.Errorf("cookie %s not Secure over TLS", ck.Name)
		}
	}
}

// TestGracefulShutdownDrains checks that a request in flight when shutdown
// starts still completes.
func TestGracefulShutdownDrains(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{Addr: "127.0.0.1:0"}})
	started := make(chan struct{})
	e.srv.handler = e.srv.buildHandlerWith(func(mux *http.ServeMux) {
		mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			w.Write([]byte("finished"))
		})
	})
	addr, stop := serve(t, e.srv)
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		got <- readBody(t, resp)
	}()
	<-started
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if body := <-got; body != "finished" {
		t.Fatalf("request in flight was cut off: %q", body)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still accepting after shutdown")
	}
}

func TestClientIPBehindProxy(t *testing.T) {
	for _, tt := range []struct {
		trust bool
		xff   string
		want  string
	}{
		{false, "1.2.3.4", "192.0.2.1"},
		{true, "", "192.0.2.1"},
		{true, "203.0.113.5", "203.0.113.5"},
		// The client wrote the first entry; the proxy appended the last.
		{true, "1.2.3.4, 198.51.100.7", "198.51.100.7"},
		{true, "1.2.3.4, not-an-ip", "192.0.2.1"},
	} {
		s := &Server{cfg: Config{TrustProxy: tt.trust}}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.1:5555"
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("trust=%v xff=%q: %s, want %s", tt.trust, tt.xff, got, tt.want)
		}
	}
}
