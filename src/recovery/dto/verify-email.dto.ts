import { OneTimeTokenField } from './one-time-token-field';

/** POST /auth/verify-email and the /verify form. */
export class VerifyEmailDto {
  @OneTimeTokenField('The token from the verification link (PUBLIC_URL/verify?token=…)')
  token!: string;
}
