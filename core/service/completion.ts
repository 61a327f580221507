// Completion, by where the cursor is: card tags, presets and the quality suffix, dictionary tags, embeddings,
// trigger words and workspace tags in a prompt; keys, samplers, sizes and styles in the settings line; network
// types and LoRA names inside `<lora:`; wildcards after `__`. Results in document offsets; the documentation of
// dictionary and LoRA items comes on resolve.

import { findSettingKey, samplerNames, settingKeyDoc, settingKeys } from '../a1111/settings';
import { SCHEDULE_TYPES } from '../a1111/samplers';
import { styleNames } from '../a1111/styles';
import { categoryName } from '../dictionary/categories';
import { displayTagName, lookupAll, searchAll, tagInsertText, type TagMatch } from '../dictionary/dictionary';
import { entryTriggerWords, preferredWeight } from '../networks';
import type { ExtraNetwork } from '../parse/tree';
import { normalizeTag, yearTags } from '../profiles/profile';
import type { Analysis, ServiceContext } from './analysis';
import { cardTagDoc, cardTagEntries, dictionaryDoc, networkDetail, networkDoc, styleDoc, type CardTagEntry } from './docs';
import { onCommentLine, placeAt } from './locate';
import { completeWildcard } from './wildcardCompletion';

/** What an item is: the language server maps each to a CompletionItemKind. */
export type CompletionKind =
  /** A tag of the profile's card, or a year tag. */
  | 'cardTag'
  /** A dictionary tag. */
  | 'tag'
  /** A tag used in the workspace's prompt files. */
  | 'workspaceTag'
  /** Several tags or a whole line at once: the quality suffix, a negative preset, a settings line, trigger words. */
  | 'snippet'
  | 'embedding'
  /** A settings key. */
  | 'setting'
  /** A value of a settings key from a closed set (a sampler, a trained size). */
  | 'choice'
  /** A recommended value of a settings key (steps, CFG scale, the model). */
  | 'value'
  | 'style'
  /** `lora` or `hypernet` after `<`. */
  | 'networkType'
  /** A LoRA name inside `<lora:`. */
  | 'network'
  | 'wildcard';

/** Text replacing [start, end) of the document. */
export interface CompletionEdit {
  start: number;
  end: number;
  newText: string;
}

export interface PromptCompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  sortText?: string;
  filterText?: string;
  edit: CompletionEdit;
  /** Whether `edit.newText` is a snippet (`${1:…}` tab stops, `${1|a,b|}` choices); absent: plain text. */
  snippet?: boolean;
  additionalEdits?: CompletionEdit[];
  /** A command the editor runs after inserting (only VS Code's own, and only when the client runs them). */
  command?: { title: string; command: string; arguments?: unknown[] };
  /** What resolveCompletion reads to fill in the documentation; pass it back as it came. */
  data?: CompletionData;
}

export interface PromptCompletionList {
  /** More items exist than were given: the editor asks again as the user types. */
  isIncomplete: boolean;
  items: PromptCompletionItem[];
}

/** What an item's documentation is made from on resolve. */
export interface CompletionData {
  /** A dictionary tag, and the alias the user typed. */
  tag?: string;
  alias?: string;
  /** A LoRA name. */
  lora?: string;
}

/** Dictionary results per request; the list is marked incomplete so the editor asks again as you type. */
const DICTIONARY_LIMIT = 50;
/** LoRA names per request; more make the list incomplete, so the editor asks again as you type. */
const NETWORK_LIMIT = 200;
const WORKSPACE_LIMIT = 20;

