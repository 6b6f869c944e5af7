import { OidcAdapter } from '../store/oidc-adapter';
import type { Db } from '../store/database';
import type { TokenRevocations } from './token-revocations';

/**
 * oidc-provider's storage for Grants, which also revokes the grant's access tokens when the grant
 * is destroyed. oidc-provider destroys a grant only to revoke it (its helpers/revoke.js: logout,
 * a replayed authorization code, the revocation endpoint), and awaits the destroy, so the
 * revocation is in the feed before the answer that caused it leaves.
 */
export class RevokingGrantAdapter extends OidcAdapter {
  constructor(
    db: Db,
    private readonly revocations: TokenRevocations,
  ) {
    super(db, 'Grant');
  }

  override async destroy(id: string): Promise<void> {
    const grant = await this.find(id);
    await super.destroy(id);
    if (grant && typeof grant.clientId === 'string') await this.revocations.revokeGrant(grant.clientId, id);
  }
}
