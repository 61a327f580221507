// `tagsmith check` as users run it: the built dist/cli.js in a child process.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, readdirSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

function run(args: string[], cwd = ROOT, timeout = 60_000, as?: { uid: number; gid: number }): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout, ...as });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tagsmith-check-'));
}

describe('tagsmith check', () => {
  it('finds no problem in examples/, only what the editor says for information', () => {
    const r = run(['check', 'examples/']);
    expect(r.stderr).toBe('');
    const codes = r.stdout.trim().split('\n').map((l) => / info: .*\[([\w-]+)\]$/.exec(l)?.[1]);
    // A two-chunk prompt's count; a LoRA the builtin backend (the default, as in the editor) does not apply.
    expect(codes).toEqual(['token-count', 'builtin-network-not-applied']);
    expect(r.code).toBe(0);
    expect(run(['check', '--backend', 'url', 'examples/']).stdout).not.toContain('builtin-network-not-applied');
    expect(run(['check', '--backend', 'comfy', 'examples/']).code).toBe(2);
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

  it('refuses devices and named pipes by name, without reading them or hanging', () => {
    if (process.platform === 'win32') return;
    // /dev/zero used to be read until memory ran out; its stat size is 0, so the cap must also bound the read.
    let r = run(['check', '/dev/zero'], ROOT, 20_000);
    expect(r.stderr).toBe('tagsmith check: /dev/zero: a character device, not a regular file; check reads .sdprompt files only\n');
    expect(r.code).toBe(2);
    const dir = tempDir();
    const fifo = join(dir, 'pipe.sdprompt');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // Without a writer, a blocking open of a FIFO never returns: the timeout would kill it (code null).
    r = run(['check', fifo], ROOT, 20_000);
    expect(r.stderr).toBe(`tagsmith check: ${fifo}: a named pipe, not a regular file; check reads .sdprompt files only\n`);
    expect(r.code).toBe(2);
    // Inside a folder too, and the other files are still checked.
    writeFileSync(join(dir, 'ok.sdprompt'), 'a)\n');
    r = run(['check', dir], ROOT, 20_000);
    expect(r.stderr).toBe(`tagsmith check: ${fifo}: a named pipe, not a regular file; check reads .sdprompt files only\n`);
    expect(r.stdout).toContain(`${join(dir, 'ok.sdprompt')}:1:2: error:`);
    expect(r.code).toBe(2);
  });

  it('reports an unreadable subfolder by name and checks the rest, exit 2', () => {
    if (process.platform === 'win32') return;
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'a/x.sdprompt'), 'a)\n');
    writeFileSync(join(dir, 'locked/y.sdprompt'), 'a)\n');
    writeFileSync(join(dir, 'z.sdprompt'), 'b)\n');
    chmodSync(join(dir, 'locked'), 0o000);
    // root reads a mode-000 folder anyway: then the CLI runs as the unprivileged 'nobody' (uid 65534), for whom
    // the mode holds. Skipped where neither makes the folder unreadable.
    const root = process.getuid?.() === 0;
    const as = root ? { uid: 65534, gid: 65534 } : undefined;
    const probe = spawnSync(process.execPath, ['-e', `require('fs').readdirSync(${JSON.stringify(join(dir, 'locked'))})`], { ...as });
    if (probe.status === 0) return; // the folder is still readable: nothing to test here
    const r = run(['check', dir], ROOT, 20_000, as);
    expect(r.stderr).toBe(`tagsmith check: ${join(dir, 'locked')}: cannot read the folder (permission denied); its files were not checked\n`);
    expect(r.stdout).toBe(
      `${join(dir, 'a/x.sdprompt')}:1:2: error: ')' closes nothing: A1111 reads it as text [stray-bracket]\n` +
      `${join(dir, 'z.sdprompt')}:1:2: error: ')' closes nothing: A1111 reads it as text [stray-bracket]\n`,
    );
    expect(r.code).toBe(2);
    chmodSync(join(dir, 'locked'), 0o755);
  });

  it('escapes control characters in file names, so a name cannot forge a diagnostic or drive the terminal', () => {
    if (process.platform === 'win32') return;
    const dir = tempDir();
    const name = 'x\nforged.sdprompt:9:9: error: fake [x]\n\u001b[2Jy.sdprompt';
    writeFileSync(join(dir, name), 'a)\n');
    const r = run(['check', dir]);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toEqual([`${dir}/x\\nforged.sdprompt:9:9: error: fake [x]\\n\\u001b[2Jy.sdprompt:1:2: error: ')' closes nothing: A1111 reads it as text [stray-bracket]`]);
    expect(r.stdout).not.toContain('\u001b');
    // JSON keeps the name exact (JSON.stringify escapes it).
    expect(JSON.parse(run(['check', '--format', 'json', dir]).stdout)[0].file).toBe(join(dir, name));
    // Names in messages on stderr too.
    const missing = run(['check', join(dir, 'gone\n\u001b.sdprompt')]);
    expect(missing.stderr).toBe(`tagsmith check: ${dir}/gone\\n\\u001b.sdprompt: no such file or folder\n`);
  });

  it('follows symbolic links inside folders, once, and names broken ones', () => {
    if (process.platform === 'win32') return;
    const dir = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'real.sdprompt'), 'a)\n');
    mkdirSync(join(elsewhere, 'sub'));
    writeFileSync(join(elsewhere, 'sub/inner.sdprompt'), 'b)\n');
    symlinkSync(join(elsewhere, 'real.sdprompt'), join(dir, 'linked.sdprompt'));
    symlinkSync(join(elsewhere, 'sub'), join(dir, 'linkedsub'));
    symlinkSync(dir, join(dir, 'loop')); // a link back up: must not recurse for ever
    symlinkSync(join(dir, 'nothing-here'), join(dir, 'broken.sdprompt'));
    const r = run(['check', dir], ROOT, 20_000);
    expect(r.stderr).toBe(`tagsmith check: ${join(dir, 'broken.sdprompt')}: broken symbolic link (no such file or folder)\n`);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual([join(dir, 'linked.sdprompt'), join(dir, 'linkedsub/inner.sdprompt')]);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toHaveLength(4);
  });
});

