// The .sdprompt parser: structure, ranges, and the properties every input must keep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePromptAttention } from '../../core/attention';
import { formatEdits } from '../../core/format';
import { isBranch, leaves, parseDocument, walk, type Leaf, type SdDocument, type SyntaxNode } from '../../core/parse/index';
import { useChainWeights } from '../../core/parse/prompt';

const R = 1.1;
const S = 1 / 1.1;

function leafText(doc: SdDocument): string {
  let s = '';
  for (const leaf of leaves(doc.root)) s += doc.text.slice(leaf.start, leaf.end);
  return s;
}

/** Leaves tile the input and every branch spans exactly its children. */
function assertWellFormed(doc: SdDocument): void {
  let cursor = 0;
  for (const leaf of leaves(doc.root)) {
    expect(leaf.start).toBe(cursor);
    expect(leaf.end).toBeGreaterThanOrEqual(leaf.start);
    cursor = leaf.end;
  }
  expect(cursor).toBe(doc.text.length);
  walk(doc.root, (node: SyntaxNode) => {
    if (!isBranch(node) || node.children.length === 0) return;
    expect(node.children[0]!.start).toBe(node.start);
    expect(node.children[node.children.length - 1]!.end).toBe(node.end);
  });
  // Sections and tags carry their ranges without building the tree; the tree built from the node table has the
  // same tags, in order, and each tag's node is the branch in that tree.
  for (const block of doc.blocks) {
    for (const section of [block.prompt, block.negative]) {
      if (!section) continue;
      expect([section.start, section.end]).toEqual([section.node.start, section.node.end]);
      const visited: Array<[string, number, number]> = [];
      section.eachLeaf((kind, start, end) => visited.push([kind, start, end]));
      expect(visited).toEqual([...leaves(section.node)].map((l) => [l.kind, l.start, l.end]));
      const branches: SyntaxNode[] = [];
      walk(section.node, (node) => {
        if (node.kind === 'tag') branches.push(node);
      });
      expect(section.tags.map((t) => t.node)).toEqual(branches);
      section.tags.forEach((t, k) => {
        expect(t.node).toBe(branches[k]);
        expect([t.start, t.end]).toEqual([t.node.start, t.node.end]);
      });
    }
  }
}

