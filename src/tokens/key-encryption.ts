import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Private signing keys at rest in the database: AES-256-GCM under a key derived (HKDF-SHA256) from
 * PARLEY_KEY_ENCRYPTION_KEY, with the key's `kid` as additional data, so a row's ciphertext cannot
 * be moved to another row or altered without failing to decrypt. A database dump or backup alone
 * then yields no key that can sign tokens.
 *
 * Stored form: `v1.<iv>.<ciphertext><tag>`, base64url.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class KeyEncryption {
  readonly #key: Buffer;

  /** `secret`: PARLEY_KEY_ENCRYPTION_KEY (at least 32 characters of randomness). */
  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'parley', 'parley:signing-key-encryption', 32));
  }

  encrypt(plaintext: string, kid: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(kid));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** Throws when the text was not sealed for `kid` under this key. */
  decrypt(stored: string, kid: string): string {
    const [version, ivText, sealedText] = stored.split('.');
    if (version !== VERSION || ivText === undefined || sealedText === undefined) throw new Error(`signing key ${kid}: not an encrypted key`);
    const sealed = Buffer.from(sealedText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`signing key ${kid} cannot be decrypted: PARLEY_KEY_ENCRYPTION_KEY is not the key it was stored with`);
    }
  }
}
