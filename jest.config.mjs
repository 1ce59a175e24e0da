// NestJS 12 ships ES modules only, so jest runs in ESM mode (see README, "Tests").
export default {
  moduleFileExtensions: ['ts', 'js', 'json'],
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec|contract-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.spec.json' }],
  },
  moduleNameMapper: {
    // see the file: a CommonJS package that requires ESM-only Nest, loaded without a second copy
    '^@nestjs/throttler$': '<rootDir>/test/support/esm-shims/nestjs-throttler.mjs',
  },
  testTimeout: 30000,
};
