import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { TagIndex, categoryName, lookupAll, searchAll, tagInsertText, tagKey } from '../../core/dictionary/dictionary';

const fixture = readFileSync(path.resolve(__dirname, '../fixtures/server/tags.csv'), 'utf8');
const danbooruPath = path.resolve(__dirname, '../../../shared/data/tags/danbooru.csv');

const names = (index: TagIndex, query: string, limit?: number): string[] => index.search(query, limit).map((m) => m.tag.name);

describe('reading tag files', () => {
  it('reads name, category, post count and quoted aliases', () => {
    const index = TagIndex.fromCsv(fixture);
    expect(index.size).toBe(11);
    expect(index.problems).toEqual([]);
    expect(index.lookup('looking_at_viewer')?.tag).toEqual({
      name: 'looking_at_viewer',
      category: 0,
      postCount: 3315722,
      aliases: ['/lav', '/pec', 'pov_eye_contact'],
    });
    expect(index.lookup('wlop')?.tag).toEqual({ name: 'wlop', category: 1, postCount: 5000, aliases: [] });
  });

  it('unescapes doubled quotes, and handles CRLF, a BOM and blank lines', () => {
    const index = TagIndex.fromCsv('\ufeffsolo,0,10,\r\n\r\n"don\'t_say_""lazy""",0,7,don\'t_say_lazy\r\n"i""s",3,5,\r\n');
    expect(index.size).toBe(3);
    expect(index.problems).toEqual([]);
    expect(index.lookup('solo')?.tag.postCount).toBe(10);
    expect(index.lookup('don\'t say "lazy"')?.tag.name).toBe('don\'t_say_"lazy"');
    expect(index.lookup('don\'t say lazy')).toMatchObject({ kind: 'alias', alias: "don't_say_lazy" });
    expect(index.lookup('i"s')?.tag.category).toBe(3);
  });

  it('keeps unquoted alias lists whole and allows missing trailing fields', () => {
    const index = TagIndex.fromCsv('a_tag,0,3,x1,x2\nbare_name,1\nonly\n');
    expect(index.lookup('a tag')?.tag.aliases).toEqual(['x1', 'x2']);
    expect(index.lookup('bare name')?.tag).toEqual({ name: 'bare_name', category: 1, postCount: 0, aliases: [] });
    expect(index.problems).toEqual([{ line: 3, message: 'expected name,category,postCount[,"aliases"]; found no comma' }]);
  });

  it('names the line of each bad row, counting lines inside quoted fields', () => {
    const index = TagIndex.fromCsv('good,0,1,"a,\nb"\nbad,general,5,\nworse,0,many,\nok,0,2,\n');
    expect(index.size).toBe(2);
    expect(index.problems).toEqual([
      { line: 3, message: "category 'general' is not a whole number" },
      { line: 4, message: "post count 'many' is not a whole number" },
    ]);
  });

  it('reports an unterminated quote and keeps the rows before it', () => {
    const index = TagIndex.fromCsv('one,0,1,\n"two,0,1,\nthree,0,1,\n');
    expect(index.size).toBe(1);
    expect(index.problems).toEqual([{ line: 2, message: 'unterminated quoted field' }]);
  });

  it('says so when a file is not a tag CSV at all', () => {
    const json = TagIndex.fromCsv('{\n  "tags": []\n}\n');
    expect(json.size).toBe(0);
    expect(json.problems[0]).toEqual({ line: 1, message: 'no tag rows found; expected a1111 tag-autocomplete CSV (name,category,postCount,"aliases")' });
    const binary = TagIndex.fromCsv('\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR,\u0000,\u0001');
    expect(binary.size).toBe(0);
    expect(binary.problems.length).toBeGreaterThan(1);
    expect(binary.problems.some((p) => p.message.includes('control or invalid characters'))).toBe(true);
  });

  it('lists at most 20 problems and counts the rest', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `t${i},x,1,`).join('\n');
    const index = TagIndex.fromCsv(lines);
    expect(index.problems).toHaveLength(22);
    expect(index.problems[21]!.message).toBe('and 10 more bad rows');
    expect(index.problems[1]!.line).toBe(1);
  });

  it('never throws on random text', () => {
    for (const text of ['"', ',', '""', '"a"b,c', ',,,,', '\n\n\r', 'a,"', 'x,0,1,"', '\ud800,0,1']) {
      expect(() => TagIndex.fromCsv(text)).not.toThrow();
    }
  });
});

