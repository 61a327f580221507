// sd-dynamic-prompts' expansion (dynamicprompts 0.31 samplers, default options), draw for draw: the
// random, cyclical and combinatorial samplers as lazy generators in the library's order of evaluation, so
// the same seeds consume CPython's Mersenne Twister the same way and give the same prompts.
//
// Random mode (`expandRandom`) is what the A1111 extension does for a batch: one RandomPromptGenerator,
// one generator for the template, and its shared random.Random reseeded before each image's prompt.
// Combinatorial mode (`expandCombinatorial`) is CombinatorialPromptGenerator.generate(template, max).
import { nodeKey, parseTemplate, type TemplateNode, type VariantNode, type WildcardNode } from './parse';
import { PyRandom } from './pyRandom';
import { WildcardLibrary, type WildcardValues } from './wildcards';

type Method = 'random' | 'combinatorial' | 'cyclical';
type Gen = Generator<string, void, undefined>;
type Vars = ReadonlyMap<string, TemplateNode>;

/** An error the library raises (KeyError, ValueError, ParseException, RuntimeError …). */
export class TemplateError extends Error {}

/** StopIteration: next() on an exhausted generator. Inside a generator it becomes a RuntimeError (PEP 479). */
class StopIter extends Error {}

interface Ctx {
  method: Method;
  lib: WildcardLibrary;
  rand: PyRandom;
  vars: Vars;
  sampling: ReadonlySet<string>;
}

const EMPTY_VARS: Vars = new Map();
const EMPTY_SET: ReadonlySet<string> = new Set();
/** Where the library would spin forever drawing wildcard values that give no prompt, we give up. */
const MAX_EMPTY_DRAWS = 100000;

function next(gen: Iterator<string>): string {
  const r = gen.next();
  if (r.done) throw new StopIter('StopIteration');
  return r.value;
}

/** Runs a generator body with Python's rule that a StopIteration escaping a generator is a RuntimeError. */
function* guarded(body: () => Gen): Gen {
  try {
    yield* body();
  } catch (error) {
    if (error instanceof StopIter) throw new TemplateError('RuntimeError: generator raised StopIteration');
    throw error;
  }
}

const isNonfinite = (m: Method) => m !== 'combinatorial';

function ownMethod(node: TemplateNode): Method | null {
  return node.kind === 'variant' || node.kind === 'wildcard' ? node.sampler : null;
}

/** SamplingContext.generator_from_command. */
function gfc(node: TemplateNode, ctx: Ctx): Gen {
  let method = ownMethod(node) ?? ctx.method;
  if (method !== ctx.method) {
    if (isNonfinite(ctx.method) && !isNonfinite(method)) method = ctx.method;
    if (method !== ctx.method) ctx = { ...ctx, method };
  }
  switch (node.kind) {
    case 'literal':
      return method === 'combinatorial' ? once(node.text) : forever(node.text);
    case 'sequence':
      return method === 'combinatorial' ? combinatorialSequence(node.items, ctx) : sequence(node.items, ctx);
    case 'variant':
      return method === 'random' ? randomVariant(node, ctx) : method === 'cyclical' ? cyclicalVariant(node, ctx) : combinatorialVariant(node, ctx);
    case 'wildcard':
      return method === 'random' ? randomWildcard(node, ctx) : method === 'cyclical' ? cyclicalWildcard(node, ctx) : combinatorialWildcard(node, ctx);
    case 'assignment':
      throw new TemplateError('NotImplementedError: VariableAssignmentCommand should never be sampled');
    case 'access':
      return variable(node.name, node.default, ctx);
    case 'wrap':
      if (method === 'cyclical') throw new TemplateError('NotImplementedError: CyclicalSampler does not support WrapCommand');
      return method === 'random' ? randomWrap(node.wrapper, node.inner, ctx) : combinatorialWrap(node.wrapper, node.inner, ctx);
  }
}

function* forever(text: string): Gen {
  for (;;) yield text;
}