describe('blocks and sections', () => {
  it('reads a pasted A1111 infotext as one block', () => {
    const text = [
      '1boy, solo, black hair, (looking at viewer:1.1), best quality, amazing quality, best aesthetic, absurdres, year 2023',
      'Negative prompt: lowres, (bad:1.05), text, error',
      'Steps: 28, Sampler: Euler a, Schedule type: Automatic, CFG scale: 5, Seed: 42, Size: 832x1216, Model hash: 1234abcd, Model: AnimeBoysXL, Lora hashes: "a: 0123, b: 4567", Version: v1.10.1',
    ].join('\n');
    const doc = parseDocument(text);
    expect(doc.blocks).toHaveLength(1);
    const [block] = doc.blocks;
    expect(block!.prompt!.text).toBe(text.split('\n')[0]);
    expect(block!.negative!.text).toBe('lowres, (bad:1.05), text, error');
    expect(block!.settings!.entries.map((e) => [e.key, e.value])).toEqual([
      ['Steps', '28'], ['Sampler', 'Euler a'], ['Schedule type', 'Automatic'], ['CFG scale', '5'], ['Seed', '42'], ['Size', '832x1216'],
      ['Model hash', '1234abcd'], ['Model', 'AnimeBoysXL'], ['Lora hashes', 'a: 0123, b: 4567'], ['Version', 'v1.10.1'],
    ]);
    expect(block!.prompt!.tags.find((t) => t.value === 'looking at viewer')!.weight).toBe(1.1);
    expect(block!.negative!.tags.map((t) => t.section)).toEqual(['negative', 'negative', 'negative', 'negative']);
  });

  it('splits blocks at --- lines, keeps comments out of the prompt text, joins prompt lines', () => {
    const text = '# portrait\n1boy,\n# mid-prompt note\nsmile\n---\n---\nNegative prompt: a,\n b\n';
    const doc = parseDocument(text);
    expect(doc.blocks).toHaveLength(2);
    expect(doc.blocks[0]!.prompt!.text).toBe('1boy,\nsmile');
    expect(doc.blocks[0]!.prompt!.tags.map((t) => t.value)).toEqual(['1boy', 'smile']);
    expect(doc.blocks[1]!.prompt).toBeUndefined();
    expect(doc.blocks[1]!.negative!.text).toBe('a,\n b');
    assertWellFormed(doc);
  });

  it('maps prompt text offsets back to the source', () => {
    const doc = parseDocument('# c\r\n  a,\r\n# d\r\nb  \r\n');
    const prompt = doc.blocks[0]!.prompt!;
    expect(prompt.text).toBe('a,\nb');
    for (const seg of prompt.segments) {
      expect(doc.text.slice(seg.sourceStart, seg.sourceStart + seg.length)).toBe(prompt.text.slice(seg.textStart, seg.textStart + seg.length));
    }
  });

  it('keeps CRLF line ends and a BOM out of the text', () => {
    const doc = parseDocument('\ufeff1boy, solo\r\nNegative prompt: bad\r\nSteps: 28, Sampler: Euler a, CFG scale: 5\r\n');
    expect(doc.blocks[0]!.prompt!.text).toBe('1boy, solo');
    expect(doc.blocks[0]!.negative!.text).toBe('bad');
    expect(doc.blocks[0]!.settings!.entries).toHaveLength(3);
    expect(doc.lines.displayPositionAt(1)).toEqual({ line: 0, character: 0 });
    assertWellFormed(doc);
  });

  it('reads a line being typed as settings when it starts with a known key', () => {
    expect(parseDocument('1boy\nSteps: 2').blocks[0]!.settings!.entries[0]!.value).toBe('2');
    // One or two arbitrary pairs are prompt text, as in A1111.
    expect(parseDocument('1boy\nre: zero').blocks[0]!.settings).toBeUndefined();
  });
});

