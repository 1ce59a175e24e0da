import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { TEST_ENV as SHARED_TEST_ENV } from '../../scripts/lib/test-env.mjs';
import { createApp } from '../../src/app.factory';
import { AppConfig, EnvOverrides } from '../../src/config/app-config';
import { StoreHealth } from '../../src/storage/store-health';
import { COOKIE_LAYOUT, CSRF_MODE, HTTP_PLATFORM } from './cookies';
import { agentSendingCsrfTokens, sendingCsrfTokens, treatingLoopbackAsSecure } from './csrf';
import { StoreUnderTest, untilReady } from './stores';

/** The shared test defaults (scripts/lib/test-env.mjs), in-process: test mode, no log output. */
const TEST_ENV: EnvOverrides = {
  ...SHARED_TEST_ENV,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  COOKIE_LAYOUT,
  CSRF_MODE,
  HTTP_PLATFORM,
};

export interface TestApp {
  app: INestApplication;
  /** Every route the server answers ("get /users/:id"), read from the platform's own router. */
  routes(): string[];
  server: Server;
  config: AppConfig;
  env: EnvOverrides;
  /** A cookie-jar client: keeps the session cookies between requests like a browser or Postman. */
  agent(): InstanceType<typeof request.agent>;
  /**
   * A client with no jar, for crafted cookies. With CSRF_MODE=double-submit it fetches and sends
   * a CSRF token before each unsafe request, unless `csrfTokens: false`.
   */
  http(options?: { csrfTokens?: boolean }): ReturnType<typeof request>;
  /** Closes and boots again on the same data folder / database, with `changes` to the environment. */
  restart(changes?: EnvOverrides): Promise<TestApp>;
  close(): Promise<void>;
}

/** Boots the real app (same factory as main.ts) on a fresh store of the given kind. */
export async function startTestApp(store: StoreUnderTest, env: EnvOverrides = {}): Promise<TestApp> {
  const storeEnv = store.freshEnv();
  return boot({ ...TEST_ENV, ...storeEnv, ...env }, () => store.dispose(storeEnv));
}

/**
 * A second instance of the app on `first`'s store (the same data folder and database, so the same
 * development secrets), as two processes behind one load balancer would run. Closing it leaves
 * the store to `first`.
 */
export async function startSecondInstance(first: TestApp, changes: EnvOverrides = {}): Promise<TestApp> {
  return boot({ ...first.env, ...changes }, async () => {});
}

async function boot(env: EnvOverrides, dispose: () => Promise<void>): Promise<TestApp> {
  const app = await createApp({ env, ignoreEnvFile: true });
  const routes = env.HTTP_PLATFORM === 'fastify' ? recordFastifyRoutes(app) : () => expressRoutes(app);
  await app.init();
  // Fastify registers its routes and plugins when ready, which listen() would otherwise wait for.
  if (env.HTTP_PLATFORM === 'fastify') await app.getHttpAdapter().getInstance().ready();
  // Ready, as a load balancer would wait for /health: a MongoDB index build may outlast the start.
  await untilReady(app.get(StoreHealth));
  const server = app.getHttpServer() as Server;
  const self: TestApp = {
    app,
    server,
    routes,
    env,
    config: app.get(AppConfig),
    agent: () => {
      const agent = treatingLoopbackAsSecure(request.agent(server));
      return env.CSRF_MODE === 'double-submit' ? agentSendingCsrfTokens(agent) : agent;
    },
    http: ({ csrfTokens = true } = {}) => (env.CSRF_MODE === 'double-submit' && csrfTokens ? sendingCsrfTokens(server) : request(server)),
    restart: async (changes = {}) => {
      await app.close();
      return boot({ ...env, ...changes }, dispose);
    },
    close: async () => {
      await app.close();
      await dispose();
    },
  };
  return self;
}

// One app at a time per test file: passport keeps strategies in a process-wide registry, so a
// second live app replaces the first one's `jwt` and `jwt-refresh` strategies. A second instance
// on the same store (startSecondInstance) shares its keys and data, so either's strategies answer
// alike while both are open; close the second first.

/** Express 5: app.router.stack. Nest mounts middleware applied forRoutes('*') (the request logger) as a catch-all route; it is no route of the app. */
function expressRoutes(app: INestApplication): string[] {
  const { stack } = (app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
  return stack.flatMap(({ route }) =>
    route && !route.path.includes('*splat') ? Object.keys(route.methods).filter((method) => route.methods[method]).map((method) => `${method} ${route.path}`) : [],
  );
}

/** Fastify keeps no list: every route is recorded as Nest registers it (at init). HEAD twins of GET routes are left out, as Express lists none. */
function recordFastifyRoutes(app: INestApplication): () => string[] {
  const seen: string[] = [];
  const fastify = app.getHttpAdapter().getInstance() as { addHook(name: 'onRoute', hook: (route: { method: string | string[]; url: string }) => void): void };
  fastify.addHook('onRoute', ({ method, url }) => {
    for (const m of [method].flat()) if (m !== 'HEAD') seen.push(`${m.toLowerCase()} ${url}`);
  });
  return () => [...seen];
}
