import { html } from '../../http/html';
import { page } from '../html';

/**
 * "Download my data" when the comment service did not answer: nothing is downloaded (a file
 * without the comments would look complete and not be), and one button tries again.
 */
export function exportUnavailablePage(input: { csrf: string }): string {
  return page({
    title: 'Download not ready',
    body: html`<h1>Your data could not be gathered just now</h1>
<p class="error" role="alert">The blogs' comment service did not answer, so your comments could not be included. Nothing was downloaded.</p>
<form method="post" action="/account/export" class="action">
<input type="hidden" name="csrf" value="${input.csrf}">
<p class="muted" id="retry-help">This is usually brief: try again in a moment.</p>
<button type="submit" aria-describedby="retry-help">Try again</button>
</form>
<p class="way-back"><a href="/account">Back to your account</a></p>`,
  });
}
