import path from 'node:path';
import { DEFAULTS, loadSettings, loadSites, type SettingsSource } from '../../src/config';
import { PROJECT_ROOT } from '../../src/paths';
import { configErrorFrom, removeTempDirs, tempDir, writeFile } from './helpers';

/**
 * Every test runs in its own working directory. Unless a test names its own PARLEY_CONFIG_FILE,
 * it points at an empty one there, so a developer's config/parley.json cannot change the outcome.
 */
let cwd: string;

beforeEach(() => {
  cwd = tempDir();
  writeFile(cwd, 'empty-config.json', {});
});

afterEach(removeTempDirs);

function load(env: SettingsSource = {}) {
  return loadSettings({ PARLEY_CONFIG_FILE: 'empty-config.json', ...env }, cwd);
}

const TWITTER = { PARLEY_TWITTER_CONSUMER_KEY: 'ck', PARLEY_TWITTER_CONSUMER_SECRET: 'cs' };
const FACEBOOK = { PARLEY_FACEBOOK_APP_ID: '1234', PARLEY_FACEBOOK_APP_SECRET: 'fb-secret' };
const SECRET_32 = 'x'.repeat(32);

describe('loadSettings with nothing set', () => {
  it('starts from the defaults without needing any config file', () => {
    const settings = loadSettings({}, cwd);
    expect(settings.gateway.port).toBe(4000);
    expect(settings.gateway.issuer).toBe('http://localhost:4000');
  });

  it('listens on the documented ports: gateway 4000, comments 4100, emulators 4300, demo 4200', () => {
    const settings = load();
    expect(settings.gateway.port).toBe(4000);
    expect(settings.comments.port).toBe(4100);
    expect(settings.emulators.port).toBe(4300);
    expect(settings.demo.port).toBe(4200);
  });

  it('uses http://localhost:4000 as the issuer and http://localhost:4100 as the comments URL', () => {
    const settings = load();
    expect(settings.gateway.issuer).toBe('http://localhost:4000');
    expect(settings.comments.url).toBe('http://localhost:4100');
  });

  it('resolves the data directory ./data against the working directory', () => {
    expect(load().dataDir).toBe(path.join(cwd, 'data'));
  });

  it('reads the sites from config/sites.json in the project', () => {
    expect(load().sites).toEqual(loadSites(path.join(PROJECT_ROOT, 'config', 'sites.json')));
  });

  it('is not production, trusts no proxy and leaves every optional integration unset', () => {
    const settings = load();
    expect(settings.production).toBe(false);
    expect(settings.gateway.trustProxy).toBe(false);
    expect(settings.twitter).toBeUndefined();
    expect(settings.facebook).toBeUndefined();
    expect(settings.mail).toEqual({ smtpUrl: undefined, from: DEFAULTS.PARLEY_MAIL_FROM });
    expect(settings.sessionSecret).toBeUndefined();
    expect(settings.databaseUrl).toBeUndefined();
    expect(settings.redisUrl).toBeUndefined();
  });
});

