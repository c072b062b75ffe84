/**
 * The layering, checked on the import statements of src/: the provider wings of the engine never
 * import each other (a third provider is a folder beside them, not a rewrite).
 */

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of `file`, as a path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    out.push(relative(SRC, resolve(dirname(file), m[1] ?? '')));
  }
  for (const m of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push(relative(SRC, resolve(dirname(file), m[1] ?? '')));
  return out;
}

const graph = sources(SRC).map((file) => ({ file: relative(SRC, file), imports: importsOf(file) }));

describe('import graph', () => {
  it('finds the imports (the parser sees what it checks)', () => {
    const build = graph.find((g) => g.file === join('engine', 'build-report.ts'));
    expect(build?.imports).toContain(join('engine', 'window.js'));
    expect(graph.length).toBeGreaterThan(100);
  });

  it('engine/aws and engine/gcp import nothing from each other', () => {
    const crossing = graph.flatMap(({ file, imports }) => {
      const wing = /^engine\/(aws|gcp)\//.exec(file)?.[1];
      if (!wing) return [];
      const other = wing === 'aws' ? 'gcp' : 'aws';
      return imports.filter((i) => i.startsWith(`engine/${other}/`)).map((i) => `${file} → ${i}`);
    });
    expect(crossing).toEqual([]);
  });

  it('the neutral engine files import no provider wing, except the pipeline that assembles them (build-report.ts)', () => {
    const leaning = graph.flatMap(({ file, imports }) => {
      if (!/^engine\/[^/]+\.ts$/.test(file) || file === 'engine/build-report.ts') return [];
      return imports.filter((i) => /^engine\/(aws|gcp)\//.test(i)).map((i) => `${file} → ${i}`);
    });
    expect(leaning).toEqual([]);
  });

  it('connectors/aws and connectors/gcp import nothing from each other; connectors/shared imports neither', () => {
    const crossing = graph.flatMap(({ file, imports }) => {
      const wing = /^connectors\/(aws|gcp|shared)\//.exec(file)?.[1];
      if (!wing) return [];
      const banned = wing === 'shared' ? ['aws', 'gcp'] : [wing === 'aws' ? 'gcp' : 'aws'];
      return imports.filter((i) => banned.some((b) => i.startsWith(`connectors/${b}/`))).map((i) => `${file} → ${i}`);
    });
    expect(crossing).toEqual([]);
  });

  it('model/aws and model/gcp import nothing from each other; neutral model files import neither, except the report that names both', () => {
    const crossing = graph.flatMap(({ file, imports }) => {
      const wing = /^model\/(aws|gcp)\//.exec(file)?.[1];
      const banned = wing ? [wing === 'aws' ? 'gcp' : 'aws'] : /^model\/[^/]+\.ts$/.test(file) && file !== 'model/report.ts' ? ['aws', 'gcp'] : [];
      return imports.filter((i) => banned.some((b) => i.startsWith(`model/${b}/`))).map((i) => `${file} → ${i}`);
    });
    expect(crossing).toEqual([]);
    expect(graph.some((g) => g.file.startsWith('model/aws/')) && graph.some((g) => g.file.startsWith('model/gcp/'))).toBe(true);
  });

  it('no layer imports a layer above it (model → connectors, config, catalogue → engine → reporters → cli)', () => {
    const rank = (path: string): number | undefined => {
      const top = path.split('/')[0] ?? '';
      return { model: 0, connectors: 1, config: 1, catalogue: 1, engine: 2, reporters: 3, cli: 4 }[top];
    };
    const upward = graph.flatMap(({ file, imports }) => {
      const own = rank(file);
      if (own === undefined) return [];
      return imports.filter((i) => (rank(i) ?? -1) > own).map((i) => `${file} → ${i}`);
    });
    expect(upward).toEqual([]);
  });

  it('a command module imports no other command (what two commands share lives in src/cli/)', () => {
    const crossing = graph.flatMap(({ file, imports }) =>
      file.startsWith('cli/commands/') ? imports.filter((i) => i.startsWith('cli/commands/')).map((i) => `${file} → ${i}`) : [],
    );
    expect(crossing).toEqual([]);
  });

  it('model imports nothing above it (connectors, config, engine, reporters, cli)', () => {
    const upward = graph.flatMap(({ file, imports }) =>
      file.startsWith('model/') ? imports.filter((i) => /^(connectors|config|engine|reporters|cli)\//.test(i)).map((i) => `${file} → ${i}`) : [],
    );
    expect(upward).toEqual([]);
  });
});
