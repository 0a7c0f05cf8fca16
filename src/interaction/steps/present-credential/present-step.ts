import QRCode from 'qrcode';
import type { Logger } from 'pino';
import type { StepRecords } from '../step-ports.js';
import { COLLECTED_MAX, sameClaim } from '../claim-values.js';
import type { Evidence } from '../../model.js';
import {
  StepUnavailableError,
  type ActionResult,
  type FormInput,
  type PublicEndpoints,
  type Step,
  type StepContext,
  type StepOutcome,
} from '../step.js';
import {
  currentTransaction,
  RECORDS,
  tryRecordFrom,
  tryResultFrom,
  type TryRecord,
  type TryResult,
} from './present-records.js';
import { clientIdFor, newTry, REQUEST_LIFETIME_SECONDS, tryUrls, walletLink } from './presentation-request.js';
import { askedTypes, claimLabel } from './credential-query.js';
import { rejectionSentence } from './rejection.js';
import type { PresentCredentialConfig } from './schema.js';
import { walletEndpoints } from './wallet-endpoints.js';
import type { PresentCredentialMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<PresentCredentialMessageKey>;

/** Sent to the tenant when the user chooses not to share a credential. */
export const PRESENT_DECLINED_MESSAGE = 'The user declined to present a credential from their wallet.';
/** How long the status list's issuer gets to answer while the user waits. */
const STATUS_LIST_TIMEOUT_MS = 3000;

/**
 * Present a credential from the wallet (OpenID4VP 1.0): for one moment the hook is a verifier.
 * "Use my wallet" starts a try and binds its response code to this browser (a return, like a
 * sign-in elsewhere); the page then offers the wallet link and its QR code, and polls. The wallet
 * fetches the request and posts its answer to the try's public endpoints; the browser's return with
 * the response code takes what the answer came to and decides.
 */
export class PresentCredentialStep implements Step<PresentCredentialMessageKey> {
  readonly type = 'present-credential';
  readonly id: string;
  readonly returnParameter = 'response_code';
  readonly publicEndpoints: PublicEndpoints;
  readonly actions = { status: (_input: FormInput, ctx: Context) => this.status(ctx) };
  private readonly records: StepRecords;
  private readonly logger: Logger;

  constructor(
    private readonly config: PresentCredentialConfig,
    services: { records: StepRecords; logger: Logger; hookUrl: string; issuerName: string },
  ) {
    this.id = config.id;
    this.records = services.records;
    this.logger = services.logger;
    const policy = {
      trust: config.trust,
      query: config.query,
      dcql: config.dcql,
      statusLists: { timeoutMs: STATUS_LIST_TIMEOUT_MS, fetch: globalThis.fetch },
    };
    this.publicEndpoints = walletEndpoints({
      config,
      policy,
      records: services.records,
      logger: services.logger,
      hookOrigin: new URL(services.hookUrl).origin,
      clientName: services.issuerName,
    });
  }

  async view(ctx: Context): Promise<Record<string, unknown>> {
    const [credential] = this.config.query.credentials;
    const asked = credential.claims.map((c) => claimLabel(credential, c.path));
    const current = await this.currentTry(ctx);
    if (!current) return { phase: 'start', asked };
    const { requestUri, responseUri } = tryUrls(ctx.hookOrigin, current.transactionId);
    const link = walletLink(this.config.walletUrl, clientIdFor(this.config.identity, responseUri), requestUri);
    const qr = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 220 });
    return { phase: 'waiting', asked, walletLink: link, qrSvg: qr, returnLink: returnPath(current.responseCode) };
  }

  async decide(input: FormInput, ctx: Context): Promise<StepOutcome> {
    if (input.decision === 'decline')
      return { kind: 'declined', message: PRESENT_DECLINED_MESSAGE, evidence: this.evidence() };
    if (input.decision !== 'start')
      return { kind: 'again', status: 422, errors: { present: ctx.t('present.error.choose') } };
    const previous = currentTransaction(await this.records.get(RECORDS.current, ctx.interactionId, ctx.now));
    if (previous !== undefined) await this.records.delete(RECORDS.try, previous);
    const expiresAt = new Date(ctx.now.getTime() + REQUEST_LIFETIME_SECONDS * 1000);
    // The response code is this request's return value: the runner binds it to this browser's session.
    const started: TryRecord = {
      ...newTry(),
      interactionId: ctx.interactionId,
      responseCode: ctx.returnState,
      expiresAt: expiresAt.getTime(),
    };
    await this.records.put(RECORDS.try, started.transactionId, started, expiresAt);
    await this.records.put(RECORDS.current, ctx.interactionId, { transactionId: started.transactionId }, expiresAt);
    return { kind: 'leave', url: `/interaction/${ctx.interactionId}` };
  }

  async returnFrom(query: FormInput, ctx: Context): Promise<StepOutcome> {
    const current = await this.currentTry(ctx);
    if (!current || query.response_code !== current.responseCode) return this.startAgain(ctx, 'present.expired');
    const result = tryResultFrom(await this.records.take(RECORDS.result, current.transactionId, ctx.now));
    if (!result) {
      // Back before the wallet answered (the page's "continue" without JavaScript): wait on, bound anew.
      await this.records.put(
        RECORDS.try,
        current.transactionId,
        { ...current, responseCode: ctx.returnState },
        new Date(current.expiresAt),
      );
      return { kind: 'leave', url: `/interaction/${ctx.interactionId}` };
    }
    await this.forget(ctx, current);
    return this.decided(result, ctx);
  }

  /** The page's poll: where to go once the wallet has answered. */
  private async status(ctx: Context): Promise<ActionResult> {
    const current = await this.currentTry(ctx);
    if (!current)
      return { kind: 'reply', status: 200, body: { state: 'expired', location: `/interaction/${ctx.interactionId}` } };
    const answered =
      tryResultFrom(await this.records.get(RECORDS.result, current.transactionId, ctx.now)) !== undefined;
    return {
      kind: 'reply',
      status: 200,
      body: answered ? { state: 'answered', location: returnPath(current.responseCode) } : { state: 'waiting' },
    };
  }

  private decided(result: TryResult, ctx: Context): StepOutcome {
    switch (result.kind) {
      case 'declined-in-wallet':
        return { kind: 'again', status: 200, errors: { present: ctx.t('present.cancelled') } };
      case 'wallet-error':
        return { kind: 'again', status: 200, errors: { present: ctx.t('present.wallet-error') } };
      case 'unavailable':
        throw new StepUnavailableError('the credential status list');
      case 'rejected':
        return {
          kind: 'failed',
          message: `The credential presented was not accepted: ${rejectionSentence(result.reason)}`,
          evidence: { ...this.evidence(), ...result.evidence },
        };
      case 'verified': {
        const { matchClaim } = this.config;
        if (matchClaim && !sameClaim(ctx.claims[matchClaim.session], result.matched, matchClaim.compare)) {
          this.logger.warn(
            { interaction: ctx.interactionId, step: this.id, reason: 'claim_mismatch' },
            'presentation refused',
          );
          return {
            kind: 'failed',
            message: `The credential presented is about someone else (its "${matchClaim.credential.join('.')}" differs from the tenant's "${matchClaim.session}").`,
            evidence: { ...this.evidence(), ...result.evidence, reason: 'claim_mismatch' },
          };
        }
        return {
          kind: 'next',
          claims: result.collected,
          evidence: {
            ...this.evidence(),
            ...result.evidence,
            ...(matchClaim ? { matched: matchClaim.session } : {}),
            collected: Object.keys(result.collected),
          },
        };
      }
    }
  }

  largestClaims(): Record<string, unknown> {
    return Object.fromEntries(Object.values(this.config.collect).map((to) => [to, 'x'.repeat(COLLECTED_MAX - 2)]));
  }

  /** What the step asks for, also when a user never answers. */
  evidence(): Evidence {
    return { asked: askedTypes(this.config.query.credentials[0]) };
  }

  private async currentTry(ctx: Context): Promise<TryRecord | undefined> {
    const tx = currentTransaction(await this.records.get(RECORDS.current, ctx.interactionId, ctx.now));
    const found = tx === undefined ? undefined : tryRecordFrom(await this.records.get(RECORDS.try, tx, ctx.now));
    return found?.interactionId === ctx.interactionId ? found : undefined;
  }

  private async forget(ctx: Context, current: TryRecord): Promise<void> {
    await Promise.all([
      this.records.delete(RECORDS.current, ctx.interactionId),
      this.records.delete(RECORDS.try, current.transactionId),
    ]);
  }

  private async startAgain(ctx: Context, message: PresentCredentialMessageKey): Promise<StepOutcome> {
    await this.records.delete(RECORDS.current, ctx.interactionId);
    return { kind: 'again', status: 200, errors: { present: ctx.t(message) } };
  }
}

function returnPath(responseCode: string): string {
  return `/interaction/return/present-credential?response_code=${encodeURIComponent(responseCode)}`;
}
