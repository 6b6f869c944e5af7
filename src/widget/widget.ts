import { ApiError, CommentsApi, type Comment, type Credential, type GuestDetails } from './api';
import { pageAddress } from './comment-links';
import { MAX_COMMENT_CHARACTERS } from './comment-length';
import { h, replaceChildren } from './dom';
import { DraftStore, type Draft } from './drafts';
import type { EmbedConfig, Mount } from './embed';
import { RespondForm, type GuestField } from './form-view';
import { revealLinkedComment } from './linked-comment';
import { NotifyPreference } from './notify-preference';
import { CommentEditor, DeleteConfirmation } from './own-comment-controls';
import { editTimeLeft, readerAuthorKey } from './own-comments';
import { sessionFor, type SessionEvent, type SiteSession } from './session';
import { strings } from './strings';
import { tabStorage } from './storage';
import { STYLES } from './styles';
import { fitAccent, followPageTheme, pageIsDark } from './theme';
import { renderThread, type CommentView } from './thread-view';
import { isExpired, type Commenter, type IdentityProvider } from './token';

/** The longest wait a 429 may ask for that the message repeats verbatim. */
const MAX_RETRY_AFTER_SECONDS = 3600;
/** A thread longer than this gets a "Leave a Reply" link before it, straight to the form. */
const SKIP_LINK_AFTER_COMMENTS = 5;

/** The service's refusals of a guest's details, and the field each is about. */
const GUEST_FIELD_OF_ERROR: ReadonlyMap<string, GuestField> = new Map([
  ['invalid_guest_name', 'name'],
  ['invalid_guest_email', 'email'],
  ['invalid_guest_website', 'website'],
]);

/** A draft waiting on a sign-in to be posted, and where that sign-in stands. */
interface PostOnSignIn {
  readonly key: string;
  readonly provider: IdentityProvider | undefined;
  /** 'window': the login window is open; 'blocked': it could not open, the reader must act. */
  phase: 'window' | 'blocked';
}

/** One thread and its form, in a shadow root on the blog's element. */
export class Widget {
  private readonly session: SiteSession;
  private readonly api: CommentsApi;
  private readonly drafts: DraftStore;
  private readonly notifyPreference: NotifyPreference;
  private readonly form: RespondForm;
  private readonly heading: HTMLElement;
  private readonly skipLink: HTMLAnchorElement;
  private readonly notice: HTMLElement;
  private readonly threadHolder: HTMLElement;
  private readonly formHome: HTMLElement;
  private draft: Draft;
  private comments: Comment[] = [];
  private views = new Map<string, CommentView>();
  private loaded = false;
  /** The comment named in the address (a reply email's link) has been looked for in the thread. */
  private linkFollowed = false;
  private busy = false;
  /** The signed-in reader's author key (own-comments.ts), and the `sub` it was computed for. */
  private readerKey: { readonly sub: string; readonly key: string | undefined } | undefined;
  /** The comment whose editor or delete question is open: one at a time. */
  private ownControls: { readonly commentId: string; readonly close: () => void } | undefined;
  /** Takes Edit away from the reader's comments as their 15 minutes run out (the page may stay open). */
  private editExpiry: ReturnType<typeof setTimeout> | undefined;
  /**
   * The Idempotency-Key of the draft the reader pressed "Post Comment" for, while a sign-in it
   * needed is under way (the token had run out, or the service refused it): once signed in, that
   * draft is posted, once, under this same key. An edited draft has a new key and waits for a click.
   */
  private postOnSignIn: PostOnSignIn | undefined;

