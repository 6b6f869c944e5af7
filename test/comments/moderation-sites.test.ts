import path from 'node:path';
import { ConfigError, loadSites, parseSites } from '../../src/config';
import { siteOrigins } from '../../src/gateway/moderation-origin';
import { siteRoles } from '../../src/gateway/moderator-roles';
import type { Identity } from '../../src/store/accounts';

/** The sites file's moderation fields, and what the gateway makes of them (docs/moderation.md). */
describe('moderation in the sites file', () => {
  const base = { id: 'blog', name: 'Blog', origins: ['https://blog.example'] };

  it('normalises moderators\' and authors\' addresses as the email sign-in does, once each', () => {
    const [site] = parseSites([{ ...base, moderators: [' Mod@Blog.Example ', 'mod@blog.example', 'ed@BÜCHER.example'], authors: ['Ada@blog.example'], moderation: 'pre' }], 'sites.json');
    expect(site).toMatchObject({ moderators: ['mod@blog.example', 'ed@xn--bcher-kva.example'], authors: ['ada@blog.example'], moderation: 'pre' });
  });

  it('leaves the fields out of a site that has none, and moderation "post" is the default', () => {
    const [site] = parseSites([{ ...base, moderators: [], moderation: 'post' }], 'sites.json');
    expect(site).not.toHaveProperty('moderators');
    expect(site).not.toHaveProperty('authors');
    expect(site).not.toHaveProperty('moderation');
  });

  it.each([
    [{ moderators: ['Molly Moderator'] }, /at 0\.moderators\.0: moderators must be email addresses \("Molly Moderator"/],
    [{ moderators: 'mod@blog.example' }, /at 0\.moderators/],
    [{ authors: ['a@b.example, c@d.example'] }, /at 0\.authors\.0: authors must be email addresses/],
    [{ moderation: 'later' }, /at 0\.moderation: moderation must be "pre" or "post"/],
  ])('refuses %j, naming the field', (fields, message) => {
    expect(() => parseSites([{ ...base, ...fields }], 'sites.json')).toThrow(ConfigError);
    expect(() => parseSites([{ ...base, ...fields }], 'sites.json')).toThrow(message);
  });

  it('is shown in config/sites.example.json, which loads', () => {
    const [example] = loadSites(path.join(__dirname, '../../config/sites.example.json'));
    expect(example).toMatchObject({ moderators: ['owner@blog.example'], authors: ['owner@blog.example'], moderation: 'pre' });
  });

  describe('roles at the gateway', () => {
    const [site] = parseSites([{ ...base, moderators: ['mod@blog.example'], authors: ['ada@blog.example'] }], 'sites.json');
    const accountWith = (...identities: Array<Pick<Identity, 'provider' | 'subject'>>) => ({
      identities: async () => identities.map((identity) => ({ ...identity, label: null, createdAt: 0 })),
    });

    it('gives each role to an account with a listed email method, both to one with both', async () => {
      expect(await siteRoles(accountWith({ provider: 'email', subject: 'mod@blog.example' }), site, 'a')).toEqual(['moderator']);
      expect(await siteRoles(accountWith({ provider: 'email', subject: 'ada@blog.example' }), site, 'a')).toEqual(['author']);
      expect(await siteRoles(accountWith({ provider: 'twitter', subject: '1' }, { provider: 'email', subject: 'mod@blog.example' }, { provider: 'email', subject: 'ada@blog.example' }), site, 'a')).toEqual(['moderator', 'author']);
    });

    it('never counts a Twitter or Facebook subject that looks like a listed address', async () => {
      expect(await siteRoles(accountWith({ provider: 'twitter', subject: 'mod@blog.example' }, { provider: 'facebook', subject: 'mod@blog.example' }), site, 'a')).toEqual([]);
    });

    it('gives no role on a site without moderators or authors, or an unknown one', async () => {
      const [plain] = parseSites([base], 'sites.json');
      expect(await siteRoles(accountWith({ provider: 'email', subject: 'mod@blog.example' }), plain, 'a')).toEqual([]);
      expect(await siteRoles(accountWith({ provider: 'email', subject: 'mod@blog.example' }), undefined, 'a')).toEqual([]);
    });

    it('adds the comment service\'s origin to a moderated site\'s origins only', () => {
      const [plain] = parseSites([base], 'sites.json');
      expect(siteOrigins(site!, 'https://comments.example/prefix')).toEqual(['https://blog.example', 'https://comments.example']);
      expect(siteOrigins(plain!, 'https://comments.example')).toEqual(['https://blog.example']);
    });
  });
});
