import pg from 'pg';
import type { MailMessage } from '../../src/store/dev-mailbox';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, interactionUid, redeemCode, relayParams, type Discovery, type MailboxMessage } from '../helpers/oidc-client';

/**
 * A measurement, not a test (its name keeps it out of every suite): how many statements the
 * gateway sends PostgreSQL for one complete email sign-in (authorization request, email, code,
 * token) with DATABASE_URL and REDIS_URL set. Run it with
 *
 *   npx jest --config jest.cluster.config.js --testMatch '**' '/test/cluster/sign-in-statements.measure.ts'
 *
 * Every statement goes through pg.Client#query (Kysely's pool and the key store alike), so
 * counting there sees them all. Mail goes to an in-memory mailer, not the dev mailbox, whose
 * table would add statements no real deployment makes. The first sign-in warms the caches
 * (client lookups, key ring) and is not counted.
 */
const SIGN_INS = 5;

describe('database statements per email sign-in', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  const mail: MailMessage[] = [];
  const statements: { text: string; values: unknown[] }[] = [];
  let counting = false;
  const query = pg.Client.prototype.query;

  beforeAll(async () => {
    pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string; values?: unknown[] } | undefined;
      const text = typeof config === 'string' ? config : config?.text;
      const values = (typeof config === 'string' ? args[1] : config?.values) ?? [];
      if (counting && text !== undefined) statements.push({ text, values: Array.isArray(values) ? values : [] });
      return (query as (...params: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    gw = await startTestGateway({ gatewayOptions: { mailer: { send: async (message) => void mail.push(message) } } });
    if (gw.settings.databaseUrl === undefined || gw.settings.redisUrl === undefined) throw new Error('run this in the cluster suite (PostgreSQL + Redis)');
    discovery = await discover(gw.issuer);
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await gw.stop();
  });

  async function signIn(email: string): Promise<void> {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider: 'email' });
    const uid = interactionUid(response);
    await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email, name: 'Counted' });
    const message = mail.filter((sent) => sent.to === email).at(-1)!;
    const relay = await browser.post(`${gw.issuer}/interaction/${uid}/email/code`, { code: codeIn(message as unknown as MailboxMessage) });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    if (tokens.status !== 200) throw new Error(`token request answered ${tokens.status}`);
  }

  /** Signs in SIGN_INS times and prints the mean count, by statement kind, table and oidc model. */
  async function count(label: string, emailOf: (index: number) => string): Promise<number> {
    statements.length = 0;
    counting = true;
    for (let index = 0; index < SIGN_INS; index += 1) await signIn(emailOf(index));
    counting = false;
    const byKind = new Map<string, number>();
    for (const { text, values } of statements) {
      const verb = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? '?';
      const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(text)?.[1] ?? '';
      const model = table === 'oidc_payloads' ? values.find((value) => typeof value === 'string' && /^[A-Z][A-Za-z]+$/.test(value)) : undefined;
      const kind = `${verb} ${table}${model ? ` (${String(model)})` : ''}`.trim();
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    const lines = [...byKind].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `  ${(n / SIGN_INS).toFixed(1).padStart(5)}  ${kind}`);
    console.log(`${label}: ${(statements.length / SIGN_INS).toFixed(1)} statements per email sign-in (mean of ${SIGN_INS})\n${lines.join('\n')}`);
    return statements.length;
  }

  it('counts them', async () => {
    await signIn('warm-up@example.com');
    expect(await count('new commenters', (index) => `counted-${index}@example.com`)).toBeGreaterThan(0);
    expect(await count('returning commenters, new browser', (index) => `counted-${index}@example.com`)).toBeGreaterThan(0);
  });
});