describe('environment variables override the defaults', () => {
  it('sets the four ports', () => {
    const settings = load({ PARLEY_GATEWAY_PORT: '5000', PARLEY_COMMENTS_PORT: '5100', PARLEY_EMULATOR_PORT: '5300', PARLEY_DEMO_PORT: '0' });
    expect([settings.gateway.port, settings.comments.port, settings.emulators.port, settings.demo.port]).toEqual([5000, 5100, 5300, 0]);
  });

  it('sets the issuer and comments URL, dropping a trailing slash but keeping a path', () => {
    const settings = load({ PARLEY_ISSUER: 'https://login.blog.example/', PARLEY_COMMENTS_URL: 'https://blog.example/comments/' });
    expect(settings.gateway.issuer).toBe('https://login.blog.example');
    expect(settings.comments.url).toBe('https://blog.example/comments');
  });

  it('trims surrounding whitespace from values', () => {
    const settings = load({ PARLEY_GATEWAY_PORT: ' 5000 ', PARLEY_ISSUER: ' https://login.blog.example ' });
    expect(settings.gateway.port).toBe(5000);
    expect(settings.gateway.issuer).toBe('https://login.blog.example');
  });

  it('resolves a relative data directory against the working directory and keeps an absolute one', () => {
    expect(load({ PARLEY_DATA_DIR: 'state/parley' }).dataDir).toBe(path.join(cwd, 'state', 'parley'));
    const absolute = tempDir();
    expect(load({ PARLEY_DATA_DIR: absolute }).dataDir).toBe(absolute);
  });

  it('reads the sites file named by PARLEY_SITES_FILE, relative to the working directory', () => {
    writeFile(cwd, 'my-sites.json', [{ id: 'my-blog', name: 'My Blog', origins: ['https://my.blog.example'] }]);
    expect(load({ PARLEY_SITES_FILE: 'my-sites.json' }).sites.map((site) => site.id)).toEqual(['my-blog']);
  });

  it('enables Twitter with both credentials, on the real API unless told otherwise', () => {
    expect(load(TWITTER).twitter).toEqual({ consumerKey: 'ck', consumerSecret: 'cs', apiUrl: 'https://api.twitter.com' });
    expect(load({ ...TWITTER, PARLEY_TWITTER_API_URL: 'http://localhost:4300/twitter/' }).twitter?.apiUrl).toBe('http://localhost:4300/twitter');
  });

  it('enables Facebook with both credentials, on the real hosts and a current Graph version unless told otherwise', () => {
    expect(load(FACEBOOK).facebook).toEqual({
      appId: '1234',
      appSecret: 'fb-secret',
      wwwUrl: 'https://www.facebook.com',
      graphUrl: 'https://graph.facebook.com',
      graphVersion: DEFAULTS.PARLEY_FACEBOOK_GRAPH_VERSION,
    });
    const emulated = load({
      ...FACEBOOK,
      PARLEY_FACEBOOK_WWW_URL: 'http://localhost:4300/facebook',
      PARLEY_FACEBOOK_GRAPH_URL: 'http://localhost:4300/graph',
      PARLEY_FACEBOOK_GRAPH_VERSION: 'v19.0',
    }).facebook;
    expect(emulated).toMatchObject({ wwwUrl: 'http://localhost:4300/facebook', graphUrl: 'http://localhost:4300/graph', graphVersion: 'v19.0' });
  });

  it('sets mail, the session secret and the scale-out stores', () => {
    const settings = load({
      PARLEY_SMTP_URL: 'smtps://user:pass@mail.blog.example:465',
      PARLEY_MAIL_FROM: 'Blog <comments@blog.example>',
      PARLEY_SESSION_SECRET: SECRET_32,
      DATABASE_URL: 'postgresql://parley@db.internal/parley',
      REDIS_URL: 'redis://cache.internal:6379',
    });
    expect(settings.mail).toEqual({ smtpUrl: 'smtps://user:pass@mail.blog.example:465', from: 'Blog <comments@blog.example>' });
    expect(settings.sessionSecret).toBe(SECRET_32);
    expect(settings.databaseUrl).toBe('postgresql://parley@db.internal/parley');
    expect(settings.redisUrl).toBe('redis://cache.internal:6379');
  });

  it('treats a blank optional setting as unset', () => {
    const settings = load({ PARLEY_SMTP_URL: '  ', PARLEY_SESSION_SECRET: '', DATABASE_URL: '' });
    expect(settings.mail.smtpUrl).toBeUndefined();
    expect(settings.sessionSecret).toBeUndefined();
    expect(settings.databaseUrl).toBeUndefined();
  });

  it.each([
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback', 'loopback'],
  ])('reads PARLEY_TRUST_PROXY=%s as %p', (value, expected) => {
    expect(load({ PARLEY_TRUST_PROXY: value }).gateway.trustProxy).toBe(expected);
  });

  it('turns production on only for NODE_ENV=production', () => {
    expect(load({ NODE_ENV: 'production' }).production).toBe(true);
    expect(load({ NODE_ENV: 'development' }).production).toBe(false);
  });
});

