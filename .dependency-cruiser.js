/**
 * The layer rules of ARCHITECTURE.md, enforced in CI (`npm run layers`).
 * tsPreCompilationDeps: type-only imports count too.
 */
const FRAMEWORKS = '(^|/)node_modules/(@nestjs/|inversify|mongoose|mongodb|twilio|sse-channel|express|rxjs|nestjs-pino|pino)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'src/domain may import nothing outside src/domain (no npm packages either, except node built-ins).',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'application-imports-domain-and-application',
      severity: 'error',
      comment: 'src/application may import src/domain and src/application only.',
      from: { path: '^src/application/' },
      to: { path: '^src/(infrastructure|interfaces)/' },
    },
    {
      name: 'core-imports-no-framework',
      severity: 'error',
      comment: 'No framework or adapter library in src/domain or src/application.',
      from: { path: '^src/(domain|application)/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: FRAMEWORKS },
    },
    {
      name: 'interfaces-never-import-infrastructure',
      severity: 'error',
      from: { path: '^src/interfaces/' },
      to: { path: '^src/infrastructure/' },
    },
    {
      name: 'only-composition-root-imports-interfaces',
      severity: 'error',
      comment: 'Of infrastructure, only src/infrastructure/di (the composition root) may import src/interfaces.',
      from: { path: '^src/infrastructure/', pathNot: '^src/infrastructure/di/' },
      to: { path: '^src/interfaces/' },
    },
    {
      name: 'only-entry-points-start-the-emulator',
      severity: 'error',
      comment: 'The Twilio emulator is a second program (ARCHITECTURE.md): the core and the adapters never import it; only the bootstrap, the CLI and the benchmarks start it.',
      from: { path: '^src/', pathNot: '^src/(emulator/|infrastructure/bootstrap/|bench/|cli\\.ts$|main\\.ts$)' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'emulator-imports-no-service-code',
      severity: 'error',
      comment: 'The emulator talks to the service only over HTTP, as Twilio does.',
      from: { path: '^src/emulator/' },
      to: { path: '^src/(domain|application|infrastructure|interfaces|bench)/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
