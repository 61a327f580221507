// Loads an SDXL model folder in Hugging Face Optimum's ONNX layout and checks every session's interface
// (names, element types, ranks, fixed widths) against what the pipeline needs, reporting all mismatches of a
// file in one message. Sessions are created once and reused; `dispose` releases them.
import * as ort from 'onnxruntime-node';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { trainingSchedule, type SchedulerConfig, type TrainingSchedule } from './sampling/schedule';

export type ExecutionProvider = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'dml', 'coreml', 'webgpu'];
export type FloatType = 'float32' | 'float16';

/** A problem with the model folder the user can fix: names the file and, where it applies, the tensor. */
export class ModelError extends Error {}

interface TensorSpec {
  name: string;
  types: readonly string[];
  rank: number;
  /** Fixed sizes by axis, checked when the export declares that axis with a number. */
  fixed?: Record<number, number>;
}

export interface EncoderInfo {
  session: ort.InferenceSession;
  idsType: 'int64' | 'int32';
  /** hidden_states.{layers-1}: the penultimate layer SDXL conditions on. */
  penultimate: string;
  width: number;
  floatType: FloatType;
}

export interface LoadedModel {
  dir: string;
  name: string;
  encoders: [EncoderInfo, EncoderInfo];
  unet: { session: ort.InferenceSession; floatType: FloatType; timestep: { type: 'float32' | 'float16' | 'int64'; rank: number } };
  vae: { session: ort.InferenceSession; floatType: FloatType };
  scalingFactor: number;
  schedule: TrainingSchedule;
  /** Reads a file of a tokenizer folder (`tokenizer` or `tokenizer_2`); undefined when absent. */
  readTokenizerFile(folder: 'tokenizer' | 'tokenizer_2', fileName: string): string | undefined;
  dispose(): Promise<void>;
}

const FLOAT = ['float32', 'float16'] as const;

type Metadata = readonly ort.InferenceSession.ValueMetadata[];

function describe(meta: ort.InferenceSession.ValueMetadata): string {
  return meta.isTensor ? `${meta.type} [${meta.shape.join(', ')}]` : 'a non-tensor value';
}

/** Every mismatch between the metadata and the specs, as lines naming the tensor. */
function checkTensors(kind: 'input' | 'output', metadata: Metadata, specs: TensorSpec[]): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const meta = metadata.find((m) => m.name === spec.name);
    if (!meta) {
      problems.push(`missing ${kind} tensor "${spec.name}" (has: ${metadata.map((m) => m.name).join(', ') || 'none'})`);
      continue;
    }
    if (!meta.isTensor || !spec.types.includes(meta.type)) {
      problems.push(`${kind} "${spec.name}" is ${describe(meta)}; expected ${spec.types.join(' or ')}`);
      continue;
    }
    // An empty shape can mean "unknown" for dynamic exports; only a declared shape is checked.
    if (meta.shape.length !== spec.rank && !(meta.shape.length === 0 && spec.rank !== 0)) {
      problems.push(`${kind} "${spec.name}" has rank ${meta.shape.length} (${describe(meta)}); expected rank ${spec.rank}`);
      continue;
    }
    for (const [axis, size] of Object.entries(spec.fixed ?? {})) {
      const actual = meta.shape[Number(axis)];
      if (typeof actual === 'number' && actual >= 0 && actual !== size) {
        problems.push(`${kind} "${spec.name}" has size ${actual} on axis ${axis} (${describe(meta)}); expected ${size}`);
      }
    }
  }
  return problems;
}

function fail(file: string, problems: string[], hint = ''): never {
  throw new ModelError(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}${hint ? `\n${hint}` : ''}`);
}

function typeOf(metadata: Metadata, name: string): string {
  const m = metadata.find((x) => x.name === name);
  return m && m.isTensor ? m.type : '';
}

function readJson(file: string, required: boolean): Record<string, unknown> | undefined {
  if (!existsSync(file)) {
    if (required) throw new ModelError(`${file}: not found — is this an SDXL folder exported with \`optimum-cli export onnx\`?`);
    return undefined;
  }
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ModelError(`${file}: cannot be read as JSON: ${(error as Error).message}`);
  }
}

