// The dynamicprompts 0.31 grammar. Expected trees are what the library's parse() returns (its commands
// printed as [kind, …] lists, written here as literals): L literal, S sequence, V variant [sampler, min,
// max, separator, [weight, value]…], W wildcard [sampler, path, variables], A assignment [name, immediate,
// overwrite, value], G variable access [name, default], P wrap [wrapper, inner].
import { describe, expect, it } from 'vitest';
import { nodeKey, parseTemplate, type TemplateNode } from '../../core/template/parse';

function tree(n: TemplateNode | string): unknown {
  if (typeof n === 'string') return n;
  switch (n.kind) {
    case 'literal':
      return ['L', n.text];
    case 'sequence':
      return ['S', n.items.map(tree)];
    case 'variant':
      return ['V', n.sampler, n.min, n.max, n.separator, n.options.map((o) => [o.weight, tree(o.value)])];
    case 'wildcard':
      return ['W', n.sampler, tree(n.path), n.variables.map(([k, v]) => [k, tree(v)])];
    case 'assignment':
      return ['A', n.name, n.immediate, n.overwrite, tree(n.value)];
    case 'access':
      return ['G', n.name, n.default === null ? null : tree(n.default)];
    case 'wrap':
      return ['P', tree(n.wrapper), tree(n.inner)];
  }
}

function parsed(template: string): unknown {
  const r = parseTemplate(template);
  return r.ok ? tree(r.node) : 'ERR';
}

describe('trees the library builds', () => {
  it.each<[string, unknown]>([
    // A weight is digits right before '::' at the option's start; leading spaces trimmed, trailing kept.
    ['{ 2::a|b 2::c| 0.5::d }', ['V', null, 1, 1, ',', [[2, ['L', 'a']], [1, ['L', 'b 2::c']], [0.5, ['L', 'd ']]]]],
    ['{2$$ and $$a|b}', ['V', null, 2, 2, ' and ', [[1, ['L', 'a']], [1, ['L', 'b']]]]],
    ['{-2$$a|b}', ['V', null, 1, 2, ',', [[1, ['L', 'a']], [1, ['L', 'b']]]]],
    ['{2-$$a|b|c}', ['V', null, 2, 3, ',', [[1, ['L', 'a']], [1, ['L', 'b']], [1, ['L', 'c']]]]],
    ['{3-1$$a|b}', ['V', null, 1, 3, ',', [[1, ['L', 'a']], [1, ['L', 'b']]]]],
    ['{~a|@b}', ['V', 'random', 1, 1, ',', [[1, ['L', 'a']], [1, ['L', '@b']]]]],
    ['{@2$$__x__}', ['V', 'cyclical', 2, 2, ',', [[1, ['W', null, 'x', []]]]]],
    ['__dir/name__', ['W', null, 'dir/name', []]],
    ['__~a*__', ['W', 'random', 'a*', []]],
    [
      '${x=!{a|b}}${y=c}${x}${z:d}',
      ['S', [['A', 'x', true, true, ['V', null, 1, 1, ',', [[1, ['L', 'a']], [1, ['L', 'b']]]]], ['A', 'y', false, true, ['L', 'c']], ['G', 'x', null], ['G', 'z', ['L', 'd']]]],
    ],
    ['%{x...y$$z}', ['P', ['L', 'x...y'], ['L', 'z']]],
    // '#' starts a comment anywhere; the literal's pieces around it are joined with a space.
    ['a #c\nb', ['L', 'a  \nb']],
    // A1111 syntax passes through; an empty option is an empty sequence.
    ['<lora:a:1>, (x:1.2) [y] {a|}', ['S', [['L', '<lora:a:1>, (x:1.2) [y] '], ['V', null, 1, 1, ',', [[1, ['L', 'a']], [1, ['S', []]]]]]]],
    ['{}', ['V', null, 1, 1, ',', [[1, ['S', []]]]]],
    ['__a/${v}__', ['W', null, ['S', [['L', 'a/'], ['G', 'v', ['L', 'v']]]], []]],
    ['x }', ['L', 'x }']],
  ])('%j', (template, expected) => {
    expect(parsed(template)).toEqual(expected);
  });
});

describe('templates the library rejects', () => {
  it.each<[string, number]>([
    ['50% off', 2],
    ['<lora:a__b:1>', 7],
    ['a$b', 1],
    ['{a|b', 0],
    ['{2$$é$$a|b}', 0], // separators must be ASCII
  ])('%j fails at %d', (template, offset) => {
    const r = parseTemplate(template);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.start).toBe(offset);
      expect(r.problem.message).toContain(`(at char ${offset})`);
    }
  });
});

describe('ranges', () => {
  it('map back to the original text through tab expansion', () => {
    const t = '\t{a|b} __w__';
    const r = parseTemplate(t);
    expect(r.ok).toBe(true);
    if (r.ok && r.node.kind === 'sequence') {
      const [, variant, , wildcard] = r.node.items;
      expect(t.slice(variant!.start, variant!.end)).toBe('{a|b}');
      expect(t.slice(wildcard!.start, wildcard!.end)).toBe('__w__');
    }
  });
});

describe('robustness', () => {
  it('never throws, on random text and deep nesting', () => {
    const alphabet = ['{', '}', '|', '$', '$$', '${', '__', '::', '2', '-', '#', '//', '/*', '*/', '%{', '\t', '\n', 'a', ' ', '(', ')', '=', '!', '@', '~', '\u{1F600}'];
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const n = Math.floor(rnd() * 30);
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(() => parseTemplate(s)).not.toThrow();
    }
    expect(parseTemplate('{'.repeat(5000) + 'a' + '}'.repeat(5000)).ok).toBe(false);
    expect(parseTemplate('{a|'.repeat(50) + 'b' + '}'.repeat(50)).ok).toBe(true);
  });
  it('a long flat template parses (no backtracking blow-up)', () => {
    const t = '{a|b|c}, __w__, ${x}, '.repeat(20000);
    expect(parseTemplate(t).ok).toBe(true);
  });
  it('structural keys compare like the library dataclasses', () => {
    const a = parseTemplate('{a|b}');
    const b = parseTemplate('{ a|b}');
    const c = parseTemplate('{a|1.5::b}');
    if (!a.ok || !b.ok || !c.ok) throw new Error('parse');
    expect(nodeKey(a.node)).toBe(nodeKey(b.node));
    expect(nodeKey(a.node)).not.toBe(nodeKey(c.node));
  });
});
