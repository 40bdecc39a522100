// Two projects: fast pure-logic tests beside the code, and integration tests against the
// real stack (Kafka, schema registry, Redis, SMTP) named by environment variables.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};
const moduleNameMapper = {
  '^@pulse/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{packages,services}/*/src/**/*.test.ts',
        '<rootDir>/infra/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{packages,services}/*/test/**/*.int.test.ts',
        '<rootDir>/test/**/*.int.test.ts',
      ],
      globalSetup: '<rootDir>/packages/testkit/jest-global-setup.ts',
      globalTeardown: '<rootDir>/packages/testkit/jest-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/packages/testkit/jest-setup-integration.ts'],
    },
  ],
};
