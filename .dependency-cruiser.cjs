/**
 * Dependency direction: domain <- app <- adapters <- composition <- main.
 * The domain is plain TypeScript: no Node built-ins, no I/O libraries, no app or adapter code.
 */
const IO_LIBS = '^(ari-client|drachtio-srf|socket\\.io|socket\\.io-client|@socket\\.io|mongoose|mongodb|express|winston|node-cron|ioredis|redis|prom-client|jsonwebtoken|argon2|bcryptjs|express-rate-limit|helmet)($|/)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'The domain may import only itself, src/shared and pure libraries: no Node built-ins, no I/O libraries.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'domain-no-io-libs',
      severity: 'error',
      from: { path: '^src/(domain|shared)/' },
      to: { path: IO_LIBS, dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'domain-not-outward',
      comment: 'The domain does not know the use cases, the adapters, the config or the composition root.',
      severity: 'error',
      from: { path: '^src/(domain|shared)/' },
      to: { path: '^src/(app|adapters|config|main)' },
    },
    {
      name: 'app-not-adapters',
      comment: 'Use cases reach I/O only through the ports they declare; adapters implement them.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: '^src/(adapters|main)' },
    },
    {
      name: 'app-no-io-libs',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: IO_LIBS },
    },
    {
      name: 'adapters-independent',
      comment: 'Adapters meet only in src/composition: no adapter imports another adapter area (logging excepted).',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/([^/]+)/', pathNot: ['^src/adapters/$1/', '^src/adapters/logging/'] },
    },
    {
      name: 'composition-on-top',
      comment: 'Only composition modules and main.ts wire areas together: nothing below imports src/composition or main (a module importing main would be a cycle).',
      severity: 'error',
      from: { path: '^src/(domain|shared|app|adapters|config)/' },
      to: { path: '^src/(composition|main)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
