import cluster from 'node:cluster';
import { processEnvironment } from './config/load-configuration.js';
import { workerCount } from './config/settings.js';
import { createLogger } from './ops/logger.js';
import { runWorkers } from './ops/workers.js';
import { ConfigurationError, startHook } from './start-hook.js';

/** Process entry: start the hook (in WORKERS processes when asked), stop it cleanly on SIGTERM/SIGINT. */
const workers = workerCount(processEnvironment());
if (workers > 1 && cluster.isPrimary) {
  await runWorkers(workers, createLogger({ level: 'info' }));
} else {
  await serve();
}

async function serve(): Promise<void> {
  try {
    const hook = await startHook(processEnvironment());
    let stopping = false;
    const stop = (signal: string) => {
      // A worker may get the signal twice (from the terminal and from the primary): one shutdown.
      if (stopping) return;
      stopping = true;
      hook.logger.info({ signal }, 'shutting down');
      hook.close().then(
        () => process.exit(0),
        (err: unknown) => {
          hook.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error('The interaction hook cannot start:');
      for (const problem of error.problems) console.error(`  - ${problem}`);
      console.error('See docs/configuration.md.');
    } else {
      console.error(`The interaction hook cannot start: ${(error as Error).message}`);
    }
    process.exit(1);
  }
}
