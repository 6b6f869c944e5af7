import { domainToASCII } from 'node:url';
import { parseEmailAddress } from '../../src/mail/address';

/** The reasons parseEmailAddress gives, by what went wrong. */
const EMPTY = /^Enter your email address\.$/;
const CONTROL = /invisible control characters/;
const NOT_ONE_PLAIN_ADDRESS = /Enter one plain email address/;
const BAD_LOCAL = /part before the @ is not a valid address/;
const BAD_DOMAIN = /part after the @ is not a valid domain/;
const TOO_LONG = /too long/;

const label = (character: string, length: number) => character.repeat(length);

describe('parseEmailAddress accepts one plain address and normalises it', () => {
  it.each([
    ['surrounding whitespace is trimmed', '  ada@example.com  ', 'ada@example.com'],
    ['a trailing newline from a paste is trimmed, not kept', 'ada@example.com\r\n', 'ada@example.com'],
    ['the whole address is lower-cased, so one mailbox has one spelling', 'Ada.Lovelace@Example.COM', 'ada.lovelace@example.com'],
    ['an internationalised domain becomes punycode', 'ada@bücher.example', 'ada@xn--bcher-kva.example'],
    ['an upper-case internationalised domain becomes the same punycode', 'ada@BÜCHER.example', 'ada@xn--bcher-kva.example'],
    ['a domain already in punycode stays as it is', 'ada@xn--bcher-kva.example', 'ada@xn--bcher-kva.example'],
    ['an ideographic full stop is a dot in an internationalised domain', 'ada@example\u3002com', 'ada@example.com'],
    ['the special characters of dot-atom text are allowed before the @', "o'brien+blog_1=x@mail.example.co.uk", "o'brien+blog_1=x@mail.example.co.uk"],
    ['digits and dashes inside domain labels are allowed', 'a@mail-1.2nd-example.io', 'a@mail-1.2nd-example.io'],
  ])('%s', (_guard, input, address) => {
    expect(parseEmailAddress(input)).toEqual({ ok: true, address });
  });

  it('accepts a local part of exactly 64 characters and an address of exactly 254', () => {
    const local = label('a', 64);
    const domain = [label('b', 63), label('c', 63), label('d', 57), 'com'].join('.');
    const address = `${local}@${domain}`;
    expect(address).toHaveLength(254);
    expect(parseEmailAddress(address)).toEqual({ ok: true, address });
  });
});

