// `tagsmith check` as users run it: the built dist/cli.js in a child process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

function run(args: string[], cwd = ROOT, timeout = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tagsmith-check-'));
}

describe('tagsmith check', () => {
  it('runs clean on examples/', () => {
    const r = run(['check', 'examples/']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('reports the issue example at exact line:col and exits 1', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.sdprompt');
    writeFileSync(file, '1boy, (best quality, year 2030\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 833x1216\n');
    const r = run(['check', file]);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${file}:1:7: error: Unclosed '(': A1111 closes it at the end of the prompt [unclosed-bracket]`,
      `${file}:1:22: warning: 'year 2030': AnimeBoysXL was trained on years 2005–2023 [year-out-of-range]`,
      `${file}:2:60: error: Size 833x1216: width and height must be multiples of 8 (nearest: 832x1216) [size-not-multiple-of-8]`,
    ]);
    expect(r.code).toBe(1);
  });

  it('writes JSON with --format json', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.sdprompt'), 'best qualty\n');
    const r = run(['check', '--format', 'json', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { file: join(dir, 'a.sdprompt'), line: 1, column: 1, endLine: 1, endColumn: 12, severity: 'warning', code: 'near-miss', message: "'best qualty' is not a quality tag of AnimeBoysXL: did you mean 'best quality'?" },
    ]);
  });

  it('recurses into folders for *.sdprompt only, skipping dot folders', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
    mkdirSync(join(dir, '.hidden'));
    writeFileSync(join(dir, 'sub/deeper/x.sdprompt'), 'a)\n');
    writeFileSync(join(dir, 'sub/notes.txt'), 'a)\n');
    writeFileSync(join(dir, '.hidden/y.sdprompt'), 'a)\n');
    const r = run(['check', dir]);
    expect(r.stdout).toBe(`${join(dir, 'sub/deeper/x.sdprompt')}:1:2: error: ')' closes nothing: A1111 reads it as text [stray-bracket]\n`);
  });

  it('counts columns in characters, after a BOM, across CRLF, emoji and lone surrogates', () => {
    const dir = tempDir();
    const file = join(dir, 'u.sdprompt');
    writeFileSync(file, '\ufeff🐱 a\r\n🐱🐱 (b\r\n');
    expect(run(['check', file]).stdout).toBe(`${file}:2:4: error: Unclosed '(': A1111 closes it at the end of the prompt [unclosed-bracket]\n`);
    // A lone surrogate cannot be stored in UTF-8: written as CESU bytes it is invalid UTF-8.
    writeFileSync(file, Buffer.concat([Buffer.from('a, '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(', (b\n')]));
    const r = run(['check', file]);
    expect(r.stdout).toContain(`${file}:1:4: error: Invalid UTF-8 (byte 0xed at offset 3): .sdprompt files are UTF-8 [invalid-utf8]`);
    expect(r.stdout).toContain('[unclosed-bracket]');
    expect(r.code).toBe(1);
  });

  it('names binary, missing and oversized files without a stack trace, exit 2', () => {
    const dir = tempDir();
    const binary = join(dir, 'b.sdprompt');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    let r = run(['check', binary]);
    expect(r.stderr).toBe(`tagsmith check: ${binary}: binary file (NUL byte at offset 8), not a .sdprompt document\n`);
    expect(r.code).toBe(2);

    r = run(['check', join(dir, 'missing.sdprompt')]);
    expect(r.stderr).toBe(`tagsmith check: ${join(dir, 'missing.sdprompt')}: no such file or folder\n`);
    expect(r.code).toBe(2);

    // 50 MB of blocks is read and checked.
    const big = join(dir, 'big.sdprompt');
    const fd = openSync(big, 'w');
    const line = Buffer.from('1boy, solo, (best quality:1.1), [smile], year 2023\nSteps: 28, Sampler: Euler a, CFG scale: 5\n---\n');
    const chunk = Buffer.concat(Array.from({ length: 10_000 }, () => line));
    let written = 0;
    while (written < 50 * 1024 * 1024) written += writeSync(fd, chunk);
    closeSync(fd);
    // Generous limit: this proves robustness, not speed (speed lives in `npm run bench`).
    r = run(['check', big], ROOT, 400_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    // Over the limit: a clear message.
    const huge = join(dir, 'huge.sdprompt');
    const hfd = openSync(huge, 'w');
    ftruncateSync(hfd, 65 * 1024 * 1024);
    closeSync(hfd);
    r = run(['check', huge]);
    expect(r.stderr).toBe(`tagsmith check: ${huge}: file is 65.0 MB; check reads .sdprompt files up to 64 MB\n`);
    expect(r.code).toBe(2);
  }, 600_000);

  it('handles unterminated brackets and escapes', () => {
    const dir = tempDir();
    const file = join(dir, 'u.sdprompt');
    writeFileSync(file, '((((a\\\n[b\\');
    const r = run(['check', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.slice(file.length))).toEqual([
      ":1:1: error: Unclosed '(': A1111 closes it at the end of the prompt [unclosed-bracket]",
      ":1:2: error: Unclosed '(': A1111 closes it at the end of the prompt [unclosed-bracket]",
      ":1:3: error: Unclosed '(': A1111 closes it at the end of the prompt [unclosed-bracket]",
      ":1:4: error: Unclosed '(': A1111 closes it at the end of the prompt [unclosed-bracket]",
      ":2:1: error: Unclosed '[': A1111 closes it at the end of the prompt [unclosed-bracket]",
    ]);
  });

  it('has --help, and exits 2 on usage errors', () => {
    expect(run(['check', '--help']).stdout).toContain('Usage: tagsmith check [options] PATH...');
    const none = run(['check']);
    expect(none.stderr).toContain('tagsmith check: no PATH given');
    expect(none.code).toBe(2);
    const bad = run(['check', '--format', 'xml', 'examples']);
    expect(bad.stderr).toContain("--format must be 'text' or 'json', not 'xml'");
    expect(bad.code).toBe(2);
    const unknown = run(['check', '--frobnicate', 'examples']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    expect(run(['--help']).stdout).toContain('check');
  });
});
