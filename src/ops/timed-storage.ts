import { performance } from 'node:perf_hooks';
import type { Store } from 'express-session';
import type { Storage } from '../storage/ports.js';

export type ObserveStorage = (operation: string, seconds: number) => void;

/** The session store's callback methods worth timing: one of them runs on almost every request. */
const SESSION_OPERATIONS = new Set(['get', 'set', 'destroy']);

/** The ports whose promise-returning methods are timed, under `<port>.<method>`. */
const PORTS = ['tokens', 'ledger', 'terms', 'stepRecords', 'subjectRecords'] as const;

/**
 * The same storage, with the latency of every operation that returns a promise reported to
 * `observe` under its port and method name (`ledger.decisionFor`, session store calls as
 * `session.get`, the storage's own as `ping`). Proxies, so that methods added to a port later are
 * timed without a change here; results and errors pass through untouched.
 */
export function timedStorage(storage: Storage, observe: ObserveStorage): Storage {
  const timed =
    (prefix: string) =>
    (name: string, method: (...args: unknown[]) => unknown) =>
    (target: object) =>
    (...args: unknown[]) => {
      const started = performance.now();
      const result: unknown = method.apply(target, args);
      if (isPromise(result)) {
        const done = () => observe(`${prefix}${name}`, (performance.now() - started) / 1000);
        result.then(done, done);
      }
      return result;
    };
  const overrides: Record<string, unknown> = { sessions: timedSessionStore(storage.sessions, observe) };
  for (const port of PORTS) {
    const target = storage[port] as object | undefined;
    if (target === undefined) continue;
    overrides[port] = proxy(target, (name, method) => timed(`${port}.`)(name, method)(target));
  }
  return proxy(
    storage,
    (name, method) => (name === 'arrivalCounts' ? undefined : timed('')(name, method)(storage)),
    overrides,
  );
}

function timedSessionStore(store: Store, observe: ObserveStorage): Store {
  return proxy(store, (name, method) => {
    if (!SESSION_OPERATIONS.has(name)) return undefined;
    return (...args: unknown[]) => {
      const started = performance.now();
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...results: unknown[]) => {
          observe(`session.${name}`, (performance.now() - started) / 1000);
          return (callback as (...r: unknown[]) => unknown)(...results);
        };
      }
      return method.apply(store, args);
    };
  });
}

/**
 * A proxy of `target` whose methods are bound to the target (engines may keep private fields) and
 * replaced by `wrap` where it returns a function. Wrappers are made once per method.
 */
function proxy<T extends object>(
  target: T,
  wrap: (name: string, method: (...args: unknown[]) => unknown) => ((...args: unknown[]) => unknown) | undefined,
  overrides: Record<string, unknown> = {},
): T {
  const made = new Map<PropertyKey, { from: unknown; to: unknown }>();
  return new Proxy(target, {
    get(t, key) {
      if (typeof key === 'string' && key in overrides) return overrides[key];
      const value: unknown = Reflect.get(t, key, t);
      if (typeof value !== 'function') return value;
      const cached = made.get(key);
      if (cached && cached.from === value) return cached.to;
      const method = value as (...args: unknown[]) => unknown;
      const to = (typeof key === 'string' ? wrap(key, method) : undefined) ?? method.bind(t);
      made.set(key, { from: value, to });
      return to;
    },
  });
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
