// A1111's prompt schedules and AND parts (modules/prompt_parser.py, master). Every expectation is derived by
// hand from A1111's code — the lark grammar, CollectSteps' `min(steps, int(v))`, AtStep, re_AND and
// re_weight with Python's Unicode \b \s \d — or copied from its doctests; none comes from running ours.
import { describe, expect, it } from 'vitest';
import { multicondPromptList, parseSchedule, promptSchedules, schedulePrompt, splitAnd } from '../../core/schedule';

const g = (prompt: string, steps = 10) => promptSchedules(prompt, steps);

describe("A1111's doctests (steps = 10)", () => {
  it.each<[string, Array<[number, string]>]>([
    ['test', [[10, 'test']]],
    ['a [b:3]', [[3, 'a '], [10, 'a b']]],
    ['a [b: 3]', [[3, 'a '], [10, 'a b']]],
    ['a [[[b]]:2]', [[2, 'a '], [10, 'a [[b]]']]],
    ['[(a:2):3]', [[3, ''], [10, '(a:2)']]],
    ['a [b : c : 1] d', [[1, 'a b  d'], [10, 'a  c  d']]],
    ['a[b:[c:d:2]:1]e', [[1, 'abe'], [2, 'ace'], [10, 'ade']]],
    ['a [unbalanced', [[10, 'a [unbalanced']]],
    ['a [b:.5] c', [[5, 'a  c'], [10, 'a b c']]],
    // A1111's doctest says [[5, 'a  c'], [10, 'a {b|d{ c']] ("not handling this right now"), written when
    // `plain` still took `|`. Its grammar today rejects the stray `|` (no alternation can hold it: the option
    // `d{:.5` has a colon), so get_schedule returns the prompt as written.
    ['a [{b|d{:.5] c', [[10, 'a [{b|d{:.5] c']]],
    ['((a][:b:c [d:3]', [[3, '((a][:b:c '], [10, '((a][:b:c d']]],
    ['[a|(b:1.1)]', [[1, 'a'], [2, '(b:1.1)'], [3, 'a'], [4, '(b:1.1)'], [5, 'a'], [6, '(b:1.1)'], [7, 'a'], [8, '(b:1.1)'], [9, 'a'], [10, '(b:1.1)']]],
    ['[fe|]male', [[1, 'female'], [2, 'male'], [3, 'female'], [4, 'male'], [5, 'female'], [6, 'male'], [7, 'female'], [8, 'male'], [9, 'female'], [10, 'male']]],
    ['[fe|||]male', [[1, 'female'], [2, 'male'], [3, 'male'], [4, 'male'], [5, 'female'], [6, 'male'], [7, 'male'], [8, 'male'], [9, 'female'], [10, 'male']]],
  ])('%j', (prompt, expected) => {
    expect(g(prompt)).toEqual(expected);
  });
});

