// The main thread's handle on the render worker: starts it with a model folder, sends one render at a time,
// relays progress and previews, and stops a render between steps (interrupt keeps the current estimate,
// cancel discards it). A worker that dies fails its render and is started again for the next one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExecutionProvider } from './model';
import type { Progress, RenderRequest } from './pipeline';
import { STOP_CANCEL, STOP_INTERRUPT, type FromWorker, type ModelSummary, type RefusedField, type RenderOutput, type WorkerInit } from './protocol';

export interface RenderCallbacks {
  onProgress?: (progress: Progress) => void;
  onPreview?: (png: Uint8Array, step: number) => void;
}

export class RenderError extends Error {
  /** `field`: the request field of a prompt the renderer refused (the HTTP API answers 422). */
  constructor(message: string, readonly cancelled = false, readonly field?: RefusedField) {
    super(message);
  }
}

/** dist/worker.js beside the bundled CLI; override with `workerPath` (tests build their own). */
export function defaultWorkerPath(): string {
  const candidates = [join(__dirname, 'worker.js'), join(__dirname, '..', 'dist', 'worker.js')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

interface Pending extends RenderCallbacks {
  resolve: (output: RenderOutput) => void;
  reject: (error: Error) => void;
}

export class Renderer {
  private worker: Worker | undefined;
  private readonly stop = new Int32Array(new SharedArrayBuffer(8));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private current = 0;
  model: ModelSummary | undefined;

  private constructor(readonly modelDir: string, readonly ep: ExecutionProvider, readonly workerPath: string) {}

  /** Starts the worker and loads the model; rejects with the loader's message when the folder is unusable. */
  static async open(modelDir: string, options: { ep?: ExecutionProvider; workerPath?: string } = {}): Promise<Renderer> {
    const renderer = new Renderer(modelDir, options.ep ?? 'cpu', options.workerPath ?? defaultWorkerPath());
    await renderer.start();
    return renderer;
  }

  private start(): Promise<void> {
    const init: WorkerInit = { modelDir: this.modelDir, ep: this.ep, stop: this.stop.buffer as SharedArrayBuffer };
    const worker = new Worker(this.workerPath, { workerData: init });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true;
          this.model = message.model;
          resolve();
        } else if (message.type === 'load-error') {
          reject(new RenderError(message.message));
          void worker.terminate();
        } else {
          this.dispatch(message);
        }
      });
      const die = (error: Error) => {
        if (this.worker === worker) this.worker = undefined;
        if (!ready) reject(new RenderError(`the render worker failed to start: ${error.message}`));
        for (const [id, p] of this.pending) {
          p.reject(new RenderError(`the render worker stopped: ${error.message}`));
          this.pending.delete(id);
        }
      };
      worker.on('error', die);
      worker.on('exit', (code) => die(new Error(`exit code ${code}`)));
    });
  }

  private dispatch(message: Exclude<FromWorker, { type: 'ready' | 'load-error' }>): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    switch (message.type) {
      case 'progress':
        p.onProgress?.(message.progress);
        break;
      case 'preview':
        p.onPreview?.(message.png, message.step);
        break;
      case 'result':
        this.pending.delete(message.id);
        p.resolve(message.output);
        break;
      case 'error':
        this.pending.delete(message.id);
        p.reject(new RenderError(message.message, message.cancelled, message.field));
        break;
    }
  }

  /** Renders; one at a time (the HTTP layer queues). */
  async render(request: RenderRequest, callbacks: RenderCallbacks = {}): Promise<RenderOutput> {
    if (this.pending.size > 0) throw new RenderError('a render is already running');
    if (!this.worker) await this.start();
    const id = this.nextId++;
    this.current = id;
    return new Promise<RenderOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...callbacks });
      this.worker!.postMessage({ type: 'render', id, request });
    });
  }

  private requestStop(kind: number): void {
    if (!this.pending.has(this.current)) return;
    Atomics.store(this.stop, 1, kind);
    Atomics.store(this.stop, 0, this.current);
  }

  /** Stops the running render after its current step; it still returns the image of that step (as A1111). */
  interrupt(): void {
    this.requestStop(STOP_INTERRUPT);
  }

  /** Stops the running render after its current step and discards it. */
  cancel(): void {
    this.requestStop(STOP_CANCEL);
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Whether a worker (and with it the model's sessions) is currently held. */
  get alive(): boolean {
    return this.worker !== undefined;
  }

  /** Cancels a running render, releases the sessions and ends the worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.cancel();
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A renderer opened on first use and kept; a failed open (bad model folder) is reported to that caller and
 * tried again on the next call, so fixing the folder needs no restart. `switchModel` releases the current
 * model's sessions (its worker ends) before the next call opens the new folder.
 */
export interface LazyRenderer {
  (): Promise<Renderer>;
  modelDir: string;
  switchModel(modelDir: string): Promise<void>;
  close(): Promise<void>;
}

export function lazyRenderer(modelDir: string, options: { ep?: ExecutionProvider; workerPath?: string } = {}): LazyRenderer {
  let dir = modelDir;
  let opening: Promise<Renderer> | undefined;
  const get = () => {
    opening ??= Renderer.open(dir, options).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  const close = async () => {
    const r = await opening?.catch(() => undefined);
    opening = undefined;
    await r?.close();
  };
  const lazy = Object.assign(get, {
    modelDir: dir,
    async switchModel(next: string) {
      await close();
      dir = next;
      lazy.modelDir = next;
    },
    close,
  });
  return lazy;
}
