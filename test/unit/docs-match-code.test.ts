import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { loadManagementSettings } from '../../src/config/management-settings.js';
import { STEP_TYPES } from '../../src/interaction/steps/registry.js';
import { OIDC_FAILURES } from '../../src/interaction/steps/oidc/oidc-failures.js';
import { HookMetrics } from '../../src/ops/metrics.js';

/** The reference pages say what the code does: the variables it reads, the links between pages, the outcomes it counts. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const VARIABLE = /^[A-Z][A-Z0-9_]{2,}$/;

/** The names in backticks in the first cell of each row of the markdown tables in `text`. */
function firstColumnNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const cell = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (cell === undefined) continue;
    for (const [, name] of cell.matchAll(/`([^`]+)`/g)) if (VARIABLE.test(name!)) names.add(name!);
  }
  return names;
}

/** Every variable name the configuration loader and the step types look up, whatever the values. */
function variablesTheLoaderReads(): Set<string> {
  const seen = new Set<string>();
  const recording = (values: Record<string, string>): NodeJS.ProcessEnv =>
    new Proxy(values, {
      get(target, key) {
        if (typeof key === 'string' && VARIABLE.test(key)) seen.add(key);
        return typeof key === 'string' ? target[key] : undefined;
      },
    });
  // Once with nothing set, once with what makes the rules between variables look further.
  loadConfiguration(recording({}));
  loadConfiguration(
    recording({
      NODE_ENV: 'production',
      MATTR_CLIENT_ID: 'id',
      MATTR_CLIENT_SECRET: 'secret',
      HOOK_REGISTER_ON_START: 'true',
      REDIS_URL: 'redis://127.0.0.1',
    }),
  );
  loadManagementSettings(recording({}), { required: true });
  for (const type of STEP_TYPES) type.readEnvironment(recording({}));
  return seen;
}

/** `env.NAME` and `env['NAME']` anywhere in src/: what a reader outside the loader looks up. */
function variablesNamedInSource(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (file.endsWith('.ts'))
        for (const [, a, b] of readFileSync(file, 'utf8').matchAll(
          /\benv\??\.([A-Z][A-Z0-9_]+)|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
        ))
          names.add((a ?? b)!);
    }
  };
  visit(path.join(ROOT, 'src'));
  return names;
}

describe('docs/configuration.md', () => {
  const doc = read('docs/configuration.md');
  const [main, demo] = doc.split("## The demo's variables");

  it('lists exactly the variables the configuration loader and the step types read', () => {
    const inCode = [...variablesTheLoaderReads()].sort();
    expect(inCode.length).toBeGreaterThan(30);
    expect([...firstColumnNames(main!)].sort()).toEqual(inCode);
  });

  it('lists every variable any code in src/ names (the demo’s in their own table)', () => {
    const documented = new Set([...firstColumnNames(main!), ...firstColumnNames(demo ?? '')]);
    expect([...variablesNamedInSource()].filter((name) => !documented.has(name))).toEqual([]);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(text: string): Set<string> {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading!)));
}

describe('the links between the README and docs/', () => {
  const pages = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
    f.endsWith('.md'),
  );

  it.each(pages)('%s links only to files and headings that exist', (page) => {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = file === '' ? page : path.join(path.dirname(page), file);
      if (!existsSync(path.join(ROOT, resolved))) broken.push(`${target} (no file ${resolved})`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsIn(read(resolved)).has(anchor))
        broken.push(`${target} (no heading #${anchor} in ${resolved})`);
    }
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s names only files of this repository that exist', (page) => {
    const named = [...read(page).matchAll(/`((?:src|test|docs|content|views|public|scripts|bench)\/[\w./-]*)`/g)].map(
      ([, file]) => file!,
    );
    expect(named.filter((file) => !file.includes('<') && !existsSync(path.join(ROOT, file)))).toEqual([]);
  });
});

describe('the outcome lists', () => {
  /** The backticked values of the row of `metric` in docs/operations.md's metrics table. */
  function documentedLabels(metric: string): string[] {
    const row = read('docs/operations.md')
      .split('\n')
      .find((line) => line.startsWith(`| \`${metric}\``));
    const labels = row?.split('|')[2] ?? '';
    return [...labels.matchAll(/`([^`]+)`/g)].map(([, v]) => v!).slice(1);
  }

  it.each([
    ['hook_journeys_ended_total', 'outcome'],
    ['hook_secret_refreshes_total', 'outcome'],
  ])('docs/operations.md lists every %s %s the metrics show', async (metric, label) => {
    const text = await new HookMetrics().render();
    const shown = [...text.matchAll(new RegExp(`^${metric}\\{${label}="([^"]+)"\\}`, 'gm'))].map(([, v]) => v!);
    expect(shown.length).toBeGreaterThan(1);
    expect(documentedLabels(metric).sort()).toEqual(shown.sort());
  });

  it('docs/step-oidc.md lists every reason an oidc step fails with', () => {
    const doc = read('docs/step-oidc.md');
    const table = doc.slice(doc.indexOf('| reason | when |')).split('\n\n')[0]!;
    const listed = [...table.matchAll(/^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|/gm)].flatMap(([, cell]) =>
      [...cell!.matchAll(/`([a-z_]+)`/g)].map(([, v]) => v!),
    );
    expect(listed.sort()).toEqual([...OIDC_FAILURES].sort());
  });
});
