/**
 * A setting that stops the process at start-up. The message always names the setting first, so
 * that an operator reading one line of output knows what to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_CONFIG';

  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`${setting}: ${problem}`);
  }
}
