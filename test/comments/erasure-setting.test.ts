import path from 'node:path';
import { loadSites, parseSites } from '../../src/config/sites';

/** The sites file's `erasure` (docs/erasure.md): what erasing a commenter does to their text. */
describe('the sites file\'s erasure setting', () => {
  const site = (extra: Record<string, unknown>, id = 'my-blog') => ({ id, name: 'My Blog', origins: ['https://blog.example'], ...extra });

  it('is left out when absent or "keep-text" (the default), and kept when "remove-text"', () => {
    const [absent, keep, remove] = parseSites([site({}, 'a'), site({ erasure: 'keep-text' }, 'b'), site({ erasure: 'remove-text' }, 'c')], 'sites.json');
    expect(absent).not.toHaveProperty('erasure');
    expect(keep).not.toHaveProperty('erasure');
    expect(remove!.erasure).toBe('remove-text');
  });

  it.each([['"remove"', 'remove'], ['true', true], ['an empty string', ''], ['a list', ['remove-text']]])('refuses %s, naming the site and the field', (_what, value) => {
    expect(() => parseSites([site({}, 'a'), site({ erasure: value }, 'b')], 'sites.json')).toThrow('PARLEY_SITES_FILE: sites.json at 1.erasure: erasure must be "keep-text" or "remove-text"');
  });

  it('is shown in config/sites.example.json, which loads', () => {
    const [example] = loadSites(path.join(__dirname, '../../config/sites.example.json'));
    expect(example!.erasure).toBe('remove-text');
  });
});
