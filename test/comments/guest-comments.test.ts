import http from 'node:http';
import { PassThrough } from 'node:stream';
import { runComments } from '../../src/commands/comments';
import { openCommentsDatabase } from '../../src/comments/database';
import { createCommentService } from '../../src/comments/service';
import { listen } from '../../src/http/listen';
import { commentsUrl, expectError, getComments, postComment, type ApiJson, type ApiResponse } from './support';
import { moderatedComments, moderationCall, startModerationTestbed, type ModeratedTestSite, type ModerationTestbed } from './moderation-support';

/**
 * Guest comments (issue 15, item 4; src/comments/guest-comments.ts): posted without a token on a
 * `guests: true` site, always held, approved by a moderator, then shown with the name and a
 * website; the email address never comes out again. Each test posts from its own loopback
 * address (127.0.0.x), since guests' rate limits belong to the client address.
 */

const GUEST_SITES: Array<ModeratedTestSite & { guests?: boolean }> = [
  { id: 'guest-blog', name: 'Guest Blog', origins: ['http://localhost:4210'], moderators: ['mod@example.com'], guests: true },
  { id: 'closed-blog', name: 'Closed Blog', origins: ['http://localhost:4211'], moderators: ['mod@example.com'] },
];

const EMAIL = 'Grace.Guest@Example.COM';

