import { lengthState, MAX_COMMENT_CHARACTERS } from './comment-length';
import { h } from './dom';
import { randomToken } from './pkce';
import { strings } from './strings';

/**
 * The controls on the reader's own comment (own-comments.ts says which those are): the inline
 * editor that Edit opens, and the question Delete asks first. Each is a group named by its
 * question or label, with its own live regions, and gives the focus back where it came from.
 */

export interface EditorActions {
  save(text: string, idempotencyKey: string): void;
  cancel(): void;
}

/** Edit opens this in place of the comment's text: the text in a box, Save and Cancel. */
export class CommentEditor {
  readonly element: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly alert: HTMLElement;
  private readonly status: HTMLElement;
  private saving = false;
  /** Sent as Idempotency-Key: kept while the text stays the same, so a retried Save edits once. */
  private idempotencyKey = randomToken(16);
  private keyFor: string;

  constructor(
    id: string,
    text: string,
    minutesLeft: number,
    private readonly actions: EditorActions,
  ) {
    const textareaId = `${id}-text`;
    const hintId = `${id}-hint`;
    this.textarea = h('textarea', { id: textareaId, rows: '4', autocomplete: 'off', 'aria-describedby': hintId });
    this.textarea.value = text;
    this.keyFor = text;
    this.alert = h('div', { class: 'alert', role: 'alert' });
    this.status = h('div', { class: 'status', role: 'status' });
    this.saveButton = h('button', { type: 'submit', class: 'primary' }, strings.save);
    const cancel = h('button', { type: 'button', class: 'link' }, strings.cancel);
    cancel.addEventListener('click', () => actions.cancel());
    const form = h(
      'form',
      { class: 'editor', novalidate: true, 'aria-labelledby': `${id}-label` },
      h('label', { for: textareaId, id: `${id}-label` }, strings.editLabel),
      this.textarea,
      h('p', { class: 'muted hint', id: hintId }, strings.editWindow(minutesLeft)),
      h('div', { class: 'feedback' }, this.alert, this.status),
      h('div', { class: 'actions' }, cancel, this.saveButton),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    form.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || event.isComposing) return;
      event.preventDefault();
      actions.cancel();
    });
    this.element = form;
  }

  setBusy(busy: boolean): void {
    this.saving = busy;
    this.saveButton.setAttribute('aria-disabled', String(busy));
    this.saveButton.textContent = busy ? strings.saving : strings.save;
    if (busy) this.say(strings.saving);
  }

  say(message: string): void {
    this.alert.textContent = '';
    this.status.textContent = message;
  }

  warn(message: string): void {
    this.status.textContent = '';
    this.alert.textContent = message;
  }

  private submit(): void {
    if (this.saving) return;
    const text = this.textarea.value;
    if (text.trim() === '') return this.refuse(strings.emptyComment);
    const length = lengthState(text, MAX_COMMENT_CHARACTERS);
    if (length.kind === 'over') return this.refuse(strings.tooLong(length.over, MAX_COMMENT_CHARACTERS));
    if (text !== this.keyFor) {
      this.keyFor = text;
      this.idempotencyKey = randomToken(16);
    }
    this.actions.save(text, this.idempotencyKey);
  }

  private refuse(message: string): void {
    this.warn(message);
    this.textarea.focus();
  }
}

export interface ConfirmationActions {
  confirm(): void;
  keep(): void;
}

/** Delete asks first, in place of the comment's buttons; the focus starts on the safe answer. */
export class DeleteConfirmation {
  readonly element: HTMLElement;
  readonly keepButton: HTMLButtonElement;
  private readonly confirmButton: HTMLButtonElement;
  private readonly alert: HTMLElement;

  constructor(id: string, actions: ConfirmationActions) {
    const questionId = `${id}-question`;
    this.confirmButton = h('button', { type: 'button', class: 'danger' }, strings.confirmDelete);
    this.confirmButton.addEventListener('click', () => actions.confirm());
    this.keepButton = h('button', { type: 'button', class: 'link' }, strings.keepComment);
    this.keepButton.addEventListener('click', () => actions.keep());
    this.alert = h('div', { class: 'alert', role: 'alert' });
    this.element = h(
      'div',
      { class: 'confirm', role: 'group', 'aria-labelledby': questionId },
      h('p', { id: questionId }, strings.deleteQuestion),
      h('div', { class: 'confirm-buttons' }, this.confirmButton, this.keepButton),
      this.alert,
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      actions.keep();
    });
  }

  setBusy(busy: boolean): void {
    this.confirmButton.setAttribute('aria-disabled', String(busy));
    this.confirmButton.textContent = busy ? strings.deleting : strings.confirmDelete;
  }

  get busy(): boolean {
    return this.confirmButton.getAttribute('aria-disabled') === 'true';
  }

  warn(message: string): void {
    this.alert.textContent = message;
  }
}
