/**
 * What the verifier does in the background, reported for metrics through the `onEvent` option:
 * one call per JWKS fetch and per revocation feed poll, never per token.
 */
export interface VerifierEvent {
  readonly type: 'jwks_fetch' | 'revocation_poll';
  readonly outcome: 'ok' | 'failed';
}

export type VerifierEventListener = (event: VerifierEvent) => void;

/** Tells the listener, if any; a listener that throws must not fail a fetch or a poll. */
export function reportEvent(listener: VerifierEventListener | undefined, event: VerifierEvent): void {
  if (listener === undefined) return;
  try {
    listener(event);
  } catch {
    // Metrics are not worth a refused token.
  }
}
