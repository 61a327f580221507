// The renderer handle: one render at a time in the worker, interrupt and cancel, switching models.
import { afterAll, describe, expect, it } from 'vitest';
import { lazyRenderer, Renderer, RenderError } from '../../backend/renderer';
import type { RenderRequest } from '../../backend/pipeline';
import { makeTinyModel, workerBundle } from './fixtures';

const request: RenderRequest = { prompt: '1boy', negativePrompt: '', width: 64, height: 64, steps: 4, cfgScale: 5, seed: 1, sampler: 'Euler a', batchSize: 1, rng: 'nv' };

describe('Renderer', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const r of opened) await r.close();
  });

  it('reports progress, refuses a second render while busy, and stops early on interrupt', async () => {
    const renderer = await Renderer.open(makeTinyModel(), { workerPath: await workerBundle() });
    opened.push(renderer);
    const steps: number[] = [];
    const long = renderer.render({ ...request, steps: 150, width: 512, height: 512 }, {
      onProgress: (p) => {
        steps.push(p.step);
        if (p.step === 2) renderer.interrupt();
      },
    });
    await expect(renderer.render(request)).rejects.toThrow('a render is already running');
    const out = await long;
    expect(out.interrupted).toBe(true);
    // Progress reaches this thread by message, so the worker may be a step or two further when it is asked
    // to stop; it stops at its next step boundary (pipeline.test.ts counts UNet calls exactly).
    expect(Math.max(...steps)).toBeLessThan(150);
    const cancelled = renderer.render({ ...request, steps: 150, width: 512, height: 512 }, { onProgress: (p) => p.step === 1 && renderer.cancel() });
    await expect(cancelled).rejects.toSatisfy((e: unknown) => e instanceof RenderError && e.cancelled);
    expect((await renderer.render(request)).images).toHaveLength(1);
  });

  it('rejects with the loader message for a bad folder', async () => {
    await expect(Renderer.open('/nonexistent/model', { workerPath: await workerBundle() })).rejects.toThrow('/nonexistent/model/model_index.json: not found');
  });

  it('switches models: the old worker ends, the next render uses the new folder', async () => {
    const [a, b] = [makeTinyModel(), makeTinyModel({ dtype: 'float16' })];
    const lazy = lazyRenderer(a, { workerPath: await workerBundle() });
    opened.push(lazy);
    const first = await lazy();
    expect(first.model?.unetType).toBe('float32');
    expect(first.alive).toBe(true);
    await lazy.switchModel(b);
    expect(first.alive).toBe(false); // its worker ended, releasing the sessions
    const second = await lazy();
    expect(second).not.toBe(first);
    expect(second.model?.unetType).toBe('float16');
    expect(lazy.modelDir).toBe(b);
  });
});
