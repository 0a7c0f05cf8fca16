import type { HookConfig } from '../../config/hook-config.js';
import type { Storage } from '../../storage/storage.js';

/**
 * Publishes every configured terms document, the first time its version is seen, and checks each
 * against what was published before: the ledger says users were shown a version's text, so that
 * text may never change. Returns one plain sentence per document whose text changed.
 */
export async function publishConfiguredTerms(storage: Storage, config: HookConfig): Promise<string[]> {
  const problems: string[] = [];
  for (const step of config.steps) {
    if (step.type !== 'terms') continue;
    for (const [locale, document] of Object.entries(step.documents)) {
      const published = await storage.publishTerms({ step: step.id, version: step.version, locale, sha256: document.sha256 });
      if (published.ok) continue;
      problems.push(
        `terms step "${step.id}", version "${step.version}", language "${locale}": ${document.file} is not the text published as this version ` +
          `(published SHA-256 ${published.publishedSha256.slice(0, 12)}…, now ${document.sha256.slice(0, 12)}…). ` +
          'A published version never changes: restore its text, or give the new text a new "version" in the steps file.',
      );
    }
  }
  return problems;
}
