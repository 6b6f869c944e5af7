import { sanitiseCommentText } from '../text';

/**
 * Turns an imported comment's HTML into the plain text Parley stores (comments are plain text:
 * text.ts). What a reader saw is kept, nothing else:
 *
 * - Tags are dropped; `<script>` and `<style>` with their content.
 * - Character references are decoded: numeric ones, and the named ones comments actually carry
 *   (NAMED below; another name is left as written, as a browser shows an unknown one).
 * - A link keeps its address: `<a href="https://x.example">here</a>` becomes
 *   "here (https://x.example)", and a link whose text is its address becomes the address once.
 * - Block elements become line breaks (`<br>`, `<li>`: one; `<p>`, `<div>`, `<blockquote>`,
 *   headings…: a blank line). Line breaks already in the text are kept: WordPress stores
 *   comments with plain newlines and adds `<p>` only when showing them.
 *
 * The result goes through the service's own sanitising (controls removed, NFC, trimmed).
 */

/**
 * The longest HTML converted: ten times the longest comment the service takes (10,000 characters)
 * leaves room for any markup; a longer one is reported as too long without being converted.
 */
export const MAX_HTML_LENGTH = 100_000;

const PARAGRAPH_ELEMENTS = new Set(['p', 'div', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'dl', 'table', 'hr', 'section', 'article', 'figure', 'header', 'footer', 'aside']);
const LINE_ELEMENTS = new Set(['br', 'li', 'tr', 'dt', 'dd', 'figcaption']);
/** Their content is not text a reader saw. */
const HIDDEN_CONTENT = new Set(['script', 'style', 'template', 'noscript']);

/**
 * A comment, a CDATA section, a tag (with attributes, quoted values may hold ">"), a declaration
 * or a processing instruction. A tag's inside is bounded (1,000 parts, a quoted value 10,000 characters): otherwise every "<"
 * of a hostile text without ">" ("<a<a<a…") would be scanned to the end, quadratic in its length.
 * A "<" that starts none of these is text.
 */
const MARKUP = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)|<(\/?)([A-Za-z][A-Za-z0-9:-]{0,63})((?:[^>"']|"[^"]{0,10000}"|'[^']{0,10000}'){0,1000})>|<![^>]{0,1000}>|<\?[^>]{0,1000}>/g;
const HREF = /(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const SAFE_LINK = /^(?:https?:|mailto:)/i;

export function htmlToText(html: string): string {
  let out = '';
  let hiddenUntil: string | undefined;
  const links: { href: string | undefined; start: number }[] = [];
  let last = 0;
  for (const match of html.matchAll(MARKUP)) {
    if (hiddenUntil === undefined) out += decodeEntities(html.slice(last, match.index));
    last = match.index + match[0].length;
    const [whole, cdata, closing, rawName, attributes] = match;
    if (cdata !== undefined) {
      if (hiddenUntil === undefined) out += cdata;
      continue;
    }
    if (rawName === undefined || whole.startsWith('<!') || whole.startsWith('<?')) continue;
    const name = rawName.toLowerCase();
    if (hiddenUntil !== undefined) {
      if (closing === '/' && name === hiddenUntil) hiddenUntil = undefined;
      continue;
    }
    if (HIDDEN_CONTENT.has(name) && closing !== '/' && !/\/\s*$/.test(attributes ?? '')) {
      hiddenUntil = name;
    } else if (PARAGRAPH_ELEMENTS.has(name)) {
      out += '\n\n';
    } else if (LINE_ELEMENTS.has(name)) {
      if (closing !== '/' || name !== 'li') out += '\n';
    } else if (name === 'a') {
      if (closing !== '/') {
        links.push({ href: hrefOf(attributes ?? ''), start: out.length });
      } else {
        const link = links.pop();
        if (link !== undefined) out += linkSuffix(out.slice(link.start), link.href);
      }
    }
  }
  if (hiddenUntil === undefined) out += decodeEntities(html.slice(last));
  // A link never closed still keeps its address.
  for (const link of links.reverse()) out += linkSuffix(out.slice(link.start), link.href);
  return tidy(out);
}

function hrefOf(attributes: string): string | undefined {
  const match = HREF.exec(attributes);
  if (match === null) return undefined;
  const href = decodeEntities(match[1] ?? match[2] ?? match[3] ?? '').trim();
  // javascript: and data: addresses are not worth keeping as text a reader might follow.
  return SAFE_LINK.test(href) ? href : undefined;
}

/** What follows a link's text: its address, unless the text already is the address. */
function linkSuffix(text: string, href: string | undefined): string {
  if (href === undefined) return '';
  const shown = text.trim();
  const bare = (value: string) => value.replace(/^(?:https?:\/\/|mailto:)/i, '').replace(/\/$/, '');
  if (shown === '') return href;
  if (shown === href || bare(shown) === bare(href)) return '';
  return ` (${href})`;
}

function tidy(text: string): string {
  return sanitiseCommentText(
    text
      .replace(/\r\n?/g, '\n')
      // A no-break space is a space to a reader of plain text.
      .replace(/\u00A0/g, ' ')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n[ \t]+(?=\n)/g, '\n')
      .replace(/\n{3,}/g, '\n\n'),
  );
}

const REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

/** HTML maps references to 0x80–0x9F as Windows-1252 did (old WordPress posts have them). */
const WINDOWS_1252: Readonly<Record<number, number>> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02c6, 0x89: 0x2030,
  0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022,
  0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/** The named references found in comments in practice: markup escapes, punctuation, Latin letters. */
const NAMED: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0', shy: '\u00AD',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›', bull: '•', middot: '·', dagger: '†', Dagger: '‡', prime: '′', Prime: '″',
  copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', times: '×', divide: '÷', micro: 'µ', para: '¶', sect: '§',
  euro: '€', pound: '£', yen: '¥', cent: '¢', curren: '¤', frac12: '½', frac14: '¼', frac34: '¾', sup1: '¹', sup2: '²', sup3: '³',
  iexcl: '¡', iquest: '¿', ordf: 'ª', ordm: 'º', not: '¬', macr: '¯', acute: '´', cedil: '¸', uml: '¨', brvbar: '¦',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', hearts: '♥', ne: '≠', le: '≤', ge: '≥', infin: '∞', minus: '−',
  ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009', zwnj: '\u200C', zwj: '\u200D',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç', Egrave: 'È', Eacute: 'É',
  Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï', ETH: 'Ð', Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó',
  Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', THORN: 'Þ',
  szlig: 'ß', agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç', egrave: 'è',
  eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', eth: 'ð', ntilde: 'ñ', ograve: 'ò',
  oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý',
  thorn: 'þ', yuml: 'ÿ', OElig: 'Œ', oelig: 'œ', Scaron: 'Š', scaron: 'š', Yuml: 'Ÿ', fnof: 'ƒ', circ: 'ˆ', tilde: '˜',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', pi: 'π', sigma: 'σ', omega: 'ω', Omega: 'Ω', mu: 'μ', lambda: 'λ',
};

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return Object.hasOwn(NAMED, name) ? NAMED[name]! : whole;
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
    const mapped = WINDOWS_1252[code] ?? code;
    // NUL, surrogates and beyond Unicode are what the HTML standard turns into U+FFFD.
    if (mapped === 0 || mapped > 0x10ffff || (mapped >= 0xd800 && mapped <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(mapped);
  });
}