describe('prompt editing', () => {
  it('[from:to:when], [to:when] and [from::when]', () => {
    expect(g('a [cat:dog:4] b')).toEqual([[4, 'a cat b'], [10, 'a dog b']]);
    expect(g('a [dog:4] b')).toEqual([[4, 'a  b'], [10, 'a dog b']]);
    expect(g('a [cat::4] b')).toEqual([[4, 'a cat b'], [10, 'a  b']]);
    expect(g('[cat:dog:0.5]', 20)).toEqual([[10, 'cat'], [20, 'dog']]);
  });

  it('a when with a dot is a fraction of the steps even when it is 1 or more; without one it is a step', () => {
    expect(g('[cat:dog:1.0]', 20)).toEqual([[20, 'cat']]); // 1.0 * 20 = 20: never switches
    expect(g('[cat:dog:1]', 20)).toEqual([[1, 'cat'], [20, 'dog']]);
    expect(g('[cat:dog:2.5]', 20)).toEqual([[20, 'cat']]); // 50, capped at 20
    expect(g('[cat:dog:5.]', 20)).toEqual([[20, 'cat']]); // "5." has a dot: 100
    expect(g('[cat:dog:+5]', 20)).toEqual([[5, 'cat'], [20, 'dog']]);
  });

  it('a step at or past the last step never switches', () => {
    expect(g('[cat:dog:19]', 20)).toEqual([[19, 'cat'], [20, 'dog']]);
    expect(g('[cat:dog:20]', 20)).toEqual([[20, 'cat']]);
    expect(g('[cat:dog:25]', 20)).toEqual([[20, 'cat']]);
  });

  it('takes int() of the float product: 0.58 × 50 = 28.999… → 28', () => {
    expect(g('[cat:dog:0.58]', 50)).toEqual([[28, 'cat'], [50, 'dog']]);
    expect(g('[cat:dog:0.29]', 100)).toEqual([[28, 'cat'], [100, 'dog']]); // 28.999999999999996
  });

  it('a when below 1 never shows the text before it', () => {
    expect(g('[cat:dog:0.01]', 20)).toEqual([[20, 'dog']]); // 0.2 → 0
    expect(g('[dog:0.01]', 20)).toEqual([[20, 'dog']]);
    expect(g('[cat::0.01]', 20)).toEqual([[20, '']]);
    expect(g('[cat:dog:0]', 20)).toEqual([[20, 'dog']]);
    expect(g('[cat:dog:-3]', 20)).toEqual([[20, 'dog']]);
    expect(g('[cat:dog:-0.5]', 20)).toEqual([[20, 'dog']]);
  });

  it('exponents are numbers, and only the dot decides the mode', () => {
    expect(g('[cat:dog:5e-1]', 20)).toEqual([[20, 'dog']]); // a step: int(0.5) = 0
    expect(g('[cat:dog:1e1]', 20)).toEqual([[10, 'cat'], [20, 'dog']]);
    expect(g('[cat:dog:1E1]', 20)).toEqual([[10, 'cat'], [20, 'dog']]);
    expect(g('[cat:dog:1.5e1]', 20)).toEqual([[20, 'cat']]); // a fraction: 15 × 20
    expect(g('[cat:dog:2.5e-2]', 20)).toEqual([[20, 'dog']]); // 0.5 → 0
    expect(g('[cat:dog:2.5e-2]', 100)).toEqual([[2, 'cat'], [100, 'dog']]);
    expect(g('[cat:dog:1e]', 20)).toEqual([[20, '[cat:dog:1e]']]); // not a NUMBER
  });

  it('whitespace around the number is Python\'s \\s (U+001F and U+3000 are, U+FEFF is not)', () => {
    expect(g('[a:b: 5 ]')).toEqual([[5, 'a'], [10, 'b']]);
    expect(g('[a:b:\t5\n]')).toEqual([[5, 'a'], [10, 'b']]);
    expect(g('[a:b:\u001f5\u001f]')).toEqual([[5, 'a'], [10, 'b']]);
    expect(g('[a:b:\u30005]')).toEqual([[5, 'a'], [10, 'b']]);
    expect(g('[a:b:\ufeff5]')).toEqual([[10, '[a:b:\ufeff5]']]);
    expect(g('[a:b:5 x]')).toEqual([[10, '[a:b:5 x]']]);
  });

  it('NUMBER is ASCII only; a Unicode digit makes the brackets text', () => {
    expect(g('[a:b:５]')).toEqual([[10, '[a:b:５]']]);
  });

  it('keeps whitespace inside the texts and drops the brackets, colons and number', () => {
    expect(g(' [ a : b :3] ')).toEqual([[3, '  a  '], [10, '  b  ']]);
  });

  it('nested times are absolute, and boundaries that change nothing still appear', () => {
    expect(g('[a:[b:c:5]:10]', 20)).toEqual([[5, 'a'], [10, 'a'], [20, 'c']]);
    expect(g('[[a:b:3]:c:7]')).toEqual([[3, 'a'], [7, 'b'], [10, 'c']]);
    expect(g('[[a:1]:2]')).toEqual([[1, ''], [2, ''], [10, 'a']]);
  });

  it('edits inside weights and emphasis', () => {
    expect(g('(a [b:c:2]:1.2)', 4)).toEqual([[2, '(a b:1.2)'], [4, '(a c:1.2)']]);
    expect(g('((x [y:z:0.5])) [w]', 4)).toEqual([[2, '((x y)) [w]'], [4, '((x z)) [w]']]);
    expect(g('[a:(b:c):3]')).toEqual([[3, 'a'], [10, '(b:c)']]);
  });

  it('a colon inside an edit makes the brackets text, but an edit inside a LoRA tag is scheduled', () => {
    expect(g('[a:b:c:5]')).toEqual([[10, '[a:b:c:5]']]);
    expect(g('[(a:b:c):5]')).toEqual([[10, '[(a:b:c):5]']]);
    expect(g('<lora:x:[0.5:1:5]>')).toEqual([[5, '<lora:x:0.5>'], [10, '<lora:x:1>']]);
  });

  it('an escaped colon is text', () => {
    expect(g('[a\\:b:5]')).toEqual([[5, ''], [10, 'a\\:b']]);
    expect(g('\\[a:b:5\\]')).toEqual([[10, '\\[a:b:5\\]']]);
  });

  it('unbalanced [ ] ( ) : around edits are accepted as text', () => {
    expect(g('a ] [b:c:5] (')).toEqual([[5, 'a ] b ('], [10, 'a ] c (']]);
    expect(g('(( [b:c:5] : [x')).toEqual([[5, '(( b : [x'], [10, '(( c : [x']]);
    expect(g('a [b (c:d:5]')).toEqual([[10, 'a [b (c:d:5]']]);
  });

  it("where lark's Earley tie-break follows hash order (the edit's ] directly before a stray ) ( ] :), applies the edit", () => {
    expect(g('(a:[b:c:0.5]:1.2)')).toEqual([[5, '(a:b:1.2)'], [10, '(a:c:1.2)']]);
    expect(g('[a:b:3]:x')).toEqual([[3, 'a:x'], [10, 'b:x']]);
    expect(g('[a:b:3]]')).toEqual([[3, 'a]'], [10, 'b]']]);
  });
});

