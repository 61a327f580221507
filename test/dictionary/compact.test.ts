// The compact dictionary form (core/dictionary/compact.ts): an index loaded from it answers exactly as the
// index built from the CSV, and bytes that are not one are refused with a CompactDictionaryError.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompactDictionaryError, compactDictionary, loadCompactDictionary, TagIndex } from '../../core/dictionary/dictionary';
import { bundledDictionary } from '../../server/bundledData';

const fixture = readFileSync(path.resolve(__dirname, '../fixtures/server/tags.csv'), 'utf8');
const danbooruPath = path.resolve(__dirname, '../../../shared/data/tags/danbooru.csv');

/** Every answer of both indexes to `queries`, side by side. */
function answers(index: TagIndex, queries: string[]) {
  return queries.map((q) => ({ q, search: index.search(q, 50), few: index.search(q, 3), lookup: index.lookup(q) }));
}

const QUERIES = ['a', 'l', 'lo', 'long', 'long h', 'long_hair', 'Long Hair', '/l', '/lh', 'longhair', 'hair', 'h', 'ha', 'fate (', 'fate \\(series\\)',
  '1', '1g', '1girl', 'sole female', 'miku', 'hatsune', '^', '^_^', 'very', 'zzz', 'ポ', 'ポニー', 'cafe', 'café', 'x y', 'dup', 'pov eye contact'];

describe('a compacted dictionary', () => {
  it('answers as the index built from the CSV', () => {
    const csv = `${fixture}Upper_Case Name,0,7,"Spaced Alias,x_y"\ncafé_crème,0,6,ポニーテール\ndup_a,0,5,dup\ndup_b,0,9,dup\nempty_alias,0,1,""\n`;
    const fromCsv = TagIndex.fromCsv(csv);
    const compact = loadCompactDictionary(compactDictionary(csv));
    expect(compact.size).toBe(fromCsv.size);
    expect(compact.problems).toEqual([]);
    expect(answers(compact, QUERIES)).toEqual(answers(fromCsv, QUERIES));
    // The more posted holder of a repeated alias wins, as in the CSV index.
    expect(compact.lookup('dup')?.tag.name).toBe('dup_b');
  });

  it('keeps tags of equal post count in file order', () => {
    const csv = 'b_tag,0,5,\na_tag,0,5,\nc_tag,0,9,\n';
    expect(loadCompactDictionary(compactDictionary(csv)).search('_', 10).map((m) => m.tag.name)).toEqual(TagIndex.fromCsv(csv).search('_', 10).map((m) => m.tag.name));
  });

  it('refuses a CSV with bad rows, since a shipped dictionary must load clean', () => {
    expect(() => compactDictionary('good,0,1,\nbad,zero,1,\n')).toThrow(CompactDictionaryError);
  });

  it('refuses bytes that are not a compact dictionary, cut short or of another version', () => {
    const bytes = compactDictionary(fixture);
    const refused = (b: Uint8Array): void => {
      expect(() => loadCompactDictionary(b)).toThrow(CompactDictionaryError);
    };
    refused(new Uint8Array(0));
    refused(new TextEncoder().encode(fixture));
    const otherVersion = bytes.slice();
    otherVersion[4] = 99;
    refused(otherVersion);
    for (let cut = 1; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 97))) refused(bytes.subarray(0, cut));
    refused(new Uint8Array([...bytes, 0]));
  });
});

const shippedCsv = (): string => gunzipSync(readFileSync(path.resolve(__dirname, '../../data/tags/danbooru.csv.gz'))).toString('utf8');

describe.skipIf(!existsSync(danbooruPath))('the danbooru.csv of ../shared', () => {
  it('is what the repository ships, unchanged', () => {
    expect(shippedCsv()).toBe(readFileSync(danbooruPath, 'utf8'));
  });
});

describe('the shipped danbooru dictionary', () => {
  let csv = '';
  beforeAll(() => {
    csv = shippedCsv();
  });

  it('is built into dist/data and answers as the CSV does', () => {
    const shipped = bundledDictionary();
    const fromCsv = TagIndex.fromCsv(csv);
    expect(shipped.size).toBe(140782);
    expect(answers(shipped, QUERIES)).toEqual(answers(fromCsv, QUERIES));
    expect(shipped.search('long ha', 1)[0]?.tag).toMatchObject({ name: 'long_hair', category: 0, postCount: 4350743 });
  });
});
