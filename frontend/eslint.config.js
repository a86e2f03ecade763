// ESLint for the PWA (`npm run lint`, part of `make lint`). Formatting is Prettier's job
// (`npm run format:check`), so there are no stylistic rules here.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
// typescript-eslint comes from the `lint` workspace, where it has the TypeScript 6 it needs.
import tseslint from '@saha/lint';

export default tseslint.config(
  { ignores: ['dist/', 'dev-dist/', 'src/generated/', 'lint/node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_`-prefixed names are deliberately unused (a field left out of a rest, a parameter kept for its position).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Event handlers may be async (`onSubmit={save}`): Preact ignores what they return, and they
      // report their own failures on screen. Promises passed anywhere else are still checked.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // `async` without `await` is how this code writes callbacks and fakes that must return a
      // promise (tus's fingerprint, fetch and sync transport fakes in tests); the keyword states it.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // The rules of hooks hold for preact/hooks as for React's (the plugin goes by the `use…` names).
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Node scripts and config files; they are not in tsconfig.json, so no type-aware rules.
    files: ['*.js', 'scripts/**/*.mjs', 'lint/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
