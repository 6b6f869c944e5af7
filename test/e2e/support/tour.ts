import type { BrowserContext, Locator, Page, Route } from 'playwright-core';
import { blocking, describeViolations, runAxe, toViolations, type Violation } from './axe';
import { SITE_ID, type Stack } from './stack';
import { button, commentBox, commentingAs, commentWithText, screenshot, signInWithPopup, threadLoaded, TWITTER_ALICE, widget } from './widget';

/**
 * The accessibility tour: every page and widget state a commenter can meet, reached the way a
 * commenter reaches it, each screenshotted (test-results/screenshots/<state>-<variant>.png) and
 * checked with axe-core. A step that cannot be reached ends the tour and says where it stopped;
 * the states after it are reported as not reached.
 */

export type ColorScheme = 'light' | 'dark';

/** A way of showing the pages: the browser's colour scheme, and whether the blog itself is dark. */
export interface Variant {
  /** In file names and test titles: light, dark, dark-blog. */
  readonly name: string;
  readonly colorScheme: ColorScheme;
  /** Gives the demo post a dark page before the widget starts (the widget follows the page's background). */
  readonly darkBlog: boolean;
}

/** The sign-in popup's size (src/widget/popup.ts): popup pages are looked at as a reader sees them. */
const POPUP_VIEWPORT = { width: 480, height: 640 };

/** The thread every tour starts from: a comment with a reply, so the widget shows a real thread. */
export const SEED_COMMENT = 'What a lovely first post.';
const SEED_REPLY = 'Thank you, I agree!';

/** Gateway pages, in the order the tour meets them (names without the variant). */
export const GATEWAY_STATES = [
  'popup-email-form',
  'popup-picker',
  'popup-picker-cancelled',
  'popup-email-form-error',
  'popup-email-code',
  'popup-email-code-wrong',
  'popup-email-continue-too-early',
  'link-confirm',
  'popup-email-waiting-for-link',
  'link-opened',
  'popup-choose-name',
  'popup-choose-name-error',
  'account-signed-in',
  'popup-logout-confirm',
  'logout-success',
  'account-signed-out',
  'error-unknown-interaction',
  'error-link-used',
  'error-authorization',
] as const;

/** Widget states, in the order the tour meets them. */
export const WIDGET_STATES = [
  'widget-signed-out',
  'widget-log-in-first',
  'widget-sign-in-closed',
  'widget-signed-in',
  'widget-replying',
  'widget-post-failed',
  'widget-posted',
  'widget-logged-out',
  'widget-logout-done',
] as const;

export type State = (typeof GATEWAY_STATES)[number] | (typeof WIDGET_STATES)[number];

export interface Capture {
  readonly state: State;
  readonly variant: string;
  readonly url: string;
  readonly file: string;
  /** Every axe violation, of any impact. */
  readonly violations: readonly Violation[];
  /** What axe could not decide (such as contrast over an image or a gradient): to be looked at, never failing. */
  readonly needsReview: readonly Violation[];
}

/** What one tour saw: its captures, and where and why it stopped if it did not finish. */
export class TourRecord {
  readonly captures = new Map<State, Capture>();
  stoppedAt: { step: string; error: string } | undefined;
  /** The palette the widget chose for the blog page (its data-parley-theme, "light" when unset). */
  widgetTheme: string | undefined;

  constructor(readonly variant: Variant) {}

  /**
   * Screenshots `page` as `state` and runs axe on it, once its real content is showing (the
   * caller waits for that) and its styles and fonts have loaded.
   */
  async capture(page: Page, state: State): Promise<void> {
    await page.emulateMedia({ colorScheme: this.variant.colorScheme });
    await page.waitForLoadState('load');
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const file = await screenshot(page, `${state}-${this.variant.name}`);
    const results = await runAxe(page);
    this.captures.set(state, { state, variant: this.variant.name, url: page.url(), file, violations: toViolations(results.violations), needsReview: toViolations(results.incomplete) });
  }

  /**
   * Why `state` fails the tour, or undefined when it passes: not reached, or its serious and
   * critical axe violations, each with the elements to fix.
   */
  problem(state: State): string | undefined {
    const capture = this.captures.get(state);
    if (!capture) {
      return this.stoppedAt
        ? `${state} (${this.variant.name}) was not reached: the tour stopped at "${this.stoppedAt.step}": ${this.stoppedAt.error}`
        : `${state} (${this.variant.name}) is not part of this tour`;
    }
    const found = blocking(capture.violations);
    if (found.length === 0) return undefined;
    return `${found.length} serious or critical axe violation(s) on ${state} (${this.variant.name}) at ${capture.url}\nscreenshot: ${capture.file}\n${describeViolations(found)}`;
  }
}