function* once(text: string): Gen {
  yield text;
}

/** Python truthiness of a command: an empty SequenceCommand (or VariantCommand) is false. */
function truthy(node: TemplateNode | null | undefined): node is TemplateNode {
  if (!node) return false;
  if (node.kind === 'sequence') return node.items.length > 0;
  if (node.kind === 'variant') return node.options.length > 0;
  return true;
}

/** Sampler._get_variable: a plain function, so an undefined variable fails when its generator is made. */
function variable(name: string, def: TemplateNode | null, ctx: Ctx): Gen {
  const command = ctx.vars.has(name) ? ctx.vars.get(name) : def;
  if (!truthy(command)) throw new TemplateError(`KeyError: 'Variable ${name} is not defined in this context'`);
  if (ctx.sampling.has(name)) throw new TemplateError(`RecursionError: Variable ${name} is being sampled recursively`);
  const sampling = new Set(ctx.sampling);
  sampling.add(name);
  return gfc(command, { ...ctx, sampling });
}

function withVariables(ctx: Ctx, vars: Iterable<[string, TemplateNode]>): Ctx {
  const list = [...vars];
  if (list.length === 0) return ctx;
  const merged = new Map(ctx.vars);
  for (const [k, v] of list) merged.set(k, v);
  return { ...ctx, vars: merged };
}

/** SamplingContext.process_variable_assignments (each value evaluated in the context before the sequence). */
function processAssignments(items: readonly TemplateNode[], ctx: Ctx): [TemplateNode[], Ctx] {
  const assigned = new Map<string, TemplateNode>();
  const rest: TemplateNode[] = [];
  for (const item of items) {
    if (item.kind !== 'assignment') {
      rest.push(item);
      continue;
    }
    let value: TemplateNode;
    if (!item.overwrite && ctx.vars.has(item.name)) value = ctx.vars.get(item.name)!;
    else if (item.immediate && item.value.kind !== 'literal') {
      value = { kind: 'literal', text: next(gfc(item.value, ctx)), start: item.value.start, end: item.value.end };
    } else value = item.value;
    assigned.set(item.name, value);
  }
  return [rest, assigned.size > 0 ? withVariables(ctx, assigned) : ctx];
}

/** SamplingResult.joined. */
function joined(texts: readonly string[], separator: string): string {
  if (texts.length === 1) return texts[0]!;
  let s = texts.join(separator);
  if (separator !== '') {
    if (s.startsWith(separator)) s = s.slice(separator.length);
    if (s.endsWith(separator)) s = s.slice(0, s.length - separator.length);
  }
  return s;
}

/** Parsed templates and wildcard values (parsing is pure, and nodes are never changed). */
const parsed = new Map<string, ReturnType<typeof parseTemplate>>();

/** SamplingContext.sample_prompts(prompt) — a string is parsed (a parse error raises). */
function samplePrompts(prompt: string | TemplateNode, ctx: Ctx): Gen {
  // `if not prompt: return []` — an empty string or an empty sequence gives nothing.
  if (prompt === '' || (typeof prompt !== 'string' && !truthy(prompt))) return (function* (): Gen {})();
  let node: TemplateNode;
  if (typeof prompt === 'string') {
    let r = parsed.get(prompt);
    if (r === undefined) {
      r = parseTemplate(prompt);
      if (parsed.size > 10000) parsed.clear();
      parsed.set(prompt, r);
    }
    if (!r.ok) throw new TemplateError(`ParseException: ${r.problem.message}`);
    node = r.node;
  } else node = prompt;
  return gfc(node, ctx);
}

function* take1(gen: Gen): Generator<string, boolean, undefined> {
  const r = gen.next();
  if (r.done) return false;
  yield r.value;
  return true;
}

/** The wildcard's name: its text, or the first sample of its template. */
function wildcardPath(node: WildcardNode, ctx: Ctx): string {
  return next(samplePrompts(node.path, ctx));
}

