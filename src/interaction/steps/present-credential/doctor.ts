import { X509Certificate } from 'node:crypto';
import type { StepDoctorCheck } from '../step-type.js';
import type { PresentCredentialConfig } from './schema.js';

const SOON_MS = 30 * 86_400_000;

/** `doctor` for a present-credential step: the request certificate against HOOK_URL, and the roots' dates. */
export function presentCredentialDoctor(
  config: PresentCredentialConfig,
  hookUrl: string | undefined,
  now = new Date(),
): StepDoctorCheck[] {
  const checks: StepDoctorCheck[] = [];
  const { identity } = config;
  if (identity.prefix === 'redirect_uri') {
    checks.push({
      name: `request signing (${config.id})`,
      status: 'warn',
      detail: 'clientId "redirect_uri:": requests are unsigned, for a hook on this machine only',
      fix: 'use an x509_san_dns: clientId with a request key and certificate before going live',
    });
  } else {
    const leaf = new X509Certificate(Buffer.from(identity.certificates[0] ?? '', 'base64'));
    const host = hookUrl === undefined ? undefined : new URL(hookUrl).hostname;
    const named = host !== undefined && leaf.checkHost(host, { subject: 'never' }) !== undefined;
    checks.push(
      named
        ? {
            name: `request certificate (${config.id})`,
            status: 'ok',
            detail: `names ${host}, HOOK_URL's host; ${identity.clientId}`,
          }
        : {
            name: `request certificate (${config.id})`,
            status: 'fail',
            detail: `does not name HOOK_URL's host ${host ?? '(HOOK_URL not set)'} as a DNS name`,
            fix: 'issue the request certificate with subjectAltName DNS:<HOOK_URL host> (docs/step-present-credential.md)',
          },
    );
    checks.push(dates(`request certificate dates (${config.id})`, leaf, now));
  }
  config.trust.roots.forEach((root, i) => checks.push(dates(`trusted root ${i + 1} (${config.id})`, root, now)));
  checks.push({
    name: `trust (${config.id})`,
    status: 'ok',
    detail: `${config.trust.roots.length} root certificate(s), ${config.trust.issuers.size} listed issuer(s): ${[...config.trust.issuers.keys()].join(', ') || 'none'}`,
  });
  return checks;
}

function dates(name: string, certificate: X509Certificate, now: Date): StepDoctorCheck {
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  const subject = certificate.subject.replaceAll('\n', ', ');
  if (now < from || now > to)
    return {
      name,
      status: 'fail',
      detail: `${subject} is valid only from ${from.toISOString()} to ${to.toISOString()}`,
      fix: 'replace the certificate with a current one',
    };
  if (to.getTime() - now.getTime() < SOON_MS)
    return { name, status: 'warn', detail: `${subject} expires on ${to.toISOString()}`, fix: 'renew it before then' };
  return { name, status: 'ok', detail: `${subject} valid until ${to.toISOString()}` };
}
