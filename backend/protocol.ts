// Messages between the render worker (backend/worker.ts) and the main thread (backend/renderer.ts).
import type { ExecutionProvider } from './model';
import type { Progress, RenderRequest } from './pipeline';

/** Request fields a render can be refused for (422): prompts (chunks, emphasis) and the sampling settings. */
export type RefusedField = 'prompt' | 'negative_prompt' | 'sampler_name' | 'scheduler' | 'steps';

export interface WorkerInit {
  modelDir: string;
  ep: ExecutionProvider;
  /** Int32Array over a SharedArrayBuffer: [0] id of the job to stop, [1] STOP_INTERRUPT or STOP_CANCEL. */
  stop: SharedArrayBuffer;
}

export const STOP_INTERRUPT = 1;
export const STOP_CANCEL = 2;

export type ToWorker = { type: 'render'; id: number; request: RenderRequest };

export interface ModelSummary {
  name: string;
  dir: string;
  unetType: string;
  ep: ExecutionProvider;
}

export interface RenderOutput {
  images: Uint8Array[];
  seeds: number[];
  infotexts: string[];
  interrupted: boolean;
  /** What the builtin backend did not apply (extra networks). */
  notes?: string[];
}

export type FromWorker =
  | { type: 'ready'; model: ModelSummary }
  | { type: 'load-error'; message: string }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'preview'; id: number; step: number; png: Uint8Array }
  | { type: 'result'; id: number; output: RenderOutput }
  /** `field`: the request field a refused prompt came from (too many chunks, overflowing emphasis). */
  | { type: 'error'; id: number; message: string; cancelled: boolean; field?: RefusedField };
