import { describe, expect, it } from 'vitest';
import { describeChange, desiredHook, hookChanges } from '../../src/registration/desired-hook.js';

const registered = {
  url: 'https://hook.example.com/cb',
  claims: ['email', 'given_name'],
  sessionTimeoutInSec: 1200,
  disabled: true,
  secret: 'x',
};
const wish = { url: 'https://hook.example.com/cb', stepClaims: ['given_name'], sessionTimeoutInSec: 1200 };

describe('the hook to register', () => {
  it('is a fresh, enabled hook asking for the claims the steps read when nothing is registered', () => {
    expect(desiredHook(null, wish)).toEqual({
      url: wish.url,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
  });

  it('keeps the registered claims and the disabled state when not told otherwise', () => {
    expect(desiredHook(registered, { ...wish, stepClaims: ['given_name', 'family_name'] })).toEqual({
      url: wish.url,
      claims: ['email', 'given_name', 'family_name'],
      sessionTimeoutInSec: 1200,
      disabled: true,
    });
  });

  it('uses exactly the claims given, trimmed and without repeats', () => {
    expect(desiredHook(registered, { ...wish, claims: [' email', 'email', ''] }).claims).toEqual(['email']);
  });
});

describe('the changes a PUT would make', () => {
  it('are none when only the order of the claims differs', () => {
    expect(hookChanges(registered, { ...registered, claims: ['given_name', 'email'] })).toEqual([]);
  });

  it('are every field when nothing is registered', () => {
    const changes = hookChanges(null, desiredHook(null, wish));
    expect(changes.map(describeChange)).toEqual([
      'url: (none) → https://hook.example.com/cb',
      'claims: (none) → given_name',
      'sessionTimeoutInSec: (none) → 1200',
      'disabled: (none) → false',
    ]);
  });

  it('name each field that differs, old and new', () => {
    const changes = hookChanges(registered, {
      url: 'https://new.example.com/cb',
      claims: [],
      sessionTimeoutInSec: 600,
      disabled: false,
    });
    expect(changes.map(describeChange)).toEqual([
      'url: https://hook.example.com/cb → https://new.example.com/cb',
      'claims: email, given_name → (no claims)',
      'sessionTimeoutInSec: 1200 → 600',
      'disabled: true → false',
    ]);
  });
});
