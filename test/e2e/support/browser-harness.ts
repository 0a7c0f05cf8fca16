import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import axe from 'axe-core';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type CDPSession,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, onTestFailed } from 'vitest';
import type { HookConfig } from '../../../src/config/hook-config.js';
import { hookFixture, type HookFixture } from '../../support/hook-fixture.js';

/** Debian's Chromium; `npx playwright install` cannot run here. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const OUTPUT_DIR = path.resolve('test-output');
const SCREENSHOT_DIR = path.join(OUTPUT_DIR, 'screenshots');
const FAILURE_DIR = path.join(OUTPUT_DIR, 'failures');

/** A phone held upright: the width the pages are designed for. */
const PHONE = { width: 360, height: 740 } as const;

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a loud message — but
 * never in CI, where a missing browser is an error.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI && !['false', '0'].includes(process.env.CI))
    throw new Error(
      `CI is set but Chromium is missing at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  console.warn(
    `\n${'!'.repeat(78)}\n!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}.\n!! Install it (apt-get install chromium) or set CHROMIUM_PATH; in CI (CI=true) they must run.\n${'!'.repeat(78)}\n`,
  );
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}

/** The hook and the simulated tenant, each a real HTTP server on an ephemeral port. */
export interface LiveHook {
  fixture: HookFixture;
  hookOrigin: string;
  tenantOrigin: string;
  /** POSTs the hook has received, by path: how double submits are counted. */
  posts: string[];
  /** Holds every POST this long before the hook sees it, like a slow mobile network. */
  delayPosts(ms: number): void;
  close(): Promise<void>;
}

/**
 * `hostname`: what the hook's URL names (it listens on 127.0.0.1 either way). WebAuthn needs
 * `localhost`: browsers refuse it on an IP address, and on http anywhere else.
 */
export async function startLiveHook(
  config?: HookConfig | ((hookOrigin: string) => HookConfig | Promise<HookConfig>),
  options: { hostname?: 'localhost' | '127.0.0.1' } = {},
): Promise<LiveHook> {
  // The URLs must name the ports before the apps are built, so the servers listen first and are
  // handed their apps afterwards.
  const handlers: {
    hook?: (req: IncomingMessage, res: ServerResponse) => void;
    tenant?: (req: IncomingMessage, res: ServerResponse) => void;
  } = {};
  const posts: string[] = [];
  let postDelayMs = 0;
  const hookServer = createServer((req, res) => {
    if (req.method !== 'POST') {
      handlers.hook!(req, res);
      return;
    }
    posts.push(req.url ?? '');
    setTimeout(() => handlers.hook!(req, res), postDelayMs);
  });
  const tenantServer = createServer((req, res) => handlers.tenant!(req, res));
  const hookPort = await listen(hookServer);
  const tenantPort = await listen(tenantServer);
  const hookOrigin = `http://${options.hostname ?? '127.0.0.1'}:${hookPort}`;
  const tenantOrigin = `http://127.0.0.1:${tenantPort}`;
  // A steps file may name the hook's own address (a provider's redirect URI, a certificate's host).
  const steps = typeof config === 'function' ? await config(hookOrigin) : config;
  const fixture = await hookFixture({ HOOK_URL: `${hookOrigin}/callback`, MATTR_TENANT_URL: tenantOrigin }, steps);
  handlers.hook = (req, res) => fixture.handle(req, res);
  handlers.tenant = fixture.simulator.app;
  return {
    fixture,
    hookOrigin,
    tenantOrigin,
    posts,
    delayPosts(ms) {
      postDelayMs = ms;
    },
    async close() {
      hookServer.closeAllConnections();
      tenantServer.closeAllConnections();
      await Promise.all([close(hookServer), close(tenantServer)]);
      await fixture.close();
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** What every browser test of a live hook shares: the browser, a fresh hook per test, its tabs. */
export interface BrowserSuite {
  readonly browser: Browser;
  readonly live: LiveHook;
  /** A fresh browser profile, closed after the test. */
  open(options?: BrowserContextOptions): Promise<Tab>;
}

/**
 * Sets up the describe block it is called in: one browser for the block, a fresh hook (and
 * simulated tenant) for each test, and every tab the test opened closed after it.
 */
export function browserSuite(
  config: Parameters<typeof startLiveHook>[0],
  options: Parameters<typeof startLiveHook>[1] = {},
): BrowserSuite {
  let browser: Browser | undefined;
  let live: LiveHook | undefined;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    live = await startLiveHook(config, options);
  });
  afterEach(async () => {
    for (const tab of tabs.splice(0)) await tab.context.close();
    await live?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser is not started yet');
      return browser;
    },
    get live() {
      if (!live) throw new Error('the hook is not started yet');
      return live;
    },
    async open(tabOptions) {
      const tab = await openTab(this.browser, tabOptions);
      tabs.push(tab);
      return tab;
    },
  };
}

