// Applies the rules of rules.ts to a parsed document and a profile. Pure: tree + profile -> diagnostics.

import { distance } from 'fastest-levenshtein';
import { findSettingKey, isA1111SamplerName, parseSettingSize, settingKey, samplerNames, settingValueProblem, type SettingKey } from '../a1111/settings';
import { renderedSamplerNames, resolveSamplerAndScheduler } from '../a1111/samplers';
import type { SdDocument } from '../parse/document';
import type { Block, ParseProblem, PromptSection, SettingEntry, TemplateChoice } from '../parse/tree';
import { cardTagIndex, normalizeTag, yearOf, type CardTagInfo, type Profile, type TrainedSize } from '../profiles/profile';
import type { NetworkCatalog } from '../networks/catalog';
import type { WildcardCatalog } from '../template/catalog';
import { checkNetworks } from './networks';
import { checkSchedules } from './schedules';
import { checkTemplate } from './templates';
import { MORE_OF_A_KIND, formatMessage, rules, type Rule, type Severity } from './rules';

/** What a quick fix needs to repair a diagnostic. */
export type FixData =
  | { fix: 'replace'; with: string }
  | { fix: 'remove-tag' };

export interface CheckDiagnostic {
  code: string;
  severity: Severity;
  /** Source offsets, end exclusive. */
  start: number;
  end: number;
  message: string;
  data?: FixData;
  related?: Array<{ start: number; end: number; message: string }>;
}

export type SeverityOverrides = Record<string, Severity | 'off'>;

export interface CheckOptions {
  severity?: SeverityOverrides;
  /** The user's indexed networks and embeddings; without it the checks that need them are skipped. */
  networks?: NetworkCatalog;
  /** The user's wildcards; without it unknown wildcards are not reported (template syntax still is). */
  wildcards?: WildcardCatalog;
  /**
   * The backend that renders previews (`tagsmith.backend`): with `builtin`, samplers it does not render and extra
   * networks it does not apply are reported. Without it (or with `url`, an A1111-compatible server) they are not.
   */
  backend?: 'builtin' | 'url';
  /** At most this many diagnostics of one code per block (default MAX_OF_A_KIND_PER_BLOCK). */
  maxOfAKind?: number;
}

interface Context {
  networks?: NetworkCatalog;
  backend?: 'builtin' | 'url';
  wildcards?: WildcardCatalog;
  doc: SdDocument;
  profile: Profile;
  cards: Map<string, CardTagInfo>;
  out: CheckDiagnostic[];
  facts: FactCache;
  /** Diagnostics of each code reported in the current block, and where the first one left out is (see report). */
  inBlock: Map<string, { count: number; start: number; end: number; severity: Severity }>;
  maxOfAKind: number;
}

/**
 * At most this many diagnostics of one code per block; past it one more says how many were left out. A hand-written
 * block never comes near (a prompt of 200 duplicate tags); a pasted 100,000 '(' made 300,000 diagnostics, 160 bytes
 * of memory per input byte and most of the checks' time, for a list nobody reads.
 */
export const MAX_OF_A_KIND_PER_BLOCK = 200;

/**
 * Blocks longer than this are not analysed by the language server or `tagsmith check` (one diagnostic says so, see
 * blockTooLarge): a block is a prompt, a negative prompt and a settings line, a few KB at most when written by hand
 * (the backend renders at most 40 chunks, ~12 KB of tags), and a block is read in one go: one of 256K characters kept
 * the server from answering anything else for 0.6–0.8 s, one of 64K for 0.1–0.2 s, and `tagsmith check` of one of
 * 50 MB ran out of memory (about 80 bytes per character at its peak).
 */
export const MAX_BLOCK_CHARS = 64 * 1024;

