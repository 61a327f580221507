// Seeded latent noise as A1111's modules/rng.py ImageRNG draws it: one generator per image (seed + i), the
// first draw is the starting noise, each later draw the noise of one ancestral step.
import { PhiloxGenerator } from './philox';
import { Mt19937, torchCpuRandn } from './mt19937';

export type RngSource = 'nv' | 'cpu';
export const RNG_SOURCES: readonly RngSource[] = ['nv', 'cpu'];

/** Draws `[4, h/8, w/8]` noise for each image of a batch, in A1111's order. */
export class ImageNoise {
  private readonly draw: Array<(count: number) => Float32Array>;

  constructor(source: RngSource, seeds: number[], readonly valuesPerImage: number) {
    this.draw = seeds.map((seed) => {
      if (source === 'nv') {
        const g = new PhiloxGenerator(seed);
        return (n: number) => g.randn(n);
      }
      const g = new Mt19937(seed);
      return (n: number) => torchCpuRandn(g, n);
    });
  }

  /** The next noise of every image, concatenated image after image. */
  next(): Float32Array {
    const out = new Float32Array(this.draw.length * this.valuesPerImage);
    this.draw.forEach((d, i) => out.set(d(this.valuesPerImage), i * this.valuesPerImage));
    return out;
  }
}

/** Successive noise draws of a batch; may be computed ahead on another thread. */
export interface NoiseStream {
  next(): Promise<Float32Array>;
  close(): void;
}

export type NoiseStreamFactory = (source: RngSource, seeds: number[], valuesPerImage: number) => NoiseStream;

/** Draws on the calling thread, when asked. */
export const localNoise: NoiseStreamFactory = (source, seeds, valuesPerImage) => {
  const noise = new ImageNoise(source, seeds, valuesPerImage);
  return { next: async () => noise.next(), close: () => undefined };
};
