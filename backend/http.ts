// The backend's HTTP API on node:http: a subset of A1111's /sdapi/v1 so one client talks to this backend,
// A1111, Forge or SD.Next alike. Loopback only by default; every request needs the bearer token; Host and
// Origin must be this server's (no DNS rebinding); bodies are capped and validated; one render runs at a time
// with a bounded queue; a client that disconnects cancels its job; a failed render answers 500 and the
// server carries on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { basename, resolve } from 'node:path';
import { validateTxt2img } from './request';
import type { Progress, RenderRequest } from './pipeline';
import type { RenderOutput } from './protocol';
import { SAMPLER_VOCABULARY, SCHEDULE_TYPES, type SamplerEntry } from '../core';
import type { RngSource } from './rng/noise';

/** What the server needs from the renderer; backend/renderer.ts provides it, tests may wrap it. */
export interface RenderService {
  render(request: RenderRequest, callbacks: { onProgress?: (p: Progress) => void; onPreview?: (png: Uint8Array, step: number) => void }): Promise<RenderOutput>;
  interrupt(): void;
  cancel(): void;
}

export interface ServerOptions {
  /** Resolves to the renderer, loading the model on first use; a rejection is reported as a 500 and retried later. */
  renderer: () => Promise<RenderService>;
  /** Defaults to the folder's name, which the loader writes as the infotext's Model. */
  modelName?: string;
  modelDir: string;
  token: string;
  host?: string;
  port?: number;
  /** Jobs that may wait behind the running one before new ones get 429. */
  maxQueue?: number;
  maxBodyBytes?: number;
  /** How long a request body may take to arrive (default 30 s). */
  bodyTimeoutMs?: number;
  rng?: RngSource;
  previewEvery?: number;
  log?: (line: string) => void;
}

