/**
 * oidc-provider 9 warns once per process that Node 20 is not its preferred runtime (DESIGN.md:
 * it works there; the Docker image uses Node 22). Every test file is a new module registry, so
 * the warning would repeat in each; drop exactly that line and nothing else.
 */
const originalWarn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) return;
  originalWarn(...args);
};
