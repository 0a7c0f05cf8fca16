import type { PublishedTermsStore } from '../step-ports.js';
import type { TermsStepConfig } from './schema.js';

/**
 * Publishes every document of a terms step the first time its version is seen, and checks each
 * against what was published before: the ledger says users were shown a version's text, so that
 * text may never change. Returns one plain sentence per document whose text changed.
 */
export async function publishTerms(terms: PublishedTermsStore, step: TermsStepConfig): Promise<string[]> {
  const problems: string[] = [];
  for (const [locale, document] of Object.entries(step.documents)) {
    const published = await terms.publish({ step: step.id, version: step.version, locale, sha256: document.sha256 });
    if (published.ok) continue;
    problems.push(
      `terms step "${step.id}", version "${step.version}", language "${locale}": ${document.file} is not the text published as this version ` +
        `(published SHA-256 ${published.publishedSha256.slice(0, 12)}…, now ${document.sha256.slice(0, 12)}…). ` +
        'A published version never changes: restore its text, or give the new text a new "version" in the steps file.',
    );
  }
  return problems;
}
