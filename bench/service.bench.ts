// The language service (core/service): creating it with the bundled tokenizer and dictionary, cold, in a
// fresh process (time and memory), and A1111's token counts with schedules and AND on a 1,000-block document.
// Completion over LSP while typing is measured by the server suite.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { clipTokens, createPromptService, defaultProfile } from '../core';
import { bundledDictionary, bundledTokenizer } from '../server/bundledData';
import { realisticDocument, rng } from './corpus';
import { cpuRuns, fmtMs, median, report, timeRuns, type BenchSuite } from './util';

/** In a child process (`dist/bench.js --service-creation`): one cold creation, printed as JSON. */
export function serviceCreationProbe(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const service = createPromptService({ profile: defaultProfile, tokens: clipTokens(bundledTokenizer()), dictionaries: [bundledDictionary()] });
  const created = performance.now() - t0;
  // The first question: the tokenizer's tables and the dictionary's index are touched.
  const t1 = performance.now();
  service.tokenCount('1boy, solo, masterpiece, best quality, [short hair:long hair:0.5]', 3);
  const first = performance.now() - t1;
  gc?.();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ created, first, heapMB: (after.heapUsed - before.heapUsed) / 2 ** 20, rssMB: (after.rss - before.rss) / 2 ** 20, externalMB: (after.external - before.external) / 2 ** 20 }));
}

/** Prompts with prompt editing, alternation and AND in about a third of the blocks, as users write them. */
function scheduledDocument(blocks: number): string {
  const next = rng(7);
  return realisticDocument(blocks, 3)
    .split('---\n')
    .map((block) => {
      const r = next();
      if (r < 0.12) return block.replace(/, /, ', [short hair:long hair:0.4], ');
      if (r < 0.22) return block.replace(/, /, ', [red|blue|green] eyes, ');
      if (r < 0.3) return block.replace(/\n/, ' AND 1girl, sitting :0.8\n');
      return block;
    })
    .join('---\n');
}

async function run(): Promise<void> {
  const probes = Array.from({ length: 5 }, () => {
    const r = spawnSync(process.execPath, ['--expose-gc', __filename, '--service-creation'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`service creation probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { created: number; first: number; heapMB: number; rssMB: number; externalMB: number };
  });
  report('service creation, cold (bundled tokenizer + 140k-tag dictionary), median of 5', fmtMs(median(probes.map((p) => p.created))));
  report('  first token count after creation', fmtMs(median(probes.map((p) => p.first))));
  report('  memory: JS heap / external + array buffers / RSS', `${median(probes.map((p) => p.heapMB)).toFixed(1)} / ${median(probes.map((p) => p.externalMB)).toFixed(1)} / ${median(probes.map((p) => p.rssMB)).toFixed(1)} MB`);

  const tokens = clipTokens(bundledTokenizer());
  const text = scheduledDocument(1000);
  const service = createPromptService({ profile: defaultProfile, tokens });
  const countAll = (): number => {
    // A fresh source each time: the per-text count cache must not answer.
    const fresh = createPromptService({ profile: defaultProfile, tokens: { ...tokens } });
    const analysis = fresh.analyze(text);
    let total = 0;
    for (const block of analysis.doc.blocks) for (const section of [block.prompt, block.negative]) if (section) total += analysis.tokens(section).tokenCount;
    return total;
  };
  const scheduled = service.analyze(text).doc.blocks.filter((b) => /[[\]]|AND/.test(text.slice(b.node.start, b.node.end))).length;
  const wall = timeRuns(() => void countAll(), 5, 1);
  const cpu = cpuRuns(() => void countAll(), 5);
  report(`token counts, 1,000 blocks (${(text.length / 1e6).toFixed(2)} MB; ${scheduled} with [ ] or AND), every prompt`, `${fmtMs(median(wall))} wall${cpu.length ? `, ${fmtMs(median(cpu))} CPU` : ''}`);
  const hints = timeRuns(() => void createPromptService({ profile: defaultProfile, tokens: { ...tokens } }).tokenHints(text, 0, text.length), 5, 1);
  report('  inlay hints of the whole document (parse + counts)', fmtMs(median(hints)));
}

export const serviceBench: BenchSuite = { name: 'service', run };
