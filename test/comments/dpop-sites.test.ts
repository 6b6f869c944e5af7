import path from 'node:path';
import { loadSites, parseSites } from '../../src/config/sites';
import { siteClient } from '../../src/gateway/clients';

describe('requireDpop in the sites file', () => {
  const site = { id: 'strict-blog', name: 'Strict Blog', origins: ['https://strict.example'] };

  it('is kept when true, and left out when false or absent', () => {
    expect(parseSites([{ ...site, requireDpop: true }], 'sites.json')[0]).toMatchObject({ requireDpop: true });
    expect(parseSites([{ ...site, requireDpop: false }], 'sites.json')[0]).not.toHaveProperty('requireDpop');
    expect(parseSites([site], 'sites.json')[0]).not.toHaveProperty('requireDpop');
  });

  it('stops start-up when it is not a boolean, naming the site and field', () => {
    expect(() => parseSites([{ ...site, requireDpop: 'yes' }], 'sites.json')).toThrow(/sites\.json at 0\.requireDpop: requireDpop must be true or false/);
  });

  it('registers the site at the gateway with dpop_bound_access_tokens, and no other site', () => {
    const [strict, plain] = parseSites([{ ...site, requireDpop: true }, { ...site, id: 'plain-blog' }], 'sites.json');
    expect(siteClient('https://id.example', strict!).dpop_bound_access_tokens).toBe(true);
    expect(siteClient('https://id.example', plain!)).not.toHaveProperty('dpop_bound_access_tokens');
  });

  it('is shown in config/sites.example.json, which loads', () => {
    const [example] = loadSites(path.join(__dirname, '../../config/sites.example.json'));
    expect(example).toMatchObject({ id: 'my-blog', requireDpop: true });
  });
});
