/**
 * HTTP face of a FailureControl, for tests running in another process (a browser test, the
 * demo). JSON in and out; errors are `{ "error": code, "message": text }` like Parley's APIs.
 *
 *   GET    /                 → { provider, endpoints, armed: [{ endpoint, failure, sticky }] }
 *   POST   /failures         { endpoint, kind, status?, userId?, sticky? } → 201 { armed }
 *   DELETE /failures         → 204, same as POST /reset
 *   POST   /reset            → 204
 */
import express, { type ErrorRequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  FAILURE_KINDS,
  FailureControlError,
  type Failure,
  type FailureControl,
  type FailureKind,
} from './failure-control';

const armRequestSchema = z.strictObject({
  endpoint: z.string().min(1),
  kind: z.enum(FAILURE_KINDS as [FailureKind, ...FailureKind[]]),
  status: z.number().int().min(500).max(599).optional(),
  userId: z.string().min(1).optional(),
  sticky: z.boolean().optional(),
});

type ArmRequest = z.infer<typeof armRequestSchema>;

function toFailure(request: ArmRequest): Failure {
  switch (request.kind) {
    case 'server-error':
      return request.status === undefined ? { kind: 'server-error' } : { kind: 'server-error', status: request.status };
    case 'approve':
      return request.userId === undefined ? { kind: 'approve' } : { kind: 'approve', userId: request.userId };
    default:
      return { kind: request.kind };
  }
}

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: 'invalid_request', message });
}

/** Describes the armed failures, for GET and for the combined control endpoint. */
export function describeControl<E extends string>(control: FailureControl<E>): object {
  return { provider: control.provider, endpoints: control.endpoints, armed: control.list() };
}

export function createControlRouter<E extends string>(control: FailureControl<E>): Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/', (_req, res) => {
    res.json(describeControl(control));
  });

  router.post('/failures', (req, res) => {
    const parsed = armRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      badRequest(res, z.prettifyError(parsed.error));
      return;
    }
    const { endpoint, sticky } = parsed.data;
    if (!control.isEndpoint(endpoint)) {
      badRequest(res, `unknown endpoint "${endpoint}"; known: ${control.endpoints.join(', ')}`);
      return;
    }
    try {
      control.fail(endpoint, toFailure(parsed.data), { sticky: sticky ?? false });
    } catch (error) {
      if (error instanceof FailureControlError) {
        badRequest(res, error.message);
        return;
      }
      throw error;
    }
    res.status(201).json({ armed: control.list() });
  });

  const reset = (_req: unknown, res: Response): void => {
    control.reset();
    res.status(204).end();
  };
  router.post('/reset', reset);
  router.delete('/failures', reset);

  // Malformed JSON from express.json(): answer in the same shape instead of an HTML page.
  const onJsonError: ErrorRequestHandler = (error, _req, res, next) => {
    if (error instanceof SyntaxError) {
      badRequest(res, 'body is not valid JSON');
      return;
    }
    next(error);
  };
  router.use(onJsonError);

  return router;
}
