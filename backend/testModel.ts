// The tiny SDXL model: four ONNX graphs with exactly the interface of an Optimum SDXL export (tensor names,
// element types, ranks, widths) but a few cheap ops inside, so the real pipeline runs in milliseconds in tests.
//
// What each graph computes (tests derive expectations from these formulas by hand):
//   text encoders (width W, layers N: encoder 1 W=768 N=12, encoder 2 W=1280 N=32):
//     hidden_states.0[b,t,d] = (input_ids[b,t] mod 256) / 256 * w[d] + p[t,d]
//         w[d] = 1.5 for even d, 0.5 for odd d (mean 1);  p[t,d] = t/128 for even d, -t/128 for odd d (mean 0)
//     hidden_states.k = hidden_states.(k-1) + k/64, so the mean over d of hidden_states.k[t] is
//         (id mod 256)/256 + k(k+1)/128
//     last_hidden_state = hidden_states.N;  pooler_output (encoder 1) / text_embeds (encoder 2) = mean over t of it
//   unet:  out_sample = 0.875 * sample + 0.125 * mean(encoder_hidden_states[b]) + 0.0625 * mean(text_embeds[b])
//                       + 0 * (timestep + mean(time_ids[b]))          (every input is read, none changes the result)
//   vae_decoder: sample = nearest-upscale x8 of tanh(K · latent_sample), K[r][c] = 0.13025 * SDXL_LATENT_RGB[c][r]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constant, encodeModel, newGraph, node, valueInfo, type FloatType, type Graph } from './onnxGraph';
import { SDXL_LATENT_RGB } from './preview';

const TINY_UNET = { sampleScale: 0.875, contextScale: 0.125, pooledScale: 0.0625 } as const;
const EMBED_ROWS = 256;

export interface TestModelOptions {
  dtype: FloatType;
  /** `float` (a scalar, as current Optimum exports) or `int64` (`[batch]`, exports made before late 2024). */
  timestep?: 'float' | 'int64';
  /** Contents of the CLIP `vocab.json` and `merges.txt`; a small byte-level vocabulary when absent. */
  vocab?: { vocabJson: string; merges: string };
}

