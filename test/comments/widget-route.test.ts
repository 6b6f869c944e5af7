import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
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

/** One request with exactly these headers, its body as the bytes on the wire (fetch would decode them). */
function rawGet(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: { connection: 'close', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('GET /widget.js, compressed', () => {
  // About the size of the real widget, and as repetitive as minified code is.
  const script = Buffer.from(Array.from({ length: 900 }, (_, i) => `export function parleyPart${i}(node){return node.querySelector(".parley-${i % 40}");}`).join('\n'));
  let widgetFile: string;
  let service: Awaited<ReturnType<typeof startCommentService>>;
  let url: string;

  beforeAll(async () => {
    widgetFile = path.join(makeDataDir(), 'widget.js');
    fs.writeFileSync(widgetFile, script);
    service = await startCommentService('http://127.0.0.1:9', { serviceOptions: { widgetFile } });
    url = `${service.url}/widget.js`;
  });
  afterAll(() => service.stop());

  function expectCacheableScript(headers: http.IncomingHttpHeaders): void {
    expect(headers['vary']).toMatch(/(^|,\s*)Accept-Encoding(\s*,|$)/i);
    expect(headers['cache-control']).toBe('public, max-age=300');
    expect(headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(headers['access-control-allow-origin']).toBe('*');
    expect(headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(headers['x-content-type-options']).toBe('nosniff');
  }

  it('sends brotli to a browser that accepts it, decoding to the exact script and much smaller', async () => {
    const answer = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expectCacheableScript(answer.headers);
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(answer.body.length).toBeLessThan(script.length / 4);
    expect(zlib.brotliDecompressSync(answer.body).equals(script)).toBe(true);
  });

  it('sends gzip when brotli is not accepted, or refused with q=0', async () => {
    for (const acceptEncoding of ['gzip, deflate', 'br;q=0, gzip', 'GZIP;q=0.5, br;q=0.000', 'x-gzip']) {
      const answer = await rawGet(url, { 'accept-encoding': acceptEncoding });
      expect([acceptEncoding, answer.status, answer.headers['content-encoding']]).toEqual([acceptEncoding, 200, 'gzip']);
      expectCacheableScript(answer.headers);
      expect(zlib.gunzipSync(answer.body).equals(script)).toBe(true);
    }
  });

  it('sends the script as it is when no compression is accepted', async () => {
    const cases: Record<string, string>[] = [{}, { 'accept-encoding': '' }, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'deflate, br;q=0, gzip;q=0' }, { 'accept-encoding': '*;q=0, identity' }];
    for (const headers of cases) {
      const answer = await rawGet(url, headers);
      expect([headers, answer.status, answer.headers['content-encoding']]).toEqual([headers, 200, undefined]);
      expectCacheableScript(answer.headers);
      expect(answer.body.equals(script)).toBe(true);
    }
  });

  it('takes "*" as every coding not named, brotli first', async () => {
    expect((await rawGet(url, { 'accept-encoding': '*' })).headers['content-encoding']).toBe('br');
    expect((await rawGet(url, { 'accept-encoding': 'br;q=0, *' })).headers['content-encoding']).toBe('gzip');
  });

  it('tags each encoding with its own ETag and answers 304 only to the tag of the encoding it would send', async () => {
    const br = await rawGet(url, { 'accept-encoding': 'br, gzip' });
    const gzip = await rawGet(url, { 'accept-encoding': 'gzip' });
    const identity = await rawGet(url, {});
    const tags = [br.headers['etag'], gzip.headers['etag'], identity.headers['etag']];
    for (const tag of tags) expect(tag).toMatch(/^"[^"]+"$/);
    expect(new Set(tags).size).toBe(3);

    const revalidated = await rawGet(url, { 'accept-encoding': 'br, gzip', 'if-none-match': br.headers['etag']! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.headers['etag']).toBe(br.headers['etag']);
    expectCacheableScript(revalidated.headers);
    expect((await rawGet(url, { 'accept-encoding': 'gzip', 'if-none-match': gzip.headers['etag']! })).status).toBe(304);
    expect((await rawGet(url, { 'if-none-match': identity.headers['etag']! })).status).toBe(304);

    // A cache holding the brotli copy asks a gzip-only client's question: the answer is the gzip copy.
    const other = await rawGet(url, { 'accept-encoding': 'gzip', 'if-none-match': br.headers['etag']! });
    expect([other.status, other.headers['content-encoding'], other.headers['etag']]).toEqual([200, 'gzip', gzip.headers['etag']]);
  });

  it('answers HEAD with the headers of the GET and no body', async () => {
    const get = await rawGet(url, { 'accept-encoding': 'br' });
    const head = await rawGet(url, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers['etag']).toBe(get.headers['etag']);
    expectCacheableScript(head.headers);
  });

  it('compresses a rebuilt widget afresh', async () => {
    const first = await rawGet(url, { 'accept-encoding': 'br' });
    const rebuilt = Buffer.concat([script, Buffer.from('\nconsole.log("rebuilt");')]);
    fs.writeFileSync(widgetFile, rebuilt);
    fs.utimesSync(widgetFile, new Date(), new Date(Date.now() + 10_000));
    const answer = await rawGet(url, { 'accept-encoding': 'br', 'if-none-match': first.headers['etag']! });
    expect(answer.status).toBe(200);
    expect(zlib.brotliDecompressSync(answer.body).equals(rebuilt)).toBe(true);
    const gzip = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(zlib.gunzipSync(gzip.body).equals(rebuilt)).toBe(true);
  });

  it('compresses its source map the same way', async () => {
    const map = Buffer.from(JSON.stringify({ version: 3, sources: ['a.ts'], mappings: 'AAAA;'.repeat(4000) }));
    fs.writeFileSync(`${widgetFile}.map`, map);
    const answer = await rawGet(`${url}.map`, { 'accept-encoding': 'gzip, br' });
    expect([answer.status, answer.headers['content-encoding'], answer.headers['content-type']]).toEqual([200, 'br', 'application/json; charset=utf-8']);
    expect(zlib.brotliDecompressSync(answer.body).equals(map)).toBe(true);
  });
});
