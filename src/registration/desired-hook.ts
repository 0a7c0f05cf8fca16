import type { InteractionHook, RegisteredHook } from '../mattr/config-api.js';

/** What the operator asks for; anything left out keeps what the tenant holds, or a default. */
export interface HookWish {
  url: string;
  /** Exactly these claims; when left out, the registered ones plus those the steps read. */
  claims?: readonly string[];
  /** The claims the configured steps read. */
  stepClaims: readonly string[];
  sessionTimeoutInSec: number;
}

/**
 * The hook to register. `disabled` is never changed here: registering again (by hand or at
 * start-up) must not switch a hook back on that an operator switched off.
 */
export function desiredHook(current: RegisteredHook | null, wish: HookWish): InteractionHook {
  const claims = wish.claims ?? [...(current?.claims ?? []), ...wish.stepClaims];
  return {
    url: wish.url,
    claims: [...new Set(claims.map((c) => c.trim()).filter((c) => c !== ''))],
    sessionTimeoutInSec: wish.sessionTimeoutInSec,
    disabled: current?.disabled ?? false,
  };
}

export type HookField = 'url' | 'claims' | 'sessionTimeoutInSec' | 'disabled';

export interface HookChange {
  field: HookField;
  /** undefined when the tenant had no hook, or no value for the field. */
  from: string | number | boolean | readonly string[] | undefined;
  to: string | number | boolean | readonly string[] | undefined;
}

/** What a PUT of `desired` would change; empty when the tenant already holds it. */
export function hookChanges(current: InteractionHook | null, desired: InteractionHook): HookChange[] {
  const changes: HookChange[] = [];
  const add = (field: HookField, from: HookChange['from'], to: HookChange['to'], same: boolean) => {
    if (!same) changes.push({ field, from, to });
  };
  add('url', current?.url, desired.url, current?.url === desired.url);
  // The tenant may hand claims back in another order; order carries no meaning.
  add('claims', current?.claims, desired.claims, current !== null && sameSet(current.claims, desired.claims));
  add(
    'sessionTimeoutInSec',
    current?.sessionTimeoutInSec,
    desired.sessionTimeoutInSec,
    current?.sessionTimeoutInSec === desired.sessionTimeoutInSec,
  );
  add('disabled', current?.disabled, desired.disabled, current?.disabled === desired.disabled);
  return changes;
}

/** "claims: given_name → given_name, email" */
export function describeChange(change: HookChange): string {
  return `${change.field}: ${show(change.from)} → ${show(change.to)}`;
}

function show(value: HookChange['from']): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return value.length === 0 ? '(no claims)' : value.join(', ');
  return String(value);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
