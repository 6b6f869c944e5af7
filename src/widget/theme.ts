/**
 * Picks the light or dark palette from the page behind the widget, not from the system setting:
 * a dark widget on a light blog (or the reverse) would look like an intruder.
 */
function parseRgb(color: string): [number, number, number, number] | undefined {
  const match = /rgba?\(([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\)/.exec(color);
  if (!match) return undefined;
  const alpha = match[4] === undefined ? 1 : match[4].endsWith('%') ? parseFloat(match[4]) / 100 : parseFloat(match[4]);
  return [Number(match[1]), Number(match[2]), Number(match[3]), alpha];
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance(rgb: readonly number[]): number {
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * channel(rgb[0]!) + 0.7152 * channel(rgb[1]!) + 0.0722 * channel(rgb[2]!);
}

/**
 * Calls `onChange` when the page may have changed its colours: the reader's dark setting changed
 * (blogs that follow prefers-color-scheme), or the blog's own theme switch changed a class, style
 * or theme attribute on <html> or <body>.
 */
export function followPageTheme(onChange: () => void): void {
  const query = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : undefined;
  if (query && typeof query.addEventListener === 'function') query.addEventListener('change', onChange);
  // Safari before 14 knows only the older form.
  else query?.addListener(onChange);
  const observer = new MutationObserver(onChange);
  const attributeFilter = ['class', 'style', 'data-theme', 'data-color-scheme', 'data-mode'];
  for (const node of [document.documentElement, document.body]) if (node) observer.observe(node, { attributes: true, attributeFilter });
}

export function pageIsDark(element: Element): boolean {
  for (let node: Element | null = element; node; node = node.parentElement) {
    const rgba = parseRgb(getComputedStyle(node).backgroundColor);
    if (rgba && rgba[3] > 0.5) return luminance(rgba) < 0.2;
  }
  return false;
}

type Rgb = readonly [number, number, number];

/** WCAG 2.x contrast ratio of two opaque colours. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const first = luminance(a);
  const second = luminance(b);
  return (Math.max(first, second) + 0.05) / (Math.min(first, second) + 0.05);
}

/** WCAG AA for normal text (1.4.3). */
export const TEXT_CONTRAST = 4.5;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
/** The dark palette's background ink: text on a light accent. */
const INK: Rgb = [16, 19, 26];
const MIX_STEPS = 20;

const css = (rgb: Rgb) => `rgb(${rgb.map((channel) => Math.round(channel)).join(', ')})`;

/** White or ink, whichever reads better on `background`. */
export function textOn(background: Rgb): Rgb {
  return contrastRatio(WHITE, background) >= contrastRatio(INK, background) ? WHITE : INK;
}

/**
 * `color` as text on `background`: itself if it reads (4.5:1), else the first shade of it,
 * mixed toward `toward` (the palette's text colour), that does.
 */
export function readableShade(color: Rgb, background: Rgb, toward: Rgb): Rgb {
  for (let step = 0; step <= MIX_STEPS; step++) {
    const t = step / MIX_STEPS;
    const shade = color.map((channel, index) => channel + (toward[index]! - channel) * t) as unknown as Rgb;
    if (contrastRatio(shade, background) >= TEXT_CONTRAST) return shade;
  }
  return toward;
}

function rgbOf(color: string): Rgb | undefined {
  const rgba = parseRgb(color);
  return rgba && rgba[3] > 0.99 ? [rgba[0], rgba[1], rgba[2]] : undefined;
}

/** The colours of a button filled with `accent`: the text on it, and the fill itself, shaded if no text reads on it. */
export function accentButton(accent: Rgb): { readonly text: Rgb; readonly fill: Rgb } {
  const text = textOn(accent);
  // A mid-tone accent (Facebook blue) reads with neither white nor ink: deepen (or lighten) it.
  const fill = contrastRatio(text, accent) >= TEXT_CONTRAST ? accent : readableShade(accent, text, text === WHITE ? BLACK : WHITE);
  return { text, fill };
}

/**
 * The accent is the blog's to choose (--parley-accent), so its contrast is checked where it is
 * used: accent-filled buttons (--on-accent for their text, --accent-fill for the fill when the
 * accent itself is a mid-tone no text reads on), and the accent as text on the form's background
 * (--accent-text). `accentSample` is an element filled with the accent (Post Comment), `surface`
 * one with the palette's background and text colour (the form).
 */
export function fitAccent(wrapper: HTMLElement, accentSample: Element, surface: Element): void {
  // Measured without what an earlier fit set (the palette may have changed since).
  for (const property of ['--on-accent', '--accent-fill', '--accent-text']) wrapper.style.removeProperty(property);
  const accent = rgbOf(getComputedStyle(accentSample).backgroundColor);
  const background = rgbOf(getComputedStyle(surface).backgroundColor);
  const text = rgbOf(getComputedStyle(surface).color);
  if (!accent || !background || !text) return;
  const button = accentButton(accent);
  wrapper.style.setProperty('--on-accent', css(button.text));
  wrapper.style.setProperty('--accent-fill', css(button.fill));
  wrapper.style.setProperty('--accent-text', css(readableShade(accent, background, text)));
}
