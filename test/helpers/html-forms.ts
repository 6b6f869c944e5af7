/**
 * Reading the one form of a server-rendered page (emulator sign-in pages, oidc-provider's
 * self-submitting form_post pages) the way a browser would submit it.
 */
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);
}

/** The hidden inputs of the (single) form on a page. */
export function hiddenFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) {
    fields[decodeEntities(match[1] ?? '')] = decodeEntities(match[2] ?? '');
  }
  return fields;
}

/** The action of the (single) POST form on a page. */
export function formAction(page: string): string {
  const match = /<form method="post" action="([^"]*)">/.exec(page);
  if (!match) throw new Error('no form on the page');
  return decodeEntities(match[1] ?? '');
}
