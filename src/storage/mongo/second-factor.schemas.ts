import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

const STRICT = { versionKey: false, strict: 'throw', strictQuery: 'throw', autoIndex: false, autoCreate: false } as const;

/** A user's TOTP secret (collection `totp_factors`, `_id` = user id); see `TotpFactor`. */
@Schema({ collection: 'totp_factors', ...STRICT })
export class TotpFactorDocument {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  keyId!: string;

  /** AES-256-GCM: iv, tag and ciphertext (never the secret in clear). */
  @Prop({ type: String, required: true })
  sealed!: string;

  @Prop({ type: Boolean, required: true })
  confirmed!: boolean;

  @Prop({ type: Number, default: null })
  lastStep!: number | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

/** One unused recovery code (collection `recovery_codes`, `_id` = `userId:codeHash`). */
@Schema({ collection: 'recovery_codes', ...STRICT })
export class RecoveryCodeDocument {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  userId!: string;
}

/** A password sign-in waiting for its second step (collection `pending_sign_ins`, `_id` = SHA-256 of the pending cookie). */
@Schema({ collection: 'pending_sign_ins', ...STRICT })
export class PendingSignInDocument {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  userId!: string;

  @Prop({ type: Number, required: true })
  failures!: number;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const TotpFactorSchema = SchemaFactory.createForClass(TotpFactorDocument);
export const RecoveryCodeSchema = SchemaFactory.createForClass(RecoveryCodeDocument);
// Replacing or counting a user's codes, and deleting the user, find them by user id.
RecoveryCodeSchema.index({ userId: 1 });
export const PendingSignInSchema = SchemaFactory.createForClass(PendingSignInDocument);
// Deleting the user finds their pending sign-ins by user id.
PendingSignInSchema.index({ userId: 1 });
// MongoDB removes a pending sign-in once it expires (reads check expiresAt themselves: the monitor runs about once a minute).
PendingSignInSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

/** A browser whose second step is remembered (collection `remembered_devices`, `_id` = `userId:deviceId`). */
@Schema({ collection: 'remembered_devices', ...STRICT })
export class RememberedDeviceDocument {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  userId!: string;

  @Prop({ type: String, required: true })
  deviceId!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const RememberedDeviceSchema = SchemaFactory.createForClass(RememberedDeviceDocument);
// Listing and forgetting a user's devices, newest first.
RememberedDeviceSchema.index({ userId: 1, createdAt: -1 });
// MongoDB removes a remembered device once it expires (reads check expiresAt themselves).
RememberedDeviceSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
