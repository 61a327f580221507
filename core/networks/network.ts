// What a LoRA / LyCORIS file says about itself, from its safetensors header (kohya's `ss_*` keys and
// modelspec), and what its sidecar files add: A1111's `<name>.json` (Edit Metadata) and Civitai Helper's
// `<name>.civitai.info`. Everything here is data in, data out; the server reads the files.

import { describeJsonError, parseJson } from '../text/json';
import { baseModelFrom, type BaseModel } from './baseModel';
import type { SafetensorsHeader } from './safetensors';

/** Training tags kept per network: enough for trigger-word suggestions, bounded for 2,000 networks. */
export const MAX_TAGS_PER_NETWORK = 50;

export interface TagCount {
  tag: string;
  count: number;
}

export interface NetworkFacts {
  baseModel?: BaseModel;
  /** `ss_network_module`, e.g. `networks.lora`, `lycoris.kohya`. */
  module?: string;
  dim?: number;
  alpha?: number;
  /** `ss_output_name`: the alias A1111 also accepts in `<lora:…>`. */
  outputName?: string;
  /** Training-caption tags by count, summed over the datasets, most frequent first. */
  tags: TagCount[];
  /** Fields present but malformed, each naming the field. */
  problems: string[];
}

/** A1111's detect_version order, with modelspec and the tensor names as further evidence. */
function networkBaseModel(header: SafetensorsHeader): BaseModel | undefined {
  const m = header.metadata;
  const named =
    baseModelFrom(m['modelspec.architecture'], 'modelspec.architecture') ??
    baseModelFrom(m['ss_base_model_version'], 'ss_base_model_version');
  if (named) return named;
  if (m['ss_v2'] === 'True') return { architecture: 'sd2', label: 'SD 2 (ss_v2)', source: 'ss_v2' };
  if (Object.keys(m).some((k) => k.startsWith('ss_'))) return { architecture: 'sd1', label: 'SD 1 (kohya metadata)', source: 'ss_* keys' };
  // No metadata: kohya's key prefixes tell SDXL (two text encoders) and Flux (double/single blocks) apart.
  let textEncoder1 = false;
  for (const name of header.tensors.keys()) {
    if (name.startsWith('lora_te1_') || name.startsWith('lora_te2_')) return { architecture: 'sdxl', label: 'SDXL (tensor names)', source: 'tensor names' };
    if (name.includes('double_blocks') || name.includes('single_blocks')) return { architecture: 'flux', label: 'Flux (tensor names)', source: 'tensor names' };
    if (name.startsWith('lora_te_')) textEncoder1 = true;
  }
  return textEncoder1 ? { architecture: 'sd1', label: 'SD 1 (tensor names)', source: 'tensor names' } : undefined;
}

function number(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * `ss_tag_frequency`: a JSON string of {dataset: {tag: count}}. Read by a pattern over `"tag": count` pairs
 * (a dataset's key is followed by `{`, so only tags match) instead of JSON.parse, which would build an
 * object per tag for thousands of tags in each of thousands of networks.
 */
const TAG_COUNT = /"((?:[^"\\]|\\.)*)"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

function tagFrequency(text: string | undefined, problems: string[]): TagCount[] {
  if (text === undefined) return [];
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    problems.push('ss_tag_frequency is not JSON');
    return [];
  }
  const totals = new Map<string, number>();
  for (const match of trimmed.matchAll(TAG_COUNT)) {
    let tag = match[1]!;
    if (tag.includes('\\')) {
      try {
        tag = JSON.parse(`"${tag}"`) as string;
      } catch {
        continue;
      }
    }
    tag = tag.trim();
    const count = Number(match[2]);
    if (tag === '' || !Number.isFinite(count)) continue;
    totals.set(tag, (totals.get(tag) ?? 0) + count);
  }
  return [...totals]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .slice(0, MAX_TAGS_PER_NETWORK);
}

export function networkFacts(header: SafetensorsHeader): NetworkFacts {
  const m = header.metadata;
  const problems = [...header.problems];
  const facts: NetworkFacts = { tags: tagFrequency(m['ss_tag_frequency'], problems), problems };
  const baseModel = networkBaseModel(header);
  if (baseModel) facts.baseModel = baseModel;
  if (m['ss_network_module']) facts.module = m['ss_network_module'];
  const dim = number(m['ss_network_dim']);
  const alpha = number(m['ss_network_alpha']);
  if (dim !== undefined) facts.dim = dim;
  if (alpha !== undefined) facts.alpha = alpha;
  if (m['ss_output_name']) facts.outputName = m['ss_output_name'];
  return facts;
}

