import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { newState } from '../../src/simulator/tenant-tokens.js';

/**
 * Session tokens as an attacker (or a broken tenant) might send them, built from recipes so that
 * fast-check can generate and shrink them, plus an oracle that says whether the hook may accept one.
 */
export interface Parties {
  tenantUrl: string;
  hookUrl: string;
  /** The decoded hook secret. */
  key: Buffer;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Mostly the valid value, so that every other part meets a token that gets that far. */
function mostly<T>(valid: T, ...others: Array<fc.Arbitrary<T>>): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: others.length * 3, arbitrary: fc.constant(valid) },
    ...others.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

const payloadSpec = fc.record({
  iss: mostly('tenant', fc.constantFrom('hook', 'https://evil.example', 'tenant/', 'missing', 'number')),
  aud: mostly('hook', fc.constantFrom('tenant', 'array-with-hook', 'hook/', 'missing', 'array-without-hook')),
  exp: mostly('future', fc.constantFrom('past', 'missing', 'string', 'far-future', 'fraction', 'negative')),
  nbf: mostly('missing', fc.constantFrom('past', 'future')),
  state: mostly<unknown>(
    'fresh',
    fc.constant(''),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.constant(null),
    fc.constant('x'.repeat(3000)),
  ),
  redirectUrl: mostly(
    'tenant-return',
    fc.constantFrom(
      'https://evil.example/return',
      'http-tenant',
      'userinfo',
      'javascript:alert(1)',
      '//evil.example/x',
      '/relative',
      'tenant-lookalike',
      'number',
      'missing',
      'data:text/html,<script>1</script>',
    ),
  ),
  claims: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  sub: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), { nil: undefined }),
  jti: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
});

export const tokenRecipe = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('signed' as const),
      alg: mostly('HS256', fc.constantFrom('HS384', 'HS512', 'none', 'hs256', 'RS256')),
      key: mostly('tenant', fc.constantFrom('wrong', 'empty')),
      header: fc.dictionary(
        fc.constantFrom('kid', 'jku', 'crit', 'b64', 'typ', 'cty', 'zip'),
        fc.jsonValue({ maxDepth: 1 }),
        { maxKeys: 2 },
      ),
      payload: payloadSpec,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      edits: fc.array(
        fc.record({
          at: fc.nat(),
          op: fc.constantFrom('flip', 'delete', 'insert', 'duplicate'),
          bit: fc.integer({ min: 0, max: 5 }),
          char: fc.constantFrom(...B64URL.split(''), '.', '=', '+', '/', ' ', '%'),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('spliced' as const), part: fc.constantFrom(0, 1, 2) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('random' as const),
      text: fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.base64String({ maxLength: 80 }),
        fc.array(fc.base64String({ maxLength: 40 }), { minLength: 1, maxLength: 5 }).map((p) => p.join('.')),
      ),
    }),
  },
);
export type TokenRecipe = typeof tokenRecipe extends fc.Arbitrary<infer T> ? T : never;

export interface BuiltToken {
  token: string;
  /** The `state` in it when it is a string (for following it into the ledger). */
  state: string | null;
}

/** Turns a recipe into a token; `valid()` mints a fresh, correct token for mutations. */
export async function buildToken(
  recipe: TokenRecipe,
  parties: Parties,
  valid: () => Promise<string>,
): Promise<BuiltToken> {
  switch (recipe.kind) {
    case 'signed':
      return signed(recipe, parties);
    case 'mutated': {
      let token = await valid();
      for (const edit of recipe.edits) token = mutate(token, edit);
      return { token, state: stateOf(token) };
    }
    case 'spliced': {
      const [a, b] = [(await valid()).split('.'), (await valid()).split('.')];
      a[recipe.part] = b[recipe.part]!;
      const token = a.join('.');
      return { token, state: stateOf(token) };
    }
    case 'random':
      return { token: recipe.text, state: null };
  }
}

