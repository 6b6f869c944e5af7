import { oidcErrorPage, readerError } from '../../src/gateway/views/error-pages';

/**
 * The errors oidc-provider can show a reader, with the developer text it gives each
 * (node_modules/oidc-provider/lib/helpers/errors.js and the actions that raise them).
 */
const PROVIDER_ERRORS: Array<{ error: string; error_description: string }> = [
  { error: 'invalid_client', error_description: 'client is invalid' },
  { error: 'invalid_redirect_uri', error_description: "redirect_uri did not match any of the client's registered redirect_uris" },
  { error: 'invalid_request', error_description: "missing required parameter 'client_id'" },
  { error: 'invalid_request', error_description: 'interaction session id cookie not found' },
  { error: 'invalid_request', error_description: 'authorization request has expired' },
  { error: 'invalid_request', error_description: 'could not find logout details' },
  { error: 'invalid_request', error_description: 'xsrf token invalid' },
  { error: 'invalid_request', error_description: 'post_logout_redirect_uri not registered' },
  { error: 'invalid_request_uri', error_description: 'request_uri is invalid' },
  { error: 'request_uri_not_supported', error_description: 'request_uri parameter not supported' },
  { error: 'unsupported_response_type', error_description: 'unsupported response_type requested' },
  { error: 'unauthorized_client', error_description: 'requested response_type is not allowed for this client' },
  { error: 'invalid_scope', error_description: 'requested scope is not allowed' },
  { error: 'login_required', error_description: 'End-User authentication is required' },
  { error: 'consent_required', error_description: 'prompt consent is required' },
  { error: 'access_denied', error_description: 'The commenter cancelled the sign-in.' },
  { error: 'server_error', error_description: 'oops! something went wrong' },
  { error: 'temporarily_unavailable', error_description: 'temporarily unavailable' },
  { error: 'some_future_error', error_description: 'something new' },
];

const sentences = (text: string) => (text.match(/[.!?](?=\s|$)/g) ?? []).length;

/** The page's text outside its small print, tags stripped. */
function mainText(page: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(page)![1]!;
  return main
    .replace(/<p class="fine-print">[\s\S]*?<\/p>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'");
}

describe('an OAuth error, as a reader reads it', () => {
  test.each(PROVIDER_ERRORS)('$error ($error_description): one sentence of what happened, one of what to do, no developer words', (out) => {
    const said = readerError(out.error, out.error_description);
    expect(sentences(said.message)).toBe(1);
    expect(sentences(said.detail)).toBe(1);
    expect(said.detail).toMatch(/^(Close this window|Go back|Try again)/);
    for (const text of [said.title, said.message, said.detail]) expect(text).not.toMatch(/_|client|redirect|xsrf|parameter|oops/i);
  });

  test.each(PROVIDER_ERRORS)('the page of $error shows its code only as small print, and never the description', (out) => {
    const page = oidcErrorPage(out, 'Demo Blog');
    expect(mainText(page)).not.toContain(out.error);
    expect(page).not.toContain(out.error_description.replace(/'/g, '&#39;'));
    expect(page).toContain(`<p class="fine-print">Error code: <code>${out.error}</code></p>`);
    expect(page).toContain('Demo Blog');
  });

  test('an unknown site says the blog is not set up, and whom to tell', () => {
    expect(readerError('invalid_client')).toEqual({
      title: 'This log-in cannot continue',
      message: 'This blog is not set up to let readers log in here.',
      detail: 'Close this window and tell the blog’s owner.',
    });
  });

  test('a lost or expired log-in session reads as an expired log-in, not as a bad request', () => {
    expect(readerError('invalid_request', 'interaction session not found').title).toBe('This log-in has expired');
    expect(readerError('invalid_request', 'authorization request has expired').title).toBe('This log-in has expired');
    expect(readerError('invalid_request', "missing required parameter 'client_id'").title).toBe('This log-in cannot continue');
  });

  test('a code that is not a plain word is not printed, even small', () => {
    const page = oidcErrorPage({ error: '<script>alert(1)</script>' });
    expect(page).not.toContain('fine-print');
    expect(page).not.toContain('<script>alert');
  });
});
