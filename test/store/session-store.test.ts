import express from 'express';
import session from 'express-session';
import { openDatabase, type Db } from '../../src/store/database';
import { DatabaseSessionStore } from '../../src/store/session-store';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl } from '../helpers/postgres';
import { bindLoopback, type Listener } from '../helpers/listener';

/** The session store under express-session, as the gateway mounts it, over real HTTP and a real file (PostgreSQL in the cluster suite). */
describe('DatabaseSessionStore', () => {
  let db: Db;
  let listener: Listener;
  let base: string;
  let now = Date.now();

  beforeAll(async () => {
    const dataDir = makeDataDir();
    db = await openDatabase({ dataDir, fileName: 'gateway.sqlite', databaseUrl: await testDatabaseUrl(dataDir) });
    const app = express();
    app.use(
      session({
        name: 'sid',
        secret: 'test-secret',
        store: new DatabaseSessionStore(db, () => now),
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: 60_000 },
      }),
    );
    app.post('/remember/:value', (req, res) => {
      (req.session as unknown as { value?: string }).value = req.params['value'];
      res.send('saved');
    });
    app.get('/recall', (req, res) => void res.send(String((req.session as unknown as { value?: string }).value ?? 'nothing')));
    app.post('/forget', (req, res) => req.session.destroy(() => res.send('gone')));
    listener = await bindLoopback();
    listener.serve(app);
    base = `http://127.0.0.1:${listener.port}`;
  });

  afterAll(async () => {
    await listener.close();
    await db.destroy();
  });

  const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0];
  const row = (sid: string) => db.selectFrom('sessions').select(['data', 'expires_at']).where('sid', '=', sid).executeTakeFirst();
  const sidOf = (cookie: string) => decodeURIComponent(cookie.slice('sid='.length)).replace(/^s:/, '').replace(/\..*$/, '');

  it('keeps what a request stored for the next request of the same browser', async () => {
    const saved = await fetch(`${base}/remember/blue`, { method: 'POST' });
    const cookie = cookieOf(saved)!;
    expect(cookie).toMatch(/^sid=/);
    const recalled = await fetch(`${base}/recall`, { headers: { cookie } });
    expect(await recalled.text()).toBe('blue');
    expect(JSON.parse((await row(sidOf(cookie)))!.data)).toMatchObject({ value: 'blue' });
  });

  it('writes nothing for a request that only reads the session, so the row keeps the cookie\'s own expiry', async () => {
    now = 1_000_000_000_000;
    const saved = await fetch(`${base}/remember/green`, { method: 'POST' });
    // express-session sends the headers before its store has saved; the body ends after.
    await saved.text();
    const cookie = cookieOf(saved)!;
    const before = (await row(sidOf(cookie)))!;
    now += 30_000;
    const recalled = await fetch(`${base}/recall`, { headers: { cookie } });
    expect(await recalled.text()).toBe('green');
    // Not rolling: the browser is not sent a new expiry, so the row must not get one either.
    expect(recalled.headers.get('set-cookie')).toBeNull();
    expect(await row(sidOf(cookie))).toEqual(before);
  });

  it('treats an expired row as no session at all', async () => {
    now = Date.now();
    const cookie = cookieOf(await fetch(`${base}/remember/red`, { method: 'POST' }))!;
    now += 61_000;
    expect(await (await fetch(`${base}/recall`, { headers: { cookie } })).text()).toBe('nothing');
  });

  it('deletes the row when the session is destroyed', async () => {
    now = Date.now();
    const saved = await fetch(`${base}/remember/gold`, { method: 'POST' });
    await saved.text();
    const cookie = cookieOf(saved)!;
    expect(await row(sidOf(cookie))).toBeDefined();
    await fetch(`${base}/forget`, { method: 'POST', headers: { cookie } });
    expect(await row(sidOf(cookie))).toBeUndefined();
  });
});
