// The benchmark suites `npm run bench` runs, in order. Add a suite with one line.
import type { BenchSuite } from './util';
import { parseBench } from './parse.bench';

export const suites: BenchSuite[] = [
  parseBench,
];
