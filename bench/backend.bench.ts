// Backend figures on the tiny model: per-step time spent outside ONNX Runtime at 1024x1024 (goal < 3 ms),
// peak memory of a 1024x1024 render, whole-render times at 64x64 and 1024x1024. Medians.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModel, type LoadedModel } from '../backend/model';
import { txt2img, type RenderRequest } from '../backend/pipeline';
import { createChunker } from '../backend/prompts';
import { PhiloxGenerator } from '../backend/rng/philox';
import { NOISE_ROLE, NoiseThread } from '../backend/rng/noiseThread';
import type { NoiseStreamFactory } from '../backend/rng/noise';
import { writeTestModel } from '../backend/testModel';
import { fmtMs, median, report, timeRuns, timeRunsAsync, type BenchSuite } from './util';

function clipVocab(): { vocabJson: string; merges: string } | undefined {
  const dir = resolve(process.cwd(), '../shared/data/clip');
  if (!existsSync(join(dir, 'vocab.json'))) return undefined;
  return { vocabJson: readFileSync(join(dir, 'vocab.json'), 'utf8'), merges: readFileSync(join(dir, 'merges.txt'), 'utf8') };
}

const request: RenderRequest = {
  prompt: '1boy, solo, black hair, (looking at viewer:1.1), best quality, amazing quality, best aesthetic, absurdres, year 2023',
  negativePrompt: 'lowres, (bad:1.05), text, error, missing, extra, fewer, cropped, jpeg artifacts, worst quality, bad quality, watermark, bad aesthetic',
  width: 1024, height: 1024, steps: 28, cfgScale: 5, seed: 42, sampler: 'Euler a', batchSize: 1, rng: 'nv',
};

/**
 * Medians over steps of the step's wall time minus its UNet session.run, and of the time spent waiting for
 * noise drawn ahead on the helper thread (part of the first figure).
 */
async function outsideOrtPerStep(model: LoadedModel, sampler: string, noise?: NoiseStreamFactory): Promise<{ outside: number; noiseWait: number }> {
  const chunker = createChunker(model);
  const outside: number[] = [];
  const waits: number[] = [];
  let wait = 0;
  const timedNoise: NoiseStreamFactory | undefined = noise && ((...args) => {
    const stream = noise(...args);
    return {
      close: () => stream.close(),
      next: async () => {
        const t0 = performance.now();
        const data = await stream.next();
        wait += performance.now() - t0;
        return data;
      },
    };
  });
  for (let run = 0; run < 2; run++) {
    let unet = 0;
    let last = 0;
    await txt2img(model, chunker, { ...request, sampler, steps: 12 }, {
      noise: timedNoise,
      onUnetTime: (ms) => (unet += ms),
      onProgress: () => {
        const now = performance.now();
        // the first step also pays for prompt encoding and the starting noise: left out
        if (last) (outside.push(now - last - unet), waits.push(wait));
        unet = 0;
        wait = 0;
        last = now;
      },
    });
  }
  return { outside: median(outside), noiseWait: median(waits) };
}

/** Peak RSS (MiB) of `tagsmith render` of one block in a fresh process: model load, render, PNG. */
function renderPeakRss(modelDir: string, size: number): number {
  const file = join(modelDir, `bench-${size}.sdprompt`);
  writeFileSync(file, `${request.prompt}\nNegative prompt: ${request.negativePrompt}\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: ${size}x${size}\n`);
  const report = "data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS '+process.resourceUsage().maxRSS+'\\n'))";
  const child = spawnSync(process.execPath, ['--import', report, join(__dirname, 'cli.js'), 'render', file, '--model', modelDir, '--out', join(modelDir, `bench-${size}.png`)], { encoding: 'utf8' });
  const kib = /MAXRSS (\d+)/.exec(child.stderr)?.[1];
  if (child.status !== 0 || !kib) throw new Error(`tagsmith render failed: ${child.stderr}`);
  return Number(kib) / 1024;
}

export const backendBench: BenchSuite = {
  name: 'backend',
  async run() {
    const vocab = clipVocab();
    const dirs: string[] = [];
    // As in the render worker: noise drawn one step ahead on a helper thread (dist/worker.js in its noise role).
    const noiseThread = new NoiseThread(join(__dirname, 'worker.js'), NOISE_ROLE);
    try {
      for (const dtype of ['float32', 'float16'] as const) {
        const dir = mkdtempSync(join(tmpdir(), 'tagsmith-bench-'));
        dirs.push(dir);
        writeTestModel(dir, { dtype, vocab });
        const model = await loadModel(dir);
        const chunker = createChunker(model);
        await txt2img(model, chunker, { ...request, width: 64, height: 64, steps: 2 }); // warm up the sessions
        for (const sampler of ['Euler a', 'Euler', 'DPM++ 2M Karras']) {
          const { outside, noiseWait } = await outsideOrtPerStep(model, sampler, noiseThread.factory);
          report(`${dtype}: per step outside ORT, 1024x1024, ${sampler}`, fmtMs(outside - noiseWait), '< 3 ms');
          if (sampler === 'Euler a') report(`${dtype}:   + waiting for noise drawn ahead (hidden when a UNet step > ~10 ms)`, fmtMs(noiseWait));
        }
        report(`${dtype}:   Euler a with the noise drawn on the render thread instead`, fmtMs((await outsideOrtPerStep(model, 'Euler a')).outside));
        const small = await timeRunsAsync(async () => void (await txt2img(model, chunker, { ...request, width: 64, height: 64, steps: 4 })), 7);
        report(`${dtype}: whole render 64x64, 4 steps (median of 7)`, fmtMs(median(small)), '< 1 s');
        const large = await timeRunsAsync(async () => void (await txt2img(model, chunker, request)), 3, 0);
        report(`${dtype}: whole render 1024x1024, 28 steps Euler a (median of 3)`, fmtMs(median(large)), 'a few s');
        const [small64, large1024] = [renderPeakRss(dir, 64), renderPeakRss(dir, 1024)];
        report(`${dtype}: peak RSS, \`tagsmith render\` 1024x1024 (64x64 for scale)`, `${large1024.toFixed(0)} MiB (${small64.toFixed(0)} MiB)`);
        await model.dispose();
      }
      const g = new PhiloxGenerator(1);
      report('NV noise, 65,536 values (one 1024x1024 latent)', fmtMs(median(timeRuns(() => void g.randn(65536), 15))));
    } finally {
      await noiseThread.terminate();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  },
};
