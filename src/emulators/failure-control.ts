/**
 * Switchable failure modes for one emulator. A test arms a failure on an endpoint, one-shot by
 * default or sticky, and that endpoint's next request (or every request, when sticky)
 * misbehaves until `reset()`. The same object backs the HTTP control endpoint
 * (control-routes.ts), so a browser test in another process can drive it as well.
 *
 * - `deny` / `approve`: the sign-in page answers by itself, as if a person clicked Cancel or
 *   picked a test user (only on the interactive endpoint).
 * - `server-error`: a 5xx in the provider's own error shape.
 * - `hang`: the request is never answered; `close()` of the server still ends it.
 * - `malformed`: a body the client cannot parse (or a callback missing its code/verifier).
 * - `error-200`: the provider's error object with HTTP 200, as some Graph clients see it.
 */

export type Failure =
  | { readonly kind: 'deny' }
  | { readonly kind: 'approve'; readonly userId?: string }
  | { readonly kind: 'server-error'; readonly status?: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'error-200' };

export type FailureKind = Failure['kind'];

export const FAILURE_KINDS: readonly FailureKind[] = [
  'deny',
  'approve',
  'server-error',
  'hang',
  'malformed',
  'error-200',
];

/** Kinds that only make sense on a page a person interacts with. */
const INTERACTIVE_ONLY: ReadonlySet<FailureKind> = new Set(['deny', 'approve']);

export interface EndpointSpec<E extends string> {
  readonly name: E;
  /** True for the sign-in page; only there can a failure deny or approve by itself. */
  readonly interactive: boolean;
}

export interface ArmOptions {
  /** Keep failing until reset() instead of once. */
  readonly sticky?: boolean;
}

export interface ArmedFailure<E extends string> {
  readonly endpoint: E;
  readonly failure: Failure;
  readonly sticky: boolean;
}

/** Misuse of the control object (unknown endpoint, impossible combination). */
export class FailureControlError extends Error {
  readonly code = 'PARLEY_EMULATOR_FAILURE_CONTROL';

  constructor(message: string) {
    super(message);
    this.name = 'FailureControlError';
  }
}

export interface FailureControlOptions<E extends string> {
  readonly provider: string;
  readonly endpoints: readonly EndpointSpec<E>[];
  /** Ids of the test users, to refuse `approve` with an unknown user when it is armed. */
  readonly userIds: readonly string[];
}

export class FailureControl<E extends string> {
  readonly provider: string;
  readonly #specs: ReadonlyMap<E, EndpointSpec<E>>;
  readonly #userIds: ReadonlySet<string>;
  readonly #armed = new Map<E, ArmedFailure<E>>();

  constructor(options: FailureControlOptions<E>) {
    this.provider = options.provider;
    this.#specs = new Map(options.endpoints.map((spec) => [spec.name, spec]));
    this.#userIds = new Set(options.userIds);
  }

  get endpoints(): readonly E[] {
    return [...this.#specs.keys()];
  }

  isEndpoint(name: string): name is E {
    return this.#specs.has(name as E);
  }

  /** Arms a failure on an endpoint, replacing any armed there before. */
  fail(endpoint: E, failure: Failure, options: ArmOptions = {}): void {
    const spec = this.#specs.get(endpoint);
    if (!spec) {
      throw new FailureControlError(
        `${this.provider} has no endpoint "${endpoint}" (known: ${this.endpoints.join(', ')})`,
      );
    }
    if (!FAILURE_KINDS.includes(failure.kind)) {
      throw new FailureControlError(`unknown failure kind "${String(failure.kind)}"`);
    }
    if (INTERACTIVE_ONLY.has(failure.kind) && !spec.interactive) {
      throw new FailureControlError(
        `"${failure.kind}" applies to the sign-in page only, not to ${this.provider} "${endpoint}"`,
      );
    }
    if (failure.kind === 'server-error' && failure.status !== undefined) {
      if (!Number.isInteger(failure.status) || failure.status < 500 || failure.status > 599) {
        throw new FailureControlError(`server-error status must be 500-599, not ${failure.status}`);
      }
    }
    if (failure.kind === 'approve' && failure.userId !== undefined && !this.#userIds.has(failure.userId)) {
      throw new FailureControlError(`${this.provider} has no test user "${failure.userId}"`);
    }
    this.#armed.set(endpoint, { endpoint, failure, sticky: options.sticky ?? false });
  }

  /** The sign-in page denies by itself, as if the person clicked Cancel. */
  deny(options: ArmOptions = {}): void {
    this.fail(this.#interactiveEndpoint(), { kind: 'deny' }, options);
  }

  /** The sign-in page approves by itself as `userId` (default: the first test user). */
  approve(userId?: string, options: ArmOptions = {}): void {
    const failure: Failure = userId === undefined ? { kind: 'approve' } : { kind: 'approve', userId };
    this.fail(this.#interactiveEndpoint(), failure, options);
  }

  /** The failure for this request, if any; one-shot failures are used up by this call. */
  take(endpoint: E): Failure | undefined {
    const armed = this.#armed.get(endpoint);
    if (!armed) return undefined;
    if (!armed.sticky) this.#armed.delete(endpoint);
    return armed.failure;
  }

  list(): ArmedFailure<E>[] {
    return [...this.#armed.values()];
  }

  /** Restores normal behaviour on every endpoint. */
  reset(): void {
    this.#armed.clear();
  }

  #interactiveEndpoint(): E {
    for (const spec of this.#specs.values()) if (spec.interactive) return spec.name;
    throw new FailureControlError(`${this.provider} has no sign-in page`);
  }
}
