// The UI itself is bundled from main.tsx by scripts/build.mjs; this is its logic for tests.
export * from './asset-table.model';
