import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The parts of a shipped example steps file the demo's copy changes. */
export interface DemoStepsFile {
  issuer: { logo?: string };
  steps: Array<{
    type: string;
    documents?: Record<string, string>;
    requestKey?: string;
    requestCertificate?: string;
    [key: string]: unknown;
  }>;
}

/**
 * Writes a shipped example into the demo's folder as `dir/name`: its relative paths made absolute,
 * its present step trusting `trust` (files beside the copy, made at this start) and pointing at the
 * demo wallet. Returns the copy's path.
 */
export function writeDemoSteps(
  example: DemoStepsFile,
  from: string,
  copy: { dir: string; name: string; walletUrl: string; trust: Record<string, unknown> },
): string {
  const absolute = (file: string) => path.resolve(path.dirname(from), file);
  const steps: DemoStepsFile = {
    ...example,
    issuer: {
      ...example.issuer,
      ...(example.issuer.logo === undefined ? {} : { logo: absolute(example.issuer.logo) }),
    },
    steps: example.steps.map((step) => {
      if (step.type === 'terms' && step.documents)
        return {
          ...step,
          documents: Object.fromEntries(Object.entries(step.documents).map(([lang, file]) => [lang, absolute(file)])),
        };
      if (step.type !== 'present-credential') return step;
      return {
        ...step,
        trust: copy.trust,
        ...(step.requestKey === undefined ? {} : { requestKey: absolute(step.requestKey) }),
        ...(step.requestCertificate === undefined ? {} : { requestCertificate: absolute(step.requestCertificate) }),
        walletUrl: copy.walletUrl,
      };
    }),
  };
  mkdirSync(copy.dir, { recursive: true, mode: 0o700 });
  const file = path.join(copy.dir, copy.name);
  writeFileSync(file, `${JSON.stringify(steps, null, 2)}\n`);
  return file;
}
