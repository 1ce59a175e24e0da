import { Injectable } from '@nestjs/common';
import { KeyObject, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { SealedSecret } from './second-factors.repository';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * TOTP secrets at rest: AES-256-GCM under the first of MFA_ENCRYPTION_KEYS, named by its kid so
 * that any listed key opens what it sealed (rotation). The user id is the additional
 * authenticated data: a sealed secret copied onto another user's row does not open.
 */
@Injectable()
export class TotpSecrets {
  private readonly keys: readonly { kid: string; key: KeyObject }[];

  constructor(config: AppConfig) {
    this.keys = config.mfa.sealingKeys;
  }

  seal(secret: Buffer, userId: string): SealedSecret {
    const { kid, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(userId, 'utf8'));
    const sealed = Buffer.concat([iv, Buffer.alloc(TAG_BYTES), cipher.update(secret), cipher.final()]);
    cipher.getAuthTag().copy(sealed, IV_BYTES);
    return { keyId: kid, sealed: sealed.toString('base64url') };
  }

  /** Whether a secret was sealed under a key other than the current one: it is sealed anew on its next use. */
  isStale({ keyId }: SealedSecret): boolean {
    return keyId !== this.keys[0].kid;
  }

  /** The secret, or null when no listed key has this kid or the box was tampered with. */
  open({ keyId, sealed }: SealedSecret, userId: string): Buffer | null {
    const entry = this.keys.find(({ kid }) => kid === keyId);
    const box = Buffer.from(sealed, 'base64url');
    if (!entry || box.length <= IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, box.subarray(0, IV_BYTES)).setAAD(Buffer.from(userId, 'utf8'));
      decipher.setAuthTag(box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(box.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      return null;
    }
  }
}
