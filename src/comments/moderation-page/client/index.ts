/**
 * The moderation page's script (built to dist/moderation.js, served as /moderation.js). The
 * moderator signs in exactly as a commenter does in the widget, with the widget's own modules:
 * a popup to the gateway, PKCE, the relay page posting the code back (to this origin, which the
 * gateway adds for sites with moderators), a token kept in this tab. Then every call goes to the
 * moderation API with that token.
 */
import { handOff, takeResponseFromLocation } from '../../../widget/handoff';
import { completeRedirectSignIn, sessionFor, type SiteSession } from '../../../widget/session';
import { decodeState } from '../../../widget/state';
import { ModerationApiError, ModerationClient, type Filters, type State } from './moderation-client';
import { commentRow, logRow, type RowAction } from './moderation-view';

/** What the sign-in events carry as the "post": there is none here. */
const PAGE_POST_ID = 'moderation';

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`moderation page: #${id} is missing`);
  return node as T;
}

type View = 'signed-out' | 'forbidden' | 'workspace';

/** What the status line says once an action is done. */
const DONE: Readonly<Record<string, string>> = {
  hide: 'Comment hidden',
  unhide: 'Comment shown again',
  delete: 'Comment deleted',
  approve: 'Comment approved',
  ban: 'Commenter banned',
  unban: 'Ban lifted',
};

class ModerationPage {
  private filters: Filters = {};
  private nextComments: string | null = null;
  private nextLog: string | null = null;
  private readonly client: ModerationClient;

  constructor(
    private readonly session: SiteSession,
    commentsUrl: string,
    siteId: string,
  ) {
    this.client = new ModerationClient(commentsUrl, siteId);
  }

  start(): void {
    void this.session.prepare().catch(() => undefined);
    this.session.subscribe((event) => {
      if (event.kind === 'signed-in') void this.load();
      else if (event.kind === 'failed') this.say('The sign-in did not complete. Try again.');
      else if (event.kind === 'cancelled' || event.kind === 'window-closed') this.say('The sign-in was cancelled.');
      else if (event.kind === 'pending') this.say('Signing in in the other window…');
    });
    byId('sign-in').addEventListener('click', () => void this.session.signIn({ postId: PAGE_POST_ID }));
    byId('switch-account').addEventListener('click', () => void this.session.signIn({ postId: PAGE_POST_ID, forceLogin: true }));
    byId('sign-out').addEventListener('click', () => {
      void this.session.signOut();
      this.show('signed-out');
      this.say('You are logged out.');
    });
    byId<HTMLFormElement>('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      this.readFilters();
      void this.loadComments(true);
    });
    byId('more-comments').addEventListener('click', () => void this.loadComments(false));
    byId('more-log').addEventListener('click', () => void this.loadLog(false));
    void this.load();
  }

  private show(view: View): void {
    byId('signed-out').hidden = view !== 'signed-out';
    byId('forbidden').hidden = view !== 'forbidden';
    byId('workspace').hidden = view !== 'workspace';
  }

  private say(message: string): void {
    byId('status').textContent = message;
  }

  private readFilters(): void {
    const value = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value.trim() || undefined;
    this.filters = { post: value('filter-post'), state: value('filter-state') as State | undefined, sub: value('filter-sub') };
  }

  private writeFilters(): void {
    byId<HTMLInputElement>('filter-post').value = this.filters.post ?? '';
    byId<HTMLSelectElement>('filter-state').value = this.filters.state ?? '';
    byId<HTMLInputElement>('filter-sub').value = this.filters.sub ?? '';
  }

  /** Checks the signed-in account against the API, then shows the comments and the log. */
  private async load(): Promise<void> {
    const credential = await this.session.credential();
    if (!credential) return this.show('signed-out');
    try {
      const me = await this.client.me(credential);
      byId('moderator-name').textContent = me.moderator.name;
      this.show('workspace');
      this.say('');
      await Promise.all([this.loadComments(true), this.loadLog(true)]);
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    if (error instanceof ModerationApiError && error.status === 401) {
      this.session.expire();
      this.show('signed-out');
      return this.say('Your sign-in has run out or was revoked. Sign in again.');
    }
    if (error instanceof ModerationApiError && error.status === 403) {
      this.show('forbidden');
      return this.say(error.message);
    }
    this.say(error instanceof ModerationApiError ? error.message : 'The comment service cannot be reached. Try again shortly.');
  }

  private async loadComments(fresh: boolean): Promise<void> {
    const credential = await this.session.credential();
    if (!credential) return this.show('signed-out');
    try {
      const page = await this.client.comments(credential, this.filters, fresh ? null : this.nextComments);
      const list = byId('comments');
      if (fresh) list.replaceChildren();
      for (const comment of page.items) list.append(commentRow(comment, (action) => void this.act(action)));
      this.nextComments = page.next;
      byId('more-comments').hidden = page.next === null;
      byId('no-comments').hidden = list.childElementCount > 0;
    } catch (error) {
      this.failed(error);
    }
  }

  private async loadLog(fresh: boolean): Promise<void> {
    const credential = await this.session.credential();
    if (!credential) return this.show('signed-out');
    try {
      const page = await this.client.log(credential, fresh ? null : this.nextLog);
      const list = byId('log');
      if (fresh) list.replaceChildren();
      list.append(...page.items.map(logRow));
      this.nextLog = page.next;
      byId('more-log').hidden = page.next === null;
      byId('no-actions').hidden = list.childElementCount > 0;
    } catch (error) {
      this.failed(error);
    }
  }

  private async act(action: RowAction): Promise<void> {
    if (action.kind === 'filter-author') {
      this.filters = { ...this.filters, sub: action.comment.author.sub };
      this.writeFilters();
      return this.loadComments(true);
    }
    const credential = await this.session.credential();
    if (!credential) return this.show('signed-out');
    try {
      if (action.kind === 'comment') {
        const updated = await this.client.actOnComment(credential, action.comment.id, action.action);
        const row = document.querySelector(`[data-comment-id="${CSS.escape(updated.id)}"]`);
        row?.replaceWith(commentRow(updated, (next) => void this.act(next)));
      } else {
        await this.client.actOnCommenter(credential, action.comment.author.sub, action.action);
        // Every row of that commenter shows the ban: list again.
        await this.loadComments(true);
      }
      this.say(`${DONE[action.action]} (${action.comment.author.name || action.comment.author.sub}).`);
      await this.loadLog(true);
    } catch (error) {
      this.failed(error);
    }
  }
}

function main(): void {
  const root = byId('moderation');
  const gatewayUrl = root.dataset['gateway'] ?? '';
  const siteId = root.dataset['site'] ?? '';
  const commentsUrl = root.dataset['commentsUrl'] ?? '';
  const response = takeResponseFromLocation();
  const mode = response ? decodeState(response.state)?.mode : undefined;
  // A sign-in popup whose link to this tab was cut on the way: give the tab the answer and close.
  if (response && mode === 'popup' && handOff(response)) return window.close();
  const page = new ModerationPage(sessionFor(gatewayUrl, siteId), commentsUrl, siteId);
  page.start();
  if (response && mode === 'redirect') void completeRedirectSignIn(gatewayUrl, response);
}

main();
