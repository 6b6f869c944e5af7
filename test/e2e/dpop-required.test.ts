import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { recordPosts } from './support/comment-api';
import { boundKeyOf, withoutEcdsaKeys, withoutIndexedDb } from './support/dpop';
import { button, commentingAs, commentWithText, postComment, signInWithPopup, threadLoaded, tokenInSessionStorage, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let page: Page;

/** The demo blog takes only DPoP-bound tokens (`requireDpop` in the sites file). */
useBrowserStack({ openBlog: true, stack: { requireDpop: true } }, (harness) => ({ stack, page } = harness));

async function openBlogAgain(): Promise<void> {
  await page.goto(stack.blogUrl);
  await threadLoaded(page);
}

describe('A site that requires DPoP', () => {
  test('takes the widget’s comments: its tokens are bound and sent with proofs', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    expect(boundKeyOf((await tokenInSessionStorage(page))!)).toBeDefined();
    const sent = recordPosts(page, stack);
    const text = `On a site that requires DPoP ${Date.now()}`;
    await postComment(page, text);
    expect(sent.map((post) => post.status)).toEqual([201]);
  });

  test('in a browser that cannot make the key, logging in says so plainly instead of failing silently', async () => {
    await withoutEcdsaKeys(page);
    await openBlogAgain();
    const popupOpened = page.waitForEvent('popup');
    await button(page, 'Log in with Twitter').click();
    const popup = await popupOpened;
    await popup.getByRole('button', { name: TWITTER_ALICE }).click();
    await widget(page).getByRole('alert').getByText('Logging in did not work: this blog probably needs a newer browser, one that can keep a secure login key.').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();
    expect(await commentingAs(page, 'twitter').count()).toBe(0);
  });

  test('without IndexedDB the key is kept in memory: the reader posts, and after a reload logs in again', async () => {
    await withoutIndexedDb(page);
    await openBlogAgain();
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    expect(boundKeyOf((await tokenInSessionStorage(page))!)).toBeDefined();
    const text = `Posted with a key kept in memory ${Date.now()}`;
    await postComment(page, text);
    await commentWithText(page, text).waitFor();

    // The token survived the reload (sessionStorage), its key did not: the token is of no use.
    await page.reload();
    await button(page, 'Log in with Twitter').waitFor();
    await widget(page).getByRole('alert').getByText('Your login has expired').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();
  });
});
