import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../core/parse';
import { seedEdit } from '../../core/edit/seed';

function apply(text: string, blockIndex: number, seed: number): string {
  const e = seedEdit(text, parseDocument(text).blocks[blockIndex]!, seed);
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

describe('seedEdit', () => {
  it('replaces the seed of the settings line', () => {
    expect(apply('1boy\nSteps: 28, Seed: 1, Size: 1024x1024\n', 0, 42)).toBe('1boy\nSteps: 28, Seed: 42, Size: 1024x1024\n');
  });
  it('appends a seed to a settings line without one', () => {
    expect(apply('1boy\nNegative prompt: lowres\nSteps: 28, Sampler: Euler a  \n', 0, 7)).toBe('1boy\nNegative prompt: lowres\nSteps: 28, Sampler: Euler a, Seed: 7  \n');
  });
  it('adds a settings line to a block without one, in the right block, keeping CRLF', () => {
    expect(apply('1boy\nNegative prompt: lowres\n---\n2boys\n', 0, 5)).toBe('1boy\nNegative prompt: lowres\nSeed: 5\n---\n2boys\n');
    expect(apply('1boy\r\n---\r\n2boys, smile', 1, 3)).toBe('1boy\r\n---\r\n2boys, smile\r\nSeed: 3');
    // The new line is read back as the block's settings.
    expect(parseDocument(apply('1boy\n', 0, 9)).blocks[0]!.settings?.entries.map((e) => [e.key, e.value])).toEqual([['Seed', '9']]);
  });
});
