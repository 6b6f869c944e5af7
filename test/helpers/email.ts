import { TestBrowser, type BrowserResponse } from './browser';
import { authorize, interactionUid, readMailbox, type Discovery, type MailboxMessage, type PendingAuthorization } from './oidc-client';

export interface StartedEmailSignIn {
  readonly pending: PendingAuthorization;
  readonly uid: string;
  readonly sent: BrowserResponse;
  readonly message: MailboxMessage | undefined;
}

/** Opens the popup with provider=email and asks for the sign-in email. */
export async function startEmailSignIn(
  browser: TestBrowser,
  discovery: Discovery,
  email: string,
  options: { name?: string; siteId?: string; params?: Record<string, string> } = {},
): Promise<StartedEmailSignIn> {
  const { pending, response } = await authorize(browser, discovery, { provider: 'email', siteId: options.siteId, params: options.params });
  const uid = interactionUid(response);
  const sent = await browser.post(`${discovery.issuer}/interaction/${uid}/email`, { email, name: options.name ?? 'Test Commenter' });
  const [message] = sent.status === 200 ? await readMailbox(discovery.issuer, email.trim().toLowerCase()) : [];
  return { pending, uid, sent, message };
}
