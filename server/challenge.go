package server

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
)

// A challenge keeps scripts off the public complaint form without any
// third-party service: a small sum whose answer is bound, with an expiry,
// into a MAC the server checks statelessly.
type challenge struct {
	Question string
	Token    string
}

const challengeTTL = 30 * time.Minute

func (s *Server) newChallenge() challenge {
	var b [2]byte
	rand.Read(b[:])
	a, c := int(b[0]%9)+1, int(b[1]%9)+1
	exp := s.now().Add(challengeTTL).Unix()
	nonce := make([]byte, 8)
	rand.Read(nonce)
	payload := strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(nonce)
	mac := s.keys.MAC("challenge", payload, strconv.Itoa(a+c))
	return challenge{Question: fmt.Sprintf("What is %d plus %d?", a, c), Token: payload + "." + base64.RawURLEncoding.EncodeToString(mac)}
}

var errChallenge = greyline.Invalid("challenge", "the answer is not right; try the new question")

// checkChallenge verifies an answer against its token.
func (s *Server) checkChallenge(token, answer string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errChallenge
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || s.now().Unix() > exp {
		return greyline.Invalid("challenge", "the question has expired; answer the new one")
	}
	n, err := strconv.Atoi(strings.TrimSpace(answer))
	if err != nil || n < 0 {
		return errChallenge
	}
	// Any key of the ring: a question asked before a key rotation still counts.
	got, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !s.keys.VerifyMAC(got, "challenge", parts[0]+"."+parts[1], strconv.Itoa(n)) {
		return errChallenge
	}
	return nil
}
