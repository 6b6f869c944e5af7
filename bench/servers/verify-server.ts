/**
 * One Express app, one JSON comment-like route, four ways to guard it: not at all (the
 * baseline), Parley's verifier, express-jwt + jwks-rsa, and passport-jwt + jwks-rsa. All four
 * check the same RS256 tokens against the same JWKS.
 */
import express, { type RequestHandler } from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import passport from 'passport';
import { Strategy as JwtStrategy, ExtractJwt } from 'passport-jwt';
import { createVerifier, requireCommenter } from '../../packages/verify/src';

const issuer = process.env['BENCH_ISSUER']!;
const audience = process.env['BENCH_AUDIENCE']!;
const jwksUri = `${issuer}/jwks`;

const app = express();
app.disable('x-powered-by');
const json = express.json({ limit: '32kb' });
const created: RequestHandler = (req, res) => {
  res.status(201).json({ comment: { id: 1, body: (req.body as { body?: string } | undefined)?.body ?? '' } });
};

app.post('/none', json, created);
app.post('/parley', requireCommenter(createVerifier({ issuer, audience, clientId: 'demo-blog' })), json, created);
app.post(
  '/express-jwt',
  expressjwt({ secret: jwksRsa.expressJwtSecret({ jwksUri, cache: true, rateLimit: true }) as never, algorithms: ['RS256'], issuer, audience }),
  json,
  created,
);
passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: jwksRsa.passportJwtSecret({ jwksUri, cache: true, rateLimit: true }),
      algorithms: ['RS256'],
      issuer,
      audience,
    },
    (payload: unknown, done: (error: unknown, user?: unknown) => void) => done(null, payload),
  ),
);
app.post('/passport-jwt', passport.initialize(), passport.authenticate('jwt', { session: false }), json, created);

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.send!({ ready: true, url: `http://127.0.0.1:${address.port}` });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
