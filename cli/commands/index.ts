// Every verb of the `tagsmith` command. Add a verb by adding its module here (one line each).
import type { Command } from '../command';
import { makeTestModel } from './make-test-model';
import { noise } from './noise';
import { render } from './render';
import { serve } from './serve';
import { check } from './check';
import { attention } from './attention';
import { tokenize } from './tokenize';
import { chunks } from './chunks';
import { schedule } from './schedule';
import { expand } from './expand';

export const commands: Command[] = [
  makeTestModel,
  noise,
  render,
  serve,
  check,
  attention,
  tokenize,
  chunks,
  schedule,
  expand,
];
