import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli';
import { loadKeyRing } from '../../src/tokens/keys';
import { makeDataDir } from '../helpers/data-dir';

/** Production settings with nothing insecure in them (the signing key aside: see the tests). */
function secureProduction(dataDir: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: 'https://login.blog.example',
    PARLEY_COMMENTS_URL: 'https://comments.blog.example',
    PARLEY_SESSION_SECRET: 'x'.repeat(40),
    PARLEY_SMTP_URL: 'smtp://127.0.0.1:2525',
    PARLEY_SITES_FILE: `${__dirname}/fixtures/https-sites.json`,
    PARLEY_TRUST_PROXY: 'loopback',
  };
}

/** Runs the command and returns its exit code with everything it wrote to stderr and stdout. */
async function parley(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const errorSpy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  const logSpy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  try {
    return { code: await run(argv, env), err: err.join('\n'), out: out.join('\n') };
  } finally {
    errorSpy.mockRestore();
    logSpy.mockRestore();
  }
}

describe('the parley command', () => {
  it('stops with one line naming a bad setting', async () => {
    const result = await parley(['gateway'], { PARLEY_ISSUER: 'not a url', PARLEY_DATA_DIR: makeDataDir() });
    expect(result.code).toBe(1);
    expect(result.err).toBe('parley: PARLEY_ISSUER: must be an absolute http(s) URL (got "not a url")');
  });

  it('refuses insecure settings in production, naming the setting', async () => {
    const result = await parley(['gateway'], { NODE_ENV: 'production', PARLEY_DATA_DIR: makeDataDir() });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^parley: PARLEY_ISSUER: must use https in production/);
  });

  it('refuses a production gateway that trusts no TLS-terminating proxy, in one line naming PARLEY_TRUST_PROXY', async () => {
    // Without it oidc-provider sees plain HTTP and answers every sign-in with a 500.
    const untrusted = secureProduction(makeDataDir());
    delete untrusted['PARLEY_TRUST_PROXY'];
    const result = await parley(['gateway'], untrusted);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^parley: PARLEY_TRUST_PROXY: .*set it to "loopback"/);
    expect(result.err).not.toContain('\n');
  });

  it('refuses a production gateway without a provisioned key, or with a development key, and names the fix', async () => {
    const dataDir = makeDataDir();
    const secure = secureProduction(dataDir);
    const missing = await parley(['gateway'], secure);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^parley: PARLEY_DATA_DIR: no signing key .* run `parley keys rotate`/);

    await loadKeyRing(dataDir, { createIfMissing: true }); // what a development start leaves behind
    const development = await parley(['gateway'], secure);
    expect(development.code).toBe(1);
    expect(development.err).toMatch(/^parley: PARLEY_DATA_DIR: the signing key .* is a development key/);
  });

  // A scale-out store that cannot be reached stops a service in one line naming it: a service never
  // falls back to SQLite. PostgreSQL and Redis themselves: `npm run test:cluster`.
  it.each([
    ['gateway', 'DATABASE_URL', 'postgres://parley:secret-password@127.0.0.1:1/parley', /^parley: DATABASE_URL: PostgreSQL cannot be used: .*ECONNREFUSED/],
    ['gateway', 'REDIS_URL', 'redis://parley:secret-password@127.0.0.1:1', /^parley: REDIS_URL: Redis cannot be used: .*ECONNREFUSED/],
    ['comments', 'DATABASE_URL', 'postgresql://parley:secret-password@127.0.0.1:1/parley', /^parley: DATABASE_URL: PostgreSQL cannot be used: .*ECONNREFUSED/],
  ])('refuses to start `parley %s` with %s set, in one line naming it', async (command, setting, url, message) => {
    const result = await parley([command], { PARLEY_DATA_DIR: makeDataDir(), PARLEY_GATEWAY_PORT: '0', PARLEY_COMMENTS_PORT: '0', [setting]: url });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).not.toContain('secret-password');
    expect(result.err).not.toContain('\n');
  });

  it('rotates and lists keys', async () => {
    const dataDir = makeDataDir();
    const rotated = await parley(['keys', 'rotate'], { PARLEY_DATA_DIR: dataDir });
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(/new signing key \S+/);
    const listed = await parley(['keys', 'list'], { PARLEY_DATA_DIR: dataDir });
    expect(listed.out).toMatch(/RS256 .* signing/);
  });

  it('explains its usage for an unknown command', async () => {
    const result = await parley(['fly'], {});
    expect(result.code).toBe(1);
    expect(result.err).toContain('unknown command "fly"');
    expect(result.err).toContain('usage: parley <command>');
  });
});

