import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HookConfig } from '../../src/config/hook-config.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import {
  ADDRESS,
  arriveWith,
  confirmEmailCode,
  emailCodeConfig,
  mailSettings,
  tenantGot,
} from '../support/email-code.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { ledgerRows } from '../support/journey.js';
import {
  atStepStart,
  authenticatorAppConfig,
  fromBase32,
  keyOnPage,
  postApp,
  recoveryCodesOnPage,
  totpCode,
} from '../support/authenticator-app.js';

/**
 * Where an authenticator app's secret could leak: the storage (the SQLite file and its journal,
 * or every PostgreSQL table and Redis key of the run), the ledger, the logs. On every engine.
 */
let hook: HookFixture;
let mailbox: Mailbox;
beforeEach(async () => {
  mailbox = await startMailbox();
});
afterEach(async () => {
  await hook.close();
  await mailbox.close();
});

/** An email-code step, then an authenticator-app step that enrols after verification, both with the mailbox's SMTP_URL. */
function emailThenApp(): HookConfig {
  const base = emailCodeConfig({ smtpUrl: mailbox.smtpUrl });
  const app = authenticatorAppConfig(
    { enrol: 'after-verification' },
    { appKey: undefined, mail: mailSettings(mailbox.smtpUrl) },
  );
  return { ...base, steps: [...base.steps, ...app.steps] };
}

/** Everything the hook's storage holds, as text: files byte for byte, tables row by row, keys value by value. */
async function everythingStored(): Promise<string> {
  const { databaseUrl, redisUrl } = hook.settings;
  if (databaseUrl === undefined) {
    return readdirSync(hook.dataDir)
      .map((file) => readFileSync(path.join(hook.dataDir, file)).toString('latin1'))
      .join('\n');
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const parts: string[] = [];
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.name)).toContain('step_records');
    for (const { name } of tables) parts.push(JSON.stringify((await client.query(`SELECT * FROM "${name}"`)).rows));
  } finally {
    await client.end();
  }
  if (redisUrl !== undefined) {
    const redis = createClient({ url: redisUrl });
    await redis.connect();
    try {
      for await (const keys of redis.scanIterator({ MATCH: `${hook.settings.redisKeyPrefix}*` })) {
        for (const key of keys) if ((await redis.type(key)) === 'string') parts.push(String(await redis.get(key)));
      }
    } finally {
      await redis.quit();
    }
  }
  return parts.join('\n');
}

describe('an authenticator app’s secret at rest', () => {
  it('is set up after an emailed code, mails “an authenticator app was added”, and is never stored, recorded or logged in plain text', async () => {
    hook = await hookFixture({ LEDGER_SUBJECT_CLAIM: 'email' }, emailThenApp());
    const journey = await arriveWith(hook, { email: ADDRESS });
    const confirmed = await confirmEmailCode(journey, mailbox);
    atStepStart(hook.clock);
    const page = await journey.browser.get(confirmed.headers.location!);
    const key = keyOnPage(page.text);
    // While the enrolment waits for its first code, the offered secret is sealed too.
    const needles = (secret: string) => {
      const bytes = fromBase32(secret);
      return [
        secret,
        secret.toLowerCase(),
        bytes.toString('hex'),
        bytes.toString('base64'),
        bytes.toString('base64url'),
      ];
    };
    let stored = await everythingStored();
    for (const needle of needles(key)) expect(stored).not.toContain(needle);

    const codesPage = await postApp(
      { browser: journey.browser, path: journey.path, state: journey.state, page },
      { decision: 'verify', code: totpCode(key, hook.clock.now()) },
    );
    const recoveryCodes = recoveryCodesOnPage(codesPage.text);
    expect(recoveryCodes).toHaveLength(10);
    const notice = mailbox.messages.at(-1)!;
    expect(notice.to).toEqual([ADDRESS]);
    expect(notice.subject).toBe('An authenticator app was added for Test Issuer');
    expect(notice.text).toContain('An authenticator app was just set up to confirm it is you with Test Issuer.');
    expect(notice.text).not.toContain(key);

    stored = await everythingStored();
    for (const needle of [...needles(key), ...recoveryCodes, ...recoveryCodes.map((c) => c.replace('-', ''))])
      expect(stored).not.toContain(needle);
    const done = await postApp(
      { browser: journey.browser, path: journey.path, state: journey.state, page: codesPage },
      { decision: 'continue' },
    );
    expect((await tenantGot(hook, done)).kind).toBe('success');

    stored = await everythingStored();
    const elsewhere = [stored, JSON.stringify(await ledgerRows(hook)), hook.logs.join('\n')];
    for (const text of elsewhere)
      for (const needle of [...needles(key), ...recoveryCodes, ...recoveryCodes.map((c) => c.replace('-', ''))])
        expect(text).not.toContain(needle);
    // What is kept: the subject's app, sealed.
    expect(stored).toMatch(/v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{40,}/);
  });
});
