import { randomBytes } from 'node:crypto';
import type { SiteSubject } from '../../backchannel/protocol';
import type { Db } from '../../store/database';

/** What the status page may say of an erasure: nothing else about it leaves the gateway. */
export type ErasureStatus = 'done' | 'in_progress';

/** An erasure the comment service has still to confirm, claimed by one gateway instance. */
export interface ClaimedErasure {
  readonly id: string;
  readonly subjects: readonly SiteSubject[];
  /** Failed attempts so far. */
  readonly attempts: number;
  /** When the commenter asked: a confirmation sooner than the revocation window after it is followed by one more pass. */
  readonly createdAt: number;
}

/** The subjects of an erasure that needs nothing more: kept no longer than that. */
const NO_SUBJECTS = '[]';

/** Erasure ids are random and unguessable: the status page's address is their only key. */
const ERASURE_ID = /^[A-Za-z0-9_-]{24}$/;

/**
 * The erasures table: one row per erased account, holding only the pairwise subjects the
 * comment service needs to anonymise its comments, until it confirms (done_at), then kept as a
 * receipt the status page reads. Rows are claimed with a lease (`lease_until`), so of several
 * gateway instances only one sends a given erasure at a time.
 */
export class ErasureStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an erasure, already claimed by the caller for `leaseMs` (it tries at once). */
  async create(subjects: readonly SiteSubject[], leaseMs: number): Promise<ClaimedErasure> {
    const id = randomBytes(18).toString('base64url');
    const now = this.now();
    await this.db
      .insertInto('erasures')
      .values({ id, subjects: JSON.stringify(subjects), created_at: now, next_attempt_at: now, lease_until: now + leaseMs, done_at: null, last_error: null })
      .execute();
    return { id, subjects, attempts: 0, createdAt: now };
  }

  /**
   * Claims up to `limit` erasures that are due and not leased by another instance: those not yet
   * confirmed, and those confirmed but awaiting their follow-up pass (subjects still kept). Each
   * claim is a conditional update: of two instances racing for a row, exactly one changes it.
   */
  async claimDue(leaseMs: number, limit: number): Promise<ClaimedErasure[]> {
    const now = this.now();
    const due = await this.db
      .selectFrom('erasures')
      .select(['id', 'subjects', 'attempts', 'created_at'])
      .where('subjects', '!=', NO_SUBJECTS)
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: ClaimedErasure[] = [];
    for (const row of due) {
      const result = await this.db
        .updateTable('erasures')
        .set({ lease_until: now + leaseMs })
        .where('id', '=', row.id)
        .where('subjects', '!=', NO_SUBJECTS)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        claimed.push({ id: row.id, subjects: JSON.parse(row.subjects) as SiteSubject[], attempts: Number(row.attempts), createdAt: Number(row.created_at) });
      }
    }
    return claimed;
  }

  /** The comment service confirmed for good: the row stays as the status page's receipt, without its subjects. */
  async markDone(id: string): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set((eb) => ({ done_at: eb.fn.coalesce('done_at', eb.val(this.now())), lease_until: null, last_error: null, subjects: NO_SUBJECTS }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * The comment service confirmed, but a token issued before the erasure may still have been
   * accepted meanwhile (verifiers refuse them within seconds, not at once): the status page says
   * done, and the subjects are kept for one more pass at `followUpAt`.
   */
  async markConfirmedPendingFollowUp(id: string, followUpAt: number): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set((eb) => ({ done_at: eb.fn.coalesce('done_at', eb.val(this.now())), lease_until: null, last_error: null, next_attempt_at: followUpAt }))
      .where('id', '=', id)
      .execute();
  }

  /** An attempt failed: try again at `nextAttemptAt` (the lease is released). */
  async markFailed(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set({ attempts, next_attempt_at: nextAttemptAt, lease_until: null, last_error: error.slice(0, 500) })
      .where('id', '=', id)
      .where('subjects', '!=', NO_SUBJECTS)
      .execute();
  }

  /** Where an erasure stands; undefined for an id that is not one. */
  async status(id: string): Promise<ErasureStatus | undefined> {
    if (!ERASURE_ID.test(id)) return undefined;
    const row = await this.db.selectFrom('erasures').select('done_at').where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return row.done_at === null ? 'in_progress' : 'done';
  }
}
