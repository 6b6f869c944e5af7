/**
 * The embed code (DESIGN.md, Widget):
 *
 *   <div data-parley-site="demo-blog" data-parley-post="my-post"></div>
 *   <script src="https://comments.example/widget.js" data-parley-gateway="https://login.example" async></script>
 *
 * The gateway comes from the script's `data-parley-gateway`; the comment service is wherever the
 * script itself was served from.
 */
export interface EmbedConfig {
  /** The gateway's URL (the OIDC issuer), without a trailing slash. */
  readonly gatewayUrl: string;
  /** The comment service's origin. */
  readonly commentsUrl: string;
}

export interface Mount {
  readonly element: HTMLElement;
  readonly siteId: string;
  readonly postId: string;
}

export class EmbedError extends Error {}

function httpUrl(value: string | null | undefined, what: string): URL {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new EmbedError(`${what} must be an absolute http(s) URL (got ${JSON.stringify(value ?? null)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EmbedError(`${what} must be an http(s) URL (got "${url.href}")`);
  return url;
}

/** Reads the configuration from the script tag that loaded the widget. */
export function readEmbedConfig(script: { readonly src: string; getAttribute(name: string): string | null } | null): EmbedConfig {
  if (!script) throw new EmbedError('cannot find its own <script> tag; load widget.js with a plain <script src=… data-parley-gateway=…> tag');
  const gateway = httpUrl(script.getAttribute('data-parley-gateway'), 'data-parley-gateway on the widget script');
  const src = httpUrl(script.src, 'the widget script src');
  return { gatewayUrl: (gateway.origin + gateway.pathname).replace(/\/+$/, ''), commentsUrl: src.origin };
}

const SELECTOR = '[data-parley-site][data-parley-post]';

/** Every element that asks for a thread and is not showing one yet. */
export function findMounts(root: ParentNode): Mount[] {
  const mounts: Mount[] = [];
  root.querySelectorAll<HTMLElement>(SELECTOR).forEach((element) => {
    if (element.hasAttribute('data-parley-mounted')) return;
    const siteId = element.getAttribute('data-parley-site')!.trim();
    const postId = element.getAttribute('data-parley-post')!.trim();
    if (siteId === '' || postId === '') return;
    mounts.push({ element, siteId, postId });
  });
  return mounts;
}
