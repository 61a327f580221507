// The sd-dynamic-prompts template grammar (dynamicprompts 0.31, default ParserConfig), as the library's
// pyparsing grammar reads it: the same alternatives in the same order, no whitespace skipping (every
// element there is leave_whitespace'd), comments (`#…` and `//…` to the end of the line and `/*…*/`, each with the whitespace
// before it) skipped at the start of every element, tabs expanded to 8-column stops
// first, and a literal joined from pieces around a comment with one space. Never throws: a template the
// library rejects gives a problem with an offset. Offsets are UTF-16 offsets into the original text.
//
// Grammar (dynamicprompts/parser/parse.py):
//   prompt   := (assignment | access | wrap | variants | wildcard | literal)*
//   vprompt  := (access | wrap | variants | wildcard | vliteral)*          inside {…}, ${…}, %{…}
//   variants := "{" ws? sampler? (bound "$$" (sep "$$")?)? ws? option ("|" option)* ws? "}"
//   option   := ws? (weight "::")? vprompt ws?
//   wildcard := "__" sampler? wpath (ws? "(" [^)]+ ")")? "__"
//   assignment := "${" ws? name ws? "?"? "=" "!"? ws? vprompt ws? "}"
//   access   := "${" ws? name ws? (":" ws? vprompt)? ws? "}"
//   wrap     := "%{" ws? vprompt ws? "$$" ws? vprompt "}"

export type SamplerSymbol = 'random' | 'combinatorial' | 'cyclical';

export interface Range {
  /** UTF-16 offset of the first character in the original template. */
  start: number;
  /** UTF-16 offset just past the last character. */
  end: number;
}

export type TemplateNode = LiteralNode | SequenceNode | VariantNode | WildcardNode | AssignmentNode | AccessNode | WrapNode;

export interface LiteralNode extends Range {
  kind: 'literal';
  text: string;
  /** Where the literal's pieces are written, when a comment splits it (`a #c\nb`: `a `, `\nb`). */
  pieces?: Range[];
}
export interface SequenceNode extends Range {
  kind: 'sequence';
  items: TemplateNode[];
}
export interface VariantOption extends Range {
  weight: number;
  value: TemplateNode;
  /** Where a `0.5::` weight is written: it runs from `start` to here (the `::` included). */
  weightEnd?: number;
}
export interface VariantNode extends Range {
  kind: 'variant';
  options: VariantOption[];
  /** After the library's normalisation: sorted, min at least 0, not yet clamped to the option count. */
  min: number;
  max: number;
  separator: string;
  sampler: SamplerSymbol | null;
  /** Offset of the sampler's character (`~`, `!`, `@`), when one is written. */
  samplerAt?: number;
  /** Where `2$$`, `1-3$$` or `2$$ and $$` is written (its last `$$` included). */
  bound?: Range;
  /** Offsets of the `|` between options. */
  bars?: number[];
}
export interface WildcardNode extends Range {
  kind: 'wildcard';
  /** The name as text, or a template (variants, variables) sampled to get the name. */
  path: string | TemplateNode;
  sampler: SamplerSymbol | null;
  /** `__name(var=value,…)__`: variables set while sampling the values. */
  variables: [string, TemplateNode][];
}
export interface AssignmentNode extends Range {
  kind: 'assignment';
  name: string;
  value: TemplateNode;
  /** `${x=!…}`: sampled once when the sequence starts. */
  immediate: boolean;
  /** False for `${x?=…}` (keep an existing value). */
  overwrite: boolean;
}
export interface AccessNode extends Range {
  kind: 'access';
  name: string;
  default: TemplateNode | null;
}
export interface WrapNode extends Range {
  kind: 'wrap';
  wrapper: TemplateNode;
  inner: TemplateNode;
  /** Offset of the `$$` between the wrapper and the inner prompt. */
  dollars: number;
}

export interface TemplateProblem extends Range {
  message: string;
}

export type ParseResult = { ok: true; node: TemplateNode } | { ok: false; problem: TemplateProblem };

