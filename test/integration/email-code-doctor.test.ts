import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMailServer } from '../../src/interaction/steps/email-code/mail-server-check.js';
import { runDoctor } from '../../src/registration/doctor-checks.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';

const EXAMPLE = fileURLToPath(new URL('../../content/examples/terms-email-code.config.json', import.meta.url));
const MAIL_FROM = 'Example Issuer <no-reply@issuer.example>';
let mailbox: Mailbox | undefined;
let strict: SMTPServer | undefined;

afterEach(async () => {
  await mailbox?.close();
  if (strict) await new Promise<void>((resolve) => strict!.close(() => resolve()));
  mailbox = strict = undefined;
});

const mailCheck = async (env: Record<string, string>) =>
  (await runDoctor({ HOOK_URL: 'https://hook.example.com/callback', ...env })).find((c) => c.name === 'mail server');

describe('doctor and the mail server', () => {
  it('checks the mail server only when the steps file has an email-code step, and says it answered', async () => {
    mailbox = await startMailbox();
    expect(await mailCheck({ SMTP_URL: mailbox.smtpUrl, MAIL_FROM })).toBeUndefined();
    expect(await mailCheck({ HOOK_CONFIG: EXAMPLE, SMTP_URL: mailbox.smtpUrl, MAIL_FROM })).toEqual({
      name: 'mail server',
      status: 'ok',
      detail: `the mail server at smtp://127.0.0.1:${mailbox.port} answered and accepted the connection`,
    });
    // Checked, not sent to.
    expect(mailbox.messages).toHaveLength(0);
  });

  it('fails with the fix when the variables are missing or the server is away, printing no password', async () => {
    expect(await mailCheck({ HOOK_CONFIG: EXAMPLE })).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('SMTP_URL is required'),
    });
    const away = await startMailbox();
    await away.close();
    const check = await mailCheck({
      HOOK_CONFIG: EXAMPLE,
      SMTP_URL: `smtp://mailer:s3cret-pass@127.0.0.1:${away.port}`,
      MAIL_FROM,
    });
    expect(check).toMatchObject({
      status: 'fail',
      detail: `the mail server at smtp://***@127.0.0.1:${away.port} could not be reached`,
      fix: expect.any(String),
    });
    expect(JSON.stringify(check)).not.toContain('s3cret-pass');
  });

  it('says when the server refuses the user name and password, without repeating them', async () => {
    strict = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, callback) =>
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 })),
    });
    await new Promise<void>((resolve) => strict!.listen(0, '127.0.0.1', () => resolve()));
    const { port } = strict.server.address() as { port: number };
    const check = await checkMailServer({ SMTP_URL: `smtp://mailer:s3cret-pass@127.0.0.1:${port}`, MAIL_FROM });
    expect(check).toMatchObject({
      status: 'fail',
      detail: `the mail server at smtp://***@127.0.0.1:${port} refused the user name and password in SMTP_URL`,
    });
    expect(JSON.stringify(check)).not.toMatch(/s3cret|mailer/);
  });

  it('gives up on a server that never greets, within its timeout', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const check = await checkMailServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM }, { timeoutMs: 300 });
      expect(check.status).toBe('fail');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});
