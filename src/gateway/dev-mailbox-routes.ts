import { Router } from 'express';
import { parseEmailAddress } from '../mail/address';
import type { DevMailbox } from '../store/dev-mailbox';

/**
 * GET /dev/mailbox?to=ADDR: what the dev mailer "sent" to one address, newest first. Mounted only
 * outside production and only when no SMTP server is configured.
 */
export function devMailboxRoutes(mailbox: DevMailbox): Router {
  const router = Router();
  router.get('/dev/mailbox', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const parsed = parseEmailAddress(req.query['to']);
    if (!parsed.ok) return void res.status(400).json({ error: 'invalid_request', message: `to: ${parsed.reason}` });
    res.json({ messages: await mailbox.list(parsed.address) });
  });
  return router;
}
