// The template checks added for issue 13: variants whose options are all empty, and wildcards whose values
// lead back to a wildcard on their own way. Expectations derived by hand from dynamicprompts 0.31:
// - parse.py's variants are `"{" … delimited_list(variant, "|") … "}"` where a variant is
//   `OPT_WS + Opt(weight) + prompt + OPT_WS` and prompt is ZeroOrMore: `{}` is one option whose value is an
//   empty sequence, `{|}` two; the random sampler picks one of them and joins nothing.
// - RandomSampler._get_wildcard samples each value it draws as a template (`context.sample_prompts(value)`),
//   with no guard for wildcards (only variables have `_variables_being_sampled`): a → b → a recurses.
import { describe, expect, it } from 'vitest';
import { checkDocument, checkWildcardFile } from '../../core/checks/index';
import { parseDocument } from '../../core/parse/index';
import { defaultProfile } from '../../core/profiles/index';
import { WildcardCatalog, wildcardReferences } from '../../core/template/catalog';
import { WildcardLibrary, type WildcardFile } from '../../core/template/wildcards';

function catalogOf(files: WildcardFile[]): WildcardCatalog {
  return new WildcardCatalog(new WildcardLibrary(files), files.map((f) => ({ ...f, file: `/w/${f.path}` })));
}

function found(text: string, code: string, wildcards?: WildcardCatalog): { text: string; message: string }[] {
  return checkDocument(parseDocument(text), defaultProfile, { wildcards })
    .filter((d) => d.code === code)
    .map((d) => ({ text: text.slice(d.start, d.end), message: d.message }));
}

describe('empty-variants', () => {
  it('reports {} and {|}, whitespace and comments around empty options included', () => {
    expect(found('1boy, {} hair', 'empty-variants')).toEqual([{ text: '{}', message: "Every option of '{}' is empty: Dynamic Prompts picks an empty text, so it adds nothing to the prompt" }]);
    expect(found('1boy, { | } hair', 'empty-variants').map((d) => d.text)).toEqual(['{ | }']);
    expect(found('1boy, {2$$|}', 'empty-variants').map((d) => d.text)).toEqual(['{2$$|}']);
    expect(found('1boy, {/* nothing */}', 'empty-variants').map((d) => d.text)).toEqual(['{/* nothing */}']);
    // Nested: the inner one is empty, the outer one has text.
    expect(found('{red|{}}', 'empty-variants').map((d) => d.text)).toEqual(['{}']);
  });

  it('leaves an optional option ({a|}) and variants with text alone', () => {
    expect(found('1boy, {smile|} {red|blue} {2$$a|b|}', 'empty-variants')).toEqual([]);
    // A1111-only text without template syntax is never read as a template.
    expect(found('1boy, (smile:1.2)', 'empty-variants')).toEqual([]);
  });
});

