/**
 * The `htu` of a DPoP proof (RFC 9449 §4.2): the HTTP URI of the request, without query and
 * fragment. The URL a request was made to is rebuilt from the configured public URL and the path
 * of the request line; the Host header (and the authority of an absolute-form request target)
 * are never read: they are the client's to choose, and a proof made for another host must not
 * become valid by naming that host in the request.
 *
 * Both sides are compared after RFC 3986 §6.2.2 syntax-based and §6.2.3 scheme-based
 * normalisation (RFC 9449 §4.3, step 9): scheme and host in lower case, no default port, dot
 * segments resolved, an empty path as `/` (all done by WHATWG URL parsing), then percent-escapes
 * of unreserved characters decoded and every other percent-escape in upper case.
 */

/** The path of a request target (origin-form or absolute-form), without query; undefined for `*`. */
export function requestPath(target: string): string | undefined {
  if (target.startsWith('/')) {
    const end = target.search(/[?#]/);
    return end === -1 ? target : target.slice(0, end);
  }
  // Absolute-form (RFC 9112 §3.2.2), which a client may send to any server: only its path counts.
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normalisePercentEscapes(path: string): string {
  return path.replace(PERCENT_ESCAPE, (_escape, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}

/** An http(s) URL in normal form without query and fragment, or undefined if it is none. */
export function normaliseHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    return undefined;
  }
  return `${url.origin}${normalisePercentEscapes(url.pathname)}`;
}

/**
 * True when a proof's `htu` names the request: `publicUrl` (no trailing slash) followed by the
 * request target's path. The exact string a client builds matches without parsing; anything else
 * is compared in normal form.
 */
export function htuMatches(htu: string, publicUrl: string, target: string): boolean {
  const path = requestPath(target);
  if (path === undefined) return false;
  const expected = `${publicUrl}${path}`;
  if (htu === expected) return true;
  const normalisedHtu = normaliseHtu(htu);
  return normalisedHtu !== undefined && normalisedHtu === normaliseHtu(expected);
}
