/**
 * The part of oidc-provider (which ships no types) that the local provider uses: typed here so
 * that a wrong call fails the type check instead of the demo.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    type: string;
    body: unknown;
  }

  export interface InteractionDetails {
    uid: string;
    params: Record<string, unknown>;
    prompt: { name: string; details: Record<string, unknown> };
  }

  export interface InteractionResults {
    login?: { accountId: string; acr?: string; amr?: string[] };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export interface Account {
    accountId: string;
    claims(): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  export interface Configuration {
    clients?: Array<Record<string, unknown>>;
    jwks?: { keys: Array<Record<string, unknown>> };
    cookies?: { keys: string[] };
    acrValues?: string[];
    /** Scope → its claims. */
    claims?: Record<string, string[]>;
    conformIdTokenClaims?: boolean;
    /** Lifetimes in seconds, by artefact. */
    ttl?: Record<string, number>;
    features?: Record<string, { enabled: boolean }>;
    interactions?: { url(ctx: KoaContextWithOIDC, interaction: { uid: string }): string };
    findAccount?(ctx: KoaContextWithOIDC, id: string): Account | undefined | Promise<Account | undefined>;
    renderError?(ctx: KoaContextWithOIDC, out: Record<string, unknown>, error: Error): void | Promise<void>;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly Grant: typeof Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }
}
