import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { COMMENT_ERRORS, CommentApiError, formatNumber, type CommentErrorCode } from './errors';
import { MAX_REQUEST_BODY_BYTES } from './json-body';
import type { Logger } from '../observability/logger';
import { requestLogger } from '../observability/request-log';

/**
 * The last word on every failure: `{ error, message }` JSON with the right status, never a 500
 * and never a stack trace.
 *
 * - A CommentApiError is the client's fault or a limit; its status comes from the catalogue.
 * - The JSON parser's errors (body-parser `type`s) map to 413, 400 or 415.
 * - Any other 4xx raised by Express (a malformed %-escape in the URL) is `invalid_request`.
 * - Anything else is ours, almost always the database: 503 with Retry-After, and a log line.
 */

/** What a client should wait before retrying after a failure on our side. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const PARSER_ERRORS: Readonly<Record<string, CommentErrorCode>> = {
  'entity.too.large': 'payload_too_large',
  'entity.parse.failed': 'invalid_json',
  'charset.unsupported': 'unsupported_media_type',
  'encoding.unsupported': 'unsupported_media_type',
};

interface HttpishError {
  readonly type?: unknown;
  readonly status?: unknown;
}

export function sendError(res: Response, error: CommentApiError): void {
  if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  res.status(error.status).json({ error: error.code, message: error.message });
}

function asCommentApiError(error: unknown): CommentApiError | undefined {
  if (error instanceof CommentApiError) return error;
  const { type, status } = (typeof error === 'object' && error !== null ? error : {}) as HttpishError;
  if (typeof type === 'string' && Object.hasOwn(PARSER_ERRORS, type)) {
    const code = PARSER_ERRORS[type]!;
    if (code === 'payload_too_large') {
      return new CommentApiError(code, `The request body is larger than ${formatNumber(MAX_REQUEST_BODY_BYTES / 1024)} KiB.`);
    }
    return new CommentApiError(code);
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return new CommentApiError('invalid_request');
  return undefined;
}

export function commentErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let refusal = asCommentApiError(error);
    if (refusal === undefined) {
      requestLogger(req, logger).error({ err: error }, 'request failed');
      refusal = new CommentApiError(
        'temporarily_unavailable',
        COMMENT_ERRORS.temporarily_unavailable.message,
        UNAVAILABLE_RETRY_AFTER_SECONDS,
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendError(res, refusal);
  };
}

/** The answer for any path the service does not serve. */
export function notFound(): RequestHandler {
  return () => {
    throw new CommentApiError('not_found');
  };
}
