// Noise drawn ahead on the helper thread is the same noise, in the same order, as drawn in place.
import { afterAll, describe, expect, it } from 'vitest';
import { ImageNoise } from '../../backend/rng/noise';
import { NOISE_ROLE, NoiseThread } from '../../backend/rng/noiseThread';
import { workerBundle } from './fixtures';

describe('NoiseThread', () => {
  let thread: NoiseThread | undefined;
  afterAll(() => thread?.terminate());

  it('gives the draws of ImageNoise for each stream, and a new stream starts over', async () => {
    thread = new NoiseThread(await workerBundle(), NOISE_ROLE);
    for (const source of ['nv', 'cpu'] as const) {
      const local = new ImageNoise(source, [5, 6], 256);
      const stream = thread.factory(source, [5, 6], 256);
      for (let draw = 0; draw < 4; draw++) expect(Array.from(await stream.next())).toEqual(Array.from(local.next()));
    }
    // a stream opened while another still has a draw in flight
    const a = thread.factory('nv', [1], 256);
    await a.next();
    const b = thread.factory('nv', [2], 256);
    expect(Array.from(await b.next())).toEqual(Array.from(new ImageNoise('nv', [2], 256).next()));
  });
});