/** Whether `text` holds the characters of `typed` in order. */
function holdsInOrder(text: string, typed: string): boolean {
  let at = 0;
  for (const c of typed) {
    at = text.indexOf(c, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

/** The completion items at `offset`. */
export function complete(analysis: Analysis, offset: number, ctx: ServiceContext): PromptCompletionList {
  const { doc } = analysis;
  const empty: PromptCompletionList = { isIncomplete: false, items: [] };
  if (onCommentLine(doc, offset)) return empty;
  const lineStart = doc.lines.lineStarts[doc.lines.lineAt(offset)]!;
  const before = doc.text.slice(lineStart, offset);

  const network = /<(\w*)(?::([^:>]*))?$/.exec(before);
  if (network) return completeExtraNetwork(analysis, offset, network, ctx);
  const wildcard = completeWildcard(analysis, offset, before, ctx);
  if (wildcard) return wildcard;

  const place = placeAt(doc, offset);
  if (place.kind === 'settings') return completeSettings(analysis, offset, before, ctx);
  if (place.kind === 'none') return empty;
  return completePrompt(analysis, offset, place.kind, ctx);
}

type ItemWithoutEdit = Omit<PromptCompletionItem, 'edit'> & { newText?: string };

function completePrompt(analysis: Analysis, offset: number, kind: 'prompt' | 'negative', ctx: ServiceContext): PromptCompletionList {
  const { doc } = analysis;
  const start = tagStart(doc.text, offset);
  const typed = doc.text.slice(start, offset);
  const prefix = normalizeTag(typed.replace(/\\(.)/g, '$1'));
  const edit = (newText: string): CompletionEdit => ({ start, end: offset, newText });
  const place = placeAt(doc, offset);
  const present = new Set((place.section?.tags ?? []).filter((t) => t.end < start || t.start > offset).map((t) => normalizeTag(t.value)));
  const items: PromptCompletionItem[] = [];
  const offered = new Set<string>();
  const matches = (text: string): boolean => prefix === '' || normalizeTag(text).startsWith(prefix) || normalizeTag(text).includes(` ${prefix}`);

  // 1. The card: tags with their meaning, the year tags newest first, the quality suffix, the presets.
  let rank = 0;
  const card = ({ newText, ...item }: ItemWithoutEdit): void => {
    items.push({ ...item, sortText: `0${String(rank++).padStart(4, '0')}`, edit: edit(newText ?? item.label) });
  };
  for (const entry of cardTagEntries(ctx.profile)) {
    const key = normalizeTag(entry.tag);
    if (present.has(key) || !matches(entry.tag)) continue;
    offered.add(key);
    card({ label: entry.tag, kind: 'cardTag', detail: cardDetail(entry), documentation: cardTagDoc(ctx.profile, entry) });
  }
  if (prefix !== '' || kind === 'prompt') {
    const years = yearTags(ctx.profile);
    const hasYear = [...present].some((t) => years.some((y) => normalizeTag(y) === t));
    if (!hasYear) {
      for (const year of years) {
        if (!matches(year) || (prefix === '' && year !== years[0])) continue;
        offered.add(normalizeTag(year));
        card({ label: year, kind: 'cardTag', detail: `Year tag · ${ctx.profile.name}`, documentation: ctx.profile.year?.doc ?? '' });
      }
    }
  }
  if (kind === 'prompt') {
    const suffix = ctx.profile.qualitySuffix.replace(/^\s*,\s*/, '');
    if (matches(suffix) || prefix === '') {
      card({
        label: suffix,
        kind: 'snippet',
        detail: `Quality suffix · ${ctx.profile.name}`,
        filterText: suffix,
        documentation: `The card's advice: append \`${ctx.profile.qualitySuffix}\` to improve image quality.`,
      });
    }
  } else {
    for (const preset of [...ctx.profile.negativePresets, ...ctx.profile.addOns.filter((a) => (a.section ?? 'negative') === 'negative')]) {
      if (!matches(preset.text) && prefix !== '') continue;
      const isPreset = ctx.profile.negativePresets.includes(preset);
      card({
        label: preset.text,
        kind: 'snippet',
        detail: isPreset ? `Negative preset: ${preset.label}` : `Add-on: ${preset.label}`,
        filterText: preset.text,
        documentation: preset.doc ?? `The ${ctx.profile.name} card's ${preset.label.toLowerCase()} negative prompt.`,
      });
    }
  }

  // A settings line with the card's recommendations, offered on a line of its own below a prompt.
  const line = doc.lines.lineAt(offset);
  const lineStart = doc.lines.lineStarts[line]!;
  const blockStartLine = place.block ? doc.lines.lineAt(place.block.node.start) : line;
  if (start === lineStart && line > blockStartLine && !place.block?.settings && (prefix === '' || 'steps'.startsWith(prefix))) {
    const rec = ctx.profile.recommended;
    for (const size of rec.sizes) {
      card({
        label: `Steps: ${rec.steps}, Sampler: ${rec.sampler}, CFG scale: ${rec.cfgScale}, Seed: -1, Size: ${size.width}x${size.height}`,
        kind: 'snippet',
        detail: `Settings line · ${ctx.profile.name}, ${size.label}`,
        documentation: `The ${ctx.profile.name} card's recommended sampler, steps and CFG scale, at the trained ${size.label} size. Seed -1 is a random seed.`,
      });
    }
  }

  // Right after a network: its trigger words, as one snippet choice (never all of them at once).
  const network = networkBefore(doc.text, start, place.section?.extraNetworks ?? []);
  const networkEntry = network && kind === 'prompt' ? ctx.networks?.lora(network.name) : undefined;
  if (networkEntry) {
    const words = entryTriggerWords(networkEntry, 10).filter((w) => prefix === '' || normalizeTag(w).startsWith(prefix) || normalizeTag(w).includes(` ${prefix}`));
    if (words.length > 0) {
      card({
        label: words[0]!,
        kind: 'snippet',
        detail: `Trigger words of ${networkEntry.name}`,
        filterText: typed === '' ? words[0] : typed,
        documentation: `Pick one with Tab: ${words.map((w) => `\`${w.replace(/`/g, "'")}\``).join(', ')}.\n\n${networkDoc(networkEntry, ctx, false)}`,
        newText: `\${1|${words.map(snippetChoice).join(',')}|}`,
        snippet: true,
      });
    }
  }
  // Embeddings from the user's folders, by name (A1111) or as ComfyUI writes them (`embedding:name`).
  if (ctx.networks && ctx.networks.embeddings.length > 0 && prefix !== '') {
    const comfy = /^embedding:/i.test(typed);
    const wanted = (comfy ? typed.slice('embedding:'.length) : typed).toLowerCase();
    let shown = 0;
    for (const entry of ctx.networks.embeddings) {
      if (shown >= DICTIONARY_LIMIT || !entry.name.toLowerCase().startsWith(wanted)) continue;
      shown++;
      offered.add(normalizeTag(entry.name));
      card({
        label: comfy ? `embedding:${entry.name}` : entry.name,
        kind: 'embedding',
        detail: networkDetail(entry),
        documentation: networkDoc(entry, ctx, false),
      });
    }
  }

  // 2. Tag dictionaries, most posts first.
  let isIncomplete = false;
  if (prefix !== '' && ctx.dictionaries.length > 0) {
    const found = searchAll(ctx.dictionaries, prefix, DICTIONARY_LIMIT);
    isIncomplete = found.length === DICTIONARY_LIMIT;
    found.forEach((match, i) => {
      const key = normalizeTag(match.tag.name);
      if (offered.has(key) || present.has(key)) return;
      offered.add(key);
      items.push(dictionaryItem(match, i, typed, start, offset, ctx));
    });
  } else if (ctx.dictionaries.length > 0) {
    isIncomplete = true;
  }

  // 3. Tags used in the workspace, most used first.
  if (prefix !== '') {
    const used = [...ctx.workspaceTags].filter(([tag]) => !offered.has(tag) && !present.has(tag) && matches(tag) && tag !== prefix);
    used.sort((a, b) => b[1] - a[1]);
    used.slice(0, WORKSPACE_LIMIT).forEach(([tag, uses], i) => {
      items.push({
        label: tag,
        kind: 'workspaceTag',
        detail: `Used ${uses} time${uses === 1 ? '' : 's'} in this workspace`,
        sortText: `2${String(i).padStart(4, '0')}`,
        edit: edit(tag.replace(/[()[\]\\]/g, (c) => `\\${c}`)),
      });
    });
  }
  return { isIncomplete, items };
}

function dictionaryItem(match: TagMatch, rank: number, typed: string, start: number, end: number, ctx: ServiceContext): PromptCompletionItem {
  const { tag } = match;
  const options = { keepUnderscores: ctx.keepUnderscores };
  const label = displayTagName(tag.name, options);
  const newText = tagInsertText(tag.name, options);
  const via = match.kind === 'alias' ? ` · alias ${match.alias}` : '';
  return {
    label,
    kind: 'tag',
    detail: `${categoryName(tag.category)} · ${formatCount(tag.postCount)} posts${via}`,
    // The documentation is filled in on resolve, for the one item the editor shows.
    data: { tag: tag.name, ...(match.alias ? { alias: match.alias } : {}) },
    sortText: `1${String(rank).padStart(4, '0')}`,
    // The editor filters on the text typed so far (escapes included); an alias or a later-word match must
    // not be filtered away.
    filterText: match.kind === 'name' ? newText : typed,
    edit: { start, end, newText },
  };
}

/** What resolveCompletion takes: an item with the data it came with, and its documentation if it has one. */
export interface ResolvableCompletion {
  data?: unknown;
  documentation?: string;
}

/** An item with its documentation filled in: a dictionary entry's or a LoRA's, as markdown. */
export function resolveCompletion<T extends ResolvableCompletion>(item: T, ctx: ServiceContext): T {
  const data = item.data as Partial<CompletionData> | undefined;
  if (typeof data?.lora === 'string' && !item.documentation) {
    const entry = ctx.networks?.lora(data.lora);
    return entry ? { ...item, documentation: networkDoc(entry, ctx, false) } : item;
  }
  if (typeof data?.tag !== 'string' || item.documentation) return item;
  const found = lookupAll(ctx.dictionaries, data.tag);
  if (!found) return item;
  const match: TagMatch = data.alias ? { tag: found.tag, kind: 'alias', alias: data.alias } : { tag: found.tag, kind: 'name' };
  return { ...item, documentation: dictionaryDoc(match) };
}

function completeSettings(analysis: Analysis, offset: number, before: string, ctx: ServiceContext): PromptCompletionList {
  const { doc } = analysis;
  // `Styles: a, b`: its value holds commas, so it is found before the split at the last comma below.
  const styles = /(?:^|,)\s*Styles\s*:\s*"?([^"]*)$/i.exec(before);
  if (styles) {
    const typedName = styles[1]!.slice(styles[1]!.lastIndexOf(',') + 1).trimStart();
    const start = offset - typedName.length;
    const chosen = new Set(styleNames(styles[1]!));
    const items: PromptCompletionItem[] = [];
    for (const style of ctx.styles?.values() ?? []) {
      if (chosen.has(style.name) && style.name !== typedName) continue;
      items.push({ label: style.name, kind: 'style', detail: 'A1111 style', documentation: styleDoc(style), edit: { start, end: offset, newText: style.name } });
    }
    return { isIncomplete: false, items };
  }
  const entryText = before.slice(before.lastIndexOf(',') + 1);
  const colon = entryText.indexOf(':');
  const items: PromptCompletionItem[] = [];
  const rec = ctx.profile.recommended;
  if (colon < 0) {
    // A key: those not already on the line.
    const start = offset - entryText.trimStart().length;
    const line = doc.text.slice(doc.lines.lineStarts[doc.lines.lineAt(offset)]!, doc.lines.lineContentEnd(doc.lines.lineAt(offset)));
    settingKeys.forEach((key, i) => {
      if (new RegExp(`(^|,)\\s*${key.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'i').test(line)) return;
      const detail = recommendation(key.recommended, ctx);
      items.push({
        label: key.key,
        kind: 'setting',
        ...(detail !== undefined ? { detail } : {}),
        documentation: settingKeyDoc(key),
        sortText: String(i).padStart(3, '0'),
        edit: { start, end: offset, newText: `${key.key}: ` },
      });
    });
    return { isIncomplete: false, items };
  }
  const key = findSettingKey(entryText.slice(0, colon).trim());
  const valueTyped = entryText.slice(colon + 1).trimStart();
  const start = offset - valueTyped.length;
  const value = (label: string, detail: string | undefined, i: number, kind: CompletionKind = 'choice'): void => {
    items.push({ label, kind, ...(detail !== undefined ? { detail } : {}), sortText: String(i).padStart(3, '0'), edit: { start, end: offset, newText: label } });
  };
  switch (key?.key) {
    case 'Sampler': {
      const names = [rec.sampler, ...samplerNames.filter((s) => s !== rec.sampler)];
      names.forEach((name, i) => value(name, name === rec.sampler ? `Recommended by the ${ctx.profile.name} card` : undefined, i));
      break;
    }
    case 'Size':
      rec.sizes.forEach((s, i) => value(`${s.width}x${s.height}`, `Trained size, ${s.label}`, i));
      break;
    case 'Steps':
      value(String(rec.steps), `Recommended by the ${ctx.profile.name} card`, 0, 'value');
      break;
    case 'CFG scale':
      value(String(rec.cfgScale), `Recommended by the ${ctx.profile.name} card`, 0, 'value');
      break;
    case 'Model':
      value(ctx.profile.name, undefined, 0, 'value');
      break;
    case 'Schedule type':
      SCHEDULE_TYPES.forEach((t, i) => value(t.label, t.rendered ? undefined : 'not rendered by the builtin backend', i));
      break;
    default:
      // Keys with a fixed set of values (RNG, Emphasis, …), from the settings vocabulary.
      key?.choices?.forEach((choice, i) => value(choice, choice === key.default ? 'A1111 default' : undefined, i));
  }
  return { isIncomplete: false, items };
}

