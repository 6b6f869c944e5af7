/** Always this many bullets, so the mask does not tell how long the hidden part is. */
const MASK = '•'.repeat(5);
/** The first character is shown only when at least this many characters stay hidden after it. */
const MIN_HIDDEN_CHARACTERS = 2;

/**
 * An address as shown to someone who may not own it (`reader@example.org` → `r•••••@example.org`):
 * enough for its owner to recognise it, too little to learn it. The domain stays whole; a short
 * local part (`q@`, `ab@`) is hidden entirely, since its first character would be most of it.
 */
export function maskEmailAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return MASK;
  const local = Array.from(address.slice(0, at));
  const shown = local.length > MIN_HIDDEN_CHARACTERS ? local[0] : '';
  return `${shown}${MASK}${address.slice(at)}`;
}
