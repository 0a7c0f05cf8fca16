import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { finishedPageHref } from '../support/journey.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG } from '../../src/config/hook-config.js';
import { measureReturnUrl } from '../../src/interaction/return-url-budget.js';
import { PROFILE_DECLINED_MESSAGE } from '../../src/interaction/steps/profile/profile-step.js';
import { offlineServices } from '../support/offline-services.js';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, hookFixture, mustLoad, type HookFixture } from '../support/hook-fixture.js';
import { arriveAt, setCookies } from '../support/page-journey.js';

const EXAMPLE = mustLoad(path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'));

let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

const arrive = (claims: Record<string, unknown> = {}, language?: string) => arriveAt(hook, claims, language);

async function toProfile(claims: Record<string, unknown> = {}, language?: string) {
  const at = await arrive(claims, language);
  const next = await at.browser
    .post(at.path)
    .type('form')
    .send({ _csrf: csrfFrom(at.page.text), accept_terms: 'yes', decision: 'accept' });
  expect(next.status).toBe(303);
  const page = await at.browser.get(at.path);
  return { ...at, page };
}

const BIRTHDATE = { 'birthdate-day': '27', 'birthdate-month': '3', 'birthdate-year': '1990' };
const VALID = {
  email: 'aroha@example.com',
  phone_number: '+64 21 123 4567',
  ...BIRTHDATE,
  member_number: '',
  region: 'north',
};

describe('the profile step', () => {
  beforeEach(async () => {
    hook = await hookFixture({}, EXAMPLE);
  });

  it('shows progress, prefills from the session token and returns the values as claims', async () => {
    const { browser, path, page, state } = await toProfile({ email: 'aroha@example.com', birthdate: '1990-03-27' });
    expect(page.text).toContain('Step 2 of 2');
    expect(page.text).toMatch(/<input id="field-email" name="email" value="aroha@example.com"/);
    // The prefilled YYYY-MM-DD in three boxes, a birth date's each for its own autofill.
    expect(page.text).toMatch(
      /<input id="field-birthdate-day" name="birthdate-day" value="27" type="text" inputmode="numeric" maxlength="2" class="date-day" autocomplete="bday-day" required>/,
    );
    expect(page.text).toMatch(
      /<input id="field-birthdate-month" name="birthdate-month" value="3" [^>]*autocomplete="bday-month"/,
    );
    expect(page.text).toMatch(
      /<input id="field-birthdate-year" name="birthdate-year" value="1990" [^>]*maxlength="4" [^>]*autocomplete="bday-year"/,
    );
    expect(page.text).toMatch(
      /<label for="field-phone_number">Mobile number\s*<span class="optional">\(optional\)<\/span><\/label>/,
    );

    const done = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...VALID });
    expect(done.status).toBe(303);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(done.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toMatchObject({
      kind: 'success',
      state,
      // Normalised phone, the unticked box as false, the empty optional field left out.
      claims: {
        email: 'aroha@example.com',
        phone_number: '+64211234567',
        birthdate: '1990-03-27',
        region: 'north',
        news_opt_in: false,
      },
    });
    expect(outcome.kind === 'success' && Object.keys(outcome.claims)).not.toContain('member_number');
  });

  it('answers 422 with an announced, focused summary, messages tied to fields, and what was typed kept', async () => {
    const { browser, path, page } = await toProfile();
    const again = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...VALID, email: 'not-an-email', member_number: '12ab', region: 'atlantis' });
    expect(again.status).toBe(422);
    expect(again.text).toMatch(/<div class="error-summary" role="alert" tabindex="-1" autofocus/);
    expect(again.text).toContain(
      '<a href="#field-email">Enter an email address like name@example.com in “Email address”.</a>',
    );
    expect(again.text).toContain('<a href="#field-member_number">A membership number is 8 digits.</a>');
    expect(again.text).toContain('<a href="#field-region">Choose one of the options offered for “Region”.</a>');
    expect(again.text).toMatch(
      /name="email" value="not-an-email"[^>]*aria-invalid="true" aria-describedby="field-email-help field-email-error"/,
    );
    expect(again.text).toMatch(/id="field-email-error">Enter an email address/);
    expect(again.text).toMatch(/name="phone_number" value="\+64 21 123 4567"/);
    expect(again.text).not.toMatch(/name="phone_number"[^>]*aria-invalid/);

    // Nothing was recorded for the profile step: the user can put it right.
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.step);
    expect(rows).toEqual(['terms']);
    const done = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), ...VALID });
    expect(done.status).toBe(303);
  });

  it('lets the user decline, with a failure token like the terms decline and nothing of what was typed', async () => {
    const { browser, path, page, state } = await toProfile();
    expect(page.text).toContain(
      '<button type="submit" name="decision" value="decline" class="secondary" aria-describedby="decline-hint">I don’t want to continue</button>',
    );
    expect(page.text).toContain(
      '<p class="hint" id="decline-hint">If you do not continue, Example Issuer will not issue your credential.</p>',
    );
    const declined = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...VALID, email: 'not-an-email', decision: 'decline' });
    expect(declined.status).toBe(303);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(declined.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toMatchObject({ kind: 'failure', state, message: PROFILE_DECLINED_MESSAGE });
    expect(PROFILE_DECLINED_MESSAGE).toBe('The user chose not to continue.');
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push([row.step, row.decision]);
    expect(rows).toEqual([
      ['terms', 'accepted'],
      ['profile', 'declined'],
    ]);
    // Back offers the failure redirect while its token is valid, then says how the journey ended.
    expect(finishedPageHref((await browser.get(path)).text)).toBe(declined.headers.location);
    hook.clock.advance(61);
    const back = await browser.get(path);
    expect(back.status).toBe(409);
    expect(back.text).toContain('You declined');
  });

  it('says on the last step’s button that it ends the journey, in every language', async () => {
    const { browser, path, page } = await toProfile();
    expect(page.text).toContain(
      '<button type="submit" name="decision" value="continue" class="primary">Finish and return to your wallet</button>',
    );
    const french = await browser.get(path).set('Cookie', 'hook.lang=fr');
    expect(french.text).toContain('class="primary">Terminer et revenir à votre portefeuille</button>');
    // The terms step comes first here: its button only goes on.
    const first = await arrive();
    expect(first.page.text).toContain('class="primary">Accept and continue</button>');
    expect(first.page.text).not.toContain('Finish and return to your wallet');
  });

  it('keeps what was typed on a page with errors across a language switch, which submits the form', async () => {
    const { browser, path, page } = await toProfile();
    const again = await browser
      .post(path)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        step: 'profile',
        ...VALID,
        email: 'not-an-email',
        phone_number: '021 555 0101',
      });
    expect(again.status).toBe(422);
    // Without JavaScript: a small form of its own that posts what was sent, with the CSRF token.
    const switchForm =
      /<form method="post" action="([^"]+)" class="language-form" data-carries="([^"]*)">([\s\S]*?)<\/form>/.exec(
        again.text,
      );
    expect(switchForm?.[1]).toBe(path);
    // With JavaScript, what is typed since goes along in these fields (public/hook.js): the step's own.
    expect(switchForm?.[2]).toBe(
      'email phone_number birthdate-day birthdate-month birthdate-year member_number region news_opt_in',
    );
    const hidden = Object.fromEntries(
      [...switchForm![3]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    expect(hidden).toEqual({
      _csrf: csrfFrom(again.text),
      step: 'profile',
      email: 'not-an-email',
      phone_number: '021 555 0101',
      ...BIRTHDATE,
      region: VALID.region,
    });
    expect(switchForm![3]).toContain(
      '<button type="submit" name="_lang" value="fr" lang="fr" class="language-switch">Français</button>',
    );
    expect(again.text).not.toContain('href="?lang=fr"');
    // The step's own form keeps its buttons first, so Enter in a field still means Continue.
    expect(again.text.indexOf('name="_lang"')).toBeLessThan(again.text.indexOf('id="step-form"'));
    expect(again.text.slice(again.text.indexOf('id="step-form"'))).not.toContain('name="_lang"');

    // What the browser sends when the user presses Français.
    const form = { ...hidden, _lang: 'fr' };
    const french = await browser.post(path).type('form').send(form);
    expect(french.status).toBe(422);
    expect(french.text).toContain('<html lang="fr">');
    expect(french.text).toMatch(/name="email" value="not-an-email"/);
    expect(french.text).toMatch(/name="phone_number" value="021 555 0101"/);
    expect(french.text).toContain('Adresse e-mail');
    expect(setCookies(french)).toMatch(/hook\.lang=fr/);
    // Nothing was decided: only the terms are in the ledger.
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.step);
    expect(rows).toEqual(['terms']);

    // A switch is still a post of the form: without its CSRF token it is refused.
    const forged = await browser
      .post(path)
      .type('form')
      .send({ ...form, _csrf: 'forged' });
    expect(forged.status).toBe(403);
    // A language we do not have is no switch: the form is answered as a Continue.
    const odd = await browser
      .post(path)
      .type('form')
      .send({ ...form, _csrf: csrfFrom(french.text), email: 'aroha@example.com', _lang: 'xx' });
    expect(odd.status).toBe(303);
    expect(new URL(odd.headers.location!).searchParams.get('session_token')).toBeTruthy();
  });

  it('reads the date from its three boxes; a day that does not exist or one out of range is said so, in the page’s language, and what was typed stays', async () => {
    const { browser, path, page } = await toProfile();
    const post = (form: Record<string, string>, csrf: string) =>
      browser
        .post(path)
        .type('form')
        .send({ _csrf: csrf, step: 'profile', ...VALID, ...form });
    const feb31 = await post(
      { 'birthdate-day': '31', 'birthdate-month': '2', 'birthdate-year': '1990' },
      csrfFrom(page.text),
    );
    expect(feb31.status).toBe(422);
    expect(feb31.text).toContain(
      '<p class="error-message" id="field-birthdate-error">Enter a real date in “Date of birth”.</p>',
    );
    expect(feb31.text).toContain('<a href="#field-birthdate-day">Enter a real date in “Date of birth”.</a>');
    expect(feb31.text).toMatch(
      /<fieldset class="date-field" id="field-birthdate" aria-describedby="field-birthdate-error">\s*<legend>Date of birth<\/legend>/,
    );
    expect(feb31.text).toMatch(/name="birthdate-day" value="31"[^>]*aria-invalid="true"/);
    expect(feb31.text).toMatch(/name="birthdate-month" value="2"/);

    expect((await browser.get(`${path}?lang=fr`)).status).toBe(303);
    const late = await post(
      { 'birthdate-day': '1', 'birthdate-month': '1', 'birthdate-year': '2011' },
      csrfFrom(feb31.text),
    );
    expect(late.status).toBe(422);
    expect(late.text).toContain('Saisissez une date jusqu’au 31 décembre 2010 dans «\u00a0Date de naissance\u00a0».');
    expect(late.text).toMatch(/<label for="field-birthdate-day">Jour<\/label>/);
    expect(late.text).toMatch(/<label for="field-birthdate-year">Année<\/label>/);
    expect(late.text).toMatch(/name="birthdate-year" value="2011"/);
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.step);
    expect(rows).toEqual(['terms']);

    const done = await post({}, csrfFrom(late.text));
    expect(done.status).toBe(303);
    expect(
      await readReturnToken(
        hook.simulator.identity,
        new URL(done.headers.location!).searchParams.get('session_token')!,
        hook.clock.now(),
      ),
    ).toMatchObject({ claims: { birthdate: '1990-03-27' } });
  });

  it('keeps what was typed across language switches also once no error is left to show', async () => {
    const { browser, path, page } = await toProfile();
    const wrong = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), step: 'profile', ...VALID, email: 'not-an-email' });
    expect(wrong.status).toBe(422);
    // The email put right, then French pressed (what the switch sends with JavaScript): the page
    // itself answers, in French, with everything typed; a redirect would have lost it.
    const french = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(wrong.text), step: 'profile', ...VALID, _lang: 'fr' });
    expect(french.status).toBe(200);
    expect(french.text).toContain('<html lang="fr">');
    expect(french.text).not.toContain('class="error-summary"');
    expect(french.text).toMatch(/name="email" value="aroha@example.com"/);
    expect(french.text).toMatch(/name="phone_number" value="\+64 21 123 4567"/);
    expect(french.text).toMatch(/name="birthdate-day" value="27"/);
    // No error left, and still a switch that posts what the page shows, not a link that drops it.
    expect(french.text).toContain(
      '<button type="submit" name="_lang" value="en" lang="en" class="language-switch">English</button>',
    );
    expect(french.text).not.toContain('href="?lang=en"');
    const hidden = Object.fromEntries(
      [
        .../class="language-form"[^>]*>([\s\S]*?)<\/form>/
          .exec(french.text)![1]!
          .matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g),
      ].map((m) => [m[1], m[2]]),
    );
    const english = await browser
      .post(path)
      .type('form')
      .send({ ...hidden, _lang: 'en' });
    expect(english.status).toBe(200);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toMatch(/name="email" value="aroha@example.com"/);
    expect(english.text).toMatch(/name="birthdate-year" value="1990"/);
    expect(english.text).toMatch(/<option value="north" selected>/);
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.step);
    expect(rows).toEqual(['terms']);
  });

  it('escapes whatever was posted when showing it again', async () => {
    const { browser, path, page } = await toProfile();
    const again = await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...VALID, email: '"><script>alert(1)</script>' });
    expect(again.status).toBe(422);
    expect(again.text).not.toContain('<script>alert(1)');
    expect(again.text).toContain('value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('never sends back more than the start-up measure allowed for', async () => {
    const worst = await measureReturnUrl(
      EXAMPLE.steps.map((step) => step.build(offlineServices())),
      hook.settings,
    );
    const { browser, path, page } = await toProfile();
    const done = await browser
      .post(path)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        email: `${'é'.repeat(108)}@example.com`, // exactly the example's maxLength of 120
        phone_number: '+123456789012345',
        'birthdate-day': '31',
        'birthdate-month': '12',
        'birthdate-year': '2010',
        member_number: '12345678',
        region: 'north',
        news_opt_in: 'yes',
      });
    expect(done.status).toBe(303);
    expect(done.headers.location!.length).toBeLessThanOrEqual(worst.worstLength);
  });
});