/** Every file of the model folder, by relative path. */
export function buildTestModel(options: TestModelOptions): Map<string, Uint8Array | string> {
  const { dtype } = options;
  const files = new Map<string, Uint8Array | string>();
  files.set('text_encoder/model.onnx', textEncoder(dtype, 768, 12, 'pooler_output'));
  files.set('text_encoder_2/model.onnx', textEncoder(dtype, 1280, 32, 'text_embeds'));
  files.set('unet/model.onnx', unet(dtype, options.timestep ?? 'float'));
  // The SDXL VAE overflows in float16, so even a float16 export should keep its decoder in float32.
  files.set('vae_decoder/model.onnx', vaeDecoder('float32'));
  files.set('vae_decoder/config.json', json({ _class_name: 'AutoencoderKL', latent_channels: 4, scaling_factor: 0.13025 }));
  const vocab = options.vocab ?? fixtureVocab();
  for (const [dir, pad] of [['tokenizer', '<|endoftext|>'], ['tokenizer_2', '!']] as const) {
    files.set(`${dir}/vocab.json`, vocab.vocabJson);
    files.set(`${dir}/merges.txt`, vocab.merges);
    files.set(`${dir}/special_tokens_map.json`, json({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: pad, unk_token: '<|endoftext|>' }));
    files.set(`${dir}/tokenizer_config.json`, json({ tokenizer_class: 'CLIPTokenizer', model_max_length: 77, do_lower_case: true, bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: pad, unk_token: '<|endoftext|>' }));
  }
  files.set('scheduler/scheduler_config.json', json({
    _class_name: 'EulerDiscreteScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
    num_train_timesteps: 1000, prediction_type: 'epsilon', steps_offset: 1, timestep_spacing: 'leading',
    interpolation_type: 'linear', use_karras_sigmas: false, trained_betas: null,
  }));
  files.set('model_index.json', json({
    _class_name: 'StableDiffusionXLPipeline', _name_or_path: 'tagsmith-tiny-sdxl', force_zeros_for_empty_prompt: true,
    scheduler: ['diffusers', 'EulerDiscreteScheduler'], text_encoder: ['transformers', 'CLIPTextModel'],
    text_encoder_2: ['transformers', 'CLIPTextModelWithProjection'], tokenizer: ['transformers', 'CLIPTokenizer'],
    tokenizer_2: ['transformers', 'CLIPTokenizer'], unet: ['diffusers', 'UNet2DConditionModel'], vae: ['diffusers', 'AutoencoderKL'],
  }));
  return files;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function textEncoder(dtype: FloatType, width: number, layers: number, pooledName: string): Uint8Array {
  const g = newGraph();
  g.inputs.push(valueInfo('input_ids', 'int64', ['batch_size', 'sequence_length']));
  const rows = new Float32Array(EMBED_ROWS * width);
  for (let j = 0; j < EMBED_ROWS; j++) for (let d = 0; d < width; d++) rows[j * width + d] = (j / 256) * (d % 2 === 0 ? 1.5 : 0.5);
  const positions = new Float32Array(77 * width);
  for (let t = 0; t < 77; t++) for (let d = 0; d < width; d++) positions[t * width + d] = (d % 2 === 0 ? t : -t) / 128;
  constant(g, 'rows', 'int64', [], [EMBED_ROWS]);
  constant(g, 'embedding', dtype, [EMBED_ROWS, width], rows);
  constant(g, 'positions', dtype, [77, width], positions);
  node(g, 'Mod', ['input_ids', 'rows'], ['row_ids']);
  node(g, 'Gather', ['embedding', 'row_ids'], ['token_embeds'], { axis: 0 });
  node(g, 'Add', ['token_embeds', 'positions'], ['hidden_states.0']);
  for (let k = 1; k <= layers; k++) {
    constant(g, `layer_${k}`, dtype, [], [k / 64]);
    node(g, 'Add', [`hidden_states.${k - 1}`, `layer_${k}`], [`hidden_states.${k}`]);
  }
  node(g, 'Identity', [`hidden_states.${layers}`], ['last_hidden_state']);
  node(g, 'ReduceMean', ['last_hidden_state'], [pooledName], { axes: [1], keepdims: 0 });
  const outputs = [valueInfo('last_hidden_state', dtype, ['batch_size', 'sequence_length', width]),
    valueInfo(pooledName, dtype, ['batch_size', width])];
  for (let k = 0; k <= layers; k++) outputs.push(valueInfo(`hidden_states.${k}`, dtype, ['batch_size', 'sequence_length', width]));
  // Optimum lists encoder 2's pooled output first, encoder 1's after last_hidden_state.
  if (pooledName === 'text_embeds') outputs.unshift(outputs.splice(1, 1)[0]!);
  g.outputs.push(...outputs);
  return encodeModel(g, pooledName === 'text_embeds' ? 'text_encoder_2' : 'text_encoder');
}

function scalarTimesReshaped(g: Graph, dtype: FloatType, input: string, axes: number[], scale: number, out: string): void {
  node(g, 'ReduceMean', [input], [`${out}_mean`], { axes, keepdims: 1 });
  node(g, 'Reshape', [`${out}_mean`, 'per_image_shape'], [`${out}_b111`]);
  constant(g, `${out}_scale`, dtype, [], [scale]);
  node(g, 'Mul', [`${out}_b111`, `${out}_scale`], [out]);
}

function unet(dtype: FloatType, timestep: 'float' | 'int64'): Uint8Array {
  const g = newGraph();
  g.inputs.push(
    valueInfo('sample', dtype, ['batch_size', 4, 'height', 'width']),
    timestep === 'float' ? valueInfo('timestep', dtype, []) : valueInfo('timestep', 'int64', ['steps']),
    valueInfo('encoder_hidden_states', dtype, ['batch_size', 'sequence_length', 2048]),
    valueInfo('text_embeds', dtype, ['batch_size', 1280]),
    valueInfo('time_ids', dtype, ['batch_size', 6]),
  );
  constant(g, 'per_image_shape', 'int64', [4], [-1, 1, 1, 1]);
  constant(g, 'sample_scale', dtype, [], [TINY_UNET.sampleScale]);
  node(g, 'Mul', ['sample', 'sample_scale'], ['scaled_sample']);
  scalarTimesReshaped(g, dtype, 'encoder_hidden_states', [1, 2], TINY_UNET.contextScale, 'context_term');
  scalarTimesReshaped(g, dtype, 'text_embeds', [1], TINY_UNET.pooledScale, 'pooled_term');
  scalarTimesReshaped(g, dtype, 'time_ids', [1], 1, 'time_ids_term');
  let t = 'timestep';
  if (timestep === 'int64') {
    node(g, 'Cast', ['timestep'], ['timestep_float'], { to: dtype === 'float16' ? 10 : 1 });
    node(g, 'ReduceMean', ['timestep_float'], ['timestep_mean'], { keepdims: 0 });
    t = 'timestep_mean';
  }
  constant(g, 'zero', dtype, [], [0]);
  node(g, 'Add', ['time_ids_term', t], ['conditioning_noise']);
  node(g, 'Mul', ['conditioning_noise', 'zero'], ['ignored_term']);
  node(g, 'Add', ['scaled_sample', 'context_term'], ['partial_1']);
  node(g, 'Add', ['partial_1', 'pooled_term'], ['partial_2']);
  node(g, 'Add', ['partial_2', 'ignored_term'], ['out_sample']);
  g.outputs.push(valueInfo('out_sample', dtype, ['batch_size', 4, 'height', 'width']));
  return encodeModel(g, 'unet');
}

function vaeDecoder(dtype: FloatType): Uint8Array {
  const g = newGraph();
  g.inputs.push(valueInfo('latent_sample', dtype, ['batch_size', 4, 'latent_height', 'latent_width']));
  const weights: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) weights.push(0.13025 * SDXL_LATENT_RGB[c]![r]!);
  constant(g, 'to_rgb', dtype, [3, 4, 1, 1], weights);
  constant(g, 'upscale', 'float32', [4], [1, 1, 8, 8]);
  node(g, 'Conv', ['latent_sample', 'to_rgb'], ['rgb']);
  node(g, 'Tanh', ['rgb'], ['rgb_bounded']);
  node(g, 'Resize', ['rgb_bounded', '', 'upscale'], ['sample'], { mode: 'nearest' });
  g.outputs.push(valueInfo('sample', dtype, ['batch_size', 3, 'height', 'width']));
  return encodeModel(g, 'vae_decoder');
}

