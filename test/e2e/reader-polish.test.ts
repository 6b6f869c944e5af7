import type { Locator, Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { button, FACEBOOK_DANA, screenshot, signInWithPopup, threadLoaded, TWITTER_BOB, widget } from './support/widget';

/**
 * Issue #11, the last polish: what a reader saw on the screenshots. Error pages in plain words,
 * an account page with a way back and destructive actions that look it, one vocabulary in the
 * widget and the demo post, one shape of provider mark, avatars that belong on a dark blog, and
 * a cancelled log-in told as news, not as an error.
 */

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: false }, (harness) => ({ stack, browser, page } = harness));

type Scheme = 'light' | 'dark';

/** WCAG: text 4.5:1; graphics (a provider mark's letter) 3:1. */
const TEXT_CONTRAST = 4.5;
const GRAPHIC_CONTRAST = 3;

/** Words of the other vocabulary: "Log in" / "Log Out" everywhere (issue #11). */
const SIGN_IN_WORDS = /\bsign(?:ed|ing|s)?[\s-]?(?:in|out)\b/gi;

function luminance(color: string): number {
  const [r, g, b] = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/
    .exec(color)!
    .slice(1, 4)
    .map((value) => {
      const c = Number(value) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio of two computed, opaque CSS colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

async function newTab(scheme: Scheme = 'light'): Promise<Page> {
  const tab = await browser.context.newPage();
  await tab.emulateMedia({ colorScheme: scheme });
  return tab;
}

async function openBlog(target: Page, scheme: Scheme): Promise<void> {
  await target.emulateMedia({ colorScheme: scheme });
  await target.goto(stack.blogUrl);
  await threadLoaded(target);
}

/** The popup "Log in with Email" opens, moved on to the picker ("Other ways to log in"). */
async function openPicker(target: Page, scheme: Scheme): Promise<Page> {
  const opened = target.waitForEvent('popup');
  await button(target, 'Log in with Email').click();
  const popup = await opened;
  await popup.emulateMedia({ colorScheme: scheme });
  await popup.getByRole('link', { name: 'Other ways to log in' }).click();
  await popup.getByRole('link', { name: /^Log in with Twitter/ }).waitFor();
  return popup;
}

// ---------------------------------------------------------------------------------------------
// 1. Error pages

/** What an error page tells the reader, the small print apart. */
interface ErrorPageText {
  readonly heading: string;
  readonly said: string;
  readonly finePrint: string;
  /** The small print's font size over the page's (1 when there is none). */
  readonly finePrintScale: number;
}

async function errorPageText(target: Page): Promise<ErrorPageText> {
  await target.getByRole('heading', { level: 1 }).waitFor();
  return target.evaluate(() => {
    const main = document.querySelector('main')!;
    const copy = main.cloneNode(true) as HTMLElement;
    for (const small of Array.from(copy.querySelectorAll('.fine-print'))) small.remove();
    const finePrint = main.querySelector('.fine-print');
    const size = (element: Element) => parseFloat(getComputedStyle(element).fontSize);
    const paragraph = main.querySelector('p');
    return {
      heading: main.querySelector('h1')?.textContent?.trim() ?? '',
      said: copy.innerText || copy.textContent || '',
      finePrint: finePrint?.textContent?.trim() ?? '',
      finePrintScale: finePrint && paragraph ? size(finePrint) / size(paragraph) : 1,
    };
  });
}

/** Developer text a reader must not meet outside the small print. */
const DEVELOPER_TEXT = /\b[a-z]+_[a-z_]+\b|client is invalid|redirect_uri|oops|parameter|xsrf|session not found|request is invalid|\(invalid/i;
/** A sentence that says what to do. */
const WHAT_TO_DO = /\b(Close this window|Go back|Try again|press a Log in button|press Log Out)\b/;

/** The problems of an error page: developer words, no sentence of what happened or what to do, a code that is not small. */
function errorPageProblems(text: ErrorPageText, happened: RegExp, code: string): string[] {
  const problems: string[] = [];
  const developer = DEVELOPER_TEXT.exec(text.said);
  if (developer) problems.push(`shows developer text "${developer[0]}" in: ${text.said}`);
  if (!happened.test(text.said)) problems.push(`does not say what happened (${happened}): ${text.said}`);
  if (!WHAT_TO_DO.test(text.said)) problems.push(`does not say what to do: ${text.said}`);
  if (!text.finePrint.includes(code)) problems.push(`does not keep the code ${code} as small print (it shows "${text.finePrint}")`);
  if (text.finePrintScale >= 1) problems.push(`the code is not smaller than the text (${text.finePrintScale.toFixed(2)}×)`);
  return problems;
}

interface ErrorCase {
  readonly name: string;
  readonly code: string;
  readonly happened: RegExp;
  /** Leads the tab to the error page. */
  readonly reach: (tab: Page) => Promise<unknown>;
}

const relay = (query: string) => (tab: Page) => tab.goto(`${stack.gatewayUrl}/relay/demo-blog?${query}`);

/** Error pages our own routes draw. */
const OUR_ERROR_PAGES: ErrorCase[] = [
  { name: 'the relay page of an unknown site', code: 'invalid_client', happened: /not set up to let readers log in here/, reach: (tab) => tab.goto(`${stack.gatewayUrl}/relay/no-such-site?code=x`) },
  { name: 'a cancelled log-in that has no window to return to', code: 'access_denied', happened: /cancelled/i, reach: relay('error=access_denied&error_description=The+commenter+cancelled+the+sign-in.') },
  { name: 'login_required with no window to return to', code: 'login_required', happened: /not logged in/, reach: relay('error=login_required&error_description=End-User+authentication+is+required') },
  { name: 'unsupported_response_type', code: 'unsupported_response_type', happened: /not set up/, reach: relay('error=unsupported_response_type&error_description=unsupported+response_type+requested') },
  { name: 'invalid_request_uri', code: 'invalid_request_uri', happened: /does not accept/, reach: relay('error=invalid_request_uri') },
  { name: 'server_error', code: 'server_error', happened: /had a problem/, reach: relay('error=server_error&error_description=oops!+something+went+wrong') },
  {
    name: 'a form too large for the gateway',
    code: 'invalid_request',
    happened: /longer than this form takes/,
    reach: async (tab) => {
      await tab.goto(`${stack.gatewayUrl}/privacy`);
      await tab.evaluate(() => {
        const form = Object.assign(document.createElement('form'), { method: 'post', action: '/account/email' });
        form.appendChild(Object.assign(document.createElement('input'), { type: 'hidden', name: 'email', value: 'x'.repeat(40_000) }));
        document.body.appendChild(form);
        form.submit();
      });
      await tab.waitForURL(/\/account\/email$/);
    },
  },
];

/** Error pages oidc-provider draws through its `renderError` (src/gateway/oidc.ts → views/error-pages.ts). */
const PROVIDER_ERROR_PAGES: ErrorCase[] = [
  { name: 'an authorization request for an unknown site', code: 'invalid_client', happened: /not set up to let readers log in here/, reach: (tab) => tab.goto(`${stack.gatewayUrl}/auth?client_id=no-such-site&response_type=code&scope=openid`) },
  {
    name: 'a redirect URI the site never registered',
    code: 'invalid_redirect_uri',
    happened: /has not registered/,
    reach: (tab) => tab.goto(`${stack.gatewayUrl}/auth?client_id=demo-blog&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/steal')}`),
  },
  { name: 'an authorization request without a site', code: 'invalid_request', happened: /does not accept/, reach: (tab) => tab.goto(`${stack.gatewayUrl}/auth?response_type=code&scope=openid`) },
  { name: 'a log-in resumed without its session', code: 'invalid_request', happened: /It is over/, reach: (tab) => tab.goto(`${stack.gatewayUrl}/auth/no-such-interaction`) },
  {
    name: 'a log-out window that is out of date',
    code: 'invalid_request',
    happened: /out of date|is over/,
    reach: async (tab) => {
      // Logged in (without an account oidc-provider logs out at once, with no page to go stale).
      await tab.goto(stack.blogUrl);
      await threadLoaded(tab);
      await signInWithPopup(tab, stack, { provider: 'twitter', choose: TWITTER_BOB });
      await tab.goto(`${stack.gatewayUrl}/session/end?client_id=demo-blog`);
      await tab.getByRole('button', { name: 'Log out', exact: true }).waitFor();
      await browser.context.clearCookies();
      await tab.getByRole('button', { name: 'Log out', exact: true }).click();
      await tab.waitForURL(/\/session\/end\/confirm$/);
    },
  },
];

describe('every error page a reader can meet says what happened and what to do, the code as small print (item 1)', () => {
  test.each(OUR_ERROR_PAGES.map((error) => [error.name, error] as const))('%s', async (_name, error) => {
    const tab = await newTab();
    try {
      await error.reach(tab);
      const text = await errorPageText(tab);
      await screenshot(tab, `reader-error-${error.code}`);
      expect(errorPageProblems(text, error.happened, error.code)).toEqual([]);
    } finally {
      await tab.close();
    }
  });

  test.each(PROVIDER_ERROR_PAGES.map((error) => [error.name, error] as const))('%s (drawn by oidc-provider through renderError)', async (_name, error) => {
    const tab = await newTab();
    try {
      await error.reach(tab);
      const text = await errorPageText(tab);
      await screenshot(tab, `reader-error-provider-${error.code}`);
      expect(errorPageProblems(text, error.happened, error.code)).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The account page

/** For each button described by a text: the text, and whether it sits nearer its button than any other control. */
function explanations(target: Page): Promise<Array<{ button: string; help: string; nearest: boolean }>> {
  return target.evaluate(() => {
    const controls = Array.from(document.querySelectorAll('main button, main .button, main input:not([type=hidden])')).filter((element) => (element as HTMLElement).offsetParent !== null);
    const gap = (a: DOMRect, b: DOMRect) => Math.max(0, Math.max(a.top, b.top) - Math.min(a.bottom, b.bottom));
    return controls
      .filter((control) => control.hasAttribute('aria-describedby'))
      .map((control) => {
        const help = document.getElementById(control.getAttribute('aria-describedby')!.split(/\s+/)[0]!)!;
        const box = help.getBoundingClientRect();
        const own = gap(box, control.getBoundingClientRect());
        const nearest = controls.every((other) => other === control || gap(box, other.getBoundingClientRect()) > own);
        return { button: (control.textContent ?? '').trim(), help: (help.textContent ?? '').trim(), nearest };
      });
  });
}

/** Text colour, edge colour and the card's background of a control. */
function look(control: Locator) {
  return control.evaluate((element) => {
    const style = getComputedStyle(element);
    const card = getComputedStyle(element.closest('main')!);
    const danger = getComputedStyle(document.documentElement).getPropertyValue('--danger').trim();
    const probe = document.createElement('span');
    probe.style.color = danger;
    document.body.appendChild(probe);
    const dangerRgb = getComputedStyle(probe).color;
    probe.remove();
    return { color: style.color, border: style.borderTopColor, background: card.backgroundColor, danger: dangerRgb };
  });
}

describe('the account page (item 2)', () => {
  test.each<Scheme>(['light', 'dark'])(
    'in %s mode: destructive actions look destructive and readable, each explanation sits with its action, h2s are not larger than the h1',
    async (scheme) => {
      // Logged in with Twitter from the blog, then Facebook added: two ways, each removable.
      await openBlog(page, scheme);
      await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
      const account = await newTab(scheme);
      try {
        await account.goto(`${stack.gatewayUrl}/account`);
        await account.getByRole('heading', { name: 'Your comment account' }).waitFor();
        if ((await account.getByRole('link', { name: 'Add Facebook' }).count()) > 0) {
          await account.getByRole('link', { name: 'Add Facebook' }).click();
          await account.getByRole('button', { name: FACEBOOK_DANA }).click();
          await account.getByText('Your Facebook account now logs you in to this account.').waitFor();
        }
        await screenshot(account, `reader-account-${scheme}`);

        const problems: string[] = [];
        const destructive = [account.getByRole('button', { name: 'Log out everywhere' }), account.getByRole('button', { name: /^Remove Twitter/ }), account.getByRole('button', { name: /^Remove Facebook/ })];
        for (const control of destructive) {
          const name = (await control.textContent())?.trim();
          const seen = await look(control);
          if (seen.color !== seen.danger || seen.border !== seen.danger) problems.push(`"${name}" is not drawn in the danger colour ${seen.danger}: text ${seen.color}, edge ${seen.border}`);
          if (contrast(seen.color, seen.background) < TEXT_CONTRAST) problems.push(`"${name}" reads at ${contrast(seen.color, seen.background).toFixed(2)}:1`);
        }
        const harmless = await look(account.getByRole('button', { name: 'Log out of this browser' }));
        if (harmless.color === harmless.danger) problems.push('"Log out of this browser" looks destructive, but can be undone by logging in');

        const explained = await explanations(account);
        for (const wanted of ['Log out of this browser', 'Log out everywhere']) {
          const found = explained.find((entry) => entry.button === wanted);
          if (!found) problems.push(`"${wanted}" has no explanation tied to it (aria-describedby)`);
          else if (!found.nearest) problems.push(`the explanation of "${wanted}" ("${found.help}") sits nearer another control than its own`);
        }

        const sizes = await account.locator('h1, h2').evaluateAll((headings) => headings.map((heading) => ({ level: heading.tagName, size: parseFloat(getComputedStyle(heading).fontSize) })));
        const h1 = sizes.find((heading) => heading.level === 'H1')!.size;
        for (const heading of sizes.filter((entry) => entry.level === 'H2')) if (heading.size > h1) problems.push(`an h2 (${heading.size}px) is larger than the h1 (${h1}px)`);

        const words = (await account.locator('body').innerText()).match(SIGN_IN_WORDS);
        if (words) problems.push(`says ${words.join(', ')} where the rest says "log in"`);
        expect(problems).toEqual([]);
      } finally {
        await account.close();
      }
    },
  );

  test('offers no way back to anywhere the page cannot vouch for', async () => {
    for (const returnTo of [undefined, 'https://evil.example/post', 'javascript:alert(1)', '/relative']) {
      await page.goto(`${stack.gatewayUrl}/account${returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`}`);
      await page.getByRole('heading', { name: 'Your comment account' }).waitFor();
      expect(await page.getByRole('link', { name: /^Back to/ }).count()).toBe(0);
    }
  });

  test('opened from the blog (return_to on a registered origin), leads back to it, also after logging out', async () => {
    await openBlog(page, 'light');
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
    const post = `${stack.blogUrl}?p=hello`;
    const account = await newTab();
    try {
      await account.goto(`${stack.gatewayUrl}/account?return_to=${encodeURIComponent(post)}`);
      const back = account.getByRole('link', { name: 'Back to Demo Blog' });
      expect(await back.getAttribute('href', { timeout: 5_000 })).toBe(post);
      // The page's own round trips (a notice, a log-out) come back without return_to.
      await account.goto(`${stack.gatewayUrl}/account`);
      expect(await back.getAttribute('href', { timeout: 5_000 })).toBe(post);
      await account.getByRole('button', { name: 'Log out of this browser' }).click();
      await account.getByText('You are not logged in on this browser.').waitFor();
      expect(await back.getAttribute('href', { timeout: 5_000 })).toBe(post);
      await back.click();
      await threadLoaded(account);
    } finally {
      await account.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 3–6. The widget and the picker

/** Every .mark of a page or the widget: its corner radius and the contrast of its letter. */
function marks(scope: Locator) {
  return scope.locator('.mark').evaluateAll((elements) =>
    elements.map((element) => {
      const style = getComputedStyle(element);
      return { provider: element.className.replace(/.*mark-(\w+).*/, '$1'), radius: style.borderRadius, color: style.color, background: style.backgroundColor };
    }),
  );
}

describe('the widget and the picker (items 3 to 6)', () => {
  test('the demo post and the widget say “log in”, never “sign in”, logged out and logged in', async () => {
    await openBlog(page, 'light');
    const text = () => page.evaluate(() => `${document.body.innerText}\n${document.querySelector('[data-parley-site]')!.shadowRoot!.textContent ?? ''}`);
    expect((await text()).match(SIGN_IN_WORDS)).toBeNull();
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
    expect((await text()).match(SIGN_IN_WORDS)).toBeNull();
  });

  test.each<Scheme>(['light', 'dark'])('in %s mode, the provider marks share one shape in the widget and the picker, each letter at 3:1 or more', async (scheme) => {
    await openBlog(page, scheme);
    const popup = await openPicker(page, scheme);
    const all = [...(await marks(widget(page))).map((mark) => ({ ...mark, where: 'widget' })), ...(await marks(popup.locator('main'))).map((mark) => ({ ...mark, where: 'picker' }))];
    expect(all.map((mark) => `${mark.where} ${mark.provider}`).sort()).toEqual(['picker email', 'picker facebook', 'picker twitter', 'widget email', 'widget facebook', 'widget twitter']);
    expect(new Set(all.map((mark) => mark.radius)).size).toBe(1);
    const faint = all.filter((mark) => contrast(mark.color, mark.background) < GRAPHIC_CONTRAST).map((mark) => `${mark.where} ${mark.provider}: ${contrast(mark.color, mark.background).toFixed(2)}:1`);
    expect(faint).toEqual([]);
    await popup.close();
  });

  test('on a dark blog, avatars take a dark fill and their initial reads at AA (4.5:1); on a light one too', async () => {
    for (const scheme of ['dark', 'light'] as const) {
      await openBlog(page, scheme);
      expect(await widget(page).getAttribute('data-parley-theme')).toBe(scheme === 'dark' ? 'dark' : null);
      if ((await widget(page).locator('.avatar').count()) === 0) {
        await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
      }
      await screenshot(page, `reader-avatars-${scheme}`);
      const avatars = await widget(page)
        .locator('.avatar:not(.loaded)')
        .evaluateAll((elements) => elements.map((element) => ({ color: getComputedStyle(element).color, background: getComputedStyle(element).backgroundColor })));
      expect(avatars.length).toBeGreaterThan(0);
      for (const avatar of avatars) {
        expect(contrast(avatar.color, avatar.background)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
        // A dark fill under a light initial on the dark palette, the reverse on the light one.
        if (scheme === 'dark') expect(luminance(avatar.background)).toBeLessThan(luminance(avatar.color));
        else expect(luminance(avatar.background)).toBeGreaterThan(luminance(avatar.color));
      }
    }
  });

  test('cancelling at Twitter brings the picker back with a polite, neutral status, not an error', async () => {
    await openBlog(page, 'light');
    const popup = await openPicker(page, 'light');
    await popup.getByRole('link', { name: /^Log in with Twitter/ }).click();
    await popup.getByRole('button', { name: 'Cancel, and return to app' }).click();
    const said = popup.getByText('You cancelled logging in with Twitter');
    await said.waitFor();
    await screenshot(popup, 'reader-picker-cancelled');
    expect(await said.getAttribute('role')).toBe('status');
    expect(await popup.getByRole('alert').filter({ hasText: /\S/ }).count()).toBe(0);
    const seen = await look(said);
    expect(seen.color).not.toBe(seen.danger);
    expect(seen.border).not.toBe(seen.danger);
    await popup.close();
  });
});
