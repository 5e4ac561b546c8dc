import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import jest from 'eslint-plugin-jest';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'reports/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  {
    files: [
      '**/test/**/*.ts',
      'bench/**',
      'examples/**',
      'scripts/**',
      'packages/testing/src/cli.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  // Layering (ARCHITECTURE.md): core imports no framework and no other workspace package; the
  // adapters and examples reach core only through its two entry points; the harness stays free of
  // core (core's own tests depend on it); no import cycle inside a package.
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['fastify', 'fastify-*', '@fastify/*', '@nestjs/*', 'express', 'rxjs'],
              message: 'core is framework-free: framework code belongs in an adapter package.',
            },
            {
              group: ['@consulkit/*'],
              message: 'core depends on no other workspace package.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'packages/fastify-consul/src/**/*.ts',
      'packages/nest-consul/src/**/*.ts',
      'examples/*/src/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@consulkit/core/*', '!@consulkit/core/adapter'],
              message: "import core through '@consulkit/core' or '@consulkit/core/adapter' only.",
            },
            {
              group: ['**/core/src/**', '**/core/dist/**', '**/core/src', '**/core/dist'],
              message: "import core through '@consulkit/core' or '@consulkit/core/adapter' only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/testing/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@consulkit/*', '**/core/src/**', '**/core/dist/**'],
              message: "the harness does not import core: core's own tests depend on it.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Tests that cannot lie: every test asserts (directly or through the project's assertion
    // helpers), no expect hides behind a branch, nothing is skipped or focused.
    files: ['**/test/**/*.ts'],
    plugins: { jest },
    languageOptions: { globals: jest.environments.globals.globals },
    rules: {
      'jest/expect-expect': [
        'error',
        {
          // `withNoUnhandledRejections` and `<watch>.expectNone()` (@consulkit/testing) and
          // fast-check's `fc.assert` assert.
          assertFunctionNames: [
            'expect',
            'expect*',
            'waitFor',
            'assert*',
            'expectType',
            'fc.assert',
            'withNoUnhandledRejections',
            '*.expectNone',
          ],
        },
      ],
      'jest/no-conditional-expect': 'error',
      'jest/valid-expect': 'error',
      'jest/no-standalone-expect': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-focused-tests': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
  {
    // Fixture jest projects that scripts/test runs in child processes to check the verdict of
    // `npm test`: they plant a .skip, a .todo and a failing test on purpose. They get jest's globals
    // only; the jest rules above stay on the project's own tests and must not be widened to these.
    files: ['scripts/test/fixtures/**/*.js'],
    languageOptions: { globals: jest.environments.globals.globals },
  },
);
