import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './support/chromium';
import { button, commentBox, commentWithText, screenshot, widget } from './support/widget';
import { MODERATOR, signInToModerate, startModerationStack, type ModerationStack } from './moderation-stack';

/**
 * Guest comments in Chromium (issue 15, item 4): on guest-blog (`guests: true`) a reader who does
 * not log in fills in Name, Email and Website, posts, and is told the comment awaits approval; a
 * moderator approves it through the moderation API; another reader sees it, the name a link to
 * the website with rel "nofollow ugc", marked "guest", and the email nowhere.
 */
describe('guest comments in the widget', () => {
  let stack: ModerationStack;
  let guestBrowser: Browser;
  let moderatorBrowser: Browser;

  beforeAll(async () => {
    stack = await startModerationStack();
    guestBrowser = await launchChromium();
    moderatorBrowser = await launchChromium();
  });
  afterAll(async () => {
    await guestBrowser?.close();
    await moderatorBrowser?.close();
    await stack?.close();
  });

  async function openBlog(browser: Browser, site: 'guest-blog' | 'demo-blog' = 'guest-blog'): Promise<Page> {
    const blog = await browser.context.newPage();
    await blog.goto(stack.blogUrls[site]);
    await widget(blog).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    return blog;
  }

  const field = (page: Page, label: string) => widget(page).getByRole('textbox', { name: label });

  /**
   * The moderator approves on the moderation page, which calls the moderation API with their
   * (DPoP-bound, where Chromium can make the key) token: the held comment is listed as a guest's.
   */
  async function approveAsModerator(text: string): Promise<void> {
    const page = await moderatorBrowser.context.newPage();
    await page.goto(`${stack.commentsUrl}/moderate/guest-blog`);
    await signInToModerate(page, stack, MODERATOR);
    await page.getByLabel('State').selectOption('pending');
    await page.getByRole('button', { name: 'Filter' }).click();
    const held = page.locator('li.comment').filter({ has: page.locator('.body', { hasText: text }) });
    await held.locator('.state', { hasText: 'Awaiting approval' }).waitFor();
    expect(await page.content()).not.toContain('grace@example.com');
    await screenshot(page, 'guest-moderation-pending');
    await held.getByRole('button', { name: 'Approve the comment by Grace Guest' }).click();
    await held.locator('.state', { hasText: 'Visible' }).waitFor();
    await page.close();
  }

  it('lets a guest post, holds the comment until a moderator approves it, then shows the website link', async () => {
    const guest = await openBlog(guestBrowser);
    await widget(guest).getByRole('group', { name: 'or comment as a guest' }).waitFor();
    await screenshot(guest, 'guest-form');

    // A hostile website is refused by the service, and the form says so at the Website box.
    await commentBox(guest).fill('A guest says hello');
    await field(guest, 'Name').fill('Grace Guest');
    await field(guest, 'Email (never shown)').fill('grace@example.com');
    await field(guest, 'Website (optional)').fill('javascript:alert(1)');
    await button(guest, 'Post Comment').click();
    await widget(guest).getByRole('alert').getByText('https://').waitFor();
    await expect(field(guest, 'Website (optional)').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(field(guest, 'Website (optional)').evaluate((input) => input === (input.getRootNode() as ShadowRoot).activeElement)).resolves.toBe(true);

    await field(guest, 'Website (optional)').fill('https://grace.example/');
    await button(guest, 'Post Comment').click();
    await widget(guest).getByRole('status').getByText('awaits approval by a moderator').waitFor();
    await commentWithText(guest, 'A guest says hello').getByText('Awaiting approval').waitFor();
    await screenshot(guest, 'guest-posted');
    // Not public yet: a reload (the guest holds no token) and any other reader see nothing.
    await guest.reload();
    await widget(guest).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    await widget(guest).getByText('No comments yet').waitFor();

    await approveAsModerator('A guest says hello');
    const thread = await (await fetch(`${stack.commentsUrl}/api/sites/guest-blog/posts/hello-readers/comments`)).text();
    expect(thread).toContain('A guest says hello');
    expect(thread).not.toContain('grace@example.com');

    const reader = await openBlog(moderatorBrowser);
    const shown = commentWithText(reader, 'A guest says hello');
    const link = shown.getByRole('link', { name: 'Grace Guest' });
    await link.waitFor();
    await expect(link.getAttribute('href')).resolves.toBe('https://grace.example/');
    await expect(link.getAttribute('rel')).resolves.toBe('nofollow ugc noopener');
    await shown.getByText('guest', { exact: true }).waitFor();
    await expect(shown.getByText(/^via /).count()).resolves.toBe(0);
    expect(await widget(reader).innerHTML()).not.toContain('grace@example.com');
    await screenshot(reader, 'guest-approved');
    await reader.close();
    await guest.close();
  });

  it('asks for the name first, at the Name box, and offers no guest form where the site takes none', async () => {
    const guest = await openBlog(guestBrowser);
    await commentBox(guest).fill('Nameless');
    await field(guest, 'Email (never shown)').fill('nameless@example.com');
    await button(guest, 'Post Comment').click();
    await widget(guest).getByRole('alert').getByText('Enter your name').waitFor();
    await expect(field(guest, 'Name').getAttribute('aria-invalid')).resolves.toBe('true');
    await guest.close();

    const closed = await openBlog(guestBrowser, 'demo-blog');
    await expect(widget(closed).getByRole('group', { name: 'or comment as a guest' }).count()).resolves.toBe(0);
    await closed.close();
  });
});