const SAMPLERS: Record<string, SamplerSymbol> = { '~': 'random', '!': 'combinatorial', '@': 'cyclical' };
const MAX_DEPTH = 400;

class Fail extends Error {}

/** Python's str.expandtabs(8), with a map from each offset in the result back to the original. */
function expandTabs(text: string): { s: string; map: number[] | null } {
  if (!text.includes('\t')) return { s: text, map: null };
  let s = '';
  const map: number[] = [];
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\t') {
      const n = 8 - (column % 8);
      for (let k = 0; k < n; k++) map.push(i);
      s += ' '.repeat(n);
      column += n;
    } else {
      map.push(i);
      s += c;
      const code = c.charCodeAt(0);
      // Python counts code points; a low surrogate does not start a new column.
      if (c === '\n' || c === '\r') column = 0;
      else if (code < 0xdc00 || code > 0xdfff) column++;
    }
  }
  map.push(text.length);
  return { s, map };
}

const isPyIsAlnum = (s: string): boolean => s.length > 0 && /^[\p{L}\p{Nd}\p{Nl}\p{No}]+$/u.test(s);

type Ctx = 'top' | 'variant' | 'wildcard';

class Parser {
  depth = 0;
  // Where the last comment close starts, so an unclosed comment opener is seen without a scan to the end each time.
  readonly lastClose: number;
  constructor(readonly s: string, readonly orig: (i: number) => number) {
    this.lastClose = s.lastIndexOf('*/');
  }

  /** Skips comments the way pyparsing's ignore expressions do (each with the whitespace before it). */
  ign(p: number): number {
    const s = this.s;
    for (;;) {
      const last = p;
      for (;;) {
        const q = this.skipWs(p);
        if (s.charCodeAt(q) !== 35 /* # */) break;
        p = this.eol(q + 1);
      }
      for (;;) {
        const q = this.skipWs(p);
        if (!s.startsWith('//', q)) break;
        p = this.eol(q + 2);
      }
      for (;;) {
        const q = this.skipWs(p);
        if (!s.startsWith('/*', q) || q + 2 > this.lastClose) break; // no '*/' left: not a comment
        const close = s.indexOf('*/', q + 2);
        if (close < 0) break;
        p = close + 2;
      }
      if (p === last) return p;
    }
  }

