// Hover: what the card says about a tag, the effective weight of the hovered text and how it was
// computed, the dictionary's entry, the chunk a tag or BREAK falls in, A1111's schedule of an edit or
// alternation, a Dynamic Prompts variant's expansions, a wildcard's options, and what a settings key does.
// Results in document offsets, as markdown.

import { findSettingKey, settingKey, settingKeyDoc } from '../a1111/settings';
import { applyStyles, styleNames } from '../a1111/styles';
import { lookupAll } from '../dictionary/dictionary';
import { isBranch, walk, type Block, type PromptSection, type SyntaxNode } from '../parse/tree';
import { cardTagIndex, normalizeTag, yearOf } from '../profiles/profile';
import { multicondPromptList, promptSchedules } from '../schedule';
import { expandCombinatorial, expandRandom } from '../template/expand';
import type { TemplateNode } from '../template/parse';
import type { Analysis, ServiceContext } from './analysis';
import { cardTagDoc, dictionaryDoc, networkDoc, styleDoc } from './docs';
import { placeAt } from './locate';
import { CHUNK_LENGTH, type PromptTokens } from './tokens';
import { wildcardHover } from './wildcards';

/** A hover: the range of the text it is about, in offsets, and its markdown. */
export interface PromptHover {
  start: number;
  end: number;
  markdown: string;
}

/** The hover at `offset`, or undefined where there is nothing to say (a comment, a blank, plain text). */
export function hover(analysis: Analysis, offset: number, ctx: ServiceContext): PromptHover | undefined {
  const { doc } = analysis;
  const place = placeAt(doc, offset);
  const answer = (start: number, end: number, parts: string[]): PromptHover => ({ start, end, markdown: parts.filter((p) => p !== '').join('\n\n---\n\n') });

  const wildcard = place.section ? wildcardHover(analysis, offset, ctx) : undefined;
  if (wildcard) return wildcard;

  if (place.settings) {
    const entry = place.settings.entries.find((e) => e.node.start <= offset && offset < e.node.end);
    if (!entry) return undefined;
    const key = findSettingKey(entry.key);
    if (!key) return answer(entry.keyRange.start, entry.keyRange.end, [`**${entry.key}**: not a setting A1111 writes; kept as it is.`]);
    const rec = ctx.profile.recommended;
    const advice: Record<string, string> = {
      steps: `${rec.steps}`,
      sampler: rec.sampler,
      cfgScale: `${rec.cfgScale}`,
      size: rec.sizes.map((s) => `${s.width}x${s.height} (${s.label})`).join(', '),
    };
    const recommended = key.recommended ? `The ${ctx.profile.name} card recommends: ${advice[key.recommended]}.` : '';
    const styles = key.key === 'Styles' && place.block ? stylesHover(styleNames(entry.value), place.block, doc.text, ctx) : [];
    return answer(entry.keyRange.start, entry.valueRange.end, [`**${key.key}** — ${settingKeyDoc(key)}`, recommended, ...styles]);
  }
  const section = place.section;
  if (!section) return undefined;

  const brk = section.breaks.find((b) => b.start <= offset && offset <= b.end);
  if (brk) {
    const tokens = analysis.tokens(section);
    // A Dynamic Prompts section is counted over its expansions, whose chunks have no place in the source.
    if (tokens.chunks.length === 0) return answer(brk.start, brk.end, ['**BREAK** ends the 75-token chunk it is in and starts the next one, in each expansion of the template.']);
    const chunk = tokens.chunks.findIndex((c) => c.start > brk.start);
    const ended = chunk > 0 ? chunk : tokens.chunks.length - 1;
    return answer(brk.start, brk.end, [
      `**BREAK** ends chunk ${ended} (${tokens.chunks[ended - 1]?.tokens ?? 0}/${CHUNK_LENGTH} tokens used) and starts chunk ${ended + 1}; the rest of chunk ${ended} is padding.${estimateNote(tokens)}`,
    ]);
  }

  const network = section.extraNetworks.find((n) => n.node.start <= offset && offset <= n.node.end);
  if (network) {
    const weight = network.args[0] ?? '1';
    const known = ctx.loraNames.includes(network.name) ? '' : ctx.loraNames.length > 0 ? '\n\nNot found in the LoRA folders.' : '';
    const parts = [`**${network.type}** \`${network.name}\`, weight ${weight}. A1111 removes it from the prompt text before tokenizing.${known}`];
    const entry = network.type === 'lora' || network.type === 'lyco' ? ctx.networks?.lora(network.name) : undefined;
    if (entry) parts.push(networkDoc(entry, ctx, true));
    return answer(network.node.start, network.node.end, parts);
  }

  const variant = variantHover(analysis, section, offset, ctx);
  if (variant) return answer(variant.start, variant.end, [variant.doc]);

  const scheduled = scheduleGroup(section, offset);
  const schedule = scheduled ? scheduleDoc(analysis, section, ctx) : '';
  const tag = section.tags.find((t) => t.start <= offset && offset <= t.end);
  if (!tag && scheduled) return answer(scheduled.start, scheduled.end, [schedule]);
  if (!tag) {
    const group = innermostGroup(section, offset);
    if (!group) return undefined;
    const inside = section.tags.find((t) => t.start >= group.start && t.end <= group.end);
    return inside ? answer(group.start, group.end, [weightDoc(inside.weight, inside.multipliers)]) : undefined;
  }
  const parts: string[] = [];
  const embedding = ctx.networks?.embedding(tag.value.trim().replace(/^embedding:/i, '').replace(/\.(safetensors|pt|bin)$/i, ''));
  if (embedding) parts.push(networkDoc(embedding, ctx, true));
  const key = normalizeTag(tag.value);
  const card = cardTagIndex(ctx.profile).get(key);
  if (card) parts.push(cardTagDoc(ctx.profile, card));
  else if (yearOf(ctx.profile, tag.value) && ctx.profile.year) {
    parts.push(`**${tag.value}** — year tag of ${ctx.profile.name} (${ctx.profile.year.min}–${ctx.profile.year.max}). ${ctx.profile.year.doc ?? ''}`);
  }
  const entry = lookupAll(ctx.dictionaries, tag.value);
  if (entry) parts.push(dictionaryDoc(entry, 'Written as the alias'));
  parts.push(weightDoc(tag.weight, tag.multipliers));
  if (schedule) parts.push(schedule);
  const tokens = analysis.tokens(section);
  const chunk = tokens.chunks.findIndex((c) => c.start <= tag.start && tag.start <= c.end);
  if (chunk >= 0) {
    const straddles = tokens.straddling.some((s) => s.tag === tag);
    parts.push(`In chunk ${chunk + 1} of ${tokens.chunks.length} (${tokens.chunks[chunk]!.tokens}/${CHUNK_LENGTH} tokens used)${straddles ? '; its tokens run into the next chunk' : ''}.${estimateNote(tokens)}`);
  }
  return answer(tag.start, tag.end, parts);
}

