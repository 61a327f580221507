// Markdown that completion and hover share: the profile's card tags, dictionary entries, networks and
// embeddings of the user's UI folders, A1111 styles.
import { architectureNames, architectureOf, baseModelOf, entryTriggerWords, fitsArchitecture, formatBytes, preferredWeight, type CatalogEntry } from '../networks';
import type { PromptStyle } from '../a1111/styles';
import type { CardTagInfo, Profile } from '../profiles/profile';
import { categoryName } from '../dictionary/categories';
import type { TagMatch } from '../dictionary/dictionary';
import type { ServiceContext } from './analysis';

export type CardTagEntry = CardTagInfo;

/** Every card tag of the profile, in the card's order. */
export function cardTagEntries(profile: Profile): CardTagEntry[] {
  return profile.tagGroups.flatMap((group) => group.tags.map((tag) => ({ ...tag, group })));
}

export function cardTagDoc(profile: Profile, entry: CardTagEntry): string {
  const lines = [`**${entry.tag}** — ${entry.group.label.toLowerCase()} of ${profile.name}`];
  if (entry.score) lines.push(`Trained on images with a ${entry.group.kind} score of ${entry.score}.`);
  if (entry.rating) lines.push(`Stands for the Danbooru rating *${entry.rating}*.${entry.group.noTag ? ` No ${entry.group.label.toLowerCase()} means ${entry.group.noTag}.` : ''}`);
  if (entry.polarity === 'bad') lines.push('Belongs in the negative prompt.');
  if (entry.doc) lines.push(entry.doc);
  if (entry.group.kind === 'quality' || entry.group.kind === 'aesthetic') lines.push(`The card's advice: append \`${profile.qualitySuffix.replace(/^\s*,\s*/, '')}\`.`);
  return lines.join('\n\n');
}

/** `LoRA · SDXL (Pony) · characters/` */
export function networkDetail(entry: CatalogEntry): string {
  const base = baseModelOf(entry);
  const kind = entry.kind === 'embedding' ? 'embedding' : /lycoris|lyco/i.test(entry.facts?.module ?? '') ? 'LyCORIS' : 'LoRA';
  const parts = [kind];
  if (base) parts.push(base.label === architectureNames[base.architecture] ? base.label : `${architectureNames[base.architecture]} (${base.label})`);
  if (entry.embedding) parts.push(`${entry.embedding.vectors} vector${entry.embedding.vectors === 1 ? '' : 's'}`);
  if (entry.subfolder) parts.push(`${entry.subfolder}/`);
  return parts.join(' · ');
}

const escapeMarkdown = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');

/** The markdown of a hover or completion item's documentation. */
export function networkDoc(entry: CatalogEntry, ctx: ServiceContext, withPreview: boolean): string {
  const lines: string[] = [];
  lines.push(`**${escapeMarkdown(entry.name)}** — ${networkDetail(entry)}`);
  const base = baseModelOf(entry);
  const profileArchitecture = architectureOf(ctx.profile.baseModel);
  if (base && !fitsArchitecture(base.architecture, profileArchitecture)) {
    lines.push(`⚠ Made for ${architectureNames[base.architecture]}; ${ctx.profile.name} is ${ctx.profile.baseModel}.`);
  }
  if (entry.kind === 'embedding' && entry.embedding) {
    const e = entry.embedding;
    const encoders = e.encoders.includes('clip_g') ? 'both SDXL encoders (clip_l 768 + clip_g 1280)' : `one encoder (${e.width} wide)`;
    lines.push(`Takes ${e.vectors} token position${e.vectors === 1 ? '' : 's'} in the prompt; vectors for ${encoders}.`);
  }
  const words = entry.kind === 'lora' ? entryTriggerWords(entry, 8) : [];
  if (words.length > 0) lines.push(`Trigger words: ${words.map((w) => `\`${w.replace(/`/g, "'")}\``).join(', ')}`);
  const tags = entry.facts?.tags.slice(0, 8) ?? [];
  if (tags.length > 0) lines.push(`Top training tags: ${tags.map((t) => `${escapeMarkdown(t.tag)} (${t.count})`).join(', ')}`);
  const specs: string[] = [];
  if (entry.kind === 'lora') specs.push(`preferred weight ${preferredWeight(entry)}`);
  if (entry.facts?.dim !== undefined) specs.push(`dim ${entry.facts.dim}`);
  if (entry.facts?.alpha !== undefined) specs.push(`alpha ${entry.facts.alpha}`);
  if (entry.facts?.module) specs.push(escapeMarkdown(entry.facts.module));
  if (entry.facts?.outputName && entry.facts.outputName !== entry.name) specs.push(`alias ${escapeMarkdown(entry.facts.outputName)}`);
  specs.push(formatBytes(entry.size));
  lines.push(specs.join(' · '));
  const notes = entry.a1111?.notes ?? entry.description;
  if (notes) lines.push(escapeMarkdown(notes.length > 400 ? `${notes.slice(0, 400)}…` : notes));
  if (withPreview && entry.preview) {
    const uri = ctx.previewUri?.(entry.preview);
    lines.push(uri ? `![preview of ${escapeMarkdown(entry.name)}](${uri})` : `Preview: ${escapeMarkdown(entry.preview)} (too large to show here)`);
  }
  return lines.join('\n\n');
}

/** What a style adds, as markdown. */
export function styleDoc(style: PromptStyle): string {
  const show = (text: string): string => (text.trim() === '' ? '*(nothing)*' : `\`${text.replace(/`/g, "'")}\``);
  return [`**${escapeMarkdown(style.name)}** — A1111 style`, `Prompt: ${show(style.prompt)}`, `Negative prompt: ${show(style.negativePrompt)}`].join('\n\n');
}

/** A dictionary entry as markdown; `aliasNote` says how the alias that matched was used. */
export function dictionaryDoc(match: TagMatch, aliasNote = 'You typed the alias'): string {
  const { tag } = match;
  const lines = [`**${tag.name}** — ${categoryName(tag.category)}, ${tag.postCount.toLocaleString('en-US')} posts`];
  if (match.kind === 'alias') lines.push(`${aliasNote} \`${match.alias}\`.`);
  if (tag.aliases.length > 0) lines.push(`Aliases: ${tag.aliases.map((a) => `\`${a}\``).join(', ')}`);
  return lines.join('\n\n');
}