/** The diagnostic of a block over MAX_BLOCK_CHARS, on (the first 200 characters of) its first line. */
export function blockTooLarge(text: string, start: number, end: number): CheckDiagnostic {
  const firstLineEnd = text.indexOf('\n', start);
  const lineEnd = firstLineEnd < 0 || firstLineEnd > end ? end : firstLineEnd;
  return {
    code: rules.blockTooLarge.code,
    severity: rules.blockTooLarge.defaultSeverity,
    start,
    end: start + Math.min(lineEnd - start, 200),
    message: formatMessage(rules.blockTooLarge.message, { size: (end - start).toLocaleString('en-US'), limit: MAX_BLOCK_CHARS.toLocaleString('en-US') }),
  };
}

/** What the checks need of a tag's text for one profile, worked out once per distinct text (see factsOf). */
interface TagFacts {
  /** normalizeTag of the text. */
  name: string;
  /** The card tag it is. */
  card: CardTagInfo | undefined;
  /** Its year, where it has the profile's year form. */
  year: { digits: string } | undefined;
  /** The card tag it most likely misspells (null: none); undefined until asked (only other tags ask). */
  nearMiss?: CardTagInfo | null;
  /** Shared by every text of this name: the duplicate check's mark (see checkTags). */
  mark: NameMark;
}

/** The section a name was last seen in (by checkTags' number for it), and the index of its tag there. */
interface NameMark {
  section: number;
  tag: number;
}

/** The facts of tag texts for one profile, and the marks of their names. */
interface FactCache {
  byText: Map<string, TagFacts>;
  byName: Map<string, NameMark>;
}

// The card index of a profile, built once: the server checks a document block by block.
const cardIndexes = new WeakMap<Profile, Map<string, CardTagInfo>>();
function cardsOf(profile: Profile): Map<string, CardTagInfo> {
  let cards = cardIndexes.get(profile);
  if (!cards) cardIndexes.set(profile, (cards = cardTagIndex(profile)));
  return cards;
}

// The facts of tag texts, per profile and across documents (the server checks block by block, and the same tags recur):
// one map lookup per tag where a name, a card lookup, a year pattern and a near-miss cache were four. Emptied when it
// grows past a bound, so random input cannot grow it without end.
const factCaches = new WeakMap<Profile, FactCache>();
const FACT_CACHE_SIZE = 100_000;
function factCacheOf(profile: Profile): FactCache {
  let cache = factCaches.get(profile);
  if (!cache || cache.byText.size > FACT_CACHE_SIZE) factCaches.set(profile, (cache = { byText: new Map(), byName: new Map() }));
  return cache;
}

/** The facts of the k-th tag of a section: kept on its atom, where it has one (no lookup), else in the cache by its text. */
function factsAt(ctx: Context, section: PromptSection, k: number): TagFacts {
  const atom = section.tagAtom(k);
  if (!atom) return factsOf(ctx, section.tagValue(k));
  if (atom.memoOwner !== ctx.facts) {
    atom.memo = factsOf(ctx, atom.text);
    atom.memoOwner = ctx.facts;
  }
  return atom.memo as TagFacts;
}

/** The facts of a tag's text (its value as parsed). */
function factsOf(ctx: Context, value: string): TagFacts {
  let facts = ctx.facts.byText.get(value);
  if (!facts) {
    const name = normalizeTag(value);
    const card = ctx.cards.get(name);
    let mark = ctx.facts.byName.get(name);
    if (!mark) ctx.facts.byName.set(name, (mark = { section: 0, tag: 0 }));
    facts = { name, card, year: card ? undefined : yearOf(ctx.profile, value), mark };
    ctx.facts.byText.set(value, facts);
  }
  return facts;
}

export function checkDocument(doc: SdDocument, profile: Profile, options: CheckOptions = {}): CheckDiagnostic[] {
  const ctx: Context = { doc, profile, cards: cardsOf(profile), out: [], facts: factCacheOf(profile), inBlock: new Map(), maxOfAKind: options.maxOfAKind ?? MAX_OF_A_KIND_PER_BLOCK, networks: options.networks, wildcards: options.wildcards, backend: options.backend };
  for (const block of doc.blocks) checkBlock(ctx, block);
  ctx.out.sort((a, b) => a.start - b.start || a.end - b.end);
  return applySeverities(ctx.out, options.severity);
}

