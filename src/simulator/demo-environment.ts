import path from 'node:path';
import { DEFAULT_HOOK_CONFIG } from '../config/hook-config.js';
import { DEMO_WALLET_PATH } from './demo-wallet.js';

/** The simulator's management client: printed by the demo and documented in docs/registration.md, useless anywhere else. */
export const DEMO_CLIENT = { id: 'demo-client', secret: 'demo-client-secret-for-the-local-simulator', role: 'admin' };

/** The local OpenID provider's client, for content/examples/terms-step-up.config.json (docs/step-oidc.md). */
export const STEP_UP_CLIENT = { id: 'interaction-hook', secret: 'demo-step-up-secret-for-the-local-provider' };

const EXAMPLES = path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples');

/** The steps file the demo shows unless HOOK_CONFIG names another: terms, then a profile. */
export const DEMO_HOOK_CONFIG = path.join(EXAMPLES, 'terms-and-profile.config.json');

/** The example the demo's "present a licence" choice runs, with the demo wallet and issuer (demo-licence.ts). */
export const DEMO_LICENCE_EXAMPLE = path.join(EXAMPLES, 'terms-present-credential.config.json');

/** The mDL example the demo's "present an mDL" choice runs, with the demo wallet and IACA root (demo-mdl.ts). */
export const DEMO_MDL_EXAMPLE = path.join(EXAMPLES, 'terms-present-mdl.config.json');

/** The certificate the example signs its requests with: the demo wallet trusts it as a verifier's. */
export const DEMO_REQUEST_CERTIFICATE = path.join(
  path.dirname(DEFAULT_HOOK_CONFIG),
  'present-credential',
  'demo-request.cert.pem',
);

/** Where the demo writes its licence issuers' public keys (JWKS, IACA certificate) and the steps files that trust them. */
export const demoWalletDir = (dataDir: string): string => path.join(dataDir, 'demo-wallet');

/**
 * The steps files the simulator's start page offers, each walkable with no outside service. The
 * licence ones are written at start in the data directory: they name this run's wallet URL and issuers.
 */
export function demoStepsFiles(dataDir: string): ReadonlyArray<{ label: string; file: string }> {
  return [
    { label: 'Terms only', file: DEFAULT_HOOK_CONFIG },
    { label: 'Terms and a profile', file: DEMO_HOOK_CONFIG },
    {
      label: 'Terms, an emailed code and a passkey',
      file: path.join(EXAMPLES, 'terms-email-code-passkey.config.json'),
    },
    {
      label: 'Terms, an emailed code and an authenticator app',
      file: path.join(EXAMPLES, 'terms-email-code-authenticator-app.config.json'),
    },
    { label: 'Terms and step-up at an OpenID provider', file: path.join(EXAMPLES, 'terms-step-up.config.json') },
    {
      label: 'Terms and a licence presented from the wallet',
      file: path.join(demoWalletDir(dataDir), 'terms-present-credential.config.json'),
    },
    {
      label: 'Terms and a driving licence (mDL) presented from the wallet',
      file: path.join(demoWalletDir(dataDir), 'terms-present-mdl.config.json'),
    },
  ];
}

/**
 * The choices the start page offers: the shipped ones, and first the file HOOK_CONFIG names when it
 * is none of them, so that the page always shows the steps the hook runs.
 */
export function stepsChoices(
  hookConfig: string,
  offered: ReadonlyArray<{ label: string; file: string }>,
): ReadonlyArray<{ label: string; file: string }> {
  if (offered.some((choice) => choice.file === hookConfig)) return offered;
  return [
    { label: `HOOK_CONFIG: ${path.relative(process.cwd(), hookConfig) || hookConfig}`, file: hookConfig },
    ...offered,
  ];
}

