import { HmacMediaUrlSigner } from '../../../src/infrastructure/crypto/hmac-media-url-signer';

const ID = '6650f2e4a1b2c3d4e5f60801';
const at = (ms: number) => ({ now: () => new Date(ms) });

function parts(url: string): [string, string, string] {
  const [, , id, expires, signature] = new URL(url).pathname.split('/');
  return [id!, expires!, signature!];
}

describe('signed media URLs', () => {
  const signer = new HmacMediaUrlSigner('secret-one', 'https://zapdesk.example', at(1_000_000), 60_000);

  it('are under API_URL and verify until they expire', () => {
    const url = signer.publicUrl(ID);
    expect(url).toMatch(/^https:\/\/zapdesk\.example\/media\/6650f2e4a1b2c3d4e5f60801\/1060\/[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(...parts(url))).toBe(ID);
    const later = new HmacMediaUrlSigner('secret-one', 'https://zapdesk.example', at(1_060_000), 60_000);
    expect(later.verify(...parts(url))).toBeNull();
  });

  it('refuse an altered id, expiry or signature, another key, and malformed parts', () => {
    const [id, expires, signature] = parts(signer.publicUrl(ID));
    expect(signer.verify('6650f2e4a1b2c3d4e5f60802', expires, signature)).toBeNull();
    expect(signer.verify(id, String(Number(expires) + 1), signature)).toBeNull();
    expect(signer.verify(id, expires, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(new HmacMediaUrlSigner('secret-two', '', at(1_000_000)).verify(id, expires, signature)).toBeNull();
    expect(signer.verify('../etc', expires, signature)).toBeNull();
    expect(signer.verify(id, '1e9', signature)).toBeNull();
    expect(signer.verify(id, expires, 'short')).toBeNull();
  });
});
