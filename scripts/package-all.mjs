// `npm run package:all`: the universal VSIX (no native code; previews need tagsmith.backend = url there, or a
// platform VSIX) and one VSIX per platform onnxruntime-node ships a CPU binary for, each carrying only that
// platform's binary, so the builtin backend runs out of the box. Each platform VSIX is packed from a staging
// folder holding what the universal one holds plus node_modules/onnxruntime-node (dist/, package.json, the
// one bin/napi-v6/<os>/<arch>/ folder) and onnxruntime-common (dist/cjs). Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const { version, name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = join(root, 'vsix');
const ort = join(root, 'node_modules', 'onnxruntime-node');
// VS Code target -> onnxruntime-node's bin folder.
const TARGETS = { 'linux-x64': 'linux/x64', 'linux-arm64': 'linux/arm64', 'win32-x64': 'win32/x64', 'win32-arm64': 'win32/arm64', 'darwin-arm64': 'darwin/arm64' };
const VSCE_FLAGS = ['--allow-missing-repository', '--no-rewrite-relative-links'];

/** The files of the universal VSIX, from .vscodeignore's `!` lines. */
function universalFiles() {
  return readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim());
}

function pack(cwd, out, extra = []) {
  execFileSync(process.execPath, [vsce, 'package', ...VSCE_FLAGS, ...extra, '--out', out], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  return statSync(out).size;
}

/** package.json with only `keep` of its dependencies (what vsce's `npm list --production` then walks). */
function trimmedPackageJson(from, to, keep) {
  const pkg = JSON.parse(readFileSync(from, 'utf8'));
  pkg.dependencies = Object.fromEntries(Object.entries(pkg.dependencies ?? {}).filter(([dep]) => keep.includes(dep)));
  delete pkg.devDependencies;
  delete pkg.scripts; // onnxruntime-node's postinstall downloads binaries: never part of the VSIX
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, JSON.stringify(pkg, null, 2));
}

const only = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const sizes = [];
if (only.length === 0 || only.includes('universal')) {
  const out = join(outDir, `${name}-${version}.vsix`);
  sizes.push(['universal', pack(root, out, ['--no-dependencies'])]);
}
for (const [target, bin] of Object.entries(TARGETS)) {
  if (only.length && !only.includes(target)) continue;
  if (!existsSync(join(ort, 'bin', 'napi-v6', bin))) {
    console.error(`skipping ${target}: node_modules/onnxruntime-node/bin/napi-v6/${bin} is missing`);
    continue;
  }
  const stage = join(root, 'node_modules', '.cache', 'tagsmith-vsix', target);
  rmSync(stage, { recursive: true, force: true });
  for (const file of universalFiles()) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run npm run build first`);
    cpSync(join(root, file), join(stage, file), { recursive: true });
  }
  const modules = join(stage, 'node_modules');
  // The staged package.json without scripts (vsce would run `vscode:prepublish`) and dev dependencies.
  trimmedPackageJson(join(root, 'package.json'), join(stage, 'package.json'), ['onnxruntime-node']);
  trimmedPackageJson(join(ort, 'package.json'), join(modules, 'onnxruntime-node', 'package.json'), ['onnxruntime-common']);
  cpSync(join(ort, 'dist'), join(modules, 'onnxruntime-node', 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
  cpSync(join(ort, 'bin', 'napi-v6', bin), join(modules, 'onnxruntime-node', 'bin', 'napi-v6', bin), { recursive: true });
  const common = join(root, 'node_modules', 'onnxruntime-common');
  trimmedPackageJson(join(common, 'package.json'), join(modules, 'onnxruntime-common', 'package.json'), []);
  cpSync(join(common, 'dist', 'cjs'), join(modules, 'onnxruntime-common', 'dist', 'cjs'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
  writeFileSync(join(stage, '.vscodeignore'), ['**/*.map', '**/*.d.ts', ''].join('\n'));
  const out = join(outDir, `${name}-${version}@${target}.vsix`);
  sizes.push([target, pack(stage, out, ['--target', target])]);
  rmSync(stage, { recursive: true, force: true });
}
for (const [target, size] of sizes) console.log(`${target.padEnd(12)} ${(size / 1024 / 1024).toFixed(2)} MB  vsix/${name}-${version}${target === 'universal' ? '' : `@${target}`}.vsix`);
