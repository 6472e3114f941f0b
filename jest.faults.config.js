/**
 * The fault tests (test/faults): instances killed with SIGKILL, the database stopped and
 * restarted, Twilio failing during bursts. Slow and CPU-hungry, so `npm test` leaves them out;
 * run them with `npm run test:faults`.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testPathIgnorePatterns: ['/node_modules/'],
  // The killed instances are child processes running the built service (dist/).
  globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
  // Each file runs two service processes or a database of its own: one file at a time.
  maxWorkers: 1,
  testTimeout: 180000,
  // A fault test that fails may leave a service stuck on the broken database: end the run
  // rather than wait for it (the failure is already reported).
  forceExit: true,
};
