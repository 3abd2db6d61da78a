// ESLint flat config. Type-checked rules for all TypeScript; sandbox rules for workflow code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Packages that do I/O, read clocks or need Node: never in the workflow sandbox.
const nodeOnlyPackages = [
  '@temporalio/worker',
  '@temporalio/client',
  '@temporalio/activity',
  '@temporalio/testing',
  '@anthropic-ai/sdk',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-metrics',
  'ajv',
  'jsonata',
  'tsx',
];

const sandboxMessage =
  'Workflow code replays in Temporal\'s sandbox: no Node built-ins, clocks, randomness or I/O. ' +
  'Move the work into an activity (activities/) or a pure module under src/core/, and import types with `import type`.';

const sandboxRule = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: [...nodeBuiltins, ...nodeOnlyPackages].map((name) => ({
        name,
        message: sandboxMessage,
        allowTypeImports: true,
      })),
      patterns: [
        {
          group: ['**/activities/**', '**/catalog/**', '**/examples/**', '**/src/*', '!**/src/core', '**/src/*/**', '!**/src/core/**'],
          message: sandboxMessage,
          allowTypeImports: true,
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Use `sleep` from @temporalio/workflow in workflow code.' },
    { name: 'setInterval', message: 'Use `sleep` in a loop from @temporalio/workflow in workflow code.' },
    { name: 'process', message: sandboxMessage },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'bench/results/**', 'test/replay/histories/**', 'test/consumer-project/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/core/**/*.ts'],
    rules: sandboxRule,
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
