import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Page } from 'playwright-core';
import { loadSettings } from '../../src/config';
import { createCommentService, type CommentService } from '../../src/comments';
import { demoPostPage } from '../../src/demo/page';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { bindLoopback, type Listener } from '../helpers/listener';
import { mailedCode } from './support/stack';

/**
 * The moderation page's browser tests run on a stack of their own, like support/stack.ts but with
 * a sites file that names moderators: demo-blog (moderated by mod@example.com, post-moderated),
 * other-blog (moderated by other-mod@example.com), held-blog (mod@example.com, pre-moderated) and
 * guest-blog (mod@example.com, taking guest comments),
 * each with a blog page carrying the widget.
 */

export const MODERATOR = { email: 'mod@example.com', name: 'Molly Moderator' };
export const OTHER_MODERATOR = { email: 'other-mod@example.com', name: 'Otto Other' };

export interface ModerationStack {
  readonly gatewayUrl: string;
  readonly commentsUrl: string;
  /** Each site's blog post page, by site id. */
  readonly blogUrls: Readonly<Record<'demo-blog' | 'other-blog' | 'held-blog' | 'guest-blog', string>>;
  readonly gateway: Gateway;
  readonly comments: CommentService;
  mailedCode(to: string): Promise<string>;
  close(): Promise<void>;
}

export async function startModerationStack(): Promise<ModerationStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-moderation-'));
  const listeners: Listener[] = [];
  const bind = async () => {
    const listener = await bindLoopback();
    listeners.push(listener);
    return listener;
  };
  const gatewayListener = await bind();
  const commentsListener = await bind();
  const blogListeners = { 'demo-blog': await bind(), 'other-blog': await bind(), 'held-blog': await bind(), 'guest-blog': await bind() };
  const gatewayUrl = `http://localhost:${gatewayListener.port}`;
  const commentsUrl = `http://localhost:${commentsListener.port}`;
  const origin = (site: keyof typeof blogListeners) => `http://localhost:${blogListeners[site].port}`;
  const sites = [
    { id: 'demo-blog', name: 'Demo Blog', origins: [origin('demo-blog')], moderators: [MODERATOR.email] },
    { id: 'other-blog', name: 'Other Blog', origins: [origin('other-blog')], moderators: [OTHER_MODERATOR.email] },
    { id: 'held-blog', name: 'Held Blog', origins: [origin('held-blog')], moderators: [MODERATOR.email], moderation: 'pre' },
    { id: 'guest-blog', name: 'Guest Blog', origins: [origin('guest-blog')], moderators: [MODERATOR.email], guests: true },
  ];
  const sitesFile = path.join(dataDir, 'sites.json');
  fs.writeFileSync(sitesFile, JSON.stringify(sites));
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: gatewayUrl,
    PARLEY_GATEWAY_PORT: String(gatewayListener.port),
    PARLEY_COMMENTS_URL: commentsUrl,
    PARLEY_COMMENTS_PORT: String(commentsListener.port),
    PARLEY_SITES_FILE: sitesFile,
  });
  const gateway = await createGateway(settings, {
    keyWatchIntervalMs: 0,
    log: () => undefined,
    emailRateLimits: { perAddress: { limit: 50, windowSeconds: 900 }, perClient: { limit: 500, windowSeconds: 900 } },
  });
  gatewayListener.serve(gateway.app);
  const comments = await createCommentService(settings, { log: () => undefined });
  commentsListener.serve(comments.app);
  for (const [siteId, listener] of Object.entries(blogListeners)) {
    const blog = express();
    blog.get('/', (_req, res) => res.type('html').send(demoPostPage({ commentsUrl, gatewayUrl, siteId })));
    listener.serve(blog);
  }

  return {
    gatewayUrl,
    commentsUrl,
    blogUrls: {
      'demo-blog': `${origin('demo-blog')}/`,
      'other-blog': `${origin('other-blog')}/`,
      'held-blog': `${origin('held-blog')}/`,
      'guest-blog': `${origin('guest-blog')}/`,
    },
    gateway,
    comments,
    mailedCode: (to) => mailedCode(gatewayUrl, to),
    async close() {
      for (const listener of listeners) await listener.close();
      await gateway.close();
      await comments.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * On the moderation page: "Sign in to moderate" (or another button that opens the sign-in
 * window), then in the window the gateway's picker, Email, the address and name, and the mailed
 * code; waits until the window has closed.
 */
export async function signInToModerate(page: Page, stack: ModerationStack, who: { email: string; name: string }, buttonName = 'Sign in to moderate'): Promise<void> {
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: buttonName }).click();
  const popup = await popupOpened;
  const closed = popup.isClosed() ? Promise.resolve() : popup.waitForEvent('close');
  await popup.getByRole('link', { name: /^Log in with Email/ }).click();
  await popup.getByLabel('Email address').fill(who.email);
  await popup.getByLabel('Your name, shown with your comments').fill(who.name);
  await popup.getByRole('button', { name: 'Email me a code' }).click();
  await popup.getByLabel('6-digit code').fill(await stack.mailedCode(who.email));
  await popup.getByRole('button', { name: 'Log in', exact: true }).click();
  await closed;
}

/** The token the page keeps in its tab (the widget's own storage key), for calling the API directly. */
export function pageToken(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const key = sessionStorage.key(i)!;
      if (key.startsWith('parley.token:')) return sessionStorage.getItem(key);
    }
    return null;
  });
}
