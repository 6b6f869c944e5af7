import { assertProductionReady, loadSettings, type SettingsSource } from '../../src/config';
import { configErrorFrom, removeTempDirs, tempDir, writeFile } from './helpers';

let cwd: string;

beforeEach(() => {
  cwd = tempDir('parley-production-');
  writeFile(cwd, 'empty-config.json', {});
  writeFile(cwd, 'secure-sites.json', [{ id: 'blog', name: 'Blog', origins: ['https://blog.example', 'https://www.blog.example'] }]);
  writeFile(cwd, 'mixed-sites.json', [
    { id: 'blog', name: 'Blog', origins: ['https://blog.example'] },
    { id: 'old-blog', name: 'Old Blog', origins: ['https://old.example', 'http://old.example'] },
  ]);
});

afterEach(removeTempDirs);

/** A production configuration with nothing insecure in it, Twitter and Facebook included. */
const SECURE: SettingsSource = {
  PARLEY_CONFIG_FILE: 'empty-config.json',
  NODE_ENV: 'production',
  PARLEY_ISSUER: 'https://login.blog.example',
  PARLEY_COMMENTS_URL: 'https://comments.blog.example',
  PARLEY_SITES_FILE: 'secure-sites.json',
  PARLEY_SESSION_SECRET: 'a-long-random-production-secret-0123456789',
  PARLEY_SMTP_URL: 'smtps://parley:pw@mail.blog.example:465',
  PARLEY_TWITTER_CONSUMER_KEY: 'ck',
  PARLEY_TWITTER_CONSUMER_SECRET: 'cs',
  PARLEY_FACEBOOK_APP_ID: '1234',
  PARLEY_FACEBOOK_APP_SECRET: 'fb-secret',
  PARLEY_TRUST_PROXY: 'loopback',
};

/** SECURE with some settings changed; `undefined` removes one. */
function productionSettings(changes: Record<string, string | undefined> = {}) {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...SECURE, ...changes })) if (value !== undefined) env[name] = value;
  return loadSettings(env, cwd);
}

describe('assertProductionReady', () => {
  it('accepts a fully secure production configuration', () => {
    const settings = productionSettings();
    expect(settings.production).toBe(true);
    expect(() => assertProductionReady(settings)).not.toThrow();
  });

  it('accepts PostgreSQL with a key encryption key', () => {
    const settings = productionSettings({ DATABASE_URL: 'postgres://db.internal/parley', PARLEY_KEY_ENCRYPTION_KEY: 'k'.repeat(40) });
    expect(() => assertProductionReady(settings)).not.toThrow();
  });

  it('accepts a production configuration without Twitter or Facebook', () => {
    const settings = productionSettings({
      PARLEY_TWITTER_CONSUMER_KEY: undefined,
      PARLEY_TWITTER_CONSUMER_SECRET: undefined,
      PARLEY_FACEBOOK_APP_ID: undefined,
      PARLEY_FACEBOOK_APP_SECRET: undefined,
    });
    expect(() => assertProductionReady(settings)).not.toThrow();
  });

  it('lets development run on the insecure defaults', () => {
    const settings = loadSettings({ PARLEY_CONFIG_FILE: 'empty-config.json' }, cwd);
    expect(settings.production).toBe(false);
    expect(() => assertProductionReady(settings)).not.toThrow();
  });

  it('applies when NODE_ENV=production comes from the config file', () => {
    writeFile(cwd, 'parley.json', { NODE_ENV: 'production' });
    const settings = loadSettings({ PARLEY_CONFIG_FILE: 'parley.json' }, cwd);
    expect(configErrorFrom(() => assertProductionReady(settings)).setting).toBe('PARLEY_ISSUER');
  });
});