  constructor(
    private readonly mount: Mount,
    config: EmbedConfig,
  ) {
    this.session = sessionFor(config.gatewayUrl, mount.siteId);
    this.api = new CommentsApi(config.commentsUrl, mount.siteId, mount.postId);
    this.drafts = new DraftStore(mount.siteId, mount.postId);
    this.draft = this.drafts.load();
    this.notifyPreference = new NotifyPreference(mount.siteId);
    this.form = new RespondForm({
      logIn: (provider) => void this.session.signIn({ postId: mount.postId, provider, thenPost: this.draftWaitingToPost() }),
      change: () => void this.session.signIn({ postId: mount.postId, forceLogin: true }),
      logOut: () => void this.session.signOut(),
      cancelReply: () => this.replyTo(null, true),
      submit: () => void this.submit(),
      input: (body) => (this.draft = this.drafts.update(this.draft, { body, parentId: this.draft.parentId })),
      notifyRepliesChanged: (on) => this.notifyPreference.set(on),
    });
    // Focusable from script: after a deletion the focus lands on the thread's heading.
    this.heading = h('h2', { id: 'parley-comments', tabindex: '-1' });
    this.skipLink = h('a', { href: '#parley-respond', class: 'skip', hidden: true }, strings.leaveReply);
    this.skipLink.addEventListener('click', (event) => {
      // Fragment links cannot reach into a shadow root: move the focus ourselves.
      event.preventDefault();
      this.form.focusHeading();
    });
    this.notice = h('div', { class: 'muted' });
    this.threadHolder = h('div');
    this.formHome = h('div');
  }

  start(): void {
    const element = this.mount.element;
    element.setAttribute('data-parley-mounted', '');
    const root = element.attachShadow({ mode: 'open' });
    root.appendChild(h('style', null, STYLES));
    const wrapper = h('div', { class: 'parley' }, h('section', { 'aria-labelledby': 'parley-comments' }, this.heading, this.skipLink, this.notice, this.threadHolder), this.formHome);
    root.appendChild(wrapper);
    this.form.setText(this.draft.body);
    this.form.setNotifyReplies(this.notifyPreference.get());
    this.formHome.appendChild(this.form.section);
    this.applyTheme(wrapper);
    followPageTheme(() => this.applyTheme(wrapper));
    this.renderIdentity();
    this.session.subscribe((event) => this.onSessionEvent(event));
    void this.session.prepare().catch(() => undefined);
    // A link to a comment followed on this very page (the thread is already there).
    window.addEventListener('hashchange', () => {
      if (this.loaded) revealLinkedComment(root, window.location.hash);
    });
    void this.load();
  }

  /** The palette of the page behind (light or dark), with the blog's accent fitted to it. */
  private applyTheme(wrapper: HTMLElement): void {
    const element = this.mount.element;
    if (pageIsDark(element)) element.setAttribute('data-parley-theme', 'dark');
    else element.removeAttribute('data-parley-theme');
    fitAccent(wrapper, this.form.postButton, this.form.section);
  }

  private async load(): Promise<void> {
    this.heading.textContent = strings.comments;
    replaceChildren(this.notice, strings.loading);
    try {
      // The reader's own held comments come only with their credential; a GET carrying one is not
      // cached by the service, so it is sent only while this tab knows of such a comment.
      const holdsPending = tabStorage().get(this.pendingKey) !== undefined;
      const credential = holdsPending && this.session.commenter ? await this.session.credential() : undefined;
      const thread = await this.api.thread(credential);
      this.comments = thread.comments;
      this.form.setGuestsAllowed(thread.guests);
      if (holdsPending && !this.comments.some((comment) => comment.pending)) tabStorage().remove(this.pendingKey);
      this.loaded = true;
      this.renderThread();
      this.followLink();
    } catch {
      const retry = h('button', { type: 'button', class: 'link' }, strings.tryAgain);
      retry.addEventListener('click', () => void this.load());
      replaceChildren(this.notice, h('p', { class: 'load-failed' }, strings.loadFailed, retry));
    }
  }

  private renderThread(): void {
    const shown = this.comments.filter((comment) => !comment.removed).length;
    this.heading.textContent = shown === 0 ? strings.comments : strings.commentCount(shown);
    this.skipLink.hidden = shown <= SKIP_LINK_AFTER_COMMENTS;
    replaceChildren(this.notice, this.comments.length === 0 ? h('p', null, strings.noComments) : null);
    this.ownControls = undefined;
    const thread = renderThread(this.comments, Date.now(), this.readerKey?.key, {
      onReply: (comment) => this.replyTo(comment.id, false),
      onEdit: (comment) => this.startEdit(comment),
      onDelete: (comment) => this.askToDelete(comment),
    });
    const views = thread.views;
    this.views = views;
    replaceChildren(this.threadHolder, thread.list);
    this.expireEditButtons();
    // A reply target from a restored draft that no longer exists becomes a top-level comment.
    this.replyTo(this.draft.parentId !== null && views.has(this.draft.parentId) ? this.draft.parentId : null, false, false);
  }

