import { formAction, hiddenFields } from './html-forms';

/**
 * A small stand-in for a browser over real HTTP: a cookie jar (path-aware, honouring Max-Age and
 * Expires) and manual redirects, so tests see every hop of a sign-in the way a popup would.
 */
interface Cookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number | undefined;
}

export interface Hop {
  readonly url: string;
  readonly status: number;
}

export interface BrowserResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly hops: readonly Hop[];
}

export class TestBrowser {
  private cookies: Cookie[] = [];

  /** Requests a URL and follows redirects (GET after 302/303, like a browser). */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; follow?: boolean } = {}): Promise<BrowserResponse> {
    let current = url;
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const hops: Hop[] = [];
    for (let i = 0; i < 20; i++) {
      const headers: Record<string, string> = { accept: 'text/html,application/json', ...init.headers };
      const cookie = this.cookieHeader(current);
      if (cookie) headers['cookie'] = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const response = await fetch(current, { method, headers, body, redirect: 'manual' });
      this.store(current, response.headers.getSetCookie());
      hops.push({ url: current, status: response.status });
      const location = response.headers.get('location');
      if (init.follow !== false && location && response.status >= 300 && response.status < 400) {
        await response.arrayBuffer();
        current = new URL(location, current).href;
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const text = await response.text();
      // oidc-provider's form_post pages submit themselves with an inline script (allowed by a CSP
      // hash it adds); a browser runs it, so this one does too, after checking the CSP allows it.
      if (init.follow !== false && text.includes('<title>Submitting Callback</title>')) {
        if (!/script-src[^;]*'sha256-/.test(response.headers.get('content-security-policy') ?? '')) {
          throw new Error(`the self-submitting form at ${current} would be blocked by its Content-Security-Policy`);
        }
        current = new URL(formAction(text), current).href;
        method = 'POST';
        body = new URLSearchParams(hiddenFields(text)).toString();
        continue;
      }
      return { url: current, status: response.status, headers: response.headers, text, hops };
    }
    throw new Error(`too many redirects from ${url}: ${hops.map((hop) => `${hop.status} ${hop.url}`).join(" -> ")}`);
  }

  get(url: string, headers?: Record<string, string>): Promise<BrowserResponse> {
    return this.request(url, { headers });
  }

  post(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<BrowserResponse> {
    return this.request(url, { form, headers });
  }

  cookieNames(): string[] {
    this.prune();
    return this.cookies.map((cookie) => cookie.name);
  }

  cookieValue(name: string): string | undefined {
    this.prune();
    return this.cookies.find((cookie) => cookie.name === name)?.value;
  }

  private cookieHeader(url: string): string {
    this.prune();
    const { pathname } = new URL(url);
    return this.cookies
      .filter((cookie) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) || cookie.path === '/')
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(url: string, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let path = new URL(url).pathname.replace(/\/[^/]*$/, '') || '/';
      let expiresAt: number | undefined;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.trim().split('=');
        const attrValue = rest.join('=');
        const lower = key!.toLowerCase();
        if (lower === 'path') path = attrValue || '/';
        if (lower === 'max-age') expiresAt = Date.now() + Number(attrValue) * 1000;
        if (lower === 'expires' && expiresAt === undefined) expiresAt = new Date(attrValue).getTime();
      }
      this.cookies = this.cookies.filter((cookie) => !(cookie.name === name && cookie.path === path));
      if (expiresAt === undefined || expiresAt > Date.now()) this.cookies.push({ name, value, path, expiresAt });
    }
  }

  private prune(): void {
    const now = Date.now();
    this.cookies = this.cookies.filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now);
  }
}

/** The first match of a pattern in a page, or a failure that shows the page. */
export function extract(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`pattern ${pattern} not found in:\n${text.slice(0, 2000)}`);
  return match[1]!;
}
