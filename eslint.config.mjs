import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries: scope keeps edge and central code apart (both may use shared); type keeps
// the hexagon's layers pointing inward (domain depends on nothing but contracts and util).
const depConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:edge', onlyDependOnLibsWithTags: ['scope:edge', 'scope:shared'] },
  { sourceTag: 'scope:central', onlyDependOnLibsWithTags: ['scope:central', 'scope:shared'] },
  // Benchmarks measure edge and central code side by side; nothing depends on them.
  { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:messaging', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:messaging', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:messaging', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:contracts', 'type:util', 'type:messaging'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['*'] },
  // Browser code: bundled for the staff console, so it may only use contracts (types) and other UI code.
  { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:ui', 'type:contracts'] },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/bench-results/**', '**/test-artifacts/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Controllers, where parameters are decorated (@Res(), @Req()): a parameter typed `Response` gets
    // `typeof Response` as its design-time metadata, and with a type-only import that is the global
    // fetch Response, whose first read loads undici into the service (~1.5 MB RSS nothing else uses).
    files: ['**/*.controller.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='express'] > ImportSpecifier[local.name=/^(Request|Response|Headers)$/]",
          message: "Import express's Request/Response under another name (`Response as ExpressResponse`): as `Response`, decorator metadata reads the global fetch Response and loads undici.",
        },
      ],
    },
  },
  {
    // The predictor and maintenance call other services with httpCall (@millwright/http-client):
    // fetch would load undici (8-13 MB more RSS for good, see the footprint benchmark), and
    // maintenance runs without a JIT (--jitless in its Deployment), where fetch cannot run at all:
    // undici's HTTP parser is WebAssembly.
    files: ['apps/predictor/**/*.ts', 'apps/maintenance/**/*.ts', 'libs/edge/{predictor,predictor-domain,model-registry,maintenance,maintenance-domain,maintenance-data-access,procurement}/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use httpCall from @millwright/http-client: fetch loads undici (MBs of RSS), and maintenance runs --jitless, where undici cannot run.' }],
    },
  },
  {
    // Specs of any layer may use the test harness (real nats-server, temp dirs); product code may not.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((c) => ({ ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] })),
        },
      ],
    },
  },
];