  skipWs(p: number): number {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else return p;
    }
  }

  eol(p: number): number {
    const i = this.s.indexOf('\n', p);
    return i < 0 ? this.s.length : i;
  }

  /** Opt(White()): whitespace after skipping comments; returns the new position. */
  optWs(p: number): number {
    const q = this.ign(p);
    const r = this.skipWs(q);
    return r > q ? r : p;
  }

  /** A literal token: ((?!__)[^excluded])+ after comments, or -1. */
  literalToken(p: number, ctx: Ctx): [number, number] | null {
    const s = this.s;
    const start = this.ign(p);
    let i = start;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 35 || c === 123 || c === 36 || c === 37) break; // # { $ %
      if (ctx === 'variant' && (c === 124 || c === 125)) break; // | }
      if (ctx === 'wildcard' && (c === 40 || c === 41)) break; // ( )
      if (c === 95 && s.charCodeAt(i + 1) === 95) break; // __
    }
    return i > start ? [start, i] : null;
  }

  /** OneOrMore(literal), its pieces joined with a space. */
  literalSequence(p: number, ctx: Ctx): [LiteralNode, number] | null {
    const first = this.literalToken(p, ctx);
    if (first === null) return null;
    let text = this.s.slice(first[0], first[1]);
    let end = first[1];
    let pieces: Range[] | undefined;
    for (;;) {
      const next = this.literalToken(end, ctx);
      if (next === null) break;
      (pieces ??= [{ start: this.orig(first[0]), end: this.orig(first[1]) }]).push({ start: this.orig(next[0]), end: this.orig(next[1]) });
      text += ' ' + this.s.slice(next[0], next[1]);
      end = next[1];
    }
    const node: LiteralNode = { kind: 'literal', text, start: this.orig(first[0]), end: this.orig(end) };
    if (pieces) node.pieces = pieces;
    return [node, end];
  }

  lit(p: number, text: string): number {
    const q = this.ign(p);
    return this.s.startsWith(text, q) ? q + text.length : -1;
  }

  samplerAt(p: number): [SamplerSymbol, number] | null {
    const q = this.ign(p);
    const sym = SAMPLERS[this.s[q] ?? ''];
    return sym ? [sym, q + 1] : null;
  }

  varName(p: number): [string, number] | null {
    const q = this.ign(p);
    const m = /[A-Za-z_-][A-Za-z0-9_-]*/y;
    m.lastIndex = q;
    const r = m.exec(this.s);
    return r ? [r[0], q + r[0].length] : null;
  }

  integer(p: number): [number, number] | null {
    const q = this.ign(p);
    const m = /[0-9]+/y;
    m.lastIndex = q;
    const r = m.exec(this.s);
    return r ? [Number(r[0]), q + r[0].length] : null;
  }

  /** (common.real | common.integer) "::" — a weight, or null. */
  weight(p: number): [number, number] | null {
    const q = this.ign(p);
    const real = /[+-]?(?:\p{Nd}+\.\p{Nd}*|\.\p{Nd}+)/uy;
    real.lastIndex = q;
    let value: number;
    let end: number;
    const r = real.exec(this.s);
    if (r) {
      value = Number(asciiDigits(r[0]));
      end = q + r[0].length;
    } else {
      const i = this.integer(p);
      if (i === null) return null;
      const digits = this.s.slice(this.ign(p), i[1]);
      value = Number(digits);
      end = i[1];
    }
    const after = this.lit(end, '::');
    return after < 0 ? null : [value, after];
  }

  /** prompt / vprompt: ZeroOrMore(chunk) with `_parse_sequence_or_single_command`. */
  prompt(p: number, ctx: 'top' | 'variant'): [TemplateNode, number] {
    const items: TemplateNode[] = [];
    const startP = p;
    for (;;) {
      const r = this.chunk(p, ctx);
      if (r === null) break;
      items.push(r[0]);
      p = r[1];
    }
    return [single(items, this.orig(startP), this.orig(p)), p];
  }

  chunk(p: number, ctx: 'top' | 'variant' | 'wildcard'): [TemplateNode, number] | null {
    if (++this.depth > MAX_DEPTH) throw new Fail('nested too deeply');
    try {
      if (ctx === 'top') {
        const a = this.assignment(p);
        if (a) return a;
      }
      const v = this.access(p, ctx === 'wildcard');
      if (v) return v;
      if (ctx !== 'wildcard') {
        const w = this.wrap(p);
        if (w) return w;
      }
      const vs = this.variants(p);
      if (vs) return vs;
      if (ctx !== 'wildcard') {
        const wc = this.wildcard(p);
        if (wc) return wc;
        return this.literalSequence(p, ctx);
      }
      return this.literalSequence(p, 'wildcard') ?? this.literalSequence(p, 'variant');
    } finally {
      this.depth--;
    }
  }

  assignment(p: number): [AssignmentNode, number] | null {
    const begin = this.lit(p, '${');
    if (begin < 0) return null;
    const name = this.varName(this.optWs(begin));
    if (!name) return null;
    let q = this.optWs(name[1]);
    let overwrite = true;
    const question = this.lit(q, '?');
    if (question >= 0) {
      overwrite = false;
      q = question;
    }
    q = this.lit(q, '=');
    if (q < 0) return null;
    let immediate = false;
    const bang = this.lit(q, '!');
    if (bang >= 0) {
      immediate = true;
      q = bang;
    }
    const [value, afterValue] = this.prompt(this.optWs(q), 'variant');
    const end = this.lit(this.optWs(afterValue), '}');
    if (end < 0) return null;
    return [{ kind: 'assignment', name: name[0], value, immediate, overwrite, start: this.orig(this.ign(p)), end: this.orig(end) }, end];
  }

  access(p: number, inWildcard: boolean): [AccessNode, number] | null {
    const begin = this.lit(p, '${');
    if (begin < 0) return null;
    const name = this.varName(this.optWs(begin));
    if (!name) return null;
    let q = this.optWs(name[1]);
    let def: TemplateNode | null = null;
    const colon = this.lit(q, ':');
    if (colon >= 0) {
      const [d, afterDefault] = this.prompt(this.optWs(colon), 'variant');
      def = d;
      q = afterDefault;
    }
    const end = this.lit(this.optWs(q), '}');
    if (end < 0) return null;
    if (inWildcard) {
      // _parse_wildcard_variable_access_command: the default is a literal, stripped; the name when absent.
      const d = def === null || isEmptySequence(def) ? null : def;
      if (d !== null && d.kind !== 'literal') throw new Fail('a default inside a wildcard name must be plain text');
      const text = d === null ? name[0] : pyStrip(d.text);
      def = { kind: 'literal', text, start: d?.start ?? this.orig(name[1]), end: d?.end ?? this.orig(name[1]) };
    }
    return [{ kind: 'access', name: name[0], default: def, start: this.orig(this.ign(p)), end: this.orig(end) }, end];
  }

  wrap(p: number): [WrapNode, number] | null {
    const begin = this.lit(p, '%{');
    if (begin < 0) return null;
    const [wrapper, afterWrapper] = this.prompt(this.optWs(begin), 'variant');
    let q = this.lit(this.optWs(afterWrapper), '$$');
    if (q < 0) return null;
    const [inner, afterInner] = this.prompt(this.optWs(q), 'variant');
    const dollars = this.orig(this.ign(this.optWs(afterWrapper)));
    q = this.lit(afterInner, '}');
    if (q < 0) return null;
    return [{ kind: 'wrap', wrapper, inner, dollars, start: this.orig(this.ign(p)), end: this.orig(q) }, q];
  }

  /** bound "$$" (separator "$$")? — or null when it does not match (then nothing is consumed). */
  boundExpr(p: number): { lo: number | null; hi: number | null; exact: number | null; sep: string; end: number } | null {
    let lo: number | null = null;
    let hi: number | null = null;
    let exact: number | null = null;
    let q = -1;
    // bound_range4 | bound_range3 | bound_range2 | bound_range1
    const a = this.integer(p);
    if (a) {
      const dash = this.lit(a[1], '-');
      const b = dash >= 0 ? this.integer(dash) : null;
      if (b) {
        lo = a[0];
        hi = b[0];
        q = b[1];
      } else if (dash >= 0) {
        lo = a[0];
        q = dash;
      } else {
        exact = a[0];
        q = a[1];
      }
    } else {
      const dash = this.lit(p, '-');
      const b = dash >= 0 ? this.integer(dash) : null;
      if (!b) return null;
      hi = b[0];
      q = b[1];
    }
    q = this.lit(q, '$$');
    if (q < 0) return null;
    let sep = ',';
    const sq = this.ign(q);
    let i = sq;
    while (i < this.s.length) {
      const c = this.s.charCodeAt(i);
      if (c < 32 || c > 126 || c === 36 || c === 123 || c === 125) break;
      i++;
    }
    if (i > sq) {
      const close = this.lit(i, '$$');
      if (close >= 0) {
        sep = this.s.slice(sq, i);
        q = close;
      }
    }
    return { lo, hi, exact, sep, end: q };
  }

  variants(p: number): [VariantNode, number] | null {
    const begin = this.lit(p, '{');
    if (begin < 0) return null;
    let q = this.optWs(begin);
    let sampler: SamplerSymbol | null = null;
    let samplerAt: number | undefined;
    const sym = this.samplerAt(q);
    if (sym) {
      sampler = sym[0];
      samplerAt = this.orig(sym[1] - 1);
      q = sym[1];
    }
    const boundStart = this.orig(this.ign(q));
    const bound = this.boundExpr(q);
    if (bound) q = bound.end;
    q = this.optWs(q);
    const options: VariantOption[] = [];
    const bars: number[] = [];
    for (;;) {
      const optionStart = this.optWs(q);
      let r = optionStart;
      let weight = 1;
      const w = this.weight(r);
      if (w) {
        weight = w[0];
        r = w[1];
      }
      const [value, afterValue] = this.prompt(r, 'variant');
      const optionEnd = this.optWs(afterValue);
      const option: VariantOption = { weight, value, start: this.orig(this.ign(optionStart)), end: this.orig(afterValue) };
      if (w) option.weightEnd = this.orig(w[1]);
      options.push(option);
      const bar = this.lit(optionEnd, '|');
      if (bar < 0) {
        q = optionEnd;
        break;
      }
      bars.push(this.orig(bar - 1));
      q = bar;
    }
    const end = this.lit(this.optWs(q), '}');
    if (end < 0) return null;
    let lo = 1;
    let hi = 1;
    let separator = ',';
    if (bound) {
      lo = 1;
      hi = options.length;
      if (bound.exact !== null) lo = hi = bound.exact;
      else {
        if (bound.lo !== null) lo = bound.lo;
        if (bound.hi !== null) hi = bound.hi;
      }
      separator = bound.sep;
    }
    if (lo > hi) [lo, hi] = [hi, lo];
    lo = Math.max(0, lo);
    const node: VariantNode = { kind: 'variant', options, min: lo, max: hi, separator, sampler, bars, start: this.orig(this.ign(p)), end: this.orig(end) };
    if (samplerAt !== undefined) node.samplerAt = samplerAt;
    if (bound) node.bound = { start: boundStart, end: this.orig(bound.end) };
    return [node, end];
  }

  wildcard(p: number): [WildcardNode, number] | null {
    const begin = this.lit(p, '__');
    if (begin < 0) return null;
    let q = begin;
    let sampler: SamplerSymbol | null = null;
    const sym = this.samplerAt(q);
    if (sym) {
      sampler = sym[0];
      q = sym[1];
    }
    // OneOrMore(wildcard_chunk, stop_on="(") — the stop check skips whitespace before "(".
    const items: TemplateNode[] = [];
    const pathStart = q;
    for (;;) {
      if (this.s[this.skipWs(q)] === '(') break;
      const r = this.chunk(q, 'wildcard');
      if (r === null) break;
      items.push(r[0]);
      q = r[1];
    }
    if (items.length === 0) return null;
    const pathNode = single(items, this.orig(pathStart), this.orig(q));
    const variables: [string, TemplateNode][] = [];
    // Opt(OPT_WS "(" [^)]+ ")")
    const open = this.lit(this.optWs(q), '(');
    if (open >= 0) {
      const specStart = this.ign(open);
      const close = this.s.indexOf(')', specStart);
      if (close > specStart) {
        const after = this.lit(close, ')');
        if (after >= 0) {
          for (const [k, v] of parseVariableSpec(this.s.slice(specStart, close))) variables.push([k, v]);
          q = after;
        }
      }
    }
    const end = this.lit(q, '__');
    if (end < 0) return null;
    const path = pathNode.kind === 'literal' ? pathNode.text : pathNode;
    return [{ kind: 'wildcard', path, sampler, variables, start: this.orig(this.ign(p)), end: this.orig(end) }, end];
  }
}

