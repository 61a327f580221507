// The render worker: owns the ONNX Runtime sessions and runs renders off the main thread, because
// session.run blocks its thread for the whole call. One render at a time; stop requests arrive through
// shared memory so they are seen between steps even while the thread is busy.
import { availableParallelism } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, type LoadedModel } from './model';
import { txt2img, InterruptError } from './pipeline';
import { createChunker } from './prompts';
import { STOP_CANCEL, STOP_INTERRUPT, type FromWorker, type ToWorker, type WorkerInit } from './protocol';
import { PromptError, type PromptChunker } from './conditioning';
import { UnknownSamplerError } from './sampling/plan';
import { NOISE_ROLE, NoiseThread, serveNoise } from './rng/noiseThread';

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Aborts the job's controller when the main thread has asked to stop this job. */
function pollStop(stop: Int32Array, id: number, controller: AbortController): void {
  if (controller.signal.aborted || Atomics.load(stop, 0) !== id) return;
  const kind = Atomics.load(stop, 1);
  if (kind === STOP_INTERRUPT) controller.abort(new InterruptError());
  else if (kind === STOP_CANCEL) controller.abort(new Error('cancelled'));
}

async function main(): Promise<void> {
  const stop = new Int32Array(init.stop);
  // This same file, started with another role, draws noise ahead on a helper thread, so it overlaps the UNet
  // (session.run holds this thread for the whole call). On two cores it shares them with ONNX Runtime's threads,
  // yet whole renders take as long as with the noise drawn here (`npm run bench -- backend`); on one core it
  // could only wait its turn: noise is drawn here.
  const noiseThread = availableParallelism() >= 2 ? new NoiseThread(__filename, NOISE_ROLE) : undefined;
  let model: LoadedModel;
  let chunker: PromptChunker;
  try {
    model = await loadModel(init.modelDir, init.ep);
    chunker = createChunker(model);
  } catch (error) {
    send({ type: 'load-error', message: (error as Error).message ?? String(error) });
    return;
  }
  send({ type: 'ready', model: { name: model.name, dir: model.dir, unetType: model.unet.floatType, ep: init.ep } });

  let queue = Promise.resolve();
  port.on('message', (message: ToWorker | { type: 'close' }) => {
    if (message.type === 'close') {
      queue = queue.then(() => model.dispose()).then(() => noiseThread?.terminate()).then(() => port.close());
      return;
    }
    const { id, request } = message;
    queue = queue.then(async () => {
      const controller = new AbortController();
      pollStop(stop, id, controller);
      try {
        const result = await txt2img(model, chunker, request, {
          signal: controller.signal,
          noise: noiseThread?.factory,
          checkpoint: () => pollStop(stop, id, controller),
          onProgress: (progress) => {
            send({ type: 'progress', id, progress });
            pollStop(stop, id, controller);
          },
          onPreview: (png, step) => send({ type: 'preview', id, step, png: new Uint8Array(png) }),
        });
        const images = result.images.map((b) => new Uint8Array(b));
        send({ type: 'result', id, output: { images, seeds: result.seeds, infotexts: result.infotexts, interrupted: result.interrupted, notes: result.notes } }, images.map((i) => i.buffer as ArrayBuffer));
      } catch (error) {
        const cancelled = controller.signal.aborted;
        const field = error instanceof PromptError || error instanceof UnknownSamplerError ? error.field : undefined;
        send({ type: 'error', id, message: (error as Error).message ?? String(error), cancelled, field });
      }
    });
  });
}

if ((workerData as unknown) === NOISE_ROLE) serveNoise(port);
else void main();
