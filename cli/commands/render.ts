// `tagsmith render FILE.sdprompt`: renders one block of a prompt file with the local ONNX backend.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, UserError, type Command } from '../command';
import { infotextOverrideSettings, parseDocument } from '../../core';
import { loadModel, EXECUTION_PROVIDERS, ModelError, type ExecutionProvider } from '../../backend/model';
import { InterruptError, txt2img, type Progress } from '../../backend/pipeline';
import { createChunker } from '../../backend/prompts';
import { validateTxt2img } from '../../backend/request';
import { RNG_SOURCES, type RngSource } from '../../backend/rng/noise';

/** The A1111 API body a block describes: its prompts and its settings line (`Size: WxH` split in two). */
export function blockToBody(settings: Record<string, string>, prompt: string, negative: string): Record<string, unknown> {
  const body: Record<string, unknown> = { prompt, negative_prompt: negative };
  const number = (v: string) => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);
  if (settings.Steps !== undefined) body.steps = number(settings.Steps);
  if (settings.Sampler !== undefined) body.sampler_name = settings.Sampler;
  if (settings['Schedule type'] !== undefined) body.scheduler = settings['Schedule type'];
  if (settings['CFG scale'] !== undefined) body.cfg_scale = number(settings['CFG scale']);
  if (settings.Seed !== undefined) body.seed = number(settings.Seed);
  const size = settings.Size !== undefined ? /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(settings.Size) : null;
  if (size) [body.width, body.height] = [Number(size[1]), Number(size[2])];
  else if (settings.Size !== undefined) body.width = settings.Size;
  // What A1111's parse_generation_parameters reads into settings, as the override_settings an A1111 API request carries.
  const overrides = infotextOverrideSettings(settings);
  if (Object.keys(overrides).length) body.override_settings = overrides;
  return body;
}


function progressBar({ step, total, etaSeconds }: Progress): string {
  const width = 30;
  const done = Math.round((step / total) * width);
  return `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${String(step).padStart(String(total).length)}/${total}  ETA ${etaSeconds.toFixed(1)} s `;
}

export const render: Command = {
  name: 'render',
  summary: 'Render a block of a .sdprompt file to a PNG with the local ONNX backend',
  help: `Usage: tagsmith render FILE.sdprompt --model DIR --out OUT.png [options]

Renders block N of the file (its prompt, negative prompt and settings line: Steps, Sampler, CFG scale,
Seed, Size) with the SDXL model folder DIR (Hugging Face Optimum ONNX layout) and writes a PNG whose
"parameters" text holds the A1111 infotext. Progress goes to stderr; Ctrl+C stops after the current step
and still writes the image of that step.

Options:
  --block N            which block, counting from 1 (default 1)
  --model DIR          the model folder (required)
  --out OUT.png        where to write the image (required)
  --seed S             override the block's seed (-1: random)
  --steps N            override the block's steps
  --sampler NAME       override the sampler (A1111 1.10's names: Euler a, DPM++ 2M, UniPC, …; DPM++ 2M Karras)
  --scheduler NAME     override the schedule type (Automatic, Karras, Exponential, SGM Uniform, …)
  --cfg X              override the CFG scale
  --size WxH           override the size
  --ep cpu|cuda|dml|coreml|webgpu   execution provider (default cpu)
  --rng nv|cpu         A1111 noise source (default nv)
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        block: { type: 'string', default: '1' }, model: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' },
        steps: { type: 'string' }, sampler: { type: 'string' }, scheduler: { type: 'string' }, cfg: { type: 'string' }, size: { type: 'string' },
        ep: { type: 'string', default: 'cpu' }, rng: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('expected one .sdprompt file');
    if (!values.model) throw new UsageError('--model DIR is required');
    if (!values.out) throw new UsageError('--out OUT.png is required');
    const ep = values.ep as ExecutionProvider;
    if (!EXECUTION_PROVIDERS.includes(ep)) throw new UsageError(`--ep must be one of ${EXECUTION_PROVIDERS.join(', ')}`);
    const rng = (values.rng ?? 'nv') as RngSource;
    if (!RNG_SOURCES.includes(rng)) throw new UsageError(`--rng must be nv or cpu, not "${values.rng}"`);
    const file = resolve(io.cwd, positionals[0]!);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
    }
    const doc = parseDocument(text);
    const blocks = doc.blocks;
    const index = Number(values.block);
    if (!Number.isInteger(index) || index < 1) throw new UsageError(`--block must be a block number from 1, not "${values.block}"`);
    const block = blocks[index - 1];
    if (!block) throw new UserError(`${file}: has ${blocks.length} block${blocks.length === 1 ? '' : 's'}; there is no block ${index}`);
    // Problems are nearly always in the settings line; point there when the block has one.
    const line = doc.lines.positionAt((block.settings?.node ?? block.node).start).line + 1;
    const where = `${file}:${line} (block ${index})`;

    const settings = Object.fromEntries((block.settings?.entries ?? []).map((e) => [e.key, e.value]));
    const body = blockToBody(settings, block.prompt?.text ?? '', block.negative?.text ?? '');
    const number = (name: string, v: string) => {
      if (!/^-?\d+(\.\d+)?$/.test(v)) throw new UsageError(`--${name} must be a number, not "${v}"`);
      return Number(v);
    };
    if (values.seed !== undefined) body.seed = number('seed', values.seed);
    if (values.steps !== undefined) body.steps = number('steps', values.steps);
    if (values.cfg !== undefined) body.cfg_scale = number('cfg', values.cfg);
    if (values.sampler !== undefined) [body.sampler_name, body.scheduler] = [values.sampler, undefined];
    if (values.scheduler !== undefined) body.scheduler = values.scheduler;
    if (values.size !== undefined) {
      const m = /^(\d+)x(\d+)$/.exec(values.size);
      if (!m) throw new UsageError(`--size must look like 832x1216, not "${values.size}"`);
      [body.width, body.height] = [Number(m[1]), Number(m[2])];
    }
    // --rng wins over the block's RNG.
    if (values.rng !== undefined && body.override_settings) delete (body.override_settings as Record<string, unknown>).randn_source;
    const names: Record<string, string> = { width: 'Size', height: 'Size', steps: 'Steps', cfg_scale: 'CFG scale', seed: 'Seed', sampler_name: 'Sampler', scheduler: 'Schedule type', override_settings: 'settings', prompt: 'prompt', negative_prompt: 'Negative prompt' };
    const { request, problems } = validateTxt2img(body, rng);
    if (!request) throw new UserError(`${where}: ${problems.map((p) => `${names[p.loc[1]] ?? p.loc[1]}: ${p.msg}`).join('; ')}`);

    let model;
    try {
      model = await loadModel(resolve(io.cwd, values.model), ep);
    } catch (error) {
      if (error instanceof ModelError) throw new UserError(error.message);
      throw error;
    }
    const controller = new AbortController();
    const onSigint = () => controller.abort(new InterruptError());
    process.once('SIGINT', onSigint);
    try {
      const result = await txt2img(model, createChunker(model), request, {
        signal: controller.signal,
        onProgress: (p) => io.stderr(progressBar(p)),
      });
      io.stderr('\n');
      const out = resolve(io.cwd, values.out);
      writeFileSync(out, result.images[0]!);
      io.stdout(`${out}${result.interrupted ? ' (interrupted)' : ''}\n${result.infotexts[0]}\n`);
      return 0;
    } catch (error) {
      throw new UserError(`render failed: ${(error as Error).message}`, 1);
    } finally {
      process.off('SIGINT', onSigint);
      await model.dispose();
    }
  },
};
