import { html, type SafeHtml } from '../../http/html';
import type { Flash } from '../page-flash';

/** What a form page has to say after an answer: an error (tied to a field or not), a notice, the values typed. */
export type FormState = Pick<Flash, 'error' | 'notice' | 'values'>;

/** The error of one field, if it is the one the error is about. */
function errorOf(state: FormState | undefined, field: string): string | undefined {
  return state?.error?.field === field ? state.error.message : undefined;
}

/**
 * An error about the whole form (or a field the page does not show), read out at once, and a
 * notice, read out politely. Errors about a field are shown at the field instead.
 */
export function formMessages(state: FormState | undefined, fields: readonly string[]): SafeHtml {
  const error = state?.error && !(state.error.field && fields.includes(state.error.field)) ? state.error.message : undefined;
  return html`${error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : ''}${state?.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}`;
}

/** The error shown at a field, between its label and the input (its id is `<field>-error`). */
export function fieldMessage(state: FormState | undefined, field: string): SafeHtml {
  const error = errorOf(state, field);
  return error ? html`<p class="error field-error" role="alert" id="${field}-error">${error}</p>` : html``;
}

/**
 * The attributes that tie a field to its error and help (aria-invalid, aria-describedby), and
 * focus the field the reader has to fix (or `focus` when no field has an error).
 */
export function fieldAttributes(state: FormState | undefined, field: string, options: { help?: string; focus?: boolean } = {}): SafeHtml {
  const error = errorOf(state, field);
  const describedBy = [error ? `${field}-error` : undefined, options.help].filter(Boolean).join(' ');
  const focus = error !== undefined || (options.focus === true && !(state?.error?.field));
  return html`${error ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${focus ? html` autofocus` : ''}`;
}
