// The HTTP API over real HTTP, with the real render worker on the tiny model.
import { request as httpRequest } from 'node:http';
import { copyFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendServer } from '../../backend/http';
import { lazyRenderer } from '../../backend/renderer';
import { loadModel } from '../../backend/model';
import { txt2img as runPipeline } from '../../backend/pipeline';
import { createChunker } from '../../backend/prompts';
import { makeTinyModel, workerBundle } from './fixtures';

const TOKEN = 'test-token-0123456789';

interface Reply { status: number; body: any; raw: string }

function call(port: number, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer; token?: string | null; abortAfterMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...options.headers };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try { body = JSON.parse(raw); } catch { body = undefined; }
        resolve({ status: res.statusCode ?? 0, body, raw });
      });
    });
    req.on('error', reject);
    if (options.abortAfterMs !== undefined) setTimeout(() => { req.destroy(); resolve({ status: 0, body: undefined, raw: '' }); }, options.abortAfterMs);
    req.end(options.body);
  });
}

const txt2img = (over: Record<string, unknown> = {}) => JSON.stringify({ prompt: '1boy, solo', negative_prompt: 'lowres', steps: 4, width: 64, height: 64, seed: 7, ...over });

async function start(dir: string, extra: Partial<ConstructorParameters<typeof BackendServer>[0]> = {}) {
  const renderer = lazyRenderer(dir, { workerPath: await workerBundle() });
  const server = new BackendServer({ renderer, modelDir: dir, token: TOKEN, maxQueue: 1, ...extra });
  const { port } = await server.listen();
  return { server, port, close: async () => (await server.close(), await renderer.close()) };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('HTTP API', () => {
  let port: number;
  let close: () => Promise<void>;
  let dir: string;
  const logs: string[] = [];
  beforeAll(async () => {
    dir = makeTinyModel();
    ({ port, close } = await start(dir, { log: (line) => logs.push(line) }));
  });
  afterAll(() => close?.());

  it('renders: base64 PNGs, parameters and an info JSON with infotexts', async () => {
    const r = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ batch_size: 2, cfg_scale: 4.5 }) });
    expect(r.status).toBe(200);
    expect(r.body.images).toHaveLength(2);
    expect(Buffer.from(r.body.images[0], 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(r.body.parameters).toMatchObject({ prompt: '1boy, solo', steps: 4, seed: 7, sampler_name: 'Euler a', cfg_scale: 4.5 });
    const info = JSON.parse(r.body.info);
    expect(info.all_seeds).toEqual([7, 8]);
    expect(info.infotexts[1]).toBe(`1boy, solo\nNegative prompt: lowres\nSteps: 4, Sampler: Euler a, Schedule type: Automatic, CFG scale: 4.5, Seed: 8, Size: 64x64, Model: ${info.sd_model_name}, Version: tagsmith-${TAGSMITH_VERSION}`);
  });

  it('says in info which extra networks were not applied, and takes scheduler and override_settings', async () => {
    const r = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ prompt: '1boy <lora:x:0.8>, solo', sampler_name: 'DPM++ 2M', scheduler: 'Exponential', override_settings: { randn_source: 'CPU' } }) });
    expect(r.status).toBe(200);
    const info = JSON.parse(r.body.info);
    expect(info.not_applied).toEqual([expect.stringMatching(/^<lora:x:0\.8>: not applied .*LoRA weights/)]);
    expect(info.comments).toBe(info.not_applied[0]);
    expect(info.infotexts[0]).toMatch(/^1boy <lora:x:0\.8>, solo\n.*Sampler: DPM\+\+ 2M, Schedule type: Exponential, .*, RNG: CPU, Version: /s);
    expect(JSON.parse((await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({}) })).body.info).not_applied).toBeUndefined();
  });

  it('renders in the worker exactly what the pipeline renders in-process (same PNG bytes)', async () => {
    const r = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ seed: 99, steps: 6, sampler_name: 'Euler a' }) });
    const model = await loadModel(dir);
    try {
      const local = await runPipeline(model, createChunker(model), { prompt: '1boy, solo', negativePrompt: 'lowres', steps: 6, width: 64, height: 64, seed: 99, cfgScale: 5, sampler: 'Euler a', batchSize: 1, rng: 'nv' });
      expect(Buffer.from(r.body.images[0], 'base64').equals(local.images[0]!)).toBe(true);
    } finally {
      await model.dispose();
    }
  });

  it('401 without the token or with a wrong one', async () => {
    expect((await call(port, 'GET', '/sdapi/v1/samplers', { token: null })).status).toBe(401);
    expect((await call(port, 'GET', '/sdapi/v1/samplers', { token: 'nope' })).status).toBe(401);
    expect((await call(port, 'GET', '/sdapi/v1/samplers')).status).toBe(200);
  });

  it('403 for a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const host = await call(port, 'GET', '/sdapi/v1/samplers', { headers: { host: `evil.example:${port}` } });
    expect(host.status).toBe(403);
    expect(host.body.detail).toContain('evil.example');
    expect((await call(port, 'GET', '/sdapi/v1/samplers', { headers: { host: `127.0.0.1:${port + 1}` } })).status).toBe(403);
    expect((await call(port, 'GET', '/sdapi/v1/samplers', { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await call(port, 'GET', '/sdapi/v1/samplers', { headers: { origin: `http://localhost:${port}`, host: `localhost:${port}` } })).status).toBe(200);
  });

  it('413 for a 2 MB body', async () => {
    const r = await call(port, 'POST', '/sdapi/v1/txt2img', { body: JSON.stringify({ prompt: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(r.status).toBe(413);
  });

  it('422 naming the field: width 1004, steps 0, an unknown sampler, a Brownian-tree sampler, an unknown scheduler, invalid JSON', async () => {
    const width = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ width: 1004 }) });
    expect(width.status).toBe(422);
    expect(width.body.detail).toEqual([{ loc: ['body', 'width'], msg: 'must be a multiple of 8, got 1004', type: 'value_error' }]);
    const more = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ steps: 0, sampler_name: 'Nope', height: 4096 }) });
    expect(more.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['steps', 'height', 'sampler_name']);
    // A1111 has it, the backend cannot reproduce its noise: refused, naming why and what is available
    const sde = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ sampler_name: 'DPM++ 2M SDE' }) });
    expect(sde.status).toBe(422);
    expect(sde.body.detail[0].loc).toEqual(['body', 'sampler_name']);
    expect(sde.body.detail[0].msg).toMatch(/Brownian tree.*one of: DPM\+\+ 2M, .*Euler a/);
    const sched = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ sampler_name: 'Euler', scheduler: 'Sideways' }) });
    expect(sched.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['scheduler']);
    const pad = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ override_settings: { pad_cond_uncond: 'yes' } }) });
    expect(pad.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['override_settings']);
    expect((await call(port, 'POST', '/sdapi/v1/txt2img', { body: '{"prompt":' })).status).toBe(422);
  });

  it('lists samplers and the model; 404 and 405 elsewhere', async () => {
    // A1111 1.10's list and shapes (api.py get_samplers / get_schedulers), the samplers this backend renders
    const samplers = (await call(port, 'GET', '/sdapi/v1/samplers')).body;
    expect(samplers.map((s: { name: string }) => s.name)).toEqual(['DPM++ 2M', 'DPM++ 2S a', 'Euler a', 'Euler', 'LMS', 'Heun', 'DPM2', 'DPM2 a', 'DDIM', 'PLMS', 'UniPC']);
    expect(samplers[0]).toEqual({ name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'], options: { scheduler: 'karras' } });
    expect(samplers.find((s: { name: string }) => s.name === 'DPM2')).toEqual({ name: 'DPM2', aliases: ['k_dpm_2'], options: { scheduler: 'karras', discard_next_to_last_sigma: 'True', second_order: 'True' } });
    const schedulers = (await call(port, 'GET', '/sdapi/v1/schedulers')).body;
    expect(schedulers.map((s: { label: string }) => s.label)).toEqual(['Automatic', 'Uniform', 'Karras', 'Exponential', 'Polyexponential', 'SGM Uniform', 'KL Optimal', 'Align Your Steps', 'Simple', 'Normal', 'DDIM', 'Beta']);
    expect(schedulers[2]).toEqual({ name: 'karras', label: 'Karras', aliases: null, default_rho: 7, need_inner_model: false });
    expect(schedulers[5]).toEqual({ name: 'sgm_uniform', label: 'SGM Uniform', aliases: ['SGMUniform'], default_rho: -1, need_inner_model: true });
    expect((await call(port, 'GET', '/sdapi/v1/sd-models')).body[0].model_name).toBe(basename(dir));
    expect((await call(port, 'GET', '/sdapi/v1/options')).status).toBe(404);
    expect((await call(port, 'GET', '/sdapi/v1/txt2img')).status).toBe(405);
  });

  it('429 when the queue is full, progress while rendering, and interrupt returns the partial image', async () => {
    const long = call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ steps: 150, width: 512, height: 512 }) });
    await until(async () => (await call(port, 'GET', '/sdapi/v1/progress')).body.state.sampling_step >= 1);
    const waiting = call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img() });
    await until(async () => (await call(port, 'GET', '/sdapi/v1/progress')).body.state.job_count === 2);
    const rejected = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img() });
    expect(rejected.status).toBe(429);
    const progress = (await call(port, 'GET', '/sdapi/v1/progress')).body;
    expect(progress.state.sampling_steps).toBe(150);
    expect(progress.progress).toBeGreaterThan(0);
    expect(progress.progress).toBeLessThan(1);
    await until(async () => typeof (await call(port, 'GET', '/sdapi/v1/progress')).body.current_image === 'string');
    const preview = Buffer.from((await call(port, 'GET', '/sdapi/v1/progress')).body.current_image, 'base64');
    expect(preview.subarray(1, 4).toString()).toBe('PNG');
    expect((await call(port, 'GET', '/sdapi/v1/progress?skip_current_image=true')).body.current_image).toBeNull();
    expect((await call(port, 'POST', '/sdapi/v1/interrupt')).status).toBe(200);
    const done = await long;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body.info).interrupted).toBe(true);
    expect((await waiting).status).toBe(200);
  });

  it('cancels the job of a client that disconnects and keeps serving', async () => {
    // 150 steps at 1024x1024 take seconds even on the tiny model; a cancelled job ends within one step (~30 ms).
    const gone = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img({ steps: 150, width: 1024, height: 1024 }), abortAfterMs: 400 });
    expect(gone.status).toBe(0);
    await until(async () => logs.includes('render cancelled: the client disconnected'), 5000);
    expect((await call(port, 'GET', '/sdapi/v1/progress')).body.state.job_count).toBe(0);
    expect((await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img() })).status).toBe(200);
  });
});