function* notFound(node: WildcardNode, ctx: Ctx): Gen {
  const name = typeof node.path === 'string' ? node.path : next(samplePrompts(node.path, ctx));
  const text = ctx.lib.toWildcard(name);
  for (;;) yield text;
}

// ---- the base sampler's sequence (random and cyclical) ----

function sequence(items: readonly TemplateNode[], ctx0: Ctx): Gen {
  return guarded(function* () {
    const [tokens, ctx] = processAssignments(items, ctx0);
    const subs = tokens.map((t) => gfc(t, ctx));
    for (;;) yield joined(subs.map(next), '');
  });
}

// ---- random sampler ----

function wildcardToVariant(node: WildcardNode, ctx: Ctx, min: number, max: number, separator: string): VariantNode {
  const values = ctx.lib.getValues(wildcardPath(node, ctx));
  min = Math.min(min, values.length);
  max = Math.min(max, values.length);
  const options = [];
  for (const v of values.weighted()) {
    const r = parseTemplate(v);
    if (!r.ok) throw new TemplateError(`ParseException: ${r.problem.message}`);
    options.push({ weight: 1, value: r.node, start: node.start, end: node.end });
  }
  if (min > max) [min, max] = [max, min];
  return { kind: 'variant', options, min: Math.max(0, min), max, separator, sampler: node.sampler, start: node.start, end: node.end };
}

function chooseWithoutReplacement(values0: readonly TemplateNode[], weights0: readonly number[], k: number, rand: PyRandom): TemplateNode[] {
  const values = [...values0];
  const weights = [...weights0];
  if (values.length < k) throw new TemplateError(`ValueError: You asked for ${k} values, but only ${values.length} are available`);
  if (values.length <= 1) return values;
  const keys = values.map(nodeKey);
  const chosen: TemplateNode[] = [];
  for (let n = 0; n < k; n++) {
    let i: number;
    try {
      i = rand.choices(values.map((_, j) => j), 1, weights)[0]!;
    } catch (error) {
      throw new TemplateError(`ValueError: ${(error as Error).message}`);
    }
    const pick = values[i]!;
    chosen.push(pick);
    // weights.remove(weights[values.index(chosen)]); values.remove(chosen) — both by equality.
    const first = keys.indexOf(keys[i]!);
    weights.splice(weights.indexOf(weights[first]!), 1);
    values.splice(first, 1);
    keys.splice(first, 1);
  }
  return chosen;
}

function randomVariant(node0: VariantNode, ctx: Ctx): Gen {
  return guarded(function* () {
    const node = node0;
    const n = node.options.length;
    if (n === 0) return;
    if (n === 1) {
      const only = node.options[0]!.value;
      if (only.kind === 'wildcard') yield* randomVariant(wildcardToVariant(only, ctx, node.min, node.max, node.separator), ctx);
      else yield* gfc(only, ctx);
      return;
    }
    const values = node.options.map((o) => o.value);
    const weights = node.options.map((o) => o.weight);
    for (;;) {
      const min = Math.min(node.min, n);
      const max = Math.min(node.max, n);
      let count: number;
      try {
        count = Math.min(max, ctx.rand.randint(min, max));
      } catch (error) {
        throw new TemplateError(`ValueError: ${(error as Error).message}`);
      }
      const subs = chooseWithoutReplacement(values, weights, count, ctx.rand).map((c) => gfc(c, ctx));
      yield subs.length === 0 ? '' : joined(subs.map(next), node.separator);
    }
  });
}

function* weightedRandom(values: WildcardValues, rand: PyRandom): Gen {
  if (!values.hasVariedWeights) {
    for (;;) yield rand.choice(values.strings);
  }
  for (;;) {
    let batch: string[];
    try {
      batch = rand.choices(values.strings, 10, undefined, values.cumWeights);
    } catch (error) {
      throw new TemplateError(`ValueError: ${(error as Error).message}`);
    }
    yield* batch;
  }
}

