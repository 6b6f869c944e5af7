import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths';
import { blocking, contrastCoverage, runAxe, toViolations } from './support/axe';
import { launchChromium, type Browser } from './support/chromium';
import { startStack, type Stack } from './support/stack';
import { fullTour, GATEWAY_STATES, SEED_COMMENT, seedThread, widgetTour, WIDGET_STATES, type State, type TourRecord, type Variant } from './support/tour';
import { commentWithText, widget } from './support/widget';

/**
 * Issue #11: axe-core reports no serious or critical violation on the widget and on every
 * gateway page a commenter can see, light and dark; and every such page is screenshotted in
 * test-results/screenshots/ (<state>-<variant>.png) to be looked at. Each tour walks its pages
 * once in `beforeAll`; each state is then one test, failing with its violations and the elements
 * to fix. The whole report (every impact) goes to test-results/accessibility.json.
 */

const LIGHT: Variant = { name: 'light', colorScheme: 'light', darkBlog: false };
const DARK: Variant = { name: 'dark', colorScheme: 'dark', darkBlog: false };
const DARK_BLOG: Variant = { name: 'dark-blog', colorScheme: 'dark', darkBlog: true };

/** One tour signs in by email through every popup page: about half a minute, more on a slow machine. */
const TOUR_TIMEOUT_MS = 240_000;
const REPORT_FILE = path.join(PROJECT_ROOT, 'test-results', 'accessibility.json');

let stack: Stack;
let browser: Browser;
const records: TourRecord[] = [];

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  await seedThread({ stack, context: browser.context });
}, TOUR_TIMEOUT_MS);

afterAll(async () => {
  fs.mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
  const report = records.map((record) => ({
    variant: record.variant.name,
    stoppedAt: record.stoppedAt,
    states: [...record.captures.values()],
  }));
  fs.writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  await browser?.close();
  await stack?.close();
});

/** Runs a tour from a browser that the gateway does not know yet. */
async function tour(run: typeof fullTour, variant: Variant): Promise<TourRecord> {
  await browser.context.clearCookies();
  const record = await run({ stack, context: browser.context }, variant);
  records.push(record);
  return record;
}

function expectClean(record: () => TourRecord, state: State): void {
  const problem = record().problem(state);
  if (problem) throw new Error(problem);
}

describe('the axe run', () => {
  test('reaches into the widget’s shadow root', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(stack.blogUrl);
      await commentWithText(page, SEED_COMMENT).waitFor();
      const checked = await contrastCoverage(page);
      expect(checked.filter((target) => target.startsWith('[data-parley-site') || target.includes('>>>')).length).toBeGreaterThan(5);

      // A button without a name, planted in the shadow root, must come back as a critical violation there.
      await widget(page).evaluate((host) => host.shadowRoot!.appendChild(Object.assign(document.createElement('button'), { className: 'axe-probe' })));
      const found = blocking(toViolations((await runAxe(page)).violations));
      const probe = found.find((violation) => violation.id === 'button-name')?.nodes.map((node) => node.target);
      expect(probe).toEqual([expect.stringMatching(/>>> .*axe-probe/)]);
    } finally {
      await page.close();
    }
  });
});

describe.each([LIGHT, DARK])('in the $name colour scheme', (variant) => {
  let record: TourRecord;
  beforeAll(async () => {
    record = await tour(fullTour, variant);
    console.log(`${variant.name}: the demo blog showed the widget in its ${record.widgetTheme ?? 'unknown'} palette`);
  }, TOUR_TIMEOUT_MS);

  describe('the gateway’s pages', () => {
    test.each(GATEWAY_STATES)('%s has no serious or critical axe violation', (state) => expectClean(() => record, state));
  });

  describe('the widget', () => {
    test.each(WIDGET_STATES)('%s has no serious or critical axe violation', (state) => expectClean(() => record, state));
  });
});

describe('on a blog with its own dark theme', () => {
  let record: TourRecord;
  beforeAll(async () => {
    record = await tour(widgetTour, DARK_BLOG);
  }, TOUR_TIMEOUT_MS);

  test('the widget takes its dark palette', () => {
    expect(record.widgetTheme).toBe('dark');
  });

  test.each(WIDGET_STATES)('%s has no serious or critical axe violation', (state) => expectClean(() => record, state));
});