/** `((x))` → "Effective weight **1.21** = 1.1 × 1.1", multiplied as A1111 does, innermost first. */
export function weightDoc(weight: number, multipliers: readonly number[]): string {
  const shown = formatWeight(weight);
  if (multipliers.length === 0) return `Effective weight **${shown}** (no brackets).`;
  if (multipliers.length === 1 && formatWeight(multipliers[0]!) === shown) return `Effective weight **${shown}**.`;
  return `Effective weight **${shown}** = ${multipliers.map(formatWeight).join(' × ')}.`;
}

export function formatWeight(w: number): string {
  return String(Number(w.toFixed(4)));
}

function estimateNote(tokens: PromptTokens): string {
  return tokens.estimated ? ' Token counts are estimates (no CLIP tokenizer configured).' : '';
}

/** The innermost prompt-editing or alternation group around `offset`. */
function scheduleGroup(section: PromptSection, offset: number): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  walk(section.node, (node) => {
    if (isBranch(node) && (node.kind === 'editing' || node.kind === 'alternation') && node.start <= offset && offset < node.end) found = node;
  });
  return found;
}

/** Which text A1111 conditions on at which steps (each AND part), with A1111's token count of each. */
function scheduleDoc(analysis: Analysis, section: PromptSection, ctx: ServiceContext): string {
  const steps = analysis.stepsOf(section);
  // A1111 schedules the prompt with its extra networks removed.
  let text = analysis.text.slice(section.contentStart, section.contentEnd);
  for (const network of [...section.extraNetworks].reverse()) {
    text = text.slice(0, network.node.start - section.contentStart) + text.slice(network.node.end - section.contentStart);
  }
  const parts = section.kind === 'prompt' ? multicondPromptList(text) : [{ text, weight: 1 }];
  const lines = [`**Schedule** over ${steps} steps (the block's Steps, else the profile's), as A1111 conditions on it:`];
  const MAX_LINES = 12;
  let shown = 0;
  for (const [p, part] of parts.entries()) {
    if (parts.length > 1) lines.push(`AND part ${p + 1}, weight ${part.weight}:`);
    let from = 1;
    for (const [end, partText] of promptSchedules(part.text, steps)) {
      if (shown++ < MAX_LINES) {
        const n = ctx.countTokens?.(partText);
        const count = n === undefined ? '' : ` — ${n} token${n === 1 ? '' : 's'}`;
        lines.push(`- steps ${from === end ? from : `${from}–${end}`}: \`${partText.trim().replace(/`/g, "'") || ' '}\`${count}`);
      }
      from = end + 1;
    }
  }
  if (shown > MAX_LINES) lines.push(`- … ${shown - MAX_LINES} more`);
  return lines.join('\n');
}

