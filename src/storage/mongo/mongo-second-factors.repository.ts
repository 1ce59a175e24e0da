import mongoose, { type Model, type mongo } from 'mongoose';
import { PendingSignIn, RememberedDevice, SealedSecret, SecondFactorsRepository, TotpFactor } from '../../mfa/second-factors.repository';
import { DuplicateKeyError } from '../storage.errors';
import { insertChecked } from './mongo-insert';
import { MongoLink } from './mongo-link';
import { PendingSignInDocument, RecoveryCodeDocument, RememberedDeviceDocument, TotpFactorDocument } from './second-factor.schemas';

const toPending = (doc: PendingSignInDocument): PendingSignIn => ({ userId: doc.userId, failures: doc.failures, expiresAt: doc.expiresAt });
/** Live: not expired (the TTL monitor lags). Our own operator, hence trusted(). */
const live = (tokenHash: string, now: Date) => ({ _id: tokenHash, expiresAt: mongoose.trusted({ $gt: now }) });

/**
 * Second factors in three collections. Each rule that must hold across instances is one
 * single-document atomic operation: a time step by an update guarded on `lastStep`, a recovery
 * code or a pending sign-in by findOneAndDelete / deleteOne.
 */
export class MongoSecondFactorsRepository extends SecondFactorsRepository {
  constructor(
    private readonly totp: Model<TotpFactorDocument>,
    private readonly codes: Model<RecoveryCodeDocument>,
    private readonly pending: Model<PendingSignInDocument>,
    private readonly devices: Model<RememberedDeviceDocument>,
    private readonly link: MongoLink,
  ) {
    super();
  }

  async startTotp(userId: string, secret: SealedSecret, now: Date): Promise<boolean> {
    // Replaces an unconfirmed secret, inserts when there is none; a confirmed one makes the
    // upsert's insert collide with the existing _id, which means: leave it as it is.
    try {
      await this.link.run(() =>
        this.totp.updateOne({ _id: userId, confirmed: false }, { $set: { ...secret, createdAt: now, lastStep: null } }, { upsert: true, maxTimeMS: this.link.msLeft() }).exec(),
      );
      return true;
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
  }

  async findTotp(userId: string): Promise<TotpFactor | null> {
    const doc = await this.link.run(() => this.totp.findById(userId).maxTimeMS(this.link.msLeft()).lean<TotpFactorDocument>().exec());
    if (!doc) return null;
    return { userId, secret: { keyId: doc.keyId, sealed: doc.sealed }, confirmed: doc.confirmed, lastStep: doc.lastStep ?? null, createdAt: doc.createdAt };
  }

  async confirmTotp(userId: string, step: number): Promise<boolean> {
    const { modifiedCount } = await this.link.run(() => this.totp.updateOne({ _id: userId, confirmed: false }, { $set: { confirmed: true, lastStep: step } }, { maxTimeMS: this.link.msLeft() }).exec());
    return modifiedCount > 0;
  }

  async useTotpStep(userId: string, step: number): Promise<boolean> {
    // Not ≥ step: older steps and none at all (null) both match.
    const notYetUsed = mongoose.trusted({ $not: { $gte: step } });
    const { modifiedCount } = await this.link.run(() =>
      this.totp.updateOne({ _id: userId, confirmed: true, lastStep: notYetUsed }, { $set: { lastStep: step } }, { maxTimeMS: this.link.msLeft() }).exec(),
    );
    return modifiedCount > 0;
  }

  async resealTotp(userId: string, secret: SealedSecret): Promise<void> {
    await this.link.run(() => this.totp.updateOne({ _id: userId }, { $set: { keyId: secret.keyId, sealed: secret.sealed } }, { maxTimeMS: this.link.msLeft() }).exec());
  }

  async removeTotp(userId: string): Promise<boolean> {
    const { deletedCount } = await this.link.run(() => this.totp.deleteOne({ _id: userId }).maxTimeMS(this.link.msLeft()).exec());
    return deletedCount > 0;
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
    // No transaction on a standalone server: delete then insert. A reader in between sees no
    // codes (a sign-in by recovery code fails once), never a mix of old and new.
    await this.link.run(async () => {
      await this.codes.deleteMany({ userId }).maxTimeMS(this.link.msLeft()).exec();
      // Through the driver (mongoose's insertMany does not pass maxTimeMS on); two plain strings need no schema check.
      const docs = codeHashes.map((hash) => ({ _id: `${userId}:${hash}`, userId }) as unknown as mongo.OptionalId<mongo.Document>);
      if (docs.length > 0) await this.codes.collection.insertMany(docs, { maxTimeMS: this.link.msLeft() });
    });
  }

  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const { deletedCount } = await this.link.run(() => this.codes.deleteOne({ _id: `${userId}:${codeHash}` }).maxTimeMS(this.link.msLeft()).exec());
    return deletedCount > 0;
  }

