import fs from 'node:fs';
import path from 'node:path';
import { COMMENT_ERRORS, CommentApiError } from '../../src/comments';

/** The README's error table and the catalogue in src/comments/errors.ts must say the same. */
function documentedErrors(): Map<string, number> {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Comment service'), readme.indexOf('\n## ', readme.indexOf('## Comment service') + 1));
  const documented = new Map<string, number>();
  for (const line of section.split('\n')) {
    const row = /^\| (\d{3}) \| ([^|]+) \|/.exec(line);
    if (row === null) continue;
    for (const [, code] of row[2]!.matchAll(/`([a-z_]+)`/g)) documented.set(code!, Number(row[1]));
  }
  return documented;
}

/** Sent by the verifier's middleware (packages/verify), not by the comment service's catalogue. */
const VERIFIER_ERRORS = { invalid_token: 401, insufficient_scope: 403 };

describe('the comment API error catalogue', () => {
  it('is documented in the README, each code with its status, and nothing more', () => {
    const catalogue = Object.fromEntries(Object.entries(COMMENT_ERRORS).map(([code, entry]) => [code, entry.status]));
    expect(Object.fromEntries(documentedErrors())).toEqual({ ...catalogue, ...VERIFIER_ERRORS });
  });

  it('gives each code a 4xx or 503 status and a message', () => {
    for (const [code, entry] of Object.entries(COMMENT_ERRORS)) {
      expect({ code, ok: (entry.status >= 400 && entry.status < 500) || entry.status === 503 }).toEqual({ code, ok: true });
      expect(entry.message).toMatch(/\S/);
    }
  });

  it('makes errors that carry the code, its status and the catalogue message unless told otherwise', () => {
    const error = new CommentApiError('rate_limited', 'wait 7 seconds', 7);
    expect([error.code, error.status, error.message, error.retryAfterSeconds]).toEqual(['rate_limited', 429, 'wait 7 seconds', 7]);
    expect(new CommentApiError('banned').message).toBe(COMMENT_ERRORS.banned.message);
  });
});