function recommendation(which: string | undefined, ctx: ServiceContext): string | undefined {
  const rec = ctx.profile.recommended;
  switch (which) {
    case 'steps':
      return `${ctx.profile.name}: ${rec.steps}`;
    case 'sampler':
      return `${ctx.profile.name}: ${rec.sampler}`;
    case 'cfgScale':
      return `${ctx.profile.name}: ${rec.cfgScale}`;
    case 'size':
      return `${ctx.profile.name}: ${rec.sizes.map((s) => `${s.width}x${s.height}`).join(', ')}`;
    default:
      return undefined;
  }
}

/** The network that ends right before `start`, with only spaces and commas between. */
export function networkBefore(text: string, start: number, networks: readonly ExtraNetwork[]): ExtraNetwork | undefined {
  let i = start;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === ',' || text[i - 1] === '\t')) i--;
  if (text[i - 1] !== '>') return undefined;
  let lo = 0;
  let hi = networks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const end = networks[mid]!.node.end;
    if (end === i) return networks[mid];
    if (end < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** A snippet choice value: `,`, `|`, `$`, `}` and `\` escaped. */
function snippetChoice(text: string): string {
  return text.replace(/[\\,|$}]/g, '\\$&');
}

const RETRIGGER = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

function completeExtraNetwork(analysis: Analysis, offset: number, m: RegExpExecArray, ctx: ServiceContext): PromptCompletionList {
  const { doc } = analysis;
  const items: PromptCompletionItem[] = [];
  const after = doc.text.slice(offset, offset + 1);
  if (m[2] === undefined) {
    // `<lo|`: the network types.
    const start = offset - m[1]!.length;
    for (const type of ['lora', 'hypernet']) {
      items.push({ label: type, kind: 'networkType', edit: { start, end: offset, newText: `${type}:` }, ...(ctx.vscodeCommands ? { command: { ...RETRIGGER } } : {}) });
    }
    return { isIncomplete: false, items };
  }
  if (m[1] !== 'lora' && m[1] !== 'lyco') return { isIncomplete: false, items };
  const start = offset - m[2].length;
  const closed = after === ':' || after === '>';
  const catalog = ctx.networks;
  // Names holding the typed characters in order (the editor's own fuzzy match keeps working), at most
  // NETWORK_LIMIT of them; their documentation comes on resolve.
  const typed = m[2].toLowerCase();
  let isIncomplete = false;
  for (let i = 0; i < ctx.loraNames.length; i++) {
    const name = ctx.loraNames[i]!;
    if (!holdsInOrder(name.toLowerCase(), typed)) continue;
    if (items.length === NETWORK_LIMIT) {
      isIncomplete = true;
      break;
    }
    const entry = catalog?.lora(name);
    const weight = entry ? preferredWeight(entry) : 1;
    items.push({
      label: name,
      kind: 'network',
      detail: entry ? networkDetail(entry) : 'LoRA',
      ...(entry ? { data: { lora: name } } : {}),
      sortText: String(i).padStart(5, '0'),
      edit: { start, end: offset, newText: closed ? name : `${name}:\${1:${weight}}>` },
      snippet: !closed,
    });
  }
  return { isIncomplete, items };
}

/**
 * Where the tag being typed starts: after the last separator (unescaped), skipping leading spaces. The
 * separators are A1111's (`,`, brackets, `|`, `:`, the `>` of a network) and those of a Dynamic Prompts
 * variant (`{`, `}`, the `$$` after a count); ComfyUI's `embedding:` prefix belongs to the name.
 */
export function tagStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0) {
    const c = text[i - 1]!;
    if (c === '\n' || ((c === ',' || c === '(' || c === ')' || c === '[' || c === ']' || c === '|' || c === ':' || c === '>' || c === '{' || c === '}') && text[i - 2] !== '\\')) break;
    if (c === '$' && text[i - 2] === '$') break;
    i--;
  }
  if (text[i - 1] === ':' && /(?:^|[\s,([{|>])embedding:$/i.test(text.slice(Math.max(0, i - 11), i))) i -= 'embedding:'.length;
  while (i < offset && /\s/.test(text[i]!)) i++;
  const line = text.slice(i, offset);
  const m = /(?:^|\s)BREAK\s+/.exec(line);
  if (m) i += m.index + m[0].length;
  const label = /^Negative prompt:\s*/.exec(text.slice(i, offset));
  if (label) i += label[0].length;
  return i;
}

function cardDetail(entry: CardTagEntry): string {
  if (entry.score) return `${entry.group.label} · score ${entry.score}`;
  if (entry.rating) return `${entry.group.label} · rating ${entry.rating}`;
  return entry.group.label;
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}
