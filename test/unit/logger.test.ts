import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyPrinterInstalled, REDACTED, wantsPrettyLogs } from '../../src/ops/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, lines, last: () => JSON.parse(lines.at(-1)!) as Record<string, unknown> };
}

describe('redaction, the second line of defence', () => {
  it('replaces tokens, secrets, cookies and authorisation where objects put them, and keeps requests to method and path', () => {
    const { logger, lines, last } = capture();
    logger.info(
      {
        session_token: 'TOKEN-1',
        req: {
          method: 'GET',
          url: '/callback?session_token=TOKEN-4',
          headers: { cookie: 'hook.sid=COOKIE-1', authorization: 'Bearer AUTH-1' },
        },
        res: { statusCode: 303, headers: { 'set-cookie': 'hook.sid=COOKIE-2' } },
        headers: { Cookie: 'COOKIE-3', Authorization: 'Bearer AUTH-2', accept: 'kept' },
        settings: { hookSecret: 'SECRET-1', sessionSecret: 'SECRET-2', metricsToken: 'METRICS-1', port: 3000 },
        err: { message: 'boom', client_secret: 'CLIENT-1' },
        body: { _csrf: 'CSRF-1', access_token: 'ACCESS-1' },
      },
      'something happened',
    );
    const line = last();
    expect(line).toMatchObject({
      session_token: REDACTED,
      req: { method: 'GET', path: '/callback' },
      res: { statusCode: 303 },
      headers: { Cookie: REDACTED, Authorization: REDACTED, accept: 'kept' },
      settings: { hookSecret: REDACTED, sessionSecret: REDACTED, metricsToken: REDACTED, port: 3000 },
      err: { message: 'boom', client_secret: REDACTED },
      body: { _csrf: REDACTED, access_token: REDACTED },
      msg: 'something happened',
    });
    expect(line.req).toEqual({ method: 'GET', path: '/callback' });
    expect(line.res).toEqual({ statusCode: 303 });
    for (const secret of [
      'TOKEN-1',
      'TOKEN-4',
      'COOKIE-1',
      'COOKIE-2',
      'COOKIE-3',
      'AUTH-1',
      'AUTH-2',
      'SECRET-1',
      'SECRET-2',
      'METRICS-1',
      'CLIENT-1',
      'CSRF-1',
      'ACCESS-1',
    ]) {
      expect(lines.join('')).not.toContain(secret);
    }
  });

  it('redacts child-logger bindings too', () => {
    const { logger, last } = capture();
    logger.child({ token: 'TOKEN-2' }).info('bound');
    expect(last()).toMatchObject({ token: REDACTED, msg: 'bound' });
  });
});

describe('pretty output', () => {
  it('is chosen only in development with a terminal watching', () => {
    expect(wantsPrettyLogs('development', true)).toBe(true);
    expect(wantsPrettyLogs('development', false)).toBe(false);
    expect(wantsPrettyLogs('production', true)).toBe(false);
    expect(wantsPrettyLogs('test', true)).toBe(false);
  });

  it('prints readable lines through pino-pretty, still redacted', () => {
    const script =
      "import { createLogger } from './src/ops/logger.js'; createLogger({ level: 'info', pretty: true }).info({ session_token: 'TOKEN-3', interaction: 'abc' }, 'journey started');";
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: journey started\n/);
    expect(out).toContain('interaction: "abc"');
    expect(out).toContain(`session_token: "${REDACTED}"`);
    expect(out).not.toContain('TOKEN-3');
    expect(out).not.toContain('{"level"');
  });

  it('is found where the development dependencies are installed, and missing without them', () => {
    expect(prettyPrinterInstalled()).toBe(true);
    const missing = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(prettyPrinterInstalled(missing)).toBe(false);
  });
});
