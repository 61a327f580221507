// sd-dynamic-prompts expansion speed: 10,000 prompts of a realistic template (variants, weighted options,
// counts with a separator, plain and weighted wildcards, an immediate variable) as one A1111 batch, seeds
// 0..9999, in prompts per second; and the Python library itself on the same template and wildcards, side by
// side, when TAGSMITH_DYNAMICPROMPTS names its source folder (the one holding `dynamicprompts/`, with
// pyparsing installed for python3), else "skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandCombinatorial, expandRandom } from '../core/template/expand';
import { WildcardLibrary, type WildcardFile } from '../core/template/wildcards';
import { cpuRuns, fmtMs, median, report, timeRuns, type BenchSuite } from './util';

const PROMPTS = 10_000;
const TEMPLATE =
  'masterpiece, best quality, 1boy, {solo|duo}, __hair__ hair, __eyes__ eyes, {2$$ and $$__top__}, ' +
  '{smiling|serious|{looking at viewer|looking away}}, {0.7::outdoors, __places__|0.3::indoors}, ' +
  '(detailed background:1.2), ${light=!{soft|dramatic|rim}} ${light} lighting, <lora:style:0.8>';
const COMBINATORIAL = '{solo|duo}, {black|blonde|red|white} hair, {blue|green|brown} eyes, {smiling|serious}, {day|night|dusk}';

const FILES: WildcardFile[] = [
  { path: 'hair.txt', content: ['black', 'blonde', 'brown', 'red', 'white', 'silver', 'blue', 'green', 'short {black|brown}', 'long', 'spiky', 'messy', 'curly', 'wavy', 'straight', 'ponytail', 'braided', 'undercut', 'two-tone', 'gradient'].join('\n') + '\n' },
  { path: 'eyes.txt', content: '# eye colours\nblue\ngreen\nbrown\nhazel\ngrey\namber\nred\nviolet\nheterochromia\ngolden\n' },
  { path: 'places.txt', content: ['city street', 'forest', 'beach', 'mountain', 'rooftop', 'park', 'river', 'desert', 'snowfield', 'harbor', 'garden', 'bridge', 'market', 'station', 'field'].join('\n') + '\n' },
  { path: 'clothes.json', content: JSON.stringify({ top: ['3::t-shirt', '2::hoodie', '1::jacket', '1::suit', '0.5::armor', 'sweater', 'tank top', 'coat'] }) },
];

const SEEDS = Array.from({ length: PROMPTS }, (_, i) => i);

export const templateBench: BenchSuite = {
  name: 'template',
  async run() {
    const library = (): WildcardLibrary => new WildcardLibrary(FILES);
    let prompts: string[] = [];
    const randomRun = (): void => {
      const r = expandRandom(TEMPLATE, SEEDS, { wildcards: library() });
      if (!r.ok) throw new Error(r.error);
      prompts = r.prompts;
    };
    const wall = median(timeRuns(randomRun, 5, 1));
    const cpu = cpuRuns(randomRun, 5, 0);
    report(`random mode, ${PROMPTS} prompts (one batch, seeds 0..${PROMPTS - 1}), wall, median of 5`, `${fmtMs(wall)} = ${rate(PROMPTS, wall)} prompts/s`);
    if (cpu.length > 0) report('random mode, main-thread CPU, median of 5', `${fmtMs(median(cpu))} = ${rate(PROMPTS, median(cpu))} prompts/s`);

    let combos = 0;
    const comboWall = median(
      timeRuns(() => {
        const r = expandCombinatorial(COMBINATORIAL, undefined, { wildcards: library() });
        if (!r.ok) throw new Error(r.error);
        combos = r.prompts.length;
      }, 5, 1),
    );
    report(`combinatorial mode, all ${combos} prompts, wall, median of 5`, `${fmtMs(comboWall)} = ${rate(combos, comboWall)} prompts/s`);

    const src = process.env['TAGSMITH_DYNAMICPROMPTS'];
    if (!src || !existsSync(join(src, 'dynamicprompts'))) {
      report('Python dynamicprompts, same template and wildcards', 'skipped (set TAGSMITH_DYNAMICPROMPTS to its src folder)');
      return;
    }
    const python = pythonRun(src);
    if (python === null) return;
    report(`Python dynamicprompts, ${PROMPTS} prompts, wall (in-process, best of 3)`, `${fmtMs(python.ms)} = ${rate(PROMPTS, python.ms)} prompts/s`);
    report('ratio (ours / Python, prompts per second, wall)', `${(python.ms / wall).toFixed(1)}x`);
    report('same prompts as the library', python.prompts.length === prompts.length && python.prompts.every((p, i) => p === prompts[i]) ? 'yes' : 'NO');
  },
};

function rate(n: number, ms: number): string {
  const perSecond = (n / ms) * 1000;
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)}k` : perSecond.toFixed(0);
}

function pythonRun(src: string): { ms: number; prompts: string[] } | null {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-bench-wildcards-'));
  try {
    for (const f of FILES) {
      const full = join(dir, f.path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, f.content);
    }
    const script = `
import sys, json, time, logging, warnings
warnings.simplefilter('ignore'); logging.disable(logging.CRITICAL)
sys.path.insert(0, sys.argv[1])
from dynamicprompts.generators import RandomPromptGenerator
from dynamicprompts.wildcards import WildcardManager
template, n = sys.argv[3], int(sys.argv[4])
best, out = None, None
for _ in range(3):
    wm = WildcardManager(sys.argv[2])
    t0 = time.perf_counter()
    out = RandomPromptGenerator(wm, seed=0).generate(template, n, seeds=list(range(n)))
    ms = (time.perf_counter() - t0) * 1000
    best = ms if best is None else min(best, ms)
print(json.dumps({"ms": best, "prompts": out}))
`;
    const r = spawnSync('python3', ['-c', script, src, dir, TEMPLATE, String(PROMPTS)], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
    if (r.status !== 0) {
      report('Python dynamicprompts', `skipped (python3 failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`);
      return null;
    }
    return JSON.parse(r.stdout) as { ms: number; prompts: string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
