// A model profile: the vocabulary and advice of one model card, as data. Checks, completion, hover and
// snippets read it; a second model is a new JSON file, never a new code path.

export type Polarity = 'good' | 'neutral' | 'bad';

export interface CardTag {
  tag: string;
  /** Score range the tag stood for in training, as the card writes it (quality, aesthetic). */
  score?: string;
  /** Danbooru rating the tag stands for (rating tags). */
  rating?: string;
  /** Tags of opposite polarity in one prompt conflict. */
  polarity?: Polarity;
  doc?: string;
}

export interface TagGroup {
  kind: string;
  label: string;
  /** Good and bad tags of this group conflict when both are in one prompt. */
  conflicts?: boolean;
  /** At most one tag of this group per prompt. */
  single?: boolean;
  /** What having no tag of this group means (rating: general). */
  noTag?: string;
  tags: CardTag[];
}

export interface Preset {
  id: string;
  label: string;
  text: string;
  section?: 'prompt' | 'negative';
  doc?: string;
}

export interface TrainedSize {
  width: number;
  height: number;
  label: string;
}

export interface Profile {
  id: string;
  name: string;
  description: string;
  baseModel: string;
  vae?: { name: string; advice: string };
  tagGroups: TagGroup[];
  year?: { prefix: string; min: number; max: number; doc?: string };
  qualitySuffix: string;
  advice?: { prompt?: string; negative?: string };
  negativePresets: Preset[];
  addOns: Preset[];
  recommended: { sampler: string; steps: number; cfgScale: number; sizes: TrainedSize[] };
}

/** A card tag with the group it belongs to. */
export interface CardTagInfo extends CardTag {
  group: TagGroup;
}

export class ProfileError extends Error {}

/** Validates profile JSON (as parsed) and returns it typed; errors name the field. */
export function parseProfile(json: unknown, source = 'profile'): Profile {
  const fail = (field: string, what: string): never => {
    throw new ProfileError(`${source}: field '${field}' ${what}`);
  };
  if (typeof json !== 'object' || json === null) fail('(root)', 'must be an object');
  const p = json as Record<string, unknown>;
  for (const field of ['id', 'name', 'baseModel', 'qualitySuffix'] as const) {
    if (typeof p[field] !== 'string') fail(field, 'must be a string');
  }
  if (!Array.isArray(p.tagGroups)) fail('tagGroups', 'must be an array');
  (p.tagGroups as unknown[]).forEach((g, i) => {
    const group = g as Record<string, unknown>;
    if (typeof group?.kind !== 'string') fail(`tagGroups[${i}].kind`, 'must be a string');
    if (!Array.isArray(group.tags)) fail(`tagGroups[${i}].tags`, 'must be an array');
    (group.tags as unknown[]).forEach((t, j) => {
      if (typeof (t as CardTag)?.tag !== 'string') fail(`tagGroups[${i}].tags[${j}].tag`, 'must be a string');
    });
  });
  for (const field of ['negativePresets', 'addOns'] as const) {
    if (p[field] !== undefined && !Array.isArray(p[field])) fail(field, 'must be an array');
  }
  const rec = p.recommended as Record<string, unknown> | undefined;
  if (!rec || typeof rec.sampler !== 'string' || typeof rec.steps !== 'number' || typeof rec.cfgScale !== 'number' || !Array.isArray(rec.sizes)) {
    fail('recommended', 'must have sampler, steps, cfgScale and sizes');
  }
  return {
    description: '',
    negativePresets: [],
    addOns: [],
    ...(p as object),
    tagGroups: (p.tagGroups as TagGroup[]).map((g) => ({ ...g, label: g.label ?? g.kind })),
  } as unknown as Profile;
}

/** Normalises a tag for comparison: lower case, underscores as spaces, whitespace collapsed. */
export function normalizeTag(tag: string): string {
  let name = normalized.get(tag);
  if (name !== undefined) return name;
  const lower = tag.toLowerCase();
  // Most tags are already lower case with single spaces: skip the rewriting then.
  name = /_|\s\s|[^\S ]|^\s|\s$/.test(lower) ? lower.replace(/_/g, ' ').replace(/\s+/g, ' ').trim() : lower;
  // Prompts repeat their tags: the checks, hover and semantic tokens ask for the same few hundred names again and
  // again. Bounded: emptied when full. The answer is one string object per name, so the checks' maps keyed by it
  // compare pointers and never hash it again (a tag's own text, new at every parse, cost 12% more instructions).
  if (normalized.size >= 8192) normalized.clear();
  normalized.set(tag, name);
  return name;
}
const normalized = new Map<string, string>();


/** Every card tag of the profile by normalised name. */
export function cardTagIndex(profile: Profile): Map<string, CardTagInfo> {
  const index = new Map<string, CardTagInfo>();
  for (const group of profile.tagGroups) {
    for (const tag of group.tags) index.set(normalizeTag(tag.tag), { ...tag, group });
  }
  return index;
}

/** `year 2023` -> 2023 when the tag has the profile's year form (any number of digits), else undefined. */
const yearPatterns = new WeakMap<Profile, RegExp>();

export function yearOf(profile: Profile, tag: string): { digits: string } | undefined {
  if (!profile.year) return undefined;
  let pattern = yearPatterns.get(profile);
  if (!pattern) {
    const prefix = normalizeTag(profile.year.prefix);
    pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(\\d+)$`);
    yearPatterns.set(profile, pattern);
  }
  const m = pattern.exec(normalizeTag(tag));
  return m ? { digits: m[1]! } : undefined;
}

/** Year tags the profile accepts, newest first. */
export function yearTags(profile: Profile): string[] {
  if (!profile.year) return [];
  const tags: string[] = [];
  for (let y = profile.year.max; y >= profile.year.min; y--) tags.push(`${profile.year.prefix}${y}`);
  return tags;
}
