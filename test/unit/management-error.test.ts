import { describe, expect, it } from 'vitest';
import { describeRefusal, redact } from '../../src/mattr/management-error.js';

describe('a refusal in plain words', () => {
  it('gives the message, then one line per detail with field, place, reason and value', () => {
    const body = {
      code: 'BadRequest',
      message: 'Validation Error',
      details: [
        { value: 'x', msg: 'Invalid value', param: 'interactionHook.url', location: 'body' },
        { msg: 'Required', param: 'interactionHook' },
      ],
    };
    expect(describeRefusal('The tenant', 400, body)).toBe(
      'The tenant refused the request (400 BadRequest): Validation Error\n  - interactionHook.url (in the body): Invalid value; sent "x"\n  - interactionHook: Required',
    );
  });

  it('reads OAuth error bodies, text bodies and no body at all', () => {
    expect(
      describeRefusal('The auth server', 400, { error: 'invalid_request', error_description: 'audience is required' }),
    ).toBe('The auth server refused the request (400 invalid_request): audience is required');
    expect(describeRefusal('The tenant', 422, 'Unprocessable')).toBe(
      'The tenant refused the request (422): Unprocessable',
    );
    expect(describeRefusal('The tenant', 409, undefined)).toBe('The tenant refused the request (409): no reason given');
  });

  it('never carries a secret the tenant echoed back', () => {
    const secret = 'dGtUrijBOT6UUJ8JO4kAFyGfhahDlVVeIk/sPbWTa7c=';
    const text = describeRefusal('The tenant', 400, {
      message: 'bad',
      details: [{ value: secret, msg: 'not allowed', param: 'interactionHook.secret' }],
    });
    expect(redact(text, [secret, undefined])).not.toContain(secret);
    expect(redact(text, [secret])).toContain('sent "[redacted]"');
  });
});
