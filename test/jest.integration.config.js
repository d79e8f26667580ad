/** Integration tests: real Asterisk (chroot), real SIP peers (sipp), real database server (FerretDB/MongoDB). */
module.exports = {
  rootDir: '..',
  testMatch: ['<rootDir>/test/integration/**/*.int.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120000,
};
