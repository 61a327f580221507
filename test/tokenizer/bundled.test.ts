// The CLIP tokenizer Tagsmith ships: data/clip/merges.txt.gz, with the vocabulary derived from the merges as
// CLIP's simple_tokenizer.py builds it. Checked against the real vocab.json and merges.txt of ../shared when
// present; the known ids of Hugging Face's documentation otherwise.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByteCharacters, loadClipTokenizerFromMerges } from '../../core/tokenizer/index';
import { clipFilesFromMerges } from '../../core/tokenizer/load';
import { bundledTokenizer } from '../../server/bundledData';
import { fromDir, fromFiles, HAS_REAL_CLIP, readMini, REAL_CLIP_DIR } from './helpers';

const shippedMerges = (): string => gunzipSync(readFileSync(path.resolve(__dirname, '../../data/clip/merges.txt.gz'))).toString('utf8');

describe('the vocabulary derived from merges.txt', () => {
  it('starts with the 256 byte characters in bytes_to_unicode order', () => {
    const chars = clipByteCharacters();
    expect(chars).toHaveLength(256);
    expect(new Set(chars).size).toBe(256);
    // Printable ASCII from '!' first, then ¡..¬, ®..ÿ, then the rest from U+0100 (byte 0 first, space = U+0120).
    expect(chars.slice(0, 3)).toEqual(['!', '"', '#']);
    expect(chars[93]).toBe('~');
    expect(chars[94]).toBe('¡');
    expect(chars[188]).toBe('Ā');
    expect(chars[188 + 32]).toBe('Ġ');
  });

  it('numbers bytes, bytes with </w>, merges, then the start and end tokens', () => {
    const files = clipFilesFromMerges('#version: 0.2\nc a\nca t</w>\n');
    expect(files.vocab.get('!')).toBe(0);
    expect(files.vocab.get('!</w>')).toBe(256);
    expect(files.vocab.get('ca')).toBe(512);
    expect(files.vocab.get('cat</w>')).toBe(513);
    expect(files.vocab.get('<|startoftext|>')).toBe(514);
    expect(files.vocab.get('<|endoftext|>')).toBe(515);
    expect(files.vocab.size).toBe(516);
    // The fixture tokenizer's merges give the fixture's own vocab.json ids for its merged tokens.
    const mini = fromFiles({ 'vocab.json': readMini('vocab.json'), 'merges.txt': readMini('merges.txt') });
    const derived = loadClipTokenizerFromMerges(readMini('merges.txt'));
    for (const text of ['a cat', 'that dog', 'cat, bat']) expect(derived.encode(text)).toEqual(mini.encode(text));
  });

  it('reads merges with CRLF or extra spaces as the plain file, and keeps the last id of a repeated token', () => {
    const plain = '#version: 0.2\nc a\nca t</w>\nc at</w>\n';
    const vocabOf = (text: string) => new Map(clipFilesFromMerges(text).vocab.entries());
    const expected = vocabOf(plain);
    // `ca t</w>` and `c at</w>` both make `cat</w>`: as in a Python dict from the list, the later id (514) stays.
    expect(expected.get('cat</w>')).toBe(514);
    expect(expected.get('<|endoftext|>')).toBe(516);
    expect(expected.size).toBe(512 + 2 + 2);
    expect(vocabOf(plain.replace(/\n/g, '\r\n'))).toEqual(expected);
    expect(vocabOf(plain.replace('ca t</w>', 'ca  t</w>'))).toEqual(expected);
  });

  it('gives the ids Hugging Face documents for CLIP, from the shipped merges alone', () => {
    const tokenizer = bundledTokenizer();
    expect(tokenizer.encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
    expect([tokenizer.bos, tokenizer.eos, tokenizer.vocabSize]).toEqual([49406, 49407, 49408]);
    expect(bundledTokenizer('open_clip').encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
  });
});

describe.skipIf(!HAS_REAL_CLIP)('against the real CLIP files of ../shared', () => {
  // Read in beforeAll: a skipped describe still runs its body, and the files may be absent.
  let realVocab: Record<string, number>;
  beforeAll(() => {
    realVocab = JSON.parse(readFileSync(path.join(REAL_CLIP_DIR, 'vocab.json'), 'utf8')) as Record<string, number>;
  });

  it('ships merges.txt unchanged', () => {
    expect(shippedMerges()).toBe(readFileSync(path.join(REAL_CLIP_DIR, 'merges.txt'), 'utf8'));
  });

  it('derives exactly the real vocab.json: every token with its id, nothing more', () => {
    const derived = new Map(clipFilesFromMerges(shippedMerges()).vocab.entries());
    expect(derived.size).toBe(Object.keys(realVocab).length);
    const wrong = Object.entries(realVocab).filter(([token, id]) => derived.get(token) !== id);
    expect(wrong).toEqual([]);
  });

  it('encodes as the tokenizer loaded from the real folder', () => {
    const real = fromDir(REAL_CLIP_DIR);
    const shipped = bundledTokenizer();
    const texts = [
      '1boy, solo, black hair, (looking at viewer:1.1), best quality, amazing quality, best aesthetic, absurdres, year 2023',
      'lowres, (bad:1.05), text, error, jpeg artifacts, worst quality, ^_^, fate \\(series\\), hatsune miku',
      'café crème — ＡＢＣ, ポニーテール, 😀 emoji, don\'t, it\'ll, &amp; &lt;3',
    ];
    for (const text of texts) {
      expect(shipped.encode(text)).toEqual(real.encode(text));
      expect(shipped.withCleanup('open_clip').encode(text)).toEqual(real.withCleanup('open_clip').encode(text));
    }
  });
});

describe('the built data', () => {
  it('is in dist/data with the licence notices', () => {
    const dist = path.resolve(__dirname, '../../dist/data');
    for (const file of ['clip-merges.txt.gz', 'danbooru.tagindex', 'CLIP-LICENSE.txt', 'DANBOORU-TAGS-LICENSE.txt']) {
      expect(existsSync(path.join(dist, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(dist, 'CLIP-LICENSE.txt'), 'utf8')).toContain('Copyright (c) 2021 OpenAI');
    expect(readFileSync(path.join(dist, 'DANBOORU-TAGS-LICENSE.txt'), 'utf8')).toContain('Copyright (c) 2022 Dominik Reh');
  });
});
