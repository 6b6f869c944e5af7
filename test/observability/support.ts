import type { Registry } from 'prom-client';
import { createCommentService, type CommentService } from '../../src/comments';
import { listen, type RunningServer } from '../../src/http/listen';
import { TestBrowser } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { startEmailSignIn } from '../helpers/email';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, linkIn, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { DEMO_ORIGIN, serviceSettings } from '../comments/support';

/**
 * A gateway and a comment service, both with their metrics listener on (PARLEY_METRICS_PORT=0:
 * any free loopback port) and their log lines collected.
 */
export interface ObservedStack {
  readonly gw: RunningTestGateway;
  readonly discovery: Discovery;
  readonly comments: CommentService;
  readonly commentsUrl: string;
  readonly gatewayLog: string[];
  readonly commentsLog: string[];
  stop(): Promise<void>;
}

export async function startObservedStack(): Promise<ObservedStack> {
  const gatewayLog: string[] = [];
  const commentsLog: string[] = [];
  const gw = await startTestGateway({ env: { PARLEY_METRICS_PORT: '0' }, gatewayOptions: { log: (line) => gatewayLog.push(line) } });
  const comments = await createCommentService(serviceSettings(gw.issuer, makeDataDir(), { PARLEY_METRICS_PORT: '0' }), { log: (line) => commentsLog.push(line) });
  const server: RunningServer = await listen(comments.app, 0);
  return {
    gw,
    discovery: await discover(gw.issuer),
    comments,
    commentsUrl: `http://127.0.0.1:${server.port}`,
    gatewayLog,
    commentsLog,
    async stop() {
      await server.close();
      await comments.close();
      await gw.stop();
    },
  };
}

export interface SignedIn {
  readonly browser: TestBrowser;
  readonly accessToken: string;
  readonly idToken: string;
  /** Everything of this sign-in no log may hold. */
  readonly secrets: readonly string[];
}

/** Signs in by email with the 6-digit code (`via: 'code'`) or by opening the link, and redeems the code. */
export async function signInByEmail(stack: ObservedStack, email: string, via: 'code' | 'link'): Promise<SignedIn> {
  const { gw, discovery } = stack;
  const browser = new TestBrowser();
  const started = await startEmailSignIn(browser, discovery, email, { name: 'Observed Commenter' });
  const message = started.message!;
  let relay;
  if (via === 'code') {
    relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(message) });
  } else {
    const link = linkIn(message);
    expect((await browser.get(link)).status).toBe(200);
    expect((await browser.post(`${gw.issuer}/email/confirm`, { token: new URL(link).searchParams.get('token')! })).status).toBe(200);
    relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {});
  }
  const code = relayParams(relay).get('code')!;
  const tokens = await redeemCode(discovery, started.pending, code, {}, DEMO_ORIGIN);
  expect(tokens.status).toBe(200);
  const link = linkIn(message);
  const cookies = browser.cookieNames().map((name) => browser.cookieValue(name)!);
  return {
    browser,
    accessToken: String(tokens.body['access_token']),
    idToken: String(tokens.body['id_token']),
    secrets: [email, codeIn(message), link, new URL(link).searchParams.get('token')!, code, String(tokens.body['access_token']), String(tokens.body['id_token']), started.pending.verifier, ...cookies],
  };
}

/** One sample of a scrape: its metric name, labels and value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Scrapes `http://127.0.0.1:<port>/metrics` over real HTTP and parses Prometheus's text format. */
export async function scrape(port: number | undefined): Promise<Sample[]> {
  if (port === undefined) throw new Error('the metrics listener is off');
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples: Sample[] = [];
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matching.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} names ${matching.length} samples`);
  return matching[0]?.value ?? 0;
}

/** The value of one series of a counter or gauge, read from a service's registry in process; 0 when absent. */
export async function registryValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name} in the registry`);
  const { values } = await metric.get();
  return values.find((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value ?? 0;
}
