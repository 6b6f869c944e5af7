import { jwkThumbprint } from '../src';
import { dpopKey } from './helpers/dpop';

describe('jwkThumbprint (RFC 7638)', () => {
  it("gives the key of RFC 9449's examples (§4.2) the cnf.jkt they show (§6.1)", () => {
    const jwk = {
      kty: 'EC',
      x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
      y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
      crv: 'P-256',
    };
    expect(jwkThumbprint(jwk)).toBe('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  });

  it('agrees with the thumbprint a client computes for its own key, for EC and OKP keys', () => {
    for (const key of [dpopKey('ES256'), dpopKey('EdDSA')]) expect(jwkThumbprint(key.publicJwk)).toBe(key.thumbprint);
  });

  it('ignores optional members and their order', () => {
    const key = dpopKey();
    const reordered = { y: key.publicJwk.y, x: key.publicJwk.x, alg: 'ES256', kty: 'EC', crv: 'P-256', ext: 'true' };
    expect(jwkThumbprint(reordered)).toBe(key.thumbprint);
  });

  it('is undefined for a key type proofs do not use or a member of the wrong type', () => {
    expect(jwkThumbprint({ kty: 'RSA', n: 'abc', e: 'AQAB' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: 7 })).toBeUndefined();
  });
});
