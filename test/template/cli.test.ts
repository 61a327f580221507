// `tagsmith expand` as users run it: the built dist/cli.js in a child process. Expected prompts were printed
// by dynamicprompts 0.31 over a folder with the same files (written as literals).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'expand', ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagsmith-expand-'));
  mkdirSync(join(dir, 'sub'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, 'colors.txt'), 'red\r\nblue\r\n\r\n# c\r\ngreen\r\n');
  writeFileSync(join(dir, 'sub/pantry.json'), '{"hair": ["2::long", "short"]}');
  writeFileSync(join(dir, '.git/x.txt'), 'no');
  writeFileSync(join(dir, 'bad.txt'), Buffer.from([...Buffer.from('caf'), 0xe9, ...Buffer.from(' au lait\n'), 0xef, 0xbb, 0xbf, ...Buffer.from('bom\n')]));
});

describe('tagsmith expand', () => {
  it('random mode over a wildcard folder (CRLF lines, JSON weights, hidden folder skipped)', () => {
    const r = run(['--wildcards', dir, '--seeds', '7,8,9,10', '{a|b} __colors__, __sub/hair__']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ prompts: ['b green, long', 'a green, long', 'b green, long', 'a red, long'] });
    expect(r.code).toBe(0);
  });

  it('invalid UTF-8 bytes in a .txt file are dropped, a BOM kept; an unknown wildcard stays as written', () => {
    expect(JSON.parse(run(['--wildcards', dir, '--seed', '1', '--count', '3', '__bad__']).stdout)).toEqual({ prompts: ['caf au lait', 'caf au lait', 'caf au lait'] });
    expect(JSON.parse(run(['--wildcards', dir, '--seed', '1', '__x__']).stdout)).toEqual({ prompts: ['__x__'] });
  });

  it('combinatorial mode, and a fixed seed', () => {
    expect(JSON.parse(run(['--wildcards', dir, '--combinatorial', '__colors__ {x|y}']).stdout)).toEqual({ prompts: ['blue x', 'blue y', 'green x', 'green y', 'red x', 'red y'] });
    expect(JSON.parse(run(['--combinatorial', '--max', '3', '{a|b}{c|d}']).stdout)).toEqual({ prompts: ['ac', 'ad', 'bc'] });
    expect(JSON.parse(run(['--seeds', '100,100,100', '{2$$a|b|c}']).stdout)).toEqual({ prompts: ['b,c', 'b,c', 'b,c'] });
  });

  it('reads the template from stdin', () => {
    expect(JSON.parse(run(['--seeds', '0,1,2'], '{a|b}\n').stdout)).toEqual({ prompts: ['b', 'b', 'a'] });
  });

  it('--jsonl: one result per line, library errors as {"error"}, bad lines reported and the rest go on', () => {
    const input = [
      '{"template": "{a|b}", "seeds": [0, 1, 12345678901234567890]}',
      '{"template": "${x}", "seeds": [0]}',
      'nope',
      '{"template": "{a|b}", "combinatorial": true}',
      '{"template": "50% off", "seeds": [0]}',
    ].join('\n');
    const r = run(['--jsonl'], input);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ prompts: ['b', 'b', 'b'] });
    expect(lines[1].error).toMatch(/^KeyError/);
    expect(lines[2]).toMatchObject({ line: 3 });
    expect(lines[3]).toEqual({ prompts: ['a', 'b'] });
    expect(lines[4].error).toMatch(/^ParseException/);
    expect(r.code).toBe(1);
  });

  it('a library error exits 1; usage mistakes exit 2 without a stack trace', () => {
    const e = run(['--seed', '0', '${x}']);
    expect(JSON.parse(e.stdout).error).toMatch(/KeyError/);
    expect(e.code).toBe(1);
    for (const args of [['{a|b}'], ['--seed', '1', '--seeds', '1,2', 'x'], ['--seed', 'x', 'y'], ['--wildcards', join(dir, 'none'), '--seed', '1', 'x']]) {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/at .*\.js/);
    }
  });
});

describe('tagsmith expand, YAML wildcard files (read as PyYAML safe_load reads them)', () => {
  it('names collections by key path, sorts values by code point, and warns of a value that is no string', () => {
    const yamlDir = mkdtempSync(join(tmpdir(), 'tagsmith-expand-yaml-'));
    writeFileSync(join(yamlDir, 'outfits.yaml'), 'clothes:\n  tops:\n    - shirt\n    - jacket\nyes_key: yes\n');
    // Combinatorial: the values of clothes/tops in code-point order.
    const all = run(['--wildcards', yamlDir, '--combinatorial', '__clothes/tops__']);
    expect(JSON.parse(all.stdout)).toEqual({ prompts: ['jacket', 'shirt'] });
    // `yes` is YAML 1.1's true, as PyYAML reads it: not a wildcard value.
    expect(all.stderr).toContain('outfits.yaml: unsupported value for key yes_key');
    // Seed 1: _randbelow(2) takes getrandbits(2), the first MT word of seed 1 shifted right by 30, which is 0.
    expect(JSON.parse(run(['--wildcards', yamlDir, '--seed', '1', '__clothes/tops__']).stdout)).toEqual({ prompts: ['jacket'] });
  });

  it('a missing folder is a usage error naming it', () => {
    const r = run(['--wildcards', '/no/such/wildcards', '--seed', '1', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/no/such/wildcards: no such folder');
  });
});
