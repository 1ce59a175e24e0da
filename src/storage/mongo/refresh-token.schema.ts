import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * The stored shape of a refresh record (collection `refresh_tokens`). The token's SHA-256 hash
 * is the `_id`: it is the record's natural key, and the `_id` index is MongoDB's built-in unique
 * index, so "one record per token hash" costs no extra index.
 */
@Schema({
  collection: 'refresh_tokens',
  versionKey: false,
  strict: 'throw',
  strictQuery: 'throw',
  autoIndex: false,
  autoCreate: false,
})
export class RefreshTokenDocument {
  /** SHA-256 of the refresh token (never the token itself). */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  sessionId!: string;

  @Prop({ type: String, required: true })
  userId!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const RefreshTokenSchema = SchemaFactory.createForClass(RefreshTokenDocument);
// Revoking a session deletes its records by session id.
RefreshTokenSchema.index({ sessionId: 1 });
// MongoDB removes each record once it expires (its monitor runs about once a minute).
RefreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