describe('prompt syntax', () => {
  const prompt = (text: string) => parseDocument(text).blocks[0]!.prompt!;
  const kinds = (text: string): string[] => {
    const out: string[] = [];
    walk(prompt(text).node, (n) => out.push(n.kind));
    return out;
  };

  it('gives tags their effective weight and bracket multipliers', () => {
    const tags = prompt('a, (b), ((c)), [d], (e:1.3), [(f:0.5)], \\(g\\)').tags;
    expect(tags.map((t) => [t.value, t.weight, t.multipliers])).toEqual([
      ['a', 1, []],
      ['b', R, [R]],
      ['c', 1 * R * R, [R, R]],
      ['d', S, [S]],
      ['e', 1.3, [1.3]],
      ['f', 1 * 0.5 * S, [0.5, S]],
      ['(g)', 1, []],
    ]);
  });

  it('gives multipliers through editing groups, and 1.1 for a weight Python cannot read', () => {
    // (x:abc): no weight, so the group counts as (x) (its colon splits two tags); an editing group multiplies nothing.
    const tags = prompt('(x:abc), [(y:1.2):z:5], ((w:0.7))').tags;
    expect(tags.map((t) => [t.value, t.multipliers])).toEqual([
      ['x', [R]],
      ['abc', [R]],
      ['y', [1.2]],
      ['z', []],
      ['w', [0.7, R]],
    ]);
  });

  it('recognises prompt editing, alternation, extra networks and BREAK', () => {
    const p = prompt('[cat:dog:0.5], [to:10], [from::0.3], [a|b|c], <lora:style_x:0.8>, <hypernet:h:1> BREAK z');
    expect(kinds('[cat:dog:0.5]')).toContain('editing');
    expect(kinds('[to:10]')).toContain('editing');
    expect(kinds('[from::0.3]')).toContain('editing');
    expect(kinds('[a|b|c]')).toContain('alternation');
    expect(kinds('[a:b]')).toContain('deemphasis');
    expect(p.extraNetworks.map((n) => [n.type, n.name, n.args])).toEqual([['lora', 'style_x', ['0.8']], ['hypernet', 'h', ['1']]]);
    expect(p.breaks).toHaveLength(1);
    // A letter outside the BMP (two UTF-16 units) before BREAK is a word character to Python's \b too.
    expect(prompt('\u{1D400}BREAK x').breaks).toHaveLength(0);
    expect(prompt('\u{1D400} BREAK x').breaks).toHaveLength(1);
    // Prompt editing does not weight its tags; A1111 resolves it before reading attention.
    expect(p.tags.filter((t) => ['cat', 'dog', 'to', 'from', 'a', 'b', 'c'].includes(t.value)).every((t) => t.weight === 1)).toBe(true);
  });

  it('reports unclosed and stray brackets and malformed weights with ranges', () => {
    const p = prompt('1boy, (best quality, x), y], (z:abc), (w:1.2.3), <lora:a');
    expect(p.problems.map((q) => [q.kind, q.start, q.text])).toEqual([
      ['stray-bracket', 26, ']'],
      ['malformed-weight', 31, ':abc'],
      ['malformed-weight', 40, ':1.2.3'],
      ['unclosed-extra-network', 49, '<'],
    ]);
    expect(prompt('a, (b, [c').problems.map((q) => [q.kind, q.start])).toEqual([['unclosed-bracket', 7], ['unclosed-bracket', 3]]);
    // A1111 pairs round and square brackets separately: in [(]) both close; the tree reports the crossing.
    const crossed = prompt('[(a]) b');
    expect(crossed.problems.map((q) => [q.kind, q.start])).toEqual([['crossed-bracket', 1]]);
    expect(crossed.tags.map((t) => [t.value, t.weight])).toEqual([['a', 1 * R * S], ['b', 1]]);
  });
});

