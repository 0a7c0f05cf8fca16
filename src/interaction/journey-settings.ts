/**
 * What the journey's routes read of the hook's settings. Declared here, on the journey's side, so
 * that the journey needs nothing from the configuration loader; `Settings` (config/settings.ts)
 * has these and more.
 */
export interface JourneySettings {
  /** The hook's public URL (HOOK_URL). */
  hookUrl: string;
  tenantUrl: string;
  /** Origins a tenant's redirectUrl may have. */
  redirectOrigins: ReadonlySet<string>;
  clockToleranceSeconds: number;
  interactionTimeoutSeconds: number;
  /** Arrivals per minute from one address. */
  arrivalRateLimit: number;
  ledger: LedgerSettings;
}

/** What the ledger records beyond the decision itself: each extra is the operator's choice. */
export interface LedgerSettings {
  /** The claim that names the subject (e.g. `email`); without it, or when a token lacks it, the token's `sub`. */
  subjectClaim: string | undefined;
  /** Record the client's IP address (as Express sees it through TRUST_PROXY). */
  recordIp: boolean;
  /** Record the browser's User-Agent header. */
  recordUserAgent: boolean;
  /** Names of claims whose values are recorded; none unless the operator lists them. */
  claims: readonly string[];
}