function signed(recipe: Extract<TokenRecipe, { kind: 'signed' }>, parties: Parties): BuiltToken {
  const now = Math.floor(Date.now() / 1000);
  const p = recipe.payload;
  const tenantOrigin = new URL(parties.tenantUrl).origin;
  const payload: Record<string, unknown> = {
    iss: {
      tenant: parties.tenantUrl,
      hook: parties.hookUrl,
      'tenant/': `${parties.tenantUrl}/`,
      number: 42,
      'https://evil.example': 'https://evil.example',
      missing: undefined,
    }[p.iss],
    aud: {
      hook: parties.hookUrl,
      tenant: parties.tenantUrl,
      'array-with-hook': ['x', parties.hookUrl],
      'hook/': `${parties.hookUrl}/`,
      missing: undefined,
      'array-without-hook': ['x'],
    }[p.aud],
    iat: now,
    exp: {
      future: now + 300,
      past: now - 3600,
      missing: undefined,
      string: String(now + 300),
      'far-future': now + 10 ** 9,
      fraction: now + 300.5,
      negative: -1,
    }[p.exp],
    nbf: { missing: undefined, past: now - 10, future: now + 3600 }[p.nbf],
    state: p.state === 'fresh' ? newState() : p.state,
    redirectUrl: pick(
      {
        'tenant-return': `${tenantOrigin}/v1/oauth/authorize/interaction-hook/return`,
        'http-tenant': `${tenantOrigin.replace('https:', 'http:')}/return`,
        userinfo: `${tenantOrigin.replace('https://', 'https://user:pw@')}/return`,
        'tenant-lookalike': `${tenantOrigin}.evil.example/return`,
        number: 7,
        missing: undefined,
      },
      p.redirectUrl,
    ),
    claims: p.claims,
    sub: p.sub,
    jti: p.jti,
  };
  const header = { ...recipe.header, alg: recipe.alg, typ: 'JWT' };
  const input = `${b64(header)}.${b64(payload)}`;
  const key = recipe.key === 'tenant' ? parties.key : recipe.key === 'wrong' ? randomBytes(32) : Buffer.alloc(0);
  const algorithm = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512', hs256: 'sha256', RS256: 'sha256' }[
    recipe.alg as string
  ];
  const signature = algorithm ? createHmac(algorithm, key).update(input).digest('base64url') : '';
  return { token: `${input}.${signature}`, state: typeof payload.state === 'string' ? payload.state : null };
}

/** The named stand-in, or the value itself when it is literal. */
function pick(named: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(named, key) ? named[key] : key;
}

function mutate(token: string, edit: { at: number; op: string; bit: number; char: string }): string {
  if (token.length === 0) return edit.char;
  const at = edit.at % token.length;
  const here = token[at]!;
  switch (edit.op) {
    case 'flip': {
      const index = B64URL.indexOf(here);
      const flipped = index === -1 ? edit.char : B64URL[index ^ (1 << edit.bit)]!;
      return token.slice(0, at) + flipped + token.slice(at + 1);
    }
    case 'delete':
      return token.slice(0, at) + token.slice(at + 1);
    case 'insert':
      return token.slice(0, at) + edit.char + token.slice(at);
    default:
      return token.slice(0, at) + token.slice(at, at + 8) + token.slice(at);
  }
}

function stateOf(token: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      state?: unknown;
    };
    return typeof payload.state === 'string' ? payload.state : null;
  } catch {
    return null;
  }
}

/**
 * Whether the hook may accept this token at all: signed HS256 with the tenant's key, from the
 * tenant, for this hook, not expired, with a state and a way back to the tenant's origin. The
 * hook may refuse more; it must never accept less.
 */
export function mayBeAccepted(token: string, parties: Parties): boolean {
  const [header, payload, signature, ...rest] = token.split('.');
  if (rest.length > 0 || header === undefined || payload === undefined || signature === undefined) return false;
  let h: { alg?: unknown };
  let p: { iss?: unknown; aud?: unknown; exp?: unknown; state?: unknown; redirectUrl?: unknown };
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof h;
    p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof p;
  } catch {
    return false;
  }
  if (h.alg !== 'HS256') return false;
  const expected = createHmac('sha256', parties.key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const audiences = Array.isArray(p.aud) ? p.aud : [p.aud];
  const redirect = typeof p.redirectUrl === 'string' && URL.canParse(p.redirectUrl) ? new URL(p.redirectUrl) : null;
  return (
    p.iss === parties.tenantUrl &&
    audiences.includes(parties.hookUrl) &&
    typeof p.exp === 'number' &&
    p.exp * 1000 > Date.now() - 60_000 &&
    typeof p.state === 'string' &&
    p.state !== '' &&
    redirect !== null &&
    redirect.origin === new URL(parties.tenantUrl).origin &&
    redirect.username === '' &&
    redirect.password === ''
  );
}
