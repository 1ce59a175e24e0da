import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IS_PUBLIC } from '../../src/auth/decorators/public.decorator';
import { JwtRefreshGuard } from '../../src/auth/guards/jwt-refresh.guard';
import { PagesController } from '../../src/pages/pages.controller';
import { SignInMethodsController } from '../../src/pages/sign-in-methods.controller';

/** The controllers that render HTML pages, left out of the API document. */
const PAGE_CONTROLLERS: unknown[] = [PagesController, SignInMethodsController];
import { TestApp, startTestApp } from '../support/app';
import { COOKIE_NAME, rawCookieHeader } from '../support/cookies';
import { storesUnderTest } from '../support/stores';

/** "post /auth/sessions/{id}": a route as the document names it. */
type RouteKey = string;

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>>; schemas: Record<string, { properties?: object }> };
}

/** A handler Nest mapped to a route, with what decides how it is guarded. */
interface Handler {
  controller: Type;
  isPublic: boolean;
  guards: unknown[];
}

const SECURITY = 'auth-cookie';
const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');
const key = (method: string, expressPath: string): RouteKey => `${method.toLowerCase()} ${openApiPath(expressPath)}`;

/** Every route the server would answer, read from its platform's router (Express or Fastify). */
function serverRoutes(app: TestApp): RouteKey[] {
  return app.routes().map((route) => {
    const [method, path] = route.split(' ');
    return key(method, path);
  });
}

