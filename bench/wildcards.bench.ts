// Wildcard folders at scale: 1,000 `.txt` files of 1,000 lines (in 10 sub-folders, every 50th line a
// template with a variant or a wildcard), written to a temporary folder and indexed as the server does it
// (server/resources.ts: dist/wildcardWorker.js reads and builds, the main thread unpacks), with the wall time
// and the main thread's CPU time; the same work in-thread for comparison (what the main thread would spend
// without the worker); then the built server over LSP: its own indexing time (from its log), `__` completion
// with them loaded, and completion latency while it re-indexes after a file changes.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Resources } from '../server/resources';
import { indexWildcardFolders } from '../server/wildcardFiles';
import { startClient } from '../test/server/lspClient';
import { fmtMs, median, percentile, report, threadCpuMs, type BenchSuite } from './util';

const FILES = 1000;
const LINES = 1000;

function fileText(f: number): string {
  const lines: string[] = [];
  for (let l = 0; l < LINES; l++) {
    if (l % 50 === 7) lines.push(`{red|blue|green} outfit ${f}-${l}, __group${(f + 1) % 10}/set${(f + 1) % FILES}__`);
    else lines.push(`tag ${l} of set ${f}, detailed ${l % 17}`);
  }
  return lines.join('\n') + '\n';
}

const silent = { info() {}, warn() {}, error() {} };

async function run(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'tagsmith-bench-wildcards-'));
  try {
    let bytes = 0;
    for (let g = 0; g < 10; g++) mkdirSync(path.join(root, `group${g}`));
    for (let f = 0; f < FILES; f++) {
      const text = fileText(f);
      bytes += text.length;
      writeFileSync(path.join(root, `group${f % 10}`, `set${f}.txt`), text);
    }
    report(`${FILES} wildcard files of ${LINES} lines written`, `${(bytes / 1e6).toFixed(1)} MB`);
    // Wall-clock figures on a shared machine move with its load; say what the load was.
    report('machine load average (1 min) at start', loadavg()[0]!.toFixed(2));

    // 1. As the server indexes (Resources.loadWildcards, as apply() calls it): worker thread, then unpack.
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let run = 0; run < 6; run++) {
      const resources = new Resources(silent, () => {});
      const cpu0 = threadCpuMs();
      const t0 = performance.now();
      // What apply() does for tagsmith.wildcardFolders, without the tokenizer and dictionary loads around it.
      await (resources as unknown as { loadWildcards(folders: string[]): Promise<void> }).loadWildcards([root]);
      const wall = performance.now() - t0;
      const cpu1 = threadCpuMs();
      if (resources.wildcards.allNames().length !== FILES) throw new Error(`indexed ${resources.wildcards.allNames().length} of ${FILES}`);
      if (run === 1) {
        // The wildcard-cycle check's first search: every set references the next, so it reaches all 1,000.
        const c0 = threadCpuMs();
        const s0 = performance.now();
        const chain = resources.wildcards.cycleFrom('group0/set0');
        const searched = performance.now() - s0;
        const c1 = threadCpuMs();
        report(`first cycle search, reaching all ${FILES} wildcards (${chain ? 'a cycle' : 'no cycle'}), wall${c0 !== undefined && c1 !== undefined ? ' / CPU' : ''}`, `${fmtMs(searched)}${c0 !== undefined && c1 !== undefined ? ` / ${fmtMs(c1 - c0)}` : ''}`);
        const again = performance.now();
        for (let f = 0; f < FILES; f++) resources.wildcards.cycleFrom(`group${f % 10}/set${f}`);
        report(`  then from each of the ${FILES} (memoised: the chain only), per search`, fmtMs((performance.now() - again) / FILES));
      }
      resources.dispose();
      if (run === 0) continue; // warm-up
      walls.push(wall);
      if (cpu0 !== undefined && cpu1 !== undefined) cpus.push(cpu1 - cpu0);
    }
    report(`index ${FILES} files off the main thread (Resources), wall, median of 5`, fmtMs(median(walls)), '< 1 s');
    if (cpus.length > 0) report('  main-thread CPU during it (unpack, catalog), median of 5', fmtMs(median(cpus)));

    // 2. The same reading and building in-thread: what the main thread would spend without the worker.
    const inThread: number[] = [];
    const inThreadCpu: number[] = [];
    for (let run = 0; run < 4; run++) {
      const cpu0 = threadCpuMs();
      const t0 = performance.now();
      indexWildcardFolders([root]);
      const wall = performance.now() - t0;
      const cpu1 = threadCpuMs();
      if (run === 0) continue;
      inThread.push(wall);
      if (cpu0 !== undefined && cpu1 !== undefined) inThreadCpu.push(cpu1 - cpu0);
    }
    report('  for comparison: the same in-thread (read, split, sort, pack), median of 3', `${fmtMs(median(inThread))}${inThreadCpu.length ? `, CPU ${fmtMs(median(inThreadCpu))}` : ''}`);

    // 3. The built server over LSP.
    const client = await startClient({ settings: { wildcardFolders: [root], builtinDictionary: false } });
    try {
      const indexed = await client.waitForLog(/^Wildcards: \d+ collections from \d+ files indexed in \d+ ms/);
      report('indexing inside the server (from its log)', `${/in (\d+) ms/.exec(indexed)![1]} ms (${/ms (on .*)$/.exec(indexed)![1]})`, '< 1 s');
      const uri = 'file:///bench-wildcards.sdprompt';
      const lines = ['1boy, __', '1boy, __group3/set', '1boy, __set42', '1boy, {red|__group7/'];
      client.open(uri, lines.join('\n---\n'));
      const at = (line: number) => ({ textDocument: { uri }, position: { line: line * 2, character: lines[line]!.length } });
      for (let line = 0; line < lines.length; line++) {
        const times: number[] = [];
        let items = 0;
        for (let i = 0; i < 120; i++) {
          const t0 = performance.now();
          const list = (await client.connection.sendRequest('textDocument/completion', at(line))) as { items: unknown[] };
          if (i >= 20) times.push(performance.now() - t0);
          items = list.items.length;
        }
        report(`completion '${lines[line]!.slice(6)}' (${items} items), p50 / p95 of 100`, `${fmtMs(median(times))} / ${fmtMs(percentile(times, 95))}`, 'p95 < 3 ms');
      }
      // While the server re-indexes after a change: completion keeps answering.
      writeFileSync(path.join(root, 'group0', 'set0.txt'), fileText(0) + 'one more line\n');
      const during: number[] = [];
      const until = performance.now() + 2500;
      while (performance.now() < until) {
        const t0 = performance.now();
        await client.connection.sendRequest('textDocument/completion', at(1));
        during.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 2));
      }
      report(`completion during a re-index (${during.length} requests over 2.5 s): p95 / max`, `${fmtMs(percentile(during, 95))} / ${fmtMs(Math.max(...during))}`);
    } finally {
      await client.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const wildcardsBench: BenchSuite = { name: 'wildcards', run };
