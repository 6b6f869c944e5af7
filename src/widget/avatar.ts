import { h } from './dom';

/** The first letter or digit of a name, for the neutral stand-in avatar. */
export function initialOf(name: string): string {
  const match = /[\p{L}\p{N}]/u.exec(name);
  return match ? match[0].toLocaleUpperCase() : '?';
}

/**
 * An avatar that never shows a broken image: a neutral circle with the name's initial, with the
 * picture laid over it once (and only if) it loads. Decorative: the name is always written next
 * to it, so the image has empty alt text. Only https pictures are requested, without a Referer.
 */
export function avatar(name: string, picture: string | undefined, size: 'small' | 'large' = 'large'): HTMLElement {
  const holder = h('span', { class: `avatar ${size}`, 'aria-hidden': 'true' }, h('span', { class: 'initial' }, initialOf(name)));
  if (picture && picture.startsWith('https://')) {
    const image = h('img', { alt: '', src: picture, referrerpolicy: 'no-referrer', loading: 'lazy', decoding: 'async' });
    image.addEventListener('load', () => holder.classList.add('loaded'));
    image.addEventListener('error', () => image.remove());
    holder.appendChild(image);
  }
  return holder;
}
