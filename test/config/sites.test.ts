import path from 'node:path';
import { loadSites, parseSites } from '../../src/config';
import { configErrorFrom, removeTempDirs, tempDir, writeFile } from './helpers';

let dir: string;

beforeEach(() => {
  dir = tempDir('parley-sites-');
});

afterEach(removeTempDirs);

const BLOG = { id: 'my-blog', name: 'My Blog', origins: ['https://blog.example'] };

/** Writes `content` as the sites file and returns the ConfigError loading it stops with. */
function refusal(content: unknown) {
  const file = writeFile(dir, 'sites.json', content);
  const error = configErrorFrom(() => loadSites(file));
  expect(error.setting).toBe('PARLEY_SITES_FILE');
  expect(error.message.startsWith(`PARLEY_SITES_FILE: ${file}`)).toBe(true);
  return error;
}

describe('loadSites with a good file', () => {
  it('reads each site, adding an empty list of extra redirect URIs when none are given', () => {
    const file = writeFile(dir, 'sites.json', [BLOG]);
    expect(loadSites(file)).toEqual([{ ...BLOG, redirectUris: [] }]);
  });

  it('keeps several sites, several origins and extra redirect URIs, and trims names', () => {
    const sites = [
      { id: 'a1', name: '  Blog A ', origins: ['https://a.example', 'http://localhost:4200'], redirectUris: ['https://a.example/callback?x=1'] },
      { id: 'b', name: 'Blog B', origins: ['https://b.example:8443'] },
    ];
    const loaded = loadSites(writeFile(dir, 'sites.json', sites));
    expect(loaded.map((site) => site.id)).toEqual(['a1', 'b']);
    expect(loaded[0]).toEqual({ id: 'a1', name: 'Blog A', origins: ['https://a.example', 'http://localhost:4200'], redirectUris: ['https://a.example/callback?x=1'] });
    expect(loaded[1]?.origins).toEqual(['https://b.example:8443']);
  });

  it('keeps the post-logout redirect URIs a site registers, and adds none to a site that registers none', () => {
    const [withPages, without] = loadSites(
      writeFile(dir, 'sites.json', [
        { ...BLOG, postLogoutRedirectUris: ['https://blog.example/logged-out', 'https://blog.example/?bye=1'] },
        { ...BLOG, id: 'plain-blog' },
      ]),
    );
    expect(withPages?.postLogoutRedirectUris).toEqual(['https://blog.example/logged-out', 'https://blog.example/?bye=1']);
    expect(Object.isFrozen(withPages?.postLogoutRedirectUris)).toBe(true);
    // A sites file written before the field existed loads exactly as it did.
    expect(without).toEqual({ ...BLOG, id: 'plain-blog', redirectUris: [] });
    expect(without).not.toHaveProperty('postLogoutRedirectUris');
  });

  it('returns a frozen list of frozen sites', () => {
    const [site] = parseSites([BLOG], 'inline');
    expect(Object.isFrozen(site)).toBe(true);
    expect(Object.isFrozen(site?.origins)).toBe(true);
    expect(Object.isFrozen(site?.redirectUris)).toBe(true);
  });
});