  /**
   * Removes Edit from comments whose edit window has closed since the thread was drawn (the
   * service would refuse the edit), and comes back when the next one closes. An editor already
   * open stays: saving then says the time is up.
   */
  private expireEditButtons(): void {
    clearTimeout(this.editExpiry);
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const comment of this.comments) {
      const view = this.views.get(comment.id);
      const button = view?.editButton;
      if (!view || !button?.isConnected) continue;
      const left = editTimeLeft(comment, now);
      if (left > 0) next = Math.min(next, left);
      else if (this.ownControls?.commentId !== comment.id) {
        // A reader on Edit is not left nowhere: the focus moves to the next button.
        if (button.getRootNode() instanceof ShadowRoot && (button.getRootNode() as ShadowRoot).activeElement === button) (view.deleteButton ?? view.replyButton).focus();
        button.remove();
      }
    }
    // A little after the window closes, so the service's clock has passed it too.
    if (next !== Number.POSITIVE_INFINITY) this.editExpiry = setTimeout(() => this.expireEditButtons(), next + 1_000);
  }

  /** Once, after the thread first shows: the comment the page was opened at, if it is in it. */
  private followLink(): void {
    const root = this.mount.element.shadowRoot;
    if (this.linkFollowed || !root) return;
    this.linkFollowed = true;
    revealLinkedComment(root, window.location.hash);
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
    void this.updateReaderKey(commenter?.sub);
  }

  /** Recomputes which comments are the reader's when another reader (or nobody) is signed in. */
  private async updateReaderKey(sub: string | undefined): Promise<void> {
    if (sub === this.readerKey?.sub) return;
    const key = sub === undefined ? undefined : await readerAuthorKey(this.mount.siteId, sub);
    // Another sign-in may have finished while the digest was computed: the latest wins.
    if (sub !== this.session.commenter?.sub) return;
    const changed = key !== this.readerKey?.key;
    this.readerKey = sub === undefined ? undefined : { sub, key };
    if (changed && this.loaded) this.renderThread();
  }

  /** Closes the open editor or delete question, if any; the focus goes back to its button. */
  private closeOwnControls(): void {
    const open = this.ownControls;
    this.ownControls = undefined;
    open?.close();
  }

  /** Edit: the comment's text goes into a box in place, with Save and Cancel. */
  private startEdit(comment: Comment): void {
    this.closeOwnControls();
    const view = this.views.get(comment.id);
    if (!view) return;
    const left = editTimeLeft(comment, Date.now());
    const editor: CommentEditor = new CommentEditor(`${view.headingId}-edit`, comment.body, Math.ceil(left / 60_000), {
      save: (text, idempotencyKey) => void this.saveEdit(comment, editor, text, idempotencyKey),
      cancel: () => this.closeOwnControls(),
    });
    view.body.hidden = true;
    view.actions.hidden = true;
    view.body.after(editor.element);
    this.ownControls = {
      commentId: comment.id,
      close: () => {
        editor.element.remove();
        view.body.hidden = false;
        view.actions.hidden = false;
        // Edit itself, unless its time ran out while the editor was open (then Edit goes first).
        this.expireEditButtons();
        (view.editButton?.isConnected ? view.editButton : (view.deleteButton ?? view.replyButton)).focus();
      },
    };
    editor.textarea.focus();
  }

  private async saveEdit(comment: Comment, editor: CommentEditor, text: string, idempotencyKey: string): Promise<void> {
    const commenter = this.session.commenter;
    if (!commenter || isExpired(commenter, Date.now())) return editor.warn(strings.editLogInAgain);
    editor.setBusy(true);
    try {
      const credential = await this.session.credential();
      if (!credential) throw new ApiError('unauthorized', 0, undefined);
      const updated = await this.api.edit(credential, comment.id, text, idempotencyKey);
      this.comments = this.comments.map((existing) => (existing.id === updated.id ? updated : existing));
      this.renderThread();
      this.form.say(strings.updated);
      this.views.get(updated.id)?.article.focus();
    } catch (error) {
      editor.setBusy(false);
      editor.warn(this.ownCommentFailure(error, 'edit'));
    }
  }

  /** Delete: asks first, in place of the comment's buttons. */
  private askToDelete(comment: Comment): void {
    this.closeOwnControls();
    const view = this.views.get(comment.id);
    if (!view) return;
    const confirmation: DeleteConfirmation = new DeleteConfirmation(`${view.headingId}-delete`, {
      confirm: () => void this.deleteComment(comment, confirmation),
      keep: () => this.closeOwnControls(),
    });
    view.actions.hidden = true;
    view.actions.after(confirmation.element);
    this.ownControls = {
      commentId: comment.id,
      close: () => {
        confirmation.element.remove();
        view.actions.hidden = false;
        view.deleteButton?.focus();
      },
    };
    confirmation.keepButton.focus();
  }

  private async deleteComment(comment: Comment, confirmation: DeleteConfirmation): Promise<void> {
    if (confirmation.busy) return;
    const commenter = this.session.commenter;
    if (!commenter || isExpired(commenter, Date.now())) return confirmation.warn(strings.deleteLogInAgain);
    confirmation.setBusy(true);
    try {
      const credential = await this.session.credential();
      if (!credential) throw new ApiError('unauthorized', 0, undefined);
      await this.api.remove(credential, comment.id);
      await this.reloadAfterDeleting(comment.id, credential);
    } catch (error) {
      confirmation.setBusy(false);
      confirmation.warn(this.ownCommentFailure(error, 'delete'));
    }
  }

  /**
   * The service knows what stays of a deleted comment (a placeholder while replies hang below
   * it): the thread is asked for again. Should that fail, the comment is at least taken out here.
   */
  private async reloadAfterDeleting(commentId: string, credential: Credential): Promise<void> {
    try {
      const holdsPending = tabStorage().get(this.pendingKey) !== undefined;
      this.comments = await this.api.list(holdsPending ? credential : undefined);
    } catch {
      this.comments = this.comments.filter((comment) => comment.id !== commentId);
    }
    this.renderThread();
    this.form.say(strings.deleted);
    this.heading.focus();
  }

  private ownCommentFailure(error: unknown, action: 'edit' | 'delete'): string {
    const failed = action === 'edit' ? strings.notSaved : strings.notDeleted;
    if (!(error instanceof ApiError)) return strings.offline;
    switch (error.kind) {
      case 'unauthorized':
        this.session.expire();
        return action === 'edit' ? strings.editLogInAgain : strings.deleteLogInAgain;
      case 'offline':
        return strings.offline;
      case 'rate_limited':
        return strings.rateLimited(error.retryAfterSeconds === undefined ? undefined : Math.min(error.retryAfterSeconds, MAX_RETRY_AFTER_SECONDS));
      case 'too_large':
        return strings.tooLarge;
      case 'server':
        return strings.serverError(error.status);
      case 'dpop_required':
      case 'forbidden':
      case 'invalid':
        return failed(error.detail);
    }
  }

  /** The draft's key, if the reader asked to post it and a sign-in stands in the way. */
  private draftWaitingToPost(): string | undefined {
    return this.postOnSignIn?.key === this.draft.idempotencyKey ? this.postOnSignIn.key : undefined;
  }

  private onSessionEvent(event: SessionEvent): void {
    const hadFocus = this.form.section.contains(this.mount.element.shadowRoot?.activeElement ?? null);
    this.renderIdentity();
    if ('postId' in event && event.postId !== this.mount.postId) return;
    const hasDraft = this.form.textarea.value.trim() !== '';
    const waitingToPost = this.draftWaitingToPost() !== undefined;
    if (event.kind !== 'pending' && event.kind !== 'blocked' && event.kind !== 'expired' && event.kind !== 'redirecting') this.postOnSignIn = undefined;
    switch (event.kind) {
      case 'pending':
        if (!waitingToPost) return this.form.say(strings.signingIn);
        this.postOnSignIn!.phase = 'window';
        return this.form.warn(strings.expiredSigningIn);
      case 'redirecting':
        return this.form.say(strings.redirecting(hasDraft));
      case 'blocked':
        if (this.postOnSignIn) this.postOnSignIn.phase = 'blocked';
        this.form.warn(strings.expiredLogInAgain);
        this.form.providerButton(event.provider)?.focus();
        return;
      case 'signed-in':
        return this.signedIn(event.commenter, event.thenPost);
      case 'cancelled':
        return this.form.say(strings.signInCancelled(hasDraft));
      case 'window-closed':
        return this.form.say(strings.signInClosed(hasDraft));
      case 'failed':
        return this.form.warn(this.signInFailure(event.reason, hasDraft));
      case 'signed-out':
        this.form.say(event.windowBlocked ? strings.loggedOutWindowBlocked : strings.loggedOut);
        if (hadFocus) this.form.providerButton(undefined)?.focus();
        return;
      case 'expired':
        // A sign-in to post the draft starts at once and says so itself.
        if (!waitingToPost) this.form.warn(strings.expired(hasDraft));
        return;
    }
  }

  private signInFailure(reason: 'unavailable' | 'insecure' | 'rejected' | 'dpop_unsupported', hasDraft: boolean): string {
    switch (reason) {
      case 'insecure':
        return strings.insecurePage;
      case 'unavailable':
        return strings.signInUnavailable(hasDraft);
      case 'dpop_unsupported':
        return strings.signInNeedsKey;
      case 'rejected':
        return strings.signInFailed(hasDraft);
    }
  }

  private signedIn(commenter: Commenter, thenPost: string | undefined): void {
    if (thenPost !== undefined && thenPost === this.draft.idempotencyKey && this.draft.body.trim() !== '') {
      // The reader pressed "Post Comment" before this sign-in: post that draft now, once.
      void this.post(commenter, false);
      return;
    }
    this.form.say(this.form.textarea.value.trim() === '' ? strings.signedIn(commenter.name) : strings.signedInWithDraft(commenter.name));
    this.form.textarea.focus();
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    const body = this.form.textarea.value;
    if (body.trim() === '') return this.form.warnAboutText(strings.emptyComment);
    const over = this.form.charactersOver();
    if (over > 0) return this.form.warnAboutText(strings.tooLong(over, MAX_COMMENT_CHARACTERS));
    const commenter = this.session.commenter;
    const waiting = this.draftWaitingToPost() !== undefined ? this.postOnSignIn : undefined;
    // Pressed again while a login for this very draft is under way: it is already coming.
    if (!commenter && waiting?.phase === 'window') return this.form.warn(strings.expiredSigningIn);
    // The login window was blocked: this click may open it.
    if (!commenter && waiting?.phase === 'blocked') return this.logInAgainThenPost(waiting.provider, 'redirect');
    const guest = commenter ? undefined : this.form.guestDetails();
    if (guest !== undefined && (guest.name !== '' || guest.email !== '' || guest.website !== '')) return this.postAsGuest(guest);
    if (!commenter) {
      this.form.warn(guest === undefined ? strings.logInFirst : strings.logInOrGuest);
      this.form.providerButton(undefined)?.focus();
      return;
    }
    // Still inside the click: the popup for a fresh sign-in may open right away.
    if (isExpired(commenter, Date.now())) return this.logInAgainThenPost(commenter.idp, 'redirect');
    await this.post(commenter, true);
  }

  /**
   * Posts the draft as it stands, under its Idempotency-Key. `mayLogInAgain`: a 401 (the token
   * was revoked, or ran out on the way) starts one fresh sign-in that posts the draft after it;
   * a 401 after that sign-in is reported instead, so nothing loops.
   */
  private async post(commenter: Commenter, mayLogInAgain: boolean): Promise<void> {
    const draft = this.draft;
    const sent = draft.sent ?? { notifyReplies: this.form.notifyReplies(), pageUrl: pageAddress(window.location.href) };
    this.busy = true;
    this.form.setBusy(true);
    this.form.say(strings.posting);
    let refused = false;
    try {
      const credential = await this.session.credential();
      // The token's key is gone (storage cleared): the token is of no use, as if refused.
      if (!credential) throw new ApiError('unauthorized', 0, undefined);
      const comment = await this.api.create(credential, { body: draft.body, parentId: draft.parentId, ...sent }, draft.idempotencyKey);
      this.posted(comment);
    } catch (error) {
      // The comment may be stored: its retries must carry what this attempt did, ticked box or not.
      const outcomeUnknown = error instanceof ApiError && (error.kind === 'offline' || error.kind === 'server');
      if (outcomeUnknown && draft.sent === undefined && this.draft.idempotencyKey === draft.idempotencyKey) this.draft = this.drafts.pin(this.draft, sent);
      refused = mayLogInAgain && error instanceof ApiError && error.kind === 'unauthorized';
      if (!refused) this.failed(error, commenter.idp);
    } finally {
      this.busy = false;
      this.form.setBusy(false);
    }
    // Moments after the click, browsers still let a popup open; if one does not, the page stays.
    if (refused) this.logInAgainThenPost(commenter.idp, 'none');
  }

  /**
   * Posts the draft as a guest (no token). It is held for a moderator, and the guest, holding no
   * token, will not see it after a reload: the form says so now, while the thread shows it here.
   */
  private async postAsGuest(guest: GuestDetails): Promise<void> {
    if (guest.name === '') return this.form.warnAboutGuestField('name', strings.guestNameMissing);
    if (guest.email === '') return this.form.warnAboutGuestField('email', strings.guestEmailMissing);
    const draft = this.draft;
    this.busy = true;
    this.form.setBusy(true);
    this.form.say(strings.posting);
    try {
      const comment = await this.api.createAsGuest({ body: draft.body, parentId: draft.parentId }, guest, draft.idempotencyKey);
      this.posted(comment, strings.postedAsGuest);
    } catch (error) {
      const field = error instanceof ApiError && error.code !== undefined ? GUEST_FIELD_OF_ERROR.get(error.code) : undefined;
      if (field !== undefined) this.form.warnAboutGuestField(field, strings.guestFieldRefused((error as ApiError).detail));
      else this.failed(error, undefined);
    } finally {
      this.busy = false;
      this.form.setBusy(false);
    }
  }

  private logInAgainThenPost(idp: IdentityProvider | undefined, fallback: 'redirect' | 'none'): void {
    const thenPost = this.draft.idempotencyKey;
    this.postOnSignIn = { key: thenPost, provider: idp, phase: 'window' };
    if (this.session.commenter) this.session.expire();
    void this.session.signIn({ postId: this.mount.postId, provider: idp, thenPost, fallback });
  }

  /** Set while this tab has posted a comment on this post that awaits approval. */
  private get pendingKey(): string {
    return `parley.pending.${this.mount.siteId}/${this.mount.postId}`;
  }

  private posted(comment: Comment, message?: string): void {
    if (!this.comments.some((existing) => existing.id === comment.id)) this.comments.push(comment);
    this.draft = this.drafts.clear();
    this.form.setText('');
    if (this.loaded) this.renderThread();
    else void this.load();
    // A guest has no token to see their held comment with after a reload: nothing to remember.
    if (comment.pending && comment.author.guest !== true) tabStorage().set(this.pendingKey, '1');
    this.form.say(message ?? (comment.pending ? strings.postedPending : strings.posted));
    // On the new comment or reply, so the reader (and a screen reader) lands on what was posted.
    this.views.get(comment.id)?.article.focus();
  }

  private failed(error: unknown, idp: IdentityProvider | undefined): void {
    if (!(error instanceof ApiError)) return this.form.warn(strings.offline);
    switch (error.kind) {
      case 'unauthorized':
        // The 'expired' event says so.
        this.session.expire();
        this.form.providerButton(idp)?.focus();
        return;
      case 'dpop_required':
        return this.form.warn(strings.dpopRequired);
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
