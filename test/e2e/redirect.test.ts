import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { answerSignIn, button, commentBox, commentingAs, commentWithText, postComment, signInWithPopup, TWITTER_ALICE, widget, threadLoaded } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: false }, (harness) => ({ stack, browser, page } = harness));

async function openBlog(url = stack.blogUrl): Promise<void> {
  await page.goto(url);
  await threadLoaded(page);
}

/** The main-frame URLs a page goes through. */
function trailOf(target: Page): string[] {
  const trail: string[] = [];
  target.on('framenavigated', (frame) => {
    if (frame === target.mainFrame()) trail.push(frame.url());
  });
  return trail;
}

function stateFor(returnTo: string): string {
  return `r.${Buffer.from(JSON.stringify({ returnTo, nonce: 'n0nce' })).toString('base64url')}`;
}

describe('with popups blocked', () => {
  test('sign-in goes by full-page redirect and comes back with the draft and its reply target', async () => {
    await openBlog();
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await postComment(page, 'Reply to me after a redirect');
    await page.close();
    await browser.context.clearCookies();

    page = await browser.context.newPage();
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await openBlog();
    await commentWithText(page, 'Reply to me after a redirect').getByRole('button', { name: 'Reply' }).click();
    await commentBox(page).fill('A draft that must survive the trip');
    await button(page, 'Log in with Twitter').click();
    // The whole tab goes to the provider's page…
    await answerSignIn(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    // …and comes back signed in, with the draft where it was.
    await commentingAs(page, 'twitter').waitFor();
    expect(page.url()).toBe(stack.blogUrl);
    expect(await commentBox(page).inputValue()).toBe('A draft that must survive the trip');
    const parent = commentWithText(page, 'Reply to me after a redirect');
    expect(await parent.getByText('Replying to Alice Example').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('parley.pending'))).toBeNull();
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    const nested = widget(page).locator('li.comment:has(> article .body:text-is("Reply to me after a redirect")) > ol.replies .body');
    expect(await nested.allInnerTexts()).toEqual(['A draft that must survive the trip']);
  });

  test('an answer in the address bar that this tab did not ask for is dropped, and the address cleaned', async () => {
    await page.goto(`${stack.blogUrl}#parley_state=${stateFor(stack.blogUrl)}&parley_code=forged&parley_iss=${encodeURIComponent(stack.gatewayUrl)}`);
    await threadLoaded(page);
    expect(page.url()).toBe(stack.blogUrl);
    expect(await button(page, 'Log in with Twitter').isVisible()).toBe(true);
  });
});

describe('the relay page without an opener', () => {
  test('goes back to a registered page, with the answer in the fragment, never the query', async () => {
    const trail = trailOf(page);
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const returnTo = `${stack.blogUrl}?p=42`;
    await page.goto(`${stack.gatewayUrl}/relay/demo-blog?code=c0de&state=${stateFor(returnTo)}&iss=${encodeURIComponent(stack.gatewayUrl)}`);
    await page.waitForURL(returnTo);
    expect(trail.some((url) => url.startsWith(`${returnTo}#`) && url.includes('parley_code=c0de'))).toBe(true);
    expect(requested.filter((url) => url.startsWith(stack.blogUrl) && url.includes('c0de'))).toEqual([]);
  });

  test('refuses to go anywhere that is not one of the site’s origins', async () => {
    for (const returnTo of ['https://evil.example/steal', 'javascript:alert(1)//http://localhost/', `${stack.blogUrl.replace('localhost', 'localhost.evil.example')}`]) {
      await page.goto(`${stack.gatewayUrl}/relay/demo-blog?code=c0de&state=${stateFor(returnTo)}&iss=x`);
      await page.getByText('The comment window was closed').waitFor();
      expect(page.url()).toBe(`${stack.gatewayUrl}/relay/demo-blog`);
    }
  });
});

/** Signs in with Twitter in a popup and returns the URLs the popup's main frame went through. */
async function popupSignInTrail(target: Page): Promise<string[]> {
  const popupOpened = target.waitForEvent('popup');
  await button(target, 'Log in with Twitter').click();
  const popup = await popupOpened;
  const trail = trailOf(popup);
  const closed = popup.waitForEvent('close');
  await answerSignIn(popup, stack, { provider: 'twitter', choose: TWITTER_ALICE });
  await closed;
  await commentingAs(target, 'twitter').waitFor();
  return trail;
}

describe('a popup cut off from the blog on the way', () => {
  afterEach(() => {
    stack.twitterProxy.policy = undefined;
  });

  test('by a provider page with Cross-Origin-Opener-Policy: hands the answer to the waiting tab and closes', async () => {
    stack.twitterProxy.policy = 'same-origin';
    await openBlog();
    const trail = await popupSignInTrail(page);
    // The relay had no opener, so it went to the blog page in the popup, which handed over.
    expect(trail.some((url) => url.startsWith(`${stack.blogUrl}#parley_state=p.`))).toBe(true);
  });

  test('when nothing cuts it off, the relay posts the answer straight to the opener', async () => {
    // A browser that enforces no Cross-Origin-Opener-Policy stands in for pages that send none.
    const plain = await launchChromium({ extraArgs: ['--disable-features=CrossOriginOpenerPolicy'] });
    try {
      const tab = await plain.context.newPage();
      await tab.goto(stack.blogUrl);
      await threadLoaded(tab);
      const trail = await popupSignInTrail(tab);
      expect(trail.filter((url) => url.startsWith(stack.blogUrl))).toEqual([]);
      expect(trail.some((url) => url.startsWith(`${stack.gatewayUrl}/relay/demo-blog`))).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
