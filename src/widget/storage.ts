/**
 * The tab's sessionStorage, or a memory stand-in where the page may not use it (storage disabled,
 * some sandboxed frames): the widget then still works, it just forgets on reload. Never cookies:
 * nothing of the commenter's sign-in is ever sent to the blog's own server.
 */
export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

const memory = new Map<string, string>();

const memoryStore: KeyValueStore = {
  get: (key) => memory.get(key),
  set: (key, value) => void memory.set(key, value),
  remove: (key) => void memory.delete(key),
};

function sessionStore(): KeyValueStore {
  try {
    const storage = window.sessionStorage;
    const probe = 'parley.probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return {
      get: (key) => storage.getItem(key) ?? memory.get(key),
      set: (key, value) => {
        try {
          storage.setItem(key, value);
        } catch {
          memory.set(key, value); // quota exceeded
        }
      },
      remove: (key) => {
        storage.removeItem(key);
        memory.delete(key);
      },
    };
  } catch {
    return memoryStore;
  }
}

let store: KeyValueStore | undefined;

export function tabStorage(): KeyValueStore {
  store ??= sessionStore();
  return store;
}

export function readJson<T>(key: string): T | undefined {
  const raw = tabStorage().get(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    tabStorage().remove(key);
    return undefined;
  }
}

export function writeJson(key: string, value: unknown): void {
  tabStorage().set(key, JSON.stringify(value));
}
