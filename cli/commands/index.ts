// Every verb of the `tagsmith` command. Add a verb by adding its module here (one line each).
import type { Command } from '../command';
import { check } from './check';

export const commands: Command[] = [
  check,
];