describe('a config file named by PARLEY_CONFIG_FILE', () => {
  it('overrides the defaults, accepting numbers and booleans as well as strings', () => {
    const file = writeFile(cwd, 'parley.json', { PARLEY_GATEWAY_PORT: 5000, PARLEY_ISSUER: 'https://login.blog.example', PARLEY_TRUST_PROXY: true });
    const settings = load({ PARLEY_CONFIG_FILE: file });
    expect(settings.gateway.port).toBe(5000);
    expect(settings.gateway.issuer).toBe('https://login.blog.example');
    expect(settings.gateway.trustProxy).toBe(true);
  });

  it('is resolved against the working directory when relative', () => {
    writeFile(cwd, 'parley.json', { PARLEY_COMMENTS_PORT: '5100' });
    expect(load({ PARLEY_CONFIG_FILE: 'parley.json' }).comments.port).toBe(5100);
  });

  it('loses to the environment', () => {
    writeFile(cwd, 'parley.json', { PARLEY_GATEWAY_PORT: '5000', PARLEY_COMMENTS_PORT: '5100' });
    const settings = load({ PARLEY_CONFIG_FILE: 'parley.json', PARLEY_GATEWAY_PORT: '6000' });
    expect(settings.gateway.port).toBe(6000);
    expect(settings.comments.port).toBe(5100);
  });

  it.each([
    ['a lower-case spelling of a setting', 'issuer'],
    ['a variable that is not Parley’s', 'HOME'],
    ['a near miss of a Parley prefix', 'PARLEYISSUER'],
  ])('refuses an unknown key: %s', (_what, key) => {
    const file = writeFile(cwd, 'parley.json', { [key]: 'x' });
    const error = configErrorFrom(() => load({ PARLEY_CONFIG_FILE: file }));
    expect(error.setting).toBe('PARLEY_CONFIG_FILE');
    expect(error.message).toContain(file);
    expect(error.message).toContain(`unknown setting "${key}"`);
  });

  it('refuses a value that is an object or a list, naming the key', () => {
    const file = writeFile(cwd, 'parley.json', { PARLEY_ISSUER: { url: 'https://login.blog.example' } });
    const error = configErrorFrom(() => load({ PARLEY_CONFIG_FILE: file }));
    expect(error.setting).toBe('PARLEY_ISSUER');
    expect(error.message).toContain(file);
  });

  it.each([
    ['does not exist', null, /does not exist/],
    ['is not JSON', '{ "PARLEY_GATEWAY_PORT": ', /is not valid JSON/],
    ['holds a list instead of an object', '["PARLEY_GATEWAY_PORT"]', /one JSON object/],
    ['holds null', 'null', /one JSON object/],
  ])('stops when the file %s', (_what, content, problem) => {
    const file = content === null ? path.join(cwd, 'missing.json') : writeFile(cwd, 'parley.json', content);
    const error = configErrorFrom(() => load({ PARLEY_CONFIG_FILE: file }));
    expect(error.setting).toBe('PARLEY_CONFIG_FILE');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(problem);
  });
});