describe('alternation', () => {
  it('switches every step, option (step − 1) % count', () => {
    expect(g('[a|b|c]', 5)).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'a'], [5, 'b']]);
  });

  it('counts empty options and does not merge identical neighbours', () => {
    expect(g('x [a||b]', 4)).toEqual([[1, 'x a'], [2, 'x '], [3, 'x b'], [4, 'x a']]);
    expect(g('[|]', 3)).toEqual([[1, ''], [2, ''], [3, '']]);
    expect(g('[a|a]', 3)).toEqual([[1, 'a'], [2, 'a'], [3, 'a']]);
    expect(g('[|a]', 2)).toEqual([[1, ''], [2, 'a']]);
  });

  it('makes every step an entry, with edits alongside', () => {
    expect(g('[a|b] [c:d:2]', 4)).toEqual([[1, 'a c'], [2, 'b c'], [3, 'a d'], [4, 'b d']]);
    expect(g('[[a:b:2]|c]', 4)).toEqual([[1, 'a'], [2, 'c'], [3, 'b'], [4, 'c']]);
    expect(g('[a|[b|c]]', 4)).toEqual([[1, 'a'], [2, 'c'], [3, 'a'], [4, 'c']]);
  });

  it('keeps emphasis inside options as written', () => {
    expect(g('[(a:1.2)|[b]]', 2)).toEqual([[1, '(a:1.2)'], [2, '[b]']]);
  });
});

