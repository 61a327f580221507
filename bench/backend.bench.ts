// Backend figures on the tiny model: per-step time spent outside ONNX Runtime at 1024x1024 for every sampler (goal
// < 3 ms; wall and main-thread CPU), the cost of a prompt-schedule change and of an AND part,
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
import { renderedSamplerNames } from '../core/a1111/samplers';
import { fmtMs, median, report, threadCpuMs, timeRuns, timeRunsAsync, type BenchSuite } from './util';

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

interface StepFigures {
  /** Median over steps of the step's wall time minus its UNet session.run calls. */
  outside: number;
  /** Of that, waiting for noise drawn ahead on the helper thread. */
  noiseWait: number;
  /**
   * Median over steps of the main thread's CPU time outside session.run (undefined where /proc is not there). ONNX
   * Runtime's Node binding runs a session synchronously on the main thread: everything else the thread does in a step
   * is ours.
   */
  cpu?: number;
  /** Per step (index = sampler step), the wall time outside ORT, for the schedule-change figure. */
  perStep: number[][];
  /** Wall time from the start of the render to its first UNet run (prompt checks, encoding, the first noise). */
  encode: number;
}

/**
 * Per-step figures of `over` renders: step wall time minus its UNet session.run calls, the noise wait inside it, and
 * the main thread's CPU time outside session.run (which leaves out waiting for a CPU on a loaded machine).
 */
async function outsideOrtPerStep(model: LoadedModel, over: Partial<RenderRequest>, noise?: NoiseStreamFactory, runs = 4): Promise<StepFigures> {
  const chunker = createChunker(model);
  const outside: number[] = [];
  const waits: number[] = [];
  const cpus: number[] = [];
  const perStep: number[][] = [];
  const encodes: number[] = [];
  let wait = 0;
  // Each exact CPU reading sleeps ~70 µs (threadCpuMs): that wall time is the benchmark's, taken out of the step's.
  let probing = 0;
  const cpuNow = () => {
    const t0 = performance.now();
    const cpu = threadCpuMs();
    probing += performance.now() - t0;
    return cpu;
  };
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
  for (let run = 0; run < runs; run++) {
    let unet = 0;
    let unetCpu = 0;
    let cpuAt: number | undefined;
    let last = 0;
    let lastCpu = cpuNow();
    let runStart: number | undefined;
    const t0 = performance.now();
    let encode: number | undefined;
    await txt2img(model, chunker, { ...request, steps: 12, ...over }, {
      noise: timedNoise,
      onUnetTime: (ms) => (unet += ms),
      onUnetRun: (starting) => {
        encode ??= performance.now() - t0;
        const now = cpuNow();
        if (starting) runStart = now;
        else if (now !== undefined && runStart !== undefined) unetCpu += now - runStart;
      },
      onProgress: ({ step }) => {
        cpuAt = cpuNow(); // first: its sleep falls in the step that ends here
        const now = performance.now();
        // the first step also pays for prompt encoding and the starting noise: left out
        if (last) {
          outside.push(now - last - unet - probing);
          waits.push(wait);
          (perStep[step - 1] ??= []).push(now - last - unet - probing);
          if (cpuAt !== undefined && lastCpu !== undefined) cpus.push(cpuAt - lastCpu - unetCpu);
        }
        unet = 0;
        unetCpu = 0;
        wait = 0;
        probing = 0;
        last = now;
        lastCpu = cpuAt;
      },
    });
    encodes.push(encode ?? NaN);
  }
  return { outside: median(outside), noiseWait: median(waits), cpu: cpus.length ? median(cpus) : undefined, perStep, encode: median(encodes) };
}

const cpuNote = (f: StepFigures) => (f.cpu === undefined ? '' : `, main-thread CPU ${fmtMs(f.cpu)}`);

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
    // TAGSMITH_BENCH_SAMPLERS="Heun,DPM2 a": only those samplers' per-step figures (the rest of the suite runs as usual).
    const only = process.env.TAGSMITH_BENCH_SAMPLERS?.split(',');
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
        // Every sampler the backend renders (second-order ones make two UNet calls per step: their figure is per step).
        for (const sampler of renderedSamplerNames().filter((name) => !only || only.includes(name))) {
          const f = await outsideOrtPerStep(model, { sampler }, noiseThread.factory);
          report(`${dtype}: per step outside ORT, 1024x1024, ${sampler}`, `${fmtMs(f.outside - f.noiseWait)}${cpuNote(f)}`, '< 3 ms');
          if (f.noiseWait > 0.05) report(`${dtype}:   + waiting for noise drawn ahead (hidden when a UNet step > ~10 ms)`, fmtMs(f.noiseWait));
        }
        const local = await outsideOrtPerStep(model, { sampler: 'Euler a' });
        report(`${dtype}:   Euler a with the noise drawn on the render thread instead`, `${fmtMs(local.outside)}${cpuNote(local)}`);
        // A schedule change: a second text encoded before sampling, new UNet feeds at the step where it switches.
        const plain = await outsideOrtPerStep(model, { sampler: 'Euler' }, noiseThread.factory, 3);
        const edit = await outsideOrtPerStep(model, { sampler: 'Euler', prompt: `[${request.prompt}:${request.prompt}, sunset, beach:6]` }, noiseThread.factory, 3);
        const switchStep = median(edit.perStep[7] ?? []); // call 7 is the first past end step 6
        report(`${dtype}: schedule change: encoding one more text (tiny encoders)`, fmtMs(edit.encode - plain.encode));
        report(`${dtype}: schedule change: the step that switches, outside ORT`, `${fmtMs(switchStep)} (others ${fmtMs(edit.outside)})`);
        // An AND part: one more UNet batch entry (inside ORT) and its share of the input copy and combine_denoised.
        const and = await outsideOrtPerStep(model, { sampler: 'Euler', prompt: `${request.prompt} AND sunset, beach` }, noiseThread.factory, 3);
        report(`${dtype}: an AND part, per step outside ORT`, `${fmtMs(and.outside)} vs ${fmtMs(plain.outside)} without${cpuNote(and)}`);
        const small = await timeRunsAsync(async () => void (await txt2img(model, chunker, { ...request, width: 64, height: 64, steps: 4 })), 7);
        report(`${dtype}: whole render 64x64, 4 steps (median of 7)`, fmtMs(median(small)), '< 1 s');
        // As the render worker does from 2 cores (noise on the helper thread), and with the noise drawn on the render thread:
        // what the helper costs or saves when it shares the cores with ONNX Runtime's threads.
        const large = await timeRunsAsync(async () => void (await txt2img(model, chunker, request, { noise: noiseThread.factory })), 3, 0);
        report(`${dtype}: whole render 1024x1024, 28 steps Euler a (median of 3)`, fmtMs(median(large)), 'a few s');
        const largeLocal = await timeRunsAsync(async () => void (await txt2img(model, chunker, request)), 3, 0);
        report(`${dtype}:   the same with the noise drawn on the render thread`, fmtMs(median(largeLocal)));
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