function randomWildcard(node: WildcardNode, ctx0: Ctx): Gen {
  return guarded(function* () {
    const path = wildcardPath(node, ctx0);
    const ctx = withVariables(ctx0, node.variables);
    const values = ctx.lib.getValues(path);
    if (values.length === 0) {
      yield* notFound(node, ctx);
      return;
    }
    const gen = weightedRandom(values, ctx.rand);
    let empty = 0;
    for (;;) {
      const value = next(gen);
      if (yield* take1(samplePrompts(value, ctx))) empty = 0;
      else if (++empty > MAX_EMPTY_DRAWS) throw new TemplateError(`wildcard ${path} gives no prompt (the library would loop forever)`);
    }
  });
}

function wrapperParts(text: string): [string, string] {
  const m = /[\u1801\u2026\u22ee\u22ef\u22f0\u22f1\ufe19]+|\.{3,}/.exec(text);
  return m === null ? [text, ''] : [text.slice(0, m.index), text.slice(m.index + m[0].length)];
}

function randomWrap(wrapper: TemplateNode, inner: TemplateNode, ctx: Ctx): Gen {
  return guarded(function* () {
    const w = gfc(wrapper, ctx);
    const i = gfc(inner, ctx);
    for (;;) {
      const a = w.next();
      if (a.done) return;
      const b = i.next();
      if (b.done) return;
      const [prefix, suffix] = wrapperParts(a.value);
      yield prefix + b.value + suffix;
    }
  });
}

// ---- cyclical sampler ----

/** VariantCommand.get_value_combinations: ordered picks without repeats (by equality). */
function* valueCombinations(k: number, values: readonly TemplateNode[]): Generator<TemplateNode[]> {
  if (k <= 0) {
    yield [];
    return;
  }
  for (const value of values) {
    const key = nodeKey(value);
    const others = values.filter((v) => nodeKey(v) !== key);
    for (const item of valueCombinations(k - 1, others)) yield [value, ...item];
  }
}

/** itertools.cycle. */
function* cycle<T>(items: Iterable<T>): Generator<T> {
  const saved: T[] = [];
  for (const item of items) {
    yield item;
    saved.push(item);
  }
  if (saved.length === 0) return;
  for (;;) yield* saved;
}

/** utils.next_sampler_next_value: the next value of each generator in turn, round and round. */
function nextSamplerNextValue(samplers: Iterable<Gen>): Gen {
  return guarded(function* () {
    for (const s of cycle(samplers)) yield next(s);
  });
}

function* getArrs(gen: Gen, rest: Generator<string[]>): Generator<string[]> {
  try {
    for (const r of rest) yield [next(gen), ...r];
  } catch (error) {
    if (!(error instanceof StopIter)) throw error;
    yield [];
  }
}

function combinationSamples(combo: readonly TemplateNode[], ctx: Ctx): Generator<string[]> {
  return (function* () {
    try {
      if (combo.length === 0) {
        for (;;) yield [];
      }
      const gen = gfc(combo[0]!, ctx);
      yield* getArrs(gen, combinationSamples(combo.slice(1), ctx));
    } catch (error) {
      if (error instanceof StopIter) return;
      throw error;
    }
  })();
}

function cyclicalVariant(node0: VariantNode, ctx: Ctx): Gen {
  return guarded(function* () {
    const node = node0;
    const n = node.options.length;
    if (n === 0) return;
    if (n === 1 && node.options[0]!.value.kind === 'wildcard') {
      yield* cyclicalVariant(wildcardToVariant(node.options[0]!.value, ctx, node.min, node.max, node.separator), ctx);
      return;
    }
    const values = node.options.map((o) => o.value);
    const min = Math.min(node.min, n);
    const max = Math.min(node.max, n);
    const samplers = (function* (): Generator<Gen> {
      for (let bound = min; bound <= max; bound++) {
        for (const combo of valueCombinations(bound, values)) {
          yield (function* (): Gen {
            for (const sample of combinationSamples(combo, ctx)) yield joined(sample, node.separator);
          })();
        }
      }
    })();
    for (;;) yield* nextSamplerNextValue(cycle(samplers));
  });
}

