// Each check with its input inline and the expected diagnostics beside it, as `line:col code`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allRules, checkDocument, nearestTrainedSize } from '../../core/checks/index';
import { parseDocument } from '../../core/parse/index';
import { defaultProfile, parseProfile, ProfileError, type Profile } from '../../core/profiles/index';
import { normalizeTag } from '../../core/profiles/profile';

function check(text: string, profile: Profile = defaultProfile, severity?: Record<string, 'off' | 'hint' | 'info' | 'warning' | 'error'>): string[] {
  const doc = parseDocument(text);
  return checkDocument(doc, profile, { severity }).map((d) => {
    const p = doc.lines.displayPositionAt(d.start);
    return `${p.line + 1}:${p.character + 1} ${d.severity} ${d.code}`;
  });
}

describe('checks', () => {
  it('lists at most 200 diagnostics of one code per block, then one that says how many more there are', () => {
    // 'a' once, then 300 duplicates; a second block has its own 200.
    const block = `${Array.from({ length: 301 }, () => 'a').join(', ')}\n`;
    const doc = parseDocument(`${block}---\n${block}`);
    const found = checkDocument(doc, defaultProfile);
    const first = found.filter((d) => d.start < block.length);
    expect(first).toHaveLength(201);
    const more = first[first.length - 1]!;
    // At the first duplicate left out: the 202nd 'a' (offset 3 * 201).
    expect([more.code, more.severity, more.start, more.end]).toEqual(['duplicate-tag', 'warning', 603, 604]);
    expect(more.message).toBe('100 more like this in this block are not listed: Tagsmith lists the first 200 of each kind per block.');
    expect(found.filter((d) => d.start > block.length)).toHaveLength(201);
    // The same code: turned off, the summary goes too.
    expect(checkDocument(doc, defaultProfile, { severity: { 'duplicate-tag': 'off' } })).toHaveLength(0);
  });

  it('finds the issue example at its exact positions', () => {
    expect(check('1boy, (best quality, year 2030\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 833x1216')).toEqual([
      '1:7 error unclosed-bracket',
      '1:22 warning year-out-of-range',
      '2:60 error size-not-multiple-of-8',
    ]);
  });

  it.each([
    ['a), b', ['1:2 error stray-bracket']],
    ['(a:abc), (b:), (c:1.2.3)', ['1:3 error malformed-weight', '1:12 error malformed-weight', '1:18 error malformed-weight']],
    ['year 23, year 20233', ['1:1 warning year-malformed', '1:10 warning year-malformed']],
    ['year 2004, year 2023', ['1:1 warning year-out-of-range', '1:12 warning multiple-in-group']],
    ['best quality, worst quality, bad aesthetic, great aesthetic', ['1:15 warning conflicting-tags', '1:30 warning conflicting-tags']],
    ['best quality, amazing quality, best aesthetic', []],
    ['very nsfw, slightly nsfw', ['1:12 warning multiple-in-group']],
    ['best qualty, amazing quailty, bestquality, best_quality', ['1:1 warning near-miss', '1:14 warning near-miss', '1:31 warning near-miss']],
    ['1boy, smile, 1boy, (smile)', ['1:14 warning duplicate-tag', '1:21 warning duplicate-tag']],
    ['(a:2.5), (b:-1), ((((((((c))))))))', ['1:2 warning weight-out-of-range', '1:11 warning weight-out-of-range', '1:26 warning weight-out-of-range']],
    // [b:-1] is prompt editing (A1111's grammar takes a signed step), so b keeps weight 1.
    ['[b:-1]', []],
    ['<lora:x', ['1:1 error unclosed-extra-network']],
    ['[(a])', ['1:2 error crossed-bracket']],
  ])('%s', (text, expected) => {
    expect(check(text)).toEqual(expected);
  });

  it('checks a tag in both the prompt and its negative, and conflicts in the negative the other way', () => {
    expect(check('1boy, best quality\nNegative prompt: best quality, worst quality, lowres')).toEqual([
      '2:18 warning conflicting-tags',
      '2:18 warning tag-in-both',
    ]);
    // Rating tags in the negative prompt are common; only the prompt is limited to one.
    expect(check('1boy\nNegative prompt: very nsfw, fairly nsfw')).toEqual([]);
  });

  it('checks the settings line', () => {
    expect(check('1boy\nSteps: 0, Sampler: Euler b, CFG scale: 31, Seed: 1, Size: 1000x1000, Hires steps: 3, Foo: bar')).toEqual([
      '2:8 warning steps-out-of-range',
      '2:20 warning unknown-sampler',
      '2:40 warning cfg-out-of-range',
      '2:59 hint size-not-trained',
      '2:86 info unknown-setting',
    ]);
    expect(check('1boy\nSteps: 28, Size: 832, Sampler: DPM++ 2M Karras')).toEqual(['2:18 error size-malformed']);
    expect(check('1boy\nSteps: 150, CFG scale: 1, Size: 1216x832')).toEqual([]);
  });

  it('gives quick-fix data', () => {
    const doc = parseDocument('best qualty\nSize: 833x1216, Steps: 28, Sampler: euler a');
    expect(checkDocument(doc, defaultProfile).map((d) => [d.code, d.data])).toEqual([
      ['near-miss', { fix: 'replace', with: 'best quality' }],
      ['size-not-multiple-of-8', { fix: 'replace', with: '832x1216' }],
      ['unknown-sampler', { fix: 'replace', with: 'Euler a' }],
    ]);
    expect(nearestTrainedSize(defaultProfile.recommended.sizes, 1200, 800)).toEqual({ width: 1216, height: 832, label: 'landscape' });
  });

  it('applies severity overrides by code, and turns codes off', () => {
    expect(check('a), best qualty', defaultProfile, { 'near-miss': 'error', 'stray-bracket': 'off' })).toEqual(['1:5 error near-miss']);
  });

  it('declares every rule once with a code, a default severity and a message', () => {
    const codes = allRules.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const r of allRules) expect(['error', 'warning', 'info', 'hint']).toContain(r.defaultSeverity);
  });
});

