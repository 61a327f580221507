import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadClipTokenizer } from '../../core/tokenizer';
import { clipTokens, countPromptTokens, estimatedTokens, type TokenSource } from '../../core/service/tokens';
import { analyse } from './helpers';

const clipDir = path.resolve(__dirname, '../../../shared/data/clip');

function count(text: string, source: TokenSource = estimatedTokens) {
  const analysis = analyse(text);
  const section = analysis.doc.blocks[0]!.prompt!;
  return countPromptTokens(analysis.text, section, source);
}

describe('the token estimate', () => {
  it('counts one per short word, digit, symbol and contraction; long words by length', () => {
    expect(count('looking at viewer').tokenCount).toBe(3);
    // absurdres: 9 letters, ceil(9 / 6) = 2.
    expect(count('absurdres').tokenCount).toBe(2);
    expect(count("boy's").tokenCount).toBe(2);
    expect(count('1girl, :)').tokenCount).toBe(5);
    expect(count('1girl').estimated).toBe(true);
  });

  it('leaves out extra networks and comment lines, as A1111 does', () => {
    expect(count('1boy, <lora:style:0.8> solo').tokenCount).toBe(4);
    expect(count('1boy,\n# a note with many words in it\nsolo').tokenCount).toBe(4);
  });

  it('maps chunks back to the source', () => {
    const text = 'a, b BREAK c';
    const counted = count(text);
    expect(counted.chunks.map((c) => text.slice(c.start, c.end))).toEqual(['a, b', 'c']);
    expect(counted.tokenCount).toBe(76);
  });
});

describe.skipIf(!existsSync(path.join(clipDir, 'vocab.json')))('counts with the real CLIP tokenizer', () => {
  // Loaded in beforeAll: a skipped describe still runs its body, and the folder may be absent.
  let exact!: TokenSource;
  beforeAll(() => {
    const tokenizer = loadClipTokenizer((name) => {
      try {
        return readFileSync(path.join(clipDir, name), 'utf8');
      } catch {
        return undefined;
      }
    });
    exact = clipTokens(tokenizer);
  });

  it('counts what A1111 counts', () => {
    // `1`, `boy`, `,`, `best`, `quality`; the LoRA is removed before tokenizing.
    expect(count('1boy, <lora:style:0.8> best quality', exact)).toMatchObject({ tokenCount: 5, estimated: false });
    // ((x)) changes weights, not tokens.
    expect(count('((1boy)), best quality', exact).tokenCount).toBe(5);
  });

  it('finds a tag that straddles a chunk boundary', () => {
    // 76 copies of `cat` with no comma: tokens 1–75 fill chunk 1, the 76th opens chunk 2 inside the tag.
    const text = `${Array.from({ length: 76 }, () => 'cat').join(' ')}`;
    const counted = count(text, exact);
    expect(counted.tokenCount).toBe(76);
    expect(counted.chunks.map((c) => c.tokens)).toEqual([75, 1]);
    expect(counted.straddling).toHaveLength(1);
    expect(counted.straddling[0]!.chunk).toBe(0);
  });
});

describe('chunk edges on a long prompt', () => {
  it('finds the tag straddling every chunk edge, as a search through all tags would', () => {
    // Tags longer than a chunk, so no comma is within the backtrack (20 tokens) of an edge, so chunk edges fall inside them.
    const text = Array.from({ length: 400 }, (_, i) => `tag${i} ` + 'word '.repeat(100)).join(', ');
    const result = count(text);
    const section = analyse(text).doc.blocks[0]!.prompt!;
    expect(result.chunks.length).toBeGreaterThan(100);
    expect(result.straddling.length).toBeGreaterThan(50);
    for (const s of result.straddling) {
      expect(section.tags[s.tagIndex]!.node.start).toBe(s.tag.node.start);
    }
  });
});
