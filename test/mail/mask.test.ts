import { maskEmailAddress } from '../../src/mail/mask';

describe('maskEmailAddress shows the first character and the domain, nothing more', () => {
  it.each([
    ['a usual address', 'reader@example.org', 'r•••••@example.org'],
    ['a long local part, with the same number of bullets', 'a.very.long.local.part+tag@example.org', 'a•••••@example.org'],
    ['a short local part, with the same number of bullets', 'bob@example.org', 'b•••••@example.org'],
    ['a punycode domain, kept as it is', 'ada@xn--bcher-kva.example', 'a•••••@xn--bcher-kva.example'],
  ])('masks %s', (_case, address, masked) => {
    expect(maskEmailAddress(address)).toBe(masked);
  });

  it.each([
    ['one character', 'q@example.org'],
    ['two characters', 'qz@example.org'],
  ])('hides a local part of %s entirely, since its first character would give most of it away', (_case, address) => {
    expect(maskEmailAddress(address)).toBe('•••••@example.org');
  });

  it('does not tell the length of the local part', () => {
    expect(maskEmailAddress('abc@example.org')).toBe(maskEmailAddress('abcdefghijklmnop@example.org'));
  });

  it('masks the whole of a value with no @, rather than showing it', () => {
    expect(maskEmailAddress('not-an-address')).toBe('•••••');
  });
});
