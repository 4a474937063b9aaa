package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

func TestTokenCache(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	tc := newTokenCache(clk.Now)
	tok := &greyline.APIToken{ID: 1, UserID: 7, Scopes: []string{"read"}, ExpiresAt: clk.Now().Add(24 * time.Hour)}
	u := &greyline.User{ID: 7, Name: "Partner"}
	if _, _, ok := tc.get("secret"); ok {
		t.Fatal("hit on an empty cache")
	}
	tc.put("secret", tok, u)
	gotTok, gotUser, ok := tc.get("secret")
	if !ok || gotTok.ID != 1 || gotUser.ID != 7 {
		t.Fatalf("get: %v %+v %+v", ok, gotTok, gotUser)
	}
	gotUser.Name = "changed by a request"
	if _, again, _ := tc.get("secret"); again.Name != "Partner" {
		t.Error("a request's change reached the cache")
	}
	if _, _, ok := tc.get("other"); ok {
		t.Error("hit for another secret")
	}
	clk.Add(time.Second)
	if _, _, ok := tc.get("secret"); ok {
		t.Error("hit after the second is up")
	}
	tc.put("secret", tok, u)
	tc.forget()
	if _, _, ok := tc.get("secret"); ok {
		t.Error("hit after forget")
	}
	// An expired token is never answered from the cache.
	exp := clk.Now().Add(500 * time.Millisecond)
	tc.put("short", &greyline.APIToken{ID: 2, ExpiresAt: exp}, u)
	clk.Add(600 * time.Millisecond)
	if _, _, ok := tc.get("short"); ok {
		t.Error("hit for an expired token")
	}
	// Bounded.
	for i := range maxCachedTokens + 10 {
		tc.put(fmt.Sprint(i), tok, u)
	}
	if n := len(tc.m); n > maxCachedTokens {
		t.Errorf("%d entries", n)
	}
}

// TestTokenChanges: a token revoked on another server (here: straight in
// the database) stops working within a second; a user disabled through
// this server is refused at once.
func TestTokenChanges(t *testing.T) {
	e := newEnv(t)
	owner := e.user(e.org("BANKQ", greyline.OrgBank, false), greyline.RolePartner)
	tok := e.token(owner, "read", "write")
	if resp, _ := e.api("GET", "/api/v1/me", tok, nil); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	ts, _ := e.db.ListAPITokens(actorCtx(owner), owner.ID)
	if err := e.db.RevokeAPIToken(actorCtx(owner), owner.ID, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	if resp, _ := e.api("GET", "/api/v1/me", tok, nil); resp.StatusCode != 401 {
		t.Errorf("a token revoked a second ago: %d", resp.StatusCode)
	}
	admin := e.token(e.user(nil, greyline.RoleAdmin), "read", "write")
	other := e.user(e.org("BANKR", greyline.OrgBank, false), greyline.RolePartner)
	otherTok := e.token(other, "read")
	e.api("GET", "/api/v1/me", otherTok, nil) // now cached
	if resp, body := e.api("PATCH", fmt.Sprintf("/api/v1/users/%d", other.ID), admin, map[string]any{"disabled": true}); resp.StatusCode != 200 {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.api("GET", "/api/v1/me", otherTok, nil); resp.StatusCode != 401 {
		t.Errorf("disabled user's token: %d", resp.StatusCode)
	}
}
