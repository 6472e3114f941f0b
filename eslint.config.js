// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const FRAMEWORKS = ['@nestjs/*', 'inversify', 'mongoose', 'mongodb', 'twilio', 'sse-channel', 'express', 'rxjs', 'nestjs-pino', 'pino', 'pino-http'];

/** Early feedback for the layer rules; dependency-cruiser (`npm run layers`) is the authority. */
const restrict = (patterns) => ['error', { patterns }];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'artifacts/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: FRAMEWORKS, message: 'domain code imports no framework or adapter' },
        { group: ['**/application/**', '**/infrastructure/**', '**/interfaces/**', '**/emulator/**'], message: 'domain imports only domain' },
      ]),
    },
  },
  {
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: FRAMEWORKS, message: 'application code imports no framework or adapter' },
        { group: ['**/infrastructure/**', '**/interfaces/**', '**/emulator/**'], message: 'application imports only domain and application' },
      ]),
    },
  },
  {
    files: ['src/interfaces/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/infrastructure/**'], message: 'interfaces never import infrastructure' },
        { group: ['**/emulator/**'], message: 'the Twilio emulator is a separate program' },
      ]),
    },
  },
  {
    files: ['src/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/domain/**', '**/application/**', '**/infrastructure/**', '**/interfaces/**'], message: 'the emulator talks to the service only over HTTP' },
      ]),
    },
  },
  {
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    rules: {
      'no-restricted-imports': restrict([{ group: ['**/src/**', '**/test/**'], message: 'the console is a client of the public API: it imports nothing of the service' }]),
    },
  },
  {
    files: ['scripts/**/*.js', '*.js', '.dependency-cruiser.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/cli.ts', 'src/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
