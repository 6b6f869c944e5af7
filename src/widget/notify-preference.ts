/**
 * Whether the reader last wanted "Notify me of replies by email", per site, in the browser's
 * localStorage: a preference for the next comment, kept across tabs and visits, unlike the
 * draft and the token (sessionStorage, storage.ts). Nothing stored means off: opting in is always
 * the reader's own act. Only "on" is written, so turning it off leaves nothing behind.
 *
 * The blog's page can read it (it is the page's storage), and learns only this yes or no.
 */

/** The part of the Web Storage API this needs; a test passes a Map-backed one. */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const ON = '1';

export class NotifyPreference {
  private readonly key: string;
  /** What the reader chose on this page: it holds even where storage refuses to keep it. */
  private choice: boolean | undefined;

  constructor(
    siteId: string,
    private readonly storage: PreferenceStorage | undefined = browserStorage(),
  ) {
    this.key = `parley.notifyReplies:${siteId}`;
  }

  get(): boolean {
    if (this.choice !== undefined) return this.choice;
    try {
      return this.storage?.getItem(this.key) === ON;
    } catch {
      return false;
    }
  }

  set(on: boolean): void {
    this.choice = on;
    try {
      if (on) this.storage?.setItem(this.key, ON);
      else this.storage?.removeItem(this.key);
    } catch {
      // Disabled or full: kept for this page only.
    }
  }
}

/** `window.localStorage`, or undefined where merely touching it throws (storage disabled). */
function browserStorage(): PreferenceStorage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}
