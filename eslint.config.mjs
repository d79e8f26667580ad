// Lint rules: typescript-eslint recommended, plus the project's own few rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'coverage/**', '.lab/**', 'tools/**', 'test/jest.*.config.js', 'eslint.config.mjs', '.dependency-cruiser.cjs', 'docker/mongodb-init/**'] /* mongosh scripts */ },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      // An ignored error must say why, in a comment inside the block.
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Scripts, benchmarks and test helpers print to the terminal on purpose.
    files: ['bench/**', 'scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // No promise may float: a rejection nobody handles would end the process. Fire-and-forget work
    // goes through the Background helper (src/shared/background.ts), which catches, logs and counts;
    // `void promise` is not an escape.
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false, ignoreIIFE: false }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: true, attributes: false, properties: true, returns: true, variables: true } }],
    },
  },
);
