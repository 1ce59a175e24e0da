import mongoose, { type Model } from 'mongoose';
import { emailKey } from '../../users/email';
import { OneTimePurpose, OneTimeToken, OneTimeTokensRepository } from '../../users/one-time-tokens.repository';
import { MongoLink } from './mongo-link';
import { OneTimeTokenDocument } from './one-time-token.schema';

const toToken = (doc: OneTimeTokenDocument): OneTimeToken => ({
  tokenHash: doc.tokenHash,
  purpose: doc.purpose as OneTimePurpose,
  userId: doc.userId,
  email: doc.email,
  expiresAt: doc.expiresAt,
});

/** Live: this hash, this purpose, not expired (the TTL monitor lags). Our own operator, hence trusted(). */
const live = (purpose: OneTimePurpose, tokenHash: string, now: Date) => ({ tokenHash, purpose, expiresAt: mongoose.trusted({ $gt: now }) });

export class MongoOneTimeTokensRepository extends OneTimeTokensRepository {
  constructor(
    private readonly tokens: Model<OneTimeTokenDocument>,
    private readonly link: MongoLink,
  ) {
    super();
  }

  async issue(token: OneTimeToken): Promise<void> {
    const doc: OneTimeTokenDocument = { _id: `${token.purpose}:${token.userId}:${emailKey(token.email)}`, ...token };
    await this.link.run(() => this.tokens.replaceOne({ _id: doc._id }, doc, { upsert: true, maxTimeMS: this.link.msLeft() }).exec());
  }

  async find(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null> {
    const doc = await this.link.run(() => this.tokens.findOne(live(purpose, tokenHash, now)).maxTimeMS(this.link.msLeft()).lean<OneTimeTokenDocument>().exec());
    return doc ? toToken(doc) : null;
  }

  /** findOneAndDelete is atomic on one document: of concurrent confirmations exactly one gets it. */
  async consume(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null> {
    const doc = await this.link.run(() => this.tokens.findOneAndDelete(live(purpose, tokenHash, now)).maxTimeMS(this.link.msLeft()).lean<OneTimeTokenDocument>().exec());
    return doc ? toToken(doc) : null;
  }

  async revoke(userId: string, purposes?: OneTimePurpose[]): Promise<void> {
    const filter = purposes === undefined ? { userId } : { userId, purpose: mongoose.trusted({ $in: purposes }) };
    await this.link.run(() => this.tokens.deleteMany(filter).maxTimeMS(this.link.msLeft()).exec());
  }
}