describe('wildcard-cycle', () => {
  const cycle = catalogOf([
    { path: 'a.txt', content: 'red\n__b__ hair\n' },
    { path: 'b.txt', content: '{blue|__a__}\n' },
    { path: 'self.txt', content: 'x\n__self__\n' },
    // c leads into the a/b cycle without being on it.
    { path: 'c.txt', content: '__a__\n' },
    { path: 'fine.txt', content: '__leaf__ and __leaf__\n' },
    { path: 'leaf.txt', content: 'green\n' },
    { path: 'hair-colors.txt', content: 'black\n__hair-colors__\n' },
  ]);

  it('reports the chain on the wildcard of the prompt', () => {
    expect(found('1boy, __a__', 'wildcard-cycle', cycle)).toEqual([
      { text: '__a__', message: "'__a__' can expand into itself (a → b → a): Dynamic Prompts has no guard, so a draw that follows the cycle recurses until Python's RecursionError and the generation fails" },
    ]);
    expect(found('__b__', 'wildcard-cycle', cycle).map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__b__' can expand into itself (b → a → b)"]);
    expect(found('__self__', 'wildcard-cycle', cycle).map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__self__' can expand into itself (self → self)"]);
    expect(found('__c__', 'wildcard-cycle', cycle).map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__c__' can expand into itself (c → a → b → a)"]);
    // A name with '-' (fnmatch's pattern must not escape it: `\-` is invalid under the `u` flag).
    expect(found('__hair-colors__', 'wildcard-cycle', cycle).map((d) => d.text)).toEqual(['__hair-colors__']);
    // Inside a variant too.
    expect(found('{__a__|x}', 'wildcard-cycle', cycle).map((d) => d.text)).toEqual(['__a__']);
  });

  it('leaves acyclic wildcards alone, a name used twice included', () => {
    expect(found('__fine__, __leaf__', 'wildcard-cycle', cycle)).toEqual([]);
    expect(found('__fine__, __leaf__', 'unknown-wildcard', cycle)).toEqual([]);
  });

  it('follows globs as the library resolves them', () => {
    const globs = catalogOf([
      { path: 'colors/warm.txt', content: 'red\n' },
      { path: 'colors/cold.txt', content: '__colors/*__\n' },
    ]);
    expect(found('__colors/*__', 'wildcard-cycle', globs).map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__colors/*__' can expand into itself (colors/* → colors/*)"]);
    expect(found('__colors/warm__', 'wildcard-cycle', globs)).toEqual([]);
    expect(found('__colors/cold__', 'wildcard-cycle', globs).map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__colors/cold__' can expand into itself (colors/cold → colors/* → colors/*)"]);
  });

  it('visits each wildcard once: a long chain and a wide fan-in stay linear', () => {
    // w0 → w1 → … → w4999 → w0, and 5,000 names that all reference w0.
    const files: WildcardFile[] = [];
    const n = 5000;
    for (let i = 0; i < n; i++) files.push({ path: `w${i}.txt`, content: `__w${(i + 1) % n}__\n` });
    for (let i = 0; i < n; i++) files.push({ path: `fan${i}.txt`, content: `__w0__\nplain\n` });
    const big = catalogOf(files);
    // The whole chain is fan7, w0 … w4999, w0; it is followed at most `limit` names.
    const chain = big.cycleFrom('fan7', n + 2)!;
    expect(chain.length).toBe(n + 2);
    expect(chain.slice(0, 3)).toEqual(['fan7', 'w0', 'w1']);
    expect(chain[chain.length - 1]).toBe('w0');
    for (let i = 0; i < n; i++) expect(big.cycleFrom(`fan${i}`)).toEqual([`fan${i}`, 'w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6']);
    expect(found('__fan3__', 'wildcard-cycle', big).map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__fan3__' can expand into itself (fan3 → w0 → w1 → w2 → w3 → w4 → w5 → w6 → …)"]);
  });

  it('finds the same chains from references computed where the library is built (the server worker)', () => {
    const files: WildcardFile[] = [
      { path: 'a.txt', content: 'red\n__b__ hair\n' },
      { path: 'b.txt', content: '{blue|__a__}\n' },
      { path: 'colors/warm.txt', content: 'red\n__leaf__\n' },
      { path: 'colors/cold.txt', content: '__colors/*__\n' },
      { path: 'sub/leaf.txt', content: 'green\n' },
      { path: 'x.txt', content: '__leaf__\n' },
    ];
    const library = new WildcardLibrary(files);
    const sources = files.map((f) => ({ ...f, file: `/w/${f.path}` }));
    // Computed on the values: a → b, b → a, colors/warm → leaf, colors/cold → colors/*, x → leaf.
    expect(wildcardReferences(library)).toEqual([['a', ['b']], ['b', ['a']], ['colors/warm', ['leaf']], ['colors/cold', ['colors/*']], ['x', ['leaf']]]);
    const parsedHere = new WildcardCatalog(library, sources);
    const precomputed = new WildcardCatalog(new WildcardLibrary(files), sources, wildcardReferences(library));
    // `leaf` is sub/leaf by the `**/` retry; `colors/*` the union of warm and cold.
    for (const name of ['a', 'b', 'colors/*', 'colors/warm', 'colors/cold', 'leaf', 'x', 'nothing']) expect(precomputed.cycleFrom(name)).toEqual(parsedHere.cycleFrom(name));
    expect(precomputed.cycleFrom('colors/cold')).toEqual(['colors/cold', 'colors/*', 'colors/*']);
    expect(precomputed.cycleFrom('x')).toBeUndefined();
  });

  it('reports a cycle inside a wildcard file on the reference that closes it', () => {
    const diagnostics = checkWildcardFile('red\n__b__ hair\n', 'a', defaultProfile, { wildcards: cycle });
    expect(diagnostics.filter((d) => d.code === 'wildcard-cycle').map((d) => d.message.slice(0, d.message.indexOf(')') + 1))).toEqual(["'__b__' can expand into itself (b → a → b)"]);
  });
});

describe('WildcardLibrary: sorted once, looked up by name, packed for a thread', () => {
  const files: WildcardFile[] = [
    // U+FF61 sorts before U+1F431 by code point, after it by UTF-16 unit (0xFF61 > 0xD83D).
    { path: 'a.txt', content: 'zeta\n🐱\nalpha\nzeta\n｡\nÉclair\nbeta\n' },
    { path: 'sub/a.txt', content: 'mu\nalpha\n' },
    { path: 'w.json', content: '{"k": ["2::heavy", "light", "light"]}' },
  ];
  const library = new WildcardLibrary(files);

  it('gives a name its values de-duplicated and sorted by code point, and a glob the union', () => {
    expect(library.getValues('a').strings).toEqual(['alpha', 'beta', 'zeta', 'Éclair', '｡', '🐱']);
    // `*` matches `/` too: a and sub/a; alpha once.
    expect(library.getValues('*a').strings).toEqual(['alpha', 'beta', 'mu', 'zeta', 'Éclair', '｡', '🐱']);
    expect(library.getValues('sub/a').strings).toEqual(['alpha', 'mu']);
    expect(library.getValues('k').items).toEqual([{ text: 'heavy', weight: 2, item: true }, { text: 'light', weight: 1, item: false }]);
    expect(library.getValues('nothing').length).toBe(0);
  });

  it("matches names with '-' by glob too (fnmatch's translation leaves '-' outside a class as it is)", () => {
    const hyphens = new WildcardLibrary([{ path: 'hair-colors.txt', content: 'black\n' }, { path: 'hair-styles.txt', content: 'bob\n' }]);
    expect(hyphens.getValues('hair-*').strings).toEqual(['black', 'bob']);
    expect(hyphens.getValues('hair-colors').strings).toEqual(['black']);
    expect(hyphens.getValues('[h]air-styles').strings).toEqual(['bob']);
  });

  it('answers the same after pack and unpack (its buffer transferred)', () => {
    const packed = library.pack();
    const copy = WildcardLibrary.unpack(structuredClone(packed, { transfer: [packed.bytes.buffer] }));
    for (const name of ['a', '*a', 'sub/a', 'k', 'w/k', 'nothing', '**/a']) expect(copy.getValues(name).items).toEqual(library.getValues(name).items);
    expect(copy.names()).toEqual(library.names());
  });
});
