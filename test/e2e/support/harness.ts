import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './chromium';
import { startStack, type Stack, type StackOptions } from './stack';
import { widget } from './widget';

export interface Harness {
  readonly stack: Stack;
  readonly browser: Browser;
  readonly page: Page;
}

/**
 * The hooks every browser test file shares: one stack (gateway, comment service, emulators, demo
 * page) and one Chromium per file; a fresh tab per test, as a stranger to the gateway (cookies
 * cleared; sessionStorage is per tab). `openBlog` also loads the demo post and waits for the
 * widget; `stack` changes the stack for that file. `use` receives the current stack, browser and
 * tab before each test.
 */
export function useBrowserStack(options: { openBlog: boolean; stack?: StackOptions }, use: (harness: Harness) => void): void {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    stack = await startStack(options.stack);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    await browser!.context.clearCookies();
    page = await browser!.context.newPage();
    if (options.openBlog) {
      await page.goto(stack!.blogUrl);
      await widget(page).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    }
    use({ stack: stack!, browser: browser!, page });
  });

  afterEach(async () => {
    await page?.close();
  });
}