describe('parseEmailAddress refuses hostile or malformed input with a reason', () => {
  it.each<[string, unknown, RegExp]>([
    // Nothing to work with
    ['an empty string', '', EMPTY],
    ['only whitespace', '   \t ', EMPTY],
    ['undefined (a missing form field)', undefined, EMPTY],
    ['null', null, EMPTY],
    ['a number', 42, EMPTY],
    ['an array (a repeated query parameter)', ['a@example.com'], EMPTY],
    ['an object (a nested form field)', { email: 'a@example.com' }, EMPTY],

    // Header injection and invisible characters
    ['CR/LF header injection of a Bcc', 'a@b.com\r\nBcc: x@y.com', CONTROL],
    ['LF header injection', 'a@b.com\nSubject: hi', CONTROL],
    ['a NUL byte that truncates the address in C code', 'a@b.com\u0000.evil.example', CONTROL],
    ['a trailing NUL byte, which trim() keeps', 'a@b.com\u0000', CONTROL],
    ['a tab inside the address', 'a\t@b.com', CONTROL],
    ['DEL', 'a\u007f@b.com', CONTROL],

    // More than one recipient
    ['a comma-separated second recipient', 'a@b.com,x@y.com', NOT_ONE_PLAIN_ADDRESS],
    ['a comma and space before a second recipient', 'a@b.com, x@y.com', NOT_ONE_PLAIN_ADDRESS],
    ['a semicolon-separated second recipient', 'a@b.com;x@y.com', NOT_ONE_PLAIN_ADDRESS],
    ['a space-separated second recipient', 'a@b.com x@y.com', NOT_ONE_PLAIN_ADDRESS],
    ['two @ signs (a smuggled route or second address)', 'a@x@b.com', NOT_ONE_PLAIN_ADDRESS],

    // Forms that are addresses to RFC 5322 but never to a commenter
    ['a display name with an angle address', 'Ada <a@b.com>', NOT_ONE_PLAIN_ADDRESS],
    ['a bare angle address', '<a@b.com>', NOT_ONE_PLAIN_ADDRESS],
    ['a quoted display name', '"Ada" a@b.com', NOT_ONE_PLAIN_ADDRESS],
    ['a quoted local part', '"ada"@b.com', NOT_ONE_PLAIN_ADDRESS],
    ['a quoted local part hiding an @ and a comma', '"a@x.com,b"@b.com', NOT_ONE_PLAIN_ADDRESS],
    ['a backslash escape', 'a\\@b@c.com', NOT_ONE_PLAIN_ADDRESS],
    ['a comment before the @', 'ada(work)@b.com', NOT_ONE_PLAIN_ADDRESS],
    ['a comment after the domain', 'ada@b.com(work)', NOT_ONE_PLAIN_ADDRESS],
    ['a group syntax colon', 'undisclosed:a@b.com', NOT_ONE_PLAIN_ADDRESS],
    ['an IPv4 literal domain', 'a@[127.0.0.1]', NOT_ONE_PLAIN_ADDRESS],
    ['an IPv6 literal domain', 'a@[IPv6:::1]', NOT_ONE_PLAIN_ADDRESS],
    ['a port after the domain', 'a@b.com:25', NOT_ONE_PLAIN_ADDRESS],
    ['a missing local part', '@b.com', NOT_ONE_PLAIN_ADDRESS],
    ['a missing domain', 'a@', NOT_ONE_PLAIN_ADDRESS],
    ['no @ at all', 'ada.example.com', NOT_ONE_PLAIN_ADDRESS],

    // The part before the @
    ['a leading dot in the local part', '.ada@b.com', BAD_LOCAL],
    ['a trailing dot in the local part', 'ada.@b.com', BAD_LOCAL],
    ['a double dot in the local part', 'a..da@b.com', BAD_LOCAL],
    ['a non-ASCII local part (needs SMTPUTF8, which we do not promise)', 'äda@b.com', BAD_LOCAL],
    ['a local part of 65 characters', `${label('a', 65)}@b.com`, BAD_LOCAL],

    // The part after the @
    ['a dotless domain (an intranet host)', 'a@localhost', BAD_DOMAIN],
    ['a bare top-level domain', 'a@com', BAD_DOMAIN],
    ['a dotted-quad domain without brackets', 'a@127.0.0.1', BAD_DOMAIN],
    ['a hexadecimal IPv4 host that URL parsing turns into 127.0.0.1', 'a@0x7f.1', BAD_DOMAIN],
    ['a numeric top-level domain', 'a@example.123', BAD_DOMAIN],
    ['a leading dot in the domain', 'a@.example.com', BAD_DOMAIN],
    ['a trailing dot in the domain', 'a@example.com.', BAD_DOMAIN],
    ['a double dot in the domain', 'a@example..com', BAD_DOMAIN],
    ['a label starting with a dash', 'a@-example.com', BAD_DOMAIN],
    ['a label ending with a dash', 'a@example-.com', BAD_DOMAIN],
    ['an underscore in the domain', 'a@exa_mple.com', BAD_DOMAIN],
    ['a label of 64 characters', `a@${label('b', 64)}.com`, BAD_DOMAIN],
    ['a query after the domain, which URL host parsing would silently cut off', 'a@example.com?x', BAD_DOMAIN],
    ['a path after the domain, which URL host parsing would silently cut off', 'a@example.com/x', BAD_DOMAIN],
    ['a fragment after the domain, which URL host parsing would silently cut off', 'a@example.com#x', BAD_DOMAIN],
    ['percent-encoding in the domain, which URL host parsing would decode', 'a@example%2ecom', BAD_DOMAIN],
    ['percent-encoded CR/LF in the domain', 'a@example.com%0d%0abcc', BAD_DOMAIN],

    // Length
    ['an address of 255 characters', `${label('a', 64)}@${[label('b', 63), label('c', 63), label('d', 58), 'com'].join('.')}`, TOO_LONG],
  ])('refuses %s', (_guard, input, reason) => {
    const result = parseEmailAddress(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses an address that only grows past 254 characters when its domain becomes punycode', () => {
    const unicodeLabel = label('ü', 20);
    const domain = [...Array<string>(8).fill(unicodeLabel), 'example'].join('.');
    const input = `${label('a', 64)}@${domain}`;
    expect(input.length).toBeLessThanOrEqual(254);
    expect(64 + 1 + domainToASCII(domain).length).toBeGreaterThan(254);
    const result = parseEmailAddress(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(TOO_LONG);
  });
});
