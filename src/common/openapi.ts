import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SPLIT_ACCESS_COOKIE, SPLIT_REFRESH_COOKIE } from '../auth/cookies/auth-cookie';
import { AppConfig } from '../config/app-config';
import type { HttpPlatform } from '../http/platform';

/** The security scheme's id in the document; protected operations name it (@ApiCookieAuth). */
export const COOKIE_AUTH = 'auth-cookie';

/** GET /docs (Swagger UI, assets under /docs/*) and GET /docs-json (the document); both public. */
export function setupOpenApi(app: INestApplication, platform: HttpPlatform): void {
  const config = app.get(AppConfig);
  const cookieName = config.cookie.layout === 'split' ? SPLIT_ACCESS_COOKIE : config.cookie.name;
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Nest Cookie Auth')
      .setDescription(apiDescription(config))
      .setVersion('0.1.0')
      // The third argument is the scheme's id: without it @nestjs/swagger names the scheme "cookie".
      .addCookieAuth(cookieName, { type: 'apiKey', in: 'cookie', name: cookieName, description: cookieDescription(config) }, COOKIE_AUTH)
      .build(),
  );
  // helmet's default CSP already lets the UI run (its scripts are files under /docs, not inline),
  // except for upgrade-insecure-requests: over plain http on any host but localhost, it sends the
  // UI's same-origin assets to https and the page stays blank. The UI links nothing over http.
  platform.relaxDocsCsp(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    customSiteTitle: 'Nest Cookie Auth API',
    // The UI would otherwise send the document's address to validator.swagger.io for a badge.
    swaggerOptions: { validatorUrl: null },
  });
}

function apiDescription(config: AppConfig): string {
  const doubleSubmit = config.csrf.mode === 'double-submit';
  return [
    'Password login with an HttpOnly cookie session: a short-lived JWT access token and a rotating opaque refresh token,',
    config.cookie.layout === 'split' ? 'in two cookies (see the cookie security scheme).' : 'both in one cookie.',
    '',
    'JSON in and out. Every error is `{ statusCode, error, message }`. Unsafe methods (POST, PATCH, DELETE) from a page on another',
    'site are refused with 403 (Origin / Sec-Fetch-Site check); clients that send neither header (curl, Postman) pass.',
    ...(doubleSubmit
      ? ['This deployment also wants a CSRF token on every unsafe method: `GET /auth/csrf`, then send its `csrfToken` in the `X-CSRF-Token` header (403 otherwise).']
      : []),
    'Signup, login, refresh and `PATCH /users/{id}` are rate-limited per client address: 429 with `Retry-After`.',
  ].join('\n');
}

function cookieDescription(config: AppConfig): string {
  const accessMinutes = Math.round(config.tokens.accessTtlSeconds / 60);
  const where =
    config.cookie.layout === 'split'
      ? [
          `\`${SPLIT_ACCESS_COOKIE}\` (Path=/, SameSite=${config.cookie.sameSite}) holds an HS256 access JWT (${accessMinutes} min) and`,
          `\`${SPLIT_REFRESH_COOKIE}\` (Path=/auth/refresh, SameSite=Strict) an opaque refresh token (the store keeps only its SHA-256).`,
          'Both are set by signup, login and refresh, HttpOnly and Secure (page scripts cannot read them):',
        ]
      : [
          `\`${config.cookie.name}\` is set by signup, login and refresh. Its value is Express's \`j:\` JSON of \`{ token, refreshToken }\`:`,
          `an HS256 access JWT (${accessMinutes} min) and an opaque refresh token (the store keeps only its SHA-256).`,
          `It is HttpOnly (page scripts cannot read it), SameSite=${config.cookie.sameSite}, Path=/${config.cookie.secure ? ', Secure' : ''}:`,
        ];
  return [
    ...where,
    'clients never handle the tokens; browsers and cookie jars (Postman, `curl -b/-c`) send them back by themselves.',
    '',
    'When a call answers 401 `Access token expired; call POST /auth/refresh`, call `POST /auth/refresh`: it rotates the refresh token',
    'and sets a new cookie. A 401 from refresh clears the cookie: sign in again.',
    '',
    'In this page, sign in with `POST /auth/login` (Try it out): the browser keeps the cookie and sends it with the later calls.',
    'The Authorize dialog cannot set an HttpOnly cookie.',
  ].join('\n');
}
