import { accountPage } from '../../src/gateway/views/account';
import type { Identity } from '../../src/store/accounts';

/**
 * The account page's reply-email switches when the account has no email address (logged in only
 * with Twitter or Facebook): the page says the emails cannot reach it, and how to fix that.
 */
describe('the account page\'s blogs', () => {
  const page = (identities: Identity[]) =>
    accountPage({
      account: { id: 'acc-1', displayName: 'Tess', picture: null },
      identities,
      addable: [],
      csrf: 'csrf-token',
      sites: [{ id: 'demo-blog', name: 'Demo Blog', lastUsedAt: Date.UTC(2026, 11, 1), replyEmails: true }],
      sessions: { listed: [] },
    });
  const twitter: Identity = { provider: 'twitter', subject: '42', label: '@tess', createdAt: 1 };
  const email: Identity = { provider: 'email', subject: 'tess@example.com', label: 'tess@example.com', createdAt: 2 };

  it('says reply emails cannot reach an account without an email address, and how to add one', () => {
    expect(page([twitter])).toContain('This account has no email address, so reply emails cannot reach you');
  });

  it('says nothing of it once the account has an address', () => {
    expect(page([twitter, email])).not.toContain('no email address');
  });
});
