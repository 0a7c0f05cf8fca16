import { randomBytes, createSecretKey } from 'node:crypto';
import { returnUrl, signCompletion } from '../mattr/session-token.js';
import type { Step } from './steps/step.js';

/** MATTR's documentation asks URLs to stay under about 2000 characters (PROTOCOL §2). */
export const URL_BUDGET = 2000;
/** Room kept for the tenant's own return path and query, which are opaque to the hook. */
const RESERVED_REDIRECT_PATH = 200;
/** Room kept for `state`; the tenant's are about 21 characters. */
const RESERVED_STATE = 64;

export interface BudgetReport {
  /** The longest return URL the configured steps can produce. */
  worstLength: number;
  /** Claim name → its share of the URL in characters, largest first. */
  largest: Array<{ claim: string; characters: number }>;
}

/**
 * Signs the largest claims the steps can ever collect, as a real completion token, and measures
 * the URL that would send the user back. A steps file that could exceed the budget is refused at
 * start-up rather than failing one user in the middle of an issuance.
 */
export async function measureReturnUrl(
  steps: readonly Step[],
  urls: { hookUrl: string; tenantUrl: string },
): Promise<BudgetReport> {
  const claims: Record<string, unknown> = {};
  for (const step of steps) Object.assign(claims, step.largestClaims?.() ?? {});
  const redirect = `${new URL(urls.tenantUrl).origin}/${'r'.repeat(RESERVED_REDIRECT_PATH - 1)}`;
  const signer = {
    key: createSecretKey(randomBytes(32)),
    hookUrl: urls.hookUrl,
    tenantUrl: urls.tenantUrl,
    now: new Date('2999-12-31T00:00:00Z'),
  };
  const token = await signCompletion(signer, { state: 's'.repeat(RESERVED_STATE), claims, claimsToPersist: [] });
  const largest = Object.entries(claims)
    .map(([claim, value]) => ({
      claim,
      characters: Math.ceil((Buffer.byteLength(JSON.stringify({ [claim]: value })) * 4) / 3),
    }))
    .sort((a, b) => b.characters - a.characters);
  return { worstLength: returnUrl(redirect, token).length, largest };
}

/** Null when every possible return URL fits, else a message naming the biggest claims. */
export async function returnUrlProblem(
  steps: readonly Step[],
  urls: { hookUrl: string; tenantUrl: string },
): Promise<string | null> {
  const report = await measureReturnUrl(steps, urls);
  if (report.worstLength <= URL_BUDGET) return null;
  const biggest = report.largest
    .slice(0, 3)
    .map((c) => `"${c.claim}" (up to ${c.characters})`)
    .join(', ');
  return (
    `the claims the steps collect could make the URL back to the tenant ${report.worstLength} characters long, over the ${URL_BUDGET} that tenants accept; ` +
    `lower the maxLength of the largest fields or collect fewer: ${biggest}`
  );
}
