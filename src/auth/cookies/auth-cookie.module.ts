import { Global, Module } from '@nestjs/common';
import { AuthCookie } from './auth-cookie';

/** Global so that users/ can clear the cookie on account deletion without importing auth/. */
@Global()
@Module({ providers: [AuthCookie], exports: [AuthCookie] })
export class AuthCookieModule {}