describe('A1111 checks in a Dynamic Prompts template', () => {
  // Positions counted by hand: `{` is column 1.
  it.each([
    // A near miss inside an option, at its place.
    ['{best qualty|amazing quality}, 1boy', ['1:2 warning near-miss']],
    // A tag in two alternative options of one variant is no duplicate; twice in one option, or beside the variant, it is.
    ['{1boy|1boy, smile}', []],
    ['{1boy, 1boy|smile}', ['1:8 warning duplicate-tag']],
    ['1boy, {1boy|smile}', ['1:8 warning duplicate-tag']],
    ['{{1boy|solo}|1boy}', []],
    ['{1boy|{solo|smile}, 1boy}', []],
    ['{1boy, {solo|1boy}|smile}', ['1:14 warning duplicate-tag']],
    // {2$$…} picks two options into one prompt: they meet.
    ['{2$$1boy, smile|1boy, solo}', ['1:17 warning duplicate-tag']],
    // Alternatives neither conflict nor count as two ratings.
    ['{best quality|worst quality}', []],
    ['{very nsfw|slightly nsfw}', []],
    ['{best quality|smile}, worst quality', ['1:23 warning conflicting-tags']],
    // {(a|b)} expands to "(a" and "b)": broken in every expansion.
    ['{(smile|solo)}', ['1:2 error unclosed-bracket', '1:13 error stray-bracket']],
    ['({smile|solo}), [{1boy|1girl}:0.5]', []],
    // A weight written as a variant is a weight in each expansion: (smile:1.2) or (smile:1.3).
    ['(smile:{1.2|1.3}), (solo: ${w}), (1boy:b {c|d})', ['1:39 error malformed-weight']],
    // A template that does not parse stays A1111 text (template-syntax reports it).
    ['{smile|solo', ['1:1 error template-syntax']],
  ])('%s', (text, expected) => {
    expect(check(text)).toEqual(expected);
  });

  it('says why a bracket is unclosed or stray within an option', () => {
    const messages = checkDocument(parseDocument('{(smile|solo)}'), defaultProfile).map((d) => d.message);
    expect(messages).toEqual([
      "Unclosed '(' in this option of the Dynamic Prompts variant: A1111 reads each expansion, where the option ends with it open",
      "')' closes nothing in this option of the Dynamic Prompts variant: A1111 reads each expansion, where brackets pair within the option",
    ]);
  });
});

describe('a second profile is data only', () => {
  const other = parseProfile(JSON.parse(readFileSync(resolve(__dirname, '../fixtures/profiles/otherxl.json'), 'utf8')), 'otherxl.json');

  it("checks with the other model's vocabulary", () => {
    expect(check('1boy, masterpeice, masterpiece, low quality, newest 2030, safe, nsfw\nSize: 832x1216', other)).toEqual([
      '1:7 warning near-miss',
      '1:33 warning conflicting-tags',
      '1:46 warning year-out-of-range',
      '1:65 warning multiple-in-group',
      '2:7 hint size-not-trained',
    ]);
    // AnimeBoysXL's card tags mean nothing to it.
    expect(check('best qualty, year 2030', other)).toEqual([]);
  });

  it('rejects a malformed profile naming the field', () => {
    expect(() => parseProfile({ id: 'x', name: 'X', baseModel: 'b', qualitySuffix: '', tagGroups: [{ kind: 'q', tags: [{}] }] }, 'bad.json')).toThrow(
      new ProfileError("bad.json: field 'tagGroups[0].tags[0].tag' must be a string"),
    );
  });
});

describe('tag names', () => {
  it('are lower case, underscores as spaces, whitespace collapsed and trimmed (10,000 random tags, twice each)', () => {
    const piece = fc.constantFrom('a', 'B', 'year 2023', '_', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', 'É', 'ß', 'İ', '\x01', '(', ':', '-', '9');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), (tag) => {
        const want = tag.toLowerCase().replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
        expect(normalizeTag(tag)).toBe(want);
        expect(normalizeTag(tag)).toBe(want); // the remembered answer too
      }),
      { numRuns: 10_000 },
    );
  });
});
