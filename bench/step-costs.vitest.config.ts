import { defineConfig } from 'vitest/config';

/** `npm run bench:steps`: what a journey with each step type costs, measured, never asserted. */
export default defineConfig({
  test: { include: ['bench/step-costs.ts'], testTimeout: 600_000, hookTimeout: 60_000 },
});
