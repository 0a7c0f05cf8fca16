import { describe, expect, it } from 'vitest';
import { describeHookUrlProblems, hookUrlProblems } from '../../src/mattr/hook-url-rules.js';

const rules = (url: string, allowLocalhostHttp = false) =>
  hookUrlProblems(url, { allowLocalhostHttp }).map((p) => p.rule);

describe('the hook URL rules', () => {
  it('accept an https URL with a DNS name, with or without a path or port', () => {
    for (const url of [
      'https://hook.example.com/callback',
      'https://hook.example.com',
      'https://hook.example.com:8443/a/b',
      'https://xn--bcher-kva.example/cb',
    ]) {
      expect(rules(url), url).toEqual([]);
    }
  });

  it('name every rule a URL breaks, not only the first', () => {
    expect(rules('http://10.0.0.1/cb?a=1#x')).toEqual([
      'HTTPS',
      'host is not an IP address',
      'no query string',
      'no fragment',
    ]);
  });

  it('see IP addresses in every spelling the URL parser accepts', () => {
    for (const url of [
      'https://127.0.0.1/cb',
      'https://0x7f.1/cb',
      'https://2130706433/cb',
      'https://[::1]/cb',
      'https://[::ffff:192.0.2.1]/cb',
    ]) {
      expect(rules(url), url).toEqual(['host is not an IP address']);
    }
  });

  it('catch an empty query or fragment that the URL API reports as absent', () => {
    expect(rules('https://hook.example.com/cb?')).toEqual(['no query string']);
    expect(rules('https://hook.example.com/cb#')).toEqual(['no fragment']);
  });

  it('refuse what is not an absolute URL, and other schemes', () => {
    expect(rules('hook.example.com/cb')).toEqual(['valid URL']);
    expect(rules('')).toEqual(['valid URL']);
    expect(rules('ftp://hook.example.com/cb')).toEqual(['HTTPS']);
  });

  it('allow http://localhost only when asked to (a local simulator in demo mode)', () => {
    expect(rules('http://localhost:3000/callback')).toEqual(['HTTPS']);
    expect(rules('http://localhost:3000/callback', true)).toEqual([]);
    expect(rules('http://hook.example.com/callback', true)).toEqual(['HTTPS']);
    expect(rules('http://127.0.0.1:3000/callback', true)).toEqual(['HTTPS', 'host is not an IP address']);
  });

  it('phrase each problem with the subject and the rule', () => {
    expect(describeHookUrlProblems('HOOK_URL', hookUrlProblems('http://hook.example.com/cb'))).toEqual([
      'HOOK_URL breaks the rule "HTTPS": it must start with https://, not http://',
    ]);
  });
});