function applySeverities(diagnostics: CheckDiagnostic[], overrides: SeverityOverrides | undefined): CheckDiagnostic[] {
  if (!overrides) return diagnostics;
  const result: CheckDiagnostic[] = [];
  for (const d of diagnostics) {
    const override = overrides[d.code];
    if (override === 'off') continue;
    result.push(override ? { ...d, severity: override } : d);
  }
  return result;
}

function report(ctx: Context, rule: Rule, start: number, end: number, values: Record<string, string | number>, extra: Partial<CheckDiagnostic> = {}): void {
  const seen = ctx.inBlock.get(rule.code);
  if (!seen) ctx.inBlock.set(rule.code, { count: 1, start: -1, end: -1, severity: rule.defaultSeverity });
  else if (++seen.count > ctx.maxOfAKind) {
    if (seen.start < 0) [seen.start, seen.end] = [start, end];
    return;
  }
  ctx.out.push({ code: rule.code, severity: rule.defaultSeverity, start, end, message: formatMessage(rule.message, values), ...extra });
}

function checkBlock(ctx: Context, block: Block): void {
  ctx.inBlock.clear();
  checkBlockParts(ctx, block);
  // What report left out, said once per code at the first one left out (with its code: severities and 'off' apply).
  for (const [code, seen] of ctx.inBlock) {
    if (seen.count <= ctx.maxOfAKind) continue;
    const values = { count: (seen.count - ctx.maxOfAKind).toLocaleString('en-US'), limit: ctx.maxOfAKind };
    ctx.out.push({ code, severity: seen.severity, start: seen.start, end: seen.end, message: formatMessage(MORE_OF_A_KIND, values) });
  }
}

function checkBlockParts(ctx: Context, block: Block): void {
  for (const section of [block.prompt, block.negative]) {
    if (!section) continue;
    for (const problem of section.problems) reportProblem(ctx, problem);
    checkTags(ctx, section);
    const reporter = (rule: Rule, start: number, end: number, values: Record<string, string | number>, extra?: Partial<CheckDiagnostic>): void => report(ctx, rule, start, end, values, extra);
    checkNetworks(section, section === block.negative, ctx.profile, ctx.networks, reporter);
    checkTemplate(ctx.doc.text, section, ctx.wildcards, reporter);
    checkSchedules(ctx.doc.text, section, blockSteps(block, ctx.profile.recommended.steps), reporter);
    if (ctx.backend === 'builtin' && section === block.prompt) {
      for (const network of section.extraNetworks) {
        report(ctx, rules.builtinNetworkNotApplied, network.node.start, network.node.end, { text: network.node.end - network.node.start <= 80 ? ctx.doc.text.slice(network.node.start, network.node.end) : `<${network.type}:${network.name}>` });
      }
    }
  }
  if (block.prompt && block.negative) checkTagsInBoth(ctx, block.prompt, block.negative);
  if (block.settings) for (const entry of block.settings.entries) checkSetting(ctx, entry);
}

