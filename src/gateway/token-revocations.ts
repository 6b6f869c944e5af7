import type { Site } from '../config/sites';
import type { RevocationStore } from '../store/revocations';
import { pairwiseSubject, sessionHandle } from '../tokens/claims';
import type { KeyRing } from '../tokens/keys';
import { REVOCATION_RETENTION_SECONDS, signRevocation, type Revocation } from '../tokens/revocation-events';

export interface TokenRevocationsDeps {
  readonly store: RevocationStore;
  /** The key ring in force (it changes when keys rotate). */
  readonly keyRing: () => KeyRing;
  readonly issuer: string;
  readonly pairwiseSecret: string;
  readonly sites: readonly Site[];
  readonly now?: () => number;
  /** Told of each revocation once it is on the feed (for the metrics). */
  readonly onPublished?: () => void;
}

/**
 * Makes access tokens useless before they expire. Access tokens are JWTs that blog backends check
 * offline, so nothing is deleted: a signed event goes into the revocation feed, and every verifier
 * polling it refuses the tokens it names within seconds (see docs/revocation.md).
 */
export class TokenRevocations {
  private readonly now: () => number;

  constructor(private readonly deps: TokenRevocationsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Every token of one grant (one browser session's sign-in at one site). */
  revokeGrant(siteId: string, grantId: string): Promise<void> {
    return this.revokeSession(siteId, sessionHandle(grantId));
  }

  /** Every token whose `sid` claim is `sessionId`, at one site. */
  revokeSession(siteId: string, sessionId: string): Promise<void> {
    return this.publish({ kind: 'session', siteId, sessionId });
  }

  /** Every token issued until now to `subject` (a pairwise `sub`) at one site. */
  revokeSubject(siteId: string, subject: string): Promise<void> {
    return this.publish({ kind: 'subject', siteId, subject });
  }

  /** Every token issued until now for an account, at every site. */
  async revokeAccount(accountId: string): Promise<void> {
    for (const site of this.deps.sites) await this.revokeSubject(site.id, pairwiseSubject(this.deps.pairwiseSecret, site.id, accountId));
  }

  private async publish(revocation: Revocation): Promise<void> {
    const nowMs = this.now();
    const signed = signRevocation(this.deps.keyRing().current, this.deps.issuer, revocation, nowMs);
    await this.deps.store.add({ ...signed, expiresAt: nowMs + REVOCATION_RETENTION_SECONDS * 1000 });
    this.deps.onPublished?.();
  }
}
