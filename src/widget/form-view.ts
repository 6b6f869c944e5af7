import type { GuestDetails } from './api';
import { avatar } from './avatar';
import { lengthState, MAX_COMMENT_CHARACTERS, type LengthState } from './comment-length';
import { h, replaceChildren } from './dom';
import { strings } from './strings';
import type { Commenter, IdentityProvider } from './token';

const PROVIDERS: readonly IdentityProvider[] = ['email', 'twitter', 'facebook'];
const MARKS: Record<IdentityProvider, string> = { email: '@', twitter: 't', facebook: 'f' };

/** Ids inside the widget's shadow root (one form per root). */
const IDS = {
  heading: 'parley-respond',
  textarea: 'parley-comment',
  alert: 'parley-alert',
  counter: 'parley-counter',
  guestName: 'parley-guest-name',
  guestEmail: 'parley-guest-email',
  guestWebsite: 'parley-guest-website',
  notifyReplies: 'parley-notify-replies',
  notifyRepliesHint: 'parley-notify-replies-hint',
} as const;

export type GuestField = keyof GuestDetails;
const GUEST_FIELDS: readonly GuestField[] = ['name', 'email', 'website'];

/**
 * The counter is read out once typing pauses, not on every key (as GOV.UK's character count
 * does): a screen reader would otherwise talk over the typing.
 */
const COUNTER_ANNOUNCE_DELAY_MS = 1_000;

export interface FormActions {
  logIn(provider: IdentityProvider): void;
  logOut(): void;
  change(): void;
  cancelReply(): void;
  submit(): void;
  input(body: string): void;
  /** "Notify me of replies by email" was ticked or unticked. */
  notifyRepliesChanged(on: boolean): void;
}

/**
 * The "Leave a Reply" form: who is commenting (or the three ways to log in), the comment box
 * with its character counter, the live regions that say what happened, and "Post Comment". One
 * form per widget; it moves under a comment to reply to it.
 */