/** A POST from a chosen loopback address (fetch cannot choose one), with a JSON body. */
function postFrom(localAddress: string, url: string, payload: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: ApiJson = {};
        try {
          json = JSON.parse(text) as ApiJson;
        } catch {
          // Not JSON: leave every field undefined.
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
        resolve({ status: incoming.statusCode ?? 0, headers: responseHeaders, text, json });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('guest comments', () => {
  let bed: ModerationTestbed;
  let moderator: string;

  beforeAll(async () => {
    bed = await startModerationTestbed(GUEST_SITES);
    moderator = await bed.tokens.mint({ sub: 'guest-mod', name: 'Molly Moderator', client_id: 'guest-blog', roles: ['moderator'] });
  });
  afterAll(() => bed.stop());

  const url = (post: string, site = 'guest-blog') => commentsUrl(bed.url, site, post);
  const guest = (extra: Record<string, unknown> = {}) => ({ name: 'Grace Guest', email: EMAIL, website: 'https://grace.example/blog', ...extra });

  async function exported(): Promise<string> {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await runComments(bed.settings, ['export', 'guest-blog'], { output, report: () => undefined, print: () => undefined });
    return Buffer.concat(chunks).toString('utf8');
  }

  it('holds a guest comment, shows it once a moderator approves it, and never gives the email back', async () => {
    const posted = await postFrom('127.0.0.2', url('guest-post'), { body: 'Hello from a guest', guest: guest() });
    expect(posted.status).toBe(201);
    const comment = posted.json.comment!;
    expect(comment).toMatchObject({ body: 'Hello from a guest', state: 'pending', author: { name: 'Grace Guest', idp: 'guest', picture: null, website: 'https://grace.example/blog' } });

    // Held: not in the public thread, whatever the site's moderation mode (here "post").
    expect((await getComments(bed.url, 'guest-blog', 'guest-post')).json.comments).toEqual([]);

    const pending = moderatedComments(await moderationCall(bed.url, 'guest-blog', '/comments?state=pending', moderator));
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ id: comment.id, state: 'pending', author: { name: 'Grace Guest', idp: 'guest', website: 'https://grace.example/blog' } });
    expect(pending[0]!.author.sub).toMatch(/^guest:[A-Za-z0-9_-]{16}$/);

    const approved = await moderationCall(bed.url, 'guest-blog', `/comments/${comment.id}/approve`, moderator, 'POST');
    expect(approved.status).toBe(200);
    const thread = await getComments(bed.url, 'guest-blog', 'guest-post');
    expect(thread.json.comments).toEqual([Object.fromEntries(Object.entries(comment).filter(([field]) => field !== 'state'))]);

    // The address, in any spelling, is nowhere: not the thread, the moderation API, nor the export.
    const everything = [posted.text, thread.text, (await moderationCall(bed.url, 'guest-blog', '/comments', moderator)).text, await exported()].join('\n').toLowerCase();
    expect(everything).toContain('grace guest');
    expect(everything).not.toContain('grace.guest');
    expect(everything).not.toContain('example.com');
  });

  it('keeps the address only as a digest in the database', async () => {
    await postFrom('127.0.0.3', url('guest-digest'), { body: 'Digest me', guest: guest() });
    const db = await openCommentsDatabase(bed.settings);
    try {
      const rows = await db.selectFrom('comments').selectAll().where('post_id', '=', 'guest-digest').execute();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows).toLowerCase()).not.toContain('grace.guest');
      expect(rows[0]!.author_email_hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await db.destroy();
    }
  });

  it('refuses guests on a site without guests: true, as any POST without a token (401)', async () => {
    const refused = await postFrom('127.0.0.4', url('closed-post', 'closed-blog'), { body: 'Let me in', guest: guest() });
    expectError(refused, 401, 'invalid_token');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers a token-less POST without guest details 401 on a guest site too', async () => {
    expectError(await postFrom('127.0.0.4', url('guest-no-details'), { body: 'Who am I?' }), 401, 'invalid_token');
  });

  it('keeps the signed-in contract: a token with guest details is refused, not turned into a guest', async () => {
    const token = await bed.tokens.mint({ sub: 'signed-in', name: 'Sid', client_id: 'guest-blog' });
    expectError(await postComment(bed.url, 'guest-blog', 'guest-signed', token, { body: 'Both', guest: guest() }), 400, 'unknown_field');
    const plain = await postComment(bed.url, 'guest-blog', 'guest-signed', token, { body: 'Signed in' });
    expect(plain.status).toBe(201);
    expect(plain.json.comment).not.toHaveProperty('state');
  });

  it.each([
    ['a javascript: website', { website: 'javascript:alert(1)' }, 'invalid_guest_website'],
    ['a JavaScript: website in capitals with spaces', { website: ' JAVASCRIPT:alert(1)' }, 'invalid_guest_website'],
    ['a data: website', { website: 'data:text/html,<script>alert(1)</script>' }, 'invalid_guest_website'],
    ['a website with a newline', { website: 'https://evil.example/\nSet-Cookie: x=1' }, 'invalid_guest_website'],
    ['a website with credentials', { website: 'https://user:pass@evil.example/' }, 'invalid_guest_website'],
    ['a relative website', { website: '//evil.example/' }, 'invalid_guest_website'],
    ['a 10 KB website', { website: `https://evil.example/${'a'.repeat(10_000)}` }, 'invalid_guest_website'],
    ['a website that is not a string', { website: ['https://evil.example/'] }, 'invalid_guest_website'],
    ['a name with CR/LF', { name: 'Grace\r\nX-Injected: yes' }, 'invalid_guest_name'],
    ['a name with a bidi override', { name: 'Grace \u202Eevil' }, 'invalid_guest_name'],
    ['a 10 KB name', { name: 'G'.repeat(10_000) }, 'invalid_guest_name'],
    ['an 81-character name', { name: 'G'.repeat(81) }, 'invalid_guest_name'],
    ['an empty name', { name: '   ' }, 'invalid_guest_name'],
    ['a missing name', { name: undefined }, 'invalid_guest_name'],
    ['an email with CR/LF', { email: 'grace@example.com\r\nBcc: all@example.com' }, 'invalid_guest_email'],
    ['a 10 KB email', { email: `${'g'.repeat(10_000)}@example.com` }, 'invalid_guest_email'],
    ['two emails', { email: 'a@example.com, b@example.com' }, 'invalid_guest_email'],
    ['no email', { email: undefined }, 'invalid_guest_email'],
  ])('refuses %s (422) and writes nothing', async (_label, change, code) => {
    const refused = await postFrom('127.0.0.5', url('guest-hostile'), { body: 'Hostile', guest: guest(change) });
    expectError(refused, 422, code);
    expect(refused.text).not.toContain('alert(1)');
    expect(moderatedComments(await moderationCall(bed.url, 'guest-blog', '/comments?post=guest-hostile', moderator))).toEqual([]);
  });

  it('checks the body as posting does, and refuses unknown guest fields', async () => {
    expectError(await postFrom('127.0.0.5', url('guest-hostile'), { body: 'x'.repeat(10_001), guest: guest() }), 422, 'comment_too_long');
    expectError(await postFrom('127.0.0.5', url('guest-hostile'), { body: '  ', guest: guest() }), 422, 'comment_empty');
    expectError(await postFrom('127.0.0.5', url('guest-hostile'), { body: 'Hi', guest: guest({ picture: 'https://evil.example/x.png' }) }), 400, 'unknown_field');
    expectError(await postFrom('127.0.0.5', url('guest-hostile'), { body: 'Hi', guest: 'Grace' }), 400, 'invalid_field_type');
    expectError(await postFrom('127.0.0.5', url('guest-hostile'), JSON.parse('{"body":"Hi","guest":{},"__proto__":{}}')), 400, 'forbidden_field');
  });

  it('accepts a guest without a website and stores a website as a normalised http(s) URL', async () => {
    const without = await postFrom('127.0.0.6', url('guest-website'), { body: 'No site', guest: guest({ website: '' }) });
    expect(without.status).toBe(201);
    expect(without.json.comment!.author).not.toHaveProperty('website');
    const withSite = await postFrom('127.0.0.6', url('guest-website'), { body: 'Site', guest: guest({ website: 'HTTP://Grace.Example' }) });
    expect(withSite.json.comment!.author).toMatchObject({ website: 'http://grace.example/' });
  });

  it('limits guests by client address, and a forged X-Forwarded-For does not buy a fresh budget', async () => {
    for (let index = 0; index < 5; index += 1) {
      expect((await postFrom('127.0.0.7', url('guest-flood'), { body: `Flood ${index}`, guest: guest({ name: `Guest ${index}` }) })).status).toBe(201);
    }
    const limited = await postFrom('127.0.0.7', url('guest-flood'), { body: 'Flood 5', guest: guest() });
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expectError(await postFrom('127.0.0.7', url('guest-flood'), { body: 'Flood 6', guest: guest() }, { 'x-forwarded-for': '203.0.113.9' }), 429, 'rate_limited');
    // Another address has its own budget.
    expect((await postFrom('127.0.0.8', url('guest-flood'), { body: 'Flood 7', guest: guest() })).status).toBe(201);
  });

  it('behind a proxy named by PARLEY_TRUST_PROXY, limits each address the proxy saw, not the proxy as a whole', async () => {
    const settings = { ...bed.settings, gateway: { ...bed.settings.gateway, trustProxy: 'loopback' } };
    const behindProxy = await createCommentService(settings, { log: () => undefined });
    const server = await listen(behindProxy.app, 0);
    try {
      const proxied = (post: string) => `http://127.0.0.1:${server.port}/api/sites/guest-blog/posts/${post}/comments`;
      const from = (client: string, index: number) => postFrom('127.0.0.11', proxied('guest-proxied'), { body: `Via proxy ${client} ${index}`, guest: guest() }, { 'x-forwarded-for': client });
      for (let index = 0; index < 5; index += 1) expect((await from('198.51.100.1', index)).status).toBe(201);
      expectError(await from('198.51.100.1', 5), 429, 'rate_limited');
      // Another reader behind the same proxy has a budget of their own.
      expect((await from('198.51.100.2', 0)).status).toBe(201);
    } finally {
      await server.close();
      await behindProxy.close();
    }
  });

  it('replays a retry with the same Idempotency-Key, and refuses the key for other details', async () => {
    const payload = { body: 'Only once', guest: guest() };
    const first = await postFrom('127.0.0.9', url('guest-retry'), payload, { 'idempotency-key': 'guest-key-1' });
    const again = await postFrom('127.0.0.9', url('guest-retry'), payload, { 'idempotency-key': 'guest-key-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.comment).toEqual(first.json.comment);
    expectError(await postFrom('127.0.0.9', url('guest-retry'), { ...payload, guest: guest({ name: 'Someone Else' }) }, { 'idempotency-key': 'guest-key-1' }), 422, 'idempotency_key_reused');
    expect(moderatedComments(await moderationCall(bed.url, 'guest-blog', '/comments?post=guest-retry', moderator))).toHaveLength(1);
  });

  it('gives a guest comment an author no token holds: a commenter with the same name and address cannot edit or delete it', async () => {
    const posted = (await postFrom('127.0.0.10', url('guest-owned'), { body: 'Mine', guest: guest() })).json.comment!;
    await moderationCall(bed.url, 'guest-blog', `/comments/${posted.id}/approve`, moderator, 'POST');
    // What a guest who later signs in by email would hold: a token with their own pairwise sub.
    const signedIn = await bed.tokens.mint({ sub: 'grace-signed-in', name: 'Grace Guest', client_id: 'guest-blog', idp: 'email' });
    const edit = await fetch(`${url('guest-owned')}/${posted.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${signedIn}`, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'Taken over' }) });
    expect(edit.status).toBe(403);
    const removal = await fetch(`${url('guest-owned')}/${posted.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${signedIn}` } });
    expect(removal.status).toBe(403);
    expect((await getComments(bed.url, 'guest-blog', 'guest-owned')).json.comments!.map((comment) => comment.body)).toEqual(['Mine']);
  });

  it('erases a guest\'s comments when they ask, found by the address they give (parley comments erase-guest), and nobody else\'s', async () => {
    const mine = (await postFrom('127.0.0.11', url('guest-erase'), { body: 'Take me back', guest: guest({ email: 'Erase.Me@Example.com' }) })).json.comment!;
    const other = (await postFrom('127.0.0.11', url('guest-erase'), { body: 'Keep me', guest: guest({ name: 'Someone Else', email: 'someone@example.com' }) })).json.comment!;
    for (const id of [mine.id, other.id]) await moderationCall(bed.url, 'guest-blog', `/comments/${id}/approve`, moderator, 'POST');
    const printed: string[] = [];
    // The address as the guest writes it in their request: any case, spaces around.
    await runComments(bed.settings, ['erase-guest', 'guest-blog', ' erase.me@EXAMPLE.com '], { print: (line) => printed.push(line) });
    expect(printed).toEqual(['anonymised 1 guest comment on guest-blog (their text kept, as the site\'s erasure setting says)']);
    const thread = (await getComments(bed.url, 'guest-blog', 'guest-erase')).json.comments!;
    expect(thread.map((comment) => [comment.body, comment.author?.name, comment.author?.website ?? null])).toEqual([
      ['Take me back', 'a former commenter', null],
      ['Keep me', 'Someone Else', 'https://grace.example/blog'],
    ]);
    // Nothing left to find them by; a second request finds nothing.
    await runComments(bed.settings, ['erase-guest', 'guest-blog', 'erase.me@example.com'], { print: (line) => printed.push(line) });
    expect(printed.at(-1)).toBe('no guest comments on guest-blog were posted with that address');
    await expect(runComments(bed.settings, ['erase-guest', 'guest-blog', 'not an address'], { print: () => undefined })).rejects.toThrow(/is not an email address/);
    await expect(runComments(bed.settings, ['erase-guest', 'no-such-blog', EMAIL], { print: () => undefined })).rejects.toThrow(/unknown site/);
  });
});
