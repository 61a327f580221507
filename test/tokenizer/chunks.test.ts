// A1111's tokenize_line: chunks, padding, multipliers, BREAK, the comma move and the N/75 count.
// Every expectation is worked out by hand from sd_hijack_clip.py; ids come from vocab.json by grep
// ("cat</w>" 2368, "dog</w>" 1929, ",</w>" 267, "a</w>" 320, "break</w>" 2568), and each listed word is one
// token, so a prompt of n such words is n tokens.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBreak, weightedRuns } from '../../core/attention';
import { promptChunks, targetTokenCount } from '../../core/chunks';
import { fromDir, MINI_DIR, realTokenizer } from './helpers';

const realisticTokenizer2 = () => realTokenizer().withCleanup('open_clip');

const BOS = 49406;
const EOS = 49407;
const CAT = 2368;
const DOG = 1929;
const COMMA = 267;
const A = 320;
const BREAK_WORD = 2568;

/** `count` times the word, space-separated. */
const words = (word: string, count: number): string => Array<string>(count).fill(word).join(' ');
/** Start, the tokens, end padding to 77. */
const chunkOf = (tokens: number[], pad = EOS): number[] => [BOS, ...tokens, ...Array<number>(76 - tokens.length).fill(pad)];
const repeat = (id: number, count: number): number[] => Array<number>(count).fill(id);

