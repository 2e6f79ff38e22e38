// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import projectRules from './eslint/module-boundaries.cjs';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'openapi/client/schema.d.ts', 'eslint.config.mjs', 'eslint/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { project: projectRules },
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.js', 'test/*.js', 'test/e2e/support/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Every promise is awaited, returned or handled: a dropped one hides its failure.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      // Tests and DTO transforms handle loosely typed input on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // A package's dist/ layout is private to it and changes in any release: use what its index exports.
      // What a module offers beyond its roles' files (see eslint/module-boundaries.cjs); anything else stays inside it.
      'project/module-boundaries': [
        'error',
        {
          shared: ['common', 'config', 'database', 'cli'],
          publicFiles: {
            auth: ['authenticated-user', 'password-hasher'],
            audit: ['audit-context'],
            jobs: ['job-handler.registry', 'job-payloads', 'job-record', 'job-phases', 'cleanup-tasks'],
            students: ['student-id'],
            courses: ['course-code', 'evaluation-rules'],
            exports: ['export-columns', 'export-filters'],
          },
        },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: ['*/dist/*', '@*/*/dist/*'], message: "Import from the package's entry point, not its dist/ files." }] }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', process: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
