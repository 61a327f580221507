// Which base model a network or embedding was made for, from whatever names it: kohya's
// ss_base_model_version, modelspec.architecture, A1111's "sd version", Civitai's baseModel, a profile's
// baseModel. Only the architecture decides whether a network fits a checkpoint; the label is for people.

export type Architecture = 'sd1' | 'sd2' | 'sdxl' | 'sd3' | 'flux' | 'unknown';

export interface BaseModel {
  architecture: Architecture;
  /** As the source wrote it, e.g. `Pony`, `sdxl_base_v1-0`, `SD 1.5`. */
  label: string;
  /** Where it was read: `civitai.info`, `A1111 .json`, a metadata key, or `tensor names`. */
  source: string;
}

export const architectureNames: Record<Architecture, string> = {
  sd1: 'SD 1.x',
  sd2: 'SD 2.x',
  sdxl: 'SDXL',
  sd3: 'SD 3',
  flux: 'Flux',
  unknown: 'unknown',
};

/**
 * The architecture a free-text base-model name stands for. SDXL derivatives (Pony, Illustrious, NoobAI,
 * Playground, Turbo, Lightning) are SDXL; checked before the version digits, since `sdxl_base_v1-0` holds `v1`.
 */
export function architectureOf(name: string): Architecture {
  const text = name.toLowerCase();
  if (/flux/.test(text)) return 'flux';
  if (/sd_?3|sd 3|stable-diffusion-3|stable-diffusion-v3/.test(text)) return 'sd3';
  if (/xl|pony|illustrious|noob|playground|animagine/.test(text)) return 'sdxl';
  if (/sd_?v?2|sd 2|v2|2\.[01]/.test(text)) return 'sd2';
  if (/sd_?v?1|sd 1|v1|1\.[45]/.test(text)) return 'sd1';
  return 'unknown';
}

/** A base model from a name, or undefined when the name says nothing (empty, `Unknown`, `Other`). */
export function baseModelFrom(name: unknown, source: string): BaseModel | undefined {
  if (typeof name !== 'string' || name.trim() === '') return undefined;
  const architecture = architectureOf(name);
  if (architecture === 'unknown') return undefined;
  return { architecture, label: name.trim(), source };
}
