import fs from 'node:fs';
import path from 'node:path';
import { makeDataDir } from '../helpers/data-dir';
import { startCommentService } from './support';

describe('GET /widget.js', () => {
  it('serves the built widget as a cross-origin script with an ETag, and answers 304 to a revalidation', async () => {
    const dir = makeDataDir();
    const widgetFile = path.join(dir, 'widget.js');
    fs.writeFileSync(widgetFile, 'console.log("parley widget");');
    const service = await startCommentService('http://127.0.0.1:9', { serviceOptions: { widgetFile } });
    try {
      const first = await fetch(`${service.url}/widget.js`);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(first.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await first.text()).toBe('console.log("parley widget");');
      const etag = first.headers.get('etag')!;
      fs.writeFileSync(`${widgetFile}.map`, '{"version":3}');
      const map = await fetch(`${service.url}/widget.js.map`);
      expect(map.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await map.json()).toEqual({ version: 3 });
      const again = await fetch(`${service.url}/widget.js`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);

      fs.writeFileSync(widgetFile, 'console.log("rebuilt");');
      fs.utimesSync(widgetFile, new Date(), new Date(Date.now() + 5_000));
      const rebuilt = await fetch(`${service.url}/widget.js`, { headers: { 'if-none-match': etag } });
      expect(rebuilt.status).toBe(200);
      expect(await rebuilt.text()).toBe('console.log("rebuilt");');
    } finally {
      await service.stop();
    }
  });

  it('answers 503 with a way forward when the widget has not been built', async () => {
    const service = await startCommentService('http://127.0.0.1:9', { serviceOptions: { widgetFile: path.join(makeDataDir(), 'missing.js') } });
    try {
      const answer = await fetch(`${service.url}/widget.js`);
      expect(answer.status).toBe(503);
      expect(((await answer.json()) as { message: string }).message).toContain('npm run build');
    } finally {
      await service.stop();
    }
  });
});
