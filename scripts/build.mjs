// Bundles the extension, the language server, the CLI and the benchmarks with esbuild.
// Native code (onnxruntime-node) and the `vscode` module stay external.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { buildData } from './data.mjs';
import { existsSync, readFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: !watch,
  legalComments: 'none',
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
  define: { TAGSMITH_VERSION: JSON.stringify(version) },
};

const entries = [
  { in: 'client/extension.ts', out: 'dist/extension.js' },
  { in: 'server/main.ts', out: 'dist/server.js', banner: '#!/usr/bin/env node' },
  { in: 'cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'backend/worker.ts', out: 'dist/worker.js' },
  { in: 'server/wildcardWorker.ts', out: 'dist/wildcardWorker.js' },
  { in: 'bench/main.ts', out: 'dist/bench.js' },
].filter((e) => existsSync(e.in));

await Promise.all(
  entries.map((e) =>
    build({
      ...common,
      entryPoints: [e.in],
      outfile: e.out,
      banner: e.banner ? { js: e.banner } : undefined,
    }),
  ),
);
const data = await buildData(fileURLToPath(new URL('..', import.meta.url)));
console.log(`built ${entries.map((e) => e.out).join(', ')}, dist/data/${data.length ? ` (compacted ${data.join(', ')})` : ''}`);
