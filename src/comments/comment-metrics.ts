import type { RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';
import { VerifyError, type VerifierEvent } from '../../packages/verify/src';
import { routeOf } from '../observability/request-route';
import type { RequestVerifier } from './options';
import { COMMENTS_PATH } from './routes';

/**
 * The comment service's own counters, in its service registry (see docs/observability.md):
 * token checks by result, comment POSTs by status, and the verifier's JWKS fetches and revocation
 * feed polls by outcome.
 */
export class CommentMetrics {
  readonly #verifications: Counter<'result'>;
  readonly #posts: Counter<'status'>;
  readonly #jwksFetches: Counter<'outcome'>;
  readonly #revocationPolls: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.#verifications = new Counter({
      name: 'parley_comments_token_verifications_total',
      help: "Access token checks, by result: ok, or the refusal's error (invalid_token, wrong_site, insufficient_scope, invalid_dpop_proof, use_dpop_nonce…), or unavailable",
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.#posts = new Counter({
      name: 'parley_comments_posts_total',
      help: 'POSTs of a comment, by status: 201 (or 200 for a replay), each 4xx status, and 5xx',
      labelNames: ['status'] as const,
      registers: [registry],
    });
    this.#jwksFetches = new Counter({ name: 'parley_comments_jwks_fetches_total', help: "Fetches of the gateway's signing keys, by outcome", labelNames: ['outcome'] as const, registers: [registry] });
    this.#revocationPolls = new Counter({ name: 'parley_comments_revocation_polls_total', help: "Polls of the gateway's revocation feed, by outcome", labelNames: ['outcome'] as const, registers: [registry] });
    for (const outcome of ['ok', 'failed'] as const) {
      this.#jwksFetches.inc({ outcome }, 0);
      this.#revocationPolls.inc({ outcome }, 0);
    }
    this.#verifications.inc({ result: 'ok' }, 0);
    this.#posts.inc({ status: '201' }, 0);
  }

  /** For the verifier's `onEvent` option. */
  verifierEvent(event: VerifierEvent): void {
    (event.type === 'jwks_fetch' ? this.#jwksFetches : this.#revocationPolls).inc({ outcome: event.outcome });
  }

  verification(result: string): void {
    this.#verifications.inc({ result });
  }

  commentPosted(status: number): void {
    this.#posts.inc({ status: status >= 500 ? '5xx' : String(status) });
  }
}

/**
 * The result label of a refused check: the error the client was told (a fixed catalogue, see
 * packages/verify/src/errors.ts), or `unavailable` for a failure of ours (503).
 */
function resultOf(error: unknown): string {
  if (!(error instanceof VerifyError) || error.status === 503) return 'unavailable';
  return error.responseError;
}

/** The verifier, counting each check by its result; what it answers is unchanged. */
export function countingVerifier(verifier: RequestVerifier, metrics: CommentMetrics): RequestVerifier {
  return {
    ...(verifier.dpopAlgorithms === undefined ? {} : { dpopAlgorithms: verifier.dpopAlgorithms }),
    async verifyRequest(request) {
      try {
        const commenter = await verifier.verifyRequest(request);
        metrics.verification('ok');
        return commenter;
      } catch (error) {
        metrics.verification(resultOf(error));
        throw error;
      }
    },
  };
}

/** Counts every finished POST to the comments route by its status, refusals included. */
export function countCommentPosts(metrics: CommentMetrics): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST') {
      res.once('finish', () => {
        if (routeOf(req, res) === COMMENTS_PATH) metrics.commentPosted(res.statusCode);
      });
    }
    next();
  };
}
