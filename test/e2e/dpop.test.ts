import type { Page, Request } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { commentsUrlFor, recordPosts } from './support/comment-api';
import {
  accessTokenHashOf,
  attackerKey,
  boundKeyOf,
  deletePageKey,
  exportAttempts,
  pageKeepsKey,
  proofClaimsOf,
  proofFromPage,
  proofHeaderOf,
  proofSignedWith,
  thumbprintOf,
  until,
  withoutEcdsaKeys,
} from './support/dpop';
import { button, commentWithText, postComment, screenshot, signInThroughPopup, signInWithPopup, threadLoaded, tokenInSessionStorage, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

/** One request the page sent, with the headers that carry the token and the proof. */
interface SeenRequest {
  readonly url: string;
  readonly method: string;
  readonly authorization: string | undefined;
  readonly dpop: string | undefined;
}

/** Records, from now on, the page's POSTs to the token endpoint and to the Comment API. */
function recordAuthenticatedRequests(target: Page): SeenRequest[] {
  const seen: SeenRequest[] = [];
  target.on('request', (request: Request) => {
    if (request.method() !== 'POST') return;
    const url = request.url();
    if (url !== `${stack.gatewayUrl}/token` && !url.startsWith(`${stack.commentsUrl}/api/`)) return;
    const headers = request.headers();
    seen.push({ url, method: request.method(), authorization: headers['authorization'], dpop: headers['dpop'] });
  });
  return seen;
}

const tokenRequests = (seen: SeenRequest[]) => seen.filter((request) => request.url === `${stack.gatewayUrl}/token`);
const commentPosts = (seen: SeenRequest[]) => seen.filter((request) => request.url.startsWith(`${stack.commentsUrl}/api/`));

/** POSTs a comment from Node, as someone holding the token outside the browser would. */
async function postFromOutside(headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(await commentsUrlFor(page, stack), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
  });
}

/** The token the widget keeps in `target`, and the key it is bound to. */
async function boundToken(target: Page): Promise<{ token: string; thumbprint: string }> {
  const token = (await tokenInSessionStorage(target))!;
  const thumbprint = boundKeyOf(token);
  if (thumbprint === undefined) throw new Error('the widget’s token is not bound to a key (no cnf.jkt)');
  return { token, thumbprint };
}

let readers = 0;

/**
 * Signs in by email as a reader of the test's own: the comment service allows each commenter 5
 * comments a minute, and this file posts more than that.
 */
async function signIn(): Promise<{ token: string; thumbprint: string }> {
  readers += 1;
  await signInWithPopup(page, stack, { provider: 'email', email: `dpop-${readers}-${Date.now()}@example.com`, name: `DPoP Reader ${readers}` });
  return boundToken(page);
}

/** Opens the post in a second tab and logs in there too (the gateway remembers the reader: the popup closes by itself). */
async function signInSecondTab(): Promise<{ tab: Page; token: string; thumbprint: string }> {
  const tab = await browser.context.newPage();
  await tab.goto(stack.blogUrl);
  await threadLoaded(tab);
  await signInThroughPopup(tab, button(tab, 'Log in with Email'), 'email', async () => undefined);
  return { tab, ...(await boundToken(tab)) };
}

