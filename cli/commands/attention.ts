// `tagsmith attention [TEXT] [--jsonl]`: A1111's parse_prompt_attention as JSON [text, weight] pairs.
// Also home of the prompt-in, JSON-out plumbing the tokenize and chunks verbs share.
import { parseArgs } from 'node:util';
import { parsePromptAttention } from '../../core';
import { UsageError, type Command, type CommandIO } from '../command';

export const attention: Command = {
  name: 'attention',
  summary: "A1111's attention weights of a prompt, as JSON [text, weight] pairs",
  help: `Usage: tagsmith attention [TEXT] [--jsonl]

Prints what A1111's parse_prompt_attention returns for the prompt, as a JSON array of [text, weight]
pairs: (x) is x1.1, [x] x(1/1.1), (x:w) xw, escapes \\( \\) \\[ \\] \\\\, BREAK as ["BREAK", -1], runs of
equal weight merged; an empty prompt gives [["", 1]]. Weights are printed with the shortest digits that
round-trip, so they match Python's float repr to the bit.

The prompt is TEXT, or else all of stdin (one trailing newline removed).

Options:
  --jsonl     read one JSON string per line from stdin, write one JSON result per line; a line that is
              not a JSON string gives {"error": "...", "line": N} and the rest go on (exit code 1)
  -h, --help  show this help
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { jsonl: { type: 'boolean' } } });
    return runPerPrompt(positionals, values.jsonl === true, io, (prompt) => parsePromptAttention(prompt));
  },
};

/**
 * Runs `compute` on the prompt from the argument or stdin, or on every line of stdin with --jsonl, and
 * prints each result as JSON. Returns the exit code: 1 when a --jsonl line was bad, else 0.
 */
export async function runPerPrompt(positionals: string[], jsonl: boolean, io: CommandIO, compute: (prompt: string) => unknown): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`give the prompt as one argument (quote it); got ${positionals.length}`);
  if (jsonl) {
    if (positionals.length > 0) throw new UsageError('--jsonl reads prompts from stdin; give no TEXT');
    const lines = (await io.readStdin()).split('\n');
    let failed = false;
    let out = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, '');
      if (line.trim() === '') continue;
      let prompt: unknown;
      try {
        prompt = JSON.parse(line);
      } catch (error) {
        prompt = error;
      }
      if (typeof prompt !== 'string') {
        failed = true;
        const why = prompt instanceof Error ? `not valid JSON (${prompt.message})` : 'expected a JSON string';
        out += toJson({ error: `line ${i + 1}: ${why}`, line: i + 1 }) + '\n';
      } else {
        out += toJson(compute(prompt)) + '\n';
      }
      // Flush in blocks so thousands of prompts neither wait for the end nor write one line at a time.
      if (out.length > 1 << 16) {
        io.stdout(out);
        out = '';
      }
    }
    io.stdout(out);
    return failed ? 1 : 0;
  }
  const prompt = positionals[0] ?? (await io.readStdin()).replace(/\r?\n$/, '');
  io.stdout(toJson(compute(prompt)) + '\n');
  return 0;
}

/**
 * JSON.stringify, except that infinite numbers print as 1e999 / -1e999 (valid JSON that reads back as
 * infinity in JavaScript and Python; A1111 weights can overflow) rather than null.
 */
export function toJson(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return Number.isNaN(value) ? 'null' : value > 0 ? '1e999' : '-1e999';
  }
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value)) if (item !== undefined) parts.push(`${JSON.stringify(key)}:${toJson(item)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
