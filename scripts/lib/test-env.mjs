// The one table of settings the tests run the service with. Each suite states only where it
// differs (a suite that tests the rate limits lowers them; the fault scenarios run in production
// mode). Shared by the in-process jest app (test/support/app.ts) and the child-process harness
// (scripts/lib/service.mjs).

/** Cheap bcrypt (cost 4, not 12) and rate limits high enough not to get in the way. */
export const TEST_ENV = Object.freeze({
  BCRYPT_COST: '4',
  RATE_LIMIT_LOGIN: '10000',
  RATE_LIMIT_REFRESH: '10000',
  RATE_LIMIT_RECOVERY: '10000',
});

/**
 * For the built service as a child process: development mode (plain http on 127.0.0.1, so
 * cookies without Secure) and the fresh SQLite folder as its only store.
 */
export const CHILD_TEST_ENV = Object.freeze({
  ...TEST_ENV,
  NODE_ENV: 'development',
  MONGODB_URI: '',
});