function parseVariableSpec(spec: string): [string, TemplateNode][] {
  const out: [string, TemplateNode][] = [];
  for (const pair of spec.split(',')) {
    const eq = pair.indexOf('=');
    const key = pyStrip(eq < 0 ? pair : pair.slice(0, eq));
    const value = pyStrip(eq < 0 ? '' : pair.slice(eq + 1));
    if (isPyIsAlnum(value)) out.push([key, { kind: 'literal', text: value, start: 0, end: 0 }]);
    else {
      const r = parseTemplate(value);
      if (!r.ok) throw new Fail(`in a wildcard's variables: ${r.problem.message}`);
      out.push([key, r.node]);
    }
  }
  return out;
}

function single(items: TemplateNode[], start: number, end: number): TemplateNode {
  return items.length === 1 ? items[0]! : { kind: 'sequence', items, start, end };
}

function isEmptySequence(n: TemplateNode): boolean {
  return n.kind === 'sequence' && n.items.length === 0;
}

/** Unicode decimal digits (`１`, `٣`) as ASCII ones, as Python's int() and float() read them. */
export function asciiDigits(text: string): string {
  // A run of Unicode decimal digits is made of whole blocks of ten, each starting at its zero.
  return text.replace(/\p{Nd}/gu, (d) => {
    let cp = d.codePointAt(0)!;
    let k = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(cp - 1))) {
      cp--;
      k++;
    }
    return String(k % 10);
  });
}

