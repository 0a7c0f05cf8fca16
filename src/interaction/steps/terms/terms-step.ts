import type { Evidence } from '../../model.js';
import type { FormInput, Step, StepContext, StepOutcome } from '../step.js';
import type { TermsDocument, TermsStepConfig } from './schema.js';
import type { TermsMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<TermsMessageKey>;

/** Sent to the tenant (and so to the wallet) when the user declines: plain English, not localised. */
export const TERMS_DECLINED_MESSAGE = 'The user declined the terms of use.';

/** The issuer's terms of use: a versioned document, an unticked checkbox, Accept or Decline. */
export class TermsStep implements Step<TermsMessageKey> {
  readonly type = 'terms';
  readonly id: string;
  readonly skipIfAcceptedVersion: string | undefined;

  constructor(private readonly config: TermsStepConfig) {
    this.id = config.id;
    this.skipIfAcceptedVersion = config.skipIfAccepted ? config.version : undefined;
  }

  view(ctx: Context): Record<string, unknown> {
    const { lang, document } = this.documentFor(ctx.locale);
    const name = this.config.greetingClaim ? ctx.claims[this.config.greetingClaim] : undefined;
    return {
      greeting: typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 100) : null,
      version: this.config.version,
      documentLang: lang,
      paragraphs: document.text
        .split(/\r?\n\s*\r?\n/)
        .map((p) => p.trim())
        .filter(Boolean),
    };
  }

  decide(input: FormInput, ctx: Context): StepOutcome {
    const evidence = this.evidence(ctx);
    if (input.decision === 'decline') return { kind: 'declined', message: TERMS_DECLINED_MESSAGE, evidence };
    if (input.decision === 'accept' && input.accept_terms === 'yes') return { kind: 'next', claims: {}, evidence };
    return { kind: 'again', status: 422, errors: { accept_terms: ctx.t('terms.error.required') } };
  }

  /** The version, the SHA-256 of the exact text shown, and its language. */
  evidence(ctx: Context): Evidence {
    const { lang, document } = this.documentFor(ctx.locale);
    return { version: this.config.version, sha256: document.sha256, locale: lang };
  }

  /** The document in the user's language, else English, else the first one configured. */
  private documentFor(locale: string): { lang: string; document: TermsDocument } {
    const docs = this.config.documents;
    for (const lang of [locale, 'en', ...Object.keys(docs)]) {
      const document = docs[lang];
      if (document) return { lang, document };
    }
    throw new Error('terms step has no document');
  }
}
