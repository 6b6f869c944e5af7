"""Checks Parley access tokens in a Python blog backend: the standard library and PyJWT only.

Written for PyJWT 2.6 (Debian bookworm's python3-jwt, with python3-cryptography) and later. It
checks what Parley's own Node verifier (parley/verify) checks:

1. the header: alg RS256 only, typ at+jwt, a kid;
2. the key of that kid, from the issuer's JWKS found through discovery, cached in memory; an
   unknown kid refetches the JWKS at most once per MIN_REFETCH_SECONDS, so a flood of forged kids
   cannot become a flood of requests at the gateway (PyJWKClient in PyJWT 2.6 refetches on every
   unknown kid);
3. the signature, then the claims: iss, aud (your comment service URL), exp and iat required and
   checked with a leeway, at most 15 minutes between them, sub/jti/client_id present, client_id
   equal to your site id (another site's token is refused), and `comments` in scope; a
   DPoP-bound token (one with `cnf`) is refused: this example takes Bearer tokens only, and a
   bound token presented as Bearer is one taken from the browser it was bound to (docs/dpop.md);
4. the gateway's signed revocation feed (docs/revocation.md), polled when older than
   REVOCATIONS_MAX_AGE_SECONDS: a token whose sign-in ended, or whose commenter signed out
   everywhere, is refused.

Usage:

    verifier = ParleyVerifier(issuer="https://login.blog.example",
                              audience="https://comments.blog.example", site_id="my-blog")
    try:
        commenter = verifier.verify(token)   # {"sub", "site", "name", "picture", "idp", ...}
    except TokenRefused as refused:          # answer refused.status (401 or 403)
        ...
    except VerifierUnavailable:              # answer 503: the gateway cannot be read right now
        ...

One ParleyVerifier per process; it is thread-safe (one lock around its fetches).
"""

import json
import threading
import time
import urllib.parse
import urllib.request

import jwt

ALGORITHMS = ["RS256"]
ACCESS_TOKEN_TYPES = ("at+jwt", "application/at+jwt")
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub", "jti", "client_id", "scope"]
MAX_TOKEN_LIFETIME_SECONDS = 15 * 60
MIN_REFETCH_SECONDS = 30  # least time between two JWKS fetches, whatever the tokens say
KEYS_MAX_AGE_SECONDS = 10 * 60  # keys are fetched again after this, so withdrawn keys stop working
REVOCATIONS_MAX_AGE_SECONDS = 4  # docs/revocation.md: check against a list at most 4 s old
REVOCATIONS_MAX_STALENESS_SECONDS = 60  # then 503: a revocation can no longer be ruled out
EVENT_RETENTION_SECONDS = 20 * 60
SESSION_REVOKED = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"
MAX_DOCUMENT_BYTES = 256 * 1024


class TokenRefused(Exception):
    """The token is not acceptable: answer `status` with WWW-Authenticate: Bearer error=...."""

    def __init__(self, reason, detail="", status=401):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.status = status
        self.error = "insufficient_scope" if status == 403 else "invalid_token"


class VerifierUnavailable(Exception):
    """The gateway's keys or revocation feed cannot be read: answer 503, it is not the token's fault."""


def _fetch_json(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read(MAX_DOCUMENT_BYTES + 1)[:MAX_DOCUMENT_BYTES])
    except (OSError, ValueError) as error:
        raise VerifierUnavailable(f"cannot read {url}: {error}") from error


