// The CLIP tokenizer: known vectors with the real vocabulary (ids looked up in vocab.json by hand), BPE
// rules on a tiny fixture vocabulary (expectations worked out by hand from its ten merges), special tokens,
// offsets, and text that must not crash it.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BytePairEncoder, bytesToUnicode, utf8 } from '../../core/tokenizer/bpe';
import { fromDir, HAS_REAL_CLIP, MINI_DIR, readMini, REAL_CLIP_DIR, realTokenizer } from './helpers';

// Ids in the real vocab.json, each found with grep: "a</w>": 320, "photo</w>": 1125, ...
const REAL = {
  a: 320, photo: 1125, of: 539, cat: 2368, one: 272, boy: 1876, comma: 267, solo: 5797, black: 1449, hair: 2225,
  lparen: 263, looking: 1312, at: 536, viewer: 15061, colon: 281, dot: 269, rparen: 264, fish: 2759, loud: 7464,
  quote: 257, quoteWord: 4020, hello: 3306, world: 1002, apostropheS: 568, amp: 261, ampWord: 6259, semicolon: 282,
  lt: 283, b: 321, gt: 285, bos: 49406, eos: 49407, grinning: 7334, emoji: 16327, replacement: 39802, xy: 11443,
  z: 345, cafe: 15304, blue: 1746, eyes: 3095, girl: 1611,
};