describe('the Dynamic Prompts layer', () => {
  const section = (text: string) => parseDocument(text).blocks[0]!.prompt!;
  const leafList = (text: string): string[] => [...leaves(section(text).node)].map((l) => `${l.kind} ${text.slice(l.start, l.end)}`);

  it("makes the template's characters leaves and each option's text tags of their own", () => {
    expect(leafList('{red|blue} hair')).toEqual(['template-open {', 'text red', 'template-separator |', 'text blue', 'template-close }', 'whitespace  ', 'text hair']);
    expect(section('{red|blue} hair').tags.map((t) => t.value)).toEqual(['red', 'blue', 'hair']);
    expect(section('{2$$a, b|a, c}').tags.map((t) => t.value)).toEqual(['a', 'b', 'a', 'c']);
    expect(leafList('{~2$$ and $$0.5::x|y}')).toEqual(['template-open {', 'template-sampler ~', 'template-quantifier 2$$ and $$', 'template-weight 0.5::', 'text x', 'template-separator |', 'text y', 'template-close }']);
    for (const q of ['1-3$$', '-2$$', '2-$$']) expect(leafList(`{${q}a|b|c}`)[1]).toBe(`template-quantifier ${q}`);
    expect(leafList('{@a|b}')[1]).toBe('template-sampler @');
    // Wildcards and variables are no tags; a wrap's wrapper is one leaf, its inner prompt A1111 text.
    const p = section('a, __dir/name__, ${x=!{b|c}}, ${x}, %{(...:1.2)$$d}');
    expect(p.tags.map((t) => t.value)).toEqual(['a', 'd']);
    expect(leafList('__dir/name__, ${x}')).toEqual(['wildcard __dir/name__', 'comma ,', 'whitespace  ', 'template-variable ${x}']);
    expect(leafList('%{(...)$$d}')).toEqual(['template-open %{', 'template-wrapper (...)', 'template-separator $$', 'text d', 'template-close }']);
  });

  it('keeps A1111 syntax inside options, and a template that does not parse A1111 text', () => {
    const p = section('{(red:1.2)|[blue]|<lora:x:0.5> BREAK green}, ({a|b}:1.3)');
    expect(p.tags.map((t) => [t.value, t.weight])).toEqual([['red', 1.2], ['blue', S], ['green', 1], ['a', 1.3], ['b', 1.3]]);
    expect(p.extraNetworks.map((n) => n.name)).toEqual(['x']);
    expect(p.breaks).toHaveLength(1);
    expect(section('{a|b').tags.map((t) => t.value)).toEqual(['{a|b']);
    expect(section('{a|b').template).toBeUndefined();
    // An extra network keeps the template written inside it.
    expect(leafList('<lora:{a|b}:0.8>')).toEqual(['extra-network <lora:{a|b}:0.8>']);
  });

  it('pairs brackets within an option, as A1111 reads each expansion', () => {
    // {(a|b)} expands to "(a" and "b)": both broken.
    const p = section('{(a|b)}');
    expect(p.problems.map((q) => [q.kind, q.start, q.inOption])).toEqual([['unclosed-bracket', 1, true], ['stray-bracket', 5, true]]);
    expect(p.tags.map((t) => [t.value, t.weight])).toEqual([['a', R], ['b', 1]]);
    // The bracket left open in one option does not weight the next one.
    expect(section('{(a|b}, c').tags.map((t) => [t.value, t.weight])).toEqual([['a', R], ['b', 1], ['c', 1]]);
    expect(section('({a|b}), [{c|d}]').problems).toEqual([]);
    // An edit whose step is a template is prompt editing in each expansion: its tags keep weight 1.
    const edit = section('[cat:dog:{5|10}], [a:{b|c}]');
    expect(edit.node.children.map((n) => n.kind).filter((k) => k === 'editing' || k === 'deemphasis')).toEqual(['editing', 'deemphasis']);
    expect(edit.tags.filter((t) => t.value === 'cat' || t.value === 'dog').map((t) => t.weight)).toEqual([1, 1]);
  });

  it('makes what the template parser skips as a comment a leaf, never a tag', () => {
    expect(leafList('{a|b} # note')).toEqual(['template-open {', 'text a', 'template-separator |', 'text b', 'template-close }', 'whitespace  ', 'template-comment # note']);
    expect(section('a #c\nb, {x|/* y */z}').tags.map((t) => t.value)).toEqual(['a', 'b', 'x', 'z']);
    // A whole comment line stays the document's comment.
    expect(leafList('{a|b}\n# c')).toEqual(['template-open {', 'text a', 'template-separator |', 'text b', 'template-close }', 'newline \n', 'comment # c']);
  });

  it("leaves the template's characters to the template: a custom separator's comma is no comma to format", () => {
    expect(formatEdits('{2$$,and$$a,b|c}')).toEqual([{ start: 12, end: 12, newText: ' ' }]);
  });

  it('records which option of which variant each tag is in', () => {
    const p = section('x, {a|{b|c}}');
    const choices = p.template!.choices;
    expect(choices[0]).toBeNull();
    expect([choices[1]!.option, choices[2]!.option, choices[3]!.option]).toEqual([0, 0, 1]);
    expect(choices[2]!.parent).toBe(p.template!.choices[2]!.parent);
    expect(choices[2]!.parent!.option).toBe(1);
    expect(choices[2]!.variant.exclusive).toBe(true);
    expect(section('{2$$a|b}').template!.choices[0]!.variant.exclusive).toBe(false);
  });
});