function reportProblem(ctx: Context, problem: ParseProblem): void {
  switch (problem.kind) {
    case 'unclosed-bracket':
      if (problem.inOption) {
        return report(ctx, rules.unclosedBracket, problem.start, problem.end, { bracket: problem.text }, {
          message: `Unclosed '${problem.text}' in this option of the Dynamic Prompts variant: A1111 reads each expansion, where the option ends with it open`,
        });
      }
      return report(ctx, rules.unclosedBracket, problem.start, problem.end, { bracket: problem.text });
    case 'crossed-bracket':
      return report(ctx, rules.crossedBracket, problem.start, problem.end, { bracket: problem.text });
    case 'stray-bracket':
      if (problem.inOption) {
        return report(ctx, rules.strayBracket, problem.start, problem.end, { bracket: problem.text }, {
          message: `'${problem.text}' closes nothing in this option of the Dynamic Prompts variant: A1111 reads each expansion, where brackets pair within the option`,
        });
      }
      return report(ctx, rules.strayBracket, problem.start, problem.end, { bracket: problem.text });
    case 'unclosed-extra-network':
      return report(ctx, rules.unclosedExtraNetwork, problem.start, problem.end, {});
    case 'malformed-weight': {
      const effect = /\d/u.test(problem.text) && /^:\s*[+-]?[.\p{Nd}]+\s*$/u.test(problem.text)
        ? 'A1111 fails on it with a ValueError; Tagsmith reads the group as (x), ×1.1'
        : 'A1111 reads it as text and weights the group ×1.1';
      return report(ctx, rules.malformedWeight, problem.start, problem.end, { text: problem.text, effect });
    }
  }
}

const sectionName = (section: PromptSection): string => (section.kind === 'prompt' ? 'prompt' : 'negative prompt');

/**
 * Whether two tags of a template section can be in one expansion: not when they are in two options of one
 * variant that picks a single option. Otherwise the variant where they part (undefined: they meet).
 */
function apart(a: TemplateChoice | null, b: TemplateChoice | null): TemplateChoice | undefined {
  // Walk the deeper one up to the other's depth, then both up until they are in the same variant.
  let x = a;
  let y = b;
  while (x && y && x.depth > y.depth) x = x.parent;
  while (x && y && y.depth > x.depth) y = y.parent;
  while (x && y && x.variant !== y.variant) {
    x = x.parent;
    y = y.parent;
  }
  // Same variant: apart when it is exclusive and the options differ (b's choice says where b's option starts).
  return x && y && x.variant.exclusive && x.option !== y.option ? y : undefined;
}

/**
 * The index of the first earlier tag named as the tag at `index` that can be in one expansion with it, or -1.
 * Earlier tags in another option of an exclusive variant on its path are skipped a whole option at a time
 * (a binary search past the variant's options before this tag's), so a name repeated in many alternative
 * options costs the depth of the variants, not the number of options.
 */
function firstCompatible(section: PromptSection, earlier: number[], index: number): number {
  const choices = section.template!.choices;
  let k = 0;
  while (k < earlier.length) {
    const other = earlier[k]!;
    const part = apart(choices[other]!, choices[index]!);
    if (!part) return other;
    // Every earlier tag from here to the start of this tag's option of that variant is apart too.
    const until = part.start;
    let lo = k + 1;
    let hi = earlier.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (section.tagStart(earlier[mid]!) < until) lo = mid + 1;
      else hi = mid;
    }
    k = lo;
  }
  return -1;
}

/** How many sections checkTags has read in this process: each one's number for the names' marks. */
let sectionsChecked = 0;

