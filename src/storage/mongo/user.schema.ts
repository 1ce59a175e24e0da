import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * The stored shape of a user (collection `users`). A class of its own so that the domain's
 * `User` stays free of database decorators; the repository maps between the two inline.
 */
@Schema({
  collection: 'users',
  versionKey: false,
  // Unknown paths in a write or a filter are a bug: fail loudly instead of silently dropping
  // them (a dropped filter path would widen a query).
  strict: 'throw',
  strictQuery: 'throw',
  // Indexes are built once at start-up by the store, where failures are seen and awaited.
  autoIndex: false,
  autoCreate: false,
})
export class UserDocument {
  /** The domain's UUID, kept as a string: no ObjectId casting, so a malformed id just finds nothing. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  username!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String, required: true })
  passwordHash!: string;

  /** As the user typed it; null or absent when none was given (documents from before e-mail existed). */
  @Prop({ type: String, default: null })
  email?: string | null;

  @Prop({ type: Boolean, default: false })
  emailVerified?: boolean;

  /** Lower-cased copy of a *verified* address only; absent otherwise (the unique index skips it). */
  @Prop({ type: String })
  emailKey?: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const UserSchema = SchemaFactory.createForClass(UserDocument);
// The service lower-cases usernames before they get here, so a plain unique index is enough.
UserSchema.index({ username: 1 }, { unique: true });
/** The users the e-mail index holds: those with a verified address (only those carry `emailKey`). */
export const VERIFIED_EMAIL = { emailKey: { $type: 'string' } } as const;
// A verified address belongs to one account, case-insensitively; unverified ones carry no key.
UserSchema.index({ emailKey: 1 }, { unique: true, partialFilterExpression: VERIFIED_EMAIL });
// Backs `list`: oldest first, ties broken by id, so pages stay stable while users sign up.
UserSchema.index({ createdAt: 1, _id: 1 });
