// The benchmark suites `npm run bench` runs, in order. Add a suite with one line.
import type { BenchSuite } from './util';
import { backendBench } from './backend.bench';
import { networksBench } from './networks.bench';
import { parseBench } from './parse.bench';
import { previewBench } from './preview.bench';
import { scaleBench } from './scale.bench';
import { serverBench } from './server.bench';
import { serviceBench } from './service.bench';
import { templateBench } from './template.bench';
import { tokenizerBench } from './tokenizer.bench';
import { wildcardsBench } from './wildcards.bench';

export const suites: BenchSuite[] = [
  parseBench,
  backendBench,
  serverBench,
  serviceBench,
  tokenizerBench,
  previewBench,
  scaleBench,
  templateBench,
  networksBench,
  wildcardsBench,
];
