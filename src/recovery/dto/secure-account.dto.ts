import { OneTimeTokenField } from './one-time-token-field';

/** POST /auth/secure-account and the /secure-account form. */
export class SecureAccountDto {
  @OneTimeTokenField('The token from the "not you?" link mailed to the address the account left (PUBLIC_URL/secure-account?token=…)')
  token!: string;
}
