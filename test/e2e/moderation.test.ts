import type { Page, Response } from 'playwright-core';
import { blocking, describeViolations, runAxe, toViolations } from './support/axe';
import { launchChromium, type Browser } from './support/chromium';
import { button, commentBox, commentWithText, postComment, screenshot, signInWithPopup, widget } from './support/widget';
import type { Stack } from './support/stack';
import { MODERATOR, OTHER_MODERATOR, signInToModerate, startModerationStack, type ModerationStack } from './moderation-stack';

/**
 * The moderation page (GET /moderate/<site>) in Chromium, against a real gateway and comment
 * service: a moderator signs in through the gateway's popup exactly like a commenter, and acts
 * with one click; a commenter in another browser sees the effect on their next request.
 * Two browsers, so the moderator's and the commenter's gateway sessions stay apart.
 */
describe('the moderation page', () => {
  let stack: ModerationStack;
  let moderatorBrowser: Browser;
  let commenterBrowser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startModerationStack();
    moderatorBrowser = await launchChromium();
    commenterBrowser = await launchChromium();
  });
  afterAll(async () => {
    await moderatorBrowser?.close();
    await commenterBrowser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    await moderatorBrowser.context.clearCookies();
    page = await moderatorBrowser.context.newPage();
  });
  afterEach(() => page?.close());

  /** The support helpers take a Stack for its mailbox only. */
  const mailbox = () => ({ mailedCode: (to: string) => stack.mailedCode(to) }) as unknown as Stack;

  async function commenterPosts(site: 'demo-blog' | 'held-blog', email: string, name: string, text: string): Promise<Page> {
    await commenterBrowser.context.clearCookies();
    const blog = await commenterBrowser.context.newPage();
    await blog.goto(stack.blogUrls[site]);
    await widget(blog).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    await signInWithPopup(blog, mailbox(), { provider: 'email', email, name });
    await postComment(blog, text);
    return blog;
  }

  function row(text: string) {
    return page.locator('li.comment').filter({ has: page.locator('.body', { hasText: text }) });
  }

  async function publicThread(site = 'demo-blog'): Promise<string> {
    return (await fetch(`${stack.commentsUrl}/api/sites/${site}/posts/hello-readers/comments`)).text();
  }

  function moderationApiAnswer(path: string): Promise<Response> {
    return page.waitForResponse((response) => response.url().includes(`/moderation/${path}`));
  }

  it('lets a moderator sign in, hide a comment and ban its author, whose token from before the ban is then refused', async () => {
    const blog = await commenterPosts('demo-blog', 'troll@example.com', 'Terry Troll', 'Cheap pills here');

    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const answer = await page.goto(`${stack.commentsUrl}/moderate/demo-blog`);
    expect(answer!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('heading', { name: 'Moderating Demo Blog' }).waitFor();
    await signInToModerate(page, stack, MODERATOR);
    await page.getByText(`Signed in as ${MODERATOR.name}`).waitFor();

    const comment = row('Cheap pills here');
    await comment.getByText('Terry Troll').waitFor();
    expect(await publicThread()).toContain('Cheap pills here');
    await comment.getByRole('button', { name: 'Hide the comment by Terry Troll' }).click();
    await row('Cheap pills here').locator('.state', { hasText: 'Hidden' }).waitFor();
    expect(await publicThread()).not.toContain('Cheap pills');

    await row('Cheap pills here').getByRole('button', { name: 'Ban author Terry Troll' }).click();
    await row('Cheap pills here').getByText('Banned', { exact: true }).waitFor();
    const log = page.locator('#log');
    await log.getByText('banned commenter').waitFor();
    await expect(log.locator('li').allInnerTexts()).resolves.toEqual([
      expect.stringContaining(`${MODERATOR.name} banned commenter`),
      expect.stringContaining(`${MODERATOR.name} hid comment`),
    ]);
    await screenshot(page, 'moderation-page');
    const violations = blocking(toViolations((await runAxe(page)).violations));
    expect(describeViolations(violations)).toBe(describeViolations([]));

    // The commenter's tab still holds the token it had before the ban: the next POST is refused.
    await commentBox(blog).fill('Even cheaper pills');
    await button(blog, 'Post Comment').click();
    await widget(blog).getByText('This account cannot comment here: You can no longer comment on this site.').waitFor();
    await blog.reload();
    await widget(blog).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    await expect(commentWithText(blog, 'Cheap pills here').count()).resolves.toBe(0);
    await blog.close();
    expect(cspViolations).toEqual([]);
  });

  it('unhides and deletes with one click each, and filters by state', async () => {
    const blog = await commenterPosts('demo-blog', 'regular@example.com', 'Rita Regular', 'A perfectly fine remark');
    await blog.close();
    await page.goto(`${stack.commentsUrl}/moderate/demo-blog`);
    await signInToModerate(page, stack, MODERATOR);
    await row('A perfectly fine remark').getByRole('button', { name: 'Hide the comment by Rita Regular' }).click();
    await row('A perfectly fine remark').getByRole('button', { name: 'Unhide the comment by Rita Regular' }).click();
    await row('A perfectly fine remark').locator('.state', { hasText: 'Visible' }).waitFor();

    await page.getByLabel('State').selectOption('hidden');
    await page.getByRole('button', { name: 'Filter' }).click();
    await row('Cheap pills here').waitFor();
    await expect(row('A perfectly fine remark').count()).resolves.toBe(0);
    await page.getByLabel('State').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();

    expect(await publicThread()).toContain('A perfectly fine remark');
    await row('A perfectly fine remark').getByRole('button', { name: 'Delete the comment by Rita Regular' }).click();
    await page.locator('li.comment.state-deleted').first().waitFor();
    expect(await publicThread()).not.toContain('perfectly fine');
  });

  it('shows a non-moderator that they are not one, and the API answers them 403', async () => {
    await page.goto(`${stack.commentsUrl}/moderate/demo-blog`);
    const refused = moderationApiAnswer('me');
    await signInToModerate(page, stack, { email: 'reader@example.com', name: 'Reggie Reader' });
    expect((await refused).status()).toBe(403);
    await page.getByRole('heading', { name: 'Not a moderator' }).waitFor();
    await expect(page.locator('#workspace').isHidden()).resolves.toBe(true);
    await expect(page.locator('li.comment').count()).resolves.toBe(0);
  });

  it('gives a moderator of another site 403 here, and then lets them switch to a moderator\'s account', async () => {
    await page.goto(`${stack.commentsUrl}/moderate/other-blog`);
    await signInToModerate(page, stack, OTHER_MODERATOR);
    await page.getByText(`Signed in as ${OTHER_MODERATOR.name}`).waitFor();

    const elsewhere = await moderatorBrowser.context.newPage();
    await elsewhere.goto(`${stack.commentsUrl}/moderate/demo-blog`);
    const refused = elsewhere.waitForResponse((response) => response.url().includes('/moderation/me'));
    // The gateway remembers Otto in this browser: the window signs him in to demo-blog at once.
    const popupOpened = elsewhere.waitForEvent('popup');
    await elsewhere.getByRole('button', { name: 'Sign in to moderate' }).click();
    await popupOpened;
    expect((await refused).status()).toBe(403);
    await elsewhere.getByRole('heading', { name: 'Not a moderator' }).waitFor();

    await signInToModerate(elsewhere, stack, MODERATOR, 'Sign in as someone else');
    await elsewhere.getByText(`Signed in as ${MODERATOR.name}`).waitFor();
    await elsewhere.close();
  });

  it('signs the moderator in by a full-page round trip when popups are blocked, and comes back to the page', async () => {
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await page.goto(`${stack.commentsUrl}/moderate/demo-blog`);
    await page.getByRole('button', { name: 'Sign in to moderate' }).click();
    await page.waitForURL(`${stack.gatewayUrl}/**`);
    await page.getByRole('link', { name: /^Log in with Email/ }).click();
    await page.getByLabel('Email address').fill(MODERATOR.email);
    await page.getByLabel('Your name, shown with your comments').fill(MODERATOR.name);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByLabel('6-digit code').fill(await stack.mailedCode(MODERATOR.email));
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(`${stack.commentsUrl}/moderate/demo-blog`);
    await page.getByText(`Signed in as ${MODERATOR.name}`).waitFor();
    // The code came back in the fragment, and is gone from the address bar.
    expect(page.url()).toBe(`${stack.commentsUrl}/moderate/demo-blog`);
    await page.getByRole('heading', { name: 'Moderation log' }).waitFor();
  });

  it('answers 404 for a site the service does not know', async () => {
    const answer = await page.goto(`${stack.commentsUrl}/moderate/no-such-blog`);
    expect(answer!.status()).toBe(404);
    await page.getByRole('heading', { name: 'No such site' }).waitFor();
  });
});
