import { html } from '../http/html';

/** The demo blog: one sample post with the widget embedded exactly as a blog owner would. */
export function demoPostPage(input: { commentsUrl: string; gatewayUrl: string; siteId: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Hello, readers — Demo Blog</title>
<style>
body { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; font: 18px/1.6 Georgia, serif; color: #222; background: #fdfcf9; }
header { border-bottom: 1px solid #ddd; margin-bottom: 2rem; }
h1 { font-size: 2rem; line-height: 1.2; }
.byline { color: #595959; font-size: .9rem; }
/* A blog that follows the reader's dark setting; the widget takes its palette from the page. */
@media (prefers-color-scheme: dark) {
  body { color: #e8e6e1; background: #1b1b1d; }
  header { border-bottom-color: #3a3a3e; }
  .byline { color: #b3b0a8; }
}
</style>
</head>
<body>
<header><p><strong>Demo Blog</strong> · a sample blog running Parley</p></header>
<main>
<article>
<h1>Hello, readers</h1>
<p class="byline">Posted by the blog owner</p>
<p>This is a sample post. Below it, Parley's widget shows the thread and lets you log in with
email, Twitter or Facebook to leave a reply. In this demo, Twitter and Facebook are development
emulators running on your machine, and emails land in the dev mailbox of the gateway.</p>
</article>
<section aria-label="Comments">
<div data-parley-site="${input.siteId}" data-parley-post="hello-readers"></div>
<script src="${input.commentsUrl}/widget.js" data-parley-gateway="${input.gatewayUrl}" async></script>
</section>
</main>
</body>
</html>`.value;
}