describe('tagsmith check on a file with a great many problems', () => {
  it('lists 200 of each kind per block and says how many more (no internal error from a call with too many arguments)', () => {
    const dir = tempDir();
    const file = join(dir, 'deep.sdprompt');
    // 20,000 unclosed '(' '[' '{' (60K characters, under the block limit): 40,000 unclosed brackets.
    writeFileSync(file, '([{'.repeat(20_000) + 'x');
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const found = JSON.parse(r.stdout) as Array<{ code: string; message: string }>;
    const unclosed = found.filter((d) => d.code === 'unclosed-bracket');
    expect(unclosed).toHaveLength(201);
    // 40,000 unclosed brackets ('{' is template syntax): 200 listed, one for the rest.
    expect(unclosed.filter((d) => d.message.startsWith('39,800 more like this in this block are not listed'))).toHaveLength(1);
  }, 130_000);

  it('does not read a block over 64K characters, as the editor does not, and checks the blocks around it', () => {
    const dir = tempDir();
    const file = join(dir, 'huge.sdprompt');
    // 1boy twice before and after (duplicate-tag), and between them one block of 12,000 x 'solo, ' (72,000 characters).
    writeFileSync(file, `1boy, 1boy\n---\n${'solo, '.repeat(12_000)}\n---\n1boy, 1boy\n`);
    const r = run(['check', file]);
    expect(r.stdout.trim().split('\n').map((l) => l.replace(/^.*?:(\d+:\d+): (\w+): .*\[(.*)\]$/, '$1 $2 $3'))).toEqual([
      '1:7 warning duplicate-tag',
      '3:1 info block-too-large',
      '5:7 warning duplicate-tag',
    ]);
    expect(r.stdout).toContain('This block is 72,001 characters long');
  });

  it('says once that a tag of many chunks straddles, and quotes a long tag cut short', () => {
    const dir = tempDir();
    const file = join(dir, 'lora.sdprompt');
    // One line of 2,000 `<lora:` without '>' or comma: one tag of 12,000 characters over many chunks.
    writeFileSync(file, '<lora:'.repeat(2000));
    const r = run(['check', file]);
    const lines = r.stdout.trim().split('\n');
    const count = (code: string): number => lines.filter((l) => l.endsWith(`[${code}]`)).length;
    // 2,000 unclosed: 200 listed and one saying 1,800 more.
    expect([count('unclosed-extra-network'), count('chunk-straddle'), count('token-count')]).toEqual([201, 1, 1]);
    expect(lines.filter((l) => l.includes(': 1,800 more like this in this block are not listed'))).toHaveLength(1);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(500);
    // 199 characters of the tag (33 times `<lora:` and a `<`), then an ellipsis.
    expect(lines.find((l) => l.endsWith('[chunk-straddle]'))).toMatch(/ '(<lora:){33}<…' straddles the boundary of chunks 1 and 2/);
  });
});

