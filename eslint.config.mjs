import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/out'] },
  {
    files: ['**/src/**/*.ts', '**/tests/**/*.ts'],
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
            { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: ['scope:dataset'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
];