export class RespondForm {
  readonly section: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  readonly postButton: HTMLButtonElement;
  private readonly heading: HTMLElement;
  private readonly identity: HTMLElement;
  private readonly replying: HTMLElement;
  private readonly replyingName: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly status: HTMLElement;
  private readonly counter: HTMLElement;
  private readonly counterAnnouncer: HTMLElement;
  private readonly providerButtons = new Map<IdentityProvider, HTMLButtonElement>();
  /** "Notify me of replies by email", with where the email goes: shown to signed-in commenters only. */
  private readonly notifyOption: HTMLElement;
  private readonly notifyBox: HTMLInputElement;
  private readonly notifyHint: HTMLElement;
  /** "or comment as a guest": Name, Email, Website, kept (with what was typed) across re-renders. */
  private readonly guestSection: HTMLElement;
  private readonly guestInputs: Record<GuestField, HTMLInputElement>;
  /** The site takes guest comments (the thread's answer said so), and nobody is logged in. */
  private guestsAllowed = false;
  private signedIn = false;
  /** The alert is about the comment box ("Write a comment first.", too long). */
  private alertIsAboutText = false;
  /** The guest field the alert is about, marked invalid and described by it. */
  private alertGuestField: GuestField | undefined;
  private length: LengthState = { kind: 'far' };
  private announceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly actions: FormActions) {
    this.textarea = h('textarea', { id: IDS.textarea, name: 'comment', rows: '5', autocomplete: 'off' });
    this.textarea.addEventListener('input', () => {
      actions.input(this.textarea.value);
      this.updateLength();
      // The mistake the alert was about has been fixed: say no more about it.
      if (this.alertIsAboutText && this.textarea.value.trim() !== '' && this.length.kind !== 'over') this.say('');
    });
    this.postButton = h('button', { type: 'submit', class: 'primary' }, strings.postComment);
    this.guestInputs = {
      name: h('input', { id: IDS.guestName, name: 'author', type: 'text', autocomplete: 'name', maxlength: '80', 'aria-required': 'true' }),
      email: h('input', { id: IDS.guestEmail, name: 'email', type: 'email', autocomplete: 'email', maxlength: '254', 'aria-required': 'true' }),
      website: h('input', { id: IDS.guestWebsite, name: 'url', type: 'url', autocomplete: 'url', maxlength: '200', inputmode: 'url' }),
    };
    for (const field of GUEST_FIELDS) {
      // The mistake the alert was about has been fixed (or is being): say no more about it.
      this.guestInputs[field].addEventListener('input', () => {
        if (this.alertGuestField === field) this.say('');
      });
    }
    this.guestSection = h(
      'fieldset',
      { class: 'guest' },
      h('legend', null, strings.orAsGuest),
      h('p', { class: 'guest-field' }, h('label', { for: IDS.guestName }, strings.guestName), this.guestInputs.name),
      h('p', { class: 'guest-field' }, h('label', { for: IDS.guestEmail }, `${strings.guestEmail} (${strings.guestEmailHint})`), this.guestInputs.email),
      h('p', { class: 'guest-field' }, h('label', { for: IDS.guestWebsite }, `${strings.guestWebsite} (${strings.optional})`), this.guestInputs.website),
    );
    this.identity = h('div', { class: 'identity' });
    const cancel = h('button', { type: 'button', class: 'link' }, strings.cancelReply);
    cancel.addEventListener('click', () => actions.cancelReply());
    this.replyingName = h('span');
    this.replying = h('p', { class: 'replying', hidden: true }, this.replyingName, cancel);
    // Two live regions: errors interrupt (alert), progress does not (status).
    this.alert = h('div', { class: 'alert', role: 'alert', id: IDS.alert });
    this.status = h('div', { class: 'status', role: 'status' });
    // The visible counter is what aria-describedby points at; a hidden polite region reads it out.
    this.counter = h('p', { class: 'counter', id: IDS.counter, 'aria-hidden': 'true', hidden: true });
    this.counterAnnouncer = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
    this.notifyBox = h('input', { type: 'checkbox', id: IDS.notifyReplies, name: 'notify-replies', 'aria-describedby': IDS.notifyRepliesHint });
    this.notifyBox.addEventListener('change', () => actions.notifyRepliesChanged(this.notifyBox.checked));
    this.notifyHint = h('p', { class: 'hint', id: IDS.notifyRepliesHint });
    this.notifyOption = h('div', { class: 'notify', hidden: true }, this.notifyBox, h('label', { for: IDS.notifyReplies }, strings.notifyReplies), this.notifyHint);
    const form = h(
      'form',
      { novalidate: true },
      this.identity,
      h('label', { for: IDS.textarea }, strings.commentLabel),
      this.textarea,
      this.counter,
      this.counterAnnouncer,
      this.notifyOption,
      h('div', { class: 'feedback' }, this.alert, this.status),
      h('div', { class: 'actions' }, this.postButton),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      actions.submit();
    });
    this.heading = h('h2', { id: IDS.heading, tabindex: '-1' }, strings.leaveReply);
    this.section = h('section', { class: 'respond', 'aria-labelledby': IDS.heading }, this.heading, this.replying, form);
    // Escape leaves a reply (not while an input method is composing: there it cancels the composition).
    this.section.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || event.isComposing || this.replying.hidden) return;
      event.preventDefault();
      actions.cancelReply();
    });
  }

  showSignedOut(): void {
    this.signedIn = false;
    this.notifyOption.hidden = true;
    this.providerButtons.clear();
    const buttons = PROVIDERS.map((provider) => {
      const button = h('button', { type: 'button', class: 'provider' }, h('span', { class: `mark mark-${provider}`, 'aria-hidden': 'true' }, MARKS[provider]), strings.logInWith(provider));
      button.addEventListener('click', () => this.actions.logIn(provider));
      this.providerButtons.set(provider, button);
      return button;
    });
    replaceChildren(this.identity, h('p', { class: 'muted' }, strings.logInPrompt), h('div', { class: 'providers' }, ...buttons), this.guestsAllowed ? this.guestSection : null);
  }

  /** Offers (or stops offering) "or comment as a guest" beside the Log in buttons. */
  setGuestsAllowed(allowed: boolean): void {
    if (allowed === this.guestsAllowed) return;
    this.guestsAllowed = allowed;
    if (!this.signedIn) this.showSignedOut();
  }

  /** What the guest typed, while the guest form is offered (nobody logged in); else undefined. */
  guestDetails(): GuestDetails | undefined {
    if (!this.guestsAllowed || this.signedIn) return undefined;
    return { name: this.guestInputs.name.value.trim(), email: this.guestInputs.email.value.trim(), website: this.guestInputs.website.value.trim() };
  }

  /** What is wrong with one of the guest's fields: marked invalid, described by the alert, focused. */
  warnAboutGuestField(field: GuestField, message: string): void {
    this.warn(message);
    this.alertGuestField = field;
    this.updateFieldState();
    this.guestInputs[field].focus();
  }

  showSignedIn(commenter: Commenter): void {
    this.signedIn = true;
    this.notifyHint.textContent = strings.notifyRepliesHint(commenter.idp);
    this.notifyOption.hidden = false;
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

  /** Ticks or unticks "Notify me of replies by email" (the reader's stored preference). */
  setNotifyReplies(on: boolean): void {
    this.notifyBox.checked = on;
  }

  /** Whether the comment about to be posted asks for reply emails: only ever a signed-in commenter's. */
  notifyReplies(): boolean {
    return this.signedIn && this.notifyBox.checked;
  }

  /** The log-in button to offer after a login ran out: the provider used before, or the first. */
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

  /** Takes the focus to the form's heading (the "Leave a Reply" skip link). */
  focusHeading(): void {
    this.heading.scrollIntoView({ block: 'start' });
    this.heading.focus({ preventScroll: true });
  }

  /** The text is set from outside (a restored or cleared draft): the counter follows. */
  setText(text: string): void {
    this.textarea.value = text;
    this.updateLength();
  }

  /** How far over the limit the text is (0 when it fits). */
  charactersOver(): number {
    return this.length.kind === 'over' ? this.length.over : 0;
  }

  /** Progress and success, read out politely. Clears any error. */
  say(message: string): void {
    this.alert.textContent = '';
    this.status.textContent = message;
    this.setAlertIsAboutText(false);
  }

  /** What went wrong, read out at once. */
  warn(message: string): void {
    this.status.textContent = '';
    this.alert.textContent = message;
    this.setAlertIsAboutText(false);
  }

  /** What is wrong with the comment itself: the box is marked invalid and described by the alert. */
  warnAboutText(message: string): void {
    this.warn(message);
    this.setAlertIsAboutText(true);
    this.textarea.focus();
  }

  private setAlertIsAboutText(about: boolean): void {
    this.alertIsAboutText = about;
    this.alertGuestField = undefined;
    this.updateFieldState();
  }

  private updateLength(): void {
    const previous = this.length;
    this.length = lengthState(this.textarea.value, MAX_COMMENT_CHARACTERS);
    const text = this.length.kind === 'near' ? strings.charactersLeft(this.length.left) : this.length.kind === 'over' ? strings.charactersOver(this.length.over) : '';
    this.counter.textContent = text;
    this.counter.hidden = text === '';
    this.counter.classList.toggle('over', this.length.kind === 'over');
    this.updateFieldState();
    if (this.announceTimer !== undefined) clearTimeout(this.announceTimer);
    // Leaving the counter's range is news too, but there is nothing to say about "far".
    if (text === '' && previous.kind === 'far') return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined;
      this.counterAnnouncer.textContent = text;
    }, COUNTER_ANNOUNCE_DELAY_MS);
  }

  /** aria-invalid and aria-describedby on the box: the counter while shown, the alert while about the text. */
  private updateFieldState(): void {
    const describedBy = [this.counter.hidden ? undefined : IDS.counter, this.alertIsAboutText ? IDS.alert : undefined].filter((id) => id !== undefined);
    if (describedBy.length > 0) this.textarea.setAttribute('aria-describedby', describedBy.join(' '));
    else this.textarea.removeAttribute('aria-describedby');
    if (this.alertIsAboutText || this.length.kind === 'over') this.textarea.setAttribute('aria-invalid', 'true');
    else this.textarea.removeAttribute('aria-invalid');
    for (const field of GUEST_FIELDS) {
      const input = this.guestInputs[field];
      if (field === this.alertGuestField) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', IDS.alert);
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
  }
}