describe('CLIP tokenizer, real vocabulary (../shared, else the bundled copy)', () => {
  const tok = () => realTokenizer();

  it('encodes the known vector', () => {
    expect(tok().encode('a photo of a cat')).toEqual([REAL.a, REAL.photo, REAL.of, REAL.a, REAL.cat]);
  });

  it('knows its special tokens and size', () => {
    expect(tok().bos).toBe(49406);
    expect(tok().eos).toBe(49407);
    expect(tok().vocabSize).toBe(49408);
    expect(tok().tokenId(',</w>')).toBe(REAL.comma);
    expect(tok().tokenString(REAL.cat)).toBe('cat</w>');
  });

  it('splits a tag prompt as the CLIP pattern does: single digits, punctuation runs, words', () => {
    expect(tok().encode('1boy, solo, black hair, (looking at viewer:1.1)')).toEqual([
      REAL.one, REAL.boy, REAL.comma, REAL.solo, REAL.comma, REAL.black, REAL.hair, REAL.comma,
      REAL.lparen, REAL.looking, REAL.at, REAL.viewer, REAL.colon, REAL.one, REAL.dot, REAL.one, REAL.rparen,
    ]);
  });

  it('lower-cases and collapses whitespace', () => {
    expect(tok().encode('  A\tPHOTO \n\n Of a CaT  ')).toEqual([REAL.a, REAL.photo, REAL.of, REAL.a, REAL.cat]);
  });

  it("keeps contractions as their own pre-token ('s)", () => {
    expect(tok().encode("Hello World's")).toEqual([REAL.hello, REAL.world, REAL.apostropheS]);
  });

  it('applies ftfy: ligatures, full width, curly quotes', () => {
    expect(tok().encode('\ufb01sh')).toEqual([REAL.fish]);
    expect(tok().encode('\uff2c\uff2f\uff35\uff24')).toEqual([REAL.loud]);
    expect(tok().encode('\u201cquote\u201d')).toEqual([REAL.quote, REAL.quoteWord, REAL.quote]);
  });

  it('unescapes HTML entities only when the text has no "<"', () => {
    expect(tok().encode('&amp;')).toEqual([REAL.amp]);
    expect(tok().encode('&amp; <b>')).toEqual([REAL.amp, REAL.ampWord, REAL.semicolon, REAL.lt, REAL.b, REAL.gt]);
  });

  it('maps special-token strings to their ids', () => {
    expect(tok().encode('a<|endoftext|>b')).toEqual([REAL.a, REAL.eos, REAL.b]);
    expect(tok().encode('<|startoftext|>')).toEqual([REAL.bos]);
    // HF's pattern is case-insensitive and the text is lower-cased first.
    expect(tok().encode('<|EndOfText|>')).toEqual([REAL.eos]);
  });

  it('encodes emoji and accented letters byte-level', () => {
    expect(tok().encode('\u{1F600} emoji')).toEqual([REAL.grinning, REAL.emoji]);
    expect(tok().encode('caf\u00e9')).toEqual([REAL.cafe]);
    // NFC: 'e' + combining acute is the same word.
    expect(tok().encode('cafe\u0301')).toEqual([REAL.cafe]);
  });

  it('drops NUL and control characters and replaces lone surrogates', () => {
    expect(tok().encode('x\u0000y\ud800z')).toEqual([REAL.xy, REAL.replacement, REAL.z]);
    expect(tok().encode('\udc00')).toEqual([REAL.replacement]);
  });

  it('gives each token its exact range in the original text', () => {
    const text = 'Blue Eyes, 1girl';
    const { ids, offsets } = tok().encodeWithOffsets(text);
    expect(ids).toEqual([REAL.blue, REAL.eyes, REAL.comma, REAL.one, REAL.girl]);
    expect(offsets.map(([s, e]) => text.slice(s, e))).toEqual(['Blue', 'Eyes', ',', '1', 'girl']);
  });

  it('maps tokens of a word ftfy changed to the whole original word', () => {
    const text = 'black \ufb01sh &amp;';
    const { ids, offsets } = tok().encodeWithOffsets(text);
    expect(ids).toEqual([REAL.black, REAL.fish, REAL.amp]);
    expect(offsets).toEqual([[0, 5], [6, 9], [10, 15]]);
  });

  it('appends to arrays that already hold tokens (encodeInto), on both paths', () => {
    const ids = [1, 2];
    const offsets = [0, 0, 0, 0];
    tok().encodeInto('caf\u00e9 cat', ids, offsets);
    tok().encodeInto('a cat', ids, offsets);
    expect(ids).toEqual([1, 2, REAL.cafe, REAL.cat, REAL.a, REAL.cat]);
    expect(offsets).toEqual([0, 0, 0, 0, 0, 4, 5, 8, 0, 1, 2, 5]);
  });

  it('gives multi-byte characters their UTF-16 range', () => {
    const text = 'x \u{1F600} caf\u00e9';
    const { ids, offsets } = tok().encodeWithOffsets(text);
    expect(ids).toEqual([343, REAL.grinning, REAL.cafe]);
    expect(offsets).toEqual([[0, 1], [2, 4], [5, 9]]);
  });

  it("cleans text as open_clip does for encoder 2: html.unescape always, its own special strings", () => {
    const openClip = tok().withCleanup('open_clip');
    // ftfy leaves '&amp;' alone because of '<'; open_clip's html.unescape then decodes it anyway.
    expect(openClip.encode('&amp; <b>')).toEqual([REAL.amp, REAL.lt, REAL.b, REAL.gt]);
    // html.unescape also knows legacy names without ';'; ftfy does not.
    expect(openClip.encode('&amp')).toEqual([REAL.amp]);
    expect(tok().encode('&amp')).toEqual([REAL.amp, REAL.ampWord]);
    expect(openClip.encode('<start_of_text>a<end_of_text>')).toEqual([REAL.bos, REAL.a, REAL.eos]);
    // Plain prompts are the same for both.
    expect(openClip.encode('1boy, solo, black hair')).toEqual(tok().encode('1boy, solo, black hair'));
  });

  it('encodes the empty string and whitespace to nothing', () => {
    expect(tok().encode('')).toEqual([]);
    expect(tok().encode(' \t\n\u3000\u00a0 ')).toEqual([]);
  });

  it('splits ASCII text the same on the hand-written fast path as with the CLIP pattern (random text)', () => {
    // A leading NUL sends the text down the general path (ftfy, then the regex) and is removed there.
    const ascii = fc.string({ unit: fc.constantFrom(...'aZ9 \t\n\'sSlLdDtTmMrReEvV,.:()[]<>|!_-\\'.split(''), '<|endoftext|>', '<|STARTOFTEXT|>', "'re", "'LL", '<|', '|>', '<|startoftext', 'endoftext|>'), maxLength: 60 });
    fc.assert(
      fc.property(ascii, (text) => {
        expect(tok().encode(text)).toEqual(tok().encode(`\u0000${text}`));
        const openClip = tok().withCleanup('open_clip');
        expect(openClip.encode(text)).toEqual(openClip.encode(`\u0000${text}`));
        const fast = tok().encodeWithOffsets(text);
        expect(fast.offsets.every(([s, e]) => s >= 0 && e > s && e <= text.length)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws and stays in the vocabulary on any string (random text)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const { ids, offsets } = tok().encodeWithOffsets(text);
        expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 49408)).toBe(true);
        expect(offsets).toHaveLength(ids.length);
        expect(tok().withCleanup('open_clip').encode(text).every((id) => id >= 0 && id < 49408)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('survives a megabyte of text of every kind', () => {
    const kinds = [
      '(masterpiece:1.2), 1girl, '.repeat(40_000),
      '\u0000\ud800&amp;<'.repeat(200_000),
      'caf\u00e9 \u{1F600}\u{1F600} \ufb01 ABC\u3000'.repeat(60_000),
      // Single words of 256 KiB: the O(n log n) merge path.
      'a'.repeat(1 << 18),
      '\u{1F600}'.repeat(1 << 16),
    ];
    for (const text of kinds) {
      const ids = tok().encode(text);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 49408)).toBe(true);
    }
  });

  it('gives offsets for a megabyte of text too', () => {
    for (const text of ['caf\u00e9 \ufb01 '.repeat(100_000), 'x'.repeat(1 << 20), '\u00e9'.repeat(1 << 18)]) {
      const { ids, offsets } = tok().encodeWithOffsets(text);
      expect(offsets).toHaveLength(ids.length);
      expect(offsets.every(([s, e]) => s >= 0 && e > s && e <= text.length)).toBe(true);
    }
  });
});

describe('CLIP tokenizer, fixture vocabulary', () => {
  // test/fixtures/tokenizer/mini: the 512 byte symbols (ids 0-511, GPT-2 byte order, so 'a' is 64, 'a</w>'
  // 320, 't' 83, 'b' 65, 'x</w>' 343), then ten merges with ids 512-521, then the specials 522 and 523:
  //   c a -> ca 512 | ca t</w> -> cat</w> 513 | h a -> ha 514 | ha t</w> -> hat</w> 515 | a t</w> -> at</w> 516
  //   b at</w> -> bat</w> 517 | d o -> do 518 | do g</w> -> dog</w> 519 | a a -> aa 520 | aa a</w> -> aaa</w> 521
  const mini = fromDir(MINI_DIR);

  it('merges by rank, lowest first', () => {
    expect(mini.encode('a cat')).toEqual([320, 513]);
    expect(mini.encode('dog')).toEqual([519]);
    // 'h a' (rank 2) beats 'a t</w>' (rank 4); 't h' is no merge.
    expect(mini.encode('that')).toEqual([83, 515]);
    // Only 'a t</w>' applies first, then 'b at</w>'.
    expect(mini.encode('bat')).toEqual([517]);
  });

  it('merges every occurrence of the best pair left to right, without overlap', () => {
    expect(mini.encode('aaa')).toEqual([521]);
    // a a a a</w> -> aa a a</w> (the second a-a would overlap) -> nothing more applies.
    expect(mini.encode('aaaa')).toEqual([520, 64, 320]);
    // a a a a a</w> -> aa aa a</w> -> aa aaa</w>
    expect(mini.encode('aaaaa')).toEqual([520, 521]);
  });

  it('gives the same merges for long words (heap path)', () => {
    // 99 'a' and a final 'a</w>': 49 pairs merge, then 'a', 'a</w>' are left.
    expect(mini.encode('a'.repeat(100))).toEqual([...Array<number>(49).fill(520), 64, 320]);
  });

  it('knows bos, eos and size from the fixture', () => {
    expect(mini.bos).toBe(522);
    expect(mini.eos).toBe(523);
    expect(mini.vocabSize).toBe(524);
    expect(mini.encode('cat<|endoftext|>')).toEqual([513, 523]);
  });

  it('scan and heap merging agree on random words', () => {
    const vocab = JSON.parse(readMini('vocab.json')) as Record<string, number>;
    const mergeRanks = new Map(readMini('merges.txt').trim().split('\n').slice(1).map((line, rank) => [line, rank] as const));
    const bpe = new BytePairEncoder({ mergeRank: (l, r) => mergeRanks.get(`${l} ${r}`), tokenId: (t) => vocab[t], unkId: 523 });
    const chars = bytesToUnicode();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'o', 'g', 'h', 't'), maxLength: 80 }), (word) => {
        const symbols = Array.from(utf8(word), (b) => chars[b]!);
        if (symbols.length === 0) return;
        symbols[symbols.length - 1] += '</w>';
        expect(bpe.mergeWithHeap(symbols.slice())).toEqual(bpe.mergeByScan(symbols.slice()));
      }),
      { numRuns: 500 },
    );
  });
});

