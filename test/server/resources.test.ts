// The server's resources before any settings arrive: token counts are exact from the first request (the
// shipped tokenizer), never estimates that a client would show with `~`.
import { describe, expect, it } from 'vitest';
import { Resources } from '../../server/resources';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe('Resources before the first apply()', () => {
  it('counts with the shipped tokenizer, exactly', () => {
    const resources = new Resources(silent, () => {});
    expect(resources.tokenSource.estimated).toBe(false);
  });
});