function checkTags(ctx: Context, section: PromptSection): void {
  const { profile } = ctx;
  // The first tag of each name in this section: its name's mark holds this section's number and the tag's index (a map
  // per section, set for every tag, was a tenth of the checks' time).
  const here = ++sectionsChecked;
  // In a template section, tags by name (their indexes, in order): alternative options are not duplicates.
  const byName = section.template ? new Map<string, number[]>() : undefined;
  const meets = meetsIn(section);
  // Card and year tags by their index (no Tag object is made for any tag).
  const byGroup = new Map<string, Array<{ k: number; info: CardTagInfo }>>();
  const years: number[] = [];
  const count = section.tagCount;
  for (let k = 0; k < count; k++) {
    const start = section.tagStart(k);
    const end = section.tagEnd(k);
    const facts = factsAt(ctx, section, k);
    const name = facts.name;
    const weight = section.tagWeight(k);
    if (!(weight >= 0 && weight <= 2)) {
      report(ctx, rules.weightOutOfRange, start, end, { weight: Number(weight.toPrecision(6)) });
    }
    const mark = facts.mark;
    let first = mark.section === here ? mark.tag : -1;
    if (byName) {
      const earlier = byName.get(name);
      first = earlier ? firstCompatible(section, earlier, k) : -1;
      if (earlier) earlier.push(k);
      else byName.set(name, [k]);
    }
    if (first >= 0) {
      report(ctx, rules.duplicateTag, start, end, { tag: section.tagValue(k), section: sectionName(section) }, {
        data: { fix: 'remove-tag' },
        related: [{ start: section.tagStart(first), end: section.tagEnd(first), message: 'First written here' }],
      });
    } else {
      mark.section = here;
      mark.tag = k;
    }
    const info = facts.card;
    if (info) {
      const list = byGroup.get(info.group.kind) ?? [];
      list.push({ k, info });
      byGroup.set(info.group.kind, list);
      continue;
    }
    const year = facts.year;
    if (year && profile.year) {
      const example = `${profile.year.prefix}${profile.year.max}`;
      const value = section.tagValue(k);
      if (year.digits.length !== 4) {
        report(ctx, rules.yearMalformed, start, end, { tag: value, example });
        continue;
      } else {
        const digits = Number(year.digits);
        if (digits < profile.year.min || digits > profile.year.max) {
          report(ctx, rules.yearOutOfRange, start, end, { tag: value, model: profile.name, min: profile.year.min, max: profile.year.max }, {
            data: { fix: 'replace', with: `${profile.year.prefix}${Math.min(profile.year.max, Math.max(profile.year.min, digits))}` },
          });
        }
      }
      years.push(k);
      continue;
    }
    if (facts.nearMiss === undefined) facts.nearMiss = nearMiss(ctx, name) ?? null;
    const suggestion = facts.nearMiss;
    if (suggestion) {
      report(ctx, rules.nearMiss, start, end, { tag: section.tagValue(k), group: suggestion.group.label.toLowerCase(), model: profile.name, suggestion: suggestion.tag }, {
        data: { fix: 'replace', with: suggestion.tag },
      });
    }
  }

  for (const group of profile.tagGroups) {
    const found = byGroup.get(group.kind) ?? [];
    if (group.conflicts) {
      const good = found.filter((f) => f.info.polarity === 'good');
      const bad = found.filter((f) => f.info.polarity === 'bad');
      if (good.length > 0 && bad.length > 0) {
        // In a prompt the bad tag is the one that loses; in a negative prompt, the good one.
        const [losers, winners] = section.kind === 'prompt' ? [bad, good] : [good, bad];
        for (const loser of losers) {
          // In a template section, a winner in another option of the loser's variant never meets it.
          const winner = meets ? winners.slice(0, MEET_SCAN).find((w) => meets(w.k, loser.k)) : winners[0];
          if (!winner) continue;
          const other = section.tagValue(winner.k);
          report(ctx, rules.conflictingTags, section.tagStart(loser.k), section.tagEnd(loser.k), { tag: section.tagValue(loser.k), other, section: sectionName(section) }, {
            data: { fix: 'remove-tag' },
            related: [{ start: section.tagStart(winner.k), end: section.tagEnd(winner.k), message: `'${other}' is here` }],
          });
        }
      }
    }
    if (group.single && section.kind === 'prompt') reportMultiple(ctx, section, found.map((f) => f.k), group.label.toLowerCase(), meets);
  }
  if (section.kind === 'prompt') reportMultiple(ctx, section, years, 'year tag', meets);
}

/** How many candidates a tag of a template section is tried against for a partner it can meet. */
const MEET_SCAN = 32;

/** In a template section: whether two tags (by index) can be in one expansion (see apart). Undefined elsewhere. */
function meetsIn(section: PromptSection): ((a: number, b: number) => boolean) | undefined {
  const choices = section.template?.choices;
  if (!choices) return undefined;
  return (a, b) => !apart(choices[a] ?? null, choices[b] ?? null);
}

