// Quick fixes for the diagnostics (replace a misspelt card tag, a year, a size or a sampler; remove a
// duplicate or the losing tag of a conflicting pair; BREAK before a straddling tag) and refactorings at
// the cursor (Apply styles, negative presets, the quality suffix, `((x))` ⇄ `(x:1.21)`, escaping a tag's
// brackets). Results in document offsets.

import { findSettingKey, settingKey } from '../a1111/settings';
import { applyStyles, styleNames } from '../a1111/styles';
import type { CheckDiagnostic } from '../checks';
import type { OffsetEdit } from '../format';
import { weightValue } from '../parse';
import { isBranch, type Block, type Branch, type PromptSection, type SyntaxNode } from '../parse/tree';
import { normalizeTag } from '../profiles/profile';
import type { Analysis, ServiceContext } from './analysis';
import { diagnose } from './diagnostics';
import { formatWeight } from './hover';
import { placeAt } from './locate';

/** What an action is, as LSP's CodeActionKind values name it. */
export type PromptCodeActionKind = 'quickfix' | 'refactor.rewrite' | 'refactor.inline';

export interface PromptCodeAction {
  title: string;
  kind: PromptCodeActionKind;
  isPreferred?: boolean;
  /** The diagnostic a quick fix fixes. */
  diagnostic?: CheckDiagnostic;
  /** Edits of the document, in offsets, not overlapping. */
  edits: OffsetEdit[];
}

/** The actions for the range [start, end]: fixes of the diagnostics that touch it, then refactorings at `start`. */
export function codeActions(analysis: Analysis, start: number, end: number, ctx: ServiceContext): PromptCodeAction[] {
  const { doc } = analysis;
  const actions: PromptCodeAction[] = [];

  // Fixes come from the diagnostics recomputed here, so they never depend on what a client echoes back.
  for (const diagnostic of diagnose(analysis, ctx)) {
    const { start: dStart, end: dEnd } = diagnostic;
    if (dEnd < start || dStart > end) continue;
    const data = diagnostic.data;
    const fix = (title: string, edits: OffsetEdit[]): void => {
      actions.push({ title, kind: 'quickfix', diagnostic, isPreferred: true, edits });
    };
    const text = doc.text.slice(dStart, dEnd);
    if (data?.fix === 'replace') {
      fix(replaceTitle(diagnostic.code, text, data.with), [replace(dStart, dEnd, data.with)]);
    } else if (data?.fix === 'remove-tag') {
      const [from, to] = tagWithSeparator(doc.text, dStart, dEnd);
      fix(`Remove '${text}'`, [replace(from, to, '')]);
    } else if (diagnostic.code === 'chunk-straddle') {
      fix(`Insert BREAK before '${text}'`, [replace(dStart, dStart, 'BREAK ')]);
    }
  }

  const place = placeAt(doc, start);
  if (place.block) {
    const styles = stylesAction(doc.text, place.block, ctx);
    if (styles) actions.push({ title: styles.title, kind: 'refactor.inline', edits: styles.edits });
    actions.push(...presetActions(analysis, place.block, ctx));
    const suffix = suffixAction(analysis, place.block, ctx);
    if (suffix && place.kind === 'prompt') actions.push(suffix);
  }
  if (place.section) {
    const rewrite = bracketRewrite(doc.text, place.section, start);
    if (rewrite) actions.push({ title: rewrite.title, kind: 'refactor.rewrite', edits: [replace(rewrite.start, rewrite.end, rewrite.text)] });
    const escape = escapeBrackets(doc.text, place.section, start);
    if (escape) actions.push({ title: escape.title, kind: 'quickfix', edits: [replace(escape.start, escape.end, escape.text)] });
  }
  return actions;
}

const insert = (at: number, newText: string): OffsetEdit => ({ start: at, end: at, newText });
const replace = (from: number, to: number, newText: string): OffsetEdit => ({ start: from, end: to, newText });

function replaceTitle(code: string, from: string, to: string): string {
  if (code.startsWith('size')) return `Use the trained size ${to}`;
  return `Replace '${from}' with '${to}'`;
}

/** A tag's range widened to take one neighbouring comma and its spaces, so no `, ,` is left behind. */
export function tagWithSeparator(text: string, start: number, end: number): [number, number] {
  let to = end;
  while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
  if (text[to] === ',') {
    to++;
    while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
    return [start, to];
  }
  let from = start;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  if (text[from - 1] === ',') return [from - 1, end];
  return [start, end];
}

