import { KeyEncryption } from '../../src/tokens/key-encryption';

describe('KeyEncryption (private signing keys at rest)', () => {
  const secret = 'k'.repeat(16) + 'an operator-chosen random value';
  const jwk = JSON.stringify({ kty: 'RSA', d: 'private-exponent', n: 'modulus', e: 'AQAB' });

  it('round-trips, and never stores the plaintext or the same ciphertext twice', () => {
    const encryption = new KeyEncryption(secret);
    const first = encryption.encrypt(jwk, 'kid-1');
    const second = encryption.encrypt(jwk, 'kid-1');
    expect(first).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(first).not.toContain('private-exponent');
    expect(first).not.toBe(second);
    expect(encryption.decrypt(first, 'kid-1')).toBe(jwk);
  });

  it('refuses another encryption key, another row\'s kid, and an altered ciphertext, naming the setting', () => {
    const sealed = new KeyEncryption(secret).encrypt(jwk, 'kid-1');
    expect(() => new KeyEncryption(`${secret}!`).decrypt(sealed, 'kid-1')).toThrow(/PARLEY_KEY_ENCRYPTION_KEY/);
    expect(() => new KeyEncryption(secret).decrypt(sealed, 'kid-2')).toThrow(/cannot be decrypted/);
    const [version, iv, body] = sealed.split('.');
    const flipped = `${version}.${iv}.${body!.slice(0, 10)}${body![10] === 'A' ? 'B' : 'A'}${body!.slice(11)}`;
    expect(() => new KeyEncryption(secret).decrypt(flipped, 'kid-1')).toThrow(/cannot be decrypted/);
    expect(() => new KeyEncryption(secret).decrypt('plain json', 'kid-1')).toThrow(/not an encrypted key/);
  });
});
