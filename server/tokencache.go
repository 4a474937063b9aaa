package server

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/greyline/greyline"
)

// tokenCache keeps API tokens checked in the last second, with their users:
// a bank or telco asks about numbers thousands of times a second with one
// token, and each check would otherwise read the token and the user from
// the database. One second bounds how long a revoked token, a disabled user
// or changed roles can still work on another server; on this one forget
// drops everything at once.
type tokenCache struct {
	mu  sync.Mutex
	ttl time.Duration
	now greyline.Clock
	m   map[[32]byte]cachedToken
}

type cachedToken struct {
	tok   greyline.APIToken
	user  greyline.User
	until time.Time
}

// maxCachedTokens bounds the memory a flood of distinct tokens can take.
const maxCachedTokens = 10000

func newTokenCache(now greyline.Clock) *tokenCache {
	return &tokenCache{ttl: time.Second, now: now, m: map[[32]byte]cachedToken{}}
}

// get returns copies, so that no request changes another's.
func (tc *tokenCache) get(secret string) (*greyline.APIToken, *greyline.User, bool) {
	k := sha256.Sum256([]byte(secret))
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[k]
	now := tc.now()
	if !ok || !now.Before(e.until) || !e.tok.Active(now) {
		return nil, nil, false
	}
	tok, u := e.tok, e.user
	return &tok, &u, true
}

func (tc *tokenCache) put(secret string, tok *greyline.APIToken, u *greyline.User) {
	k := sha256.Sum256([]byte(secret))
	tc.mu.Lock()
	defer tc.mu.Unlock()
	now := tc.now()
	if len(tc.m) >= maxCachedTokens {
		for key, e := range tc.m {
			if !now.Before(e.until) {
				delete(tc.m, key)
			}
		}
		if len(tc.m) >= maxCachedTokens {
			clear(tc.m)
		}
	}
	tc.m[k] = cachedToken{tok: *tok, user: *u, until: now.Add(tc.ttl)}
}

// forget drops every cached token: after a revocation or a change to a
// user, which are rare enough not to be worth finding the entries.
func (tc *tokenCache) forget() {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	clear(tc.m)
}
