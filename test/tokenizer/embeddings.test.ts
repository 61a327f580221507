// Textual-inversion embeddings in chunks, as A1111's tokenize_line places them with its embedding_db: an
// embedding of N vectors takes N positions (id 0, the run's weight), is never split across chunks, and
// counts in N/75. Worked out by hand from sd_hijack_clip.py and textual_inversion.py; ids from vocab.json
// ("cat</w>" 2368, "dog</w>" 1929, ",</w>" 267), on the tokenizer Tagsmith ships.
import { describe, expect, it } from 'vitest';
import { embeddingLookup, promptChunks, type EmbeddingVectors } from '../../core/chunks';
import { bundledTokenizer } from '../../server/bundledData';

const BOS = 49406;
const EOS = 49407;
const CAT = 2368;
const DOG = 1929;
const COMMA = 267;
const repeat = (id: number, count: number): number[] => Array<number>(count).fill(id);

function chunks(text: string, embeddings: EmbeddingVectors[]) {
  const tokenizer = bundledTokenizer();
  return promptChunks(text, tokenizer, { embeddings: embeddingLookup(embeddings, (name) => tokenizer.encode(name)) });
}

describe('embeddings in chunks', () => {
  it('an 8-vector embedding takes 8 positions of id 0 and counts 8', () => {
    const r = chunks('cat, dog', [{ name: 'cat', vectors: 8 }]);
    expect(r.chunks).toEqual([[BOS, ...repeat(0, 8), COMMA, DOG, ...repeat(EOS, 66)]]);
    expect(r.tokenCount).toBe(10);
    expect(r.tokens.slice(0, 8).every((t) => t.embedding === 'cat' && t.start === 0 && t.end === 3)).toBe(true);
    expect(r.tokens[8]).toMatchObject({ id: COMMA, index: 9 });
  });

  it("the vectors carry their run's weight", () => {
    const r = chunks('(cat:1.2), dog', [{ name: 'cat', vectors: 2 }]);
    expect(r.multipliers[0]!.slice(0, 5)).toEqual([1, 1.2, 1.2, 1, 1]);
  });

  it('an embedding that would straddle position 75 moves whole to the next chunk', () => {
    const text = `${Array<string>(70).fill('dog').join(' ')} cat`;
    const r = chunks(text, [{ name: 'cat', vectors: 8 }]);
    expect(r.chunks).toEqual([
      [BOS, ...repeat(DOG, 70), ...repeat(EOS, 6)],
      [BOS, ...repeat(0, 8), ...repeat(EOS, 68)],
    ]);
    // 75 for the chunk closed early, then the 8 of the last one
    expect(r.tokenCount).toBe(83);
  });

  it('one that fits exactly stays: 67 tokens + 8 vectors fill the chunk', () => {
    const r = chunks(`${Array<string>(67).fill('dog').join(' ')} cat`, [{ name: 'cat', vectors: 8 }]);
    expect(r.chunks).toEqual([[BOS, ...repeat(DOG, 67), ...repeat(0, 8), EOS]]);
    expect(r.tokenCount).toBe(75);
  });

  it('matches as the tokenizer sees names: any case, whole BPE words only', () => {
    expect(chunks('CAT', [{ name: 'cat', vectors: 3 }]).tokenCount).toBe(3);
    expect(chunks('cats', [{ name: 'cat', vectors: 3 }]).tokenCount).toBe(1);
  });

  it('the longest name sharing a first token wins where it fits', () => {
    const r = chunks('cat dog, cat', [{ name: 'cat', vectors: 2 }, { name: 'cat dog', vectors: 3 }]);
    expect(r.chunks[0]!.slice(0, 8)).toEqual([BOS, 0, 0, 0, COMMA, 0, 0, EOS]);
    expect(r.tokens.map((t) => t.embedding ?? t.id)).toEqual(['cat dog', 'cat dog', 'cat dog', COMMA, 'cat', 'cat']);
  });

  it('without a lookup the name is text', () => {
    const tokenizer = bundledTokenizer();
    expect(promptChunks('cat, dog', tokenizer).chunks[0]!.slice(0, 4)).toEqual([BOS, CAT, COMMA, DOG]);
  });
});
