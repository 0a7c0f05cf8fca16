import type { Storage } from '../storage/ports.js';

export interface ReadinessDeps {
  storage: Storage;
  /** How many steps the loaded configuration has. */
  steps: number;
  /** Whether a usable hook secret was loaded (the value itself never comes near a probe). */
  hasSecret: boolean;
  /** True once shutdown began: load balancers should send new users elsewhere. */
  draining: () => boolean;
  /** How long the storage may take to answer before the hook counts as not ready. */
  storageTimeoutMs?: number;
  /** The steps' own checks (Step.readiness), e.g. that an OpenID provider answers. */
  stepChecks?: ReadonlyArray<() => Promise<Check>>;
}

export interface Check {
  ok: boolean;
  /** A fixed sentence, never an error message: those can hold connection strings. */
  detail?: string;
  [extra: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  checks: Record<'storage' | 'configuration' | 'secret' | 'accepting', Check> & { steps?: Check };
}

const DEFAULT_STORAGE_TIMEOUT_MS = 2000;

/** Whether the hook can serve a journey now; each check says why not, without secrets. */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const checks: Readiness['checks'] = {
    storage: await checkStorage(deps.storage, deps.storageTimeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS),
    configuration: deps.steps > 0 ? { ok: true, steps: deps.steps } : { ok: false, detail: 'no steps are configured' },
    secret: deps.hasSecret ? { ok: true } : { ok: false, detail: 'no hook secret is loaded' },
    accepting: deps.draining() ? { ok: false, detail: 'shutting down' } : { ok: true },
  };
  if (deps.stepChecks && deps.stepChecks.length > 0) checks.steps = await checkSteps(deps.stepChecks);
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

async function checkStorage(storage: Storage, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([storage.ping().then(() => 'ok' as const), timeout]);
    if (answer === 'timeout')
      return { ok: false, engine: storage.engine, detail: `the storage did not answer within ${timeoutMs} ms` };
    return { ok: true, engine: storage.engine, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch {
    return { ok: false, engine: storage.engine, detail: 'the storage is unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** Every step check, together; the first that fails says why (its detail is the step's fixed sentence). */
async function checkSteps(stepChecks: ReadonlyArray<() => Promise<Check>>): Promise<Check> {
  const results = await Promise.all(
    stepChecks.map((check) =>
      check().catch((): Check => ({ ok: false, detail: 'a step could not check what it needs' })),
    ),
  );
  return results.find((r) => !r.ok) ?? { ok: true };
}
