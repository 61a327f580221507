// What may import what (ARCHITECTURE.md): server/, cli/, backend/ and client/ reach core/ only through its
// facade, core/index.ts; core/ imports nothing of theirs, no VS Code, no Node-only module and no LSP library.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier of a TypeScript file: static imports and re-exports, `import()` and `require()`. */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of code.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** The repository path a relative specifier names (without extension), or undefined for a package. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\\/g, '/').replace(/\.(js|ts)$/, '');
}

/** The imports of `dirs` that reach into core/ past its facade. */
function internalsImported(dirs: string[]): string[] {
  const bad: string[] = [];
  for (const file of dirs.flatMap(sources)) {
    for (const specifier of specifiers(readFileSync(join(ROOT, file), 'utf8'))) {
      const to = target(file, specifier);
      if (to !== undefined && to.startsWith('core/') && to !== 'core/index') bad.push(`${file}: ${specifier}`);
    }
  }
  return bad;
}

describe('imports', () => {
  it('reads every kind of import statement', () => {
    const text = [
      "import { a } from '../core/parse';",
      "import type { B } from '../../core';",
      "export * from './x';",
      "import {\n  c,\n  d,\n} from '../core/checks/rules';",
      "import './side-effect';",
      "const m = await import('../core/format');",
      "// import { no } from '../core/commented';",
      "/* import { no } from '../core/block'; */",
    ].join('\n');
    expect(specifiers(text)).toEqual(['../core/parse', '../../core', './x', '../core/checks/rules', './side-effect', '../core/format']);
  });

  it('finds an import of core internals (the check can fail)', () => {
    expect(target('server/x.ts', '../core/parse/tree')).toBe('core/parse/tree');
    expect(target('server/features/x.ts', '../../core')).toBe('core');
    expect(target('server/features/x.ts', '../../core/index')).toBe('core/index');
  });

  it('server/, cli/, backend/ and client/ import core/ only through core/index.ts', () => {
    expect(internalsImported(['server', 'cli', 'backend', 'client'])).toEqual([]);
  });

  it('core/ imports no other layer, no VS Code, no LSP library and no Node-only module', () => {
    const bad: string[] = [];
    for (const file of sources('core')) {
      for (const specifier of specifiers(readFileSync(join(ROOT, file), 'utf8'))) {
        const to = target(file, specifier);
        if (to !== undefined ? !to.startsWith('core/') : /^(node:|vscode|fs$|path$|os$|child_process$|worker_threads$)/.test(specifier)) bad.push(`${file}: ${specifier}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
