import type { Adapter, AdapterPayload } from 'oidc-provider';
import { OidcAdapter } from '../store/oidc-adapter';
import type { Db } from '../store/database';
import { sessionHandle } from '../tokens/claims';
import type { TokenRevocations } from './token-revocations';

/**
 * oidc-provider's storage for Grants, which also revokes the grant's access tokens when the grant
 * is destroyed. oidc-provider destroys a grant only to revoke it (its helpers/revoke.js: logout,
 * a replayed authorization code, the revocation endpoint), and awaits the destroy, so the
 * revocation is in the feed before the answer that caused it leaves.
 *
 * `artifacts` is where the grant's codes and tokens are when they are not in the database (Redis,
 * with REDIS_URL), so ending a grant here ends them there too.
 */
export class RevokingGrantAdapter extends OidcAdapter {
  constructor(
    db: Db,
    private readonly revocations: TokenRevocations,
    private readonly artifacts?: Pick<Adapter, 'revokeByGrantId'>,
  ) {
    super(db, 'Grant');
  }

  /**
   * A grant is stored with its session handle (the `sid` of its access tokens) in the `uid`
   * column, which grants do not otherwise use, so a revoked token leads back to its grant.
   */
  override async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    await super.upsert(id, { ...payload, uid: sessionHandle(id) }, expiresIn);
  }

  /** Ends the grant whose access tokens carry `sid` at `siteId` (revoking them), if it still exists. */
  async destroyBySessionHandle(siteId: string, sid: string): Promise<boolean> {
    const grant = await this.findByUid(sid);
    if (grant?.clientId !== siteId || typeof grant.jti !== 'string') return false;
    await this.destroy(grant.jti);
    await this.revokeByGrantId(grant.jti);
    await this.artifacts?.revokeByGrantId(grant.jti);
    return true;
  }

  override async destroy(id: string): Promise<void> {
    const grant = await this.find(id);
    await super.destroy(id);
    if (grant && typeof grant.clientId === 'string') await this.revocations.revokeGrant(grant.clientId, id);
  }
}
