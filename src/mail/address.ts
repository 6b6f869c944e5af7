import { domainToASCII } from 'node:url';

export type AddressCheck = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly reason: string };

/** RFC 5321 limits: 64 octets of local part, 254 for the whole path. */
const MAX_LOCAL_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 254;
/** RFC 5322 dot-atom text; quoted local parts are refused on purpose (no real commenter needs them). */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Turns what a commenter typed into exactly one normalised mailbox address, or says why not.
 * Refuses anything that could smuggle headers or extra recipients into the message (CR/LF, commas,
 * angle brackets, display names, quoted parts, comments) rather than trying to clean it up.
 */
export function parseEmailAddress(input: unknown): AddressCheck {
  if (typeof input !== 'string') return { ok: false, reason: 'Enter your email address.' };
  const value = input.trim();
  if (value === '') return { ok: false, reason: 'Enter your email address.' };
  // Control characters (CR, LF, NUL, tabs) in an address are always an attack or a paste accident.
  if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, reason: 'That address contains invisible control characters. Type it again.' };
  if (/[\s,;<>()"\\[\]:]/.test(value)) return { ok: false, reason: 'Enter one plain email address, like name@example.com.' };
  if (value.length > MAX_ADDRESS_LENGTH) return { ok: false, reason: 'That address is too long.' };
  const at = value.lastIndexOf('@');
  if (at <= 0 || value.indexOf('@') !== at || at === value.length - 1) {
    return { ok: false, reason: 'Enter one plain email address, like name@example.com.' };
  }
  const local = value.slice(0, at);
  const domainInput = value.slice(at + 1).toLowerCase();
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) {
    return { ok: false, reason: 'The part before the @ is not a valid address.' };
  }
  // domainToASCII parses a URL host: it cuts "example.com?x" (or /x, #x) down to "example.com" and
  // decodes "%2e". Only letters, digits, dots and dashes may reach it in ASCII; the rest is IDN.
  if (/[^a-z0-9.\u0080-\uffff-]/.test(domainInput)) {
    return { ok: false, reason: 'The part after the @ is not a valid domain.' };
  }
  // Internationalised domains become their ASCII (punycode) form, so one mailbox has one spelling.
  const domain = domainToASCII(domainInput);
  const labels = domain.split('.');
  if (domain === '' || labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)) || /^\d+$/.test(labels.at(-1)!)) {
    return { ok: false, reason: 'The part after the @ is not a valid domain.' };
  }
  const address = `${local.toLowerCase()}@${domain}`;
  if (address.length > MAX_ADDRESS_LENGTH) return { ok: false, reason: 'That address is too long.' };
  return { ok: true, address };
}

/**
 * The rate-limit counter of email sign-ins sent to one (normalised) address: counted by
 * providers/email.ts, deleted with an erased account (store/accounts.ts).
 */
export function emailAddressCounterKey(address: string): string {
  return `email-address:${address}`;
}
