/**
 * HTML for the emulator pages. Interpolated values are escaped unless they are already
 * SafeHtml, so a display name, a `state` or a callback URL can never inject markup; every page
 * carries a banner saying it is a development emulator and not the real provider.
 */
import type { Response } from 'express';
import { html, SafeHtml } from '../http/html';

export { escapeHtml, SafeHtml, html } from '../http/html';

export type EmulatedProvider = 'Twitter' | 'Facebook';

export interface Page {
  /** The provider being imitated, or undefined for the emulators' own index page. */
  readonly provider: EmulatedProvider | undefined;
  readonly title: string;
  readonly body: SafeHtml;
}

const STYLE = new SafeHtml(`
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b}
.banner{background:#b45309;color:#fff;padding:.75rem 1rem;font-weight:600;text-align:center}
main{max-width:34rem;margin:2rem auto;background:#fff;border-radius:.5rem;padding:1.5rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin-top:0}
button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font-size:1rem;border-radius:.4rem;border:1px solid #a1a1aa;background:#fafafa;cursor:pointer;text-align:left}
button.primary{border-color:#2563eb}
button.deny{text-align:center;background:#fff;color:#b91c1c;border-color:#fca5a5}
code,.mono{font-family:ui-monospace,monospace;word-break:break-all}
small{color:#52525b}
`);

export function renderPage(page: Page): string {
  const who = page.provider ?? 'Twitter or Facebook';
  const suffix = page.provider ? `${page.provider} emulator` : 'Parley provider emulators';
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${page.title} · ${suffix} (development only)</title>
<style>${STYLE}</style>
</head>
<body>
<div class="banner" role="note">Development emulator: this is not the real ${who}. It signs in made-up test users only; never enter a real password here.</div>
<main>
${page.body}
</main>
</body>
</html>
`.value;
}

/** Sends a page with headers that keep it out of caches and frames. */
export function sendPage(res: Response, status: number, page: Page): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // form-action is left out on purpose: browsers apply it to the redirect that follows a
      // form post, and these forms redirect to the relying party's callback.
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    })
    .send(renderPage(page));
}