/** What A1111's Edit Metadata dialog saves as `<name>.json` beside a LoRA. */
export interface A1111Sidecar {
  activationText?: string;
  negativeText?: string;
  /** 0 in the file means "unset" (A1111 then uses its default multiplier). */
  preferredWeight?: number;
  notes?: string;
  description?: string;
  baseModel?: BaseModel;
}

/** Civitai Helper's `<name>.civitai.info`: the model version as Civitai's API returns it. */
export interface CivitaiSidecar {
  trainedWords: string[];
  baseModel?: BaseModel;
  modelName?: string;
  versionName?: string;
}

export type SidecarResult<T> = { ok: true; value: T; problems: string[] } | { ok: false; error: string };

function parseObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  const result = parseJson(text);
  if (!result.ok) return { ok: false, error: `not valid JSON (${describeJsonError(result)})` };
  const parsed = result.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'not a JSON object' };
  return { ok: true, value: parsed as Record<string, unknown> };
}

function optionalString(o: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const value = o[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.push(`"${key}" is not a string`);
    return undefined;
  }
  return value.trim() === '' ? undefined : value;
}

export function parseA1111Sidecar(text: string): SidecarResult<A1111Sidecar> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const problems: string[] = [];
  const sidecar: A1111Sidecar = {};
  const activation = optionalString(o, 'activation text', problems);
  if (activation) sidecar.activationText = activation;
  const negative = optionalString(o, 'negative text', problems);
  if (negative) sidecar.negativeText = negative;
  const notes = optionalString(o, 'notes', problems);
  if (notes) sidecar.notes = notes;
  const description = optionalString(o, 'description', problems);
  if (description) sidecar.description = description;
  const weight = o['preferred weight'];
  const weightValue = typeof weight === 'string' ? Number(weight) : weight;
  if (weight !== undefined && weight !== null) {
    if (typeof weightValue !== 'number' || !Number.isFinite(weightValue)) problems.push('"preferred weight" is not a number');
    else if (weightValue !== 0) sidecar.preferredWeight = weightValue;
  }
  const version = baseModelFrom(o['sd version'], 'A1111 .json');
  if (version) sidecar.baseModel = version;
  return { ok: true, value: sidecar, problems };
}

export function parseCivitaiSidecar(text: string): SidecarResult<CivitaiSidecar> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const problems: string[] = [];
  const sidecar: CivitaiSidecar = { trainedWords: [] };
  const words = o['trainedWords'];
  if (Array.isArray(words)) {
    // Civitai's trigger words are often several comma-separated tags in one entry.
    for (const entry of words) {
      if (typeof entry !== 'string') continue;
      const word = entry.trim();
      if (word !== '' && !sidecar.trainedWords.includes(word)) sidecar.trainedWords.push(word);
    }
  } else if (words !== undefined && words !== null) {
    problems.push('"trainedWords" is not a list');
  }
  const base = baseModelFrom(o['baseModel'], 'civitai.info');
  if (base) sidecar.baseModel = base;
  const model = o['model'];
  if (typeof model === 'object' && model !== null && typeof (model as Record<string, unknown>)['name'] === 'string') {
    sidecar.modelName = (model as Record<string, string>)['name'];
  }
  const version = optionalString(o, 'name', problems);
  if (version) sidecar.versionName = version;
  return { ok: true, value: sidecar, problems };
}

/**
 * The words to offer after a network, best first and without repeats: the activation text the user saved,
 * then Civitai's trained words, then the most frequent training tags.
 */
export function triggerWords(facts: NetworkFacts | undefined, a1111: A1111Sidecar | undefined, civitai: CivitaiSidecar | undefined, limit = 12): string[] {
  const words: string[] = [];
  const add = (word: string): void => {
    if (word !== '' && !words.includes(word) && words.length < limit) words.push(word);
  };
  if (a1111?.activationText) add(a1111.activationText.trim());
  for (const word of civitai?.trainedWords ?? []) add(word);
  for (const { tag } of facts?.tags ?? []) add(tag);
  return words;
}
