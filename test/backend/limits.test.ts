// The backend's memory is bounded by its limits, not by the prompt: a chunk limit answered 422 naming the
// field, emphasis that overflows refused as a problem of the prompt (not a 500 blaming the VAE), and encoding
// that stops on request as sampling does. Real HTTP on 127.0.0.1 with the real worker on the tiny model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendServer } from '../../backend/http';
import { lazyRenderer } from '../../backend/renderer';
import { loadModel, type LoadedModel } from '../../backend/model';
import { txt2img } from '../../backend/pipeline';
import { createChunker } from '../../backend/prompts';
import { checkPrompt, ENCODE_BATCH, encodePrompt, MAX_CHUNKS, PromptError, type PromptChunker } from '../../backend/conditioning';
import { makeTinyModel, workerBundle } from './fixtures';

const TOKEN = 'limits-token-0123456789';
/** A weight of 1e308 written out in digits, as A1111's weight pattern reads only digits and dots. */
const HUGE = '1' + '0'.repeat(308);
const breaks = (n: number) => Array.from({ length: n }, () => 'cat').join(' BREAK ');

describe('backend limits over HTTP', () => {
  let port: number;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const dir = makeTinyModel();
    const renderer = lazyRenderer(dir, { workerPath: await workerBundle() });
    const server = new BackendServer({ renderer, modelDir: dir, token: TOKEN, maxQueue: 1 });
    ({ port } = await server.listen());
    close = async () => (await server.close(), await renderer.close());
  });
  afterAll(() => close?.());

  const post = async (body: Record<string, unknown>) => {
    const r = await fetch(`http://127.0.0.1:${port}/sdapi/v1/txt2img`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ steps: 1, width: 64, height: 64, seed: 1, ...body }),
    });
    return { status: r.status, body: (await r.json()) as any };
  };

  it("refuses 'cat BREAK ' x 100 (a 1 KB body) with 422 naming prompt and the limit", async () => {
    const body = { prompt: breaks(100) };
    expect(JSON.stringify(body).length).toBeLessThan(1100);
    const r = await post(body);
    expect(r.status).toBe(422);
    expect(r.body.detail).toEqual([{ loc: ['body', 'prompt'], msg: `needs 100 chunks of 75 tokens (BREAK starts a new one); at most ${MAX_CHUNKS} are allowed`, type: 'value_error' }]);
  });

  it('names negative_prompt when that is the long one, and renders at the limit', async () => {
    const r = await post({ prompt: '1boy', negative_prompt: breaks(MAX_CHUNKS + 1) });
    expect(r.status).toBe(422);
    expect(r.body.detail[0].loc).toEqual(['body', 'negative_prompt']);
    expect(r.body.detail[0].msg).toContain(`at most ${MAX_CHUNKS}`);
    const ok = await post({ prompt: breaks(MAX_CHUNKS), negative_prompt: 'lowres' });
    expect(ok.status).toBe(200);
    expect(ok.body.images).toHaveLength(1);
  });

  it('refuses emphasis that overflows (nested 1e308, or beyond float32) as a 422 about the prompt', async () => {
    for (const prompt of [`((x:${HUGE}):${HUGE})`, `(x:1${'0'.repeat(40)})`]) {
      const r = await post({ prompt });
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc).toEqual(['body', 'prompt']);
      expect(r.body.detail[0].msg).toMatch(/^an emphasis weight overflows to (Infinity|1e\+40)/);
      expect(JSON.stringify(r.body)).not.toContain('vae');
    }
    const neg = await post({ prompt: '1boy', negative_prompt: `((x:${HUGE}):${HUGE})` });
    expect(neg.status).toBe(422);
    expect(neg.body.detail[0].loc).toEqual(['body', 'negative_prompt']);
    // The server keeps serving.
    expect((await post({ prompt: '1boy' })).status).toBe(200);
  });
});

describe('encoding on the tiny model', () => {
  let model: LoadedModel;
  let chunker: PromptChunker;
  beforeAll(async () => {
    model = await loadModel(makeTinyModel());
    chunker = createChunker(model);
  });
  afterAll(() => model?.dispose());

  it('stops between encoder runs when asked, before any sampling step', async () => {
    const controller = new AbortController();
    let runs = 0;
    let steps = 0;
    const render = txt2img(model, chunker, { prompt: breaks(MAX_CHUNKS), negativePrompt: breaks(MAX_CHUNKS), width: 64, height: 64, steps: 2, cfgScale: 5, seed: 1, sampler: 'Euler', batchSize: 1, rng: 'nv' }, {
      signal: controller.signal,
      checkpoint: () => {
        if (++runs === 3) controller.abort(new Error('cancelled'));
      },
      onProgress: () => steps++,
    });
    await expect(render).rejects.toThrow('cancelled');
    expect(runs).toBe(3);
    expect(steps).toBe(0);
  });

  it(`encodes ${ENCODE_BATCH} chunks per run, giving what one chunk at a time gives`, async () => {
    const chunks = ENCODE_BATCH * 2 + 1;
    const text = Array.from({ length: chunks }, (_, i) => `(tag${i}:1.${i})`).join(' BREAK ');
    let runs = 0;
    const all = await encodePrompt(model, chunker, text, chunks, false, { checkpoint: () => runs++ });
    expect(runs).toBe(2 * Math.ceil(chunks / ENCODE_BATCH)); // two encoders
    const width = 77 * 2048;
    for (let c = 0; c < chunks; c++) {
      const alone = await encodePrompt(model, chunker, `(tag${c}:1.${c})`, 1);
      expect(Array.from(all.context.subarray(c * width, (c + 1) * width))).toEqual(Array.from(alone.context));
      if (c === 0) expect(Array.from(all.pooled)).toEqual(Array.from(alone.pooled));
    }
  });

  it('checkPrompt counts chunks and names the field', () => {
    expect(checkPrompt(chunker, breaks(MAX_CHUNKS), 'prompt')).toBe(MAX_CHUNKS);
    expect(() => checkPrompt(chunker, breaks(MAX_CHUNKS + 1), 'negative_prompt')).toThrow(PromptError);
    try {
      checkPrompt(chunker, breaks(MAX_CHUNKS + 1), 'negative_prompt');
    } catch (error) {
      expect((error as PromptError).field).toBe('negative_prompt');
    }
  });
});
