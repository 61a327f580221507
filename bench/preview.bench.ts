// Previews: time from the Render Preview request to the first live preview and to the final image, with the
// tiny model at 1024x1024 (28 steps, Euler a), through the builtin backend (`tagsmith serve` as a child
// process, as the extension starts it) and the extension's A1111 client. Measured at the HTTP client level:
// client/preview's BuiltinBackend + A1111Client, the code the command runs, without the VS Code UI around it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeTestModel } from '../backend/testModel';
import { A1111Client } from '../client/preview/api';
import { BuiltinBackend } from '../client/preview/builtin';
import type { Txt2ImgBody } from '../client/preview/request';
import { fmtMs, median, report, type BenchSuite } from './util';

const BODY: Txt2ImgBody = {
  prompt: '1boy, solo, black hair, (looking at viewer:1.1), best quality, amazing quality, best aesthetic, absurdres, year 2023',
  negative_prompt: 'lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic',
  steps: 28, cfg_scale: 5, width: 1024, height: 1024, seed: 42, sampler_name: 'Euler a', batch_size: 1, save_images: false, send_images: true,
};

/** One render: milliseconds to the first progress report that carries a live image, and to the final PNG. */
async function timedRender(client: A1111Client, pollMs: number): Promise<{ first: number; final: number }> {
  const t0 = performance.now();
  let first = NaN;
  await client.render(BODY, { pollMs, onProgress: (p) => { if (p.image && Number.isNaN(first)) first = performance.now() - t0; } });
  return { first, final: performance.now() - t0 };
}

export const previewBench: BenchSuite = {
  name: 'preview',
  async run() {
    const clip = resolve(process.cwd(), '../shared/data/clip');
    const vocab = existsSync(join(clip, 'vocab.json'))
      ? { vocabJson: readFileSync(join(clip, 'vocab.json'), 'utf8'), merges: readFileSync(join(clip, 'merges.txt'), 'utf8') }
      : undefined;
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-bench-preview-'));
    writeTestModel(dir, { dtype: 'float32', vocab });
    const backend = new BuiltinBackend({ cliPath: join(__dirname, 'cli.js'), modelPath: dir, executionProvider: 'cpu', log: () => undefined });
    try {
      // Cold: the first command of a window also starts the backend and loads the model.
      const t0 = performance.now();
      const { url, token } = await backend.ensure();
      const started = performance.now() - t0;
      const client = new A1111Client(url, { kind: 'bearer', token });
      const cold = await timedRender(client, 100);
      report('cold: backend start (spawn to URL printed)', fmtMs(started));
      report('cold: command -> first live preview, 1024x1024 (incl. start)', fmtMs(started + cold.first));
      report('cold: command -> final image, 1024x1024 28 steps (incl. start)', fmtMs(started + cold.final));
      for (const pollMs of [100, 250]) {
        const runs: Array<{ first: number; final: number }> = [];
        for (let i = 0; i < 5; i++) runs.push(await timedRender(client, pollMs));
        // A render faster than the poll interval can end before any poll sees a live image.
        const seen = runs.map((r) => r.first).filter((t) => !Number.isNaN(t));
        report(`warm, poll ${pollMs} ms: command -> first live preview (median; runs with one)`, `${seen.length ? fmtMs(median(seen)) : '-'} (${seen.length}/5)`);
        report(`warm, poll ${pollMs} ms: command -> final image (median of 5)`, fmtMs(median(runs.map((r) => r.final))));
      }
    } finally {
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
