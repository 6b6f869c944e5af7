/**
 * Every refusal the comment API gives, in one catalogue.
 *
 * A response body is always `{ "error": code, "message": text }`. Codes are stable (clients and
 * tests match on them); messages are for people and may be reworded. The README's "Comment
 * service" section lists every code, and a test keeps the two in sync.
 *
 * The token refusals (`invalid_token`, `insufficient_scope`) come from the verifier's middleware
 * (packages/verify/src/middleware.ts) with the same body shape, so they are not repeated here.
 */

import { MAX_COMMENT_CODE_POINTS } from './text';

/** Every number a message shows reads one way, "10,000" and never "10000" (issue #11). */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}

interface CatalogueEntry {
  readonly status: number;
  readonly message: string;
}

export const COMMENT_ERRORS = Object.freeze({
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The request body must be a JSON object.' },
  forbidden_field: { status: 400, message: 'The request body uses a reserved field name.' },
  unknown_field: { status: 400, message: 'The request body has a field this API does not know.' },
  missing_field: { status: 400, message: 'A required field is missing.' },
  invalid_field_type: { status: 400, message: 'A field has the wrong type.' },
  invalid_post_id: {
    status: 400,
    message: 'The post id must be 1 to 200 letters, digits or the characters . _ ~ -',
  },
  invalid_idempotency_key: {
    status: 400,
    message: 'Idempotency-Key must be 1 to 255 visible ASCII characters.',
  },
  invalid_request: { status: 400, message: 'The request could not be understood.' },
  banned: { status: 403, message: 'You can no longer comment on this site.' },
  wrong_site: { status: 403, message: 'This token was issued for another site.' },
  origin_not_allowed: { status: 403, message: 'This origin is not registered for the site.' },
  not_author: { status: 403, message: 'Only the comment\'s author can change or delete it.' },
  edit_window_closed: { status: 403, message: 'A comment can be edited for 15 minutes after it was posted; this one no longer can.' },
  not_moderator: { status: 403, message: 'You are not a moderator of this site.' },
  unknown_site: { status: 404, message: 'There is no such site.' },
  comment_not_found: { status: 404, message: 'There is no such comment on this post.' },
  not_found: { status: 404, message: 'There is nothing here.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  comment_deleted: { status: 409, message: 'This comment was deleted; it cannot be hidden, shown or approved any more.' },
  comment_hidden: { status: 409, message: 'A moderator hid this comment; it cannot be edited.' },
  duplicate_comment: {
    status: 409,
    message: 'You have just posted this same comment on this post.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: {
    status: 415,
    message: 'Send the comment as JSON (Content-Type: application/json; charset=utf-8, not compressed).',
  },
  comment_empty: { status: 422, message: 'The comment is empty.' },
  comment_too_long: { status: 422, message: `The comment is longer than ${formatNumber(MAX_COMMENT_CODE_POINTS)} characters.` },
  parent_not_found: {
    status: 422,
    message: 'parentId does not name a comment on this post.',
  },
  idempotency_key_reused: {
    status: 422,
    message: 'This Idempotency-Key was already used for a different comment.',
  },
  invalid_guest_name: { status: 422, message: 'A guest\'s name must be 1 to 80 characters on one line.' },
  invalid_guest_email: { status: 422, message: 'A guest\'s email must be one plain address.' },
  invalid_guest_website: { status: 422, message: 'A guest\'s website must be an http or https address of at most 200 characters.' },
  rate_limited: { status: 429, message: 'You are commenting too fast; try again later.' },
  temporarily_unavailable: { status: 503, message: 'Comments are temporarily unavailable; try again shortly.' },
} satisfies Record<string, CatalogueEntry>);

export type CommentErrorCode = keyof typeof COMMENT_ERRORS;

/** A refusal with a stable code; the error handler turns it into the JSON response. */
export class CommentApiError extends Error {
  override readonly name = 'CommentApiError';

  constructor(
    readonly code: CommentErrorCode,
    /** A more specific message than the catalogue's (it may name the field). */
    message: string = COMMENT_ERRORS[code].message,
    /** For 429 and 503: seconds after which a retry may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get status(): number {
    return COMMENT_ERRORS[this.code].status;
  }
}
