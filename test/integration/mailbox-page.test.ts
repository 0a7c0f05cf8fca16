import nodemailer from 'nodemailer';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';

let mailbox: Mailbox;
let pageUrl: string;

beforeEach(async () => {
  mailbox = await startMailbox();
  pageUrl = await mailbox.listenPage();
});
afterEach(async () => {
  await mailbox.close();
});

test('the demo mailbox page lists a received message, escaped, under a CSP without inline styles', async () => {
  const transport = nodemailer.createTransport({ url: mailbox.smtpUrl });
  await transport.sendMail({
    from: 'hook@issuer.example',
    to: 'person@example.org',
    subject: 'Your code <b>',
    text: 'Code: 123456 & more',
  });

  const page = await fetch(pageUrl);
  const html = await page.text();
  expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'");
  expect(html).not.toContain('<style');
  expect(html).toContain('Your code &#60;b&#62;');
  expect(html).toContain('Code: 123456 &#38; more');

  const stylesheet = await fetch(new URL(/href="([^"]+\.css)"/.exec(html)?.[1] ?? 'missing', pageUrl));
  expect(stylesheet.status).toBe(200);
  expect(stylesheet.headers.get('content-type')).toMatch(/^text\/css/);
  expect(await stylesheet.text()).toContain('article pre{white-space:pre-wrap');
});
