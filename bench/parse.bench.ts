// Parse and check speed of the core: a 1 MB document and a 10,000-block document.
import { checkDocument } from '../core/checks/index';
import { parseDocument } from '../core/parse/index';
import { defaultProfile } from '../core/profiles/index';
import { realisticDocument, realisticDocumentOfSize } from './corpus';
import { fmtMs, median, report, timeRuns, type BenchSuite } from './util';

export const parseBench: BenchSuite = {
  name: 'parse',
  async run() {
    const oneMb = realisticDocumentOfSize(1024 * 1024);
    const blocks = realisticDocument(10_000);
    for (const [label, text] of [
      [`1 MB document (${(Buffer.byteLength(oneMb) / 1048576).toFixed(2)} MB)`, oneMb],
      [`10,000-block document (${(Buffer.byteLength(blocks) / 1048576).toFixed(1)} MB)`, blocks],
    ] as const) {
      const parse = median(timeRuns(() => parseDocument(text), 15, 3));
      const both = median(timeRuns(() => checkDocument(parseDocument(text), defaultProfile), 15, 3));
      report(`parse, ${label}`, fmtMs(parse));
      report(`parse + check, ${label}`, fmtMs(both), label.startsWith('1 MB') ? '< 30 ms' : undefined);
    }
  },
};
