import express, { type RequestHandler, type Response } from 'express';
import { isSupportedAlgorithm, verifySignature } from '../../../packages/verify/src/algorithms';
import { IssuerDiscovery } from '../../../packages/verify/src/issuer-documents';
import { decodeCompactJws, decodeJsonSegment, isRecord } from '../../../packages/verify/src/jws';
import { KeyStore } from '../../../packages/verify/src/keys';
import type { DpopReplayStore } from '../../../packages/verify/src';
import { BACKCHANNEL_MAX_BODY_BYTES, BACKCHANNEL_TOKEN_LIFETIME_SECONDS, BACKCHANNEL_TOKEN_TYPE, contentDigest, type BackchannelClaims } from '../../backchannel/protocol';

/** Fetching the gateway's discovery document and keys gives up after this. */
const FETCH_TIMEOUT_MS = 5_000;
/** An unknown `kid` refetches the gateway's keys at most this often. */
const MIN_REFETCH_INTERVAL_MS = 5_000;
/** Each request token's `jti` is remembered under this prefix in the shared replay table. */
const REPLAY_KEY_PREFIX = 'backchannel:';

export interface GatewayAuthenticationOptions {
  readonly issuer: string;
  /** PARLEY_COMMENTS_URL: the `aud` every request must name. */
  readonly audience: string;
  /** The DPoP proofs' table: a request token's `jti` is used once across every instance. */
  readonly replayStore: DpopReplayStore;
  readonly clock: () => number;
}

/** What an authenticated back-channel request carries, in `res.locals.backchannel`. */
export interface BackchannelRequest {
  readonly claims: BackchannelClaims;
  /** The JSON body of a POST; undefined for a GET. */
  readonly body: unknown;
}

class Refused extends Error {
  constructor(
    readonly status: 401 | 503,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Admits only the gateway (src/backchannel/protocol.ts): a request token signed with one of the
 * issuer's published keys, of type backchannel+jwt, for this service, for this method, path and
 * content, fresh and never seen before. Anything else is 401 `invalid_token`; the gateway's keys
 * or the replay table being unreachable is 503 (the gateway retries).
 */
export function authenticateGateway(options: GatewayAuthenticationOptions): RequestHandler[] {
  const keys = new KeyStore({
    discovery: new IssuerDiscovery(options.issuer, FETCH_TIMEOUT_MS),
    algorithms: ['RS256'],
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    minRefetchIntervalMs: MIN_REFETCH_INTERVAL_MS,
    clock: options.clock,
  });

  async function claimsOf(authorization: string | undefined, method: string, path: string, content: Buffer): Promise<BackchannelClaims> {
    const match = /^Bearer ([A-Za-z0-9_.-]{1,8192})$/.exec(authorization ?? '');
    if (!match) throw new Refused(401, 'a back-channel request token is required');
    let jws;
    try {
      jws = decodeCompactJws(match[1]!);
    } catch {
      throw new Refused(401, 'the request token is malformed');
    }
    const { typ, alg, kid } = jws.header;
    if (typ !== BACKCHANNEL_TOKEN_TYPE || alg !== 'RS256' || !isSupportedAlgorithm(alg) || typeof kid !== 'string') {
      throw new Refused(401, 'not a back-channel request token');
    }
    let found;
    try {
      found = keys.cached(kid, options.clock()) ?? (await keys.refetch(kid));
    } catch {
      throw new Refused(503, "the gateway's keys cannot be fetched right now");
    }
    const key = found?.find((candidate) => candidate.algorithm === alg);
    if (key === undefined || !verifySignature(alg, key.key, jws.signingInput, jws.signature)) throw new Refused(401, 'the request token signature is not valid');
    let claims: Record<string, unknown>;
    try {
      claims = decodeJsonSegment(jws.payloadSegment, 'claims set');
    } catch {
      throw new Refused(401, 'the request token is malformed');
    }
    const nowSeconds = options.clock() / 1000;
    const { iss, aud, iat, exp, jti, htm, htp, bh } = claims;
    if (iss !== options.issuer || aud !== options.audience) throw new Refused(401, 'the request token is not for this service');
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > BACKCHANNEL_TOKEN_LIFETIME_SECONDS) throw new Refused(401, 'the request token lifetime is not valid');
    if (exp + BACKCHANNEL_TOKEN_LIFETIME_SECONDS < nowSeconds || iat - BACKCHANNEL_TOKEN_LIFETIME_SECONDS > nowSeconds) throw new Refused(401, 'the request token has expired');
    if (htm !== method || htp !== path || bh !== contentDigest(content)) throw new Refused(401, 'the request token is for another request');
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 128) throw new Refused(401, 'the request token has no usable jti');
    let fresh: boolean;
    try {
      fresh = await options.replayStore.remember(REPLAY_KEY_PREFIX + jti, (exp + BACKCHANNEL_TOKEN_LIFETIME_SECONDS) * 1000);
    } catch {
      throw new Refused(503, 'the replay table is unavailable');
    }
    if (!fresh) throw new Refused(401, 'the request token has been used already');
    return claims as unknown as BackchannelClaims;
  }

  const readBody = express.raw({ type: () => true, limit: BACKCHANNEL_MAX_BODY_BYTES });
  const authenticate: RequestHandler = (req, res, next) => {
    const content = req.method === 'GET' ? Buffer.from(queryString(req.originalUrl)) : Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    claimsOf(req.headers.authorization, req.method, req.path, content).then(
      (claims) => {
        let body: unknown;
        if (req.method !== 'GET') {
          try {
            body = JSON.parse(content.toString('utf8'));
          } catch {
            return void res.status(400).json({ error: 'invalid_json', message: 'the body is not JSON' });
          }
          if (!isRecord(body)) return void res.status(400).json({ error: 'invalid_request', message: 'the body must be a JSON object' });
        }
        const request: BackchannelRequest = { claims, body };
        res.locals['backchannel'] = request;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof Refused)) return next(error);
        if (error.status === 503) res.set('Retry-After', '5');
        else res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        res.status(error.status).json({ error: error.status === 503 ? 'temporarily_unavailable' : 'invalid_token', message: error.message });
      },
    );
  };
  return [readBody, authenticate];
}

/** The authenticated request of a back-channel route (after authenticateGateway). */
export function backchannelRequest(res: Response): BackchannelRequest {
  return res.locals['backchannel'] as BackchannelRequest;
}

function queryString(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? '' : url.slice(index + 1);
}
