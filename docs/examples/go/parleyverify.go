// Package parleyverify checks Parley access tokens in a Go blog backend with
// github.com/golang-jwt/jwt/v5 and the standard library. It checks what Parley's own Node verifier
// (parley/verify) checks; see docs/verify-go.md. Reviewed by reading, not compiled in Parley's CI.
package parleyverify

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	leeway             = 30 * time.Second
	maxTokenLifetime   = 15 * time.Minute
	minRefetchInterval = 30 * time.Second // least time between two JWKS fetches, whatever the tokens say
	keysMaxAge         = 10 * time.Minute // keys are fetched again after this: withdrawn keys stop working
	maxDocumentBytes   = 256 << 10
)

// Refused is a token we do not accept: answer Status (401, or 403 for insufficient_scope) with
// WWW-Authenticate: Bearer error="invalid_token" (or "insufficient_scope").
type Refused struct {
	Reason string
	Status int
}

func (r *Refused) Error() string { return "token refused: " + r.Reason }

func refused(reason string) *Refused { return &Refused{Reason: reason, Status: http.StatusUnauthorized} }

// ErrUnavailable: the gateway's keys cannot be read right now. Answer 503; it is not the token's fault.
var ErrUnavailable = errors.New("parley issuer keys are unavailable")

// Claims of a Parley access token (docs: README "Tokens").
type Claims struct {
	jwt.RegisteredClaims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	Name     string `json:"name"`
	Picture  string `json:"picture,omitempty"`
	IdP      string `json:"idp"`
	SID      string `json:"sid,omitempty"`
	// Confirmation: present on DPoP-bound tokens (RFC 9449), which this example refuses.
	Cnf map[string]any `json:"cnf,omitempty"`
}

// Verifier checks tokens for one site. Create one per process; it is safe for concurrent use.
type Verifier struct {
	Issuer   string // the gateway's issuer, exactly as its discovery document says
	Audience string // your comment service URL (PARLEY_COMMENTS_URL)
	SiteID   string // your site id: tokens of other sites are refused
	Client   *http.Client

	mu          sync.Mutex
	keys        map[string]*rsa.PublicKey
	fetchedAt   time.Time
	lastAttempt time.Time
}

// Verify returns the claims of an acceptable token, a *Refused, or an error wrapping ErrUnavailable.
func (v *Verifier) Verify(token string) (*Claims, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}), // never none, HS256 or anything else
		jwt.WithIssuer(v.Issuer),
		jwt.WithAudience(v.Audience),
		jwt.WithLeeway(leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), // iat not in the future
	)
	claims := &Claims{}
	_, err := parser.ParseWithClaims(token, claims, v.keyFor)
	if err != nil {
		return nil, classify(err)
	}
	switch {
	case claims.IssuedAt == nil:
		return nil, refused("missing_claim")
	case claims.Subject == "" || claims.ID == "" || claims.ClientID == "":
		return nil, refused("missing_claim")
	case claims.ExpiresAt.Sub(claims.IssuedAt.Time) > maxTokenLifetime+leeway:
		return nil, refused("lifetime")
	case claims.ClientID != v.SiteID:
		return nil, refused("wrong_site")
	case !hasScope(claims.Scope, "comments"):
		return nil, &Refused{Reason: "insufficient_scope", Status: http.StatusForbidden}
	case claims.Cnf != nil:
		// A DPoP-bound token sent as Bearer was taken from the browser it is bound to: refuse it
		// (RFC 9449 §7.1). Accepting DPoP means checking a proof: docs/dpop.md.
		return nil, refused("bound")
	}
	// Then revocations: see "Revocations" in docs/verify-go.md.
	return claims, nil
}

func hasScope(scope, wanted string) bool {
	for _, item := range strings.Split(scope, " ") {
		if item == wanted {
			return true
		}
	}
	return false
}

// classify maps golang-jwt's errors to the reasons parley/verify gives.
func classify(err error) error {
	var ours *Refused
	switch {
	case errors.As(err, &ours):
		return ours
	case errors.Is(err, ErrUnavailable):
		return err
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		// Also an alg outside WithValidMethods: golang-jwt reports both as an invalid signature.
		return refused("signature")
	case errors.Is(err, jwt.ErrTokenExpired):
		return refused("expired")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refused("missing_claim")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return refused("issuer")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return refused("audience")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return refused("not_yet_valid")
	default:
		return refused("malformed")
	}
}

// keyFor is the jwt.Keyfunc: header checks, then the key of the token's kid.
func (v *Verifier) keyFor(token *jwt.Token) (any, error) {
	if typ, _ := token.Header["typ"].(string); !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt") {
		return nil, refused("typ")
	}
	kid, _ := token.Header["kid"].(string)
	if kid == "" || len(kid) > 256 {
		return nil, refused("malformed")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	now := time.Now()
	if v.keys[kid] == nil || now.Sub(v.fetchedAt) > keysMaxAge {
		// The refetch limit: a flood of made-up kids costs the gateway one request per 30 s. The
		// gateway publishes a new key 30 s before signing with it, so a genuine new kid always
		// finds the last fetch old enough (or the key already fetched).
		if now.Sub(v.lastAttempt) >= minRefetchInterval {
			v.lastAttempt = now
			if keys, err := v.fetchKeys(); err == nil {
				v.keys, v.fetchedAt = keys, now
			} else if v.keys == nil {
				return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
			} // else: keep the keys we had
		} else if v.keys == nil {
			return nil, ErrUnavailable
		}
	}
	if key := v.keys[kid]; key != nil {
		return key, nil
	}
	return nil, refused("unknown_kid")
}

func (v *Verifier) getJSON(url string, into any) error {
	client := v.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	response, err := client.Get(url)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, response.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(response.Body, maxDocumentBytes)).Decode(into)
}

// fetchKeys reads jwks_uri from discovery, then the RSA signing keys of the JWKS, by kid.
func (v *Verifier) fetchKeys() (map[string]*rsa.PublicKey, error) {
	var discovery struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(strings.TrimSuffix(v.Issuer, "/")+"/.well-known/openid-configuration", &discovery); err != nil {
		return nil, err
	}
	if discovery.Issuer != v.Issuer {
		return nil, fmt.Errorf("discovery names issuer %q, expected %q", discovery.Issuer, v.Issuer)
	}
	var jwks struct {
		Keys []struct {
			Kty, Kid, Use, Alg, N, E string
		} `json:"keys"`
	}
	if err := v.getJSON(discovery.JWKSURI, &jwks); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, jwk := range jwks.Keys {
		if jwk.Kty != "RSA" || jwk.Kid == "" || (jwk.Use != "" && jwk.Use != "sig") || (jwk.Alg != "" && jwk.Alg != "RS256") {
			continue
		}
		n, errN := base64.RawURLEncoding.DecodeString(jwk.N)
		e, errE := base64.RawURLEncoding.DecodeString(jwk.E)
		if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		keys[jwk.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS holds no RS256 key")
	}
	return keys, nil
}