describe('what the grammar rejects: the prompt as written, for every step', () => {
  it.each([
    'a | b',
    '[a:b:5] | c',
    '[a|b',
    '[a|b)',
    '(a|b)',
    '[a:b|c:5]',
    '[a|b:5]',
    '[x:y:2] a\\',
    'a \\\nb [x:y:2]',
    '[a|b(]',
  ])('%j', (prompt) => {
    expect(g(prompt, 20)).toEqual([[20, prompt]]);
    expect(parseSchedule(prompt)).toBeUndefined();
  });

  it('an escaped | or \\ is text, not an error', () => {
    expect(g('a \\| [b:c:5]')).toEqual([[5, 'a \\| b'], [10, 'a \\| c']]);
    expect(g('a\\\\ [b:c:5]')).toEqual([[5, 'a\\\\ b'], [10, 'a\\\\ c']]);
    expect(g('\\\\\\')).toEqual([[10, '\\\\\\']]);
  });

  it('the empty prompt is one entry', () => {
    expect(g('', 20)).toEqual([[20, '']]);
  });
});

describe('deep and large inputs finish', () => {
  it('unclosed brackets', () => {
    const opens = '[[[['.repeat(10_000);
    expect(g(opens, 20)).toEqual([[20, opens]]);
    const edits = '[a:'.repeat(30_000);
    expect(g(edits, 20)).toEqual([[20, edits]]);
  });

  it('deep nesting', () => {
    const square = '['.repeat(10_000) + 'a' + ']'.repeat(10_000);
    expect(g(square, 20)).toEqual([[20, square]]);
    const round = '('.repeat(10_000) + 'a:1.1' + ')'.repeat(10_000);
    expect(g(round, 20)).toEqual([[20, round]]);
    // [a:[a:[a:…[a:b:1]…:1]:1]:1]: every edit switches after step 1.
    expect(g('[a:'.repeat(5_000) + 'b' + ':1]'.repeat(5_000), 20)).toEqual([[1, 'a'], [20, 'b']]);
    // [a|[a|…[a|b]…]]: odd steps take the first option, even steps go all the way down.
    expect(g('[a|'.repeat(3_000) + 'b' + ']'.repeat(3_000), 4)).toEqual([[1, 'a'], [2, 'b'], [3, 'a'], [4, 'b']]);
  });

  it('many edits', () => {
    expect(g('[a:b:3] '.repeat(20_000), 10)).toEqual([[3, 'a '.repeat(20_000)], [10, 'b '.repeat(20_000)]]);
  });
});

