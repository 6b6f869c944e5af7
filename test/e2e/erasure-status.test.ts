import type { Page } from 'playwright-core';
import { ErasureStore } from '../../src/gateway/account-data/erasure-store';
import { openDatabase, type Db } from '../../src/store/database';
import { GATEWAY_DB_FILE } from '../../src/tokens/open-key-store';
import { blocking, describeViolations, runAxe, toViolations } from './support/axe';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { screenshot } from './support/widget';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: false }, (harness) => ({ stack, page } = harness));

/** Long enough that the gateway's own erasure worker never takes the row this test plays with. */
const HELD_FOR_THE_TEST_MS = 60 * 60 * 1000;

/**
 * The erasure status page in a real browser (src/gateway/assets/erasure-wait.js): while the
 * comment service has not confirmed, it says so and asks by script; when the confirmation comes
 * it says "done" in its status region, without reloading (a reload under a screen reader reads the
 * whole page out again, the reason axe calls a meta refresh critical).
 */
describe('the erasure status page', () => {
  let db: Db | undefined;

  afterAll(async () => {
    await db?.destroy();
  });

  test('says in progress, then done in its status region once the comment service confirms, without reloading', async () => {
    db = await openDatabase({ dataDir: stack.settings.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: undefined });
    const store = new ErasureStore(db);
    const erasure = await store.create([{ site: 'demo-blog', sub: 'someone-erased' }], HELD_FOR_THE_TEST_MS);
    await page.goto(`${stack.gatewayUrl}/account/erased/${erasure.id}`);
    const status = page.getByRole('status');
    await status.getByText('Your comments are being anonymised').waitFor();
    await page.getByRole('link', { name: 'Check now' }).waitFor();
    expect(blocking(toViolations((await runAxe(page)).violations))).toEqual([]);
    await screenshot(page, 'erasure-in-progress');
    // A marker a reload would wipe out.
    await page.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));

    await store.markDone(erasure.id);
    await status.getByText('Done: your account is deleted').waitFor({ timeout: 10_000 });
    await page.getByRole('heading', { name: 'Your account is erased' }).waitFor();
    expect(await page.getByRole('link', { name: 'Check now' }).count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    const violations = blocking(toViolations((await runAxe(page)).violations));
    expect(violations).toEqual([]);
    if (violations.length > 0) throw new Error(describeViolations(violations));
    await screenshot(page, 'erasure-done');
  });
});