function innermostGroup(section: PromptSection, offset: number): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  walk(section.node, (node) => {
    if (isBranch(node) && (node.kind === 'emphasis' || node.kind === 'deemphasis') && node.start <= offset && offset < node.end) found = node;
  });
  return found;
}

/** What each style adds, and the token counts of the prompts with them applied. */
function stylesHover(names: string[], block: Block, text: string, ctx: ServiceContext): string[] {
  const parts: string[] = [];
  for (const name of names) {
    const style = ctx.styles?.get(name);
    parts.push(style ? styleDoc(style) : `**${name}**: not in your styles.csv${ctx.styles && ctx.styles.size > 0 ? '' : ' (set tagsmith.webuiFolder to read it)'}; A1111 adds nothing for it.`);
  }
  if (ctx.styles && ctx.countTokens && names.some((n) => ctx.styles!.has(n))) {
    const sectionText = (section: PromptSection | undefined): string => (section ? text.slice(section.contentStart, section.contentEnd) : '');
    const prompt = applyStyles(sectionText(block.prompt), names, ctx.styles);
    const negative = applyStyles(sectionText(block.negative), names, ctx.styles, true);
    parts.push(`With the styles: prompt ${ctx.countTokens(prompt)} tokens, negative prompt ${ctx.countTokens(negative)} tokens (A1111's count).`);
  }
  return parts;
}

/** Combinations counted exactly up to this many; token counts over all of them up to EXACT_COUNTS. */
const MAX_COMBINATIONS = 10_000;
const EXACT_COUNTS = 200;

/**
 * On a Dynamic Prompts variant: how many prompts the whole template makes, three expansions for the block's
 * seed and the next two (as the extension draws them for seed, seed+1, …), and the range of their token counts.
 */
function variantHover(analysis: Analysis, section: PromptSection, offset: number, ctx: ServiceContext): { start: number; end: number; doc: string } | undefined {
  const base = section.contentStart;
  const source = analysis.text.slice(base, section.contentEnd);
  // The parser keeps the tree of a section whose template parses (core/parse/template.ts).
  if (!source.includes('{') || !section.template) return undefined;
  let found: { start: number; end: number } | undefined;
  const stack: TemplateNode[] = [section.template.node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'variant' && node.start <= offset - base && offset - base < node.end) found = node;
    // Not push(...items): a sequence of 100,000+ items overflows the call stack.
    if (node.kind === 'sequence') for (const item of node.items) stack.push(item);
    else if (node.kind === 'variant') for (const o of node.options) stack.push(o.value);
    else if (node.kind === 'wrap') stack.push(node.wrapper, node.inner);
  }
  if (!found) return undefined;
  const options = { wildcards: ctx.wildcards?.library };
  const all = expandCombinatorial(source, MAX_COMBINATIONS + 1, options);
  const lines = ['**Dynamic Prompts variant**'];
  if (all.ok) lines.push(all.prompts.length > MAX_COMBINATIONS ? `The prompt makes over ${MAX_COMBINATIONS.toLocaleString('en-US')} combinations.` : `The prompt makes ${all.prompts.length} combination${all.prompts.length === 1 ? '' : 's'}.`);
  const block = analysis.doc.blocks.find((b) => b.prompt === section || b.negative === section);
  const seedEntry = block?.settings?.entries.find((e) => findSettingKey(e.key) === settingKey('Seed'));
  const seed = seedEntry && /^\s*\d+\s*$/.test(seedEntry.value) ? BigInt(seedEntry.value.trim()) : undefined;
  if (seed !== undefined) {
    const samples = expandRandom(source, [seed, seed + 1n, seed + 2n], options);
    if (samples.ok) lines.push(`For seeds ${seed}, ${seed + 1n} and ${seed + 2n}:\n${samples.prompts.map((p) => `- \`${p.replace(/`/g, "'")}\``).join('\n')}`);
    else lines.push(`Dynamic Prompts fails on it: ${samples.error}`);
  } else {
    lines.push('Give the block a `Seed:` to see the prompts the extension would draw for it.');
  }
  if (all.ok && ctx.countTokens && all.prompts.length > 0) {
    const exact = all.prompts.length <= EXACT_COUNTS;
    const counted = exact ? all.prompts : expandRandom(source, Array.from({ length: EXACT_COUNTS }, (_, i) => i), options);
    const prompts = Array.isArray(counted) ? counted : counted.ok ? counted.prompts : [];
    let min = Infinity;
    let max = -Infinity;
    for (const p of prompts) {
      const n = ctx.countTokens(p);
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    if (prompts.length > 0) lines.push(`Token count ${min === max ? min : `${min}–${max}`}${exact ? ' over every combination' : ` over ${EXACT_COUNTS} sampled prompts (an estimate of the range)`}.`);
  }
  return { start: base + found.start, end: base + found.end, doc: lines.join('\n\n') };
}