/** Issue 14, item 5: the conventions of command-line tools. */
describe('the parley command line', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v', '-V']) {
      const result = await parley([flag], {});
      expect(result).toEqual({ code: 0, err: '', out: `parley ${version}` });
    }
  });

  // Settings that would stop any command: help must print before they are even read.
  const unusable = { PARLEY_ISSUER: 'not a url', PARLEY_DATA_DIR: '/nonexistent/parley' };

  it.each([
    ['gateway', 'usage: parley gateway'],
    ['comments', 'usage: parley comments'],
    ['demo', 'usage: parley demo'],
    ['emulators', 'usage: parley emulators'],
    ['keys', 'usage: parley keys'],
    ['tokens', 'usage: parley tokens revoke <site> <sub>'],
  ])('`parley %s --help` prints that command’s usage and starts nothing', async (command, usage) => {
    for (const argv of [[command, '--help'], [command, '-h'], ['help', command], [command, 'rotate', '--help']]) {
      const result = await parley(argv, { ...unusable, PARLEY_GATEWAY_PORT: '1', PARLEY_COMMENTS_PORT: '1' });
      expect(result.code).toBe(0);
      expect(result.out.startsWith(usage)).toBe(true);
      expect(result.err).toBe('');
    }
  });

  it('refuses an option it does not know instead of ignoring it, before anything runs', async () => {
    const dataDir = makeDataDir();
    const typo = await parley(['keys', 'rotate', '--dry-rnu'], { PARLEY_DATA_DIR: dataDir });
    expect(typo.code).toBe(1);
    expect(typo.err).toMatch(/^parley: unknown option "--dry-rnu" for parley keys\n\nusage: parley keys/);
    // Nothing was rotated: the key store is still empty.
    expect(await loadKeyRing(dataDir, { createIfMissing: false })).toBeUndefined();
    const valued = await parley(['gateway', '--port=4000'], { PARLEY_DATA_DIR: dataDir });
    expect(valued.err).toMatch(/^parley: unknown option "--port" for parley gateway/);
    const topLevel = await parley(['--verbose'], {});
    expect(topLevel.code).toBe(1);
    expect(topLevel.err).toMatch(/^parley: unknown option "--verbose"/);
  });

  it('takes an argument that starts with "-" (a base64url comment id or subject) as an argument, not an option', async () => {
    const dataDir = makeDataDir();
    const result = await parley(['comments', 'ban', 'demo-blog', '-L8rQq31CPyvtkfX'], { PARLEY_DATA_DIR: dataDir });
    expect(result).toMatchObject({ code: 0, out: 'banned -L8rQq31CPyvtkfX on demo-blog' });
    const unknown = await parley(['comments', 'hide', 'demo-blog', '-L8rQq31CPyvtkfX'], { PARLEY_DATA_DIR: dataDir });
    expect(unknown.err).toMatch(/does not exist/);
  });

  it('refuses arguments a command does not take', async () => {
    const result = await parley(['gateway', 'now'], { PARLEY_DATA_DIR: makeDataDir() });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^parley: parley gateway takes no arguments\n\nusage: parley gateway/);
  });

  it('says when a rotated key starts signing, in plain words', async () => {
    const rotated = await parley(['keys', 'rotate'], { PARLEY_DATA_DIR: makeDataDir() });
    expect(rotated.out).toMatch(/^parley: new signing key \S+ signs from now on; /);
    expect(rotated.out).not.toContain('from at');
  });
});
