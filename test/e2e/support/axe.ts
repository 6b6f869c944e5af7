import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { AxeResults, ImpactValue, NodeResult, Result } from 'axe-core';

/**
 * axe-core (the npm package) run inside a page under test. The gateway's Content-Security-Policy
 * (script-src 'self') refuses inline scripts, so the source goes in through the DevTools protocol
 * (page.evaluate), which a page's CSP does not govern, instead of a <script> tag. axe walks open
 * shadow roots itself, so one run over the document also checks the widget.
 */
let axeSource: string | undefined;

/** The impacts that fail the accessibility tour (issue #11: "no serious or critical violation"). */
export const BLOCKING_IMPACTS: readonly ImpactValue[] = ['serious', 'critical'];

export interface Violation {
  readonly id: string;
  readonly impact: ImpactValue | null | undefined;
  readonly help: string;
  readonly helpUrl: string;
  /** One line per element: its selector (a shadow-DOM path joined with " >>> ") and what is wrong. */
  readonly nodes: readonly ViolationNode[];
}

export interface ViolationNode {
  readonly target: string;
  readonly html: string;
  readonly summary: string;
}

/**
 * Runs axe over the whole document of `page` (open shadow roots included), listing every element
 * of its violations and of what it could not decide (incomplete: for a person to look at).
 */
export async function runAxe(page: Page): Promise<AxeResults> {
  axeSource ??= fs.readFileSync(require.resolve('axe-core'), 'utf8');
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(() => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    return axe.run(document, { resultTypes: ['violations', 'incomplete'] });
  });
}

/** axe's selector for a node: a list of selectors, each nested list a path through shadow roots. */
export function targetText(node: Pick<NodeResult, 'target'>): string {
  return node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : String(part))).join(' | ');
}

export function toViolations(results: readonly Result[]): Violation[] {
  return results.map((result) => ({
    id: result.id,
    impact: result.impact,
    help: result.help,
    helpUrl: result.helpUrl,
    nodes: result.nodes.map((node) => ({
      target: targetText(node),
      html: node.html.length > 200 ? `${node.html.slice(0, 200)}…` : node.html,
      summary: (node.failureSummary ?? '').replace(/\s*\n\s*/g, '; '),
    })),
  }));
}

export function blocking(violations: readonly Violation[]): Violation[] {
  return violations.filter((violation) => violation.impact !== undefined && violation.impact !== null && BLOCKING_IMPACTS.includes(violation.impact));
}

/** Every violation with every element it names, readable in a test failure. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations
    .map((violation) =>
      [
        `- ${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help}  ${violation.helpUrl}`,
        ...violation.nodes.map((node) => `    at ${node.target}\n       ${node.html}\n       ${node.summary}`),
      ].join('\n'),
    )
    .join('\n');
}

/**
 * The elements axe's colour-contrast rule looked at (passed, failed or could not decide), as
 * targets: proof that a run covers what it should, such as the widget inside its shadow root.
 */
export async function contrastCoverage(page: Page): Promise<string[]> {
  await runAxe(page);
  const results = await page.evaluate(() => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    return axe.run(document, { runOnly: ['color-contrast'] });
  });
  return [...results.passes, ...results.violations, ...results.incomplete].flatMap((result) => result.nodes.map((node) => targetText(node)));
}
