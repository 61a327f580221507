// Parse and check speed of the core: a 1 MB document and a 10,000-block document. Wall time and
// main-thread CPU time (which leaves out waiting for a CPU on a shared machine).
import { checkDocument } from '../core/checks/index';
import { parseDocument } from '../core/parse/index';
import { defaultProfile } from '../core/profiles/index';
import { realisticDocument, realisticDocumentOfSize } from './corpus';
import { cpuRuns, fmtMs, median, report, timeRuns, type BenchSuite } from './util';

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
      report(`parse + check, ${label}`, fmtMs(median(timeRuns(both, runs, 2))), goal);
      const cpu = cpuRuns(both, runs);
      if (cpu.length > 0) report(`parse + check, ${label}, main-thread CPU`, fmtMs(median(cpu)), goal);
    }
  },
};
