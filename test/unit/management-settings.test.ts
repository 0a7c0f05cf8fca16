import { describe, expect, it } from 'vitest';
import { derivedAuthUrl, loadManagementSettings } from '../../src/config/management-settings.js';

const creds = { MATTR_CLIENT_ID: 'id', MATTR_CLIENT_SECRET: 'a-client-secret-value' };

describe('the management settings', () => {
  it('derive the auth server from a tenant URL of the standard form only', () => {
    expect(derivedAuthUrl('https://acme.vii.au01.mattr.global')).toBe('https://auth.au01.mattr.global');
    expect(derivedAuthUrl('https://acme-test.vii.EU01.mattr.global')).toBe('https://auth.eu01.mattr.global');
    expect(derivedAuthUrl('https://acme.vii.mattr.global')).toBeUndefined();
    expect(derivedAuthUrl('https://issuer.example.com')).toBeUndefined();
  });

  it('are absent, without error, when no credentials are configured', () => {
    expect(loadManagementSettings({})).toEqual({ ok: true, settings: null });
  });

  it('read a standard tenant with defaults', () => {
    const loaded = loadManagementSettings({ ...creds, MATTR_TENANT_URL: 'https://acme.vii.nz01.mattr.global/' });
    expect(loaded).toEqual({
      ok: true,
      settings: {
        tenantUrl: 'https://acme.vii.nz01.mattr.global',
        authUrl: 'https://auth.nz01.mattr.global',
        clientId: 'id',
        clientSecret: 'a-client-secret-value',
        timeoutMs: 10_000,
        retries: 3,
        registerOnStart: false,
      },
    });
  });

  it('require MATTR_AUTH_URL for a custom tenant URL, and https for anything but a local simulator', () => {
    const custom = loadManagementSettings({ ...creds, MATTR_TENANT_URL: 'https://issuer.example.com' });
    expect(custom.ok ? [] : custom.errors).toEqual([
      expect.stringMatching(/^MATTR_AUTH_URL is required when MATTR_TENANT_URL is not of the form/),
    ]);
    const plain = loadManagementSettings({
      ...creds,
      MATTR_TENANT_URL: 'http://tenant.example.com',
      MATTR_AUTH_URL: 'http://auth.example.com',
    });
    expect(plain.ok ? [] : plain.errors).toEqual([
      expect.stringMatching(/^MATTR_TENANT_URL must use https:\/\//),
      expect.stringMatching(/^MATTR_AUTH_URL must use https:\/\//),
    ]);
    expect(
      loadManagementSettings({
        ...creds,
        MATTR_TENANT_URL: 'http://127.0.0.1:4000',
        MATTR_AUTH_URL: 'http://localhost:4000',
      }).ok,
    ).toBe(true);
  });

  it('name each missing or bad variable, never showing the client secret', () => {
    const loaded = loadManagementSettings({
      MATTR_CLIENT_SECRET: 'a-client-secret-value',
      MATTR_API_TIMEOUT_SECONDS: '0',
      HOOK_REGISTER_ON_START: 'yes',
    });
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.errors).toEqual(['HOOK_REGISTER_ON_START must be true or false']);
    const more = loadManagementSettings({
      MATTR_CLIENT_SECRET: 'a-client-secret-value',
      MATTR_API_TIMEOUT_SECONDS: '0',
    });
    const errors = more.ok ? [] : more.errors;
    expect(errors).toContain('MATTR_CLIENT_ID is required: the management API client id (role admin or issuer)');
    expect(errors).toContain('MATTR_TENANT_URL is required');
    expect(errors).toContain('MATTR_API_TIMEOUT_SECONDS must be a whole number from 1 to 120, got "0"');
    expect(errors.join(' ')).not.toContain('a-client-secret-value');
  });

  it('are required by the CLI even when nothing is set', () => {
    const loaded = loadManagementSettings({}, { required: true });
    expect(loaded.ok ? [] : loaded.errors).toEqual(
      expect.arrayContaining([
        'MATTR_CLIENT_ID is required: the management API client id (role admin or issuer)',
        'MATTR_CLIENT_SECRET is required: the management API client secret',
      ]),
    );
  });
});
