// Shared set-up for the backend tests: tiny model folders on disk and the render worker bundled for Node.
import { build, type BuildOptions } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fixtureVocab, readVocabFolder, writeTestModel, type TestModelOptions } from '../../backend/testModel';

export const REPO = resolve(__dirname, '../..');
export const CLIP_DIR = resolve(__dirname, '../../../shared/data/clip');
export const HAVE_CLIP = existsSync(join(CLIP_DIR, 'vocab.json'));

/** Writes a tiny model into a fresh temporary folder. `vocab: 'fixture'` uses the small byte-level vocabulary. */
export function makeTinyModel(options: Omit<Partial<TestModelOptions>, 'vocab'> & { vocab?: TestModelOptions['vocab'] | 'fixture' | 'clip' } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-tiny-'));
  const vocab = options.vocab === 'fixture' ? fixtureVocab() : options.vocab === 'clip' || options.vocab === undefined ? readVocabFolder(CLIP_DIR) : options.vocab;
  writeTestModel(dir, { dtype: options.dtype ?? 'float32', timestep: options.timestep, vocab });
  return dir;
}

let bundles: Promise<{ worker: string; cli: string }> | undefined;

/**
 * Bundles backend/worker.ts and cli/main.ts once, side by side as in dist/ (the CLI finds worker.js beside
 * itself), inside node_modules so the bundles resolve onnxruntime-node.
 */
function buildBundles(): Promise<{ worker: string; cli: string }> {
  bundles ??= (async () => {
    const dir = join(REPO, 'node_modules', '.cache', 'tagsmith-backend-test', String(process.pid));
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const options: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', external: ['onnxruntime-node'], logLevel: 'silent', define: { TAGSMITH_VERSION: JSON.stringify(version) } };
    await build({ ...options, entryPoints: [join(REPO, 'backend/worker.ts')], outfile: join(dir, 'worker.js') });
    await build({ ...options, entryPoints: [join(REPO, 'cli/main.ts')], outfile: join(dir, 'cli.js') });
    return { worker: join(dir, 'worker.js'), cli: join(dir, 'cli.js') };
  })();
  return bundles;
}

export async function workerBundle(): Promise<string> {
  return (await buildBundles()).worker;
}

export async function cliBundle(): Promise<string> {
  return (await buildBundles()).cli;
}