/** From the simulated tenant's start page (with these claims, if given) to the hook's first step; its URL. */
export async function startFromTenant(page: Page, live: LiveHook, claims?: Record<string, unknown>): Promise<string> {
  await page.goto(`${live.tenantOrigin}/`);
  if (claims) await page.fill('#claims', JSON.stringify(claims));
  await page.click('button:has-text("Start the interaction hook")');
  await page.waitForURL(/\/interaction\/[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
  return page.url();
}

/** A fresh browser profile (its own cookies) with a phone-sized page, watched for CSP breaches. */
export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, e.g. a blocked inline style. */
  problems: string[];
}

export async function openTab(browser: Browser, options: BrowserContextOptions = {}): Promise<Tab> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: 'en-NZ', ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  // A blocked inline style or script shows up as a console error; a broken page as a page error;
  // a missing stylesheet, script or image as a failed subresource. Error pages themselves are
  // expected to answer 4xx, so documents are left out.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400)
      problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    if (request.resourceType() !== 'document') problems.push(`failed ${request.url()}`);
  });
  const testName = expect.getState().currentTestName ?? 'test';
  onTestFailed(async () => {
    mkdirSync(FAILURE_DIR, { recursive: true });
    await page
      .screenshot({ path: path.join(FAILURE_DIR, `${fileName(testName)}.png`), fullPage: true })
      .catch(() => undefined);
  });
  return { context, page, problems };
}

/**
 * What every page of the hook must pass: zero WCAG 2.1 A/AA violations from axe-core, no
 * horizontal scrolling on a 360 px phone or at 200 % zoom (180 CSS px), and a mobile screenshot
 * saved for review.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `axe on ${name}`).toEqual([]);
  for (const width of [PHONE.width, PHONE.width / 2]) {
    await page.setViewportSize({ width, height: PHONE.height });
    const overflow = Number(
      await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    );
    expect(overflow, `horizontal scroll on ${name} at ${width} px`).toBeLessThanOrEqual(0);
    if (process.env.ZOOM_SHOTS && width < PHONE.width) await screenshot(page, `${name}-zoom200`);
  }
  await page.setViewportSize(PHONE);
  await screenshot(page, name);
}

/** Saves a full-page phone-size screenshot for review (also of pages that are not the hook's). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

interface AxeFinding {
  rule: string;
  impact: string | null | undefined;
  targets: string[];
  summary: string;
}

/** Runs axe-core inside the page (evaluated over the debugging protocol, so the CSP stays on). */
async function axeViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(axe.source);
  const options = JSON.stringify({
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  });
  const result = await page.evaluate<axe.AxeResults>(`window.axe.run(document, ${options})`);
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    targets: v.nodes.map((n) => n.target.join(' ')),
    summary: v.nodes[0]?.failureSummary ?? v.help,
  }));
}

function fileName(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);
}

/**
 * Does `move` (a reload, Back, Forward) and answers the heading of the page it lands on, once it is
 * sure that is a page of the hook or the tenant: never the browser's own error page (Chromium shows
 * "Confirm Form Resubmission" as one, ERR_CACHE_MISS).
 */
export async function headingAfter(page: Page, move: () => Promise<unknown>): Promise<string> {
  await move();
  expect(page.url()).toMatch(/^http:\/\//);
  return (await page.textContent('h1'))?.trim() ?? '';
}

/** The step forms posted so far (a page's own background requests, such as a wallet poll, left out). */
function formPosts(live: LiveHook): number {
  return live.posts.filter((url) => /^\/interaction\/[\w-]+$/.test(url)).length;
}

/** Back, then Forward again: the page with `heading` each time, and no form sent again. */
export async function expectBackAndForward(page: Page, live: LiveHook, heading: string): Promise<void> {
  const posted = formPosts(live);
  expect(await headingAfter(page, () => page.goBack())).toBe(heading);
  expect(await headingAfter(page, () => page.goForward())).toBe(heading);
  expect(formPosts(live)).toBe(posted);
}

/** Once at the tenant: Back and a reload show "You have finished here", whose button is the way back just taken. */
export async function expectFinishedOnBack(page: Page, live: LiveHook): Promise<void> {
  await page.waitForURL(`${live.tenantOrigin}/**`);
  const wayBack = page.url();
  const posted = formPosts(live);
  expect(await headingAfter(page, () => page.goBack())).toBe('You have finished here');
  expect(await headingAfter(page, () => page.reload())).toBe('You have finished here');
  expect(await page.getAttribute('#return-to-wallet', 'href')).toBe(wayBack);
  expect(formPosts(live)).toBe(posted);
}

/** A platform authenticator that verifies the user, as a phone's would (the DevTools protocol's WebAuthn domain). */
export async function virtualAuthenticator(
  context: BrowserContext,
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** Types a YYYY-MM-DD date into a date field's three boxes (`id`-day, -month, -year) as a person would. */
export async function fillDate(page: Page, id: string, iso: string): Promise<void> {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  await page.fill(`#${id}-day`, String(day));
  await page.fill(`#${id}-month`, String(month));
  await page.fill(`#${id}-year`, String(year));
}
