/**
 * The baseline for sign-in throughput: what a blog owner might put together with bare Express,
 * express-session's memory store and passport, doing the same upstream handshakes (an emailed
 * link and code; Twitter's OAuth 1.0a against the same emulator) and handing out a signed token
 * at the end — without OIDC, PKCE, persistence, rate limits, hashing or any of our checks.
 */
import { generateKeyPairSync, randomBytes, randomInt, sign } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import passport, { Strategy } from 'passport';
import { Strategy as TwitterStrategy } from 'passport-twitter';
import type { Request } from 'express';
import { answerMeasurementQueries } from '../lib/measurement-queries';

const twitterApi = process.env['BENCH_TWITTER_API_URL']!;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const mailbox = new Map<string, string>();
const pending = new Map<string, { email: string; code: string; confirmed: boolean }>();

function issueToken(subject: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ sub: subject, iat: Math.floor(Date.now() / 1000) })).toString('base64url');
  return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
}

class EmailCodeStrategy extends Strategy {
  override name = 'email-code';
  override authenticate(req: Request): void {
    const id = (req.session as unknown as { signin?: string }).signin;
    const signin = id ? pending.get(id) : undefined;
    if (!signin || !(signin.confirmed || (req.body as { code?: string })?.code === signin.code)) return this.fail(400);
    pending.delete(id!);
    this.success({ id: signin.email });
  }
}

passport.use(new EmailCodeStrategy());
passport.use(
  new TwitterStrategy(
    {
      consumerKey: 'parley-dev-twitter',
      consumerSecret: 'parley-dev-twitter-secret',
      requestTokenURL: `${twitterApi}/oauth/request_token`,
      accessTokenURL: `${twitterApi}/oauth/access_token`,
      userAuthorizationURL: `${twitterApi}/oauth/authenticate`,
      userProfileURL: `${twitterApi}/1.1/account/verify_credentials.json`,
      callbackURL: '/auth/twitter/callback',
    },
    (_token: string, _secret: string, profile: { id: string }, done: (error: unknown, user?: object) => void) => done(null, { id: `twitter:${profile.id}` }),
  ),
);
passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
passport.deserializeUser((id: string, done) => done(null, { id }));

const app = express();
app.use(session({ secret: 'bench', resave: false, saveUninitialized: false }));
app.use(express.urlencoded({ extended: false }));
app.use(passport.initialize());
app.use(passport.session());

app.post('/email', (req, res) => {
  const id = randomBytes(16).toString('hex');
  const token = randomBytes(32).toString('base64url');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  pending.set(id, { email: String(req.body.email), code, confirmed: false });
  pending.set(token, pending.get(id)!);
  mailbox.set(String(req.body.email), `link /confirm?token=${token} code ${code}`);
  (req.session as unknown as { signin?: string }).signin = id;
  res.send('check your email');
});
app.get('/mailbox', (req, res) => void res.json({ text: mailbox.get(String(req.query['to'])) }));
app.get('/confirm', (req, res) => void res.send(`<form method="post"><input name="token" value="${String(req.query['token'])}"></form>`));
app.post('/confirm', (req, res) => {
  const signin = pending.get(String(req.body.token));
  if (!signin) return void res.status(410).end();
  signin.confirmed = true;
  res.send('signed in, return to the window');
});
app.post('/complete', passport.authenticate('email-code'), (_req, res) => void res.send('ok'));
app.post('/token', (req, res) => {
  if (!req.user) return void res.status(401).end();
  res.json({ access_token: issueToken((req.user as { id: string }).id) });
});
app.get('/auth/twitter', passport.authenticate('twitter'));
app.get('/auth/twitter/callback', passport.authenticate('twitter'), (req, res) => {
  res.json({ access_token: issueToken((req.user as { id: string }).id) });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.send!({ ready: true, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
});
answerMeasurementQueries();
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
