import { NotifyPreference, type PreferenceStorage } from '../../src/widget/notify-preference';

/** localStorage as a Map, shared by the "tabs" of one test like the real one is by a browser's tabs. */
function mapStorage(): PreferenceStorage & { readonly entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, value),
    removeItem: (key) => void entries.delete(key),
  };
}

/** A browser that refuses storage, as with cookies and site data blocked. */
const refusingStorage: PreferenceStorage = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError');
  },
};

describe('"Notify me of replies by email", as a preference', () => {
  test('is off when nothing is stored', () => {
    expect(new NotifyPreference('demo-blog', mapStorage()).get()).toBe(false);
  });

  test('is remembered for the next visit to the same site, and not on another site', () => {
    const storage = mapStorage();
    new NotifyPreference('demo-blog', storage).set(true);
    expect(new NotifyPreference('demo-blog', storage).get()).toBe(true);
    expect(new NotifyPreference('other-blog', storage).get()).toBe(false);
  });

  test('turned off leaves nothing behind', () => {
    const storage = mapStorage();
    const preference = new NotifyPreference('demo-blog', storage);
    preference.set(true);
    preference.set(false);
    expect(storage.entries.size).toBe(0);
    expect(new NotifyPreference('demo-blog', storage).get()).toBe(false);
  });

  test('reads only its own yes: anything else stored under its key is off', () => {
    const storage = mapStorage();
    storage.setItem('parley.notifyReplies:demo-blog', 'true');
    expect(new NotifyPreference('demo-blog', storage).get()).toBe(false);
  });

  test('holds for the page where storage is refused, and starts off there next time', () => {
    const preference = new NotifyPreference('demo-blog', refusingStorage);
    expect(preference.get()).toBe(false);
    preference.set(true);
    expect(preference.get()).toBe(true);
    expect(new NotifyPreference('demo-blog', refusingStorage).get()).toBe(false);
  });

  test('works with no storage at all (outside a browser)', () => {
    const preference = new NotifyPreference('demo-blog', undefined);
    preference.set(true);
    expect(preference.get()).toBe(true);
  });
});