function cyclicalWildcard(node: WildcardNode, ctx0: Ctx): Gen {
  return guarded(function* () {
    const path = wildcardPath(node, ctx0);
    const values = ctx0.lib.getValues(path);
    const ctx: Ctx = { ...withVariables(ctx0, node.variables), method: 'cyclical' };
    if (values.length === 0) {
      yield* notFound(node, ctx);
      return;
    }
    const gens: Gen[] = [];
    for (const v of values.weighted()) gens.push(samplePrompts(v, ctx));
    yield* nextSamplerNextValue(gens);
  });
}

// ---- combinatorial sampler ----

/** CommandCollection: one running generator per non-combinatorial command, looked up by equality. */
class CommandCollection {
  private readonly keys: string[];
  private readonly gens: Gen[];
  private readonly values: (string | null)[];
  constructor(commands: TemplateNode[], ctx: Ctx) {
    this.keys = commands.map(nodeKey);
    this.gens = commands.map((c) => gfc(c, ctx));
    this.values = this.gens.map(next);
  }
  get(command: TemplateNode): string | null {
    const i = this.keys.indexOf(nodeKey(command));
    const value = this.values[i]!;
    const r = this.gens[i]!.next();
    this.values[i] = r.done ? null : r.value;
    return value;
  }
}

const effective = (node: TemplateNode, ctx: Ctx): Method => ownMethod(node) ?? ctx.method;

function combinatorialSequence(items: readonly TemplateNode[], ctx0: Ctx): Gen {
  return guarded(function* () {
    const [tokens, ctx] = processAssignments(items, ctx0);
    const collection = new CommandCollection(
      tokens.filter((t) => ownMethod(t) !== 'combinatorial'),
      ctx,
    );
    const sentinel: TemplateNode = { kind: 'variant', options: [], min: 0, max: 0, separator: '', sampler: 'combinatorial', start: 0, end: 0 };
    const augmented = [sentinel, ...tokens, sentinel];
    const getSequence = function* (i: number): Generator<string[]> {
      if (i === augmented.length) {
        yield [];
        return;
      }
      const first = augmented[i]!;
      if (first === sentinel) {
        for (const rest of getSequence(i + 1)) yield ['', ...rest];
        return;
      }
      if (isNonfinite(effective(first, ctx))) {
        for (const rest of getSequence(i + 1)) {
          const value = collection.get(first);
          yield value === null ? rest : [value, ...rest];
        }
      } else {
        for (const value of gfc(first, ctx)) for (const rest of getSequence(i + 1)) yield [value, ...rest];
      }
    };
    for (const arr of getSequence(0)) yield joined(arr, '');
  });
}

function comboToPrompt(combo: readonly TemplateNode[], ctx: Ctx): Generator<string[]> {
  return guardedArrays(() => comboToPromptBody(combo, ctx));
}

function* guardedArrays(body: () => Generator<string[]>): Generator<string[]> {
  try {
    yield* body();
  } catch (error) {
    if (error instanceof StopIter) throw new TemplateError('RuntimeError: generator raised StopIteration');
    throw error;
  }
}

function* comboToPromptBody(combo: readonly TemplateNode[], ctx: Ctx): Generator<string[]> {
  if (combo.length === 0) {
    yield [];
    return;
  }
  const first = combo[0]!;
  const gen = gfc(first, ctx);
  if (isNonfinite(effective(first, ctx))) {
    for (const rest of comboToPrompt(combo.slice(1), ctx)) yield [next(gen), ...rest];
  } else {
    for (const p of gen) for (const rest of comboToPrompt(combo.slice(1), ctx)) yield [p, ...rest];
  }
}