/** Python's str.strip() with no arguments (str.isspace characters). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

export function isPySpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * Parses a template the way `dynamicprompts.parser.parse.parse` does. The empty template gives an empty
 * sequence.
 */
export function parseTemplate(template: string): ParseResult {
  if (isPyIsAlnum(template)) return { ok: true, node: { kind: 'literal', text: template, start: 0, end: template.length } };
  const { s, map } = expandTabs(template);
  const orig = map === null ? (i: number) => i : (i: number) => map[i]!;
  const parser = new Parser(s, orig);
  try {
    const [node, end] = parser.prompt(0, 'top');
    // parse_all: comments, then whitespace, then the end of the text.
    const q = parser.skipWs(parser.ign(end));
    if (q < s.length) {
      const at = orig(end);
      const found = s[end] === undefined ? 'end of text' : `'${s[end]}'`;
      return { ok: false, problem: { message: `Expected end of text, found ${found} (at char ${codePointIndex(template, at)})`, start: at, end: Math.min(template.length, at + 1) } };
    }
    return { ok: true, node };
  } catch (error) {
    if (error instanceof Fail) return { ok: false, problem: { message: error.message, start: 0, end: template.length } };
    if (error instanceof RangeError) return { ok: false, problem: { message: 'nested too deeply', start: 0, end: template.length } };
    throw error;
  }
}

