// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/', 'coverage/', 'test-output/', 'bench/results/', 'data/'] },
  js.configs.recommended,
  // The strict set on top of the recommended one: it adds the checks that find conditions which can never
  // change (dead branches), needless assertions and conversions, and non-null assertions that hide a
  // missing check. Formatting is Prettier's job; none of these rules formats, so no compatibility layer.
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Both are in the rule set already; named here because CI relies on them. Express 5 awaits a
      // handler's promise and hands its rejection to the error middleware, and its types say so
      // (a handler may return a promise), so async handlers pass without loosening checksVoidReturn.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Only values that can be falsy in more than one way are refused: a number (0 and NaN), `any`, and a
      // nullable number or enum (0 or missing?). Strings, nullable strings and nullable booleans stay
      // allowed: the code means "empty or missing" by them (unset environment variables, empty fields,
      // options left out), and spelling both cases out everywhere would bury the few real findings.
      '@typescript-eslint/strict-boolean-expressions': [
        'error',
        {
          allowString: true,
          allowNumber: false,
          allowNullableObject: true,
          allowNullableBoolean: true,
          allowNullableString: true,
          allowNullableNumber: false,
          allowNullableEnum: false,
          allowAny: false,
        },
      ],
      // Numbers read naturally in messages and URLs; objects, nullish values and booleans still need an
      // explicit conversion, which is where "[object Object]" and "undefined" in output come from.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `() => next()` and `(x) => res.send(x)` are the house shorthand; a void value returned from a
      // block or used in an expression is still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Dropping `async` from a method without an await would turn its throws into synchronous ones,
      // though callers of a promise-returning interface only handle rejections (the SQLite storage and
      // test stubs implement async ports with synchronous code). Floating and misused promises stay caught.
      '@typescript-eslint/require-await': 'off',
      // `const { cookie: _cookie, ...rest } = value` is how a key is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // A test asserts what it expects; a wrong non-null assertion fails it at once, on the line at fault.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // expect.any() and expect.objectContaining() are typed `any` by vitest: they are matchers, not values.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['test/**/*.test.ts'],
    rules: {
      // Values set in beforeAll are typed as always present, but afterAll also runs when beforeAll threw
      // before setting them: the `?.` in clean-up is needed although the types say it is not.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  // Plain scripts run by Node (npm start's launcher): its globals, no type information.
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { URL: 'readonly', console: 'readonly', process: 'readonly' } },
  },
);
