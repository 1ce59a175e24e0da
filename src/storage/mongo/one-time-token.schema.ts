import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * The stored shape of a one-time token (collection `one_time_tokens`). `_id` is
 * `purpose:userId:emailKey`: one document per user, purpose and address, so issuing a new token
 * replaces the earlier one for that address in one write (a newer request retires the older).
 * Documents written before the address joined the key (`purpose:userId`) expire on their own.
 */
@Schema({
  collection: 'one_time_tokens',
  versionKey: false,
  strict: 'throw',
  strictQuery: 'throw',
  autoIndex: false,
  autoCreate: false,
})
export class OneTimeTokenDocument {
  @Prop({ type: String, required: true })
  _id!: string;

  /** SHA-256 of the token (never the token itself). */
  @Prop({ type: String, required: true })
  tokenHash!: string;

  @Prop({ type: String, required: true })
  purpose!: string;

  @Prop({ type: String, required: true })
  userId!: string;

  @Prop({ type: String, required: true })
  email!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const OneTimeTokenSchema = SchemaFactory.createForClass(OneTimeTokenDocument);
// Confirmations look tokens up by hash; no two live tokens share one.
OneTimeTokenSchema.index({ tokenHash: 1 }, { unique: true });
// Retiring a user's tokens (all, or of some purposes) finds them by user id.
OneTimeTokenSchema.index({ userId: 1 });
// MongoDB removes each token once it expires (reads check expiresAt themselves: the monitor runs about once a minute).
OneTimeTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