  async summary(userId: string): Promise<{ totp: boolean; recoveryCodesLeft: number }> {
    const [totp, recoveryCodesLeft] = await Promise.all([
      this.link.run(() => this.totp.findById(userId, { confirmed: 1 }).maxTimeMS(this.link.msLeft()).lean<Pick<TotpFactorDocument, 'confirmed'>>().exec()),
      this.countRecoveryCodes(userId),
    ]);
    return { totp: totp?.confirmed === true, recoveryCodesLeft };
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    return this.link.run(() => this.codes.countDocuments({ userId }).maxTimeMS(this.link.msLeft()).exec());
  }

  async startPending(tokenHash: string, pending: PendingSignIn): Promise<void> {
    await this.link.run(() => insertChecked(this.pending, { _id: tokenHash, ...pending }, this.link.msLeft()));
  }

  async findPending(tokenHash: string, now: Date): Promise<PendingSignIn | null> {
    const doc = await this.link.run(() => this.pending.findOne(live(tokenHash, now)).maxTimeMS(this.link.msLeft()).lean<PendingSignInDocument>().exec());
    return doc ? toPending(doc) : null;
  }

  async failPending(tokenHash: string, maxFailures: number, now: Date): Promise<number | null> {
    const doc = await this.link.run(() =>
      this.pending.findOneAndUpdate(live(tokenHash, now), { $inc: { failures: 1 } }, { new: true, maxTimeMS: this.link.msLeft() }).lean<PendingSignInDocument>().exec(),
    );
    if (!doc) return null;
    if (doc.failures >= maxFailures) await this.link.run(() => this.pending.deleteOne({ _id: tokenHash }).maxTimeMS(this.link.msLeft()).exec());
    return doc.failures;
  }

  async consumePending(tokenHash: string, now: Date): Promise<PendingSignIn | null> {
    const doc = await this.link.run(() => this.pending.findOneAndDelete(live(tokenHash, now), { maxTimeMS: this.link.msLeft() }).lean<PendingSignInDocument>().exec());
    return doc ? toPending(doc) : null;
  }

  async rememberDevice(userId: string, device: RememberedDevice): Promise<void> {
    const _id = `${userId}:${device.deviceId}`;
    await this.link.run(() => this.devices.replaceOne({ _id }, { _id, userId, ...device }, { upsert: true, maxTimeMS: this.link.msLeft() }).exec());
  }

  async isRemembered(userId: string, deviceId: string, now: Date): Promise<boolean> {
    const doc = await this.link.run(() =>
      this.devices.findOne({ _id: `${userId}:${deviceId}`, expiresAt: mongoose.trusted({ $gt: now }) }).maxTimeMS(this.link.msLeft()).lean<RememberedDeviceDocument>().exec(),
    );
    return doc !== null;
  }

  async listRemembered(userId: string, now: Date): Promise<RememberedDevice[]> {
    const docs = await this.link.run(() =>
      this.devices.find({ userId, expiresAt: mongoose.trusted({ $gt: now }) }).sort({ createdAt: -1 }).maxTimeMS(this.link.msLeft()).lean<RememberedDeviceDocument[]>().exec(),
    );
    return docs.map((doc) => ({ deviceId: doc.deviceId, createdAt: doc.createdAt, expiresAt: doc.expiresAt }));
  }

  async forgetDevices(userId: string): Promise<void> {
    await this.link.run(() => this.devices.deleteMany({ userId }).maxTimeMS(this.link.msLeft()).exec());
  }
}
