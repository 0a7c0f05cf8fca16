import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, hookError, type ErrorCode } from '../../src/web/error-codes.js';
import { PAGES } from '../../src/web/hook-error.js';
import { en } from '../../src/web/messages/en.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { arrive } from '../support/journey.js';

const PINO_LEVELS = { warn: 40, error: 50 } as const;

describe('the table of error codes', () => {
  it('gives each code a 4xx or 5xx, logged as an error exactly when the hook is at fault (5xx)', () => {
    for (const [code, row] of Object.entries(ERROR_CODES)) {
      expect(row.status >= 400 && row.status < 600, code).toBe(true);
      expect(row.level, code).toBe(row.status >= 500 ? 'error' : 'warn');
    }
  });

  it('answers with every error page, each from some code', () => {
    const used = new Set(Object.values(ERROR_CODES).flatMap((row) => row.pages));
    expect(Object.keys(PAGES).filter((page) => !used.has(page as keyof typeof PAGES))).toEqual([]);
  });

  it('makes an error as its row says, on the first page unless another of its own is named', () => {
    const unavailable = hookError('storage_unavailable');
    expect([unavailable.code, unavailable.status, unavailable.page, unavailable.level]).toEqual([
      'storage_unavailable',
      503,
      PAGES.storageUnavailable,
      'error',
    ]);
    expect(hookError('storage_unavailable', 'arrivalUnavailable').page).toBe(PAGES.arrivalUnavailable);
    expect(hookError('token_expired')).toMatchObject({
      code: 'token_expired',
      status: 401,
      page: PAGES.arrivalExpired,
      level: 'warn',
    });
  });
});

describe('an error answered over HTTP', () => {
  let hook: HookFixture;
  beforeEach(async () => {
    hook = await hookFixture();
  });
  afterEach(async () => {
    await hook.close();
  });

  /** The status, page and log line of a refusal: all three from the code's row, the page and the log naming the code. */
  function expectAnswered(
    response: { status: number; text: string },
    code: ErrorCode,
    page: keyof typeof PAGES = ERROR_CODES[code].pages[0],
  ): void {
    const row = ERROR_CODES[code];
    expect(response.status).toBe(row.status);
    expect(response.text).toContain(`data-code="${code}"`);
    expect(response.text).toContain(`<h1>${en[PAGES[page].title]}</h1>`);
    const logged = hook.logs
      .flatMap((line) => line.split('\n'))
      .flatMap((line) => (line.trim() === '' ? [] : [JSON.parse(line) as { code?: string; level?: number }]));
    expect(logged.filter((entry) => entry.code === code).map((entry) => entry.level)).toContain(PINO_LEVELS[row.level]);
  }

  it('shares its code between the status, the page and the log', async () => {
    expectAnswered(await hook.browser().get('/nowhere'), 'not_found');
    expectAnswered(await hook.browser().get('/callback'), 'token_missing');
    expectAnswered(await hook.browser().get(`/callback?session_token=${'x'.repeat(2100)}`), 'url_too_long');
    expectAnswered(await hook.browser().get('/interaction/AAAAAAAAAAAAAAAAAAAAAA'), 'interaction_not_found');
    const arrived = await arrive(hook);
    expectAnswered(await arrived.browser.get(`/callback?session_token=${arrived.token}`), 'token_replayed');
    await hook.storage.close();
    expectAnswered(await arrived.browser.get(arrived.interactionPath), 'storage_unavailable', 'storageUnreachable');
  });
});
