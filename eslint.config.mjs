import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/out'] },
  {
    files: ['**/src/**/*.ts', '**/src/**/*.tsx', '**/tests/**/*.ts', '**/tests/**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // Arrows point down: apps and tools may use any lib; each lib only the libs listed for its scope.
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:dataset', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:plot', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:process', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:storage', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:recipe', onlyDependOnLibsWithTags: ['scope:dataset'] },
            {
              sourceTag: 'scope:model',
              onlyDependOnLibsWithTags: ['scope:dataset', 'scope:plot', 'scope:process', 'scope:recipe'],
            },
            {
              sourceTag: 'scope:cam',
              onlyDependOnLibsWithTags: ['scope:model', 'scope:dataset', 'scope:plot', 'scope:recipe'],
            },
            {
              // The request schemas call the model's and the renderer's own rules (their tfjs-free entry points).
              sourceTag: 'scope:contracts',
              onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model', 'scope:cam', 'scope:recipe'],
            },
            {
              sourceTag: 'scope:queue',
              onlyDependOnLibsWithTags: ['scope:dataset', 'scope:contracts', 'scope:storage', 'scope:recipe'],
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
];
