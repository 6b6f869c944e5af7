import type { DpopReplayStore } from '../../packages/verify/src';
import type { CommentsDb } from './database';

/**
 * The verifier's DPoP replay cache in the comment service's database (comments.sqlite, or the
 * shared PostgreSQL schema), so a proof used at one instance is refused at every other.
 *
 * One statement per proof: the insert succeeds for a new proof and does nothing for a used one;
 * the primary key makes that atomic across instances. A proof is only ever inserted while its iat
 * is in the verifier's window, and every use of one proof carries the same iat, so a row that
 * has expired but not yet been swept never turns a fresh proof away. A failing database rejects,
 * and the verifier answers 503.
 */
export class DatabaseDpopReplayStore implements DpopReplayStore {
  constructor(private readonly db: CommentsDb) {}

  async remember(key: string, expiresAtMs: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto('dpop_proofs')
      .values({ key, expires_at: expiresAtMs })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Deletes the proofs whose window has passed. */
  async sweep(nowMs: number): Promise<void> {
    await this.db.deleteFrom('dpop_proofs').where('expires_at', '<=', nowMs).execute();
  }
}
