import { describe, expect, it } from 'vitest';
import { brokenUrlRules, isLoopbackHttp, keepsUrlRules } from '../../src/web/url-rules.js';

describe('the URL rules', () => {
  it('ask for an absolute https URL when nothing else is said', () => {
    expect(brokenUrlRules('https://issuer.example/a?b=1#c', {})).toEqual([]);
    expect(brokenUrlRules('http://issuer.example', {})).toEqual(['HTTPS']);
    expect(brokenUrlRules('javascript:alert(1)', {})).toEqual(['HTTPS']);
    for (const bad of ['', 'issuer.example', '/relative', 'https://'])
      expect(brokenUrlRules(bad, {}), bad).toEqual(['valid URL']);
  });

  it('take http:// only where they are told to: localhost by name, this machine, or anywhere', () => {
    expect(keepsUrlRules('http://localhost:3000', { http: 'localhost' })).toBe(true);
    expect(keepsUrlRules('http://127.0.0.1:3000', { http: 'localhost' })).toBe(false);
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000'])
      expect(keepsUrlRules(url, { http: 'loopback' }), url).toBe(true);
    expect(keepsUrlRules('http://10.0.0.1', { http: 'loopback' })).toBe(false);
    expect(keepsUrlRules('http://issuer.example', { http: 'anywhere' })).toBe(true);
    expect(keepsUrlRules('ftp://issuer.example', { http: 'anywhere' })).toBe(false);
  });

  it('name every rule broken, including a bare "?" or "#" the URL API reports as absent', () => {
    const all = { dnsHost: true, noQuery: true, noFragment: true, noCredentials: true };
    expect(brokenUrlRules('http://user:pw@10.0.0.1/cb?#', all)).toEqual([
      'HTTPS',
      'host is not an IP address',
      'no query string',
      'no fragment',
      'no user or password',
    ]);
    expect(brokenUrlRules('https://hook.example.com/cb?', all)).toEqual(['no query string']);
    expect(brokenUrlRules('https://hook.example.com/cb#', all)).toEqual(['no fragment']);
    expect(brokenUrlRules('https://user@hook.example.com/cb', all)).toEqual(['no user or password']);
    for (const url of ['https://0x7f.1/cb', 'https://2130706433/cb', 'https://[::ffff:192.0.2.1]/cb'])
      expect(brokenUrlRules(url, all), url).toEqual(['host is not an IP address']);
  });

  it('know a local simulator URL when they see one', () => {
    expect(isLoopbackHttp('http://127.0.0.1:4000')).toBe(true);
    expect(isLoopbackHttp('http://localhost:4000')).toBe(true);
    expect(isLoopbackHttp('http://[::1]:4000')).toBe(true);
    expect(isLoopbackHttp('https://localhost:4000')).toBe(false);
    expect(isLoopbackHttp('http://tenant.example.com')).toBe(false);
    expect(isLoopbackHttp('nonsense')).toBe(false);
  });
});
