import express, { type Router } from 'express';
import { Secret, TOTP } from 'otpauth';

/** Where the simulator serves it, linked from its start page. */
export const DEMO_AUTHENTICATOR_PATH = '/demo/authenticator';

/**
 * A stand-in for an authenticator app, for a machine without a phone at hand: paste the key the
 * hook's authenticator-app step shows, and it shows the current code. It keeps nothing; the key
 * comes back with each request in the form. Local demo only: a real app keeps the key on the phone.
 */
export function demoAuthenticator(page: (title: string, body: string) => string, now: () => Date): Router {
  const router = express.Router();
  router.get(DEMO_AUTHENTICATOR_PATH, (_req, res) => {
    res.type('html').send(page('Demo authenticator', form('', 6, 30)));
  });
  router.post(DEMO_AUTHENTICATOR_PATH, express.urlencoded({ extended: false, limit: '1kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const key = typeof body.key === 'string' ? body.key.replace(/[\s-]/g, '').toUpperCase() : '';
    const digits = body.digits === '8' ? 8 : 6;
    const period = [30, 60].includes(Number(body.period)) ? Number(body.period) : 30;
    if (!/^[A-Z2-7]{16,128}$/.test(key)) {
      res
        .status(422)
        .type('html')
        .send(
          page(
            'Demo authenticator',
            `<p class="bad" role="alert">That is not a key: paste the letters and digits shown under the QR code.</p>${form('', digits, period)}`,
          ),
        );
      return;
    }
    const timestamp = now().getTime();
    const code = new TOTP({ secret: Secret.fromBase32(key), digits, period }).generate({ timestamp });
    const left = TOTP.remaining({ period, timestamp });
    res
      .type('html')
      .send(
        page(
          'Demo authenticator',
          `<p>The current code:</p><p class="code"><strong>${code}</strong></p><p>It changes in ${Math.ceil(left / 1000)} s.</p>${form(key, digits, period)}`,
        ),
      );
  });
  return router;
}

function form(key: string, digits: number, period: number): string {
  return `<h1>Demo authenticator</h1>
<p>For trying the authenticator-app step without a phone: paste the key the hook shows under its QR code. This page keeps nothing.</p>
<form method="post" action="${DEMO_AUTHENTICATOR_PATH}"><label for="key">Key</label>
<input id="key" name="key" value="${key}" autocomplete="off" spellcheck="false" size="40">
<label for="digits">Digits</label><select id="digits" name="digits"><option${digits === 6 ? ' selected' : ''}>6</option><option${digits === 8 ? ' selected' : ''}>8</option></select>
<label for="period">Seconds per code</label><select id="period" name="period"><option${period === 30 ? ' selected' : ''}>30</option><option${period === 60 ? ' selected' : ''}>60</option></select>
<p><button type="submit">Show the current code</button></p></form>
<p><a href="/">Back to the start page</a></p>`;
}
