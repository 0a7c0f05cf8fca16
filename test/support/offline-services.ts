import pino from 'pino';
import type { HookServices } from '../../src/interaction/steps/configured-step.js';

const unavailable = () => Promise.reject(new Error('no storage in this test'));

/** What the hook gives steps, without storage, for tests that only build steps (the URL budget) and never run them. */
export const offlineServices = (): HookServices => ({
  records: {
    put: unavailable,
    add: unavailable,
    get: unavailable,
    take: unavailable,
    update: unavailable,
    delete: unavailable,
  },
  terms: { publish: unavailable },
  subjectRecords: { list: unavailable, add: unavailable, update: unavailable, remove: unavailable },
  logger: pino({ level: 'silent' }),
  hookUrl: 'https://hook.example.com/callback',
  issuerName: 'Test Issuer',
  sessionSecret: 'a session secret for tests that never run a step',
});