describe('a bad setting stops start-up with a ConfigError that names it', () => {
  it.each<[string, SettingsSource, string, RegExp]>([
    ['a port that is not a number', { PARLEY_GATEWAY_PORT: 'http' }, 'PARLEY_GATEWAY_PORT', /TCP port number/],
    ['a port above 65535', { PARLEY_COMMENTS_PORT: '65536' }, 'PARLEY_COMMENTS_PORT', /TCP port number/],
    ['a negative port', { PARLEY_EMULATOR_PORT: '-1' }, 'PARLEY_EMULATOR_PORT', /TCP port number/],
    ['a fractional port', { PARLEY_DEMO_PORT: '4200.5' }, 'PARLEY_DEMO_PORT', /TCP port number/],
    ['an issuer that is not a URL', { PARLEY_ISSUER: 'login dot blog' }, 'PARLEY_ISSUER', /absolute http\(s\) URL/],
    ['an issuer without a scheme', { PARLEY_ISSUER: 'login.blog.example' }, 'PARLEY_ISSUER', /absolute http\(s\) URL/],
    ['an issuer with a query', { PARLEY_ISSUER: 'https://login.blog.example/?tenant=a' }, 'PARLEY_ISSUER', /query/],
    ['an issuer with an empty query', { PARLEY_ISSUER: 'https://login.blog.example/?' }, 'PARLEY_ISSUER', /query/],
    ['an issuer with an empty fragment', { PARLEY_ISSUER: 'https://login.blog.example/#' }, 'PARLEY_ISSUER', /fragment/],
    ['an issuer with a fragment', { PARLEY_ISSUER: 'https://login.blog.example/#top' }, 'PARLEY_ISSUER', /fragment/],
    ['an issuer with credentials', { PARLEY_ISSUER: 'https://admin:pw@login.blog.example' }, 'PARLEY_ISSUER', /credentials/],
    ['an ftp issuer', { PARLEY_ISSUER: 'ftp://login.blog.example' }, 'PARLEY_ISSUER', /http or https.*ftp:/],
    ['a comments URL that is not a URL', { PARLEY_COMMENTS_URL: 'comments' }, 'PARLEY_COMMENTS_URL', /absolute http\(s\) URL/],
    ['a javascript: comments URL', { PARLEY_COMMENTS_URL: 'javascript:alert(1)' }, 'PARLEY_COMMENTS_URL', /http or https/],
    ['a Twitter API URL with another scheme', { ...TWITTER, PARLEY_TWITTER_API_URL: 'ws://api.twitter.com' }, 'PARLEY_TWITTER_API_URL', /http or https/],
    ['a Facebook Graph URL that is not a URL', { ...FACEBOOK, PARLEY_FACEBOOK_GRAPH_URL: 'graph' }, 'PARLEY_FACEBOOK_GRAPH_URL', /absolute/],
    ['a Twitter key without its secret', { PARLEY_TWITTER_CONSUMER_KEY: 'ck' }, 'PARLEY_TWITTER_CONSUMER_SECRET', /required when PARLEY_TWITTER_CONSUMER_KEY is set/],
    ['a Twitter secret without its key', { PARLEY_TWITTER_CONSUMER_SECRET: 'cs' }, 'PARLEY_TWITTER_CONSUMER_KEY', /required when PARLEY_TWITTER_CONSUMER_SECRET is set/],
    ['a Facebook app id without its secret', { PARLEY_FACEBOOK_APP_ID: '1234' }, 'PARLEY_FACEBOOK_APP_SECRET', /required when PARLEY_FACEBOOK_APP_ID is set/],
    ['a Facebook secret without its app id', { PARLEY_FACEBOOK_APP_SECRET: 's' }, 'PARLEY_FACEBOOK_APP_ID', /required when PARLEY_FACEBOOK_APP_SECRET is set/],
    ['a Graph version without the v', { PARLEY_FACEBOOK_GRAPH_VERSION: '23.0' }, 'PARLEY_FACEBOOK_GRAPH_VERSION', /v23\.0/],
    ['a Graph version without a minor number', { PARLEY_FACEBOOK_GRAPH_VERSION: 'v23' }, 'PARLEY_FACEBOOK_GRAPH_VERSION', /v23\.0/],
    ['an SMTP URL without a scheme', { PARLEY_SMTP_URL: 'mail.blog.example:587' }, 'PARLEY_SMTP_URL', /smtp:\/\//],
    ['an SMTP URL over http', { PARLEY_SMTP_URL: 'http://mail.blog.example' }, 'PARLEY_SMTP_URL', /smtp:\/\//],
    ['an SMTP URL with a space', { PARLEY_SMTP_URL: 'smtp://mail blog.example' }, 'PARLEY_SMTP_URL', /smtp:\/\//],
    ['a session secret one character short', { PARLEY_SESSION_SECRET: 'x'.repeat(31) }, 'PARLEY_SESSION_SECRET', /at least 32 characters/],
    ['a MySQL DATABASE_URL', { DATABASE_URL: 'mysql://db.internal/parley' }, 'DATABASE_URL', /postgres:\/\//],
    ['a SQLite DATABASE_URL', { DATABASE_URL: 'sqlite:data/parley.sqlite' }, 'DATABASE_URL', /postgres:\/\//],
    ['a short key encryption key', { PARLEY_KEY_ENCRYPTION_KEY: 'x'.repeat(31) }, 'PARLEY_KEY_ENCRYPTION_KEY', /at least 32 characters/],
    ['a pool of no connections', { PARLEY_DATABASE_POOL_MAX: '0' }, 'PARLEY_DATABASE_POOL_MAX', /whole number from 1 to 1000/],
    ['a pool size that is not a number', { PARLEY_DATABASE_POOL_MAX: 'ten' }, 'PARLEY_DATABASE_POOL_MAX', /whole number from 1 to 1000/],
    ['a REDIS_URL over http', { REDIS_URL: 'http://cache.internal:6379' }, 'REDIS_URL', /must be a redis:\/\/ or rediss:\/\/ URL/],
    ['a REDIS_URL without a scheme', { REDIS_URL: 'cache.internal:6379' }, 'REDIS_URL', /must be a redis:\/\/ or rediss:\/\/ URL/],
    ['a REDIS_URL with nothing after the scheme', { REDIS_URL: 'redis://' }, 'REDIS_URL', /must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('refuses %s', (_what, env, setting, problem) => {
    const error = configErrorFrom(() => load(env));
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(problem);
  });

  it('refuses a bad setting from the config file just as from the environment', () => {
    writeFile(cwd, 'parley.json', { PARLEY_GATEWAY_PORT: 70000 });
    expect(configErrorFrom(() => load({ PARLEY_CONFIG_FILE: 'parley.json' })).setting).toBe('PARLEY_GATEWAY_PORT');
  });

  it('accepts the edges of each range: port 65535, a 32-character secret, postgres://, postgresql://, redis:// and rediss://', () => {
    expect(load({ PARLEY_GATEWAY_PORT: '65535' }).gateway.port).toBe(65535);
    expect(load({ PARLEY_SESSION_SECRET: SECRET_32 }).sessionSecret).toBe(SECRET_32);
    expect(load({ DATABASE_URL: 'postgres://db/parley' }).databaseUrl).toBe('postgres://db/parley');
    expect(load({ DATABASE_URL: 'postgresql://db/parley' }).databaseUrl).toBe('postgresql://db/parley');
    expect(load({ REDIS_URL: 'redis://cache:6379/0' }).redisUrl).toBe('redis://cache:6379/0');
    expect(load({ REDIS_URL: 'rediss://user:pw@cache.internal:6380' }).redisUrl).toBe('rediss://user:pw@cache.internal:6380');
  });
});

describe('the settings object', () => {
  it('is deeply frozen, down to each site’s origins', () => {
    const settings = load({ ...TWITTER, ...FACEBOOK });
    const parts: unknown[] = [
      settings,
      settings.gateway,
      settings.comments,
      settings.emulators,
      settings.demo,
      settings.mail,
      settings.twitter,
      settings.facebook,
      settings.sites,
      settings.sites[0],
      settings.sites[0]?.origins,
      settings.sites[0]?.redirectUris,
    ];
    for (const part of parts) expect(Object.isFrozen(part)).toBe(true);
  });

  it('throws on an attempt to change it', () => {
    const settings = load();
    expect(() => {
      (settings.gateway as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(settings.gateway.port).toBe(4000);
  });
});
