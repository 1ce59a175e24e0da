import { Global, Module } from '@nestjs/common';
import { AuthCookie } from './auth-cookie';
import { DeviceCookie } from './device-cookie';
import { PendingSignInCookie } from './pending-sign-in-cookie';

/** Global so that users/ can clear the cookie on account deletion, and read the device cookie, without importing auth/. */
@Global()
@Module({ providers: [AuthCookie, DeviceCookie, PendingSignInCookie], exports: [AuthCookie, DeviceCookie, PendingSignInCookie] })
export class AuthCookieModule {}
