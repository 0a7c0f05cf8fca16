import { configDefaults, defineConfig } from 'vitest/config';

/** The integration suite runs once per engine combination; TEST_STORAGE tells the fixture which. */
const onEngine = (engine: 'postgres' | 'postgres+redis') => ({
  extends: true as const,
  test: {
    name: engine,
    include: ['test/integration/**/*.test.ts', 'test/replicas/**/*.test.ts'],
    env: { TEST_STORAGE: engine },
    globalSetup: ['test/support/drop-stale-schemas.ts'],
  },
});

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/replicas/**', 'test/install/**'],
        },
      },
      onEngine('postgres'),
      onEngine('postgres+redis'),
      // A production install from the npm registry (or npm's cache): in `npm test`, not in `test:quick`.
      { extends: true, test: { name: 'install', include: ['test/install/**/*.test.ts'] } },
    ],
  },
});
