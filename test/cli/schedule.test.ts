// `tagsmith schedule` as users run it: the built dist/cli.js in a child process. Expectations are derived by
// hand from A1111's modules/prompt_parser.py (and its doctests), written as Python's json would read them.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'schedule', ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tagsmith schedule', () => {
  it('prints the AND parts with their weights and schedules', () => {
    const r = run(['--steps', '10', 'a [b:c:0.5] AND d:1.2']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('{"subprompts":[{"weight":1.0,"schedule":[[5,"a b"],[10,"a c"]]},{"weight":1.2,"schedule":[[10," d"]]}]}\n');
    expect(r.code).toBe(0);
  });

  it('defaults to 20 steps', () => {
    expect(run(['[a:b:0.5]']).stdout).toBe('{"subprompts":[{"weight":1.0,"schedule":[[10,"a"],[20,"b"]]}]}\n');
  });

  it('reads the prompt from stdin without its trailing newline', () => {
    expect(run(['--steps', '3'], '[x|y]\n').stdout).toBe('{"subprompts":[{"weight":1.0,"schedule":[[1,"x"],[2,"y"],[3,"x"]]}]}\n');
  });

  it("A1111's module example (steps = 100)", () => {
    const prompt = 'fantasy landscape with a [mountain:lake:0.25] and [an oak:a christmas tree:0.75][ in foreground::0.6][ in background:0.25] [shoddy:masterful:0.5]';
    expect(JSON.parse(run(['--steps', '100', prompt]).stdout)).toEqual({
      subprompts: [
        {
          weight: 1,
          schedule: [
            [25, 'fantasy landscape with a mountain and an oak in foreground shoddy'],
            [50, 'fantasy landscape with a lake and an oak in foreground in background shoddy'],
            [60, 'fantasy landscape with a lake and an oak in foreground in background masterful'],
            [75, 'fantasy landscape with a lake and an oak in background masterful'],
            [100, 'fantasy landscape with a lake and a christmas tree in background masterful'],
          ],
        },
      ],
    });
  });

  it('prints weights as Python floats', () => {
    const weight = (prompt: string) => /"weight":([^,]*),/.exec(run(['--steps', '1', prompt]).stdout)?.[1];
    expect(weight('a')).toBe('1.0');
    expect(weight('a:2')).toBe('2.0');
    expect(weight('a:-0')).toBe('-0.0');
    expect(weight('a:0.0001')).toBe('0.0001');
    expect(weight('a:0.00001')).toBe('1e-05');
    expect(weight('a:1234567890123456')).toBe('1234567890123456.0');
    expect(weight('a:10000000000000000')).toBe('1e+16');
    expect(weight('a:12345678901234567890')).toBe('1.2345678901234567e+19');
    expect(weight('a:１.５')).toBe('1.5');
  });

  it('gives a part its grammar rejects verbatim, and the others scheduled', () => {
    expect(run(['--steps', '4', 'a | b AND [c|d]']).stdout).toBe(
      '{"subprompts":[{"weight":1.0,"schedule":[[4,"a | b"]]},{"weight":1.0,"schedule":[[1," c"],[2," d"],[3," c"],[4," d"]]}]}\n',
    );
  });

  it('escapes in the output JSON', () => {
    expect(run(['--steps', '2', '"q" \\\\ [\n|\t]']).stdout).toBe('{"subprompts":[{"weight":1.0,"schedule":[[1,"\\"q\\" \\\\\\\\ \\n"],[2,"\\"q\\" \\\\\\\\ \\t"]]}]}\n');
  });

  it('--jsonl: one result per line, a bad line gives an error object and the rest go on (exit 1)', () => {
    const input = [
      '{"prompt": "[a:b:2]", "steps": 3}',
      'not json',
      '',
      '{"prompt": 5, "steps": 3}',
      '{"prompt": "x", "steps": 0}',
      '{"prompt": "x", "steps": 2.5}',
      '"just a string"',
      '{"prompt": "[a:b:0.5] AND c:3"}',
      '{"prompt": "x|y", "steps": 7}\r',
    ].join('\n');
    const r = run(['--jsonl', '--steps', '4'], input + '\n');
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe('{"subprompts":[{"weight":1.0,"schedule":[[2,"a"],[3,"b"]]}]}');
    expect(JSON.parse(lines[1]!)).toMatchObject({ line: 2 });
    expect(JSON.parse(lines[1]!).error).toMatch(/^line 2: not valid JSON/);
    expect(JSON.parse(lines[2]!)).toEqual({ error: 'line 4: "prompt" must be a string', line: 4 });
    expect(JSON.parse(lines[3]!)).toMatchObject({ line: 5 });
    expect(JSON.parse(lines[4]!)).toMatchObject({ line: 6 });
    expect(JSON.parse(lines[5]!)).toMatchObject({ line: 7 });
    // "steps" left out: --steps applies.
    expect(lines[6]).toBe('{"subprompts":[{"weight":1.0,"schedule":[[2,"a"],[4,"b"]]},{"weight":3.0,"schedule":[[4," c"]]}]}');
    expect(lines[7]).toBe('{"subprompts":[{"weight":1.0,"schedule":[[7,"x|y"]]}]}');
    expect(r.code).toBe(1);
  });

  it('--jsonl exits 0 when every line is good, and handles a large prompt', () => {
    const big = '[a:b:3] '.repeat(5_000);
    const r = run(['--jsonl'], `${JSON.stringify({ prompt: big, steps: 10 })}\n${JSON.stringify({ prompt: '[[[['.repeat(10_000), steps: 20 })}\n`);
    const lines = r.stdout.trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ subprompts: [{ weight: 1, schedule: [[3, 'a '.repeat(5_000).trimEnd()], [10, 'b '.repeat(5_000).trimEnd()]] }] });
    expect(JSON.parse(lines[1]!)).toEqual({ subprompts: [{ weight: 1, schedule: [[20, '[[[['.repeat(10_000)]] }] });
    expect(r.code).toBe(0);
  });

  it('usage errors exit 2 with a message', () => {
    for (const args of [['--steps', '0', 'a'], ['--steps', 'x', 'a'], ['--steps', '1.5', 'a'], ['a', 'b'], ['--jsonl', 'a'], ['--bogus']]) {
      const r = run(args, '');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^tagsmith schedule: /);
      expect(r.stdout).toBe('');
    }
  });

  it('has --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tagsmith schedule \[--steps N\] \[TEXT\] \[--jsonl\]/);
  });
});
