import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/app-config';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { Authenticator } from './authenticator';
import { AuthCookieModule } from './cookies/auth-cookie.module';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { CsrfTokenGuard } from './guards/csrf-token.guard';
import { SameOriginGuard } from './guards/same-origin.guard';
import { MfaController } from './mfa.controller';
import { SessionsController } from './sessions.controller';
import { SignIn } from './sign-in';
import { RateLimitGuard } from '../throttling/rate-limit.guard';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy';
import { JwtStrategy } from './strategies/jwt.strategy';
import { AccessTokens } from './tokens/access-tokens';
import { CsrfTokens } from './tokens/csrf-tokens';
import { VerifiedTokens } from './tokens/verified-tokens';

@Module({
  imports: [
    AuthCookieModule,
    UsersModule,
    SessionsModule,
    MfaModule,
    PassportModule,
    // The key comes per call from AccessTokens' key ring (kid); the rest is fixed here.
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ signOptions: AccessTokens.signOptions(config), verifyOptions: AccessTokens.verifyOptions(config) }),
    }),
  ],
  controllers: [AuthController, SessionsController, MfaController],
  providers: [
    AuthService,
    SignIn,
    Authenticator,
    AccessTokens,
    VerifiedTokens,
    JwtStrategy,
    JwtRefreshStrategy,
    CsrfTokens,
    // Order matters: a cross-site request is refused before anything looks at its cookie, and
    // a request is counted against its rate limit before any credential in it is checked.
    { provide: APP_GUARD, useClass: SameOriginGuard },
    { provide: APP_GUARD, useClass: CsrfTokenGuard },
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthService, SignIn],
})
export class AuthModule {}
