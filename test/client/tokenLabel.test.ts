// The status bar label: A1111 shows `N/75` under a prompt, `N/150` once it needs two chunks.
import { describe, expect, it } from 'vitest';
import { tokenCountLabel } from '../../client/tokenLabel';

describe('tokenCountLabel', () => {
  it('shows count / capacity and the chunks', () => {
    expect(tokenCountLabel({ tokenCount: 42, chunks: 1, estimated: false, prompt: 'prompt' })).toBe('42/75 · 1 chunk');
    expect(tokenCountLabel({ tokenCount: 80, chunks: 2, estimated: false, prompt: 'prompt' })).toBe('80/150 · 2 chunks');
  });

  it('marks estimates with ~ and names the negative prompt', () => {
    expect(tokenCountLabel({ tokenCount: 12, chunks: 1, estimated: true, prompt: 'negative' })).toBe('Negative ~12/75 · 1 chunk');
  });

  it('shows an empty prompt as 0/75 in one chunk', () => {
    expect(tokenCountLabel({ tokenCount: 0, chunks: 0, estimated: false, prompt: 'prompt' })).toBe('0/75 · 1 chunk');
  });
});
