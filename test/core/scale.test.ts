// Inputs that once took time quadratic in their size (or copied a growing stack per item). Each test runs
// the big input and checks its results against a reference computed the slow, obvious way — never a timing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionPieces } from '../../core/attention';
import { checkDocument } from '../../core/checks/index';
import { leaves, parseDocument } from '../../core/parse/index';
import { isSettingsLine, parseSettingsLine } from '../../core/parse/settings';
import { defaultProfile } from '../../core/profiles/index';
import { LineIndex } from '../../core/text/lineIndex';

const R = 1.1;
const S = 1 / 1.1;

/** A1111's parse_prompt_attention loop as it is written (multiply_range over the rest of the list). */
function referenceWeights(text: string): number[] {
  const res: number[] = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiply = (from: number, m: number): void => {
    for (let p = from; p < res.length; p++) res[p]! *= m;
  };
  const re = /\\\(|\\\)|\\\[|\\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|\]|[^\\()[\]:]+|:/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const t = m[0];
    if (t.startsWith('\\')) res.push(1);
    else if (t === '(') round.push(res.length);
    else if (t === '[') square.push(res.length);
    else if (m[1] !== undefined && round.length > 0) multiply(round.pop()!, Number(m[1]));
    else if (t === ')' && round.length > 0) multiply(round.pop()!, R);
    else if (t === ']' && square.length > 0) multiply(square.pop()!, S);
    else res.push(1);
  }
  for (const p of round) multiply(p, R);
  for (const p of square) multiply(p, S);
  return res;
}

describe('attention on deep nesting', () => {
  it.each([
    ['text at every level, round', '(a '.repeat(3000) + 'x' + ')'.repeat(3000)],
    ['text at every level, weighted', '(a '.repeat(3000) + 'x' + ':1.05)'.repeat(3000)],
    ['mixed brackets with text', '([{'.repeat(3000) + 'x' + '}])'.repeat(3000)],
    ['crossed and unclosed', '(a [b '.repeat(1500) + ') c ] d '.repeat(1000) + '(e'.repeat(500)],
    ['alternating weights', Array.from({ length: 2000 }, (_, i) => `(t${i} `).join('') + Array.from({ length: 2000 }, (_, i) => `:${i % 2 ? 0.9 : 1.1})`).join('')],
  ])('gives the weights of multiply_range: %s', (_name, text) => {
    const pieces = attentionPieces(text);
    expect(pieces.map((p) => p.weight)).toEqual(referenceWeights(text));
  });
});

