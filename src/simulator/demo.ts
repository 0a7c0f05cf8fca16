import { processEnvironment } from '../config/load-configuration.js';
import { ConfigurationError } from '../start-hook.js';
import { runDemo } from './demo-runner.js';

/**
 * `npm run demo`: the hook on its embedded default plus a simulated tenant and a local OpenID
 * provider, wired together, so every journey can be walked in a browser with no outside service.
 */
try {
  const demo = await runDemo(processEnvironment(), (text) => console.log(text));
  const stop = () => {
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const problems = error instanceof ConfigurationError ? error.problems : [(error as Error).message];
  console.error(`The demo cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