/** GPT-2 style map from bytes to printable characters, as CLIP's tokenizer uses it. */
function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const chars: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return chars;
}

/** A byte-level CLIP vocabulary with a few merges, laid out like the real one (bytes, bytes+</w>, merges, specials). */
export function fixtureVocab(): { vocabJson: string; merges: string } {
  const chars = bytesToUnicode();
  const tokens = [...chars, ...chars.map((c) => c + '</w>')];
  const merges = [['b', 'o'], ['bo', 'y</w>'], ['s', 'o'], ['so', 'l'], ['sol', 'o</w>'], ['h', 'a'], ['i', 'r</w>'], ['ha', 'ir</w>']];
  for (const [a, b] of merges) tokens.push(a! + b!);
  tokens.push('<|startoftext|>', '<|endoftext|>');
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return { vocabJson: JSON.stringify(vocab), merges: ['#version: 0.2', ...merges.map((m) => m.join(' '))].join('\n') + '\n' };
}

/** Reads the real CLIP vocabulary from a folder holding vocab.json and merges.txt, when it is there. */
export function readVocabFolder(dir: string): { vocabJson: string; merges: string } | undefined {
  const vocab = join(dir, 'vocab.json'), merges = join(dir, 'merges.txt');
  if (!existsSync(vocab) || !existsSync(merges)) return undefined;
  return { vocabJson: readFileSync(vocab, 'utf8'), merges: readFileSync(merges, 'utf8') };
}

/** Writes the tiny model folder; returns the files written (relative paths). */
export function writeTestModel(dir: string, options: TestModelOptions): string[] {
  const files = buildTestModel(options);
  for (const [rel, content] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return [...files.keys()];
}
