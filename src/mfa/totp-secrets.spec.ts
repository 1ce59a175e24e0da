import { createSecretKey, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { TotpSecrets } from './totp-secrets';

const key = () => createSecretKey(randomBytes(32));
const secretsWith = (...keys: { kid: string; key: ReturnType<typeof key> }[]) => new TotpSecrets({ mfa: { sealingKeys: keys } } as unknown as AppConfig);

describe('TotpSecrets (AES-256-GCM at rest)', () => {
  const secret = randomBytes(20);
  const k1 = { kid: 'k1', key: key() };
  const k2 = { kid: 'k2', key: key() };

  it('seals under the first key, naming it, and opens it again; never stores the secret in clear', () => {
    const sealed = secretsWith(k1, k2).seal(secret, 'user-1');
    expect(sealed.keyId).toBe('k1');
    expect(Buffer.from(sealed.sealed, 'base64url').includes(secret)).toBe(false);
    expect(secretsWith(k1).open(sealed, 'user-1')).toEqual(secret);
  });

  it('opens what an older key sealed while that key is listed (rotation), and nothing once it is gone', () => {
    const sealed = secretsWith(k1).seal(secret, 'user-1');
    expect(secretsWith(k2, k1).open(sealed, 'user-1')).toEqual(secret);
    expect(secretsWith(k2).open(sealed, 'user-1')).toBeNull();
  });

  it('refuses a secret moved to another user, or tampered with', () => {
    const sealed = secretsWith(k1).seal(secret, 'user-1');
    expect(secretsWith(k1).open(sealed, 'user-2')).toBeNull();
    const box = Buffer.from(sealed.sealed, 'base64url');
    box[box.length - 1] ^= 1;
    expect(secretsWith(k1).open({ ...sealed, sealed: box.toString('base64url') }, 'user-1')).toBeNull();
    expect(secretsWith(k1).open({ ...sealed, sealed: 'AAAA' }, 'user-1')).toBeNull();
  });
});
