import { isSupportedAlgorithm, verifySignature, type Algorithm } from './algorithms';
import type { Commenter } from './claims';
import { InvalidTokenError, VerifierUnavailableError } from './errors';
import { fetchJsonObject, type IssuerDiscovery } from './issuer-documents';
import { reportEvent, type VerifierEventListener } from './events';
import { decodeCompactJws, decodeJsonSegment, isRecord } from './jws';
import type { KeyStore } from './keys';

/**
 * The tokens the gateway has revoked, learnt by polling its revocation feed (docs/revocation.md):
 * Security Event Tokens (RFC 8417), each an OpenID CAEP "session-revoked" event signed with the
 * gateway's token keys.
 *
 * - The hot path is two Map lookups on state at most `maxAgeMs` old, or none for a token already
 *   found absent before `freshUntilMs`. Past `pollIntervalMs` a request starts one background
 *   poll and goes on; past `maxAgeMs` it waits for a poll (one, shared), so a revocation reaches
 *   every request within `maxAgeMs` plus one round trip.
 * - A poll that fails leaves the state as it was; once nothing has been read for
 *   `maxStalenessMs`, tokens are refused with 503 (we cannot rule out that they were revoked).
 * - An event that does not verify is ignored: only the gateway's keys can revoke.
 * - Events are forgotten once no token they name can still be alive.
 */

export const SESSION_REVOKED_EVENT = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** Tokens live at most 15 minutes; an event is kept that long after it was made, plus skew. */
const EVENT_RETENTION_MS = 20 * 60 * 1000;
/**
 * Pages a single poll reads at most before answering (a page is at most 500 events and 128 KiB,
 * ~150 events): ~15,000 events; a longer backlog is read on by the next polls.
 */
const MAX_PAGES_PER_POLL = 100;

export interface RevocationListOptions {
  readonly issuer: string;
  readonly discovery: IssuerDiscovery;
  readonly keys: KeyStore;
  readonly algorithms: readonly Algorithm[];
  readonly fetchTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly maxAgeMs: number;
  readonly maxStalenessMs: number;
  readonly clock: () => number;
  readonly onEvent?: VerifierEventListener | undefined;
}

/**
 * Per site, then per sid or sub: looked up with the strings of the Commenter itself, whose hashes
 * V8 keeps once computed. (A key built per request, `${site}\0${sid}`, was allocated, flattened and
 * hashed twice on every request: ~2,000 instructions, more than all the rest of serving a cached
 * token; measured with `node bench/run.js revocation`.)
 */
type BySite<T> = Map<string, Map<string, T>>;

function entryOf<T>(bySite: BySite<T>, siteId: string, key: string): T | undefined {
  return bySite.get(siteId)?.get(key);
}

function setEntry<T>(bySite: BySite<T>, siteId: string, key: string, value: T): void {
  let entries = bySite.get(siteId);
  if (entries === undefined) bySite.set(siteId, (entries = new Map()));
  entries.set(key, value);
}

function forgetEntries<T>(bySite: BySite<T>, dropped: (value: T) => boolean): void {
  for (const [siteId, entries] of bySite) {
    for (const [key, value] of entries) if (dropped(value)) entries.delete(key);
    if (entries.size === 0) bySite.delete(siteId);
  }
}

export class RevocationList {
  /** site → sid → when the entry may be dropped. */
  readonly #sessions: BySite<number> = new Map();
  /** site → sub → tokens issued (iat) before this NumericDate are revoked; and the drop time. */
  readonly #subjects: BySite<{ readonly before: number; readonly dropAtMs: number }> = new Map();
  #cursor: string | undefined;
  #lastSyncMs = Number.NEGATIVE_INFINITY;
  #lastFailure: Error | undefined;
  #inFlight: Promise<void> | undefined;
  /** False once discovery says the issuer publishes no feed: nothing to check then. */
  #published = true;

  constructor(private readonly options: RevocationListOptions) {}

