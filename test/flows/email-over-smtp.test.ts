import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, interactionUid, redeemCode, relayParams } from '../helpers/oidc-client';
import { count, openGatewayDb } from '../helpers/db';
import { startSmtpServer } from '../helpers/smtp';

describe('email sign-in over real SMTP', () => {
  it('delivers one message to exactly one recipient, and the code in it signs in', async () => {
    const smtp = await startSmtpServer();
    const gw = await startTestGateway({ env: { PARLEY_SMTP_URL: smtp.url, PARLEY_MAIL_FROM: 'Demo Blog <comments@blog.example>' } });
    try {
      const discovery = await discover(gw.issuer);
      const browser = new TestBrowser();
      const { pending, response } = await authorize(browser, discovery, { provider: 'email' });
      const uid = interactionUid(response);
      const sent = await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email: 'Reader@Example.net', name: 'Reader' });
      expect(sent.status).toBe(200);
      expect(sent.text).not.toContain('dev mailbox');
      expect(smtp.received).toHaveLength(1);
      const [mail] = smtp.received;
      expect(mail!.to).toEqual(['reader@example.net']);
      expect(mail!.from).toBe('comments@blog.example');
      expect(mail!.raw).toMatch(/^Subject: Log in to comment on Demo Blog/m);
      // No dev mailbox when real SMTP is configured.
      expect((await fetch(`${gw.issuer}/dev/mailbox?to=reader@example.net`)).status).toBe(404);

      const text = mail!.raw.replace(/=\r?\n/g, '');
      const relay = await browser.post(`${gw.issuer}/interaction/${uid}/email/code`, { code: codeIn({ to: '', subject: '', html: '', sentAt: '', text }) });
      expect((await redeemCode(discovery, pending, relayParams(relay).get('code')!)).status).toBe(200);
    } finally {
      await gw.stop();
      await smtp.close();
    }
  });

  it('shows a clean 503 with a way to retry when the SMTP server refuses, and keeps no sign-in', async () => {
    const smtp = await startSmtpServer({ reject: true });
    const gw = await startTestGateway({ env: { PARLEY_SMTP_URL: smtp.url } });
    const db = openGatewayDb(gw.dataDir);
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const browser = new TestBrowser();
      const { response } = await authorize(browser, await discover(gw.issuer), { provider: 'email' });
      const uid = interactionUid(response);
      const answer = await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email: 'bounce@example.net', name: 'B' });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('30');
      expect(answer.text).toContain('We could not send the email just now');
      expect(answer.text).toContain(`action="/interaction/${uid}/email"`);
      expect(answer.text).toContain('value="bounce@example.net"');
      expect(answer.text).not.toMatch(/at .*\.(js|ts):\d+/);
      expect(count(db, 'select count(*) n from email_signins')).toBe(0);
    } finally {
      errors.mockRestore();
      db.close();
      await gw.stop();
      await smtp.close();
    }
  });

  it('shows the same clean 503 when no SMTP server answers at all', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gw = await startTestGateway({ env: { PARLEY_SMTP_URL: `smtp://127.0.0.1:${port}` } });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const browser = new TestBrowser();
      const { response } = await authorize(browser, await discover(gw.issuer), { provider: 'email' });
      const answer = await browser.post(`${gw.issuer}/interaction/${interactionUid(response)}/email`, { email: 'nobody@example.net' });
      expect(answer.status).toBe(503);
      expect(answer.text).toContain('try again');
    } finally {
      errors.mockRestore();
      await gw.stop();
    }
  });
});
