// `tagsmith schedule [--steps N] [TEXT] [--jsonl]`: A1111's AND parts and prompt schedules as JSON.
import { parseArgs } from 'node:util';
import { pyFloatRepr, schedulePrompt, type PromptSchedule } from '../../core';
import { UsageError, type Command, type CommandIO } from '../command';
import { toJson } from './attention';

/** A1111's default for "Sampling steps" in the txt2img and img2img tabs. */
export const DEFAULT_STEPS = 20;
/** Alternation makes one entry per step, each a copy of the text: a bound keeps a typo from filling memory. */
export const MAX_STEPS = 100_000;

export const schedule: Command = {
  name: 'schedule',
  summary: "A1111's prompt schedule (prompt editing, alternation, AND weights) as JSON",
  help: `Usage: tagsmith schedule [--steps N] [TEXT] [--jsonl]

Prints what A1111 conditions each step on, as its modules/prompt_parser.py computes it:
{"subprompts": [{"weight": w, "schedule": [[end_step, text], ...]}, ...]}. The prompt is split at AND
(a part may end in :weight, 1.0 by default); each part's schedule lists the steps at which its text changes
— [from:to:when], [to:when], [from::when] (a when with a dot is a fraction of the steps, without one a
step), [a|b|c] (a new option every step) — each with the text used up to and including that step. A part
A1111's grammar rejects (a stray |, a \\ at the end) is its own text for every step. Weights print like
Python floats (1.0).

The prompt is TEXT, or else all of stdin (one trailing newline removed).

Options:
  --steps N   sampling steps, an integer from 1 to ${MAX_STEPS} (default ${DEFAULT_STEPS}, A1111's default)
  --jsonl     read one JSON object {"prompt": "...", "steps": N} per line from stdin ("steps" may be left
              out: --steps applies), write one JSON result per line; a bad line gives
              {"error": "...", "line": N} and the rest go on (exit code 1)
  -h, --help  show this help
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { jsonl: { type: 'boolean' }, steps: { type: 'string' } },
    });
    const steps = values.steps === undefined ? DEFAULT_STEPS : parseSteps(values.steps);
    if (steps === undefined) throw new UsageError(`--steps must be an integer from 1 to ${MAX_STEPS}, got '${values.steps}'`);
    if (positionals.length > 1) throw new UsageError(`give the prompt as one argument (quote it); got ${positionals.length}`);
    if (values.jsonl === true) {
      if (positionals.length > 0) throw new UsageError('--jsonl reads prompts from stdin; give no TEXT');
      return runJsonl(await io.readStdin(), steps, io);
    }
    const prompt = positionals[0] ?? (await io.readStdin()).replace(/\r?\n$/, '');
    io.stdout(scheduleJson(schedulePrompt(prompt, steps)) + '\n');
    return 0;
  },
};

function parseSteps(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= MAX_STEPS ? n : undefined;
}

function runJsonl(input: string, defaultSteps: number, io: CommandIO): number {
  const lines = input.split('\n');
  let failed = false;
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    let result: string;
    try {
      const { prompt, steps } = readLine(line, defaultSteps);
      result = scheduleJson(schedulePrompt(prompt, steps));
    } catch (error) {
      failed = true;
      const why = error instanceof Error ? error.message : String(error);
      result = toJson({ error: `line ${i + 1}: ${why}`, line: i + 1 });
    }
    out += result + '\n';
    // Flush in blocks so thousands of prompts neither wait for the end nor write one line at a time.
    if (out.length > 1 << 16) {
      io.stdout(out);
      out = '';
    }
  }
  io.stdout(out);
  return failed ? 1 : 0;
}

function readLine(line: string, defaultSteps: number): { prompt: string; steps: number } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object {"prompt": "...", "steps": N}');
  const { prompt, steps } = value as { prompt?: unknown; steps?: unknown };
  if (typeof prompt !== 'string') throw new Error('"prompt" must be a string');
  if (steps === undefined) return { prompt, steps: defaultSteps };
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) throw new Error(`"steps" must be an integer from 1 to ${MAX_STEPS}`);
  return { prompt, steps };
}

/** The result as JSON, weights written as Python's repr writes floats (`1.0`, `1e+16`, `1.5e-05`). */
export function scheduleJson(result: PromptSchedule): string {
  const parts = result.subprompts.map((p) => `{"weight":${pyFloatRepr(p.weight)},"schedule":${toJson(p.schedule)}}`);
  return `{"subprompts":[${parts.join(',')}]}`;
}
