import { avatar } from './avatar';
import { h, replaceChildren } from './dom';
import { strings } from './strings';
import type { Commenter, IdentityProvider } from './token';

const PROVIDERS: readonly IdentityProvider[] = ['email', 'twitter', 'facebook'];
const MARKS: Record<IdentityProvider, string> = { email: '@', twitter: 't', facebook: 'f' };

export interface FormActions {
  logIn(provider: IdentityProvider): void;
  logOut(): void;
  change(): void;
  cancelReply(): void;
  submit(): void;
  input(body: string): void;
}

/**
 * The "Leave a Reply" form: who is commenting (or the three ways to log in), the comment box,
 * the live regions that say what happened, and "Post Comment". One form per widget; it moves
 * under a comment to reply to it.
 */
export class RespondForm {
  readonly section: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  readonly postButton: HTMLButtonElement;
  private readonly identity: HTMLElement;
  private readonly replying: HTMLElement;
  private readonly replyingName: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly status: HTMLElement;
  private readonly providerButtons = new Map<IdentityProvider, HTMLButtonElement>();

  constructor(private readonly actions: FormActions) {
    this.textarea = h('textarea', { id: 'parley-comment', name: 'comment', rows: '5', autocomplete: 'off' });
    this.textarea.addEventListener('input', () => actions.input(this.textarea.value));
    this.postButton = h('button', { type: 'submit', class: 'primary' }, strings.postComment);
    this.identity = h('div', { class: 'identity' });
    const cancel = h('button', { type: 'button', class: 'link' }, strings.cancelReply);
    cancel.addEventListener('click', () => actions.cancelReply());
    this.replyingName = h('span');
    this.replying = h('p', { class: 'replying', hidden: true }, this.replyingName, cancel);
    // Two live regions: errors interrupt (alert), progress does not (status).
    this.alert = h('div', { class: 'alert', role: 'alert' });
    this.status = h('div', { class: 'status', role: 'status' });
    const form = h(
      'form',
      { novalidate: true },
      this.identity,
      h('label', { for: 'parley-comment' }, strings.commentLabel),
      this.textarea,
      h('div', { class: 'feedback' }, this.alert, this.status),
      h('div', { class: 'actions' }, this.postButton),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      actions.submit();
    });
    this.section = h('section', { class: 'respond', 'aria-labelledby': 'parley-respond' }, h('h2', { id: 'parley-respond' }, strings.leaveReply), this.replying, form);
  }

  showSignedOut(): void {
    this.providerButtons.clear();
    const buttons = PROVIDERS.map((provider) => {
      const button = h('button', { type: 'button', class: 'provider' }, h('span', { class: `mark mark-${provider}`, 'aria-hidden': 'true' }, MARKS[provider]), strings.logInWith(provider));
      button.addEventListener('click', () => this.actions.logIn(provider));
      this.providerButtons.set(provider, button);
      return button;
    });
    replaceChildren(this.identity, h('p', { class: 'muted' }, strings.logInPrompt), h('div', { class: 'providers' }, ...buttons));
  }

  showSignedIn(commenter: Commenter): void {
    const logOut = h('button', { type: 'button', class: 'link' }, strings.logOut);
    logOut.addEventListener('click', () => this.actions.logOut());
    const change = h('button', { type: 'button', class: 'link' }, strings.change);
    change.addEventListener('click', () => this.actions.change());
    this.providerButtons.clear();
    replaceChildren(
      this.identity,
      h(
        'div',
        { class: 'who' },
        avatar(commenter.name, commenter.picture),
        h('p', null, h('span', { class: 'name' }, commenter.name), h('span', { class: 'muted' }, strings.commentingAs(commenter.idp)), h('span', { class: 'account-actions' }, logOut, change)),
      ),
    );
  }

  /** The log-in button to offer after a sign-in ran out: the provider used before, or the first. */
  providerButton(provider: IdentityProvider | undefined): HTMLButtonElement | undefined {
    return (provider && this.providerButtons.get(provider)) || this.providerButtons.get('email');
  }

  setReplyingTo(name: string | undefined): void {
    this.replying.hidden = name === undefined;
    this.replyingName.textContent = name === undefined ? '' : strings.replyingTo(name);
  }

  setBusy(busy: boolean): void {
    this.postButton.setAttribute('aria-disabled', String(busy));
    this.postButton.textContent = busy ? strings.posting : strings.postComment;
  }

  /** Progress and success, read out politely. Clears any error. */
  say(message: string): void {
    this.alert.textContent = '';
    this.status.textContent = message;
  }

  /** What went wrong, read out at once. */
  warn(message: string): void {
    this.status.textContent = '';
    this.alert.textContent = message;
  }
}
