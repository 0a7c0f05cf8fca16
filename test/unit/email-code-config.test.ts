import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { loadHookConfig } from '../../src/config/hook-config.js';
import { claimsStepsRead } from '../../src/interaction/steps/configured-step.js';
import { mailFailure } from '../../src/interaction/steps/email-code/code-mailer.js';
import { lifetimeText } from '../../src/interaction/steps/email-code/code-mail.js';
import { emailAddressFrom, maskedAddress } from '../../src/interaction/steps/email-code/email-address.js';
import { readMailSettings } from '../../src/interaction/steps/email-code/mail-settings.js';
import { emailCodeMessages } from '../../src/interaction/steps/email-code/messages.js';

const EXAMPLE = fileURLToPath(new URL('../../content/examples/terms-email-code.config.json', import.meta.url));
const BASE_ENV = {
  HOOK_URL: 'https://hook.example.com/callback',
  MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global',
  INTERACTION_HOOK_SECRET: Buffer.alloc(32, 7).toString('base64'),
  HOOK_CONFIG: EXAMPLE,
};

describe('the email-code entry of a steps file', () => {
  it('loads the example with its defaults and asks the tenant for the email claim', () => {
    const loaded = loadHookConfig(EXAMPLE);
    expect(loaded.ok && loaded.config.steps[1]?.config).toEqual({
      type: 'email-code',
      id: 'email-code',
      emailClaim: 'email',
      codeTtlSeconds: 600,
      maxAttempts: 5,
      resendIntervalSeconds: 30,
      maxSends: 5,
    });
    expect(loaded.ok && claimsStepsRead(loaded.config.steps)).toEqual(['given_name', 'email']);
  });

  it('needs SMTP_URL and MAIL_FROM at start-up only when a steps file has the step, named in the one message', () => {
    const missing = loadConfiguration(BASE_ENV);
    expect(missing.ok).toBe(false);
    const problems = missing.ok ? [] : missing.problems;
    expect(problems.some((p) => p.startsWith('SMTP_URL is required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('MAIL_FROM is required'))).toBe(true);
    const ready = loadConfiguration({
      ...BASE_ENV,
      SMTP_URL: 'smtps://user:pw@mail.example:465',
      MAIL_FROM: 'Example Issuer <no-reply@issuer.example>',
    });
    expect(ready.ok && ready.configuration.hookConfig.steps[1]?.settings).toEqual({
      smtpUrl: 'smtps://user:pw@mail.example:465',
      mailFrom: 'Example Issuer <no-reply@issuer.example>',
    });
    expect(loadConfiguration({ ...BASE_ENV, HOOK_CONFIG: '' }).ok).toBe(true);
  });

  it('refuses a bad SMTP_URL or MAIL_FROM without ever repeating a password', () => {
    const read = readMailSettings({
      SMTP_URL: 'https://mailer:s3cret-pass@mail.example/send?x=1',
      MAIL_FROM: 'Issuer <no-reply@issuer.example>\r\nBcc: all@example.org',
    });
    expect(read.ok).toBe(false);
    const problems = read.ok ? [] : read.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('SMTP_URL (https://***@mail.example): the scheme is "https:"; use smtp: or smtps:');
    expect(problems.join(' ')).not.toContain('s3cret-pass');
    expect(problems[1]).toMatch(/^MAIL_FROM is not an address/);
    for (const bad of ['smtp://', 'mail.example:25', 'smtp://mail.example:25/path'])
      expect(readMailSettings({ SMTP_URL: bad, MAIL_FROM: 'a@b.example' }).ok, bad).toBe(false);
    for (const good of ['smtp://127.0.0.1:2525', 'smtps://u:p%40ss@mail.example:465', 'smtp://mail.example'])
      expect(readMailSettings({ SMTP_URL: good, MAIL_FROM: 'no-reply@issuer.example' }).ok, good).toBe(true);
  });
});

describe('what the step reads from the user and the token', () => {
  it('takes an address from a claim only when it is one, and masks it for the page', () => {
    expect(emailAddressFrom('  Aroha@Example.org ')).toBe('Aroha@Example.org');
    for (const bad of [
      undefined,
      null,
      7,
      '',
      'no-at-sign',
      'a@b',
      'a@@b.org',
      'a b@c.org',
      'a@b.org\nBcc: x@y.org',
      'a\u202e@b.org',
      `${'a'.repeat(250)}@b.org`,
    ]) {
      expect(emailAddressFrom(bad), String(bad)).toBeNull();
    }
    expect(maskedAddress('aroha@example.org')).toBe('a•••@example.org');
    expect(maskedAddress('é@example.org')).toBe('é•••@example.org');
  });

  it('says a lifetime as people of the language do', () => {
    expect(lifetimeText(600, 'en')).toBe('10 minutes');
    expect(lifetimeText(60, 'en')).toBe('1 minute');
    expect(lifetimeText(90, 'en')).toBe('90 seconds');
    expect(lifetimeText(600, 'fr')).toBe('10 minutes');
  });

  it('tells a permanent refusal of the recipient or message from a server away or a temporary no', () => {
    expect(mailFailure({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' })).toBe('refused');
    expect(mailFailure({ code: 'EMESSAGE', responseCode: 554, command: 'DATA' })).toBe('refused');
    expect(mailFailure({ code: 'EMESSAGE', responseCode: 451, command: 'DATA' })).toBe('unavailable');
    expect(mailFailure({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' })).toBe('unavailable');
    expect(mailFailure({ code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' })).toBe('unavailable');
    expect(mailFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toBe('unavailable');
    expect(mailFailure(undefined)).toBe('unavailable');
  });
});

describe('the email-code words', () => {
  it('has every English message in French, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(emailCodeMessages.fr).sort()).toEqual(Object.keys(emailCodeMessages.en).sort());
    for (const [key, text] of Object.entries(emailCodeMessages.en))
      expect(placeholders(emailCodeMessages.fr[key as keyof typeof emailCodeMessages.fr]), key).toEqual(
        placeholders(text),
      );
  });
});
