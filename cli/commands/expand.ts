// `tagsmith expand`: sd-dynamic-prompts templates expanded as the A1111 extension does (dynamicprompts 0.31,
// default options). Reads the wildcard folders here (Node fs) and hands their contents to core/template.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { expandCombinatorial, expandRandom, type ExpandResult, type WildcardLibrary } from '../../core';
import { readWildcardFolder, wildcardLibrary } from '../../server/wildcardFiles';
import { UsageError, UserError, type Command, type CommandIO } from '../command';
import { toJson } from './attention';

export const expand: Command = {
  name: 'expand',
  summary: 'Expand an sd-dynamic-prompts template into the prompts the A1111 extension would send',
  help: `Usage: tagsmith expand [--wildcards DIR]... (--seed S [--count N] | --seeds S1,S2,... | --combinatorial [--max N]) [TEXT]
       tagsmith expand [--wildcards DIR]... --jsonl

Expands a Dynamic Prompts template ({a|b}, {2$$a|b|c}, __wildcards__, \${variables}, ...) exactly as
sd-dynamic-prompts 2.17 (dynamicprompts 0.31, default settings) does, and prints {"prompts": [...]}.
Random mode gives one prompt per image seed: one generator for the batch, its random.Random reseeded with
each seed (A1111 uses seed, seed+1, ... for a batch, or the same seed with "Fixed seed"). Combinatorial
mode gives every combination, the leftmost part varying slowest. Where the library raises (a parse error,
an undefined variable, ...) it prints {"error": "..."} and exits 1.

The template is TEXT, or else all of stdin (one trailing newline removed).

Options:
  --wildcards DIR    a wildcard folder (.txt, .json, .yaml read as PyYAML reads it); repeat for more, later
                     folders win on equal names. Files are read in code-point order of their paths.
  --seed S           one image seed (an integer of any size)
  --count N          with --seed: N images with seeds S, S+1, ..., S+N-1 (default 1)
  --seeds LIST       comma-separated image seeds, e.g. 7,7,7 or 100,101,102
  --combinatorial    all combinations instead of random picks
  --max N            with --combinatorial: at most N prompts (0 = all, the default)
  --jsonl            read one JSON object per line from stdin, {"template": T, "seeds": [...]} or
                     {"template": T, "combinatorial": true, "max": N}, and write one result per line;
                     a bad line gives {"error": "...", "line": N} and the rest go on (exit code 1)
  -h, --help         show this help
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        wildcards: { type: 'string', multiple: true },
        seed: { type: 'string' },
        count: { type: 'string' },
        seeds: { type: 'string' },
        combinatorial: { type: 'boolean' },
        max: { type: 'string' },
        jsonl: { type: 'boolean' },
      },
    });
    if (positionals.length > 1) throw new UsageError(`give the template as one argument (quote it); got ${positionals.length}`);
    const sources = (values.wildcards ?? []).flatMap((dir) => {
      const absolute = resolve(io.cwd, dir);
      const problems: string[] = [];
      const files = readWildcardFolder(absolute, problems);
      // A folder that is not there is a mistake in the call; a bad file inside one is named and skipped.
      const fatal = problems.find((p) => p.startsWith(`${absolute}: `) && /: (no such folder|not a folder)$/.test(p));
      if (fatal) throw new UserError(`${dir}${fatal.slice(absolute.length)}`);
      for (const problem of problems) io.stderr(`tagsmith expand: ${problem}\n`);
      return files;
    });
    const library = wildcardLibrary(sources);
    for (const warning of library.warnings) io.stderr(`tagsmith expand: ${warning}\n`);

    if (values.jsonl) {
      if (positionals.length > 0) throw new UsageError('--jsonl reads templates from stdin; give no TEXT');
      if (values.seed !== undefined || values.seeds !== undefined || values.combinatorial || values.max !== undefined || values.count !== undefined) {
        throw new UsageError('with --jsonl each line gives its own seeds or "combinatorial"; give no --seed, --seeds, --count, --combinatorial or --max');
      }
      return runJsonl(await io.readStdin(), library, io);
    }

    const modes = [values.seed !== undefined, values.seeds !== undefined, values.combinatorial === true].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('give exactly one of --seed S, --seeds S1,S2,... or --combinatorial');
    if (values.count !== undefined && values.seed === undefined) throw new UsageError('--count goes with --seed');
    if (values.max !== undefined && !values.combinatorial) throw new UsageError('--max goes with --combinatorial');
    const template = positionals[0] ?? (await io.readStdin()).replace(/\r?\n$/, '');

    let result: ExpandResult;
    if (values.combinatorial) {
      result = expandCombinatorial(template, values.max === undefined ? undefined : nonNegative(values.max, '--max'), { wildcards: library });
    } else {
      let seeds: bigint[];
      if (values.seeds !== undefined) seeds = values.seeds.split(',').map((s) => seedOf(s.trim(), '--seeds'));
      else {
        const first = seedOf(values.seed!, '--seed');
        const count = values.count === undefined ? 1 : nonNegative(values.count, '--count');
        seeds = Array.from({ length: count }, (_, i) => first + BigInt(i));
      }
      result = expandRandom(template, seeds, { wildcards: library });
    }
    io.stdout(toJson(result.ok ? { prompts: result.prompts } : { error: result.error }) + '\n');
    return result.ok ? 0 : 1;
  },
};

function seedOf(text: string, option: string): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`${option}: '${text}' is not an integer seed`);
  return BigInt(text);
}

function nonNegative(text: string, option: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${option}: '${text}' is not a non-negative integer`);
  return Number(text);
}

