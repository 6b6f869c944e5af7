/** The parts of the gateway's OpenID Provider metadata the widget uses. */
export interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
  /** RFC 7009 token revocation ("Log Out" revokes the site's token there). */
  readonly revocation_endpoint?: string;
  /** RFC 9207: the gateway puts `iss` in every authorization response. */
  readonly authorization_response_iss_parameter_supported?: boolean;
}

const cache = new Map<string, Promise<Discovery>>();

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const protocol = new URL(value).protocol;
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

async function fetchDiscovery(gatewayUrl: string): Promise<Discovery> {
  const response = await fetch(`${gatewayUrl}/.well-known/openid-configuration`, { credentials: 'omit', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const metadata = (await response.json()) as Partial<Discovery>;
  // OpenID Connect Discovery §4.3: the issuer must be the URL the metadata was fetched for.
  if (metadata.issuer !== gatewayUrl) throw new Error(`discovery names issuer ${String(metadata.issuer)}, expected ${gatewayUrl}`);
  if (!isHttpUrl(metadata.authorization_endpoint) || !isHttpUrl(metadata.token_endpoint)) throw new Error('discovery lacks endpoints');
  return metadata as Discovery;
}

/** The gateway's metadata, fetched once per page (a failed fetch is retried next time). */
export function discover(gatewayUrl: string): Promise<Discovery> {
  let pending = cache.get(gatewayUrl);
  if (!pending) {
    pending = fetchDiscovery(gatewayUrl);
    cache.set(gatewayUrl, pending);
    pending.catch(() => cache.delete(gatewayUrl));
  }
  return pending;
}