describe('AND parts and weights (get_multicond_prompt_list)', () => {
  it.each<[string, Array<{ text: string; weight: number }>]>([
    ['a AND b', [{ text: 'a', weight: 1 }, { text: ' b', weight: 1 }]],
    ['a AND b :1.2', [{ text: 'a', weight: 1 }, { text: ' b', weight: 1.2 }]],
    ['  a  ', [{ text: '  a', weight: 1 }]],
    ['x AND\ty', [{ text: 'x', weight: 1 }, { text: '\ty', weight: 1 }]],
    ['a AND', [{ text: 'a', weight: 1 }, { text: '', weight: 1 }]],
    ['AND', [{ text: '', weight: 1 }, { text: '', weight: 1 }]],
    ['a AND AND b', [{ text: 'a', weight: 1 }, { text: '', weight: 1 }, { text: ' b', weight: 1 }]],
    ['', [{ text: '', weight: 1 }]],
  ])('%j', (prompt, expected) => {
    expect(multicondPromptList(prompt)).toEqual(expected);
  });

  it('splits only at AND standing as a word (Python\'s Unicode \\b)', () => {
    expect(splitAnd('ANDROID AND android')).toEqual(['ANDROID ', ' android']);
    expect(splitAnd('catANDdog')).toEqual(['catANDdog']);
    expect(splitAnd('cat_AND_dog')).toEqual(['cat_AND_dog']);
    expect(splitAnd('a,AND,b')).toEqual(['a,', ',b']);
    expect(splitAnd('éANDé')).toEqual(['éANDé']);
    expect(splitAnd('1AND2')).toEqual(['1AND2']);
    expect(splitAnd('e\u0301AND b')).toEqual(['e\u0301', ' b']); // a combining mark is not \w
    expect(splitAnd('\u{1d400}AND b')).toEqual(['\u{1d400}AND b']); // a letter outside the BMP is
    expect(splitAnd('a and b')).toEqual(['a and b']);
  });

  it('takes the trailing :number weight from every part', () => {
    expect(multicondPromptList('cat:dog:5')).toEqual([{ text: 'cat:dog', weight: 5 }]);
    expect(multicondPromptList('a:2:3')).toEqual([{ text: 'a:2', weight: 3 }]);
    expect(multicondPromptList('cat :  2.')).toEqual([{ text: 'cat', weight: 2 }]);
    expect(multicondPromptList('cat:.5')).toEqual([{ text: 'cat', weight: 0.5 }]);
    expect(multicondPromptList('cat:-1')).toEqual([{ text: 'cat', weight: -1 }]);
    expect(multicondPromptList('a:-.5')).toEqual([{ text: 'a', weight: -0.5 }]);
    expect(multicondPromptList('cat:+1.5')).toEqual([{ text: 'cat', weight: 1.5 }]);
    expect(multicondPromptList('cat:5 ')).toEqual([{ text: 'cat', weight: 5 }]);
    expect(multicondPromptList('cat: 5\n')).toEqual([{ text: 'cat', weight: 5 }]);
  });

  it("reads weights with Python's Unicode \\d and \\s", () => {
    expect(multicondPromptList('cat:１.５')).toEqual([{ text: 'cat', weight: 1.5 }]);
    expect(multicondPromptList('a:٣')).toEqual([{ text: 'a', weight: 3 }]);
    expect(multicondPromptList('cat\u001f:\u001f2')).toEqual([{ text: 'cat', weight: 2 }]);
    expect(multicondPromptList('a\u3000:\u30002\u3000')).toEqual([{ text: 'a', weight: 2 }]);
    expect(multicondPromptList('cat\ufeff:2')).toEqual([{ text: 'cat\ufeff', weight: 2 }]); // U+FEFF is not \s
  });

  it('leaves what is not a weight in the text', () => {
    expect(multicondPromptList('cat:1.2.3')).toEqual([{ text: 'cat:1.2.3', weight: 1 }]);
    expect(multicondPromptList('(x:1.2)')).toEqual([{ text: '(x:1.2)', weight: 1 }]);
    expect(multicondPromptList('a:1e3')).toEqual([{ text: 'a:1e3', weight: 1 }]);
    expect(multicondPromptList('a : ')).toEqual([{ text: 'a :', weight: 1 }]);
    expect(multicondPromptList('a:5\nb')).toEqual([{ text: 'a:5\nb', weight: 1 }]);
    expect(multicondPromptList('a [b:c:0.5]')).toEqual([{ text: 'a [b:c:0.5]', weight: 1 }]);
  });
});

describe('schedulePrompt', () => {
  it('schedules each AND part after its weight is taken off', () => {
    expect(schedulePrompt('a [b:c:0.5] AND d:1.2', 10)).toEqual({
      subprompts: [
        { weight: 1, schedule: [[5, 'a b'], [10, 'a c']] },
        { weight: 1.2, schedule: [[10, ' d']] },
      ],
    });
    // The weight comes off before scheduling: "[a:b:3]:2" is the edit [a:b:3] with weight 2.
    expect(schedulePrompt('[a:b:3]:2', 10)).toEqual({ subprompts: [{ weight: 2, schedule: [[3, 'a'], [10, 'b']] }] });
    // A stray | in one part leaves only that part verbatim.
    expect(schedulePrompt('a|b AND [c:d:5]', 10)).toEqual({
      subprompts: [
        { weight: 1, schedule: [[10, 'a|b']] },
        { weight: 1, schedule: [[5, ' c'], [10, ' d']] },
      ],
    });
  });

  it('keeps parts in order, repeats included', () => {
    expect(schedulePrompt('x AND y:2 AND x', 5)).toEqual({
      subprompts: [
        { weight: 1, schedule: [[5, 'x']] },
        { weight: 2, schedule: [[5, ' y']] },
        { weight: 1, schedule: [[5, ' x']] },
      ],
    });
  });
});