function combinatorialVariant(node0: VariantNode, ctx: Ctx): Gen {
  return guarded(function* () {
    const node = node0;
    const n = node.options.length;
    if (n === 0) return;
    if (n === 1 && node.options[0]!.value.kind === 'wildcard') {
      yield* combinatorialVariant(wildcardToVariant(node.options[0]!.value, ctx, node.min, node.max, node.separator), ctx);
      return;
    }
    const values = node.options.map((o) => o.value);
    const min = Math.min(node.min, n);
    const max = Math.min(node.max, n);
    const seen = new Set<string>();
    let skipped = 0;
    for (let bound = min; bound <= max; bound++) {
      for (const combo of valueCombinations(bound, values)) {
        for (const arr of comboToPrompt(combo, ctx)) {
          const deduped = [...new Set(arr)];
          const key = JSON.stringify(deduped);
          if (deduped.length === bound && !seen.has(key)) {
            seen.add(key);
            skipped = 0;
            yield joined(deduped, node.separator);
          } else if (++skipped > MAX_EMPTY_DRAWS) {
            throw new TemplateError('only repeats left (the library would loop forever)');
          }
        }
      }
    }
  });
}

function combinatorialWildcard(node: WildcardNode, ctx0: Ctx): Gen {
  return guarded(function* () {
    const path = wildcardPath(node, ctx0);
    const ctx = withVariables(ctx0, node.variables);
    const values = ctx.lib.getValues(path);
    if (values.length === 0) {
      yield* notFound(node, ctx);
      return;
    }
    for (const v of values.weighted()) yield* samplePrompts(v, ctx);
  });
}

function combinatorialWrap(wrapper: TemplateNode, inner: TemplateNode, ctx: Ctx): Gen {
  return guarded(function* () {
    for (const w of samplePrompts(wrapper, ctx)) {
      const [prefix, suffix] = wrapperParts(w);
      for (const i of samplePrompts(inner, ctx)) yield prefix + i + suffix;
    }
  });
}

// ---- entry points ----

export type ExpandResult = { ok: true; prompts: string[] } | { ok: false; error: string };

export interface ExpandOptions {
  wildcards?: WildcardLibrary;
}

function describe(error: unknown): string {
  if (error instanceof TemplateError) return error.message;
  if (error instanceof StopIter) return 'StopIteration';
  if (error instanceof RangeError) return `RecursionError: ${error.message}`;
  throw error;
}

/**
 * RandomPromptGenerator(seed=…).generate(template, len(seeds), seeds=seeds): one prompt per seed, the
 * shared random.Random reseeded with each seed before its prompt is drawn.
 */
export function expandRandom(template: string, seeds: readonly (number | bigint)[], options: ExpandOptions = {}): ExpandResult {
  if (seeds.length === 0) return { ok: true, prompts: [] };
  const rand = new PyRandom(seeds[0]!);
  const ctx: Ctx = { method: 'random', lib: options.wildcards ?? new WildcardLibrary(), rand, vars: EMPTY_VARS, sampling: EMPTY_SET };
  try {
    const gen = samplePrompts(template, ctx);
    const prompts: string[] = [];
    for (const seed of seeds) {
      rand.seed(seed);
      prompts.push(next(gen));
    }
    return { ok: true, prompts };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

/**
 * CombinatorialPromptGenerator.generate(template, max): every combination, leftmost part slowest, at most
 * `max` of them (0 or undefined: all; the library's own default is 1000).
 */
export function expandCombinatorial(template: string, max?: number, options: ExpandOptions = {}): ExpandResult {
  const ctx: Ctx = { method: 'combinatorial', lib: options.wildcards ?? new WildcardLibrary(), rand: new PyRandom(0), vars: EMPTY_VARS, sampling: EMPTY_SET };
  try {
    const prompts: string[] = [];
    if (max !== undefined && max > 0) {
      const gen = samplePrompts(template, ctx);
      while (prompts.length < max) {
        const r = gen.next();
        if (r.done) break;
        prompts.push(r.value);
      }
    } else for (const p of samplePrompts(template, ctx)) prompts.push(p);
    return { ok: true, prompts };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}
