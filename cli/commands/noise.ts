// `tagsmith noise`: prints the starting latent noise of a seed as JSON, to compare with A1111 bit for bit.
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { ImageNoise, RNG_SOURCES, type RngSource } from '../../backend/rng/noise';

function integerOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be an integer, not "${value}"`);
  return Number(value);
}

export const noise: Command = {
  name: 'noise',
  summary: 'Print the starting latent noise of a seed as JSON (A1111 NV or CPU source)',
  help: `Usage: tagsmith noise --seed S [--width W] [--height H] [--rng nv|cpu]

Prints the noise a render of that seed and size starts from, shape [4, H/8, W/8], as JSON:
{"seed", "rng", "shape", "data"} with "data" flat in channel, row, column order. The values are the float32
numbers A1111 draws with its "NV" source (Philox, as torch.randn on NVIDIA GPUs; the default) or its "CPU"
source (torch's CPU mt19937). Unscaled: a render multiplies them by the first sigma.

Options:
  --seed S      the seed (required)
  --width W     image width, a multiple of 8 (default 1024)
  --height H    image height, a multiple of 8 (default 1024)
  --rng nv|cpu  the noise source (default nv)
`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { seed: { type: 'string' }, width: { type: 'string' }, height: { type: 'string' }, rng: { type: 'string', default: 'nv' } } });
    if (values.seed === undefined) throw new UsageError('--seed is required');
    const seed = integerOption('seed', values.seed, 0);
    if (seed < 0 || !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be between 0 and ${Number.MAX_SAFE_INTEGER}`);
    const width = integerOption('width', values.width, 1024);
    const height = integerOption('height', values.height, 1024);
    for (const [name, v] of [['width', width], ['height', height]] as const) {
      if (v < 64 || v > 2048 || v % 8 !== 0) throw new UsageError(`--${name} must be a multiple of 8 between 64 and 2048, not ${v}`);
    }
    const rng = values.rng as RngSource;
    if (!RNG_SOURCES.includes(rng)) throw new UsageError(`--rng must be nv or cpu, not "${values.rng}"`);
    const shape = [4, height / 8, width / 8];
    const data = new ImageNoise(rng, [seed], shape[0]! * shape[1]! * shape[2]!).next();
    io.stdout(`{"seed":${seed},"rng":"${rng}","shape":[${shape.join(',')}],"data":[${Array.from(data).join(',')}]}\n`);
    return 0;
  },
};
