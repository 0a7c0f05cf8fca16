import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom, hookFixture, HTTPS_HOOK_URL, type HookFixture } from '../support/hook-fixture.js';
import { arriveAt, setCookies } from '../support/page-journey.js';

/** The pages' language: negotiated, switched, remembered, and never a way off the site. */
let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

const arrive = (claims: Record<string, unknown> = {}, language?: string) => arriveAt(hook, claims, language);

describe('languages', () => {
  beforeEach(async () => {
    hook = await hookFixture();
  });

  it('follows Accept-Language, shows the French terms and records which document was shown', async () => {
    const { browser, path, page } = await arrive({ given_name: 'Mere' }, 'fr-CA,fr;q=0.9,en;q=0.5');
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('Conditions d’utilisation');
    expect(page.text).toContain('<article class="terms" lang="fr"');
    expect(page.text).toContain('L’attestation vous est strictement personnelle.');
    await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows[0]).toMatchObject({ step: 'terms', decision: 'accepted', locale: 'fr' });
  });

  it('switches language with a link, then answers 303 to the same page without ?lang, and remembers it', async () => {
    const { browser, path, page } = await arrive({}, 'en');
    expect(page.text).toContain('<a href="?lang=fr" lang="fr" hreflang="fr">Français</a>');
    const switched = await browser.get(`${path}?lang=fr`);
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe(path);
    expect(switched.headers['cache-control']).toBe('no-store');
    expect(setCookies(switched)).toMatch(/hook\.lang=fr; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/);
    const french = await browser.get(switched.headers.location!);
    expect(french.status).toBe(200);
    expect(french.text).toContain('<html lang="fr">');
    expect(french.text).toContain('action="' + path + '"');
    // Later pages stay French, even though the browser still asks for English.
    const error = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(french.text), decision: 'accept' });
    expect(error.status).toBe(422);
    expect(error.text).toContain('Cochez la case pour accepter les conditions');
  });

  it('keeps the rest of the query and never redirects off the site', async () => {
    const { browser, path } = await arrive({}, 'en');
    const kept = await browser.get(`${path}?a=1&lang=fr&b=2`);
    expect(kept.status).toBe(303);
    expect(kept.headers.location).toBe(`${path}?a=1&b=2`);
    for (const odd of ['//evil.example/?lang=fr', '/\\evil.example/?lang=fr']) {
      const res = await browser.get(odd);
      expect(res.status, odd).toBe(404);
      expect(res.headers.location, odd).toBeUndefined();
    }
  });

  it('ignores a language it does not have', async () => {
    const { browser, path } = await arrive({}, 'en');
    const odd = await browser.get(`${path}?lang=xx`);
    expect(odd.text).toContain('<html lang="en">');
    expect(odd.headers['set-cookie']).toBeUndefined();
    const array = await browser.get(`${path}?lang=fr&lang=fr`);
    expect(array.text).toContain('<html lang="en">');
  });

  it('keeps a secure, host-only language cookie on https', async () => {
    await hook.close();
    hook = await hookFixture({ HOOK_URL: HTTPS_HOOK_URL });
    const browser = hook.browser();
    const switched = await browser.get('/callback?lang=fr');
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe('/callback');
    expect(setCookies(switched)).toMatch(/^__Host-hook\.lang=fr;.*Path=\/;.*Secure/);
    expect(setCookies(switched)).not.toMatch(/Domain=/);
    // supertest's jar keeps a Secure cookie off plain http; a browser behind the proxy sends it.
    const french = await browser.get('/callback').set('Cookie', String(switched.headers['set-cookie']).split(';')[0]!);
    expect(french.text).toContain('<html lang="fr">');
  });

  it('offers no switch on a refusal at the callback, whose URL carries the token', async () => {
    const { token } = await hook.mint({ lifetimeSeconds: 60 });
    hook.clock.advance(600);
    const expired = await hook.browser().get(`/callback?session_token=${token}`);
    expect(expired.status).toBe(401);
    expect(expired.text).not.toContain('?lang=');
    expect(expired.text).not.toContain(token);
    const missing = await hook.browser().get('/callback');
    expect(missing.text).toContain('<a href="?lang=fr"');
  });
});