function codePointIndex(s: string, utf16: number): number {
  let n = 0;
  for (let i = 0; i < utf16; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || s.charCodeAt(i - 1) < 0xd800 || s.charCodeAt(i - 1) > 0xdbff) n++;
  }
  return n;
}

/**
 * A structural key: two nodes have the same key exactly when the library's frozen dataclasses compare
 * equal (kind, text, weights, bounds, separators, samplers; not source ranges).
 */
export function nodeKey(node: TemplateNode): string {
  const cached = keys.get(node);
  if (cached !== undefined) return cached;
  let k: string;
  switch (node.kind) {
    case 'literal':
      k = `L${JSON.stringify(node.text)}`;
      break;
    case 'sequence':
      k = `S[${node.items.map(nodeKey).join(',')}]`;
      break;
    case 'variant':
      k = `V${node.sampler ?? ''}:${node.min}:${node.max}:${JSON.stringify(node.separator)}[${node.options.map((o) => `${o.weight === 0 ? 0 : o.weight}*${nodeKey(o.value)}`).join(',')}]`;
      break;
    case 'wildcard':
      k = `W${node.sampler ?? ''}:${typeof node.path === 'string' ? JSON.stringify(node.path) : nodeKey(node.path)}{${node.variables.map(([n, v]) => `${n}=${nodeKey(v)}`).join(',')}}`;
      break;
    case 'assignment':
      k = `A${node.name}:${node.immediate}:${node.overwrite}:${nodeKey(node.value)}`;
      break;
    case 'access':
      k = `G${node.name}:${node.default === null ? '-' : nodeKey(node.default)}`;
      break;
    case 'wrap':
      k = `P${nodeKey(node.wrapper)}|${nodeKey(node.inner)}`;
      break;
  }
  keys.set(node, k);
  return k;
}

const keys = new WeakMap<TemplateNode, string>();
