// Parity with A1111's parse_prompt_attention (modules/prompt_parser.py, master). Expected values come from
// its docstring, or are derived by hand from its algorithm: each weight is written as the product A1111
// computes, in A1111's order (innermost bracket first; unclosed brackets closed at the end, round ones
// before square ones), so JavaScript doubles reproduce Python's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionPieces, parsePromptAttention as attention, type AttentionProblem } from '../../core/attention';

const R = 1.1;
const S = 1 / 1.1;

describe('parse_prompt_attention docstring', () => {
  it.each([
    ['normal text', [['normal text', 1.0]]],
    ['an (important) word', [['an ', 1.0], ['important', 1.1], [' word', 1.0]]],
    ['(unbalanced', [['unbalanced', 1.1]]],
    ['\\(literal\\]', [['(literal]', 1.0]]],
    ['(unnecessary)(parens)', [['unnecessaryparens', 1.1]]],
    [
      'a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).',
      [['a ', 1.0], ['house', 1.5730000000000004], [' ', 1.1], ['on', 1.0], [' a ', 1.1], ['hill', 0.55], [', sun, ', 1.1], ['sky', 1.4641000000000006], ['.', 1.1]],
    ],
  ])('%s', (input, expected) => {
    expect(attention(input)).toEqual(expected);
  });
});

describe('weights derived from the algorithm', () => {
  it('multiplies nested brackets innermost first', () => {
    expect(attention('((x))')).toEqual([['x', 1 * R * R]]);
    expect(attention('[[x]]')).toEqual([['x', 1 * S * S]]);
    expect(attention('((x:1.5))')).toEqual([['x', 1 * 1.5 * R]]);
    expect(attention('[(x:1.5)]')).toEqual([['x', 1 * 1.5 * S]]);
    expect(attention('(a (b:1.2) c:0.8)')).toEqual([['a ', 0.8], ['b', 1 * 1.2 * 0.8], [' c', 0.8]]);
  });

  it('closes unbalanced brackets at the end, round before square', () => {
    expect(attention('[(x')).toEqual([['x', 1 * R * S]]);
    expect(attention('([x')).toEqual([['x', 1 * R * S]]);
    // Two unclosed round brackets: the outer is closed first, then the inner — the same factor twice.
    expect(attention('a ((b')).toEqual([['a ', 1], ['b', 1 * R * R]]);
    expect(attention('x)')).toEqual([['x)', 1]]);
    expect(attention('x]')).toEqual([['x]', 1]]);
  });

  it('lets a weight close the latest round bracket even past an open square one', () => {
    // '(' at 0; 'a ' pushed; '[' at 1; 'b' pushed; ':1.2)' pops round -> a, b *= 1.2; end: square -> b *= 1/1.1
    expect(attention('(a [b:1.2)')).toEqual([['a ', 1.2], ['b', 1 * 1.2 * S]]);
  });

  it('reads escapes, and drops a lone backslash as A1111 does', () => {
    expect(attention('\\(a\\) \\[b\\] \\\\')).toEqual([['(a) [b] \\', 1]]);
    expect(attention('a\\b')).toEqual([['ab', 1]]);
    expect(attention('(\\()')).toEqual([['(', 1.1]]);
  });

  it('reads weights as Python float() does', () => {
    expect(attention('(a:1.)')).toEqual([['a', 1]]);
    expect(attention('(a:+1.1)')).toEqual([['a', 1.1]]);
    expect(attention('(a:00.90)')).toEqual([['a', 0.9]]);
    expect(attention('(a:.5)')).toEqual([['a', 0.5]]);
    expect(attention('(a:-1)')).toEqual([['a', -1]]);
    // Full-width digits are \d to Python and float() reads them.
    expect(attention('(a:１.５)')).toEqual([['a', 1.5]]);
    // Spaces around the weight, including Unicode ones Python's \s knows (U+3000, U+001C).
    expect(attention('(a: 1.2 )')).toEqual([['a', 1.2]]);
    expect(attention('(a:\u3000 1.2\u001c)')).toEqual([['a', 1.2]]);
    // U+FEFF is \s to JavaScript but not to Python: no weight, so ':' and the rest are text.
    expect(attention('(a:\ufeff1.2)')).toEqual([['a:\ufeff1.2', 1.1]]);
  });

  it('treats a colon that is no weight as text', () => {
    expect(attention('(a:)')).toEqual([['a:', 1.1]]);
    expect(attention('(a:abc)')).toEqual([['a:abc', 1.1]]);
    expect(attention('a:1.2)')).toEqual([['a:1.2)', 1]]);
  });

  it('reports weights A1111 fails on and reads the group as (x)', () => {
    const problems: AttentionProblem[] = [];
    const pieces = attentionPieces('(a:1.2.3)', problems);
    expect(pieces.map((p) => [p.text, p.weight])).toEqual([['a', 1.1]]);
    expect(problems).toEqual([{ kind: 'malformed-weight', start: 2, end: 9, text: ':1.2.3)' }]);
    expect(attention('(a:.)')).toEqual([['a', 1.1]]);
  });

  it('turns BREAK into the pair ["BREAK", -1], and multiplies it like text inside brackets', () => {
    expect(attention('a BREAK b')).toEqual([['a', 1], ['BREAK', -1], ['b', 1]]);
    expect(attention('BREAK')).toEqual([['', 1], ['BREAK', -1], ['', 1]]);
    expect(attention('a BREAK BREAK b')).toEqual([['a', 1], ['BREAK', -1], ['', 1], ['BREAK', -1], ['b', 1]]);
    expect(attention('(a BREAK b)')).toEqual([['a', 1.1], ['BREAK', -1 * R], ['b', 1.1]]);
    expect(attention('aBREAK b, BREAKb, BREAK_x')).toEqual([['aBREAK b, BREAKb, BREAK_x', 1]]);
    // Python's \s includes U+001C; \b is a Unicode word boundary (é is a word character, U+0301 is not).
    expect(attention('a\u001cBREAK b')).toEqual([['a', 1], ['BREAK', -1], ['b', 1]]);
    expect(attention('éBREAK')).toEqual([['éBREAK', 1]]);
    expect(attention('e\u0301BREAK x')).toEqual([['e\u0301', 1], ['BREAK', -1], ['x', 1]]);
  });

  it('merges neighbours of exactly equal weight only', () => {
    expect(attention('(a:1.1)(b)')).toEqual([['ab', 1.1]]);
    // 1.1 * 1.1 is 1.2100000000000002, not 1.21: no merge.
    expect(attention('(a:1.21)((b))')).toEqual([['a', 1.21], ['b', 1 * R * R]]);
  });

  it('gives [["", 1]] for empty input', () => {
    expect(attention('')).toEqual([['', 1]]);
    expect(attention('()')).toEqual([['', 1]]);
  });

  it('keeps non-ASCII text and emoji intact', () => {
    expect(attention('(猫:1.2), 🐱 [日本]')).toEqual([['猫', 1.2], [', 🐱 ', 1], ['日本', S]]);
  });
});

