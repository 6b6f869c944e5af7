/**
 * Applies armed failures to API endpoints. Each emulator supplies a FailureResponder that
 * speaks its provider's error shapes; hanging responses are held in a registry so that
 * closing the server ends them instead of waiting for a reply that never comes.
 */
import type { RequestHandler, Response } from 'express';
import type { Failure, FailureControl } from './failure-control';

/** Responses deliberately left unanswered. */
export class HangingResponses {
  readonly #held = new Set<Response>();

  hold(res: Response): void {
    this.#held.add(res);
    res.on('close', () => this.#held.delete(res));
  }

  get size(): number {
    return this.#held.size;
  }

  /** Destroys the sockets of every held response; the clients see the connection drop. */
  releaseAll(): void {
    for (const res of this.#held) res.socket?.destroy();
    this.#held.clear();
  }
}

/** How one endpoint misbehaves, in its provider's dialect. */
export interface FailureResponder {
  serverError(res: Response, status: number): void;
  malformed(res: Response): void;
  errorWith200(res: Response): void;
}

export const DEFAULT_SERVER_ERROR_STATUS = 500;

/**
 * Answers a request with the generic failure kinds. Returns false for kinds it leaves to the
 * caller (deny and approve, which only sign-in pages understand).
 */
export function respondWithFailure(
  failure: Failure,
  res: Response,
  responder: FailureResponder,
  hangs: HangingResponses,
): boolean {
  switch (failure.kind) {
    case 'server-error':
      responder.serverError(res, failure.status ?? DEFAULT_SERVER_ERROR_STATUS);
      return true;
    case 'hang':
      hangs.hold(res);
      return true;
    case 'malformed':
      responder.malformed(res);
      return true;
    case 'error-200':
      responder.errorWith200(res);
      return true;
    case 'deny':
    case 'approve':
      return false;
  }
}

/** Middleware placed before an API handler: misbehaves when a failure is armed there. */
export function failureGate<E extends string>(
  control: FailureControl<E>,
  endpoint: E,
  responder: FailureResponder,
  hangs: HangingResponses,
): RequestHandler {
  return (_req, res, next) => {
    const failure = control.take(endpoint);
    if (failure && respondWithFailure(failure, res, responder, hangs)) return;
    next();
  };
}
