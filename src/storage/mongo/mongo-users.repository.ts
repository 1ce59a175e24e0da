import type { Model } from 'mongoose';
import { NewUser, User } from '../../users/user';
import { UserPage, UsersRepository } from '../../users/users.repository';
import { MongoLink } from './mongo-link';
import { UserDocument } from './user.schema';

const toUser = (doc: UserDocument): User => ({
  id: doc._id,
  username: doc.username,
  name: doc.name,
  passwordHash: doc.passwordHash,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});

export class MongoUsersRepository extends UsersRepository {
  constructor(
    private readonly users: Model<UserDocument>,
    private readonly link: MongoLink,
  ) {
    super();
  }

  async create(user: NewUser): Promise<User> {
    const stored: UserDocument = {
      _id: user.id,
      username: user.username,
      name: user.name,
      passwordHash: user.passwordHash,
      createdAt: user.createdAt,
      updatedAt: user.createdAt,
    };
    // A taken username fails on the unique index (code 11000), which becomes DuplicateKeyError('username').
    await this.link.run(() => this.users.create(stored));
    return toUser(stored);
  }

  async findById(id: string): Promise<User | null> {
    const doc = await this.link.run(() => this.users.findById(id).lean<UserDocument>().exec());
    return doc ? toUser(doc) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const doc = await this.link.run(() => this.users.findOne({ username }).lean<UserDocument>().exec());
    return doc ? toUser(doc) : null;
  }

  async list({ offset, limit }: { offset: number; limit: number }): Promise<UserPage> {
    return this.link.run(async () => {
      const [docs, total] = await Promise.all([
        // MongoDB reads limit 0 as "no limit"; the port means an empty page.
        limit > 0
          ? this.users.find().sort({ createdAt: 1, _id: 1 }).skip(offset).limit(limit).lean<UserDocument[]>().exec()
          : Promise.resolve([]),
        this.users.countDocuments().exec(),
      ]);
      return { items: docs.map(toUser), total };
    });
  }

  async update(id: string, changes: { name?: string; passwordHash?: string; updatedAt: Date }): Promise<User | null> {
    const set: Partial<UserDocument> = { updatedAt: changes.updatedAt };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.passwordHash !== undefined) set.passwordHash = changes.passwordHash;
    const doc = await this.link.run(() =>
      this.users.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean<UserDocument>().exec(),
    );
    return doc ? toUser(doc) : null;
  }

  async delete(id: string): Promise<boolean> {
    const { deletedCount } = await this.link.run(() => this.users.deleteOne({ _id: id }).exec());
    return deletedCount > 0;
  }
}
