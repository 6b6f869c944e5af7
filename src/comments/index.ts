/** The comment service: the reference blog backend of DESIGN.md's "Comment API". */
export { createCommentService, type CommentService } from './service';
export { type CommentServiceOptions, DEFAULT_DUPLICATE_WINDOW_SECONDS } from './options';
export { DEFAULT_COMMENT_RATE_LIMITS } from './rate-limits';
export { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from './idempotency';
export { COMMENT_ERRORS, CommentApiError, type CommentErrorCode } from './errors';
export { Moderation, type ModerationOutcome } from './moderation';
export { openCommentsDatabase, COMMENTS_DB_FILE, type CommentsDb } from './database';
export { MAX_COMMENT_CODE_POINTS } from './text';
export { MAX_REQUEST_BODY_BYTES } from './json-body';
export { COMMENTS_PATH } from './routes';
export type { ApiComment, ApiAuthor, ApiRemovedComment, ApiThreadEntry } from './presentation';
