import { commentsUrl, DEMO_ORIGIN, expectError, getComments, OTHER_ORIGIN, postComment, request, rowCounts, startTestbed, type CommentsTestbed } from './support';

/** CORS for a site's registered origins only (the `origins` of its entry in the sites file). */
describe('cross-origin access to the comment API', () => {
  let bed: CommentsTestbed;
  let base: string;
  let token: string;

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
    token = await bed.tokens.mint({ sub: 'cors-commenter' });
  });
  afterAll(() => bed.stop());

  const preflight = (origin: string, site = 'demo-blog', headers = 'authorization, content-type, idempotency-key') =>
    request(commentsUrl(base, site, 'cors-post'), {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
    });

  describe('a preflight', () => {
    it('from a registered origin is answered 204 with the methods and headers the widget needs', async () => {
      const response = await preflight(DEMO_ORIGIN);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, DPoP, Content-Type, Idempotency-Key');
      expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/Origin/);
    });

    it('from each of a site\'s registered origins names that origin, never *', async () => {
      const response = await preflight('http://127.0.0.1:4200');
      expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4200');
    });

    it.each([
      ['an unregistered origin', 'https://evil.example'],
      ['another site\'s origin', OTHER_ORIGIN],
      ['a registered origin with another scheme', 'https://localhost:4200'],
      ['a registered origin with another port', 'http://localhost:4299'],
      ['the opaque origin null', 'null'],
    ])('from %s is refused with 403 origin_not_allowed and no CORS headers', async (_case, origin) => {
      const response = await preflight(origin);
      expectError(response, 403, 'origin_not_allowed');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-methods')).toBeNull();
    });

    it('for an unknown site is answered 404 unknown_site', async () => {
      expectError(await preflight(DEMO_ORIGIN, 'no-such-blog'), 404, 'unknown_site');
    });

    it('for the other site, from that site\'s origin, is allowed', async () => {
      const response = await preflight(OTHER_ORIGIN, 'other-blog');
      expect(response.headers.get('access-control-allow-origin')).toBe(OTHER_ORIGIN);
    });
  });

  describe('a GET', () => {
    it('from a registered origin carries Access-Control-Allow-Origin for it', async () => {
      const response = await getComments(base, 'demo-blog', 'cors-post', { origin: DEMO_ORIGIN });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
      expect(response.headers.get('vary')).toMatch(/Origin/);
    });

    it('from any other origin is answered without CORS headers, so a browser keeps it from the page', async () => {
      const response = await getComments(base, 'demo-blog', 'cors-post', { origin: 'https://evil.example' });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/Origin/);
    });

    it('without an Origin (a server, a crawler) is answered without CORS headers', async () => {
      const response = await getComments(base, 'demo-blog', 'cors-post');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('a POST', () => {
    it('from a registered origin is accepted, with the response readable by the page', async () => {
      const response = await postComment(base, 'demo-blog', 'cors-post', token, { body: 'From the blog' }, { origin: DEMO_ORIGIN });
      expect(response.status).toBe(201);
      expect(response.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    });

    it('refused for its token still lets the page read the 401 and its WWW-Authenticate', async () => {
      const response = await postComment(base, 'demo-blog', 'cors-post', undefined, { body: 'No token' }, { origin: DEMO_ORIGIN });
      expectError(response, 401, 'invalid_token');
      expect(response.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
      expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After, WWW-Authenticate, Idempotent-Replayed, Date');
    });

    it('from an unregistered origin is refused with 403 origin_not_allowed and writes nothing', async () => {
      const before = (await rowCounts(bed.service.dataDir)).comments;
      const response = await postComment(base, 'demo-blog', 'cors-post', token, { body: 'From elsewhere' }, { origin: 'https://evil.example' });
      expectError(response, 403, 'origin_not_allowed');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect((await rowCounts(bed.service.dataDir)).comments).toBe(before);
    });

    it('from another registered site\'s origin is refused too', async () => {
      expectError(await postComment(base, 'demo-blog', 'cors-post', token, { body: 'Wrong origin' }, { origin: OTHER_ORIGIN }), 403, 'origin_not_allowed');
    });

    it('without an Origin (a blog backend calling server to server) is accepted', async () => {
      expect((await postComment(base, 'demo-blog', 'cors-post', token, { body: 'From a server' })).status).toBe(201);
    });
  });
});
