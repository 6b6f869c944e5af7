import { prettyLogLine } from '../../src/observability/pretty-log-line';

describe('prettyLogLine', () => {
  it('writes a request entry as time, level, service, method, route, status and duration, then the request id', () => {
    const entry = { level: 'info', time: '2026-12-01T12:04:05.120Z', service: 'gateway', reqId: 'abc', msg: 'request', method: 'POST', route: '/token', status: 200, durationMs: 12.3 };
    expect(prettyLogLine(`${JSON.stringify(entry)}\n`)).toBe('12:04:05.120 INFO  gateway POST /token 200 12.3ms [abc]\n');
  });

  it('writes another entry as its message and its other fields as key=value, quoting what needs it', () => {
    const entry = { level: 'warn', time: '2026-12-01T12:04:05.120Z', service: 'comments', msg: 'not ready', code: 'ERR_X', reason: 'database is locked' };
    expect(prettyLogLine(JSON.stringify(entry))).toBe('12:04:05.120 WARN  comments not ready code=ERR_X reason="database is locked"\n');
  });

  it('puts an error\'s stack on the lines below', () => {
    const entry = { level: 'error', time: '2026-12-01T12:04:05.120Z', service: 'gateway', msg: 'sweep failed', err: { type: 'Error', message: 'gone', stack: 'Error: gone\n    at x' } };
    expect(prettyLogLine(JSON.stringify(entry))).toBe('12:04:05.120 ERROR gateway sweep failed\n  Error: gone\n    at x\n');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(prettyLogLine('not json')).toBe('not json\n');
  });
});