describe('properties', () => {
  // Fragments that exercise every branch of the lexer, plus arbitrary code units (lone surrogates, NUL).
  const fragment = fc.oneof(
    fc.constantFrom('(', ')', '[', ']', ':', ':1.2)', ': 0.5 )', '|', ',', ', ', '\\', '\\(', '\\)', '\\\\', '<lora:x:0.8>', '<a:', '>', 'BREAK', ' BREAK ', '\n', '\r\n', '\r', '---\n', '# c\n', 'Negative prompt: ', 'Steps: 28, Sampler: Euler a, CFG scale: 5\n', 'best quality', 'year 2030', ' ', '\t', '\u3000', '\ufeff'),
    // The Dynamic Prompts layer: whole templates that parse, and their pieces, which may not.
    fc.constantFrom('{', '}', '|', '{a|b}', '{red|(blue:1.2)}', '{2$$a, b|c}', '{1-3$$ and $$x|y|z}', '{-2$$', '{2-$$', '{~', '{@', '0.5::', '{0.5::a|2::b}', '__x__', '__dir/name__', '__', '${x=!{a|b}}', '${x}', '${', '%{(...:1.2)$$', '{(a|b)}', '{[a|b]|c}', '/*c*/', '# c', '{a|<lora:b:1>}', '<lora:{a|b}:1>', '{a|b} #c', '/* x */', '//'),
    fc.string({ maxLength: 6 }),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  );
  const input = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(''));

  it('never throws and is lossless (10,000 random inputs)', () => {
    fc.assert(
      fc.property(input, (text) => {
        const doc = parseDocument(text);
        expect(leafText(doc)).toBe(text);
        assertWellFormed(doc);
      }),
      { numRuns: 10_000 },
    );
  });

  // Well-formed prompts (no unclosed, crossed or stray bracket): where the parser takes weights from the
  // multiplier chains instead of running A1111's algorithm.
  const { balanced } = fc.letrec<{ balanced: string; piece: string }>((tie) => ({
    piece: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('a', 'b c', 'best quality', '\\(x\\)', 'y BREAK z', '<lora:n:0.7>', ''),
      tie('balanced').map((x) => `(${x})`),
      tie('balanced').map((x) => `[${x}]`),
      fc.tuple(tie('balanced'), fc.constantFrom('1.3', '0.5', '2', '.7', '1.1', '-1', '0')).map(([x, w]) => `(${x}:${w})`),
      fc.tuple(tie('balanced'), tie('balanced')).map(([x, y]) => `[${x}:${y}:0.5]`),
      fc.tuple(tie('balanced'), tie('balanced')).map(([x, y]) => `[${x}|${y}]`),
    ),
    balanced: fc.array(tie('piece'), { maxLength: 4 }).map((parts) => parts.join(', ')),
  }));

  it('takes weights from the multiplier chains only where they equal A1111\'s algorithm, to the last bit (5,000 inputs)', () => {
    const bits = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));
    const weights = (text: string): { all: string[]; clean: number } => {
      const doc = parseDocument(text);
      const sections = doc.blocks.flatMap((b) => [b.prompt, b.negative]).filter((s) => s !== undefined);
      return { all: sections.flatMap((s) => s.tags.map((t) => bits(t.weight))), clean: sections.filter((s) => s.problems.length === 0).length };
    };
    let clean = 0;
    fc.assert(
      fc.property(fc.oneof(balanced, input), (text) => {
        const fast = weights(text);
        clean += fast.clean;
        useChainWeights(false);
        try {
          expect(fast.all).toEqual(weights(text).all);
        } finally {
          useChainWeights(true);
        }
      }),
      { numRuns: 5_000 },
    );
    expect(clean).toBeGreaterThan(1000);
  });

  it('survives deep nesting and random bytes', () => {
    const deep = '('.repeat(50_000) + 'x' + ']'.repeat(50_000);
    expect(leafText(parseDocument(deep))).toBe(deep);
    // Variants nested as deep as the template parser allows (400 levels), brackets around each.
    const nested = '({a|'.repeat(130) + 'x' + '})'.repeat(130);
    const nestedDoc = parseDocument(nested);
    expect(leafText(nestedDoc)).toBe(nested);
    expect(nestedDoc.blocks[0]!.prompt!.template).toBeDefined();
    expect(nestedDoc.blocks[0]!.prompt!.problems).toEqual([]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = new TextDecoder().decode(bytes);
        expect(leafText(parseDocument(text))).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  // A template with one variant whose options are balanced: the tags of the expansion that picks option k
  // (as A1111 parses it) are the template's tags outside the variant and in option k, with the same weights.
  const optionFragment = fc.constantFrom('a', 'b c', '(d)', '[e]', '(f:1.3)', ', ', ' ', 'g BREAK h', '(i, (j))', '\\(k\\)', '[l:m:0.5]');
  const option = fc.array(optionFragment, { maxLength: 5 }).map((p) => p.join(''));
  const templateInput = fc.record({
    prefix: fc.constantFrom('x', '(x', '[x', '((x', '(p, x', '[q, x'),
    options: fc.array(option, { minLength: 1, maxLength: 4 }),
    suffix: fc.constantFrom('y', 'y)', 'y]', 'y))', 'r, y)', 'y:1.2)'),
  });

  it('gives each option\'s tags the weights A1111 gives them in the expansion that picks it', () => {
    fc.assert(
      fc.property(templateInput, ({ prefix, options, suffix }) => {
        const section = parseDocument(`${prefix}, {${options.join('|')}}, ${suffix}`).blocks[0]!.prompt!;
        expect(section.template).toBeDefined();
        options.forEach((text, k) => {
          const expansion = parseDocument(`${prefix}, ${text}, ${suffix}`).blocks[0]!.prompt!;
          const picked = section.tags.filter((_, i) => {
            const choice = section.template!.choices[i];
            return !choice || choice.option === k;
          });
          expect(picked.map((t) => [t.value, t.weight])).toEqual(expansion.tags.map((t) => [t.value, t.weight]));
        });
      }),
      { numRuns: 3_000 },
    );
  });

  // Prompts of attention syntax only (no BREAK, editing, alternation or extra networks, whose text
  // A1111 rewrites before reading attention), and no weights A1111 itself fails on.
  const attentionFragment = fc.constantFrom('(', ')', '[', ']', ':1.2)', ':0.5)', ': 1.05 )', '\\(', '\\)', '\\\\', ',', ', ', ' ', 'a', 'best quality', 'x y', '猫', '\n');
  const attentionInput = fc.array(attentionFragment, { maxLength: 40 }).map((p) => p.join(''));

  it("gives every tag the weight A1111's parse_prompt_attention gives its text", () => {
    fc.assert(
      fc.property(attentionInput, (text) => {
        const section = parseDocument(text).blocks[0]?.prompt;
        if (!section) return;
        const pairs = parsePromptAttention(section.text);
        // The weight of each character of A1111's output text.
        const weightAt: number[] = [];
        for (const [t, w] of pairs) for (let k = 0; k < t.length; k++) weightAt.push(w);
        // Walk the leaves, counting how many characters each contributes to A1111's output text.
        const outputOffset = new Map<number, number>();
        let out = 0;
        const lead = section.text.length > 0 ? section.segments[0]!.sourceStart : 0;
        for (const leaf of leaves(section.node)) {
          if (leaf.end <= lead) continue;
          outputOffset.set(leaf.start, out);
          out += contributes(leaf);
        }
        for (const tag of section.tags) {
          const at = outputOffset.get(tag.node.start)!;
          expect(tag.weight).toBe(weightAt[at]);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

/** Characters a leaf adds to A1111's output text: brackets and weights are consumed, escapes give one. */
function contributes(leaf: Leaf): number {
  switch (leaf.kind) {
    case 'open-paren':
    case 'close-paren':
    case 'open-square':
    case 'close-square':
    case 'weight':
      return 0;
    case 'escape':
      return leaf.end - leaf.start - 1;
    default:
      return leaf.end - leaf.start;
  }
}