describe('The widget’s tokens are bound to a key of its own (DPoP, RFC 9449)', () => {
  test('asks for the token with a DPoP proof and gets it bound to that key (cnf.jkt)', async () => {
    const seen = recordAuthenticatedRequests(page);
    const { thumbprint } = await signIn();

    const [tokenRequest] = tokenRequests(seen);
    expect(tokenRequests(seen)).toHaveLength(1);
    const header = proofHeaderOf(tokenRequest!.dpop!);
    expect(header.typ).toBe('dpop+jwt');
    expect(header.alg).toBe('ES256');
    // The public key only: nothing of the private key travels.
    expect(Object.keys(header.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(thumbprintOf(header.jwk)).toBe(thumbprint);
    const claims = proofClaimsOf(tokenRequest!.dpop!);
    expect(claims).toMatchObject({ htm: 'POST', htu: `${stack.gatewayUrl}/token` });
    expect(claims.ath).toBeUndefined();
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(await pageKeepsKey(page, thumbprint)).toBe(true);
  });

  test('posts a comment and a reply as Authorization: DPoP, each with a fresh proof for that request', async () => {
    const seen = recordAuthenticatedRequests(page);
    const { token, thumbprint } = await signIn();
    const commentText = `A comment with a bound token ${Date.now()}`;
    const replyText = `A reply with a bound token ${Date.now()}`;
    await postComment(page, commentText);
    await commentWithText(page, commentText).getByRole('button', { name: 'Reply' }).click();
    await postComment(page, replyText);
    await commentWithText(page, replyText).waitFor();
    await screenshot(page, 'dpop-signed-in-after-posting');

    const posts = commentPosts(seen);
    expect(posts).toHaveLength(2);
    const url = await commentsUrlFor(page, stack);
    for (const post of posts) {
      expect(post.authorization).toBe(`DPoP ${token}`);
      expect(thumbprintOf(proofHeaderOf(post.dpop!).jwk)).toBe(thumbprint);
      expect(proofClaimsOf(post.dpop!)).toMatchObject({ htm: 'POST', htu: url, ath: accessTokenHashOf(token) });
    }
    expect(new Set(posts.map((post) => proofClaimsOf(post.dpop!).jti)).size).toBe(2);
  });
});

describe('A computer whose clock is off', () => {
  test('a proof refused for its time is made again once, on the comment service’s clock, and the comment is posted', async () => {
    await signIn();
    // The reader's clock runs 2 minutes fast: more than the comment service allows a proof's iat.
    await page.evaluate(() => {
      const now = Date.now.bind(Date);
      Date.now = () => now() + 120_000;
    });
    const sent = recordPosts(page, stack);
    const seen = recordAuthenticatedRequests(page);
    const text = `Posted from a computer with a fast clock ${Date.now()}`;
    await postComment(page, text);
    expect(sent.map((post) => post.status)).toEqual([401, 201]);
    const [refused, accepted] = commentPosts(seen).map((post) => proofClaimsOf(post.dpop!));
    expect(refused!.jti).not.toBe(accepted!.jti);
    expect(refused!.iat - Date.now() / 1000).toBeGreaterThan(100);
    expect(Math.abs(accepted!.iat - Date.now() / 1000)).toBeLessThan(5);

    // The correction stays: the next comment goes through at the first try.
    await postComment(page, `${text}, again`);
    expect(sent.map((post) => post.status)).toEqual([401, 201, 201]);
  });
});

describe('A browser that cannot make the key (old browser)', () => {
  test('gets an unbound token and posts with it as Bearer, where the site does not require DPoP', async () => {
    await withoutEcdsaKeys(page);
    await page.reload();
    await threadLoaded(page);
    const seen = recordAuthenticatedRequests(page);
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    const token = (await tokenInSessionStorage(page))!;
    expect(boundKeyOf(token)).toBeUndefined();
    expect(tokenRequests(seen)[0]!.dpop).toBeUndefined();
    await postComment(page, `Posted as Bearer ${Date.now()}`);
    expect(commentPosts(seen).map((post) => [post.authorization, post.dpop])).toEqual([[`Bearer ${token}`, undefined]]);
  });
});

describe('A token stolen from the page (XSS on the blog) is of no use anywhere else', () => {
  test('as Bearer, with the thief’s own key, or with a replayed proof: 401; the key cannot be read out; the reader still posts', async () => {
    const seen = recordAuthenticatedRequests(page);
    const { thumbprint } = await signIn();
    await postComment(page, `Before the theft ${Date.now()}`);
    const captured = commentPosts(seen)[0]!;

    // The script on the blog reads the token from where the widget keeps it.
    const stolen = (await page.evaluate(() => {
      for (let i = 0; i < sessionStorage.length; i++) {
        const key = sessionStorage.key(i)!;
        if (key.startsWith('parley.token:')) return sessionStorage.getItem(key);
      }
      return null;
    }))!;
    const url = await commentsUrlFor(page, stack);

    const asBearer = await postFromOutside({ authorization: `Bearer ${stolen}` }, 'Stolen, as Bearer');
    expect(asBearer.status).toBe(401);

    const ownKeyProof = proofSignedWith(attackerKey(), { method: 'POST', url, token: stolen });
    const withOwnKey = await postFromOutside({ authorization: `DPoP ${stolen}`, dpop: ownKeyProof }, 'Stolen, with the thief’s own key');
    expect(withOwnKey.status).toBe(401);
    expect(withOwnKey.headers.get('www-authenticate')).toMatch(/^DPoP /);

    const replayed = await postFromOutside({ authorization: captured.authorization!, dpop: captured.dpop! }, 'Stolen, with a replayed proof');
    expect(replayed.status).toBe(401);

    // The key itself stays in the browser: the page can use it, never read it out.
    expect(await exportAttempts(page, thumbprint)).toEqual({ extractable: 'false', jwk: 'InvalidAccessError', pkcs8: 'InvalidAccessError' });

    const stillPosting = `After the theft ${Date.now()}`;
    await postComment(page, stillPosting);
    await commentWithText(page, stillPosting).waitFor();
  });

  test('a proof made for another request (method, URL or token) is refused', async () => {
    const { token, thumbprint } = await signIn();
    const url = await commentsUrlFor(page, stack);
    const other = await signInSecondTab();
    await other.tab.close();

    const forGet = await proofFromPage(page, thumbprint, { method: 'GET', url, token });
    expect((await postFromOutside({ authorization: `DPoP ${token}`, dpop: forGet }, 'Proof for GET')).status).toBe(401);
    const forOtherPost = await proofFromPage(page, thumbprint, { method: 'POST', url: url.replace(/[^/]+\/comments$/, 'another-post/comments'), token });
    expect((await postFromOutside({ authorization: `DPoP ${token}`, dpop: forOtherPost }, 'Proof for another post')).status).toBe(401);
    const forOtherToken = await proofFromPage(page, thumbprint, { method: 'POST', url, token: other.token });
    expect((await postFromOutside({ authorization: `DPoP ${token}`, dpop: forOtherToken }, 'Proof for another token')).status).toBe(401);
    // The other tab's token with a proof by this tab's key: that token is bound to the other tab's key.
    const wrongTab = await proofFromPage(page, thumbprint, { method: 'POST', url, token: other.token });
    expect((await postFromOutside({ authorization: `DPoP ${other.token}`, dpop: wrongTab }, 'Another tab’s key')).status).toBe(401);
    // The same proof, made right, is accepted: the refusals above are about what differs.
    const right = await proofFromPage(page, thumbprint, { method: 'POST', url, token });
    expect((await postFromOutside({ authorization: `DPoP ${token}`, dpop: right }, `Proof made right ${Date.now()}`)).status).toBe(201);
  });
});

describe('Key and token last as long as each other', () => {
  test('after a reload the reader is still logged in and posts with the same key', async () => {
    const { token, thumbprint } = await signIn();
    await page.reload();
    await threadLoaded(page);
    const seen = recordAuthenticatedRequests(page);
    const text = `Posted after a reload ${Date.now()}`;
    await postComment(page, text);
    const [post] = commentPosts(seen);
    expect(post!.authorization).toBe(`DPoP ${token}`);
    expect(thumbprintOf(proofHeaderOf(post!.dpop!).jwk)).toBe(thumbprint);
  });

  test('Log Out deletes the key with the token', async () => {
    const { thumbprint } = await signIn();
    await page.evaluate(() => {
      window.open = () => null;
    });
    await button(page, 'Log Out').click();
    await button(page, 'Log in with Email').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();
    await until(async () => !(await pageKeepsKey(page, thumbprint)), 'the key is deleted');
  });

  test('two tabs each have a key of their own; Log Out in one leaves the other’s', async () => {
    const first = await signIn();
    const second = await signInSecondTab();
    const tab = second.tab;
    try {
      expect(second.thumbprint).not.toBe(first.thumbprint);
      const sent = recordPosts(tab, stack);
      await postComment(tab, `From the second tab ${Date.now()}`);
      await postComment(page, `From the first tab ${Date.now()}`);
      expect(sent.map((post) => post.status)).toEqual([201]);

      await page.evaluate(() => {
        window.open = () => null;
      });
      await button(page, 'Log Out').click();
      await until(async () => !(await pageKeepsKey(page, first.thumbprint)), 'the first tab’s key is deleted');
      expect(await pageKeepsKey(tab, second.thumbprint)).toBe(true);
    } finally {
      await tab.close();
    }
  });

  test('a token whose key is gone (site data cleared) is not kept: after a reload the reader logs in again, with a new key', async () => {
    const { thumbprint } = await signIn();
    await deletePageKey(page, thumbprint);
    await page.reload();
    await widget(page).getByRole('alert').getByText('Your login has expired').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();

    await signInThroughPopup(page, button(page, 'Log in with Email'), 'email', async () => undefined);
    const renewed = await boundToken(page);
    expect(renewed.thumbprint).not.toBe(thumbprint);
    const seen = recordAuthenticatedRequests(page);
    await postComment(page, `Posted with the new key ${Date.now()}`);
    expect(thumbprintOf(proofHeaderOf(commentPosts(seen)[0]!.dpop!).jwk)).toBe(renewed.thumbprint);
  });
});
