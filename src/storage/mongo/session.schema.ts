import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** The stored shape of a session (collection `sessions`); see `Session` for what each field means. */
@Schema({
  collection: 'sessions',
  versionKey: false,
  strict: 'throw',
  strictQuery: 'throw',
  autoIndex: false,
  autoCreate: false,
})
export class SessionDocument {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  userId!: string;

  @Prop({ type: String, required: true })
  currentTokenHash!: string;

  @Prop({ type: String, default: null })
  previousTokenHash!: string | null;

  @Prop({ type: Date, default: null })
  rotatedAt!: Date | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  lastUsedAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, required: true })
  absoluteExpiresAt!: Date;

  @Prop({ type: String, default: null })
  userAgent!: string | null;

  @Prop({ type: String, default: null })
  ip!: string | null;
}

export const SessionSchema = SchemaFactory.createForClass(SessionDocument);
// Rotation is a compare-and-set on this field; no two sessions may hold the same token.
SessionSchema.index({ currentTokenHash: 1 }, { unique: true });
// Backs listLive / evictOldest / revokeAll: one user's sessions, oldest first.
SessionSchema.index({ userId: 1, createdAt: 1 });
// MongoDB deletes a session once its idle expiry passes. expiresAt never exceeds
// absoluteExpiresAt, so this one TTL index also covers the absolute lifetime.
SessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