class ParleyVerifier:
    def __init__(self, issuer, audience, site_id, leeway=30, required_scope="comments", check_revocations=True, timeout=5):
        self.issuer = issuer
        self.audience = audience
        self.site_ids = {site_id} if isinstance(site_id, str) else set(site_id)
        self.leeway = leeway
        self.required_scope = required_scope
        self.check_revocations = check_revocations
        self.timeout = timeout
        self._lock = threading.Lock()
        self._discovery = None
        self._keys = {}  # kid -> PyJWK
        self._keys_fetched_at = None
        self._last_key_fetch_attempt = float("-inf")
        self._revoked_sessions = {}  # (site, sid) -> forget after
        self._revoked_subjects = {}  # (site, sub) -> tokens issued before this are revoked
        self._feed_cursor = None
        self._feed_read_at = float("-inf")

    # -- public -------------------------------------------------------------------------------

    def verify(self, token):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise TokenRefused("malformed", str(error))
        if header.get("alg") not in ALGORITHMS:
            raise TokenRefused("alg", "only RS256 is accepted")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
            raise TokenRefused("typ", "header typ must be at+jwt")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise TokenRefused("malformed", "header kid is missing")
        key = self._key(kid)
        if key is None:
            raise TokenRefused("unknown_kid", "kid names no key of the issuer")
        claims = self._decode(token, key)
        self._check_revocations(claims)
        return {
            "sub": claims["sub"],
            "site": claims["client_id"],
            "name": claims.get("name"),
            "picture": claims.get("picture"),
            "idp": claims.get("idp"),
            "sid": claims.get("sid"),
            "jti": claims["jti"],
            "exp": claims["exp"],
        }

    # -- claims -------------------------------------------------------------------------------

    def _decode(self, token, key):
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidSignatureError:
            raise TokenRefused("signature", "signature does not verify")
        except jwt.ExpiredSignatureError:
            raise TokenRefused("expired", "token has expired")
        except jwt.ImmatureSignatureError:
            raise TokenRefused("not_yet_valid", "token is not valid yet")
        except jwt.MissingRequiredClaimError as error:
            raise TokenRefused("missing_claim", error.claim)
        except jwt.InvalidIssuerError:
            raise TokenRefused("issuer", "iss is not the issuer")
        except jwt.InvalidAudienceError:
            raise TokenRefused("audience", "aud is not this comment service")
        except (jwt.InvalidTokenError, TypeError, ValueError) as error:  # PyJWT compares a string iat with a number
            raise TokenRefused("malformed", str(error))
        for claim in ("sub", "jti", "client_id", "scope"):
            if not isinstance(claims[claim], str) or not claims[claim]:
                raise TokenRefused("malformed", f"{claim} must be a non-empty string")
        if not all(isinstance(claims[claim], (int, float)) for claim in ("exp", "iat")):
            raise TokenRefused("malformed", "exp and iat must be NumericDates")
        if claims["iat"] > time.time() + self.leeway:  # PyJWT 2.6 checks it too; not every version does
            raise TokenRefused("not_yet_valid", "token was issued in the future")
        if claims["exp"] - claims["iat"] > MAX_TOKEN_LIFETIME_SECONDS + self.leeway:
            raise TokenRefused("lifetime", "token lives longer than 15 minutes")
        if claims["client_id"] not in self.site_ids:
            raise TokenRefused("wrong_site", "token was issued to another site")
        if self.required_scope not in claims["scope"].split(" "):
            raise TokenRefused("insufficient_scope", f"scope lacks {self.required_scope}", status=403)
        if "cnf" in claims:  # RFC 9449 §7.1: a bound token sent as Bearer is a stolen token
            raise TokenRefused("bound", "token is DPoP-bound: it is only good with a DPoP proof (docs/dpop.md)")
        return claims

    # -- keys ---------------------------------------------------------------------------------

    def _endpoints(self):
        if self._discovery is None:
            document = _fetch_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration", self.timeout)
            if document.get("issuer") != self.issuer:
                raise VerifierUnavailable(f"discovery names issuer {document.get('issuer')!r}, expected {self.issuer!r}")
            self._discovery = document
        return self._discovery

    def _key(self, kid):
        with self._lock:
            return self._key_locked(kid)

    def _key_locked(self, kid):
        now = time.monotonic()
        stale = self._keys_fetched_at is None or now - self._keys_fetched_at > KEYS_MAX_AGE_SECONDS
        if kid not in self._keys or stale:
            # The refetch limit: the gateway publishes a new key 30 s before signing with it, so a
            # fetch made before it was published is at least 30 s old when its first token comes.
            if now - self._last_key_fetch_attempt >= MIN_REFETCH_SECONDS:
                self._last_key_fetch_attempt = now
                self._fetch_keys()
            elif self._keys_fetched_at is None:
                raise VerifierUnavailable("issuer keys could not be fetched; retrying soon")
        return self._keys.get(kid)

    def _fetch_keys(self):
        try:
            jwks = _fetch_json(self._endpoints()["jwks_uri"], self.timeout)
            keys = {}
            for jwk in jwks.get("keys", [])[:100]:
                if jwk.get("kty") == "RSA" and jwk.get("use", "sig") == "sig" and jwk.get("alg", "RS256") == "RS256" and jwk.get("kid"):
                    keys[jwk["kid"]] = jwt.PyJWK(jwk, "RS256")
        except (VerifierUnavailable, KeyError, AttributeError, jwt.PyJWTError) as error:
            self._discovery = None  # the issuer may have moved its JWKS: ask discovery again next time
            if self._keys_fetched_at is None:
                raise VerifierUnavailable(f"issuer keys are unavailable: {error}") from error
            return  # keep the keys we had
        self._keys = keys
        self._keys_fetched_at = time.monotonic()

    # -- revocations (docs/revocation.md) -------------------------------------------------------

    def _check_revocations(self, claims):
        if not self.check_revocations:
            return
        with self._lock:
            now = time.monotonic()
            if now - self._feed_read_at > REVOCATIONS_MAX_AGE_SECONDS:
                try:
                    self._read_feed()
                    self._feed_read_at = time.monotonic()
                except VerifierUnavailable:
                    if now - self._feed_read_at > REVOCATIONS_MAX_STALENESS_SECONDS:
                        raise
        site = claims["client_id"]
        if (site, claims.get("sid")) in self._revoked_sessions:
            raise TokenRefused("revoked", "its sign-in ended")
        if claims["iat"] < self._revoked_subjects.get((site, claims["sub"]), (float("-inf"),))[0]:
            raise TokenRefused("revoked", "the commenter signed out")

    def _read_feed(self):
        feed = self._endpoints().get("revocation_feed_endpoint")
        if feed is None:
            return  # a gateway without a feed: nothing to check
        for _ in range(100):
            url = feed if self._feed_cursor is None else feed + "?" + urllib.parse.urlencode({"after": self._feed_cursor})
            answer = _fetch_json(url, self.timeout)
            if not isinstance(answer.get("sets"), dict) or not isinstance(answer.get("cursor"), str):
                raise VerifierUnavailable("revocation feed: not a feed answer")
            for event in answer["sets"].values():
                self._apply_event(event)
            self._feed_cursor = answer["cursor"]
            if answer.get("moreAvailable") is not True:
                break
        now = time.time()
        for table in (self._revoked_sessions, self._revoked_subjects):
            for entry, (_, forget_after) in list(table.items()):
                if forget_after <= now:
                    del table[entry]

    def _apply_event(self, set_token):
        """Records what one Security Event Token revokes; one that does not verify is ignored."""
        try:
            header = jwt.get_unverified_header(set_token)
            if header.get("typ") != "secevent+jwt" or header.get("alg") not in ALGORITHMS:
                return
            kid = header.get("kid")
            key = self._key_locked(kid) if isinstance(kid, str) and kid else None
            if key is None:
                return
            claims = jwt.decode(set_token, key=key.key, algorithms=ALGORITHMS, issuer=self.issuer, options={"verify_aud": False})
        except jwt.PyJWTError:
            return
        event = (claims.get("events") or {}).get(SESSION_REVOKED)
        subject, site = claims.get("sub_id"), claims.get("client_id")
        if not isinstance(event, dict) or not isinstance(subject, dict) or not isinstance(event.get("event_timestamp"), (int, float)):
            return
        at = event["event_timestamp"]
        if subject.get("format") == "opaque" and isinstance(subject.get("id"), str):
            self._revoked_sessions[(site, subject.get("id"))] = (at, at + EVENT_RETENTION_SECONDS)
        elif subject.get("format") == "iss_sub" and subject.get("iss") == self.issuer and isinstance(subject.get("sub"), str):
            before = max(at, self._revoked_subjects.get((site, subject.get("sub")), (0,))[0])
            self._revoked_subjects[(site, subject.get("sub"))] = (before, before + EVENT_RETENTION_SECONDS)