function providerHint(ep: ExecutionProvider): string {
  switch (ep) {
    case 'cuda':
      return 'The CUDA provider is downloaded by onnxruntime-node\'s installer, which .npmrc skips: with CUDA 12 and cuDNN 9 installed, run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` (see backend/README.md, "GPU set-up").';
    case 'dml':
      return 'DirectML ships with onnxruntime-node on Windows only.';
    case 'coreml':
      return 'CoreML ships with onnxruntime-node on macOS only.';
    case 'webgpu':
      return 'WebGPU needs a GPU driver with Vulkan (Linux), D3D12 (Windows) or Metal (macOS).';
    default:
      return '';
  }
}

/** Fails early, with how to get it, when the installed onnxruntime-node lacks the execution provider. */
export function checkExecutionProvider(ep: ExecutionProvider): void {
  if (!EXECUTION_PROVIDERS.includes(ep)) throw new ModelError(`unknown execution provider "${ep}" (one of ${EXECUTION_PROVIDERS.join(', ')})`);
  if (ep === 'cpu') return;
  const backends = ort.listSupportedBackends();
  const backend = backends.find((b) => b.name === ep);
  if (!backend) {
    throw new ModelError(`execution provider "${ep}" is not in this build of onnxruntime-node (it has: ${backends.map((b) => b.name).join(', ')}). ${providerHint(ep)}`);
  }
  // Providers the package does not bundle (CUDA) are shared libraries its installer adds beside the binding.
  if (!backend.bundled && !providerLibraryInstalled(ep)) {
    throw new ModelError(`execution provider "${ep}" is supported by onnxruntime-node but its library is not installed. ${providerHint(ep)}`);
  }
}

function providerLibraryInstalled(ep: ExecutionProvider): boolean {
  try {
    const binDir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', `napi-v6`, process.platform, process.arch);
    const prefix = process.platform === 'win32' ? '' : 'lib';
    return readdirSync(binDir).some((f) => f.startsWith(`${prefix}onnxruntime_providers_${ep}`));
  } catch {
    return false;
  }
}

