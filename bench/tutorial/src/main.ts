// The typical NestJS cookie-JWT tutorial, as a baseline for the benchmarks: cookie-parser, a
// passport-jwt strategy that pulls the token out of `auth-cookie` (the service's `j:` JSON
// cookie, so the very cookie the service issues is accepted), the secret handed over as a plain
// string, and one protected route that returns the user from the token. No session check, no
// issuer/audience check, none of the service's middleware: what the seed tutorials build.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import cookieParser from 'cookie-parser';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';

interface JwtPayload {
  sub: string;
  sid: string;
}

@Injectable()
class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([
        (req: Request) => (req?.cookies?.['auth-cookie'] as { token?: string } | undefined)?.token ?? null,
      ]),
      ignoreExpiration: false,
      secretOrKey: process.env.JWT_ACCESS_SECRET as string,
    });
  }

  validate(payload: JwtPayload) {
    return { id: payload.sub, sessionId: payload.sid };
  }
}

@Controller()
class ProfileController {
  @UseGuards(AuthGuard('jwt'))
  @Get('profile')
  profile(@Req() req: Request) {
    return { user: req.user };
  }
}

@Module({ imports: [PassportModule], controllers: [ProfileController], providers: [JwtStrategy] })
class TutorialModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(TutorialModule);
  app.use(cookieParser());
  await app.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1');
}

void bootstrap();
