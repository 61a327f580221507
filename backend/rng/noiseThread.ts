// Draws the ancestral noise on a helper thread, one draw ahead, so that A1111-exact noise (65,536 Philox
// normals per 1024x1024 image and step) is computed while the UNet runs instead of between steps.
import { Worker, type MessagePort } from 'node:worker_threads';
import { ImageNoise, type NoiseStreamFactory, type RngSource } from './noise';

/** workerData that makes backend/worker.ts serve noise instead of renders. */
export const NOISE_ROLE = 'tagsmith-noise';

type Request = { type: 'open'; stream: number; source: RngSource; seeds: number[]; valuesPerImage: number } | { type: 'next'; stream: number };
type Reply = { stream: number; data: Float32Array };

/** The helper thread's side: answers draws in order for the latest opened stream. */
export function serveNoise(port: MessagePort): void {
  let current: { stream: number; noise: ImageNoise } | undefined;
  port.on('message', (m: Request) => {
    if (m.type === 'open') current = { stream: m.stream, noise: new ImageNoise(m.source, m.seeds, m.valuesPerImage) };
    else if (current && current.stream === m.stream) {
      const data = current.noise.next();
      port.postMessage({ stream: m.stream, data } satisfies Reply, [data.buffer as ArrayBuffer]);
    }
  });
}

/** A helper thread running `workerFile` with `workerData` that makes it call serveNoise. */
export class NoiseThread {
  private readonly worker: Worker;
  private stream = 0;
  private readonly waiting: Array<{ stream: number; resolve: (d: Float32Array) => void; reject: (e: Error) => void }> = [];

  constructor(workerFile: string, workerData: unknown) {
    this.worker = new Worker(workerFile, { workerData });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const index = this.waiting.findIndex((w) => w.stream === reply.stream);
      if (index >= 0) this.waiting.splice(index, 1)[0]!.resolve(reply.data);
    });
    this.worker.on('error', (error) => {
      for (const w of this.waiting.splice(0)) w.reject(error);
    });
  }

  private request(stream: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ stream, resolve, reject });
      this.worker.postMessage({ type: 'next', stream } satisfies Request);
    });
  }

  /** A stream that keeps one draw in flight ahead of the one being used. */
  readonly factory: NoiseStreamFactory = (source, seeds, valuesPerImage) => {
    const stream = ++this.stream;
    // Drop what older streams still wait for: their renders are over.
    for (const w of this.waiting.splice(0)) w.reject(new Error('noise stream closed'));
    this.worker.postMessage({ type: 'open', stream, source, seeds, valuesPerImage } satisfies Request);
    let ahead = this.request(stream);
    ahead.catch(() => undefined);
    return {
      next: () => {
        const now = ahead;
        ahead = this.request(stream);
        ahead.catch(() => undefined);
        return now;
      },
      close: () => undefined,
    };
  };

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
