// What the profile says about its card tags, as markdown: shared by completion and hover.
import type { CardTagInfo, Profile } from '../../core';

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