export interface TourContext {
  readonly stack: Stack;
  readonly context: BrowserContext;
}

/** Runs `steps`, turning the first failure into the record's `stoppedAt` (the tour goes no further). */
async function walk(record: TourRecord, context: BrowserContext, steps: (step: Step) => Promise<void>): Promise<void> {
  let current = 'start';
  try {
    await steps(async (name, run) => {
      current = name;
      await run();
    });
  } catch (error) {
    record.stoppedAt = { step: current, error: error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n') : String(error) };
    // What each open page showed when the tour stopped, to see why.
    let index = 0;
    for (const open of context.pages()) {
      await screenshot(open, `TOUR-STOPPED-${record.variant.name}-${index++}`).catch(() => undefined);
    }
  }
}

/** The demo post's dark theme, for a blog that has one. */
const DARK_BLOG_CSS = 'body { background: #16181b; color: #e6e8eb; } header { border-color: #3a3f45; } .byline { color: #a3abb6; } a { color: #8ab4ff; }';

/** A tab that shows everything in the variant's colour scheme (and its dark blog, if any). */
async function newTab(ctx: TourContext, variant: Variant): Promise<Page> {
  const tab = await ctx.context.newPage();
  await tab.emulateMedia({ colorScheme: variant.colorScheme });
  if (variant.darkBlog) {
    // A blog with its own dark theme: the widget takes the page's background when it starts. The
    // sheet is adopted before the page parses (a rewritten response would lose the loopback
    // address space, and Chromium's Local Network Access would then block widget.js).
    await tab.addInitScript(
      ({ origin, css }) => {
        if (location.origin !== origin) return;
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      },
      { origin: new URL(ctx.stack.blogUrl).origin, css: DARK_BLOG_CSS },
    );
  }
  return tab;
}

/** The popup a click opens, sized and coloured as a reader's would be. */
async function popupFrom(variant: Variant, opener: Page, click: () => Promise<void>): Promise<Page> {
  const opened = opener.waitForEvent('popup');
  await click();
  const popup = await opened;
  await popup.setViewportSize(POPUP_VIEWPORT);
  await popup.emulateMedia({ colorScheme: variant.colorScheme });
  return popup;
}

/** An alert with something in it (the gateway's pages keep an empty live region ready). */
function shownAlert(page: Page | Locator): Locator {
  return page.getByRole('alert').filter({ hasText: /\S/ }).first();
}

/** The newest sign-in link mailed to an address (the dev mailbox). */
async function mailedLink(stack: Stack, to: string): Promise<string> {
  const response = await fetch(`${stack.gatewayUrl}/dev/mailbox?to=${encodeURIComponent(to)}`);
  const body = (await response.json()) as { messages: Array<{ text: string }> };
  const link = /https?:\/\/\S+\/email\/confirm\?token=\S+/.exec(body.messages[0]?.text ?? '')?.[0];
  if (!link) throw new Error(`no sign-in link mailed to ${to}: ${JSON.stringify(body)}`);
  return link;
}

/** Posts a comment and a reply to it, so every tour starts with a thread on the post. */
export async function seedThread(ctx: TourContext): Promise<void> {
  const tab = await ctx.context.newPage();
  try {
    await tab.goto(ctx.stack.blogUrl);
    await threadLoaded(tab);
    await signInWithPopup(tab, ctx.stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await commentBox(tab).fill(SEED_COMMENT);
    await button(tab, 'Post Comment').click();
    await widget(tab).getByRole('status').getByText('Your comment is posted.').waitFor();
    await commentWithText(tab, SEED_COMMENT).getByRole('button', { name: 'Reply' }).click();
    await commentBox(tab).fill(SEED_REPLY);
    await button(tab, 'Post Comment').click();
    await commentWithText(tab, SEED_REPLY).waitFor();
  } finally {
    await tab.close();
    await ctx.context.clearCookies();
  }
}

/**
 * The whole tour in one variant: the widget signed out, an email sign-in through every page of
 * the popup (picker, errors, code, link in another tab, name), the account page, the widget
 * signed in (reply, failure, posted), Log Out with its pages, and the gateway's error pages.
 */
export async function fullTour(ctx: TourContext, variant: Variant): Promise<TourRecord> {
  const record = new TourRecord(variant);
  const { stack } = ctx;
  const email = `tour-${variant.name}-${Date.now()}@example.com`;
  const open: Page[] = [];
  await walk(record, ctx.context, async (step) => {
    const blog = await newTab(ctx, variant);
    open.push(blog);
    let popup!: Page;

    await step('the widget, signed out, with a thread', async () => {
      await blog.goto(stack.blogUrl);
      await commentWithText(blog, SEED_COMMENT).waitFor();
      record.widgetTheme = (await widget(blog).getAttribute('data-parley-theme')) ?? 'light';
      await button(blog, 'Log in with Email').waitFor();
      await record.capture(blog, 'widget-signed-out');
    });

    await widgetSignedOutSteps(step, record, blog);

    await step('"Log in with Email" opens the email form', async () => {
      popup = await popupFrom(variant, blog, () => button(blog, 'Log in with Email').click());
      open.push(popup);
      await popup.getByLabel('Email address').waitFor();
      await record.capture(popup, 'popup-email-form');
    });

    await step('"Other ways to log in" shows the picker', async () => {
      await popup.getByRole('link', { name: 'Other ways to log in' }).click();
      await popup.getByRole('link', { name: /Log in with Twitter/ }).waitFor();
      await record.capture(popup, 'popup-picker');
    });

    await step('cancelling at Twitter comes back to the picker with a message', async () => {
      await popup.getByRole('link', { name: /Log in with Twitter/ }).click();
      await popup.getByRole('button', { name: 'Cancel, and return to app' }).click();
      // The reader's own choice: a polite status, not an alert.
      await popup.getByRole('status').filter({ hasText: /cancelled/ }).waitFor();
      await popup.getByRole('link', { name: /Log in with Email/ }).waitFor();
      await record.capture(popup, 'popup-picker-cancelled');
    });

    await step('an address that is not one is refused', async () => {
      await popup.getByRole('link', { name: /Log in with Email/ }).click();
      await popup.getByLabel('Email address').fill('not an address');
      await popup.getByRole('button', { name: 'Email me a code' }).click();
      await shownAlert(popup).waitFor();
      await record.capture(popup, 'popup-email-form-error');
    });

    // No name: a new commenter is asked for one after proving the address.
    const askForCode = async () => {
      await popup.getByLabel('Email address').fill(email);
      const name = popup.getByLabel('Your name, shown with your comments');
      if (await name.count()) await name.fill('');
      await popup.getByRole('button', { name: 'Email me a code' }).click();
      await popup.getByLabel('6-digit code').waitFor();
    };

    await step('a good address leads to the code page', async () => {
      await askForCode();
      await record.capture(popup, 'popup-email-code');
    });

    await step('a wrong code is refused', async () => {
      const real = await stack.mailedCode(email);
      await popup.getByLabel('6-digit code').fill(real === '000000' ? '111111' : '000000');
      await popup.getByRole('button', { name: 'Log in', exact: true }).click();
      await shownAlert(popup).waitFor();
      await record.capture(popup, 'popup-email-code-wrong');
    });

    await step('"I opened the link, continue" before opening it', async () => {
      await popup.getByRole('button', { name: 'I opened the link, continue' }).click();
      await shownAlert(popup).waitFor();
      await record.capture(popup, 'popup-email-continue-too-early');
      // Today this lands on the address form (issue #11, item 5): ask again to go on.
      if ((await popup.getByLabel('6-digit code').count()) === 0) await askForCode();
    });

    let linkTab!: Page;
    await step('the emailed link opens the confirm page in another tab', async () => {
      linkTab = await newTab(ctx, variant);
      open.push(linkTab);
      await linkTab.goto(await mailedLink(stack, email));
      await linkTab.getByRole('button', { name: 'Log in', exact: true }).waitFor();
      await record.capture(linkTab, 'link-confirm');
    });

    await step('the popup waits for the link', async () => {
      await popup.getByLabel('6-digit code').waitFor();
      await record.capture(popup, 'popup-email-waiting-for-link');
    });

    await step('confirming the link', async () => {
      await linkTab.getByRole('button', { name: 'Log in', exact: true }).click();
      await linkTab.getByRole('button', { name: 'Log in', exact: true }).waitFor({ state: 'detached' });
      await linkTab.getByRole('heading', { level: 1 }).waitFor();
      await record.capture(linkTab, 'link-opened');
    });

    await step('the popup continues by itself and asks a new commenter for a name', async () => {
      await popup.getByRole('heading', { name: /choose your name/i }).waitFor();
      await record.capture(popup, 'popup-choose-name');
    });

    await step('a blank name is refused', async () => {
      await popup.getByRole('textbox').fill('   ');
      await popup.getByRole('button', { name: 'Continue' }).click();
      await shownAlert(popup).waitFor();
      await record.capture(popup, 'popup-choose-name-error');
    });

    await step('a name finishes the sign-in', async () => {
      const closed = popup.waitForEvent('close');
      await popup.getByRole('textbox').fill(`Tessa ${variant.name}`);
      await popup.getByRole('button', { name: 'Continue' }).click();
      await closed;
      await commentingAs(blog, 'email').waitFor();
      await record.capture(blog, 'widget-signed-in');
    });

    await step('the account page, signed in', async () => {
      const account = await newTab(ctx, variant);
      open.push(account);
      await account.goto(`${stack.gatewayUrl}/account`);
      await account.getByText(`Tessa ${variant.name}`).first().waitFor();
      await record.capture(account, 'account-signed-in');
      await account.close();
    });

    await widgetSignedInSteps(step, record, blog);

    await step('Log Out asks the gateway, in a popup, to end the sign-in on this browser', async () => {
      popup = await popupFrom(variant, blog, () => button(blog, 'Log Out').click());
      open.push(popup);
      await popup.getByRole('button', { name: 'Log out', exact: true }).waitFor();
      await record.capture(popup, 'popup-logout-confirm');
      await button(blog, 'Log in with Email').waitFor();
      await widget(blog).getByRole('status').filter({ hasText: /\S/ }).first().waitFor();
      await record.capture(blog, 'widget-logged-out');
      await confirmLogout(popup, record, blog);
    });

    const gatewayPage = async (state: State, path: string, ready: (tab: Page) => Locator) => {
      const tab = await newTab(ctx, variant);
      open.push(tab);
      await tab.goto(`${stack.gatewayUrl}${path}`);
      await ready(tab).waitFor();
      await record.capture(tab, state);
      await tab.close();
    };

    // The success page closes itself in the popup (assets/logout.js) after 1.5 s: it is looked at in a tab of its own.
    await step('the logout success page', () => gatewayPage('logout-success', `/session/end/success?client_id=${SITE_ID}`, (tab) => tab.getByRole('heading', { level: 1 })));
    await step('the account page, signed out', () => gatewayPage('account-signed-out', '/account', (tab) => tab.getByText(/not logged in/i)));
    await step('an unknown sign-in window', () => gatewayPage('error-unknown-interaction', '/interaction/no-such-interaction', (tab) => tab.getByRole('heading', { level: 1 })));
    await step('a used or unknown sign-in link', () => gatewayPage('error-link-used', '/email/confirm?token=no-such-token', (tab) => tab.getByRole('heading', { level: 1 })));
    await step('an authorization request for an unknown site', () =>
      gatewayPage('error-authorization', '/auth?client_id=no-such-site&response_type=code&scope=openid', (tab) => tab.getByRole('heading', { level: 1 })),
    );
  });
  for (const page of open) if (!page.isClosed()) await page.close();
  return record;
}

/**
 * The widget alone on a variant (a dark blog): signed out, signed in with Twitter, replying,
 * a failed post, a posted comment, logged out.
 */
export async function widgetTour(ctx: TourContext, variant: Variant): Promise<TourRecord> {
  const record = new TourRecord(variant);
  const open: Page[] = [];
  await walk(record, ctx.context, async (step) => {
    const blog = await newTab(ctx, variant);
    open.push(blog);

    await step('the widget, signed out, with a thread', async () => {
      await blog.goto(ctx.stack.blogUrl);
      await commentWithText(blog, SEED_COMMENT).waitFor();
      record.widgetTheme = (await widget(blog).getAttribute('data-parley-theme')) ?? 'light';
      await button(blog, 'Log in with Twitter').waitFor();
      await record.capture(blog, 'widget-signed-out');
    });

    await widgetSignedOutSteps(step, record, blog);

    await step('signing in with Twitter', async () => {
      await signInWithPopup(blog, ctx.stack, { provider: 'twitter', choose: TWITTER_ALICE });
      await record.capture(blog, 'widget-signed-in');
    });

    await widgetSignedInSteps(step, record, blog);

    await step('Log Out', async () => {
      const popup = await popupFrom(variant, blog, () => button(blog, 'Log Out').click());
      open.push(popup);
      await button(blog, 'Log in with Twitter').waitFor();
      await widget(blog).getByRole('status').filter({ hasText: /\S/ }).first().waitFor();
      await record.capture(blog, 'widget-logged-out');
      await popup.getByRole('button', { name: 'Log out', exact: true }).waitFor();
      await confirmLogout(popup, record, blog);
    });
  });
  for (const page of open) if (!page.isClosed()) await page.close();
  return record;
}

type Step = (name: string, run: () => Promise<void>) => Promise<void>;

/** How long a message may take to follow what happened in another window before it is looked at anyway. */
const MESSAGE_CATCH_UP_MS = 5_000;

/** Signed out: Post Comment without logging in, and a sign-in window closed at once. */
async function widgetSignedOutSteps(step: Step, record: TourRecord, blog: Page): Promise<void> {
  await step('Post Comment before logging in', async () => {
    await commentBox(blog).fill('A thought before logging in');
    await button(blog, 'Post Comment').click();
    await shownAlert(widget(blog)).waitFor();
    await record.capture(blog, 'widget-log-in-first');
    await commentBox(blog).fill('');
  });

  await step('a sign-in window closed as soon as it opens', async () => {
    const popup = await popupFrom(record.variant, blog, () => button(blog, 'Log in with Twitter').click());
    await popup.waitForLoadState('domcontentloaded');
    await popup.close();
    // Issue #11, item 6: "Finish signing in in the window that opened." must not stay for good.
    await widget(blog).getByText(/window that opened/).waitFor({ state: 'hidden', timeout: MESSAGE_CATCH_UP_MS }).catch(() => undefined);
    await record.capture(blog, 'widget-sign-in-closed');
  });
}

/** "Log out" in the gateway's window, which closes itself; then what the widget says. */
async function confirmLogout(popup: Page, record: TourRecord, blog: Page): Promise<void> {
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Log out', exact: true }).click();
  await closed;
  // The widget asked to "Confirm in the window that opened": that is done now.
  await widget(blog).getByText(/window that opened/).waitFor({ state: 'hidden', timeout: MESSAGE_CATCH_UP_MS }).catch(() => undefined);
  await record.capture(blog, 'widget-logout-done');
}

/** Signed in: a reply form, a post the comment service refuses, then one it takes. */
async function widgetSignedInSteps(step: Step, record: TourRecord, blog: Page): Promise<void> {
  const reply = `A reply in ${record.variant.name} at ${Date.now()}`;

  await step('Reply opens the reply form under the comment', async () => {
    const parent = commentWithText(blog, SEED_COMMENT);
    await parent.getByRole('button', { name: 'Reply' }).click();
    await parent.getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    await commentBox(blog).fill(reply);
    await record.capture(blog, 'widget-replying');
  });

  await step('a post the comment service cannot take says so', async () => {
    const comments = '**/api/sites/*/posts/*/comments';
    let failed = false;
    const failOnce = async (route: Route) => {
      if (route.request().method() !== 'POST' || failed) return route.fallback();
      failed = true;
      return route.fulfill({
        status: 503,
        headers: { 'access-control-allow-origin': new URL(blog.url()).origin },
        contentType: 'application/json',
        body: JSON.stringify({ error: 'unavailable', message: 'Down for maintenance.' }),
      });
    };
    await blog.route(comments, failOnce);
    try {
      await button(blog, 'Post Comment').click();
      await shownAlert(widget(blog)).waitFor();
      await record.capture(blog, 'widget-post-failed');
    } finally {
      await blog.unroute(comments, failOnce);
    }
  });

  await step('a post that works', async () => {
    await button(blog, 'Post Comment').click();
    await widget(blog).getByRole('status').getByText('Your comment is posted.').waitFor();
    await commentWithText(blog, reply).waitFor();
    await record.capture(blog, 'widget-posted');
  });
}
