import fs from 'node:fs';
import path from 'node:path';
import { COMMENTS_DB_FILE, DEFAULT_COMMENT_RATE_LIMITS } from '../../src/comments';
import { schemaFor } from '../../src/store/database';
import { GatewayTokens, getComments, postComment, SERVICE_SITES, type ApiResponse } from '../comments/support';
import { makeDataDir } from '../helpers/data-dir';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { testStoreEnv, withClient } from '../helpers/postgres';
import { startServiceProcess, type ServiceExit, type ServiceProcess } from '../helpers/service-process';

/**
 * Issue 12, "kill one instance (SIGKILL) during a comment load → every comment that got a 201 is
 * there afterwards". Two comment services run as real `parley comments` processes on one
 * PostgreSQL database; a load of comment POSTs, each with its own Idempotency-Key, goes to both.
 * Clients do what a balancer's client does: a request that got no answer (or a 5xx) is sent
 * again, with the same Idempotency-Key, to the other instance.
 *
 * A third of the way in, one instance is killed with SIGKILL, aimed at the worst moment: the
 * test holds every write to idempotency_keys (a table lock in SHARE mode, which lets reads
 * through), waits until the victim has a request stopped right there (its comment written, its
 * record not yet), kills it, and ends its database sessions with it. That last step matters:
 * PostgreSQL notices a dead client only when it next reads from it, so a statement it had already
 * received would still run once the lock went; ending the sessions makes the crash come an
 * instant earlier, before that statement was sent — which is what would leave a comment without
 * its record, were the two not written in one transaction.
 *
 * Afterwards every comment answered with a 201 is in the database exactly once, with its
 * idempotency record, and nothing else is; the API shows the same; every key sent once more
 * replays its first answer; and the killed instance, restarted, serves again.
 */

const SITE = 'demo-blog';
const POST = 'killed-during-load';
/** Comments per commenter: under the default per-minute limit, which the `parley comments` processes keep. */
const COMMENTS_PER_COMMENTER = DEFAULT_COMMENT_RATE_LIMITS[0]!.limit - 1;
const COMMENTERS = 50;
const LOAD = COMMENTERS * COMMENTS_PER_COMMENTER;
/** Requests in flight at once, spread over both instances. */
const CONCURRENCY = 32;
/** The kill comes once this many comments have been answered with a 201. */
const KILL_AFTER_CREATED = Math.floor(LOAD / 3);
/** How long the victim may take to reach the held write; it has requests in hand, so milliseconds. */
const STOPPED_WRITE_TIMEOUT_MS = 20_000;
/** Tries per request: preferred instance, the other, and so on. */
const MAX_TRIES = 6;
const RETRY_PAUSE_MS = 50;
const VICTIM = 1;
const SURVIVOR = 0;

interface Try {
  readonly instance: number;
  /** The HTTP status, or the network error's code when there was no answer. */
  readonly outcome: number | string;
  /** Whether the try was sent before the kill. */
  readonly sentBeforeKill: boolean;
}

interface LoadRequest {
  readonly index: number;
  readonly sub: string;
  readonly name: string;
  readonly token: string;
  readonly key: string;
  readonly body: string;
  readonly preferred: number;
  readonly tries: Try[];
  final?: ApiResponse;
  answeredBy?: number;
}

interface CommentRow {
  id: string;
  author_sub: string;
  author_name: string;
  body: string;
}

interface IdempotencyRow {
  sub: string;
  key: string;
  status: number;
  response: string;
}

/** The id of the comment a request was answered with (a 201). */
function commentIdOf(request: LoadRequest): string {
  return request.final!.json.comment!.id;
}

function recordedCommentId(record: IdempotencyRow): string | undefined {
  return (JSON.parse(record.response) as { comment?: { id?: string } }).comment?.id;
}

function sortedById<T extends { id?: string | undefined }>(entries: T[]): T[] {
  return [...entries].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
}

function networkErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).message;
}

