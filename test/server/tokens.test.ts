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
    // Inside brackets too: A1111 gets `(1boy,\nsolo)`, the comment line dropped; brackets are syntax (1 boy , solo).
    expect(count('(1boy,\n# a note with many words in it\nsolo)').tokenCount).toBe(4);
  });

  it('maps chunks back to the source', () => {
    const text = 'a, b BREAK c';
    const counted = count(text);
    expect(counted.chunks.map((c) => text.slice(c.start, c.end))).toEqual(['a, b', 'c']);
    expect(counted.tokenCount).toBe(76);
  });
});

describe('a Dynamic Prompts section: counted over its expansions', () => {
  // Estimates: one token per short word and per comma; the template's own characters never count.
  it('counts the largest expansion, every combination when there are few', () => {
    // "red hair" and "blue hair": 2 each (as A1111 text, `{red|blue} hair` would be 6).
    const plain = count('{red|blue} hair');
    expect([plain.tokenCount, plain.template, plain.chunks, plain.straddling]).toEqual([2, { expansions: 2, sampled: false }, [], []]);
    // "a x" 2, "b c d x" 4.
    expect(count('{a|b c d} x').tokenCount).toBe(4);
    // Both options, joined by the default ',' separator: "a, b,c d e f" is a , b , c d e f = 8.
    expect(count('{2$$a, b|c d e f}').tokenCount).toBe(8);
    // A custom separator counts as the text it is: "a and b" = 3.
    expect(count('{2$$ and $$a|b}').tokenCount).toBe(3);
    // Extra networks are removed from each expansion, as A1111 removes them: "a" or "b c".
    expect(count('<lora:{x|y}:1> {a|b c}').tokenCount).toBe(2);
  });

  it('draws expansions for fixed seeds past 64 combinations, and says so', () => {
    // 2^7 = 128 combinations, every one 7 words and 6 commas.
    const counted = count(Array(7).fill('{a|b}').join(', '));
    expect(counted.tokenCount).toBe(13);
    expect(counted.template!.sampled).toBe(true);
    expect(counted.template!.expansions).toBeLessThanOrEqual(64);
  });

  it('counts a template that does not parse as A1111 text', () => {
    // `{`, `a`, `|`, `b`: 4.
    const counted = count('{a|b');
    expect([counted.tokenCount, counted.template]).toEqual([4, undefined]);
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
