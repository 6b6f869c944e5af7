import { ApiError, CommentsApi, type Comment } from './api';
import { h, replaceChildren } from './dom';
import { DraftStore, type Draft } from './drafts';
import type { EmbedConfig, Mount } from './embed';
import { RespondForm } from './form-view';
import { sessionFor, type SessionEvent, type SiteSession } from './session';
import { strings } from './strings';
import { STYLES } from './styles';
import { pageIsDark } from './theme';
import { renderThread, type CommentView } from './thread-view';
import { isExpired, type IdentityProvider } from './token';

/** The longest wait a 429 may ask for that the message repeats verbatim. */
const MAX_RETRY_AFTER_SECONDS = 3600;

/** One thread and its form, in a shadow root on the blog's element. */
export class Widget {
  private readonly session: SiteSession;
  private readonly api: CommentsApi;
  private readonly drafts: DraftStore;
  private readonly form: RespondForm;
  private readonly heading: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly threadHolder: HTMLElement;
  private readonly formHome: HTMLElement;
  private draft: Draft;
  private comments: Comment[] = [];
  private views = new Map<string, CommentView>();
  private loaded = false;
  private busy = false;
  /** A sign-in started because the token ran out while posting. */
  private renewing = false;

  constructor(
    private readonly mount: Mount,
    config: EmbedConfig,
  ) {
    this.session = sessionFor(config.gatewayUrl, mount.siteId);
    this.api = new CommentsApi(config.commentsUrl, mount.siteId, mount.postId);
    this.drafts = new DraftStore(mount.siteId, mount.postId);
    this.draft = this.drafts.load();
    this.form = new RespondForm({
      logIn: (provider) => void this.session.signIn({ postId: mount.postId, provider }),
      change: () => void this.session.signIn({ postId: mount.postId, forceLogin: true }),
      logOut: () => void this.session.signOut(),
      cancelReply: () => this.replyTo(null, true),
      submit: () => void this.submit(),
      input: (body) => (this.draft = this.drafts.update(this.draft, { body, parentId: this.draft.parentId })),
    });
    this.heading = h('h2', { id: 'parley-comments' });
    this.notice = h('div', { class: 'muted' });
    this.threadHolder = h('div');
    this.formHome = h('div');
  }

  start(): void {
    const element = this.mount.element;
    element.setAttribute('data-parley-mounted', '');
    if (pageIsDark(element)) element.setAttribute('data-parley-theme', 'dark');
    const root = element.attachShadow({ mode: 'open' });
    root.appendChild(h('style', null, STYLES));
    root.appendChild(
      h('div', { class: 'parley' }, h('section', { 'aria-labelledby': 'parley-comments' }, this.heading, this.notice, this.threadHolder), this.formHome),
    );
    this.form.textarea.value = this.draft.body;
    this.formHome.appendChild(this.form.section);
    this.renderIdentity();
    this.session.subscribe((event) => this.onSessionEvent(event));
    void this.session.prepare().catch(() => undefined);
    void this.load();
  }

  private async load(): Promise<void> {
    this.heading.textContent = strings.comments;
    replaceChildren(this.notice, strings.loading);
    try {
      this.comments = await this.api.list();
      this.loaded = true;
      this.renderThread();
    } catch {
      const retry = h('button', { type: 'button', class: 'link' }, strings.tryAgain);
      retry.addEventListener('click', () => void this.load());
      replaceChildren(this.notice, h('p', { class: 'load-failed' }, strings.loadFailed, retry));
    }
  }

  private renderThread(): void {
    const shown = this.comments.filter((comment) => !comment.removed).length;
    this.heading.textContent = shown === 0 ? strings.comments : strings.commentCount(shown);
    replaceChildren(this.notice, this.comments.length === 0 ? h('p', null, strings.noComments) : null);
    const thread = renderThread(this.comments, Date.now(), (comment) => this.replyTo(comment.id, false));
    const views = thread.views;
    this.views = views;
    replaceChildren(this.threadHolder, thread.list);
    // A reply target from a restored draft that no longer exists becomes a top-level comment.
    this.replyTo(this.draft.parentId !== null && views.has(this.draft.parentId) ? this.draft.parentId : null, false, false);
  }