describe('promptChunks (A1111 tokenize_line), real vocabulary (../shared, else the bundled copy)', () => {
  const chunks = (text: string, options?: Parameters<typeof promptChunks>[2]) => promptChunks(text, realTokenizer(), options);

  it('gives with spansOnly the count and, per chunk, the first and last token of the full result (property)', () => {
    const piece = fc.constantFrom('cat', 'dog', ', ', 'a', ' BREAK ', '(', ')', '[', ']', ':1.2)', '\\(', ' ', 'embedding');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), (parts) => {
        const text = parts.join('');
        const full = chunks(text);
        const lean = chunks(text, { spansOnly: true });
        expect(lean.tokenCount).toBe(full.tokenCount);
        expect(lean.tokens).toEqual([]);
        const expected = full.chunks.map((_, c) => {
          const own = full.tokens.filter((t) => t.chunk === c);
          return own.length === 0 ? { tokens: 0, firstStart: -1, lastStart: -1, lastEnd: -1 } : { tokens: own.length, firstStart: own[0]!.start, lastStart: own[own.length - 1]!.start, lastEnd: own[own.length - 1]!.end };
        });
        expect(lean.spans).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('gives one chunk of start and 76 end tokens, and a count of 0, for an empty prompt', () => {
    const result = chunks('');
    expect(result.chunks).toEqual([chunkOf([])]);
    expect(result.multipliers).toEqual([repeat(1, 77)]);
    expect(result.tokenCount).toBe(0);
    expect(result.tokens).toEqual([]);
  });

  it('wraps and pads a short prompt to 77', () => {
    const result = chunks('a photo of a cat');
    expect(result.chunks).toEqual([chunkOf([A, 1125, 539, A, CAT])]);
    expect(result.chunks[0]).toHaveLength(77);
    expect(result.tokenCount).toBe(5);
  });

  it('fills exactly 75 tokens into one chunk', () => {
    const result = chunks(words('cat', 75));
    expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 75), EOS]]);
    expect(result.tokenCount).toBe(75);
  });

  it('starts a second chunk at the 76th token and counts 75 + the rest', () => {
    const result = chunks(words('cat', 80));
    expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 75), EOS], chunkOf(repeat(CAT, 5))]);
    expect(result.tokenCount).toBe(80);
  });

  it('handles long prompts (over 225 tokens) in chunks of 75', () => {
    const result = chunks(words('dog', 230));
    expect(result.chunks.map((c) => c.filter((id) => id === DOG).length)).toEqual([75, 75, 75, 5]);
    expect(result.chunks.every((c) => c.length === 77 && c[0] === BOS && c[76] === EOS)).toBe(true);
    expect(result.tokenCount).toBe(230);
    expect(result.tokens[229]).toMatchObject({ chunk: 3, index: 5, id: DOG });
  });

  describe('comma backtrack (comma_padding_backtrack = 20)', () => {
    it('moves the tokens after a comma at index 55 (20 from the end) to the next chunk', () => {
      // 55 cats, the comma at index 55, 19 cats: 75 tokens; the 76th cat triggers the move.
      const text = `${words('cat', 55)}, ${words('cat', 20)}`;
      const result = chunks(text);
      expect(result.chunks).toEqual([chunkOf([...repeat(CAT, 55), COMMA]), chunkOf(repeat(CAT, 20))]);
      // The first chunk counts 75 although it holds 56 tokens.
      expect(result.tokenCount).toBe(95);
    });

    it('keeps a comma at index 54 (21 from the end) where it is', () => {
      const text = `${words('cat', 54)}, ${words('cat', 21)}`;
      const result = chunks(text);
      expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 54), COMMA, ...repeat(CAT, 20), EOS], chunkOf([CAT])]);
      expect(result.tokenCount).toBe(76);
    });

    it('never moves anything when the setting is 0', () => {
      const result = chunks(`${words('cat', 55)}, ${words('cat', 20)}`, { commaBacktrack: 0 });
      expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 55), COMMA, ...repeat(CAT, 19), EOS], chunkOf([CAT])]);
    });

    it('lets a comma that is the 76th token open the next chunk', () => {
      const result = chunks(`${words('cat', 75)}, cat`);
      expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 75), EOS], chunkOf([COMMA, CAT])]);
      expect(result.tokenCount).toBe(77);
    });

    it('moves nothing when the comma is the last token of the full chunk', () => {
      const result = chunks(`${words('cat', 74)}, cat`);
      expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 74), COMMA, EOS], chunkOf([CAT])]);
      expect(result.tokenCount).toBe(76);
    });

    it('carries the moved tokens\' weights and sources with them', () => {
      const text = `${words('cat', 55)}, (dog:1.5) ${words('cat', 19)}`;
      const result = chunks(text);
      expect(result.chunks[1]!.slice(0, 3)).toEqual([BOS, DOG, CAT]);
      expect(result.multipliers[1]!.slice(0, 3)).toEqual([1, 1.5, 1]);
      const dog = result.tokens.find((t) => t.id === DOG)!;
      expect(dog).toMatchObject({ chunk: 1, index: 1, weight: 1.5 });
      expect(text.slice(dog.start, dog.end)).toBe('dog');
    });
  });

  describe('BREAK', () => {
    it('starts a new chunk and counts the closed one as 75', () => {
      const result = chunks('cat BREAK dog');
      expect(result.chunks).toEqual([chunkOf([CAT]), chunkOf([DOG])]);
      expect(result.tokenCount).toBe(76);
    });

    it('closes an empty chunk when the prompt starts with BREAK', () => {
      const result = chunks('BREAK dog');
      expect(result.chunks).toEqual([chunkOf([]), chunkOf([DOG])]);
      expect(result.tokenCount).toBe(76);
    });

    it('adds no chunk after a final BREAK', () => {
      const result = chunks('cat BREAK');
      expect(result.chunks).toEqual([chunkOf([CAT])]);
      expect(result.tokenCount).toBe(75);
    });

    it('makes no empty chunk when BREAK follows a full chunk', () => {
      const result = chunks(`${words('cat', 75)} BREAK dog`);
      expect(result.chunks).toEqual([[BOS, ...repeat(CAT, 75), EOS], chunkOf([DOG])]);
      expect(result.tokenCount).toBe(76);
    });

    it('is plain text inside brackets, with the bracket weight applied to -1', () => {
      // "(cat BREAK dog)": A1111 gives [cat, 1.1], [BREAK, -1.1], [dog, 1.1]; "BREAK" is then a word.
      const result = chunks('(cat BREAK dog)');
      expect(result.chunks).toEqual([chunkOf([CAT, BREAK_WORD, DOG])]);
      expect(result.multipliers[0]!.slice(0, 5)).toEqual([1, 1.1, -1 * 1.1, 1.1, 1]);
    });
  });

  it('gives each token its run weight as multiplier, 1 elsewhere', () => {
    const result = chunks('(cat:1.5) dog [a]');
    expect(result.chunks[0]!.slice(0, 5)).toEqual([BOS, CAT, DOG, A, EOS]);
    expect(result.multipliers[0]).toEqual([1, 1.5, 1, 1 / 1.1, ...repeat(1, 73)]);
  });

  it("pads encoder 2's chunks with 0 after the first end token", () => {
    expect(chunks('cat', { padWith: 'zero' }).chunks).toEqual([[BOS, CAT, EOS, ...repeat(0, 74)]]);
    expect(chunks('', { padWith: 'zero' }).chunks).toEqual([[BOS, EOS, ...repeat(0, 75)]]);
    expect(chunks(words('cat', 75), { padWith: 'zero' }).chunks).toEqual([[BOS, ...repeat(CAT, 75), EOS]]);
  });

  it("gives encoder 2 open_clip's ids, padded with 0", () => {
    const result = chunks('&amp; <b>', { padWith: 'zero' });
    const openClip = promptChunks('&amp; <b>', realisticTokenizer2(), { padWith: 'zero' });
    // Encoder 1 (HF) keeps '&amp;' because of '<'; encoder 2 (open_clip) unescapes it anyway.
    expect(result.chunks[0]!.slice(0, 8)).toEqual([BOS, 261, 6259, 282, 283, 321, 285, EOS]);
    expect(openClip.chunks[0]).toEqual([BOS, 261, 283, 321, 285, EOS, ...repeat(0, 71)]);
  });

  it('keeps every token of every run, in order, with its weight (random prompts)', () => {
    const tok = realTokenizer();
    const piece = fc.constantFrom('cat', 'dog', ',', ' ', '(', ')', '[', ']', ':1.3)', 'BREAK', ' BREAK ', 'blue eyes', '\\(', 'caf\u00e9', '\u{1F600}');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), (parts) => {
        const text = parts.join('');
        const result = promptChunks(text, tok);
        const expected = weightedRuns(text)
          .filter((run) => !isBreak(run.text, run.weight))
          .flatMap((run) => tok.encode(run.text).map((id) => [id, run.weight]));
        expect(result.tokens.map((t) => [t.id, t.weight])).toEqual(expected);
        for (const [c, ids] of result.chunks.entries()) {
          expect(ids).toHaveLength(77);
          expect(ids[0]).toBe(BOS);
          expect(ids[76]).toBe(EOS);
          expect(result.multipliers[c]).toHaveLength(77);
        }
        for (const t of result.tokens) {
          expect(result.chunks[t.chunk]![t.index]).toBe(t.id);
          expect(t.index).toBeGreaterThanOrEqual(1);
          expect(t.index).toBeLessThanOrEqual(75);
          expect(t.end).toBeGreaterThan(t.start);
        }
        // The count is at least the number of tokens and at most 75 per chunk.
        expect(result.tokenCount).toBeGreaterThanOrEqual(result.tokens.length);
        expect(result.tokenCount).toBeLessThanOrEqual(75 * result.chunks.length);
      }),
      { numRuns: 200 },
    );
  });

  it('tells which source text each token came from, through weights and escapes', () => {
    const text = 'a, (red cat:1.2), \\(dog\\)';
    const result = chunks(text);
    expect(result.tokens.map((t) => text.slice(t.start, t.end))).toEqual(['a', ',', 'red', 'cat', ',', '\\(', 'dog', '\\)']);
    expect(result.tokens.map((t) => t.weight)).toEqual([1, 1, 1.2, 1.2, 1, 1, 1, 1]);
  });
});

describe('targetTokenCount (the M of N/M)', () => {
  it('rounds up to whole chunks of 75, at least one', () => {
    expect([0, 1, 75, 76, 150, 151, 230].map(targetTokenCount)).toEqual([75, 75, 75, 150, 150, 225, 300]);
  });
});

describe('promptChunks with the fixture vocabulary', () => {
  const mini = fromDir(MINI_DIR);

  it('uses the tokenizer\'s own start and end ids', () => {
    // Fixture ids: cat</w> 513, dog</w> 519, <|startoftext|> 522, <|endoftext|> 523.
    const result = promptChunks('cat dog', mini);
    expect(result.chunks).toEqual([[522, 513, 519, ...repeat(523, 74)]]);
    expect(result.tokenCount).toBe(2);
  });

  it('comma-moves with the fixture comma (",</w>" 267)', () => {
    const result = promptChunks(`${words('cat', 60)}, ${words('dog', 15)} dog`, mini);
    expect(result.chunks[0]).toEqual([522, ...repeat(513, 60), 267, ...repeat(523, 15)]);
    expect(result.chunks[1]).toEqual([522, ...repeat(519, 16), ...repeat(523, 60)]);
    expect(result.tokenCount).toBe(91);
  });
});
