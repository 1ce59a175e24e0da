import mongoose, { type Model } from 'mongoose';
import { emailKey } from '../../users/email';
import { NewUser, User } from '../../users/user';
import { UserPage, UsersRepository } from '../../users/users.repository';
import { insertChecked } from './mongo-insert';
import { MongoLink } from './mongo-link';
import { UserDocument, VERIFIED_EMAIL } from './user.schema';

const toUser = (doc: UserDocument): User => ({
  id: doc._id,
  username: doc.username,
  name: doc.name,
  passwordHash: doc.passwordHash,
  email: doc.email ?? null,
  emailVerified: doc.emailVerified ?? false,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});

/**
 * The user whose verified address has this key. The filter repeats the partial index's own
 * (`emailKey` is a string) so that the planner may use that index: a partial index serves only
 * queries whose filter implies its filter expression. Our operators, hence trusted().
 */
export const byVerifiedEmail = (key: string) => ({ emailKey: mongoose.trusted({ $eq: key, ...VERIFIED_EMAIL.emailKey }) });

export class MongoUsersRepository extends UsersRepository {
  /** `deleteOwned`: each removes what one other collection keeps for a user, when the user goes. */
  constructor(
    private readonly users: Model<UserDocument>,
    private readonly link: MongoLink,
    private readonly deleteOwned: ((userId: string) => Promise<unknown>)[] = [],
  ) {
    super();
  }

  async create(user: NewUser): Promise<User> {
    const stored: UserDocument = {
      _id: user.id,
      username: user.username,
      name: user.name,
      passwordHash: user.passwordHash,
      email: user.email ?? null,
      emailVerified: false,
      createdAt: user.createdAt,
      updatedAt: user.createdAt,
    };
    // A taken username fails on the unique index (code 11000), which becomes DuplicateKeyError('username').
    await this.link.run(() => insertChecked(this.users, stored, this.link.msLeft()));
    return toUser(stored);
  }

  async findById(id: string): Promise<User | null> {
    const doc = await this.link.run(() => this.users.findById(id).maxTimeMS(this.link.msLeft()).lean<UserDocument>().exec());
    return doc ? toUser(doc) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const doc = await this.link.run(() => this.users.findOne({ username }).maxTimeMS(this.link.msLeft()).lean<UserDocument>().exec());
    return doc ? toUser(doc) : null;
  }

  async findByVerifiedEmail(email: string): Promise<User | null> {
    const doc = await this.link.run(() => this.users.findOne(byVerifiedEmail(emailKey(email))).maxTimeMS(this.link.msLeft()).lean<UserDocument>().exec());
    return doc ? toUser(doc) : null;
  }

  async list({ offset, limit }: { offset: number; limit: number }): Promise<UserPage> {
    return this.link.run(async () => {
      const [docs, total] = await Promise.all([
        // MongoDB reads limit 0 as "no limit"; the port means an empty page.
        limit > 0
          ? this.users.find().sort({ createdAt: 1, _id: 1 }).skip(offset).limit(limit).maxTimeMS(this.link.msLeft()).lean<UserDocument[]>().exec()
          : Promise.resolve([]),
        this.users.countDocuments().maxTimeMS(this.link.msLeft()).exec(),
      ]);
      return { items: docs.map(toUser), total };
    });
  }

  async update(id: string, changes: { name?: string; passwordHash?: string; updatedAt: Date }): Promise<User | null> {
    const set: Partial<UserDocument> = { updatedAt: changes.updatedAt };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.passwordHash !== undefined) set.passwordHash = changes.passwordHash;
    return this.findAndSet({ _id: id }, { $set: set });
  }

  async changeEmail(id: string, email: string, updatedAt: Date): Promise<User | null> {
    return this.findAndSet({ _id: id }, { $set: { email, emailVerified: false, updatedAt }, $unset: { emailKey: 1 } });
  }

  async markEmailVerified(id: string, email: string, updatedAt: Date): Promise<User | null> {
    // Conditional on the address still being the user's: a link mailed to an old address verifies nothing.
    return this.findAndSet({ _id: id, email }, { $set: { emailVerified: true, emailKey: emailKey(email), updatedAt } });
  }

  async delete(id: string): Promise<boolean> {
    // What the user owns first: an interruption leaves a user without second factors to delete
    // again, never second factors without their user.
    for (const deleteFor of this.deleteOwned) await this.link.run(() => deleteFor(id));
    const { deletedCount } = await this.link.run(() => this.users.deleteOne({ _id: id }).maxTimeMS(this.link.msLeft()).exec());
    return deletedCount > 0;
  }

  private async findAndSet(filter: Record<string, string>, update: Record<string, unknown>): Promise<User | null> {
    const doc = await this.link.run(() =>
      this.users.findOneAndUpdate(filter, update, { returnDocument: 'after', maxTimeMS: this.link.msLeft() }).lean<UserDocument>().exec(),
    );
    return doc ? toUser(doc) : null;
  }
}