describe('a profile field named like a built-in property', () => {
  it('is a field like any other', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-profile-'));
    const file = path.join(dir, 'hook.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          { type: 'profile', fields: [{ type: 'text', claim: 'constructor', label: 'Builder', required: true }] },
        ],
      }),
    );
    hook = await hookFixture({}, mustLoad(file));
    rmSync(dir, { recursive: true, force: true });
    const { browser, path: at, page } = await arrive();
    expect(page.text).not.toContain('error-summary');
    expect(page.text).not.toContain('aria-invalid');
    const empty = await browser
      .post(at)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Fill in “Builder”.');
    const done = await browser
      .post(at)
      .type('form')
      .send({ _csrf: csrfFrom(empty.text), constructor: 'Mere' });
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(done.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toMatchObject({ kind: 'success', claims: { constructor: 'Mere' } });
  });
});

describe('branding and recovery pages', () => {
  beforeEach(async () => {
    hook = await hookFixture();
  });

  it('serves the colour as a stylesheet and the logo from the steps file, with no inline styles anywhere', async () => {
    const { page } = await arrive();
    const css = /<link rel="stylesheet" href="(\/static\/brand\.css\?v=[0-9a-f]{12})">/.exec(page.text)![1]!;
    const logo = /<img class="logo" src="(\/static\/logo\?v=[0-9a-f]{12})" alt=""/.exec(page.text)![1]!;
    const sheet = await hook.browser().get(css);
    expect(sheet.headers['content-type']).toMatch(/^text\/css/);
    expect(sheet.text).toBe(':root { --primary: #0b5394; }\n');
    const image = await hook.browser().get(logo);
    expect(image.headers['content-type']).toBe('image/svg+xml');
    expect(image.headers['content-security-policy']).toContain('sandbox');
    expect(page.headers['content-security-policy']).toContain("style-src 'self'");
    expect(page.text).not.toMatch(/\sstyle=|<style/);
    expect(page.text).toContain('<p class="issuer-name">');
    expect(page.text).toContain('<a href="mailto:support@issuer.example">support@issuer.example</a>');
  });

  it('keeps the stylesheet small', async () => {
    const css = await hook.browser().get('/static/hook.css');
    expect(css.status).toBe(200);
    expect(Buffer.byteLength(css.text)).toBeLessThan(15 * 1024);
  });

  it('says plainly that the user declined when they come back to a declined journey', async () => {
    const { browser, path, page } = await arrive();
    await browser
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'decline' });
    // While the failure token is valid, Back offers that redirect on a page; then the page says how it ended.
    const finished = await browser.get(path);
    expect(finished.status).toBe(200);
    expect(finished.text).toContain('You have finished here');
    hook.clock.advance(61);
    const back = await browser.get(path);
    expect(back.status).toBe(409);
    expect(back.text).toContain('You declined');
    expect(back.text).toContain('nothing was issued');
    expect(back.text).toContain('Go back to your wallet and start again');
    expect(back.text).toContain('support@issuer.example');
  });
});
