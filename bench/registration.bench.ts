/**
 * What registration costs against a local simulated tenant over real HTTP: the first register
 * (token, GET, PUT), a repeated register that changes nothing (GET only, token cached), and the
 * heap over many of them (the client must not grow).
 * Run: node --expose-gc --import tsx bench/registration.bench.ts  (RUNS=… to change the count)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processEnvironment } from '../src/config/load-configuration.js';
import { performance } from 'node:perf_hooks';
import { createConfigApi } from '../src/mattr/config-api.js';
import { desiredHook } from '../src/registration/desired-hook.js';
import { ensureHook } from '../src/registration/ensure-hook.js';
import { createManagementApi } from '../src/simulator/management-api.js';
import { createSimulator } from '../src/simulator/tenant-simulator.js';

const RUNS = Number(processEnvironment().RUNS ?? 10_000);
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const management = createManagementApi({
  tenantUrl: url,
  clients: [{ id: 'bench', secret: 'bench-client-secret', role: 'admin' }],
});
server.on(
  'request',
  createSimulator(management.tenantIdentity('https://hook.example.com/callback'), { management }).app,
);

const api = createConfigApi({
  tenantUrl: url,
  authUrl: url,
  clientId: 'bench',
  clientSecret: 'bench-client-secret',
  timeoutMs: 10_000,
  retries: 0,
});
const wish = { url: 'https://hook.example.com/callback', stepClaims: ['given_name'], sessionTimeoutInSec: 1200 };
const register = () => ensureHook(api, (current) => desiredHook(current, wish));

/** Requests the simulator saw, tallied and its log emptied, so the log does not weigh on the heap. */
const requests = { POST: 0, GET: 0, PUT: 0 };
const tally = () => {
  for (const call of management.calls.splice(0)) requests[call.method as keyof typeof requests] += 1;
};

let started = performance.now();
await register();
const first = performance.now() - started;
tally();

for (let i = 0; i < 50; i += 1) await register(); // warm-up
tally();

// Heap is compared between the middle and the end of the runs, after warm-up: a flat slope means
// the client keeps nothing per call.
const times = new Float64Array(RUNS);
let heapMiddle = 0;
for (let i = 0; i < RUNS; i += 1) {
  if (i === RUNS / 2) {
    global.gc?.();
    heapMiddle = process.memoryUsage().heapUsed;
  }
  started = performance.now();
  await register();
  times[i] = performance.now() - started;
  tally();
}
global.gc?.();
const heapEnd = process.memoryUsage().heapUsed;
times.sort();
const at = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN).toFixed(2);
const half = RUNS / 2;

console.log(`first register (token + GET + PUT):     ${first.toFixed(1)} ms`);
console.log(
  `repeated register, nothing changed:     p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms over ${RUNS} runs`,
);
console.log(`requests made in total:                 ${requests.POST} token, ${requests.GET} GET, ${requests.PUT} PUT`);
console.log(
  `heap growth over the last ${half} runs:    ${((heapEnd - heapMiddle) / 1024).toFixed(0)} KiB (${((heapEnd - heapMiddle) / half).toFixed(0)} bytes per run)${global.gc ? '' : '; run with node --expose-gc for settled figures'}`,
);

server.closeAllConnections();
server.close();