function presetActions(analysis: Analysis, block: Block, ctx: ServiceContext): PromptCodeAction[] {
  const text = analysis.text;
  const actions: PromptCodeAction[] = [];
  for (const preset of ctx.profile.negativePresets) {
    const title = `Insert the ${preset.label.toLowerCase()} negative preset`;
    const negative = block.negative;
    if (negative) {
      const content = text.slice(negative.contentStart, negative.contentEnd);
      if (normalizeTag(content).includes(normalizeTag(preset.text))) continue;
      const at = negative.contentStart + content.trimEnd().length;
      const lead = content.trim() === '' ? (content.startsWith(' ') ? '' : ' ') : content.trimEnd().endsWith(',') ? ' ' : ', ';
      actions.push({ title, kind: 'refactor.rewrite', edits: [insert(at, `${lead}${preset.text}`)] });
    } else {
      // A new `Negative prompt:` line after the prompt, before the settings line.
      const at = block.prompt ? block.prompt.contentEnd : block.node.start;
      const newline = text.includes('\r\n') ? '\r\n' : '\n';
      actions.push({ title: `${title} (adds a Negative prompt: line)`, kind: 'refactor.rewrite', edits: [insert(at, `${newline}Negative prompt: ${preset.text}`)] });
    }
  }
  return actions;
}

function suffixAction(analysis: Analysis, block: Block, ctx: ServiceContext): PromptCodeAction | undefined {
  const prompt = block.prompt;
  if (!prompt) return undefined;
  const suffixTags = ctx.profile.qualitySuffix.split(',').map(normalizeTag).filter((t) => t !== '');
  const present = new Set(prompt.tags.map((t) => normalizeTag(t.value)));
  const missing = suffixTags.filter((t) => !present.has(t));
  if (missing.length === 0) return undefined;
  const content = analysis.text.slice(prompt.contentStart, prompt.contentEnd);
  const at = prompt.contentStart + content.trimEnd().length;
  const lead = content.trim() === '' ? '' : content.trimEnd().endsWith(',') ? ' ' : ', ';
  return { title: 'Append the quality suffix', kind: 'refactor.rewrite', edits: [insert(at, `${lead}${missing.join(', ')}`)] };
}

interface Rewrite {
  title: string;
  start: number;
  end: number;
  text: string;
}

/** `((x))` → `(x:1.21)`, and a weight that is a power of 1.1 back to nested brackets. */
export function bracketRewrite(text: string, section: PromptSection, offset: number): Rewrite | undefined {
  const chain = groupChainAt(section.node, offset);
  if (chain.length === 0) return undefined;
  // The outermost run of directly nested groups of one kind around the cursor, none weighted but maybe the innermost.
  const innermost = chain[chain.length - 1]!;
  let top = chain.length - 1;
  while (top > 0) {
    const outer = chain[top - 1]!;
    const inner = chain[top]!;
    if (outer.kind !== inner.kind || weightOf(outer) || onlyChild(outer) !== inner) break;
    top--;
  }
  const outer = chain[top]!;
  const nested = chain.slice(top);
  const weight = weightOf(innermost);
  const body = (g: Branch): string => {
    const open = g.children[0]!;
    const close = g.children[g.children.length - 1]!;
    const w = weightOf(g);
    const bodyEnd = w ? w.start : close.kind === 'close-paren' || close.kind === 'close-square' ? close.start : g.end;
    return text.slice(open.end, bodyEnd);
  };
  if (!weight && nested.every((g) => !weightOf(g) && closed(g))) {
    const factor = outer.kind === 'emphasis' ? 1.1 : 1 / 1.1;
    const value = formatWeight(factor ** nested.length);
    return { title: `Write as (…:${value})`, start: outer.start, end: outer.end, text: `(${body(innermost)}:${value})` };
  }
  if (weight && innermost.kind === 'emphasis' && nested.length === 1 && closed(innermost)) {
    // The weight as A1111 reads it (Python's float()), as the tree's weights are.
    const value = weightValue(text, weight);
    for (let n = 1; value !== undefined && n <= 4; n++) {
      if (Math.abs(value - 1.1 ** n) < 0.0005) return { title: `Write as ${'('.repeat(n)}…${')'.repeat(n)}`, start: innermost.start, end: innermost.end, text: `${'('.repeat(n)}${body(innermost)}${')'.repeat(n)}` };
      if (Math.abs(value - 1 / 1.1 ** n) < 0.0005) return { title: `Write as ${'['.repeat(n)}…${']'.repeat(n)}`, start: innermost.start, end: innermost.end, text: `${'['.repeat(n)}${body(innermost)}${']'.repeat(n)}` };
    }
  }
  return undefined;
}

