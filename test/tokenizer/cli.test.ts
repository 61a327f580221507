// The built CLI: `tagsmith attention | tokenize | chunks`, one prompt or --jsonl, and tokenizer errors.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REAL_CLIP, MINI_DIR, REAL_CLIP_DIR } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

/** Newest modification time under the sources the CLI bundles from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ['cli', 'core']) walk(path.join(ROOT, dir));
  return newest;
}

function run(args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let scratch = '';

beforeAll(() => {
  let stale = true;
  try {
    stale = statSync(CLI).mtimeMs < newestSource();
  } catch {
    stale = true;
  }
  if (stale) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  }
  scratch = mkdtempSync(path.join(tmpdir(), 'tagsmith-tok-'));
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('tagsmith attention', () => {
  it("prints A1111's pairs for an argument", () => {
    const { code, stdout } = run(['attention', '(a:1.2) [b] BREAK c']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([['a', 1.2], [' ', 1], ['b', 1 / 1.1], ['', 1], ['BREAK', -1], ['c', 1]]);
    // Shortest round-trip digits, as Python's repr prints the same double.
    expect(stdout.trim()).toBe('[["a",1.2],[" ",1],["b",0.9090909090909091],["",1],["BREAK",-1],["c",1]]');
  });

  it('reads the prompt from stdin without its final newline', () => {
    const { code, stdout } = run(['attention'], '((cat))\n');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('[["cat",1.2100000000000002]]');
  });

  it('prints a weight that overflows to infinity as 1e999 (valid JSON, reads back as infinity)', () => {
    const { stdout } = run(['attention', `(a:1${'0'.repeat(400)})`]);
    expect(stdout.trim()).toBe('[["a",1e999]]');
    expect(JSON.parse(stdout)).toEqual([['a', Infinity]]);
  });

  it('prints [["", 1]] for an empty prompt', () => {
    expect(run(['attention', '']).stdout.trim()).toBe('[["",1]]');
  });

  it('answers each --jsonl line, and names bad lines without stopping', () => {
    const input = ['"(a)"', '', 'oops', '{"x": 1}', '"[b]"'].join('\n') + '\n';
    const { code, stdout } = run(['attention', '--jsonl'], input);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      [['a', 1.1]],
      { error: expect.stringMatching(/^line 3: not valid JSON/), line: 3 },
      { error: 'line 4: expected a JSON string', line: 4 },
      [['b', 1 / 1.1]],
    ]);
  });

  it('has help', () => {
    const { code, stdout } = run(['attention', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: tagsmith attention');
  });
});

describe('tagsmith tokenize and chunks with the fixture tokenizer', () => {
  it('tokenizes with --tokenizer and with $TAGSMITH_TOKENIZER', () => {
    expect(JSON.parse(run(['tokenize', '--tokenizer', MINI_DIR, 'a cat']).stdout)).toEqual([320, 513]);
    expect(JSON.parse(run(['tokenize', 'dog'], undefined, { TAGSMITH_TOKENIZER: MINI_DIR }).stdout)).toEqual([519]);
  });

  it('accepts a model folder that holds tokenizer/', () => {
    const model = path.join(scratch, 'model');
    mkdirSync(model);
    cpSync(MINI_DIR, path.join(model, 'tokenizer'), { recursive: true });
    expect(JSON.parse(run(['tokenize', '--tokenizer', model, 'bat']).stdout)).toEqual([517]);
  });

  it('uses the bundled CLIP tokenizer when none is given', () => {
    // The ids Hugging Face's CLIPTokenizer documents for this text (no start/end tokens).
    const { code, stdout, stderr } = run(['tokenize', 'a photo of a cat']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.trim()).toBe('[320,1125,539,320,2368]');
    const chunks = JSON.parse(run(['chunks', 'a photo of a cat']).stdout) as { chunks: number[][]; tokenCount: number };
    expect(chunks.tokenCount).toBe(5);
    expect(chunks.chunks[0]!.slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
  });

  it('names the folder, the file and the line of a broken tokenizer', () => {
    const broken = path.join(scratch, 'broken');
    mkdirSync(broken);
    cpSync(path.join(MINI_DIR, 'vocab.json'), path.join(broken, 'vocab.json'));
    writeFileSync(path.join(broken, 'merges.txt'), '#version: 0.2\nc a\nc\n');
    const { code, stderr } = run(['tokenize', '--tokenizer', broken, 'x']);
    expect(code).toBe(2);
    expect(stderr).toContain(`${broken}: merges.txt, line 3: expected two symbols`);
    const missing = run(['tokenize', '--tokenizer', path.join(scratch, 'nowhere'), 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('tokenizer folder not found');
  });

  it('prints chunks, multipliers and the count', () => {
    const { code, stdout } = run(['chunks', '--tokenizer', MINI_DIR, '(cat:1.5) BREAK dog']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { chunks: number[][]; multipliers: number[][]; tokenCount: number };
    expect(Object.keys(result)).toEqual(['chunks', 'multipliers', 'tokenCount']);
    expect(result.chunks).toEqual([
      [522, 513, ...Array<number>(75).fill(523)],
      [522, 519, ...Array<number>(75).fill(523)],
    ]);
    expect(result.multipliers[0]!.slice(0, 3)).toEqual([1, 1.5, 1]);
    expect(result.tokenCount).toBe(76);
  });

  it("pads with 0 for --encoder 2 and lists tokens with --tokens", () => {
    const result = JSON.parse(run(['chunks', '--tokenizer', MINI_DIR, '--encoder', '2', '--tokens', 'a dog']).stdout) as {
      chunks: number[][];
      tokens: Array<{ start: number; end: number; id: number }>;
    };
    expect(result.chunks[0]).toEqual([522, 320, 519, 523, ...Array<number>(73).fill(0)]);
    expect(result.tokens.map((t) => [t.id, t.start, t.end])).toEqual([[320, 0, 1], [519, 2, 5]]);
    expect(run(['chunks', '--tokenizer', MINI_DIR, '--encoder', '3', 'x']).code).toBe(2);
  });

  it('reads the prompt from stdin', () => {
    const result = JSON.parse(run(['chunks', '--tokenizer', MINI_DIR], 'cat, dog\n').stdout) as { tokenCount: number };
    expect(result.tokenCount).toBe(3);
  });

  it('runs --jsonl prompts in one process', () => {
    const prompts = ['cat', 'dog, cat', 'BREAK'];
    const { code, stdout } = run(['chunks', '--tokenizer', MINI_DIR, '--jsonl'], prompts.map((p) => JSON.stringify(p)).join('\n'));
    expect(code).toBe(0);
    const counts = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { tokenCount: number }).tokenCount);
    expect(counts).toEqual([1, 3, 75]);
  });

  it('has help for both verbs', () => {
    for (const verb of ['tokenize', 'chunks']) {
      const { code, stdout } = run([verb, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: tagsmith ${verb}`);
      expect(stdout).toContain('TAGSMITH_TOKENIZER');
      expect(stdout).toContain('the bundled CLIP tokenizer');
    }
  });
});

describe.skipIf(!HAS_REAL_CLIP)('tagsmith tokenize with the real vocabulary', () => {
  it('gives the known vector', () => {
    expect(run(['tokenize', '--tokenizer', REAL_CLIP_DIR, 'a photo of a cat']).stdout.trim()).toBe('[320,1125,539,320,2368]');
  });
});
