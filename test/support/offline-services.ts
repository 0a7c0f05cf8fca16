import pino from 'pino';
import type { StepServices } from '../../src/interaction/steps/step-type.js';

const unavailable = () => Promise.reject(new Error('no storage in this test'));

/** Step services without storage, for tests that only build steps (the URL budget) and never run them. */
export const offlineServices = (): StepServices => ({
  records: { put: unavailable, add: unavailable, get: unavailable, take: unavailable, delete: unavailable },
  terms: { publish: unavailable },
  passkeys: { forSubject: unavailable, add: unavailable, recordUse: unavailable, remove: unavailable },
  logger: pino({ level: 'silent' }),
  hookUrl: 'https://hook.example.com/callback',
  issuerName: 'Test Issuer',
  settings: {},
  stepSecret: Buffer.alloc(32),
});
