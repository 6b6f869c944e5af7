import path from 'node:path';
import Database from 'better-sqlite3';
import { COMMENTS_DB_FILE } from '../../src/comments';
import { problemEntries } from '../helpers/log-entries';
import { startTestGateway } from '../helpers/gateway';
import { startCommentService } from '../comments/support';

/** A service under test: its base URL, its SQLite file, and how to close its database under it. */
interface ServiceUnderTest {
  readonly url: string;
  readonly databaseFile: string;
  /** The service's log lines so far (JSON, one entry each). */
  readonly logged: string[];
  closeDatabase(): Promise<void>;
  stop(): Promise<void>;
}

const SERVICES: ReadonlyArray<[string, () => Promise<ServiceUnderTest>]> = [
  [
    'the gateway',
    async () => {
      const logged: string[] = [];
      const gw = await startTestGateway({ gatewayOptions: { log: (line) => logged.push(line) } });
      return { url: gw.issuer, databaseFile: path.join(gw.dataDir, 'gateway.sqlite'), logged, closeDatabase: () => gw.gateway.close(), stop: () => gw.stop() };
    },
  ],
  [
    'the comment service',
    async () => {
      // Nothing listens on the discard port: health needs no gateway.
      const logged: string[] = [];
      const service = await startCommentService('http://127.0.0.1:9', { serviceOptions: { log: (line) => logged.push(line) } });
      return {
        url: service.url,
        databaseFile: path.join(service.dataDir, COMMENTS_DB_FILE),
        logged,
        closeDatabase: () => service.service.close(),
        stop: () => service.stop(),
      };
    },
  ],
];

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly cacheControl: string | null;
  readonly body: unknown;
  readonly ms: number;
}

async function probe(url: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url);
  const body: unknown = await response.json();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    cacheControl: response.headers.get('cache-control'),
    body,
    ms: performance.now() - started,
  };
}

const OK = { status: 200, body: { status: 'ok' } };
const UNAVAILABLE = { status: 503, body: { status: 'unavailable' } };

describe.each(SERVICES)('%s', (_name, start) => {
  let service: ServiceUnderTest;

  beforeEach(async () => {
    service = await start();
  });
  afterEach(() => service.stop());

  it('answers /healthz, /readyz and /health with 200 ok, never cached, while it can write', async () => {
    for (const probePath of ['/healthz', '/readyz', '/health']) {
      const answer = await probe(`${service.url}${probePath}`);
      expect(answer).toMatchObject(OK);
      expect(answer.cacheControl).toBe('no-store');
    }
  });

  it('is not ready while another connection holds the write lock, answers that quickly, and is ready again once it is released', async () => {
    const other = new Database(service.databaseFile);
    try {
      other.exec('begin exclusive');
      const before = service.logged.length;
      await (async () => {
        for (const probePath of ['/readyz', '/health']) {
          const answer = await probe(`${service.url}${probePath}`);
          expect(answer).toMatchObject(UNAVAILABLE);
          expect(Number(answer.retryAfter)).toBeGreaterThan(0);
          expect(answer.cacheControl).toBe('no-store');
          // Far below the 5 seconds an ordinary write waits for the lock.
          expect(answer.ms).toBeLessThan(2000);
        }
        // The process itself still serves.
        expect(await probe(`${service.url}/healthz`)).toMatchObject(OK);
      })();
      // One warning per failed check, with the reason.
      expect(problemEntries(service.logged.slice(before))).toEqual([
        expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^(gateway|comments): not ready: .*database is locked/) }),
        expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^(gateway|comments): not ready: .*database is locked/) }),
      ]);
      other.exec('rollback');
      expect(await probe(`${service.url}/readyz`)).toMatchObject(OK);
      expect(await probe(`${service.url}/health`)).toMatchObject(OK);
    } finally {
      other.close();
    }
  });

  it('is not ready once its database is closed, while /healthz still answers', async () => {
    await service.closeDatabase();
    const before = service.logged.length;
    expect(await probe(`${service.url}/readyz`)).toMatchObject(UNAVAILABLE);
    expect(await probe(`${service.url}/health`)).toMatchObject(UNAVAILABLE);
    expect(problemEntries(service.logged.slice(before))).toHaveLength(2);
    expect(await probe(`${service.url}/healthz`)).toMatchObject(OK);
  });
});