  /** Moves the form under a comment (or back home) and keeps the draft's target in step. */
  private replyTo(parentId: string | null, returnFocus: boolean, focusForm = true): void {
    const previous = this.draft.parentId;
    const view = parentId === null ? undefined : this.views.get(parentId);
    if (view) {
      view.slot.appendChild(this.form.section);
      this.form.setReplyingTo(this.comments.find((comment) => comment.id === parentId)?.author.name);
    } else {
      this.formHome.appendChild(this.form.section);
      this.form.setReplyingTo(undefined);
    }
    const target = view ? parentId : null;
    if (target !== previous) this.draft = this.drafts.update(this.draft, { body: this.form.textarea.value, parentId: target });
    // What was said about the last comment does not belong to the next one.
    if (focusForm || returnFocus) this.form.say('');
    if (view && focusForm) this.form.textarea.focus();
    if (!view && returnFocus && previous !== null) this.views.get(previous)?.replyButton.focus();
  }

  private renderIdentity(): void {
    const commenter = this.session.commenter;
    if (commenter) this.form.showSignedIn(commenter);
    else this.form.showSignedOut();
  }

  private onSessionEvent(event: SessionEvent): void {
    const hadFocus = this.form.section.contains(this.mount.element.shadowRoot?.activeElement ?? null);
    this.renderIdentity();
    if ('postId' in event && event.postId !== this.mount.postId) return;
    const renewing = this.renewing;
    if (event.kind !== 'expired') this.renewing = false;
    switch (event.kind) {
      case 'pending':
        return renewing ? this.form.warn(strings.expiredSigningIn) : this.form.say(strings.signingIn);
      case 'redirecting':
        return this.form.say(strings.redirecting);
      case 'signed-in':
        this.form.say(this.form.textarea.value.trim() === '' ? strings.signedIn(event.commenter.name) : strings.signedInWithDraft(event.commenter.name));
        this.form.textarea.focus();
        return;
      case 'cancelled':
        return this.form.say(strings.signInCancelled);
      case 'window-closed':
        return this.form.say('');
      case 'failed':
        return this.form.warn(event.reason === 'insecure' ? strings.insecurePage : event.reason === 'unavailable' ? strings.signInUnavailable : strings.signInFailed);
      case 'signed-out':
        this.form.say(event.windowBlocked ? strings.loggedOutWindowBlocked : strings.loggedOut);
        if (hadFocus) this.form.providerButton(undefined)?.focus();
        return;
      case 'expired':
        this.form.warn(strings.expired);
        return;
    }
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    const body = this.form.textarea.value;
    if (body.trim() === '') {
      this.form.warn(strings.emptyComment);
      this.form.textarea.focus();
      return;
    }
    const commenter = this.session.commenter;
    if (!commenter) {
      this.form.warn(strings.logInFirst);
      this.form.providerButton(undefined)?.focus();
      return;
    }
    if (isExpired(commenter, Date.now())) {
      // Still inside the click: the popup for a fresh sign-in may open right away.
      this.renewing = true;
      this.session.expire();
      void this.session.signIn({ postId: this.mount.postId, provider: commenter.idp });
      return;
    }
    this.busy = true;
    this.form.setBusy(true);
    this.form.say(strings.posting);
    const parentId = this.draft.parentId;
    try {
      const comment = await this.api.create(commenter.accessToken, { body, parentId }, this.draft.idempotencyKey);
      this.posted(comment, parentId);
    } catch (error) {
      this.failed(error, commenter.idp);
    } finally {
      this.busy = false;
      this.form.setBusy(false);
    }
  }

  private posted(comment: Comment, parentId: string | null): void {
    if (!this.comments.some((existing) => existing.id === comment.id)) this.comments.push(comment);
    this.draft = this.drafts.clear();
    this.form.textarea.value = '';
    if (this.loaded) this.renderThread();
    else void this.load();
    this.form.say(strings.posted);
    // Back where the commenter came from: the "Reply" they pressed, or their new comment.
    const back = parentId !== null ? this.views.get(parentId)?.replyButton : this.views.get(comment.id)?.article;
    back?.focus();
  }

  private failed(error: unknown, idp: IdentityProvider | undefined): void {
    if (!(error instanceof ApiError)) return this.form.warn(strings.offline);
    switch (error.kind) {
      case 'unauthorized':
        this.session.expire();
        this.form.providerButton(idp)?.focus();
        return;
      case 'forbidden':
        return this.form.warn(strings.forbidden(error.detail));
      case 'too_large':
        return this.form.warn(strings.tooLarge);
      case 'rate_limited':
        return this.form.warn(strings.rateLimited(error.retryAfterSeconds === undefined ? undefined : Math.min(error.retryAfterSeconds, MAX_RETRY_AFTER_SECONDS)));
      case 'server':
        return this.form.warn(strings.serverError(error.status));
      case 'offline':
        return this.form.warn(strings.offline);
      case 'invalid':
        return this.form.warn(strings.invalid(error.detail));
    }
  }
}