describe('tagsmith check --tokenizer / --model', () => {
  const clip = resolve(ROOT, '../shared/data/clip');
  const long = 'test/fixtures/corpus/long.sdprompt';

  it.skipIf(!existsSync(clip))('counts with the tokenizer folder given, as with the bundled one (the same CLIP data)', () => {
    const bundled = run(['check', long]);
    const given = run(['check', '--tokenizer', clip, long]);
    expect(given.stderr).toBe('');
    expect(given.stdout).toBe(bundled.stdout);
    expect(given.stdout).toContain('[chunk-straddle]');
  });

  it('takes a model folder’s tokenizer/', () => {
    const model = tempDir();
    mkdirSync(join(model, 'tokenizer'));
    // A tokenizer of one merge: every word falls apart into characters, so the counts change.
    writeFileSync(join(model, 'tokenizer', 'merges.txt'), '#version: 0.2\nb o\n');
    const vocab: Record<string, number> = {};
    const chars = [...'abcdefghijklmnopqrstuvwxyz0123456789,'];
    for (const c of chars) vocab[c] = Object.keys(vocab).length;
    for (const c of chars) vocab[`${c}</w>`] = Object.keys(vocab).length;
    vocab['bo'] = Object.keys(vocab).length;
    vocab['<|startoftext|>'] = Object.keys(vocab).length;
    vocab['<|endoftext|>'] = Object.keys(vocab).length;
    writeFileSync(join(model, 'tokenizer', 'vocab.json'), JSON.stringify(vocab));
    const file = join(model, 'p.sdprompt');
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => `tag${i}`).join(', '));
    const r = run(['check', '--model', model, file]);
    expect(r.stderr).toBe('');
    // `tag` is t a g</w> (3 tokens: the one merge is `b o`), each digit one token, a comma after each but the
    // last: tag0..tag9 5 tokens with their comma, tag10..tag29 6. When a chunk reaches 75 tokens A1111 ends it
    // after the last comma if that is at most 20 tokens back: chunk 1 ends after tag13's comma (50 + 4*6 = 74
    // tokens, counted 75), chunk 2 after tag25's (12*6 = 72, counted 75), chunk 3 holds tag26..tag29 (3*6 + 5
    // = 23): 75 + 75 + 23 = 173 of 225.
    expect(r.stdout).toContain('Prompt uses 3 chunks: 173/225 tokens [token-count]');
  });

  it('names a missing tokenizer folder, and refuses --tokenizer with --model', () => {
    const r = run(['check', '--tokenizer', '/nonexistent/tok', 'examples/']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/tok');
    const both = run(['check', '--tokenizer', 'a', '--model', 'b', 'examples/']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--tokenizer or --model');
    const noTok = run(['check', '--model', tempDir(), 'examples/']);
    expect(noTok.code).toBe(2);
    expect(noTok.stderr).toContain('no tokenizer/ folder');
  });
});