describe('many unclosed brackets', () => {
  it('multiplies each entry once per bracket, in order, as multiply_range does', () => {
    // '(((a' then ')' closes the last round bracket: a *= 1.1; the two left are closed at the end.
    expect(attention('((( a) b')).toEqual([[' a', 1 * R * R * R], [' b', 1 * R * R]]);
    const deep = '('.repeat(3000) + 'x' + '['.repeat(5) + 'y';
    let x = 1;
    for (let i = 0; i < 3000; i++) x *= R;
    let y = x;
    for (let i = 0; i < 5; i++) y *= S;
    expect(attention(deep)).toEqual([['x', x], ['y', y]]);
  });
});

/**
 * A1111's parse_prompt_attention transcribed line by line (modules/prompt_parser.py, with 1.10's spaces around a
 * weight), multiply_range touching every entry: the reference for ASCII prompts, where JavaScript's regular
 * expressions read as Python's do and float() of these weights is Number().
 */
function a1111Attention(text: string): Array<[string, number]> {
  const reAttention = /\\\(|\\\)|\\\[|\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|]|[^\\()[\]:]+|:/g;
  const res: Array<[string, number]> = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyRange = (start: number, multiplier: number): void => {
    for (let p = start; p < res.length; p++) res[p]![1] *= multiplier;
  };
  for (const m of text.matchAll(reAttention)) {
    const token = m[0];
    const weight = m[1];
    if (token.startsWith('\\')) res.push([token.slice(1), 1.0]);
    else if (token === '(') round.push(res.length);
    else if (token === '[') square.push(res.length);
    else if (weight !== undefined && round.length > 0) multiplyRange(round.pop()!, Number(weight));
    else if (token === ')' && round.length > 0) multiplyRange(round.pop()!, 1.1);
    else if (token === ']' && square.length > 0) multiplyRange(square.pop()!, 1 / 1.1);
    else {
      token.split(/\s*\bBREAK\b\s*/).forEach((part, i) => {
        if (i > 0) res.push(['BREAK', -1]);
        res.push([part, 1.0]);
      });
    }
  }
  for (const pos of round) multiplyRange(pos, 1.1);
  for (const pos of square) multiplyRange(pos, 1 / 1.1);
  if (res.length === 0) return [['', 1.0]];
  for (let i = 0; i + 1 < res.length; ) {
    if (res[i]![1] === res[i + 1]![1]) {
      res[i]![0] += res[i + 1]![0];
      res.splice(i + 1, 1);
    } else i++;
  }
  return res;
}

describe('against A1111\'s algorithm transcribed', () => {
  const bits = (pairs: Array<[string, number]>) => pairs.map(([t, w]) => [t, Object.is(w, -0) ? '-0' : String(w)]);
  // Prompts of one bracket kind (where every closing multiplies by the same number) and of all kinds.
  const square = fc.constantFrom('[', ']', 'a', ' b ', ':', '0.5', ', ', 'BREAK', ' BREAK ', '\\[', '\\]', '\\', ')');
  const round = fc.constantFrom('(', ')', 'a', ' b ', ', ', 'BREAK', '\\(', '\\)', ']');
  const mixed = fc.constantFrom('(', ')', '[', ']', ':1.2)', ': 0.5 )', ':', 'a', ' b ', ', ', 'BREAK', '\\(', '\\');
  const prompt = (piece: fc.Arbitrary<string>) => fc.array(piece, { maxLength: 40 }).map((p) => p.join(''));

  it('gives the same pairs, bit for bit (6,000 random prompts)', () => {
    fc.assert(
      fc.property(fc.oneof(prompt(square), prompt(round), prompt(mixed)), (text) => {
        expect(bits(attention(text))).toEqual(bits(a1111Attention(text)));
      }),
      { numRuns: 6000 },
    );
  });

  it('gives the same pairs for deep prompt editing, linear in its depth', () => {
    const text = '[a:'.repeat(2000) + 'x' + ':0.5]'.repeat(2000);
    expect(bits(attention(text))).toEqual(bits(a1111Attention(text)));
  });
});
