import { html, type SafeHtml } from '../http/html';

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /** Extra scripts served from /assets (CSP allows only our own origin). */
  readonly scripts?: readonly string[];
}

/** The frame of every gateway page: small, readable in a popup, no third-party anything. */
export function page(options: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<link rel="stylesheet" href="/assets/parley.css">
${(options.scripts ?? []).map((src) => html`<script src="/assets/${src}" defer></script>`)}
</head>
<body>
<main class="card">
${options.body}
</main>
</body>
</html>`.value;
}