/** The tags at indexes `ks` beyond the first of their group: each one after the first name is reported. */
function reportMultiple(ctx: Context, section: PromptSection, ks: number[], group: string, meets?: (a: number, b: number) => boolean): void {
  // The first tag of each name, in order (a set, not a search per tag: tags x tags on a long prompt).
  const names = new Set<string>();
  const distinct = ks.filter((k) => {
    const name = factsAt(ctx, section, k).name;
    if (names.has(name)) return false;
    names.add(name);
    return true;
  });
  for (let j = 1; j < distinct.length; j++) {
    const extra = distinct[j]!;
    // In a template section: the first of another name that can be in one expansion with it.
    const first = meets ? distinct.slice(0, Math.min(j, MEET_SCAN)).find((d) => meets(d, extra)) : distinct[0]!;
    if (first === undefined) continue;
    const tag = section.tagValue(first);
    report(ctx, rules.multipleInGroup, section.tagStart(extra), section.tagEnd(extra), { group, tag, other: section.tagValue(extra) }, {
      related: [{ start: section.tagStart(first), end: section.tagEnd(first), message: `'${tag}' is here` }],
    });
  }
}

/** The card tag `name` most likely misspells: same letters without spaces, or one or two edits away. */
function nearMiss(ctx: Context, name: string): CardTagInfo | undefined {
  let best: CardTagInfo | undefined;
  let bestDistance = Infinity;
  const squashed = name.replace(/[\s-]/g, '');
  for (const [card, info] of ctx.cards) {
    if (Math.abs(card.length - name.length) > 2) continue;
    const d = card.replace(/\s/g, '') === squashed ? 0 : distance(card, name);
    const allowed = card.length <= 8 ? 1 : 2;
    if (d <= allowed && d < bestDistance) {
      best = info;
      bestDistance = d;
    }
  }
  return best;
}

function checkTagsInBoth(ctx: Context, prompt: PromptSection, negative: PromptSection): void {
  // The prompt's card and year tags by name (their indexes), then the negative prompt's tags looked up in it.
  const inPrompt = new Map<string, number>();
  for (let k = 0; k < prompt.tagCount; k++) {
    const facts = factsAt(ctx, prompt, k);
    if (facts.card || facts.year) inPrompt.set(facts.name, k);
  }
  for (let k = 0; k < negative.tagCount; k++) {
    const first = inPrompt.get(factsAt(ctx, negative, k).name);
    if (first === undefined) continue;
    report(ctx, rules.tagInBoth, negative.tagStart(k), negative.tagEnd(k), { tag: negative.tagValue(k) }, {
      data: { fix: 'remove-tag' },
      related: [{ start: prompt.tagStart(first), end: prompt.tagEnd(first), message: 'In the prompt here' }],
    });
  }
}

/** The trained size nearest to width x height (by aspect ratio, then area). */
export function nearestTrainedSize(sizes: TrainedSize[], width: number, height: number): TrainedSize | undefined {
  let best: TrainedSize | undefined;
  let bestScore = Infinity;
  for (const size of sizes) {
    const score = Math.abs(Math.log((size.width / size.height) / (width / height))) * 10 + Math.abs(Math.log((size.width * size.height) / (width * height)));
    if (score < bestScore) {
      best = size;
      bestScore = score;
    }
  }
  return best;
}

