// Parse and check speed of the core: a 1 MB document and a 10,000-block document. Wall time and
// main-thread CPU time (which leaves out waiting for a CPU on a shared machine). Side by side: A1111's own
// parse_prompt_attention under Python 3 on the same prompts, when TAGSMITH_A1111_PROMPT_PARSER names its
// modules/prompt_parser.py (it imports lark: `apt-get install python3-lark`; torch is stubbed).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePromptAttention } from '../core/attention';
import { checkDocument } from '../core/checks/index';
import { parseDocument } from '../core/parse/index';
import { defaultProfile } from '../core/profiles/index';
import { realisticDocument, realisticDocumentOfSize } from './corpus';
import { cpuRuns, fmtMs, median, report, timeRuns, type BenchSuite } from './util';

const PY_DRIVER = `
import importlib.util, json, sys, time, types
sys.modules.setdefault('torch', types.ModuleType('torch'))
spec = importlib.util.spec_from_file_location('a1111_prompt_parser', sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
prompts = json.load(open(sys.argv[2], encoding='utf-8'))
runs = int(sys.argv[3])
walls, cpus = [], []
for r in range(runs + 1):
    t0, c0 = time.perf_counter(), time.thread_time()
    for p in prompts:
        module.parse_prompt_attention(p)
    if r > 0:
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.thread_time() - c0) * 1000)
walls.sort(); cpus.sort()
print(json.dumps({'wall': walls[len(walls) // 2], 'cpu': cpus[len(cpus) // 2], 'python': sys.version.split()[0]}))
`;

/** A1111's parse_prompt_attention on `prompts` under Python 3, or why it was skipped. */
function a1111Attention(prompts: string[], runs: number): { wall: number; cpu: number; python: string } | string {
  const parser = process.env.TAGSMITH_A1111_PROMPT_PARSER;
  if (!parser) return 'skipped (set TAGSMITH_A1111_PROMPT_PARSER to the path of A1111\'s modules/prompt_parser.py)';
  if (!existsSync(parser)) return `skipped (${parser} not found)`;
  const dir = mkdtempSync(path.join(tmpdir(), 'tagsmith-a1111-'));
  try {
    writeFileSync(path.join(dir, 'driver.py'), PY_DRIVER);
    writeFileSync(path.join(dir, 'prompts.json'), JSON.stringify(prompts));
    const python = process.env.TAGSMITH_PYTHON ?? 'python3';
    const result = spawnSync(python, [path.join(dir, 'driver.py'), parser, path.join(dir, 'prompts.json'), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (result.status !== 0) return `skipped (${python} failed: ${(result.stderr || String(result.error)).trim().split('\n').pop()})`;
    return JSON.parse(result.stdout.trim().split('\n').pop()!) as { wall: number; cpu: number; python: string };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const parseBench: BenchSuite = {
  name: 'parse',
  async run() {
    const oneMb = realisticDocumentOfSize(1024 * 1024);
    const blocks = realisticDocument(10_000);
    for (const [label, text, runs] of [
      [`1 MB document (${(Buffer.byteLength(oneMb) / 1048576).toFixed(2)} MB)`, oneMb, 15],
      [`10,000-block document (${(Buffer.byteLength(blocks) / 1048576).toFixed(1)} MB)`, blocks, 5],
    ] as const) {
      const goal = label.startsWith('1 MB') ? '< 30 ms' : undefined;
      const parse = () => parseDocument(text);
      const both = () => checkDocument(parseDocument(text), defaultProfile);
      report(`parse, ${label}`, fmtMs(median(timeRuns(parse, runs, 2))));
      const parseCpu = cpuRuns(parse, runs);
      if (parseCpu.length > 0) report(`parse, ${label}, main-thread CPU`, fmtMs(median(parseCpu)));
      report(`parse + check, ${label}`, fmtMs(median(timeRuns(both, runs, 2))), goal);
      const cpu = cpuRuns(both, runs);
      if (cpu.length > 0) report(`parse + check, ${label}, main-thread CPU`, fmtMs(median(cpu)), goal);
    }

    // Side by side with A1111 on the prompts of the 1 MB document (prompt and negative prompt texts).
    const doc = parseDocument(oneMb);
    const prompts: string[] = [];
    for (const block of doc.blocks) for (const section of [block.prompt, block.negative]) if (section) prompts.push(section.text);
    const ours = () => prompts.forEach((p) => parsePromptAttention(p));
    const what = `${prompts.length} prompts of the 1 MB document`;
    report(`parse_prompt_attention (core/attention), ${what}`, fmtMs(median(timeRuns(ours, 9, 2))));
    const oursCpu = cpuRuns(ours, 9);
    if (oursCpu.length > 0) report('  main-thread CPU', fmtMs(median(oursCpu)));
    const a1111 = a1111Attention(prompts, 5);
    if (typeof a1111 === 'string') {
      report("A1111's parse_prompt_attention (Python)", a1111);
    } else {
      report(`A1111's parse_prompt_attention (Python ${a1111.python}), same prompts`, fmtMs(a1111.wall));
      report('  thread CPU', fmtMs(a1111.cpu));
      if (oursCpu.length > 0) report('  A1111 CPU / core/attention CPU', `${(a1111.cpu / median(oursCpu)).toFixed(1)}x`);
      const whole = cpuRuns(() => checkDocument(parseDocument(oneMb), defaultProfile), 5);
      if (whole.length > 0) report('  A1111 CPU / our whole parse + check CPU of the 1 MB document', `${(a1111.cpu / median(whole)).toFixed(1)}x`);
    }
  },
};
