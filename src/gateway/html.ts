import { html, type SafeHtml } from '../http/html';

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /** The blog the page is about, named in the banner next to Parley. */
  readonly siteName?: string | undefined;
  /** Extra scripts served from /assets (CSP allows only our own origin). */
  readonly scripts?: readonly string[];
}

/**
 * The frame of every gateway page: small and readable in a popup, no third-party anything. A
 * banner names Parley and the blog, the footer links the privacy notice (in a new tab, so a
 * log-in in progress stays where it is), and page.js keeps stale pages out of the back/forward
 * cache.
 */
export function page(options: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${options.title} · Parley</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/parley.css">
<script src="/assets/page.js" defer></script>
${(options.scripts ?? []).map((src) => html`<script src="/assets/${src}" defer></script>`)}
</head>
<body>
<header class="brand">
<img src="/assets/favicon.svg" alt="" width="24" height="24">
${options.siteName ? html`<span class="site">${options.siteName}</span><span class="product">comments by Parley</span>` : html`<span class="site">Parley</span><span class="product">log-in for blog comments</span>`}
</header>
<main class="card">
${options.body}
</main>
<footer class="footer"><a href="/privacy" target="_blank" rel="noopener">Privacy</a></footer>
</body>
</html>`.value;
}