function checkSetting(ctx: Context, entry: SettingEntry): void {
  const { profile } = ctx;
  const { valueRange } = entry;
  const known = findSettingKey(entry.key);
  if (!known) {
    report(ctx, rules.unknownSetting, entry.keyRange.start, entry.keyRange.end, { key: entry.key });
    return;
  }
  const value = entry.value.trim();
  const at = (rule: Rule, values: Record<string, string | number>, extra?: Partial<CheckDiagnostic>): void => report(ctx, rule, valueRange.start, valueRange.end, values, extra);
  const sizes = profile.recommended.sizes;
  const sizeText = (s: TrainedSize): string => `${s.width}x${s.height}`;
  switch (known.type) {
    case 'size': {
      const size = parseSettingSize(value);
      if (!size) {
        if (known.key === 'Size') return at(rules.sizeMalformed, { value, example: sizes[0] ? sizeText(sizes[0]) : '1024x1024' });
        return at(rules.settingMalformed, { key: known.key, value, expected: 'WIDTHxHEIGHT' });
      }
      if (settingValueProblem(known, value)) return at(rules.settingOutOfRange, { key: known.key, value, range: `${known.min}–${known.max} a side` });
      const { width, height } = size;
      const nearest = nearestTrainedSize(sizes, width, height);
      const step = known.multipleOf ?? 1;
      if (width % step !== 0 || height % step !== 0) {
        const rounded = `${Math.max(step, Math.round(width / step) * step)}x${Math.max(step, Math.round(height / step) * step)}`;
        at(rules.sizeNotMultipleOf8, { value, suggestion: rounded }, { data: { fix: 'replace', with: nearest ? sizeText(nearest) : rounded } });
      } else if (known.key === 'Size' && !sizes.some((s) => s.width === width && s.height === height) && sizes.length > 0) {
        at(rules.sizeNotTrained, { value, model: profile.name, sizes: sizes.map(sizeText).join(', ') }, { data: nearest ? { fix: 'replace', with: sizeText(nearest) } : undefined });
      }
      return;
    }
    case 'sampler':
      return checkSampler(ctx, known, entry, value);
  }
  const problem = settingValueProblem(known, value);
  if (!problem) {
    if (ctx.backend === 'builtin' && known.builtin && !known.builtin.includes(value)) at(rules.builtinSettingUnavailable, { key: known.key, value, available: known.builtin.join(', ') });
    return;
  }
  if (known.key === 'Steps') return at(rules.stepsOutOfRange, { value, min: known.min!, max: known.max! });
  if (known.key === 'CFG scale') return at(rules.cfgOutOfRange, { value, min: known.min!, max: known.max! });
  if (problem.kind === 'malformed') return at(rules.settingMalformed, { key: known.key, value, expected: problem.expected });
  at(rules.settingOutOfRange, { key: known.key, value, range: problem.range });
}

function checkSampler(ctx: Context, known: SettingKey, entry: SettingEntry, value: string): void {
  const { valueRange } = entry;
  if (value === known.default) return; // "Use same sampler" of the hires pass
  if (!isA1111SamplerName(value)) {
    const lower = value.toLowerCase();
    const close = samplerNames.find((s) => s.toLowerCase() === lower) ?? samplerNames.find((s) => distance(s.toLowerCase(), lower) <= 2);
    report(ctx, rules.unknownSampler, valueRange.start, valueRange.end, { value, suggestion: close ? `: did you mean '${close}'?` : '' }, {
      data: close ? { fix: 'replace', with: close } : undefined,
    });
    return;
  }
  if (ctx.backend !== 'builtin') return;
  const resolved = resolveSamplerAndScheduler(value);
  if (resolved?.sampler.rendered) return;
  const reason = resolved?.sampler.notRendered ?? 'it is not one of A1111 1.10\'s own samplers';
  report(ctx, rules.builtinSamplerUnavailable, valueRange.start, valueRange.end, { value, reason, names: renderedSamplerNames().join(', ') });
}

/** The steps A1111 expands a block's schedule with: its `Steps:`, else `fallback` (the profile's recommendation). */
export function blockSteps(block: Block, fallback: number): number {
  const entry = block.settings?.entries.find((e) => findSettingKey(e.key) === settingKey('Steps'));
  const steps = entry && /^\s*\d+\s*$/.test(entry.value) ? Number(entry.value) : fallback;
  return steps >= 1 && steps <= 100_000 ? steps : fallback;
}