describe('HTTP API with a corrupted unet/model.onnx', () => {
  it('answers 500 naming the file, keeps serving, and renders once the file is fixed', async () => {
    const good = makeTinyModel();
    const dir = makeTinyModel();
    writeFileSync(join(dir, 'unet/model.onnx'), Buffer.from('corrupted'));
    const { port, close } = await start(dir);
    try {
      const failed = await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img() });
      expect(failed.status).toBe(500);
      expect(failed.body.detail).toContain(join(dir, 'unet/model.onnx'));
      expect(failed.body.detail).toContain('ONNX Runtime cannot load it');
      expect((await call(port, 'GET', '/sdapi/v1/samplers')).status).toBe(200);
      expect((await call(port, 'GET', '/sdapi/v1/progress')).status).toBe(200);
      copyFileSync(join(good, 'unet/model.onnx'), join(dir, 'unet/model.onnx'));
      expect((await call(port, 'POST', '/sdapi/v1/txt2img', { body: txt2img() })).status).toBe(200);
    } finally {
      await close();
    }
  });
});

describe('Host rules when bound to all interfaces', () => {
  it('accepts IP literals and loopback names, still refuses host names', async () => {
    const { port, close } = await start(makeTinyModel(), { host: '0.0.0.0' });
    try {
      expect((await call(port, 'GET', '/sdapi/v1/samplers', { headers: { host: `192.168.1.20:${port}` } })).status).toBe(200);
      expect((await call(port, 'GET', '/sdapi/v1/samplers', { headers: { host: `localhost:${port}` } })).status).toBe(200);
      expect((await call(port, 'GET', '/sdapi/v1/samplers', { headers: { host: `attacker.example:${port}` } })).status).toBe(403);
    } finally {
      await close();
    }
  });
});

describe('slow bodies', () => {
  it('drops a request whose body stops arriving', async () => {
    const { port, close } = await start(makeTinyModel(), { bodyTimeoutMs: 300 });
    try {
      const closed = await new Promise<boolean>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/sdapi/v1/txt2img', headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}`, 'content-length': '100' } });
        req.on('error', () => resolve(true));
        req.on('response', () => resolve(false));
        req.write('{"prompt":');
      });
      expect(closed).toBe(true);
      expect((await call(port, 'GET', '/sdapi/v1/samplers')).status).toBe(200);
    } finally {
      await close();
    }
  });
});