describe('in production, assertProductionReady refuses an insecure setting and names it', () => {
  it.each<[string, Record<string, string | undefined>, string, RegExp]>([
    ['an http issuer', { PARLEY_ISSUER: 'http://login.blog.example' }, 'PARLEY_ISSUER', /must use https in production/],
    ['an http comments URL', { PARLEY_COMMENTS_URL: 'http://comments.blog.example' }, 'PARLEY_COMMENTS_URL', /must use https in production/],
    ['a missing session secret', { PARLEY_SESSION_SECRET: undefined }, 'PARLEY_SESSION_SECRET', /is required in production/],
    ['a missing SMTP URL (the dev mailbox)', { PARLEY_SMTP_URL: undefined }, 'PARLEY_SMTP_URL', /is required in production/],
    ['the Twitter emulator on localhost', { PARLEY_TWITTER_API_URL: 'http://localhost:4300/twitter' }, 'PARLEY_TWITTER_API_URL', /development emulator/],
    ['a Twitter URL on 127.0.0.1, even over https', { PARLEY_TWITTER_API_URL: 'https://127.0.0.1:4300' }, 'PARLEY_TWITTER_API_URL', /development emulator/],
    ['a Twitter URL on IPv6 loopback', { PARLEY_TWITTER_API_URL: 'https://[::1]:4300' }, 'PARLEY_TWITTER_API_URL', /development emulator/],
    ['a Twitter URL over http on a public host', { PARLEY_TWITTER_API_URL: 'http://api.twitter.com' }, 'PARLEY_TWITTER_API_URL', /over https/],
    ['the Facebook emulator for the www host', { PARLEY_FACEBOOK_WWW_URL: 'http://127.0.0.1:4300/facebook' }, 'PARLEY_FACEBOOK_WWW_URL', /development emulator/],
    ['a Facebook www URL on localhost over https', { PARLEY_FACEBOOK_WWW_URL: 'https://LOCALHOST' }, 'PARLEY_FACEBOOK_WWW_URL', /development emulator/],
    ['the Facebook emulator for the Graph API', { PARLEY_FACEBOOK_GRAPH_URL: 'http://localhost:4300/graph' }, 'PARLEY_FACEBOOK_GRAPH_URL', /development emulator/],
    ['a Facebook Graph URL over http on a public host', { PARLEY_FACEBOOK_GRAPH_URL: 'http://graph.facebook.com' }, 'PARLEY_FACEBOOK_GRAPH_URL', /over https/],
    ['a site origin over http', { PARLEY_SITES_FILE: 'mixed-sites.json' }, 'PARLEY_SITES_FILE', /site "old-blog" origin http:\/\/old\.example must use https/],
    ['no trusted proxy (the default)', { PARLEY_TRUST_PROXY: undefined }, 'PARLEY_TRUST_PROXY', /must be set in production: .*TLS-terminating proxy.*"loopback".*a hop count.*the proxy's addresses/],
    ['no trusted proxy, said outright', { PARLEY_TRUST_PROXY: 'false' }, 'PARLEY_TRUST_PROXY', /TLS-terminating proxy/],
    ['a trusted proxy of zero hops', { PARLEY_TRUST_PROXY: '0' }, 'PARLEY_TRUST_PROXY', /TLS-terminating proxy/],
    ['PostgreSQL without a key to seal the signing keys', { DATABASE_URL: 'postgres://db.internal/parley' }, 'PARLEY_KEY_ENCRYPTION_KEY', /required in production with DATABASE_URL/],
  ])('refuses %s', (_what, changes, setting, problem) => {
    const settings = productionSettings(changes);
    const error = configErrorFrom(() => assertProductionReady(settings));
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(problem);
  });
});

describe('in production, the gateway needs the TLS-terminating proxy it sits behind to be trusted', () => {
  it.each(['loopback', '1', '10.0.0.2, 10.0.0.3', 'true'])('accepts PARLEY_TRUST_PROXY=%s', (value) => {
    expect(() => assertProductionReady(productionSettings({ PARLEY_TRUST_PROXY: value }))).not.toThrow();
  });

  it('names the setting and what to set it to, in one line', () => {
    const error = configErrorFrom(() => assertProductionReady(productionSettings({ PARLEY_TRUST_PROXY: undefined })));
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^PARLEY_TRUST_PROXY: /);
  });

  it('does not ask it of the comment service, which builds nothing from the request', () => {
    const settings = productionSettings({ PARLEY_TRUST_PROXY: undefined });
    expect(() => assertProductionReady(settings, { servesGateway: false })).not.toThrow();
    expect(configErrorFrom(() => assertProductionReady(settings, { servesGateway: true })).setting).toBe('PARLEY_TRUST_PROXY');
  });

  it('does not ask the comment service for the gateway\'s secrets (cookie secret, SMTP, key encryption), which it never reads', () => {
    const settings = productionSettings({ PARLEY_SESSION_SECRET: undefined, PARLEY_SMTP_URL: undefined, DATABASE_URL: 'postgres://db.example/parley', PARLEY_KEY_ENCRYPTION_KEY: undefined });
    expect(() => assertProductionReady(settings, { servesGateway: false })).not.toThrow();
    expect(configErrorFrom(() => assertProductionReady(settings, { servesGateway: true })).setting).toBe('PARLEY_SESSION_SECRET');
  });
});
