import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import jest from 'eslint-plugin-jest';

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
