// Types for test-env.mjs, so that test/support/app.ts (TypeScript) can share the table.
export declare const TEST_ENV: Readonly<Record<'BCRYPT_COST' | 'RATE_LIMIT_LOGIN' | 'RATE_LIMIT_REFRESH' | 'RATE_LIMIT_RECOVERY', string>>;
export declare const CHILD_TEST_ENV: Readonly<Record<string, string>>;
