import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { commentWithText, postComment, screenshot, signInWithPopup, threadLoaded, widget } from './support/widget';
import type { AccountExport } from '../../src/gateway/account-data/account-export';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, page } = harness));

/**
 * The commenter's account page walked in Chromium as a reader would (issue 15, item 3): from a
 * comment posted on the blog, to the account page in another tab, the reply-email switch, the
 * download, the erasure and its confirmation, then Back, and the blog's thread afterwards.
 */
describe('the account page in a browser', () => {
  test('switches reply emails, downloads the data, erases the account; Back then shows nothing of it, and the thread reads "a former commenter"', async () => {
    const email = `walk-${Date.now()}@example.com`;
    await signInWithPopup(page, stack, { provider: 'email', email, name: 'Wanda Walker' });
    await postComment(page, 'Words Wanda will take back');

    const account = await page.context().newPage();
    await account.goto(`${stack.gatewayUrl}/account`);
    await account.getByText('Wanda Walker').first().waitFor();
    // The blog that knows the account, with its reply-email switch.
    await account.getByRole('heading', { name: 'Blogs' }).waitFor();
    await account.getByRole('button', { name: 'Turn off' }).click();
    await account.getByRole('button', { name: 'Turn on' }).waitFor();
    await screenshot(account, 'account-walk-replies-off');
    await account.getByRole('button', { name: 'Turn on' }).click();
    await account.getByRole('button', { name: 'Turn off' }).waitFor();

    // Download my data: a JSON file with the comment in it.
    const downloading = account.waitForEvent('download');
    await account.getByRole('button', { name: 'Download my data' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^parley-account-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as AccountExport;
    expect(exported.comments.map((comment) => comment.body)).toEqual(['Words Wanda will take back']);
    expect(exported.identities.map((identity) => identity.label)).toEqual([email]);

    // Erase: the confirmation asks for the tick first.
    await account.getByRole('button', { name: /Erase my account/ }).click();
    await account.getByRole('heading', { name: 'Erase your account?' }).waitFor();
    await screenshot(account, 'account-walk-erase-confirm');
    // Without the tick the browser itself holds the form back (the box is required; the server
    // refuses too, which the flow test checks): still the confirmation, nothing erased.
    const eraseButton = account.getByRole('button', { name: 'Erase my account', exact: true });
    await eraseButton.click();
    expect(await account.getByRole('checkbox').evaluate((box: HTMLInputElement) => box.validity.valueMissing)).toBe(true);
    await account.getByRole('heading', { name: 'Erase your account?' }).waitFor();
    await account.getByRole('checkbox').check();
    await eraseButton.click();
    await account.getByRole('heading', { name: 'Your account is erased' }).waitFor();
    expect(await account.content()).not.toContain('Wanda');
    await screenshot(account, 'account-walk-erased');

    // Back, twice: the confirmation and the account page are not shown again from a cache.
    await account.goBack();
    await account.waitForLoadState();
    expect(await account.locator('body').innerText()).not.toContain('Wanda');
    await account.goBack();
    await account.waitForLoadState();
    expect(await account.locator('body').innerText()).not.toContain('Wanda');
    expect(await account.locator('body').innerText()).not.toContain(email);

    // The blog: after a reload the comment reads "a former commenter".
    await page.reload();
    await threadLoaded(page);
    await commentWithText(page, 'Words Wanda will take back').getByText('a former commenter').waitFor();
    expect(await widget(page).innerText()).not.toContain('Wanda');
  });
});
