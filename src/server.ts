import { ConfigurationError, startHook } from './start-hook.js';

/** Process entry: start the hook, stop it cleanly on SIGTERM/SIGINT. */
try {
  const hook = await startHook(process.env);
  const stop = (signal: string) => {
    hook.logger.info({ signal }, 'shutting down');
    hook.close().then(
      () => process.exit(0),
      (err: unknown) => {
        hook.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error('The interaction hook cannot start:');
    for (const problem of error.problems) console.error(`  - ${problem}`);
    console.error('See README.md, "Configuration".');
  } else {
    console.error(`The interaction hook cannot start: ${(error as Error).message}`);
  }
  process.exit(1);
}
