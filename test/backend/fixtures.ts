// Shared set-up for the backend tests: tiny model folders on disk and the render worker bundled for Node.
import { build } from 'esbuild';
import { existsSync, mkdtempSync } from 'node:fs';
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

let worker: Promise<string> | undefined;

/** Bundles backend/worker.ts once, inside node_modules so the bundle resolves onnxruntime-node. */
export function workerBundle(): Promise<string> {
  worker ??= (async () => {
    const out = join(REPO, 'node_modules', '.cache', 'tagsmith-backend-test', `worker-${process.pid}.js`);
    await build({ entryPoints: [join(REPO, 'backend/worker.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', external: ['onnxruntime-node'], logLevel: 'silent' });
    return out;
  })();
  return worker;
}