describe('loadSites with a bad file stops with a ConfigError naming the file and the field', () => {
  it('names a file that cannot be read and why', () => {
    const file = path.join(dir, 'nowhere.json');
    const error = configErrorFrom(() => loadSites(file));
    expect(error.setting).toBe('PARLEY_SITES_FILE');
    expect(error.message).toBe(`PARLEY_SITES_FILE: cannot read ${file} (ENOENT)`);
  });

  it('names a file that is not JSON', () => {
    expect(refusal('[{ "id": "my-blog", ').message).toMatch(/is not valid JSON/);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an object instead of a list', { sites: [BLOG] }, '', /expected array/],
    ['an empty list', [], '', /at least one site/],
    ['a site id in capitals', [{ ...BLOG, id: 'My-Blog' }], ' at 0.id', /id must be lowercase/],
    ['a site id starting with a dash', [{ ...BLOG, id: '-blog' }], ' at 0.id', /id must be lowercase/],
    ['a site id with a slash, which would break the relay URL', [{ ...BLOG, id: 'blog/../admin' }], ' at 0.id', /id must be lowercase/],
    ['a site id of 64 characters', [{ ...BLOG, id: 'a'.repeat(64) }], ' at 0.id', /at most 63/],
    ['a missing id', [{ name: 'x', origins: BLOG.origins }], ' at 0.id', /./],
    ['an empty name', [{ ...BLOG, name: '  ' }], ' at 0.name', /name must not be empty/],
    ['a site with no origins', [{ ...BLOG, origins: [] }], ' at 0.origins', /at least one origin/],
    ['an origin with a path', [{ ...BLOG, origins: ['https://blog.example/posts'] }], ' at 0.origins.0', /exact origins/],
    ['an origin with a trailing slash', [{ ...BLOG, origins: ['https://blog.example/'] }], ' at 0.origins.0', /exact origins/],
    ['an origin with a query', [{ ...BLOG, origins: ['https://blog.example?x'] }], ' at 0.origins.0', /exact origins/],
    ['an origin with another scheme', [{ ...BLOG, origins: ['ftp://blog.example'] }], ' at 0.origins.0', /exact origins/],
    ['an origin that is not a URL', [{ ...BLOG, origins: ['blog.example'] }], ' at 0.origins.0', /exact origins/],
    ['a redirect URI that is relative', [{ ...BLOG, redirectUris: ['/callback'] }], ' at 0.redirectUris.0', /absolute http\(s\) URLs/],
    ['a redirect URI with a fragment', [{ ...BLOG, redirectUris: ['https://blog.example/cb#x'] }], ' at 0.redirectUris.0', /without a fragment/],
    ['a javascript: redirect URI', [{ ...BLOG, redirectUris: ['javascript:alert(1)'] }], ' at 0.redirectUris.0', /absolute http\(s\) URLs/],
    ['a relative post-logout redirect URI', [{ ...BLOG, postLogoutRedirectUris: ['/bye'] }], ' at 0.postLogoutRedirectUris.0', /postLogoutRedirectUris must be absolute http\(s\) URLs/],
    ['a post-logout redirect URI with a fragment', [{ ...BLOG, postLogoutRedirectUris: ['https://blog.example/#bye'] }], ' at 0.postLogoutRedirectUris.0', /without a fragment/],
    ['a javascript: post-logout redirect URI', [{ ...BLOG, postLogoutRedirectUris: ['javascript:alert(1)'] }], ' at 0.postLogoutRedirectUris.0', /absolute http\(s\) URLs/],
    ['post-logout redirect URIs that are not a list', [{ ...BLOG, postLogoutRedirectUris: 'https://blog.example/bye' }], ' at 0.postLogoutRedirectUris', /expected array/],
  ])('refuses %s', (_what, content, where, problem) => {
    const file = path.join(dir, 'sites.json');
    const error = refusal(content);
    expect(error.message.startsWith(`PARLEY_SITES_FILE: ${file}${where}: `)).toBe(true);
    expect(error.message).toMatch(problem);
  });

  it('points at the second site when only the second is wrong', () => {
    const error = refusal([BLOG, { ...BLOG, id: 'other', origins: ['https://other.example/'] }]);
    expect(error.message).toContain(' at 1.origins.0: ');
  });

  it('refuses a site id that appears twice, naming the id', () => {
    const error = refusal([BLOG, { ...BLOG, name: 'Copy' }]);
    expect(error.message).toContain('site id "my-blog" appears twice');
  });
});

describe('a site with a field the schema does not know', () => {
  it('is refused, so a misspelt field is never silently ignored', () => {
    expect(() => parseSites([{ id: 'blog', name: 'Blog', origins: ['https://blog.example'], redirect_uris: ['https://blog.example/cb'] }], 'sites.json')).toThrow(
      /PARLEY_SITES_FILE: sites\.json.*redirect_uris/,
    );
  });
});
