import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { bodiesOnServer, commentsUrlFor } from './support/comment-api';
import { proofClaimsOf } from './support/dpop';
import { commentWithText, postComment, screenshot, signInWithPopup, threadLoaded, TWITTER_ALICE, TWITTER_BOB, widget, focusedInWidget } from './support/widget';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, page } = harness));


/**
 * A reader's own comments (issue 15, item 1): each test is a fresh tab and a stranger to the
 * gateway, so Alice and Bob are two readers on one thread, in order.
 */
describe('a reader\'s own comments', () => {
  test('the author edits within the 15 minutes: the text changes in place and the comment says "edited", also after a reload', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await postComment(page, 'Teh engine is lovely.');
    const mine = commentWithText(page, 'Teh engine is lovely.');
    expect(await mine.locator('.edited').count()).toBe(0);

    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    const box = widget(page).getByRole('textbox', { name: 'Edit your comment' });
    expect(await box.inputValue()).toBe('Teh engine is lovely.');
    expect(await focusedInWidget(page)).toMatch(/-edit-text$/);
    expect(await widget(page).getByText(/Comments can be changed for 15 minutes after posting: (15|14) minutes are left\./).isVisible()).toBe(true);
    await screenshot(page, 'own-comment-editing');

    // Escape gives up, and the focus goes back to Edit.
    await box.press('Escape');
    expect(await box.count()).toBe(0);
    expect(await focusedInWidget(page)).toBe('Edit');

    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await box.fill('   ');
    await widget(page).getByRole('button', { name: 'Save', exact: true }).click();
    expect(await widget(page).getByRole('alert').getByText('Write a comment first.').isVisible()).toBe(true);
    await box.fill('The engine is lovely.');
    const sent = page.waitForRequest((request) => request.method() === 'PATCH');
    await widget(page).getByRole('button', { name: 'Save', exact: true }).click();
    await widget(page).getByRole('status').getByText('Your comment is updated.').waitFor();
    // The token is bound to the tab's key: the edit carries a proof made for PATCH and this comment.
    const patch = await sent;
    const id = patch.url().split('/').pop()!;
    expect(patch.headers()['authorization']).toMatch(/^DPoP /);
    expect(proofClaimsOf(patch.headers()['dpop']!)).toMatchObject({ htm: 'PATCH', htu: `${await commentsUrlFor(page, stack)}/${id}` });

    const edited = commentWithText(page, 'The engine is lovely.');
    expect(await edited.locator('.edited').innerText()).toBe('edited');
    expect(await commentWithText(page, 'Teh engine is lovely.').count()).toBe(0);
    expect(await focusedInWidget(page)).toContain('The engine is lovely.');
    expect(await bodiesOnServer(page, stack)).toEqual(['The engine is lovely.']);

    await page.reload();
    await threadLoaded(page);
    expect(await commentWithText(page, 'The engine is lovely.').locator('.edited').innerText()).toBe('edited');
    await screenshot(page, 'own-comment-edited');
  });

  test('another reader sees no Edit or Delete on it, and replies', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
    const alices = commentWithText(page, 'The engine is lovely.');
    await alices.waitFor();
    expect(await alices.getByRole('button', { name: 'Reply', exact: true }).isVisible()).toBe(true);
    expect(await alices.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    expect(await alices.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);

    await alices.getByRole('button', { name: 'Reply', exact: true }).click();
    await postComment(page, 'It is, Alice.');
    const bobs = commentWithText(page, 'It is, Alice.');
    expect(await bobs.getByRole('button', { name: 'Delete', exact: true }).isVisible()).toBe(true);
    expect(await alices.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
  });

  test('the author deletes it with a reply below: asked first, then a "deleted" placeholder keeps the reply in place', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    const mine = commentWithText(page, 'The engine is lovely.');
    await mine.getByRole('button', { name: 'Delete', exact: true }).waitFor();
    // Bob's reply is not Alice's.
    expect(await commentWithText(page, 'It is, Alice.').getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);

    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    const question = widget(page).getByRole('group', { name: 'Delete this comment? This cannot be undone.' });
    expect(await question.isVisible()).toBe(true);
    // The focus starts on the answer that keeps the comment.
    expect(await focusedInWidget(page)).toBe('Keep it');
    await screenshot(page, 'own-comment-delete-question');
    await question.getByRole('button', { name: 'Keep it' }).click();
    expect(await question.count()).toBe(0);
    expect(await focusedInWidget(page)).toBe('Delete');
    expect(await bodiesOnServer(page, stack)).toEqual(['The engine is lovely.', 'It is, Alice.']);

    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await question.getByRole('button', { name: 'Yes, delete it' }).click();
    await widget(page).getByRole('status').getByText('Your comment is deleted.').waitFor();

    expect(await widget(page).getByText('This comment was deleted.').isVisible()).toBe(true);
    expect(await commentWithText(page, 'The engine is lovely.').count()).toBe(0);
    const reply = widget(page).locator('li.comment:has(> article.removed) > ol.replies > li.comment .body');
    expect(await reply.allInnerTexts()).toEqual(['It is, Alice.']);
    expect(await widget(page).getByRole('heading', { name: '1 Comment' }).isVisible()).toBe(true);
    // On the thread's heading (its id), so the reader hears where they are.
    expect(await focusedInWidget(page)).toBe('parley-comments');
    await screenshot(page, 'own-comment-deleted');

    await page.reload();
    await threadLoaded(page);
    expect(await widget(page).getByText('This comment was deleted.').isVisible()).toBe(true);
    expect(await reply.allInnerTexts()).toEqual(['It is, Alice.']);
  });

  test('a page left open takes Edit away when the 15 minutes run out, and keeps Delete, with the focus safe', async () => {
    // The page's clock is Playwright's from here on, starting now: moving it on is 15 minutes passing.
    await page.clock.install();
    await page.reload();
    await threadLoaded(page);
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
    await postComment(page, 'A quarter of an hour to fix this.');
    const mine = commentWithText(page, 'A quarter of an hour to fix this.');
    await mine.getByRole('button', { name: 'Edit', exact: true }).focus();

    await page.clock.fastForward('14:00');
    expect(await mine.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(1);
    await page.clock.fastForward('01:30');
    await mine.getByRole('button', { name: 'Edit', exact: true }).waitFor({ state: 'detached' });
    expect(await mine.getByRole('button', { name: 'Delete', exact: true }).isVisible()).toBe(true);
    expect(await mine.getByRole('button', { name: 'Reply', exact: true }).isVisible()).toBe(true);
    expect(await focusedInWidget(page)).toBe('Delete');
  });
});
