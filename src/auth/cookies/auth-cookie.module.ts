import { Global, Module } from '@nestjs/common';
import { AuthCookie } from './auth-cookie';
import { DeviceCookie } from './device-cookie';

/** Global so that users/ can clear the cookie on account deletion, and read the device cookie, without importing auth/. */
@Global()
@Module({ providers: [AuthCookie, DeviceCookie], exports: [AuthCookie, DeviceCookie] })
export class AuthCookieModule {}
