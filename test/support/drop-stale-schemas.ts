import { dropStaleSchemas } from './storage-engine.js';

/** vitest global setup of the PostgreSQL projects: tidy up after runs that were killed mid-way. */
export default async function setup(): Promise<void> {
  await dropStaleSchemas();
}