describe('a comment service instance killed with SIGKILL in the middle of a comment load', () => {
  let gateway: RunningTestGateway;
  let tokens: GatewayTokens;
  let databaseUrl: string;
  const instances: ServiceProcess[] = [];
  const requests: LoadRequest[] = [];
  let victimExit: ServiceExit;
  /** Requests in flight on the victim when it was killed. */
  let inFlightOnVictimAtKill = 0;
  /** Of those, how many were stopped inside their transaction, at the idempotency record. */
  let stoppedAtRecordAtKill = 0;
  const schema = schemaFor(COMMENTS_DB_FILE);
  /** Each instance names its connections (application_name), so the test can tell whose are whose. */
  const applicationName = (index: number) => `parley-comments-${index}`;

  beforeAll(async () => {
    gateway = await startTestGateway();
    tokens = await GatewayTokens.of(gateway);
    // One database (and Redis prefix) for both instances, named after a directory neither uses.
    const shared = await testStoreEnv(makeDataDir());
    if (shared['DATABASE_URL'] === undefined) throw new Error('this test belongs to the cluster suite: npm run test:cluster');
    databaseUrl = shared['DATABASE_URL'];
    for (let index = 0; index < 2; index += 1) {
      const dataDir = makeDataDir();
      const sitesFile = path.join(dataDir, 'sites.json');
      fs.writeFileSync(sitesFile, JSON.stringify(SERVICE_SITES));
      const url = new URL(databaseUrl);
      url.searchParams.set('application_name', applicationName(index));
      const env = { PARLEY_DATA_DIR: dataDir, PARLEY_ISSUER: gateway.issuer, PARLEY_COMMENTS_URL: COMMENTS_URL, PARLEY_SITES_FILE: sitesFile, ...shared, DATABASE_URL: url.href };
      instances.push(await startServiceProcess('comments', env));
    }
    for (let commenter = 0; commenter < COMMENTERS; commenter += 1) {
      const sub = `killed-load-${commenter}`;
      const name = `Commenter ${commenter}`;
      const token = await tokens.mint({ sub, name, idp: 'email', picture: undefined });
      for (let nth = 0; nth < COMMENTS_PER_COMMENTER; nth += 1) {
        const index = requests.length;
        requests.push({ index, sub, name, token, key: `load-${index}`, body: `Comment ${index}, number ${nth + 1} by commenter ${commenter}`, preferred: index % 2, tries: [] });
      }
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await gateway?.stop();
  });

  /** The requests of the load answered with a 201 in the end: the ones whose comments must be there. */
  const answeredWith201 = () => requests.filter((request) => request.final?.status === 201);

  /** Every comment row and idempotency record of the test's post, read straight from PostgreSQL. */
  async function storedRows(): Promise<{ comments: CommentRow[]; records: IdempotencyRow[]; hourlyHits: Map<string, number> }> {
    return withClient(databaseUrl, async (client) => {
      const comments = (await client.query<CommentRow>(`select id, author_sub, author_name, body from ${schema}.comments where site_id = $1 and post_id = $2 order by seq`, [SITE, POST])).rows;
      const records = (await client.query<IdempotencyRow>(`select sub, key, status, response from ${schema}.idempotency_keys where site_id = $1 and key like 'load-%'`, [SITE])).rows;
      const hourly = DEFAULT_COMMENT_RATE_LIMITS[1]!.windowSeconds;
      const counters = (await client.query<{ key: string; hits: number }>(`select key, hits from ${schema}.rate_limits where key like $1`, [`comments|${SITE}|${hourly}|%`])).rows;
      return { comments, records, hourlyHits: new Map(counters.map((row) => [row.key.split('|')[3]!, Number(row.hits)])) };
    });
  }

  /** How many of the instance's connections are waiting to write an idempotency record. */
  async function writesStoppedAtRecord(index: number): Promise<number> {
    return withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock' and query like 'insert into "idempotency_keys"%'`,
        [applicationName(index)],
      );
      return Number(rows[0]!.n);
    });
  }

  /**
   * Holds every write to idempotency_keys, waits until the victim has a request stopped there,
   * kills the victim with `kill` and ends its database sessions (see the top), then lets the
   * writes go on.
   */
  function killVictimAtItsWorstMoment(kill: () => Promise<ServiceExit>): Promise<{ exit: ServiceExit; stopped: number }> {
    return withClient(databaseUrl, async (holder) => {
      await holder.query('begin');
      try {
        await holder.query(`lock table ${schema}.idempotency_keys in share mode`);
        const deadline = Date.now() + STOPPED_WRITE_TIMEOUT_MS;
        let stopped = 0;
        while ((stopped = await writesStoppedAtRecord(VICTIM)) === 0) {
          if (Date.now() > deadline) throw new Error(`the victim had no request stopped at its idempotency record after ${STOPPED_WRITE_TIMEOUT_MS} ms`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const exit = await kill();
        await holder.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [applicationName(VICTIM)]);
        return { exit, stopped };
      } finally {
        await holder.query('rollback');
      }
    });
  }

  it('answers every request of the load with a 201 in the end, though one instance died under it', async () => {
    const inFlight = [0, 0];
    let created = 0;
    let killed = false;

    let killing: Promise<{ exit: ServiceExit; stopped: number }> | undefined;
    const killVictimOnce = () => {
      if (killing !== undefined || created < KILL_AFTER_CREATED) return;
      killing = killVictimAtItsWorstMoment(() => {
        killed = true;
        inFlightOnVictimAtKill = inFlight[VICTIM]!;
        return instances[VICTIM]!.kill('SIGKILL');
      });
    };

    /** One request as a balancer's client sends it: the other instance, same key, when there is no answer. */
    const send = async (request: LoadRequest) => {
      let instance = request.preferred;
      for (let attempt = 0; attempt < MAX_TRIES && request.final === undefined; attempt += 1) {
        const sentBeforeKill = !killed;
        inFlight[instance]! += 1;
        try {
          const response = await postComment(instances[instance]!.url, SITE, POST, request.token, { body: request.body }, { 'idempotency-key': request.key });
          request.tries.push({ instance, outcome: response.status, sentBeforeKill });
          if (response.status < 500) {
            request.final = response;
            request.answeredBy = instance;
            if (response.status === 201) created += 1;
          }
        } catch (error) {
          request.tries.push({ instance, outcome: networkErrorCode(error), sentBeforeKill });
        } finally {
          inFlight[instance]! -= 1;
        }
        killVictimOnce();
        if (request.final === undefined) {
          instance = 1 - instance;
          await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
        }
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < requests.length) await send(requests[next++]!);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(killing).toBeDefined();
    ({ exit: victimExit, stopped: stoppedAtRecordAtKill } = await killing!);

    const unanswered = requests.filter((request) => request.final?.status !== 201);
    expect(unanswered.map((request) => ({ key: request.key, tries: request.tries, answer: request.final?.text }))).toEqual([]);

    // The kill really fell in the middle: the victim had answered some, and had some in hand.
    const interrupted = requests.filter((request) => request.tries.some((t) => t.instance === VICTIM && t.sentBeforeKill && typeof t.outcome === 'string'));
    const retried = requests.filter((request) => request.tries.length > 1);
    const byVictim = requests.filter((request) => request.answeredBy === VICTIM);
    console.log(
      `instance-killed: ${LOAD} POSTs, ${CONCURRENCY} at once; SIGKILL after ${KILL_AFTER_CREATED} 201s with ${inFlightOnVictimAtKill} in flight on the victim (${stoppedAtRecordAtKill} stopped at their idempotency record); ` +
        `${interrupted.length} cut off by the kill, ${retried.length} retried on the other instance, ${byVictim.length} answered by the victim before it died`,
    );
    expect(victimExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(byVictim.length).toBeGreaterThan(0);
    expect(interrupted.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.final!.json.comment?.author.name === request.name)).toBe(true);
  }, 120_000);

  it('keeps exactly the comments that got a 201, each once, each with its idempotency record, and nothing half-written', async () => {
    const { comments, records, hourlyHits } = await storedRows();
    const created = answeredWith201();
    const commentIds = new Set<string | undefined>(comments.map((row) => row.id));
    const recordedIds = new Set(records.map(recordedCommentId));

    // Nothing half-written: every comment has its idempotency record, every record its comment.
    expect(comments.filter((row) => !recordedIds.has(row.id)).map((row) => row.body)).toEqual([]);
    expect(records.filter((record) => !commentIds.has(recordedCommentId(record))).map((record) => record.key)).toEqual([]);

    // Exactly the comments answered with a 201, each once (ids are unique), as they were asked for.
    const stored = comments.map((row) => ({ id: row.id, sub: row.author_sub, name: row.author_name, body: row.body }));
    const answered = created.map((request) => ({ id: commentIdOf(request), sub: request.sub, name: request.name, body: request.body }));
    expect(sortedById(stored)).toEqual(sortedById(answered));

    // One record per key, naming the comment its request was answered with.
    const recorded = records.map((record) => ({ sub: record.sub, key: record.key, status: record.status, id: recordedCommentId(record) }));
    const expected = created.map((request) => ({ sub: request.sub, key: request.key, status: 201, id: commentIdOf(request) }));
    expect(sortedById(recorded)).toEqual(sortedById(expected));

    // The hourly flood counters count the comments written, not the tries rolled back by the kill.
    for (let commenter = 0; commenter < COMMENTERS; commenter += 1) {
      const sub = `killed-load-${commenter}`;
      expect({ sub, hits: hourlyHits.get(sub) }).toEqual({ sub, hits: comments.filter((row) => row.author_sub === sub).length });
    }
  });

  it('lists every comment that got a 201 exactly once through the API of the survivor', async () => {
    const thread = await getComments(instances[SURVIVOR]!.url, SITE, POST);
    expect(thread.status).toBe(200);
    const listed = thread.json.comments!.map((entry) => ({ id: entry.id, author: entry.author?.name }));
    const expected = answeredWith201().map((request) => ({ id: commentIdOf(request), author: request.name }));
    expect(sortedById(listed)).toEqual(sortedById(expected));
  });

  it('serves again once the killed instance is restarted, and sees what the survivor wrote', async () => {
    const victim = instances[VICTIM]!;
    expect(victim.running()).toBe(false);
    await victim.restart();
    expect((await fetch(`${victim.url}/readyz`)).status).toBe(200);

    const token = await tokens.mint({ sub: 'after-restart', name: 'After Restart', idp: 'email', picture: undefined });
    const posted = await postComment(victim.url, SITE, POST, token, { body: 'Posted through the restarted instance' }, { 'idempotency-key': 'after-restart-1' });
    expect(posted.status).toBe(201);
    const thread = await getComments(victim.url, SITE, POST);
    expect(thread.json.comments!.map((entry) => entry.id)).toEqual([...(await storedRows()).comments.map((row) => row.id)]);
    expect(thread.json.comments!.at(-1)!.id).toBe(posted.json.comment!.id);
  });

  it('replays the first answer, and writes nothing, when every key is sent again to the other instance', async () => {
    // Any of those 201s may have been lost on its way back to a client, which would then retry.
    const created = answeredWith201();
    const before = await storedRows();
    const replays = await Promise.all(
      created.map(async (request) => {
        const other = instances[1 - request.answeredBy!]!;
        const response = await postComment(other.url, SITE, POST, request.token, { body: request.body }, { 'idempotency-key': request.key });
        return { key: request.key, status: response.status, replayed: response.headers.get('idempotent-replayed'), id: response.json.comment?.id };
      }),
    );
    expect(replays).toEqual(created.map((request) => ({ key: request.key, status: 201, replayed: 'true', id: commentIdOf(request) })));
    const after = await storedRows();
    expect({ comments: after.comments.length, records: after.records.length }).toEqual({ comments: before.comments.length, records: before.records.length });
  });
});