export interface DemoEnvironment {
  hookPort: number;
  tenantPort: number;
  providerPort: number;
  /** The local mailbox's page, and its SMTP port (0: any free one). */
  mailboxPort: number;
  mailboxSmtpPort: number;
  hookUrl: string;
  tenantUrl: string;
  /** The demo wallet on the simulator's origin: the licence steps file's `walletUrl`. */
  walletUrl: string;
  dataDir: string;
  /** What the demo starts the hook with. */
  hookEnv: NodeJS.ProcessEnv;
  /** The steps file it starts with (HOOK_CONFIG, else the profile example). */
  hookConfig: string;
  /**
   * What the CLI needs to speak of the same hook: the same tenant, client, hook URL, steps file
   * (doctor compares the claims registered with those the steps read), data directory, and what
   * the steps need (SMTP_URL is added once the mailbox listens).
   */
  cliEnv: Record<string, string>;
}

/** `npm run demo`'s wiring, from the variables the demo honours (PORT, SIMULATOR_PORT, HOOK_CONFIG, …). */
export function demoEnvironment(env: NodeJS.ProcessEnv): DemoEnvironment {
  const hookPort = Number(env.PORT ?? 3000);
  const tenantPort = Number(env.SIMULATOR_PORT ?? 3001);
  const providerPort = Number(env.OIDC_PROVIDER_PORT ?? 3002);
  const mailboxPort = Number(env.MAILBOX_PORT ?? 3003);
  const mailboxSmtpPort = Number(env.MAILBOX_SMTP_PORT ?? 0);
  const hookUrl = `http://localhost:${hookPort}/callback`;
  const tenantUrl = `http://localhost:${tenantPort}`;
  // Absolute, so that the CLI finds them from any directory.
  const hookConfig = path.resolve(env.HOOK_CONFIG || DEMO_HOOK_CONFIG);
  const dataDir = path.resolve(env.DATA_DIR || 'data');
  const shared = {
    MATTR_TENANT_URL: tenantUrl,
    MATTR_AUTH_URL: tenantUrl,
    MATTR_CLIENT_ID: DEMO_CLIENT.id,
    MATTR_CLIENT_SECRET: DEMO_CLIENT.secret,
    HOOK_URL: hookUrl,
    HOOK_CONFIG: hookConfig,
    DATA_DIR: dataDir,
    ...(env.INTERACTION_TIMEOUT_SECONDS ? { INTERACTION_TIMEOUT_SECONDS: env.INTERACTION_TIMEOUT_SECONDS } : {}),
    // What the steps files the demo offers need besides (doctor checks each): the mail of an
    // email-code step (SMTP_URL joins once the mailbox listens) and the step-up example's secret.
    MAIL_FROM: env.MAIL_FROM ?? 'Example Issuer <no-reply@issuer.example>',
    STEP_UP_CLIENT_SECRET: STEP_UP_CLIENT.secret,
  };
  return {
    hookPort,
    tenantPort,
    providerPort,
    mailboxPort,
    mailboxSmtpPort,
    hookConfig,
    hookUrl,
    tenantUrl,
    walletUrl: `${tenantUrl}${DEMO_WALLET_PATH}`,
    dataDir,
    hookEnv: {
      ...env,
      ...shared,
      // The hook registers itself with the simulated tenant at start-up and fetches the secret,
      // as with a real tenant.
      HOOK_REGISTER_ON_START: 'true',
      INTERACTION_HOOK_SECRET: '',
      INTERACTION_HOOK_PREVIOUS_SECRET: '',
      // SMTP_URL is the demo's own mailbox unless set (filled in once the mailbox listens).
      NODE_ENV: env.NODE_ENV ?? 'development',
      HOST: env.HOST ?? '127.0.0.1',
      PORT: String(hookPort),
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    },
    cliEnv: shared,
  };
}

/** The lines to paste into another terminal to run the CLI against the demo. */
export function cliInstructions(cliEnv: Readonly<Record<string, string>>): string {
  const assignments = Object.entries(cliEnv).map(([name, value]) => `${name}=${shellQuoted(value)}`);
  return [
    'To run the CLI against this demo, in another terminal of this folder:',
    '',
    `    export ${assignments.join(' \\\n      ')}`,
    '    npm run hook -- doctor',
  ].join('\n');
}

function shellQuoted(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