describe.skipIf(!HAS_REAL_CLIP)('BPE merging strategies, real merges', () => {
  it('scan and heap merging agree on random words', () => {
    const tok = realTokenizer();
    const chars = bytesToUnicode();
    const vocabText = readFileSyncReal('vocab.json');
    const vocab = JSON.parse(vocabText) as Record<string, number>;
    const mergeRanks = new Map(readFileSyncReal('merges.txt').trim().split('\n').slice(1, 48895).map((line, rank) => [line, rank] as const));
    const bpe = new BytePairEncoder({ mergeRank: (l, r) => mergeRanks.get(`${l} ${r}`), tokenId: (t) => vocab[t], unkId: tok.eos });
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'e', 'i', 'n', 's', 't', 'r', 'l', 'o', 'é', '!'), minLength: 1, maxLength: 120 }), (word) => {
        const symbols = Array.from(utf8(word), (b) => chars[b]!);
        symbols[symbols.length - 1] += '</w>';
        expect(bpe.mergeWithHeap(symbols.slice())).toEqual(bpe.mergeByScan(symbols.slice()));
      }),
      { numRuns: 500 },
    );
  });
});

function readFileSyncReal(name: string): string {
  return readFileSync(path.join(REAL_CLIP_DIR, name), 'utf8');
}
