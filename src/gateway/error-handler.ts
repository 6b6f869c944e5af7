import type { ErrorRequestHandler } from 'express';
import { GATEWAY_RETRY_AFTER_SECONDS } from './server-errors';
import { messagePage } from './views/pages';
import { requestLogger } from '../observability/request-log';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/**
 * The last word on any failure: a clean page (or JSON for API callers) and a status that says
 * whose fault it was. Never a stack trace to the user; the log gets the message, not secrets.
 */
export function gatewayErrorHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const details = (error ?? {}) as HttpishError;
    const status = details.status ?? details.statusCode ?? 500;
    const clientError = status >= 400 && status < 500;
    if (!clientError) requestLogger(req).error({ err: error }, 'request failed');
    if (res.headersSent) return void res.end();
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    if (clientError) {
      const tooLarge = details.type === 'entity.too.large';
      const message = tooLarge ? 'The form was too large.' : 'The request could not be understood.';
      if (wantsJson) return void res.status(status).json({ error: 'invalid_request', message });
      // A reader meets this after a form sent something we cannot read: say so, and what to do.
      const page = tooLarge
        ? { title: 'That was too much to send', message: 'What you typed was longer than this form takes.', detail: 'Go back, shorten it and send it again.' }
        : { title: 'This page could not be shown', message: 'Your browser sent something this page could not read.', detail: 'Go back, reload the page and try again.' };
      return void res.status(status).type('html').send(messagePage({ ...page, code: 'invalid_request' }));
    }
    res.set('Retry-After', String(GATEWAY_RETRY_AFTER_SECONDS));
    if (wantsJson) return void res.status(503).json({ error: 'temporarily_unavailable', message: 'Please try again in a moment.' });
    res
      .status(503)
      .type('html')
      .send(
        messagePage({
          title: 'Something went wrong on our side',
          message: 'The log-in service had a problem with this page.',
          detail: 'Try again in a moment.',
          retryHref: req.method === 'GET' ? req.originalUrl : undefined,
          code: 'temporarily_unavailable',
        }),
      );
  };
}
