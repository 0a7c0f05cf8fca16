import type { KeyObject } from 'node:crypto';

/** The key an arriving token may still be signed with after a change, and until when. */
export interface PreviousKey {
  key: KeyObject;
  /** Undefined: until the process restarts (INTERACTION_HOOK_PREVIOUS_SECRET keeps that meaning). */
  until?: Date;
}

/**
 * The hook's HMAC keys: the current one signs and verifies, a previous one only verifies, and only
 * for its grace period. The routes read it on every request, so a secret the tenant changed takes
 * effect without a restart. The same KeyObject stays in place until the next change, so the
 * WebCrypto key imported per KeyObject (session-token.ts) is imported once per change.
 */
export class HookKeys {
  /** Goes up each time a new current key arrives: tells a caller whether verifying again can help. */
  generation = 0;
  private currentKey: KeyObject;
  private previousKey: PreviousKey | undefined;
  private verifying: readonly KeyObject[];

  constructor(current: KeyObject, previous?: PreviousKey) {
    this.currentKey = current;
    this.previousKey = previous;
    this.verifying = previous ? [current, previous.key] : [current];
  }

  /** The key that signs the way back. */
  get current(): KeyObject {
    return this.currentKey;
  }

  /** When the previous key stops being accepted: undefined when there is none, or none is set. */
  get previousUntil(): Date | undefined {
    return this.previousKey?.until;
  }

  /** The keys an arriving token may be signed with at `now`: current first, then a previous one in its grace. */
  verifyKeys(now: Date): readonly KeyObject[] {
    const until = this.previousKey?.until;
    if (until !== undefined && now.getTime() >= until.getTime()) {
      this.previousKey = undefined;
      this.verifying = [this.currentKey];
    }
    return this.verifying;
  }

  /**
   * Makes `next` the current key; the one it replaces stays acceptable until `previousUntil`. One
   * previous key only: an older one (e.g. from INTERACTION_HOOK_PREVIOUS_SECRET) is let go, as
   * the tenant signs with nothing older than the key just replaced.
   */
  replace(next: KeyObject, previousUntil: Date): void {
    this.previousKey = { key: this.currentKey, until: previousUntil };
    this.currentKey = next;
    this.verifying = [next, this.previousKey.key];
    this.generation += 1;
  }
}