function runJsonl(input: string, library: WildcardLibrary, io: CommandIO): number {
  const lines = input.split('\n');
  let failed = false;
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    let result: unknown;
    try {
      result = runJob(JSON.parse(quoteBigIntegers(line)));
    } catch (error) {
      failed = true;
      const why = error instanceof SyntaxError ? `not valid JSON (${error.message})` : (error as Error).message;
      result = { error: `line ${i + 1}: ${why}`, line: i + 1 };
    }
    out += toJson(result) + '\n';
    if (out.length > 1 << 16) {
      io.stdout(out);
      out = '';
    }
  }
  io.stdout(out);
  return failed ? 1 : 0;

  function runJob(job: unknown): unknown {
    if (typeof job !== 'object' || job === null || Array.isArray(job)) throw new Error('expected a JSON object');
    const { template, seeds, combinatorial, max } = job as Record<string, unknown>;
    if (typeof template !== 'string') throw new Error('"template" must be a string');
    let r: ExpandResult;
    if (combinatorial === true) {
      if (max !== undefined && max !== null && !(typeof max === 'number' && Number.isSafeInteger(max) && max >= 0)) throw new Error('"max" must be a non-negative integer');
      r = expandCombinatorial(template, typeof max === 'number' ? max : undefined, { wildcards: library });
    } else {
      if (!Array.isArray(seeds)) throw new Error('give "seeds": [...] or "combinatorial": true');
      const list = seeds.map((s) => {
        if (typeof s === 'number' && Number.isSafeInteger(s)) return BigInt(s);
        if (typeof s === 'string' && /^[+-]?\d+$/.test(s)) return BigInt(s);
        throw new Error(`seed ${JSON.stringify(s)} is not an integer`);
      });
      r = expandRandom(template, list, { wildcards: library });
    }
    return r.ok ? { prompts: r.prompts } : { error: r.error };
  }
}

/** Turns integer literals too long for a double (16+ digits) into strings, outside JSON strings. */
function quoteBigIntegers(json: string): string {
  if (!/\d{16}/.test(json)) return json;
  let out = '';
  let i = 0;
  while (i < json.length) {
    const c = json[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(json.slice(i))!;
      const literal = m[0];
      out += /^-?\d{16,}$/.test(literal) ? `"${literal}"` : literal;
      i += Math.max(1, literal.length);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