describe('attention against multiply_range', () => {
  it('gives the same weights on random bracket soup (3,000 inputs)', () => {
    const piece = fc.constantFrom('(', ')', '[', ']', 'a ', 'b', ':1.2)', ':0.5)', ':2)', ':', '\\(', '\\', ', ', '((', '))', '[[', ']]');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
        const text = parts.join('');
        expect(attentionPieces(text).map((p) => p.weight)).toEqual(referenceWeights(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the parser on big inputs', () => {
  it('reads 30,000 unclosed <lora: as 30,000 problems, losslessly', () => {
    const text = '<lora:'.repeat(30_000);
    const doc = parseDocument(text);
    const problems = doc.blocks[0]!.prompt!.problems.filter((p) => p.kind === 'unclosed-extra-network');
    expect(problems.length).toBe(30_000);
    let joined = '';
    for (const leaf of leaves(doc.root)) joined += text.slice(leaf.start, leaf.end);
    expect(joined).toBe(text);
  });

  it('finds extra networks after a long run of unclosed ones, up to the first >', () => {
    const text = '<lora:'.repeat(5000) + 'a> b, <lora:x:1> c';
    const section = parseDocument(text).blocks[0]!.prompt!;
    // A1111's <(\w+):([^>]+)> from the first '<' takes everything up to the first '>'.
    expect(section.extraNetworks.map((n) => [n.node.start, n.node.end])).toEqual([
      [0, 5000 * 6 + 2],
      [text.indexOf('<lora:x'), text.indexOf('<lora:x') + 10],
    ]);
  });

  it('gives a tag nested 10,000 levels deep in ([{ its weight and every multiplier', () => {
    const depth = 10_000;
    const text = '(['.repeat(depth) + 'x' + '])'.repeat(depth);
    const tags = parseDocument(text).blocks[0]!.prompt!.tags;
    const x = tags.find((t) => t.value === 'x')!;
    let weight = 1;
    for (let k = 0; k < depth; k++) weight = weight * S * R;
    expect(x.weight).toBe(weight);
    const multipliers = x.multipliers;
    expect(multipliers.length).toBe(2 * depth);
    expect(multipliers.slice(0, 4)).toEqual([S, R, S, R]);
  });

  it('reads comment lines of a section with thousands of lines', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(i % 2 ? `# note ${i}` : `tag${i},`);
    const section = parseDocument(lines.join('\n')).blocks[0]!.prompt!;
    expect(section.tags.length).toBe(10_000);
    expect(section.text.includes('note')).toBe(false);
  });

  it('checks every year tag of a long prompt once (multiple-in-group over distinct names)', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `year ${2000 + (i % 20)}`).join(', ');
    const found = checkDocument(parseDocument(text), defaultProfile).filter((d) => d.code === 'multiple-in-group');
    expect(found.length).toBe(19);
  });
});

describe('settings lines', () => {
  /** The settings pattern searched with a plain global regex, as before. */
  function referenceKeys(line: string): string[] {
    const re = /(\s*)(\w[\w \-/]+)(:)(\s*)("(?:\\.|[^\\"])+"|[^,]*)(,|$)/g;
    const keys: string[] = [];
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      keys.push(m[2]!);
    }
    return keys;
  }

  it('finds the same entries as a regex search, also on a long line of words without colons', () => {
    const cases = [
      'Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 832x1216',
      'a b c d '.repeat(20_000) + 'Steps: 1, x y: 2, Size: 3',
      ' -/ a:b, c d/e: f, "g": h, i: "j, k", :l, m-: n',
      'word '.repeat(5000) + ', x: 1',
    ];
    for (const line of cases) {
      expect(parseSettingsLine(line, 0, line.length).entries.map((e) => e.key)).toEqual(referenceKeys(line));
    }
    expect(isSettingsLine('a b '.repeat(50_000))).toBe(false);
  });
});

describe('display positions on a long line', () => {
  it('counts code points from the line start for every offset', () => {
    const text = '\ufeff' + 'a😀b, 👍🏽 c'.repeat(5000) + '\nnext 😀 line';
    const index = new LineIndex(text);
    const naive = (offset: number): number => {
      const start = offset > text.indexOf('\n') ? text.indexOf('\n') + 1 : offset > 0 ? 1 : 0;
      let column = 0;
      for (let i = start; i < offset; ) {
        const c = text.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff && i + 1 < offset && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
        column++;
      }
      return column;
    };
    for (let offset = 0; offset <= text.length; offset += 97) {
      expect(index.displayPositionAt(offset).character).toBe(naive(offset));
    }
    for (const offset of [256, 257, 511, 512, 513, text.indexOf('\n'), text.length]) {
      expect(index.displayPositionAt(offset).character).toBe(naive(offset));
    }
  });
});

describe('a Dynamic Prompts variant with many options', () => {
  // Duplicates pair only tags that can meet in one expansion; earlier options are skipped an option at a
  // time (a search through every earlier tag of the name would cost options x options).
  const n = 20_000;
  const duplicates = (text: string) => {
    const doc = parseDocument(text);
    // Every pair: the algorithm at scale, not the list's limit per block.
    return checkDocument(doc, defaultProfile, { maxOfAKind: Infinity }).filter((d) => d.code === 'duplicate-tag').map((d) => [d.start, d.related![0]!.start]);
  };
  it('gives no duplicate among 20,000 alternatives of one name', () => {
    expect(duplicates(`{${Array(n).fill('1boy').join('|')}}`)).toEqual([]);
  });
  it('pairs a name twice in each option, and a name beside the variant with every option', () => {
    // Option k starts at 1 + 11k ('1boy, 1boy' and its '|'); its second 1boy at 7 + 11k.
    expect(duplicates(`{${Array(n).fill('1boy, 1boy').join('|')}}`)).toEqual(Array.from({ length: n }, (_, k) => [7 + 11 * k, 1 + 11 * k]));
    // '1boy, {' is 7 characters; option k's 1boy at 7 + 5k.
    expect(duplicates(`1boy, {${Array(n).fill('1boy').join('|')}}`)).toEqual(Array.from({ length: n }, (_, k) => [7 + 5 * k, 0]));
  });
});
