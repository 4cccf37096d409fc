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
            {
              sourceTag: 'scope:model',
              onlyDependOnLibsWithTags: ['scope:dataset', 'scope:plot', 'scope:process'],
            },
            {
              sourceTag: 'scope:cam',
              onlyDependOnLibsWithTags: ['scope:model', 'scope:dataset', 'scope:plot'],
            },
            {
              // The request schemas call the model's and the renderer's own rules (their tfjs-free entry points).
              sourceTag: 'scope:contracts',
              onlyDependOnLibsWithTags: ['scope:dataset', 'scope:model', 'scope:cam'],
            },
            {
              sourceTag: 'scope:queue',
              onlyDependOnLibsWithTags: ['scope:dataset', 'scope:contracts', 'scope:storage'],
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