interface Job {
  request: RenderRequest;
  res: ServerResponse;
  gone: boolean;
  started: boolean;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** `1.2.3.4:port` or `[v6]:port` with this port. */
function isIpLiteralHost(host: string, port: number): boolean {
  return new RegExp(`^(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-f:.]+\\]):${port}$`).test(host);
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly body?: unknown) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given), b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class BackendServer {
  private readonly server: Server;
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  /** The renderer the running job renders on, so stopping it never opens a renderer. */
  private active: RenderService | undefined;
  /** Settles when the running job has ended. */
  private runningDone: Promise<void> | undefined;
  private progress: { step: number; total: number; etaSeconds: number; preview?: string; started: number } | undefined;
  private interrupted = false;
  private closing = false;
  private port = 0;
  private readonly modelName: string;

  constructor(private readonly options: ServerOptions) {
    this.modelName = options.modelName ?? (basename(resolve(options.modelDir)) || 'model');
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (error instanceof HttpError) send(res, error.status, error.body ?? { error: error.message, detail: error.message });
        else send(res, 500, { error: 'InternalError', detail: (error as Error).message ?? String(error) });
      });
    });
    // Headers must arrive within 10 s and bodies within bodyTimeoutMs (readBody); the response of a render may
    // take as long as the render, so Node's overall request timeout is off.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 0;
  }

  async listen(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return { host, port: this.port };
  }

  /**
   * Stops listening, answers waiting jobs 503, cancels the running render and waits for it to end (at most
   * `waitMs`; a render stops between steps, and encoding between chunks).
   */
  async close(waitMs = 1500): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) send(job.res, 503, { error: 'ServerClosing', detail: 'the server is shutting down' });
    if (this.running) {
      this.running.gone = true;
      this.active?.cancel();
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    const done = this.runningDone;
    if (done) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
  }

  /**
   * Host must name this server: a loopback name, or the bound address (any IP literal when bound to all
   * interfaces). A DNS-rebinding page always sends a host name of its own, so names other than these are
   * refused; a present Origin must be one of the same.
   */
  private checkOrigin(req: IncomingMessage): void {
    const host = (req.headers.host ?? '').toLowerCase();
    const bound = this.options.host ?? '127.0.0.1';
    const names = [...LOOPBACK_NAMES];
    if (!names.includes(bound) && bound !== '::1') names.push(bound.includes(':') ? `[${bound}]` : bound);
    const allowed = names.map((n) => `${n}:${this.port}`);
    const wildcard = (bound === '0.0.0.0' || bound === '::') && isIpLiteralHost(host, this.port);
    if (!allowed.includes(host) && !wildcard) {
      throw new HttpError(403, 'forbidden host', { error: 'Forbidden', detail: `Host "${req.headers.host ?? ''}" is not this server (${allowed[0]})` });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.some((a) => origin.toLowerCase() === `http://${a}`) && !(wildcard && origin.toLowerCase() === `http://${host}`)) {
      throw new HttpError(403, 'forbidden origin', { error: 'Forbidden', detail: `Origin "${origin}" may not use this server` });
    }
  }

  private checkToken(req: IncomingMessage): void {
    const auth = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match || !sameToken(match[1]!, this.options.token)) {
      throw new HttpError(401, 'unauthorized', { error: 'Unauthorized', detail: 'send the token from the file `tagsmith serve` printed as "Authorization: Bearer <token>"' });
    }
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const limit = this.options.maxBodyBytes ?? 1024 * 1024;
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooLarge = () => new HttpError(413, 'body too large', { error: 'PayloadTooLarge', detail: `request bodies are limited to ${limit} bytes` });
    if (declared > limit) {
      req.resume(); // drain without keeping it
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // A body that trickles in must not hold the connection: it has bodyTimeoutMs to arrive whole.
    const timer = setTimeout(() => req.destroy(new Error('body timeout')), this.options.bodyTimeoutMs ?? 30_000);
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) {
          req.resume();
          throw tooLarge();
        }
        chunks.push(chunk);
      }
    } finally {
      clearTimeout(timer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HttpError(422, 'invalid JSON', { detail: [{ loc: ['body'], msg: `invalid JSON: ${(error as Error).message}`, type: 'value_error.jsondecode' }] });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.checkOrigin(req);
    this.checkToken(req);
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'POST /sdapi/v1/txt2img':
        return this.txt2img(req, res);
      case 'GET /sdapi/v1/progress':
        return send(res, 200, this.progressBody(new URLSearchParams(query).get('skip_current_image') === 'true'));
      case 'POST /sdapi/v1/interrupt':
        await this.readBody(req);
        if (this.running) {
          this.interrupted = true;
          this.active?.interrupt();
        }
        return send(res, 200, {});
      case 'GET /sdapi/v1/samplers':
        return send(res, 200, SAMPLER_VOCABULARY.filter((s) => s.rendered).map((s) => ({ name: s.name, aliases: s.aliases, options: samplerOptions(s) })));
      case 'GET /sdapi/v1/schedulers':
        return send(res, 200, SCHEDULE_TYPES.filter((s) => s.rendered).map((s) => ({
          name: s.name, label: s.label, aliases: s.aliases.length ? s.aliases : null, default_rho: s.defaultRho ?? -1, need_inner_model: s.needsModelSigmas,
        })));
      case 'GET /sdapi/v1/sd-models':
        return send(res, 200, [{ title: this.modelName, model_name: this.modelName, hash: null, sha256: null, filename: this.options.modelDir, config: null }]);
      default:
        if (['/sdapi/v1/txt2img', '/sdapi/v1/progress', '/sdapi/v1/interrupt', '/sdapi/v1/samplers', '/sdapi/v1/schedulers', '/sdapi/v1/sd-models'].includes(path)) {
          throw new HttpError(405, 'method not allowed', { error: 'MethodNotAllowed', detail: `${req.method} is not allowed on ${path}` });
        }
        throw new HttpError(404, 'not found', { error: 'NotFound', detail: `no endpoint ${path}` });
    }
  }

  private progressBody(skipImage: boolean): unknown {
    const p = this.progress;
    const fraction = p && p.total > 0 ? p.step / p.total : 0;
    const elapsed = p ? (Date.now() - p.started) / 1000 : 0;
    return {
      progress: this.running ? fraction : 0,
      eta_relative: this.running && p ? p.etaSeconds : 0,
      state: {
        skipped: false,
        interrupted: this.interrupted,
        job: this.running ? 'txt2img' : '',
        job_count: (this.running ? 1 : 0) + this.queue.length,
        job_timestamp: p ? String(p.started) : '0',
        job_no: 0,
        sampling_step: this.running ? p?.step ?? 0 : 0,
        sampling_steps: this.running ? p?.total ?? this.running.request.steps : 0,
      },
      current_image: this.running && !skipImage ? p?.preview ?? null : null,
      textinfo: this.running ? `step ${p?.step ?? 0}/${p?.total ?? 0}, ${elapsed.toFixed(1)} s` : null,
    };
  }

  private async txt2img(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    const { request, problems } = validateTxt2img(body, this.options.rng ?? 'nv');
    if (!request) throw new HttpError(422, 'invalid request', { detail: problems, error: problems.map((p) => `${p.loc[1]}: ${p.msg}`).join('; ') });
    request.previewEvery = this.options.previewEvery ?? 5;
    const maxQueue = this.options.maxQueue ?? 2;
    if (this.running && this.queue.length >= maxQueue) {
      throw new HttpError(429, 'queue full', { error: 'TooManyRequests', detail: `a render is running and ${this.queue.length} are waiting; try again later` });
    }
    const job: Job = { request, res, gone: false, started: false };
    res.on('close', () => {
      if (res.writableEnded) return;
      job.gone = true;
      const waiting = this.queue.indexOf(job);
      if (waiting >= 0) this.queue.splice(waiting, 1);
      else if (this.running === job) this.active?.cancel();
    });
    this.queue.push(job);
    this.pump();
  }

  /** Starts the next waiting job when nothing runs. */
  private pump(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    this.interrupted = false;
    this.progress = { step: 0, total: job.request.steps, etaSeconds: 0, started: Date.now() };
    this.runningDone = this.run(job).finally(() => {
      this.running = undefined;
      this.active = undefined;
      this.runningDone = undefined;
      this.pump();
    });
  }

  private async run(job: Job): Promise<void> {
    const { request } = job;
    try {
      const renderer = await this.options.renderer();
      if (job.gone) return;
      this.active = renderer;
      const rendering = renderer.render(request, {
        onProgress: (p) => {
          if (this.progress) Object.assign(this.progress, { step: p.step, total: p.total, etaSeconds: p.etaSeconds });
        },
        onPreview: (png) => {
          if (this.progress) this.progress.preview = Buffer.from(png).toString('base64');
        },
      });
      // An interrupt that came while the model was loading applies to the render now under way.
      if (this.interrupted) renderer.interrupt();
      const output = await rendering;
      send(job.res, 200, {
        images: output.images.map((png) => Buffer.from(png).toString('base64')),
        parameters: {
          prompt: request.prompt, negative_prompt: request.negativePrompt, steps: request.steps, cfg_scale: request.cfgScale,
          width: request.width, height: request.height, seed: request.seed, sampler_name: request.sampler, scheduler: request.scheduler ?? 'Automatic', batch_size: request.batchSize,
          override_settings: request.padConds ? { pad_cond_uncond: true } : {},
        },
        info: JSON.stringify({
          prompt: request.prompt, all_prompts: output.seeds.map(() => request.prompt), negative_prompt: request.negativePrompt,
          all_negative_prompts: output.seeds.map(() => request.negativePrompt), seed: output.seeds[0], all_seeds: output.seeds,
          subseed: -1, all_subseeds: output.seeds.map(() => -1), width: request.width, height: request.height,
          sampler_name: request.sampler, cfg_scale: request.cfgScale, steps: request.steps, batch_size: request.batchSize,
          sd_model_name: this.modelName, infotexts: output.infotexts, interrupted: output.interrupted,
          // What the builtin backend did not apply (extra networks such as <lora:…>), for the client to tell the user.
          ...(output.notes?.length ? { comments: output.notes.join('\n'), not_applied: output.notes } : {}),
        }),
      });
    } catch (error) {
      const field = (error as { field?: string }).field;
      if (field) {
        // A prompt the renderer refused (too many chunks, emphasis that overflows): the client's to fix.
        const msg = (error as Error).message;
        send(job.res, 422, { detail: [{ loc: ['body', field], msg, type: 'value_error' }], error: `${field}: ${msg}` });
        return;
      }
      const cancelled = (error as { cancelled?: boolean }).cancelled === true;
      this.options.log?.(cancelled ? `render cancelled: ${this.closing ? 'the server is shutting down' : 'the client disconnected'}` : `render failed: ${(error as Error).message}`);
      send(job.res, 500, { error: 'RenderError', detail: (error as Error).message ?? String(error) });
    }
  }
}

/** A sampler's options as A1111's /sdapi/v1/samplers lists them (sd_samplers_kdiffusion's options dict, values as strings). */
function samplerOptions(s: SamplerEntry): Record<string, string> {
  const options: Record<string, string> = {};
  if (s.defaultScheduler) options.scheduler = s.defaultScheduler;
  if (s.discardNextToLastSigma) options.discard_next_to_last_sigma = 'True';
  if (s.secondOrder) options.second_order = 'True';
  if (s.usesEnsd) options.uses_ensd = 'True';
  if (s.brownianNoise) options.brownian_noise = 'True';
  return options;
}
