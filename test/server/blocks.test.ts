import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { blockAround } from '../../server/blocks';

const doc = (text: string): TextDocument => TextDocument.create('file:///b.sdprompt', 'sdprompt', 1, text);

describe('the block around a line', () => {
  const text = '1boy\nSteps: 28\n---\n# note\nsolo\nNegative prompt: x\n--- \r\nlast';
  it('runs from the line after one separator to the line before the next', () => {
    expect(blockAround(doc(text), 4)).toEqual({ line: 3, start: 19, end: 50 });
    expect(text.slice(19, 50)).toBe('# note\nsolo\nNegative prompt: x\n');
    expect(blockAround(doc(text), 0)).toEqual({ line: 0, start: 0, end: 15 });
    expect(blockAround(doc(text), 7)).toEqual({ line: 7, start: 56, end: 60 });
  });

  it('is undefined on a separator line, and clamps lines past the end', () => {
    expect(blockAround(doc(text), 2)).toBeUndefined();
    expect(blockAround(doc(text), 6)).toBeUndefined();
    expect(blockAround(doc(text), 99)).toEqual({ line: 7, start: 56, end: 60 });
  });
});
