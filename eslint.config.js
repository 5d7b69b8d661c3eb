// ESLint flat config: typescript-eslint's type-checked recommended rules over the code, its tests and benchmarks.
// No rule here reorders object keys or imports: documented outputs depend on key order.
import js from '@eslint/js'
import {defineConfig} from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {ignores: ['dist/', 'node_modules/', 'bench/.build/', 'bench/results/', 'test/fixtures/', 'tmp/', '**/.gridsync/']},
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {allowDefaultProject: ['eslint.config.js', 'bin/*.js']},
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      // The e2e tests mark their deliberately sequential awaits for no-await-in-loop, which is not enabled here.
      reportUnusedDisableDirectives: 'off',
    },
    rules: {
      // Async methods that await nothing are deliberate: they implement oclif's and the clients' Promise-returning interfaces.
      '@typescript-eslint/require-await': 'off',
      // Terminal output is checked and cleaned with regular expressions over escape and control characters on purpose.
      'no-control-regex': 'off',
      // `for (const _ of s)` and `{dropped: _, ...rest}` name what is left unused with a leading underscore.
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true}],
      // An empty catch means "not usable, keep the fallback" (JSON that does not parse, a file already gone).
      'no-empty': ['error', {allowEmptyCatch: true}],
      // A caught error (`unknown`) is passed on to reject() as it is.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', {allowThrowingUnknown: true}],
      // node:test's describe() and it() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {allowForKnownSafeCalls: [{from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite']}]}],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read the CLI's JSON documents and the server's answers untyped (JSON.parse gives `any`) and assert on them.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Failure messages interpolate whatever value was seen, arrays and unknowns included.
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['bin/*.js'],
    languageOptions: {globals: {process: 'readonly'}},
  },
  {
    // Build and benchmark scripts in plain JavaScript: linted without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: {project: false, projectService: false, program: null},
      globals: {process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', performance: 'readonly'},
    },
  },
)