  /**
   * Undefined when the list is fresh enough to answer now (the hot path: no promise, no await);
   * otherwise a promise that settles once it is, or rejects with ERR_REVOCATIONS_UNAVAILABLE.
   */
  ready(nowMs: number): Promise<void> | undefined {
    if (!this.#published) return undefined;
    const age = nowMs - this.#lastSyncMs;
    if (age < this.options.pollIntervalMs) return undefined;
    const polling = this.#poll();
    if (age < this.options.maxAgeMs) return undefined;
    return polling.then(() => {
      if (this.options.clock() - this.#lastSyncMs < this.options.maxStalenessMs) return;
      throw new VerifierUnavailableError(
        'ERR_REVOCATIONS_UNAVAILABLE',
        `issuer revocation feed is unavailable: ${this.#lastFailure?.message ?? 'not read yet'}`,
        Math.max(1, Math.ceil(this.options.pollIntervalMs / 1000)),
        { cause: this.#lastFailure },
      );
    });
  }

  /**
   * Until this instant (ms) the list cannot change: events are recorded only by a poll, and a poll
   * starts only from ready() once the list is this old (only its end moves this on). So a token
   * found absent now is absent until then, and a caller that remembers this instant need neither
   * call ready() nor look the token up again before it: the cached token's hot path is one
   * comparison. Forgetting old events cannot matter: it only lets through tokens that have
   * expired. Infinity when the issuer publishes no feed.
   */
  get freshUntilMs(): number {
    return this.#published ? this.#lastSyncMs + this.options.pollIntervalMs : Number.POSITIVE_INFINITY;
  }

  /** Throws ERR_TOKEN_REVOKED when an event names this token. */
  assertNotRevoked(commenter: Commenter): void {
    if (commenter.sessionId !== undefined && entryOf(this.#sessions, commenter.siteId, commenter.sessionId) !== undefined) {
      throw new InvalidTokenError('ERR_TOKEN_REVOKED', 'token has been revoked (its sign-in ended)');
    }
    const subject = entryOf(this.#subjects, commenter.siteId, commenter.sub);
    if (subject !== undefined && commenter.issuedAt < subject.before) {
      throw new InvalidTokenError('ERR_TOKEN_REVOKED', 'token has been revoked (the commenter was signed out)');
    }
  }

  /** One poll at a time; never rejects (a failure is kept in #lastFailure). */
  #poll(): Promise<void> {
    this.#inFlight ??= this.#readFeed()
      .then(
        () => {
          this.#lastSyncMs = this.options.clock();
          this.#lastFailure = undefined;
          reportEvent(this.options.onEvent, { type: 'revocation_poll', outcome: 'ok' });
        },
        (error: unknown) => {
          this.#lastFailure = error instanceof Error ? error : new Error(String(error));
          reportEvent(this.options.onEvent, { type: 'revocation_poll', outcome: 'failed' });
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #readFeed(): Promise<void> {
    const { revocationFeed } = await this.options.discovery.endpoints();
    if (revocationFeed === undefined) {
      this.#published = false;
      return;
    }
    for (let page = 0; page < MAX_PAGES_PER_POLL; page += 1) {
      const url = new URL(revocationFeed);
      if (this.#cursor !== undefined) url.searchParams.set('after', this.#cursor);
      const answer = await fetchJsonObject(url.href, 'revocation feed', this.options.fetchTimeoutMs);
      const { sets, cursor, moreAvailable } = answer;
      if (!isRecord(sets) || typeof cursor !== 'string') throw new Error('revocation feed: not a feed answer');
      for (const set of Object.values(sets)) if (typeof set === 'string') await this.#apply(set);
      this.#cursor = cursor;
      if (moreAvailable !== true) break;
    }
    this.#forgetOld(this.options.clock());
  }

  /** Verifies one SET and records what it revokes; one that does not verify is ignored. */
  async #apply(set: string): Promise<void> {
    let jws;
    try {
      jws = decodeCompactJws(set);
    } catch {
      return;
    }
    const { typ, alg, kid } = jws.header;
    if (typ !== 'secevent+jwt' || !isSupportedAlgorithm(alg) || !this.options.algorithms.includes(alg) || typeof kid !== 'string') return;
    // A key we cannot fetch right now fails the poll (it is retried); an unknown kid is a forgery.
    const keys = this.options.keys.cached(kid, this.options.clock()) ?? (await this.options.keys.refetch(kid));
    const key = keys?.find((candidate) => candidate.algorithm === alg);
    if (key === undefined || !verifySignature(alg, key.key, jws.signingInput, jws.signature)) return;
    let claims: Record<string, unknown>;
    try {
      claims = decodeJsonSegment(jws.payloadSegment, 'claims set');
    } catch {
      return;
    }
    const event = isRecord(claims.events) ? claims.events[SESSION_REVOKED_EVENT] : undefined;
    const { client_id: siteId, sub_id: subject, iss } = claims;
    if (iss !== this.options.issuer || !isRecord(event) || typeof siteId !== 'string' || !isRecord(subject)) return;
    const at = event.event_timestamp;
    if (typeof at !== 'number' || !Number.isFinite(at)) return;
    const dropAtMs = at * 1000 + EVENT_RETENTION_MS;
    if (subject.format === 'opaque' && typeof subject.id === 'string') {
      setEntry(this.#sessions, siteId, subject.id, dropAtMs);
    } else if (subject.format === 'iss_sub' && subject.iss === this.options.issuer && typeof subject.sub === 'string') {
      const before = Math.max(at, entryOf(this.#subjects, siteId, subject.sub)?.before ?? 0);
      setEntry(this.#subjects, siteId, subject.sub, { before, dropAtMs: before * 1000 + EVENT_RETENTION_MS });
    }
  }

  #forgetOld(nowMs: number): void {
    forgetEntries(this.#sessions, (dropAtMs) => dropAtMs <= nowMs);
    forgetEntries(this.#subjects, (entry) => entry.dropAtMs <= nowMs);
  }
}