async function createSession(file: string, ep: ExecutionProvider): Promise<ort.InferenceSession> {
  if (!existsSync(file)) throw new ModelError(`${file}: not found — the model folder needs text_encoder/, text_encoder_2/, unet/ and vae_decoder/, each with model.onnx`);
  try {
    return await ort.InferenceSession.create(file, {
      executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'],
      graphOptimizationLevel: 'all',
      // ONNX Runtime's intra-op workers spin after each run by default, waiting for more work: between UNet calls they
      // take the other core (or the other hyperthread of the same one) from the sampler's loops, the noise helper and
      // the server. Every run of ours is followed by JS work, never by another run at once: no spinning.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (ep !== 'cpu') throw new ModelError(`${file}: ONNX Runtime cannot load it with the "${ep}" execution provider: ${message}\n${providerHint(ep)}`);
    throw new ModelError(`${file}: ONNX Runtime cannot load it: ${message}`);
  }
}

function hiddenStateLayers(file: string, outputs: Metadata): number {
  const layers = outputs.map((m) => /^hidden_states\.(\d+)$/.exec(m.name)?.[1]).filter((x): x is string => x !== undefined).map(Number);
  if (layers.length < 2) {
    fail(file, [`no hidden_states.N outputs (has: ${outputs.map((m) => m.name).join(', ')})`], 'Export with Optimum, which adds the hidden states SDXL conditions on.');
  }
  return Math.max(...layers);
}

async function loadEncoder(dir: string, folder: string, width: number, pooled: string | undefined, ep: ExecutionProvider): Promise<EncoderInfo> {
  const file = join(dir, folder, 'model.onnx');
  const session = await createSession(file, ep);
  const outputs = session.outputMetadata;
  const problems = checkTensors('input', session.inputMetadata, [{ name: 'input_ids', types: ['int64', 'int32'], rank: 2 }]);
  const layers = problems.length ? 0 : hiddenStateLayers(file, outputs);
  const specs: TensorSpec[] = [{ name: `hidden_states.${layers - 1}`, types: FLOAT, rank: 3, fixed: { 2: width } }];
  if (pooled) specs.push({ name: pooled, types: FLOAT, rank: 2, fixed: { 1: 1280 } });
  problems.push(...checkTensors('output', outputs, specs));
  if (problems.length) {
    await session.release();
    fail(file, problems);
  }
  return {
    session,
    idsType: typeOf(session.inputMetadata, 'input_ids') as 'int64' | 'int32',
    penultimate: `hidden_states.${layers - 1}`,
    width,
    floatType: typeOf(outputs, `hidden_states.${layers - 1}`) as FloatType,
  };
}

/** Loads and checks the model folder; releases what it created when anything fails. */
export async function loadModel(dir: string, ep: ExecutionProvider = 'cpu'): Promise<LoadedModel> {
  checkExecutionProvider(ep);
  readJson(join(dir, 'model_index.json'), true);
  const schedulerConfig = readJson(join(dir, 'scheduler', 'scheduler_config.json'), true)! as SchedulerConfig;
  let schedule: TrainingSchedule;
  try {
    schedule = trainingSchedule(schedulerConfig);
  } catch (error) {
    throw new ModelError(`${join(dir, 'scheduler', 'scheduler_config.json')}: ${(error as Error).message.replace(/^scheduler_config\.json: /, '')}`);
  }
  const vaeConfig = readJson(join(dir, 'vae_decoder', 'config.json'), false);
  const scalingFactor = typeof vaeConfig?.scaling_factor === 'number' ? vaeConfig.scaling_factor : 0.13025;
  for (const folder of ['tokenizer', 'tokenizer_2']) {
    for (const f of ['vocab.json', 'merges.txt']) {
      if (!existsSync(join(dir, folder, f))) throw new ModelError(`${join(dir, folder, f)}: not found — the model folder needs the CLIP tokenizer files`);
    }
  }

  const opened: ort.InferenceSession[] = [];
  const keep = <T extends { session: ort.InferenceSession }>(x: T): T => (opened.push(x.session), x);
  try {
    const encoder1 = keep(await loadEncoder(dir, 'text_encoder', 768, undefined, ep));
    const encoder2 = keep(await loadEncoder(dir, 'text_encoder_2', 1280, 'text_embeds', ep));

    const unetFile = join(dir, 'unet', 'model.onnx');
    const unet = await createSession(unetFile, ep);
    opened.push(unet);
    const timestepType = typeOf(unet.inputMetadata, 'timestep');
    const timestepMeta = unet.inputMetadata.find((m) => m.name === 'timestep');
    // Current exports take a float scalar; older ones int64 [batch]; a float [batch] is accepted as well.
    const timestepRank = timestepMeta?.isTensor && timestepMeta.shape.length <= 1 ? timestepMeta.shape.length : timestepType === 'int64' ? 1 : 0;
    const unetProblems = checkTensors('input', unet.inputMetadata, [
      { name: 'sample', types: FLOAT, rank: 4, fixed: { 1: 4 } },
      { name: 'timestep', types: [...FLOAT, 'int64'], rank: timestepRank },
      { name: 'encoder_hidden_states', types: FLOAT, rank: 3, fixed: { 2: 2048 } },
      { name: 'text_embeds', types: FLOAT, rank: 2, fixed: { 1: 1280 } },
      { name: 'time_ids', types: FLOAT, rank: 2, fixed: { 1: 6 } },
    ]);
    unetProblems.push(...checkTensors('output', unet.outputMetadata, [{ name: 'out_sample', types: FLOAT, rank: 4, fixed: { 1: 4 } }]));
    if (unetProblems.length) fail(unetFile, unetProblems);

    const vaeFile = join(dir, 'vae_decoder', 'model.onnx');
    const vae = await createSession(vaeFile, ep);
    opened.push(vae);
    const vaeProblems = checkTensors('input', vae.inputMetadata, [{ name: 'latent_sample', types: FLOAT, rank: 4, fixed: { 1: 4 } }]);
    vaeProblems.push(...checkTensors('output', vae.outputMetadata, [{ name: 'sample', types: FLOAT, rank: 4, fixed: { 1: 3 } }]));
    if (vaeProblems.length) fail(vaeFile, vaeProblems);

    // A1111 writes the checkpoint's file name as "Model"; the folder name is its counterpart here.
    const name = basename(resolve(dir)) || 'model';
    return {
      dir,
      name,
      encoders: [encoder1, encoder2],
      unet: {
        session: unet,
        floatType: typeOf(unet.inputMetadata, 'sample') as FloatType,
        timestep: { type: timestepType as 'float32' | 'float16' | 'int64', rank: timestepRank },
      },
      vae: { session: vae, floatType: typeOf(vae.inputMetadata, 'latent_sample') as FloatType },
      scalingFactor,
      schedule,
      readTokenizerFile(folder, fileName) {
        const file = join(dir, folder, fileName);
        return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      },
      async dispose() {
        await Promise.all(opened.map((s) => s.release()));
        opened.length = 0;
      },
    };
  } catch (error) {
    await Promise.all(opened.map((s) => s.release().catch(() => undefined)));
    throw error;
  }
}