/** Every controller handler of every module, by route, from Nest's own routing metadata. */
function nestHandlers(app: TestApp): Map<RouteKey, Handler> {
  const handlers = new Map<RouteKey, Handler>();
  for (const module of app.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (name === 'constructor' || method === undefined) continue;
        const path = `/${[prefix, Reflect.getMetadata(PATH_METADATA, handler) as string].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        handlers.set(key(RequestMethod[method], path), {
          controller,
          isPublic: Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller)),
          guards: [...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[]) ?? []), ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? [])],
        });
      }
    }
  }
  return handlers;
}

function operationsOf(document: OpenApiDocument): Map<RouteKey, Operation> {
  return new Map(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => [`${method} ${path}`, operation] as const),
    ),
  );
}

const isDocs = (route: RouteKey) => / \/docs(-|\/|$)/.test(route);

describe('OpenAPI document and UI', () => {
  let app: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    app = await startTestApp(storesUnderTest()[0]);
    document = (await app.http().get('/docs-json')).body as OpenApiDocument;
  });
  afterAll(() => app.close());

  describe('GET /docs', () => {
    it('serves the Swagger UI page to anyone, its scripts as same-origin files that load', async () => {
      const res = await app.http().get('/docs');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('<div id="swagger-ui"></div>');
      const scripts = [...res.text.matchAll(/<script([^>]*)>/g)].map(([, attributes]) => attributes);
      expect(scripts.length).toBeGreaterThanOrEqual(3);
      for (const attributes of scripts) {
        const src = /src="\.\/docs\/([\w.-]+)"/.exec(attributes)?.[1];
        expect(src).toBeDefined(); // no inline script: the CSP's script-src 'self' lets them all run
        const asset = await app.http().get(`/docs/${src}`);
        expect(asset.status).toBe(200);
        expect(asset.headers['content-type']).toMatch(/^(application|text)\/javascript/);
      }
      expect((await app.http().get('/docs/swagger-ui.css')).status).toBe(200);
    });

    it("keeps helmet's CSP for the UI, minus upgrade-insecure-requests (plain-http hosts); other routes keep it all", async () => {
      const docs = (await app.http().get('/docs')).headers['content-security-policy'];
      const directives = docs.split(';');
      expect(directives).toEqual(expect.arrayContaining(["default-src 'self'", "script-src 'self'", "script-src-attr 'none'", "object-src 'none'"]));
      expect(docs).not.toContain('upgrade-insecure-requests');
      expect((await app.http().get('/health/live')).headers['content-security-policy']).toContain('upgrade-insecure-requests');
    });
  });

  describe('GET /docs-json', () => {
    it('serves an OpenAPI 3 document to anyone, even with a garbled cookie', async () => {
      const res = await app.http().get('/docs-json').set('Cookie', rawCookieHeader('garbage'));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body.openapi).toMatch(/^3\.\d+\.\d+$/);
      const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
      expect(document.info).toMatchObject({ title: 'Nest Cookie Auth', version: pkg.version });
    });

    it(`describes the HttpOnly cookie as an apiKey-in-cookie security scheme named ${COOKIE_NAME}`, () => {
      const scheme = document.components.securitySchemes[SECURITY];
      expect(scheme).toMatchObject({ type: 'apiKey', in: 'cookie', name: COOKIE_NAME });
      expect(scheme.description).toEqual(expect.stringContaining('HttpOnly'));
      expect(scheme.description).toEqual(expect.stringContaining('POST /auth/refresh'));
      expect(Object.keys(document.components.securitySchemes)).toEqual([SECURITY]);
    });
  });

  describe('coverage', () => {
    it("reads the same routes from the platform's router as from Nest's controllers (so both views below are the app's)", () => {
      const routes = serverRoutes(app).filter((route) => !isDocs(route));
      expect(new Set(routes).size).toBe(routes.length);
      expect([...routes].sort()).toEqual([...nestHandlers(app).keys()].sort());
      expect(routes).toEqual(expect.arrayContaining(['post /auth/login', 'delete /users/{id}', 'get /health']));
    });

    it('documents every route of the app with its method, and nothing else, except /docs* and the HTML pages', () => {
      const handlers = nestHandlers(app);
      const api = serverRoutes(app).filter((route) => !isDocs(route) && !PAGE_CONTROLLERS.includes(handlers.get(route)?.controller));
      expect([...operationsOf(document).keys()].sort()).toEqual([...api].sort());
    });

    it('leaves the server-rendered HTML pages out of the document', () => {
      const pages = [...nestHandlers(app)].filter(([, handler]) => PAGE_CONTROLLERS.includes(handler.controller)).map(([route]) => route);
      expect(pages).toEqual(expect.arrayContaining(['get /login', 'get /account', 'get /account/totp']));
      const documented = operationsOf(document);
      expect(pages.filter((route) => documented.has(route))).toEqual([]);
    });

    it('gives every operation a tag, a summary, a success answer, and ErrorDto bodies for its errors', () => {
      for (const [route, operation] of operationsOf(document)) {
        expect({ route, tags: operation.tags?.length, summary: typeof operation.summary }).toEqual({ route, tags: 1, summary: 'string' });
        const statuses = Object.keys(operation.responses);
        expect({ route, success: statuses.some((status) => /^2\d\d$/.test(status)) }).toEqual({ route, success: true });
        for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
          const schema = operation.responses[status].content?.['application/json']?.schema;
          expect({ route, status, schema }).toEqual({ route, status, schema: { $ref: '#/components/schemas/ErrorDto' } });
        }
      }
    });

    it('never shows a password hash or a token in a response schema', () => {
      const responseSchemas = ['PublicUserDto', 'OwnUserDto', 'UserResponseDto', 'UserPageDto', 'SessionDto', 'ErrorDto', 'ResetRequestedDto'];
      for (const name of responseSchemas) {
        expect(Object.keys(document.components.schemas[name].properties ?? {})).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/hash|token|password/i)]),
        );
      }
    });
  });

  describe('security requirements', () => {
    it('names the cookie on every route that needs it (guarded, or the refresh route) and on no other', () => {
      const handlers = nestHandlers(app);
      for (const [route, operation] of operationsOf(document)) {
        const handler = handlers.get(route)!;
        const needsCookie = !handler.isPublic || handler.guards.includes(JwtRefreshGuard);
        expect({ route, security: operation.security }).toEqual({ route, security: needsCookie ? [{ [SECURITY]: [] }] : undefined });
        if (needsCookie) expect({ route, has401: '401' in operation.responses }).toEqual({ route, has401: true });
      }
    });

    it('leaves exactly signup, login, logout, health and the recovery routes public, and documents refresh with the cookie', () => {
      const open = [...operationsOf(document)].filter(([, operation]) => !operation.security).map(([route]) => route);
      expect(open.sort()).toEqual([
        'get /auth/csrf',
        'get /health',
        'get /health/live',
        'post /auth/login',
        'post /auth/login/mfa',
        'post /auth/logout',
        'post /auth/password-reset',
        'post /auth/password-reset/confirm',
        'post /auth/secure-account',
        'post /auth/signup',
        'post /auth/verify-email',
      ]);
      expect(operationsOf(document).get('post /auth/refresh')?.security).toEqual([{ [SECURITY]: [] }]);
    });
  });
});
