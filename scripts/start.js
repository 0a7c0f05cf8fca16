// `npm start`: runs the built hook with runtime dependencies only. Plain JavaScript, not part of
// the TypeScript build, so that it can say what to do when there is no build yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const server = fileURLToPath(new URL('../dist/server.js', import.meta.url));
if (!existsSync(server)) {
  console.error(`The interaction hook is not built: ${server} is missing.
Build it once where the development dependencies are installed:
  npm ci && npm run build
For a production install, copy package.json, package-lock.json, dist/, views/, public/, content/
and scripts/ to the server, then run: npm ci --omit=dev && npm start
(npm run demo builds by itself and needs no real tenant.)`);
  process.exit(1);
}
await import(server);