/** `fate (series)`: a bracket group right after a tag, unweighted, that is part of the tag's name. */
export function escapeBrackets(text: string, section: PromptSection, offset: number): Rewrite | undefined {
  const chain = groupChainAt(section.node, offset);
  const group = chain[chain.length - 1];
  if (!group || group.kind !== 'emphasis' || weightOf(group) || !closed(group)) return undefined;
  let k = group.start;
  while (k > section.contentStart && (text[k - 1] === ' ' || text[k - 1] === '\t')) k--;
  if (!/[\p{L}\p{N}_]/u.test(text[k - 1] ?? '')) return undefined;
  const inner = text.slice(group.start + 1, group.end - 1);
  if (/[()[\]]/.test(inner)) return undefined;
  return { title: `Escape the brackets: \\(${inner}\\)`, start: group.start, end: group.end, text: `\\(${inner}\\)` };
}

function groupChainAt(root: Branch, offset: number): Branch[] {
  const chain: Branch[] = [];
  let node: SyntaxNode | undefined = root;
  while (node && isBranch(node)) {
    if (node.kind === 'emphasis' || node.kind === 'deemphasis') chain.push(node);
    node = node.children.find((c) => isBranch(c) && c.start <= offset && offset <= c.end && c.kind !== 'tag');
  }
  return chain;
}

function weightOf(group: Branch): SyntaxNode | undefined {
  return group.children.find((c) => c.kind === 'weight');
}

function closed(group: Branch): boolean {
  const last = group.children[group.children.length - 1];
  return last?.kind === 'close-paren' || last?.kind === 'close-square';
}

function onlyChild(group: Branch): SyntaxNode | undefined {
  const inner = group.children.filter((c) => !['open-paren', 'close-paren', 'open-square', 'close-square', 'whitespace'].includes(c.kind));
  return inner.length === 1 ? inner[0] : undefined;
}

/**
 * "Apply styles": the block's `Styles:` written into its prompt and negative prompt as A1111 applies them
 * (apply_styles_to_prompt), and the entry removed, so the block renders the same anywhere.
 */
function stylesAction(text: string, block: Block, ctx: ServiceContext): { title: string; edits: OffsetEdit[] } | undefined {
  const entries = block.settings?.entries ?? [];
  const index = entries.findIndex((e) => findSettingKey(e.key) === settingKey('Styles'));
  if (index < 0 || !block.prompt || !ctx.styles) return undefined;
  const names = styleNames(entries[index]!.value).filter((n) => ctx.styles!.has(n));
  if (names.length === 0) return undefined;
  // The styled text in place of the section's, keeping the spaces around it (after `Negative prompt:`).
  const restyle = (section: PromptSection, negative: boolean): OffsetEdit => {
    const content = text.slice(section.contentStart, section.contentEnd);
    const [lead] = /^\s*/.exec(content)!;
    const [trail] = /\s*$/.exec(content.slice(lead.length))!;
    return replace(section.contentStart, section.contentEnd, `${lead}${applyStyles(content, names, ctx.styles!, negative)}${trail}`);
  };
  const edits: OffsetEdit[] = [restyle(block.prompt, false)];
  if (block.negative) {
    edits.push(restyle(block.negative, true));
  } else {
    const negative = applyStyles('', names, ctx.styles, true);
    if (negative !== '') edits.push(replace(block.prompt.contentEnd, block.prompt.contentEnd, `\nNegative prompt: ${negative}`));
  }
  // The entry and one separator: the one after it when it is first, else the one before it.
  const entry = entries[index]!.node;
  const [from, to] = index === 0
    ? [entry.start, entries[1] ? entries[1].node.start : entry.end]
    : [entries[index - 1]!.node.end, entry.end];
  edits.push(replace(from, to, ''));
  return { title: `Apply styles ${names.map((n) => `'${n}'`).join(', ')} to this block`, edits };
}