describe('searching', () => {
  const index = TagIndex.fromCsv(fixture);

  it('matches the start of a name, most posts first', () => {
    // very_long_hair matches by its second word.
    expect(names(index, 'lo')).toEqual(['long_hair', 'looking_at_viewer', 'very_long_hair']);
  });

  it('matches the start of a later word', () => {
    // hair: long_hair 4.35M, short_hair 2.26M, hair_ornament 1.1M (name start), very_long_hair 743k.
    expect(names(index, 'hair')).toEqual(['long_hair', 'short_hair', 'hair_ornament', 'very_long_hair']);
    expect(index.search('viewer')[0]).toMatchObject({ kind: 'word', tag: { name: 'looking_at_viewer' } });
    expect(names(index, 'series')).toEqual(['fate_(series)']);
  });

  it('reads spaces as underscores, ignores case and escapes', () => {
    expect(names(index, 'Looking at V')).toEqual(['looking_at_viewer']);
    expect(names(index, 'fate \\(se')).toEqual(['fate_(series)']);
    expect(names(index, 'long_h')).toEqual(['long_hair', 'very_long_hair']);
  });

  it('offers the canonical tag for an alias and says which alias matched', () => {
    expect(index.search('longh')).toEqual([{ tag: expect.objectContaining({ name: 'long_hair' }), kind: 'alias', alias: 'longhair' }]);
    expect(index.search('/lav')[0]).toMatchObject({ kind: 'alias', alias: '/lav', tag: { name: 'looking_at_viewer' } });
    expect(names(index, 'miku')).toEqual(['hatsune_miku']);
  });

  it('lists a tag once, by its best match', () => {
    // short_hair matches `sh` by name and by its aliases `short-hair`, `shorthair`.
    expect(index.search('sh')).toEqual([{ tag: expect.objectContaining({ name: 'short_hair' }), kind: 'name' }]);
  });

  it('answers one typed character, name before alias', () => {
    expect(names(index, 'l')).toEqual(['long_hair', 'looking_at_viewer', 'very_long_hair']);
    expect(index.search('l', 1)).toEqual([{ tag: expect.objectContaining({ name: 'long_hair' }), kind: 'name' }]);
  });

  it('honours the limit and finds nothing for unknown text', () => {
    expect(names(index, 'hair', 2)).toEqual(['long_hair', 'short_hair']);
    expect(index.search('zzz')).toEqual([]);
    expect(index.search('')).toEqual([]);
    expect(index.search('long_hair_and_more')).toEqual([]);
  });

  it('merges several files by post count, each tag once', () => {
    const mine = TagIndex.fromCsv('long_hair,0,10,\nlong_coat,0,9000000,\n');
    expect(searchAll([index, mine], 'long').map((m) => m.tag.name)).toEqual(['long_coat', 'long_hair', 'very_long_hair']);
    expect(lookupAll([mine, index], 'long hair')?.tag.postCount).toBe(10);
  });
});

describe('writing tags into a prompt', () => {
  it('writes underscores as spaces and escapes brackets', () => {
    expect(tagInsertText('looking_at_viewer', { keepUnderscores: false })).toBe('looking at viewer');
    expect(tagInsertText('fate_(series)', { keepUnderscores: false })).toBe('fate \\(series\\)');
    expect(tagInsertText('fate_(series)', { keepUnderscores: true })).toBe('fate_\\(series\\)');
  });

  it('keeps the underscore of emoticons', () => {
    expect(tagInsertText('^_^', { keepUnderscores: false })).toBe('^_^');
    expect(tagInsertText('o_o', { keepUnderscores: false })).toBe('o_o');
  });

  it('names the danbooru categories', () => {
    expect([0, 1, 3, 4, 5, 9].map(categoryName)).toEqual(['general', 'artist', 'copyright', 'character', 'meta', 'category 9']);
  });

  it('compares tags by one key', () => {
    expect(tagKey('  Looking  at\\ viewer ')).toBe('looking_at_viewer');
    expect(tagKey('fate \\(series\\)')).toBe('fate_(series)');
  });
});

describe('the 140k-tag danbooru.csv', () => {
  // ../shared's copy when present, else the one the repository ships (data/tags; compact.test.ts checks they are the same).
  let index!: TagIndex;
  beforeAll(() => {
    const csv = existsSync(danbooruPath)
      ? readFileSync(danbooruPath, 'utf8')
      : gunzipSync(readFileSync(path.resolve(__dirname, '../../data/tags/danbooru.csv.gz'))).toString('utf8');
    index = TagIndex.fromCsv(csv);
  });

  it('reads every row', () => {
    // 140,782 lines in the file (wc -l), one tag per line, no multi-line fields.
    expect(index.size).toBe(140782);
    expect(index.problems).toEqual([]);
  });

  it('finds tags by prefix, word and alias', () => {
    expect(names(index, 'looking at v', 1)).toEqual(['looking_at_viewer']);
    expect(names(index, 'hair', 3)).toEqual(['long_hair', 'short_hair', 'blonde_hair']);
    expect(index.search('/lh')).toMatchObject([{ kind: 'alias', alias: '/lh', tag: { name: 'long_hair' } }]);
    expect(index.lookup('1girls')?.tag.name).toBe('1girl');
    expect(index.lookup('fate (series)')?.tag.category).toBe(3);
  });
});
