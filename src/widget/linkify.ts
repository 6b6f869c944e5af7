/** A run of comment text: plain text, or an http(s) link. */
export type Segment = { readonly text: string; readonly href?: undefined } | { readonly text: string; readonly href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than a URL ("see https://a.example/x."). */
const TRAILING = /[.,;:!?'"*_]+$/;

/** A closing bracket belongs to the URL only if the URL opened one (Wikipedia-style links). */
function trimUrl(candidate: string): string {
  let url = candidate.replace(TRAILING, '');
  for (const pair of ['()', '[]']) {
    const open = pair[0]!;
    const close = pair[1]!;
    while (url.endsWith(close) && url.split(close).length > url.split(open).length) {
      url = url.slice(0, -1).replace(TRAILING, '');
    }
  }
  return url;
}

function httpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits comment text into text and links. Only explicit http:// and https:// URLs become links;
 * everything else, markup included, stays text (the renderer puts it in text nodes).
 */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  const push = (part: string) => {
    if (part === '') return;
    const previous = segments[segments.length - 1];
    if (previous && previous.href === undefined) segments[segments.length - 1] = { text: previous.text + part };
    else segments.push({ text: part });
  };
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const candidate = trimUrl(match[0]);
    const href = httpUrl(candidate);
    if (!href) continue;
    push(text.slice(last, start));
    segments.push({ text: candidate, href });
    last = start + candidate.length;
  }
  push(text.slice(last));
  return segments;
}
