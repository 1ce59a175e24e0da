import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';

/** The security scheme's id in the document; protected operations name it (@ApiCookieAuth). */
export const COOKIE_AUTH = 'auth-cookie';

/** GET /docs (Swagger UI, assets under /docs/*) and GET /docs-json (the document); both public. */
export function setupOpenApi(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Nest Cookie Auth')
      .setDescription(API_DESCRIPTION)
      .setVersion('0.1.0')
      // The third argument is the scheme's id: without it @nestjs/swagger names the scheme "cookie".
      .addCookieAuth(config.cookie.name, { type: 'apiKey', in: 'cookie', name: config.cookie.name, description: cookieDescription(config) }, COOKIE_AUTH)
      .build(),
  );
  // helmet's default CSP already lets the UI run (its scripts are files under /docs, not inline),
  // except for upgrade-insecure-requests: over plain http on any host but localhost, it sends the
  // UI's same-origin assets to https and the page stays blank. The UI links nothing over http.
  app.use('/docs', helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } }));
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    customSiteTitle: 'Nest Cookie Auth API',
    // The UI would otherwise send the document's address to validator.swagger.io for a badge.
    swaggerOptions: { validatorUrl: null },
  });
}

const API_DESCRIPTION = [
  'Password login with an HttpOnly cookie session: a short-lived JWT access token and a rotating opaque refresh token, both in one cookie.',
  '',
  'JSON in and out. Every error is `{ statusCode, error, message }`. Unsafe methods (POST, PATCH, DELETE) from a page on another',
  'site are refused with 403 (Origin / Sec-Fetch-Site check); clients that send neither header (curl, Postman) pass.',
  'Signup, login and refresh are rate-limited per client: 429 with `Retry-After`.',
].join('\n');

function cookieDescription(config: AppConfig): string {
  const accessMinutes = Math.round(config.tokens.accessTtlSeconds / 60);
  return [
    `\`${config.cookie.name}\` is set by signup, login and refresh. Its value is Express's \`j:\` JSON of \`{ token, refreshToken }\`:`,
    `an HS256 access JWT (${accessMinutes} min) and an opaque refresh token (the store keeps only its SHA-256).`,
    `It is HttpOnly (page scripts cannot read it), SameSite=${config.cookie.sameSite}, Path=/${config.cookie.secure ? ', Secure' : ''}:`,
    'clients never handle the tokens; browsers and cookie jars (Postman, `curl -b/-c`) send it back by themselves.',
    '',
    'When a call answers 401 `Access token expired; call POST /auth/refresh`, call `POST /auth/refresh`: it rotates the refresh token',
    'and sets a new cookie. A 401 from refresh clears the cookie: sign in again.',
    '',
    'In this page, sign in with `POST /auth/login` (Try it out): the browser keeps the cookie and sends it with the later calls.',
    'The Authorize dialog cannot set an HttpOnly cookie.',
  ].join('\n');
}
