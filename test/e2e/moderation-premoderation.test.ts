import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './support/chromium';
import { button, commentBox, commentWithText, screenshot, signInWithPopup, widget } from './support/widget';
import type { Stack } from './support/stack';
import { MODERATOR, signInToModerate, startModerationStack, type ModerationStack } from './moderation-stack';

/**
 * Pre-moderation in Chromium: on held-blog (`moderation: "pre"`) a new comment is held until a
 * moderator approves it on the moderation page; only then does a reader see it on the blog.
 */
describe('pre-moderation on the moderation page', () => {
  let stack: ModerationStack;
  let moderatorBrowser: Browser;
  let readerBrowser: Browser;

  beforeAll(async () => {
    stack = await startModerationStack();
    moderatorBrowser = await launchChromium();
    readerBrowser = await launchChromium();
  });
  afterAll(async () => {
    await moderatorBrowser?.close();
    await readerBrowser?.close();
    await stack?.close();
  });

  const mailbox = () => ({ mailedCode: (to: string) => stack.mailedCode(to) }) as unknown as Stack;

  async function openBlog(browser: Browser): Promise<Page> {
    const blog = await browser.context.newPage();
    await blog.goto(stack.blogUrls['held-blog']);
    await widget(blog).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    return blog;
  }

  async function publicThread(): Promise<string> {
    return (await fetch(`${stack.commentsUrl}/api/sites/held-blog/posts/hello-readers/comments`)).text();
  }

  it('holds a comment until a moderator approves it, then shows it to every reader', async () => {
    const author = await openBlog(readerBrowser);
    await signInWithPopup(author, mailbox(), { provider: 'email', email: 'patient@example.com', name: 'Pat Patient' });
    await commentBox(author).fill('Worth the wait');
    await button(author, 'Post Comment').click();
    // Held: the author is told so (not "posted"), and sees it, marked; it cannot be answered yet.
    await widget(author).getByRole('status').getByText('Your comment is awaiting approval').waitFor();
    expect(await publicThread()).not.toContain('Worth the wait');
    const own = commentWithText(author, 'Worth the wait');
    await own.getByText('Awaiting approval').waitFor();
    await expect(own.getByRole('button', { name: 'Reply' }).isVisible()).resolves.toBe(false);
    await screenshot(author, 'premoderation-widget-held');
    // After a reload too: the widget asks for the thread with the author's token then.
    await author.reload();
    await commentWithText(author, 'Worth the wait').getByText('Awaiting approval').waitFor();

    const stranger = await openBlog(moderatorBrowser);
    await expect(commentWithText(stranger, 'Worth the wait').count()).resolves.toBe(0);
    await stranger.close();

    const page = await moderatorBrowser.context.newPage();
    await page.goto(`${stack.commentsUrl}/moderate/held-blog`);
    await signInToModerate(page, stack, MODERATOR);
    await page.getByText('New comments wait for approval').waitFor();
    await page.getByLabel('State').selectOption('pending');
    await page.getByRole('button', { name: 'Filter' }).click();
    const held = page.locator('li.comment').filter({ has: page.locator('.body', { hasText: 'Worth the wait' }) });
    await held.locator('.state', { hasText: 'Awaiting approval' }).waitFor();
    await screenshot(page, 'moderation-page-pending');
    await held.getByRole('button', { name: 'Approve the comment by Pat Patient' }).click();
    await held.locator('.state', { hasText: 'Visible' }).waitFor();
    await page.locator('#log').getByText('approved comment').waitFor();

    expect(await publicThread()).toContain('Worth the wait');
    const reader = await openBlog(moderatorBrowser);
    await commentWithText(reader, 'Worth the wait').waitFor();
    await reader.close();
    // Approved: the author's reload shows it without the mark, and it can be answered.
    await author.reload();
    const approved = commentWithText(author, 'Worth the wait');
    await approved.getByRole('button', { name: 'Reply' }).waitFor();
    await expect(approved.getByText('Awaiting approval').count()).resolves.toBe(0);
    await page.close();
    await author.close();
  });
});
