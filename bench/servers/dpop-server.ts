/**
 * The DPoP benchmark's server: one JSON comment-like route guarded by Parley's verifier (which
 * takes Bearer and DPoP alike, as the comment service does), and the same route unguarded as the
 * baseline. The public URL is the audience; the proofs name it, not this loopback address.
 */
import express, { type RequestHandler } from 'express';
import { createVerifier, requireCommenter } from '../../packages/verify/src';

const issuer = process.env['BENCH_ISSUER']!;
const audience = process.env['BENCH_AUDIENCE']!;

const app = express();
app.disable('x-powered-by');
const json = express.json({ limit: '32kb' });
const created: RequestHandler = (req, res) => {
  res.status(201).json({ comment: { id: 1, body: (req.body as { body?: string } | undefined)?.body ?? '' } });
};

// Room for every proof of a run: the default (100,000) holds a minute at 1,500 a second, and a
// loopback benchmark goes faster than that.
const verifier = createVerifier({ issuer, audience, clientId: 'demo-blog', dpopReplayCacheMaxEntries: 2_000_000 });
app.post('/none', json, created);
app.post('/parley', requireCommenter(verifier), json, created);

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.send!({ ready: true, url: `http://127.0.0.1:${address.port}` });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
