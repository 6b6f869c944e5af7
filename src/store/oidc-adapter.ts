import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Db } from './database';

/** The models that belong to a grant and die with it (as in oidc-provider's own adapters). */
export const GRANT_ARTIFACTS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'];

/**
 * The models used once (codes, not access tokens). oidc-provider checks `consumed` and then
 * consumes: two steps another request (on another instance) can come between. So the consumption
 * itself decides: of two at once exactly one succeeds, and the other fails as a replay would.
 */
export const SINGLE_USE_MODELS: ReadonlySet<string> = new Set(GRANT_ARTIFACTS.filter((model) => model !== 'AccessToken'));

/** The error oidc-provider answers for a code consumed between its check and its consumption. */
export function alreadyConsumed(model: string, detail: string): Error {
  return new errors.InvalidGrant(`${model} ${detail}`);
}

/**
 * oidc-provider's storage contract on our database: every model (Session, Interaction,
 * AuthorizationCode, Grant, ...) is a row keyed by (model, id). Expired rows are invisible and
 * swept in the background, so a restart loses nothing that was still valid.
 */
export class OidcAdapter implements Adapter {
  constructor(
    private readonly db: Db,
    private readonly model: string,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const row = {
      model: this.model,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      // oidc-provider saves with the time left; 0 or less means already expired, not "forever".
      expires_at: Number.isFinite(expiresIn) ? this.now() + expiresIn * 1000 : null,
      consumed_at: null,
    };
    await this.db
      .insertInto('oidc_payloads')
      .values(row)
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({ ...row }))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    const { numUpdatedRows } = await this.db
      .updateTable('oidc_payloads')
      .set({ consumed_at: this.now() })
      .where('model', '=', this.model)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (numUpdatedRows === 0n && SINGLE_USE_MODELS.has(this.model)) throw alreadyConsumed(this.model, 'already consumed or gone');
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // A grant's tokens and codes live under several models; revoking the grant removes them all,
    // but only those: an Interaction also carries a grantId, and deleting it would break the very
    // sign-in that replaced the grant (a commenter switching accounts).
    await this.db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).where('model', 'in', GRANT_ARTIFACTS).execute();
  }

  private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('oidc_payloads')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // oidc-provider detects reuse (e.g. a code redeemed twice) by this field.
    if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
    return payload;
  }
}

/** Deletes rows of every model that expired; called periodically by the gateway. */
export async function sweepExpiredOidcPayloads(db: Db, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
