import * as client from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { resolveText } from '../localised-text.js';
import type { StepRecords } from '../step-ports.js';
import { COLLECTED_MAX, fits, sameClaim } from '../claim-values.js';
import { StepUnavailableError, type FormInput, type Step, type StepContext, type StepOutcome } from '../step.js';
import type { Evidence } from '../../model.js';
import { classifyExchangeError, failureMessage, type OidcFailure } from './oidc-failures.js';
import type { OidcStepConfig } from './oidc-schema.js';
import { oidcRedirectUri, ProviderConnection } from './provider-connection.js';
import type { OidcMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<OidcMessageKey>;

/** Sent to the tenant when the user chooses not to sign in again. */
export const OIDC_DECLINED_MESSAGE = 'The user declined the extra sign-in.';

/** The step records that hold one sign-in's PKCE verifier and nonce, keyed by its state. */
const OIDC_RECORD = 'oidc';
/** How long a sign-in at the provider may take before its return is refused. */
const PENDING_LIFETIME_MS = 30 * 60_000;
/** A sign-in under way, kept under its `state` until the return takes it; read back through this. */
const pendingSignIn = z.object({ interactionId: z.string(), verifier: z.string(), nonce: z.string() });

type PendingSignIn = z.output<typeof pendingSignIn>;

/**
 * Step-up at an OpenID provider: the code flow with PKCE (S256), state and nonce, each single use
 * and bound to the interaction. The ID token is verified by openid-client (signature with the
 * provider's keys, iss, aud, nonce, exp); this step then checks acr and the matched claim.
 */
export class OidcStep implements Step<OidcMessageKey> {
  readonly type = 'oidc';
  readonly id: string;
  /** The provider's sign-in is on its issuer's origin (checked at discovery): the page's forms may go there. */
  readonly sendsTo: readonly string[];
  private readonly provider: ProviderConnection;
  private readonly redirectUri: string;

  constructor(
    private readonly config: OidcStepConfig,
    private readonly services: { records: StepRecords; logger: Logger; hookUrl: string },
  ) {
    this.id = config.id;
    this.sendsTo = [new URL(config.issuer).origin];
    this.provider = new ProviderConnection(config);
    this.redirectUri = oidcRedirectUri(services.hookUrl);
  }

  view(ctx: Context): Record<string, unknown> {
    return { providerName: this.providerName(ctx) };
  }

  /** The provider's name in the page's language (or the nearest the steps file gives). */
  private providerName(ctx: Context): string {
    return resolveText(this.config.providerName, ctx.locale).text;
  }

  async decide(input: FormInput, ctx: Context): Promise<StepOutcome> {
    if (input.decision === 'decline')
      return { kind: 'declined', message: OIDC_DECLINED_MESSAGE, evidence: this.evidence() };
    if (input.decision !== 'signin')
      return { kind: 'again', status: 422, errors: { signin: ctx.t('oidc.error.choose') } };
    const configuration = await this.available();
    const pending: PendingSignIn = {
      interactionId: ctx.interactionId,
      verifier: client.randomPKCECodeVerifier(),
      nonce: client.randomNonce(),
    };
    const { config } = this;
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: config.scope,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: ctx.returnState,
      nonce: pending.nonce,
      ui_locales: ctx.locale,
      ...(config.acrValues ? { acr_values: config.acrValues.join(' ') } : {}),
      ...(config.maxAge === undefined ? {} : { max_age: String(config.maxAge) }),
      ...(config.prompt ? { prompt: config.prompt } : {}),
    });
    await this.services.records.put(
      OIDC_RECORD,
      ctx.returnState,
      pending,
      new Date(ctx.now.getTime() + PENDING_LIFETIME_MS),
    );
    return { kind: 'leave', url: url.href };
  }

  async returnFrom(query: FormInput, ctx: Context): Promise<StepOutcome> {
    const state = typeof query.state === 'string' ? query.state : '';
    // Taken, not read: of two returns with one state, only one gets the verifier and nonce.
    const pending =
      state === ''
        ? undefined
        : pendingSignIn.safeParse(await this.services.records.take(OIDC_RECORD, state, ctx.now)).data;
    if (pending?.interactionId !== ctx.interactionId) return this.failed(ctx, 'state_mismatch');
    if (typeof query.error === 'string') {
      if (query.error === 'access_denied') {
        // The user's own choice at the provider: nothing failed, the page offers both ways again.
        return {
          kind: 'again',
          status: 200,
          errors: { signin: ctx.t('oidc.cancelled', { provider: this.providerName(ctx) }) },
        };
      }
      return this.failed(ctx, 'provider_error', /^[\w.-]{1,64}$/.test(query.error) ? query.error : 'unknown');
    }
    const configuration = await this.available();
    const response = new URL(this.redirectUri);
    for (const [name, value] of Object.entries(query))
      if (typeof value === 'string') response.searchParams.set(name, value);
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, response, {
        pkceCodeVerifier: pending.verifier,
        expectedNonce: pending.nonce,
        expectedState: state,
        ...(this.config.maxAge === undefined ? {} : { maxAge: this.config.maxAge }),
      });
      claims = tokens.claims();
    } catch (error) {
      const failure = classifyExchangeError(error);
      if (failure === 'away') throw new StepUnavailableError('the OpenID provider');
      return this.failed(ctx, failure);
    }
    if (!claims) return this.failed(ctx, 'response_invalid');
    return this.checked(claims, ctx);
  }

  /** The provider's claims, held against what the step requires; the collected ones go to the tenant. */
  private checked(claims: client.IDToken, ctx: Context): StepOutcome {
    const { requireAcr, matchClaim, collect } = this.config;
    const acr = typeof claims.acr === 'string' && /^[\x21-\x7e]{1,200}$/.test(claims.acr) ? claims.acr : undefined;
    if (requireAcr && (acr === undefined || !requireAcr.includes(acr)))
      return this.failed(ctx, 'acr_too_weak', acr ?? '');
    if (matchClaim) {
      const expected = ctx.claims[matchClaim.session];
      const actual = claims[matchClaim.idToken];
      if (!sameClaim(expected, actual, matchClaim.compare))
        return this.failed(
          ctx,
          'subject_mismatch',
          `the tenant's "${matchClaim.session}" and the ID token's "${matchClaim.idToken}"`,
        );
    }
    const collected: Record<string, unknown> = {};
    for (const [from, to] of Object.entries(collect)) {
      const value = claims[from];
      if (value === undefined) continue;
      if (!fits(value)) return this.failed(ctx, 'claim_unusable', from);
      collected[to] = value;
    }
    const amr = Array.isArray(claims.amr)
      ? claims.amr.filter((m): m is string => typeof m === 'string').slice(0, 10)
      : undefined;
    const evidence: Evidence = {
      ...this.evidence(),
      ...(acr === undefined ? {} : { acr }),
      ...(amr ? { amr } : {}),
      ...(typeof claims.auth_time === 'number' ? { authTime: new Date(claims.auth_time * 1000).toISOString() } : {}),
      ...(matchClaim ? { matched: matchClaim.session } : {}),
      collected: Object.keys(collected),
    };
    // A sign-in proves who the person is only when it is matched to the tenant's claim.
    return { kind: 'next', claims: collected, evidence, verified: matchClaim !== undefined };
  }

  largestClaims(): Record<string, unknown> {
    return Object.fromEntries(Object.values(this.config.collect).map((to) => [to, 'x'.repeat(COLLECTED_MAX - 2)]));
  }

  /** Which provider the step sends users to, also when a user never answers. */
  evidence(): Evidence {
    return { issuer: this.config.issuer };
  }

  async readiness(): Promise<{ ok: boolean; detail?: string }> {
    if (await this.provider.probe()) return { ok: true };
    return { ok: false, detail: `the OpenID provider of step "${this.id}" does not answer` };
  }

  private async available(): Promise<client.Configuration> {
    try {
      return await this.provider.configuration();
    } catch {
      throw new StepUnavailableError('the OpenID provider');
    }
  }

  private failed(ctx: Context, failure: OidcFailure, detail?: string): StepOutcome {
    this.services.logger.warn(
      { interaction: ctx.interactionId, step: this.id, reason: failure },
      'extra sign-in not accepted',
    );
    return {
      kind: 'failed',
      message: failureMessage(failure, detail),
      evidence: { ...this.evidence(), reason: failure },
    };
  }
}
