import type { Logger } from '@nestjs/common';
import { Store } from '../store';
import { MongoCounterStore, createCounterIndexes } from './mongo-counters';
import { MongoLink } from './mongo-link';
import { MongoOneTimeTokensRepository } from './mongo-one-time-tokens.repository';
import { OneTimeTokenDocument, OneTimeTokenSchema } from './one-time-token.schema';
import { MongoSecondFactorsRepository } from './mongo-second-factors.repository';
import { MongoSessionsRepository } from './mongo-sessions.repository';
import {
  PendingSignInDocument,
  PendingSignInSchema,
  RecoveryCodeDocument,
  RecoveryCodeSchema,
  RememberedDeviceDocument,
  RememberedDeviceSchema,
  TotpFactorDocument,
  TotpFactorSchema,
} from './second-factor.schemas';
import { MongoUsersRepository } from './mongo-users.repository';
import { RefreshTokenDocument, RefreshTokenSchema } from './refresh-token.schema';
import { SessionDocument, SessionSchema } from './session.schema';
import { UserDocument, UserSchema } from './user.schema';

/**
 * The MongoDB store, on a connection of its own (the store is picked at boot by the storage
 * module, so MongooseModule.forRoot is not used). Resolves once the indexes exist; or at once
 * when MongoDB is unreachable, or after a few seconds of an index build still running: the
 * service then starts, answers 503 where it needs the store, and the link finishes connecting
 * and building in the background.
 */
export async function openMongoStore(uri: string, logger: Logger): Promise<Store> {
  const link = new MongoLink(uri, logger);
  const users = link.connection.model(UserDocument.name, UserSchema);
  const sessions = link.connection.model(SessionDocument.name, SessionSchema);
  const records = link.connection.model(RefreshTokenDocument.name, RefreshTokenSchema);
  const oneTimeTokens = link.connection.model(OneTimeTokenDocument.name, OneTimeTokenSchema);
  const totp = link.connection.model(TotpFactorDocument.name, TotpFactorSchema);
  const recoveryCodes = link.connection.model(RecoveryCodeDocument.name, RecoveryCodeSchema);
  const pendingSignIns = link.connection.model(PendingSignInDocument.name, PendingSignInSchema);
  const rememberedDevices = link.connection.model(RememberedDeviceDocument.name, RememberedDeviceSchema);

  // createIndexes is idempotent and never drops an index someone added by hand (syncIndexes would).
  await link.start(async (builder) => {
    for (const [name, schema] of INDEXED) await builder.model(name, schema).createIndexes();
    await createCounterIndexes(builder.db!);
  });

  return {
    users: new MongoUsersRepository(users, link, [
      (userId) => totp.deleteOne({ _id: userId }).maxTimeMS(link.msLeft()).exec(),
      (userId) => recoveryCodes.deleteMany({ userId }).maxTimeMS(link.msLeft()).exec(),
      (userId) => pendingSignIns.deleteMany({ userId }).maxTimeMS(link.msLeft()).exec(),
      (userId) => rememberedDevices.deleteMany({ userId }).maxTimeMS(link.msLeft()).exec(),
    ]),
    sessions: new MongoSessionsRepository(sessions, records, link),
    oneTimeTokens: new MongoOneTimeTokensRepository(oneTimeTokens, link),
    secondFactors: new MongoSecondFactorsRepository(totp, recoveryCodes, pendingSignIns, rememberedDevices, link),
    counters: new MongoCounterStore(link),
    health: { ping: () => link.ping() },
    close: () => link.close(),
  };
}

/** The schemas whose indexes the start builds (the counters' are rate-limiter-flexible's, built apart). */
const INDEXED = [
  [UserDocument.name, UserSchema],
  [SessionDocument.name, SessionSchema],
  [RefreshTokenDocument.name, RefreshTokenSchema],
  [OneTimeTokenDocument.name, OneTimeTokenSchema],
  [TotpFactorDocument.name, TotpFactorSchema],
  [RecoveryCodeDocument.name, RecoveryCodeSchema],
  [PendingSignInDocument.name, PendingSignInSchema],
  [RememberedDeviceDocument.name, RememberedDeviceSchema],
] as const;
