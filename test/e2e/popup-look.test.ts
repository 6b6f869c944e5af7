import type { Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { button, commentingAs, screenshot, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

type Scheme = 'light' | 'dark';

/** WCAG 2.2 AA: 4.5:1 for text, 3:1 for the parts of controls that identify them. */
const TEXT_CONTRAST = 4.5;
const UI_CONTRAST = 3;

interface Measured {
  readonly what: string;
  readonly ratio: number;
  readonly minimum: number;
}

/**
 * Contrast ratios computed in the page from getComputedStyle: each colour is composited over the
 * first opaque background behind its element, as the reader sees it.
 */
function measureContrast(target: Page): Promise<Measured[]> {
  return target.evaluate(
    ({ text, ui }) => {
      type Rgba = [number, number, number, number];
      const parse = (value: string): Rgba => {
        const parts = value.match(/[\d.]+/g)!.map(Number);
        return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
      };
      const over = (top: Rgba, bottom: Rgba): Rgba => {
        const a = top[3];
        return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
      };
      const backgroundOf = (element: Element | null): Rgba => {
        const layers: Rgba[] = [];
        for (let node = element; node; node = node.parentElement) {
          const colour = parse(getComputedStyle(node).backgroundColor);
          if (colour[3] > 0) layers.push(colour);
          if (colour[3] === 1) break;
        }
        // Under everything: the canvas of the page's colour scheme.
        let result: Rgba = matchMedia('(prefers-color-scheme: dark)').matches ? [18, 18, 18, 1] : [255, 255, 255, 1];
        for (const layer of layers.reverse()) result = over(layer, result);
        return result;
      };
      const luminance = ([r, g, b]: Rgba) => {
        const channel = (value: number) => {
          const c = value / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      };
      const ratio = (a: Rgba, b: Rgba) => {
        const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return Math.round(((light! + 0.05) / (dark! + 0.05)) * 100) / 100;
      };
      const visible = (element: Element) => (element as HTMLElement).offsetParent !== null || getComputedStyle(element).position === 'fixed';
      const measured: Array<{ what: string; ratio: number; minimum: number }> = [];
      const label = (element: Element) => `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).trim().replace(/\s+/g, '.')}` : ''} "${(element.textContent ?? '').trim().slice(0, 30)}"`;

      for (const element of Array.from(document.querySelectorAll('main p, main li, main label, main strong, header, footer, h1, h2, a, button, .error, .muted, .notice'))) {
        if (!visible(element) || (element.textContent ?? '').trim() === '') continue;
        const style = getComputedStyle(element);
        const background = backgroundOf(element);
        measured.push({ what: `text of ${label(element)}`, ratio: ratio(over(parse(style.color), background), background), minimum: text });
      }
      for (const control of Array.from(document.querySelectorAll('button:not(.link), .button, input:not([type=hidden]), .provider'))) {
        if (!visible(control)) continue;
        const style = getComputedStyle(control);
        const behind = backgroundOf(control.parentElement);
        const fill = parse(style.backgroundColor);
        // A control is identified by its fill when it has one that stands out, else by its border.
        const edge = fill[3] > 0 && ratio(over(fill, behind), behind) >= ui ? over(fill, behind) : over(parse(style.borderTopColor), behind);
        measured.push({ what: `edge of ${label(control)}`, ratio: ratio(edge, behind), minimum: ui });
      }
      return measured;
    },
    { text: TEXT_CONTRAST, ui: UI_CONTRAST },
  );
}

/** What every gateway page must have, whatever it says. */
async function pageProblems(target: Page, name: string, scheme: Scheme): Promise<string[]> {
  const problems: string[] = [];
  const where = `${name} (${scheme})`;
  await screenshot(target, `gateway-${name}-${scheme}`);

  for (const measured of await measureContrast(target)) {
    if (measured.ratio < measured.minimum) problems.push(`${where}: ${measured.what} has contrast ${measured.ratio}:1, below ${measured.minimum}:1`);
  }
  const levels = await target.locator('h1, h2, h3, h4, h5, h6').evaluateAll((headings) => headings.map((heading) => Number(heading.tagName[1])));
  if (levels.filter((level) => level === 1).length !== 1 || levels[0] !== 1) problems.push(`${where}: headings ${levels.join(',')} do not start with one h1`);
  levels.forEach((level, i) => {
    if (i > 0 && level > levels[i - 1]! + 1) problems.push(`${where}: heading level ${level} follows ${levels[i - 1]}`);
  });

  const icon = (await target.locator('link[rel=icon]').count()) === 1 ? await target.locator('link[rel=icon]').getAttribute('href') : null;
  if (!icon) problems.push(`${where}: no favicon link`);
  else {
    const served = await fetch(new URL(icon, target.url()));
    if (!served.ok || !served.headers.get('content-type')?.startsWith('image/svg+xml')) problems.push(`${where}: favicon ${icon} is not an SVG served by the gateway`);
  }

  const banner = (await target.getByRole('banner').count()) === 1 ? await target.getByRole('banner').innerText() : '';
  if (!banner.includes('Parley')) problems.push(`${where}: the page does not name Parley in its banner`);
  if ((await target.getByRole('link', { name: 'Privacy' }).count()) !== 1) problems.push(`${where}: no privacy link`);

  const accent = await target.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim());
  const linkColours = await target.locator('main a:not(.button):not(.provider), footer a').evaluateAll((links) => links.map((link) => getComputedStyle(link).color));
  const accentRgb = await target.evaluate((colour) => {
    const probe = document.createElement('span');
    probe.style.color = colour;
    document.body.appendChild(probe);
    const rgb = getComputedStyle(probe).color;
    probe.remove();
    return rgb;
  }, accent);
  for (const colour of linkColours) if (colour !== accentRgb) problems.push(`${where}: a link is ${colour}, not the accent ${accentRgb}`);

  const words = await target.locator('body').innerText();
  const mixed = words.match(/\bsign(?:ed|ing|s)?[\s-]?(?:in|out)\b/gi);
  if (mixed) problems.push(`${where}: says ${mixed.map((word) => `"${word}"`).join(', ')} where the rest says "log in"`);

  for (const error of await target.locator('.error').allInnerTexts()) {
    if ((error.match(/[.!?](?=\s|$)/g) ?? []).length !== 1) problems.push(`${where}: the error "${error}" is not one sentence`);
  }
  return problems;
}

/** The field's error: aria-invalid, and its aria-describedby names an element saying `text`. */
async function fieldError(target: Page, field: string): Promise<string | null> {
  return target.locator(`#${field}`).evaluate((input) => {
    if (input.getAttribute('aria-invalid') !== 'true') return null;
    const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? '').join(' | ');
  });
}

async function openPopup(scheme: Scheme, opener: string): Promise<Page> {
  const opened = page.waitForEvent('popup');
  await button(page, opener).click();
  const popup = await opened;
  await popup.emulateMedia({ colorScheme: scheme });
  return popup;
}

describe.each<Scheme>(['light', 'dark'])('every popup page, in %s mode (issue #11, polish)', (scheme) => {
  test('is branded, readable (WCAG AA), uses one vocabulary and ties each error to its field', async () => {
    await page.emulateMedia({ colorScheme: scheme });
    const problems: string[] = [];
    const address = `look-${scheme}@example.org`;

    const popup = await openPopup(scheme, 'Log in with Email');
    await popup.getByRole('heading', { name: 'Log in with email' }).waitFor();
    expect(await popup.getByRole('banner').innerText()).toContain('Demo Blog');
    problems.push(...(await pageProblems(popup, 'email-form', scheme)));

    // An address that is no address marks the address field, and only it.
    await popup.getByLabel('Email address').fill('not-an-address');
    await popup.getByRole('button', { name: 'Email me a code' }).click();
    await popup.locator('#email[aria-invalid=true]').waitFor();
    expect(await fieldError(popup, 'email')).toMatch(/email address/);
    expect(await fieldError(popup, 'name')).toBeNull();
    problems.push(...(await pageProblems(popup, 'email-form-bad-address', scheme)));

    // A name that is no name marks the name field, and only it.
    await popup.getByLabel('Email address').fill(address);
    await popup.getByLabel('Your name, shown with your comments').fill('\u200b\u200b');
    await popup.getByRole('button', { name: 'Email me a code' }).click();
    await popup.locator('#name[aria-invalid=true]').waitFor();
    expect(await fieldError(popup, 'name')).toMatch(/name/);
    expect(await fieldError(popup, 'email')).toBeNull();
    problems.push(...(await pageProblems(popup, 'email-form-bad-name', scheme)));

    // The picker, with the widget's marks and button style.
    await popup.getByRole('link', { name: 'Other ways to log in' }).click();
    await popup.getByRole('heading', { name: 'Log in to comment on Demo Blog' }).waitFor();
    problems.push(...(await pageProblems(popup, 'picker', scheme)));
    for (const provider of ['email', 'twitter', 'facebook']) {
      const look = (element: Element) => {
        const mark = element.querySelector(`.mark-${element.getAttribute('data-provider') ?? ''}`) ?? element.querySelector('.mark');
        const style = getComputedStyle(element);
        return { radius: style.borderRadius, weight: style.fontWeight, display: style.display, mark: mark ? getComputedStyle(mark).backgroundColor : null, markText: mark?.textContent ?? null };
      };
      const inWidget = await widget(page).locator(`button.provider:has(.mark-${provider})`).evaluate(look);
      const inPopup = await popup.locator(`.provider:has(.mark-${provider})`).evaluate(look);
      expect(inPopup).toEqual(inWidget);
    }
    await popup.getByRole('link', { name: /^Log in with Email/ }).click();

    await popup.getByLabel('Email address').fill(address);
    await popup.getByRole('button', { name: 'Email me a code' }).click();
    await popup.getByRole('heading', { name: 'Check your email' }).waitFor();
    problems.push(...(await pageProblems(popup, 'code', scheme)));

    // A wrong code marks the code field.
    const code = await stack.mailedCode(address);
    await popup.getByRole('textbox', { name: '6-digit code' }).fill(code === '000000' ? '111111' : '000000');
    await popup.getByRole('button', { name: 'Log in', exact: true }).click();
    await popup.locator('#code[aria-invalid=true]').waitFor();
    expect(await fieldError(popup, 'code')).toMatch(/That code is not right/);
    problems.push(...(await pageProblems(popup, 'code-wrong', scheme)));

    await popup.getByRole('button', { name: 'Send a new code' }).click();
    await popup.getByText('We sent a new code to l•••••@example.org').waitFor();
    expect(await popup.locator('#code').getAttribute('aria-invalid')).toBeNull();
    problems.push(...(await pageProblems(popup, 'code-new-code', scheme)));

    // The link, opened in a tab of this browser, then the name in the popup.
    const [message] = ((await (await fetch(`${stack.gatewayUrl}/dev/mailbox?to=${encodeURIComponent(address)}`)).json()) as { messages: Array<{ text: string }> }).messages;
    const link = /^(http\S+\/email\/confirm\?token=\S+)$/m.exec(message!.text)![1]!;
    const tab = await browser.context.newPage();
    await tab.emulateMedia({ colorScheme: scheme });
    await tab.goto(link);
    problems.push(...(await pageProblems(tab, 'link-confirm', scheme)));
    await tab.getByRole('button', { name: 'Log in', exact: true }).click();
    await tab.getByText(/Go back to the window where you started/).waitFor();
    problems.push(...(await pageProblems(tab, 'link-confirmed', scheme)));
    await tab.close();

    await popup.getByRole('heading', { name: 'Choose your name' }).waitFor();
    problems.push(...(await pageProblems(popup, 'name', scheme)));
    await popup.getByLabel('Your name').fill('\u200b');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await popup.locator('#name[aria-invalid=true]').waitFor();
    expect(await fieldError(popup, 'name')).toMatch(/name/);
    problems.push(...(await pageProblems(popup, 'name-error', scheme)));
    const closed = popup.waitForEvent('close');
    await popup.getByLabel('Your name').fill(`Lou ${scheme}`);
    await popup.getByRole('button', { name: 'Continue' }).click();
    await closed;
    await commentingAs(page, 'email').waitFor();

    // The account page, the privacy page and a page of a log-in this browser no longer holds.
    const other = await browser.context.newPage();
    await other.emulateMedia({ colorScheme: scheme });
    await other.goto(`${stack.gatewayUrl}/account`);
    await other.getByRole('heading', { name: 'Your comment account' }).waitFor();
    problems.push(...(await pageProblems(other, 'account', scheme)));
    await other.goto(`${stack.gatewayUrl}/privacy`);
    problems.push(...(await pageProblems(other, 'privacy', scheme)));
    await other.goto(`${stack.gatewayUrl}/interaction/gone-for-good`);
    problems.push(...(await pageProblems(other, 'expired', scheme)));
    await other.goto(`${stack.gatewayUrl}/account`);
    await other.getByRole('button', { name: 'Log out of this browser' }).click();
    await other.getByText('You are not logged in on this browser.').waitFor();
    problems.push(...(await pageProblems(other, 'account-logged-out', scheme)));
    await other.close();

    expect(problems).toEqual([]);
  });
});
