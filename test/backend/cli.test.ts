// The backend's CLI verbs: make-test-model, noise, render (serve is covered by the HTTP tests).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { PhiloxGenerator } from '../../backend/rng/philox';
import { Mt19937, torchCpuRandn } from '../../backend/rng/mt19937';
import { parseDocument } from '../../core/parse';
import { a1111Parameters, readPngText } from '../../core/png/readText';
import { REPO } from './fixtures';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), readStdin: async () => '', env: {}, cwd: REPO });
  return { code, out, err };
}

describe('tagsmith noise', () => {
  it('prints the NV noise of a seed as JSON, [4, h/8, w/8]', async () => {
    const { code, out } = await run('noise', '--seed', '123', '--width', '64', '--height', '128');
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.shape).toEqual([4, 16, 8]);
    expect(json.data).toEqual(Array.from(new PhiloxGenerator(123).randn(512)));
  });
  it('prints the CPU noise with --rng cpu and rejects bad sizes', async () => {
    const json = JSON.parse((await run('noise', '--seed', '5', '--width', '64', '--height', '64', '--rng', 'cpu')).out);
    expect(json.data).toEqual(Array.from(torchCpuRandn(new Mt19937(5), 256)));
    const bad = await run('noise', '--seed', '5', '--width', '1004');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--width must be a multiple of 8');
  });
});

describe('tagsmith make-test-model and render', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-cli-'));
  const model = join(dir, 'AnimeBoysTiny');

  it('writes the model, then renders block 2 of a file with overrides', async () => {
    expect((await run('make-test-model', model, '--dtype', 'float16')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(model, 'model_index.json'), 'utf8'))._class_name).toBe('StableDiffusionXLPipeline');
    const file = join(dir, 'a.sdprompt');
    writeFileSync(file, '# first\n1boy\n---\n1boy, solo, (smile:1.2)\nNegative prompt: lowres, "quoted"\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 64x96\n');
    const out = join(dir, 'out.png');
    const r = await run('render', file, '--block', '2', '--model', model, '--out', out, '--steps', '3', '--seed', '9');
    expect(r.code).toBe(0);
    expect(r.err).toContain('3/3');
    const png = readFileSync(out);
    const text = a1111Parameters(readPngText(png))!;
    const block = parseDocument(text).blocks[0]!;
    expect(block.prompt?.text).toBe('1boy, solo, (smile:1.2)');
    expect(block.negative?.text).toBe('lowres, "quoted"');
    expect(Object.fromEntries(block.settings!.entries.map((e) => [e.key, e.value]))).toEqual({ Steps: '3', Sampler: 'Euler a', 'Schedule type': 'Automatic', 'CFG scale': '5', Seed: '9', Size: '64x96', Model: 'AnimeBoysTiny', Version: `tagsmith-${TAGSMITH_VERSION}` });
  });

  it('names the file, line and field of a bad setting, and a missing block', async () => {
    const file = join(dir, 'bad.sdprompt');
    writeFileSync(file, '1boy\n---\n\n1boy\nSteps: 200, Size: 64x64\n');
    const bad = await run('render', file, '--block', '2', '--model', model, '--out', join(dir, 'x.png'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${file}:5 (block 2): Steps: must be between 1 and 150, got 200`);
    const missing = await run('render', file, '--block', '3', '--model', model, '--out', join(dir, 'x.png'));
    expect(missing.err).toContain('has 2 blocks; there is no block 3');
  });

  it('reports a model folder that is not one', async () => {
    const file = join(dir, 'ok.sdprompt');
    writeFileSync(file, '1boy\nSteps: 2, Size: 64x64\n');
    const r = await run('render', file, '--model', dir, '--out', join(dir, 'x.png'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(dir, 'model_index.json')}: not found`);
  });
});
