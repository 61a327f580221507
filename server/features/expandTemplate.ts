// The custom request `tagsmith/expandTemplate`: a block's prompt and negative prompt expanded as the A1111
// extension sd-dynamic-prompts (random mode, default options) expands them for one image, with the wildcards
// of the user's wildcard folders — so a backend without the extension renders what one with it would.
// The extension runs one generator for the prompt and one for the negative prompt, each seeded with the
// image's seed (`generate(prompt, n, seeds=[seed, seed+1, …])`); for one image that is expandRandom(t, [seed]).
import { expandRandom, type WildcardLibrary } from '../../core';
import type { ExpandTemplateParams, ExpandTemplateResult } from '../../client/protocol';

export { EXPAND_TEMPLATE_METHOD } from '../../client/protocol';
export type { ExpandTemplateParams, ExpandTemplateResult };

/** One prompt expanded; '' stays '' (the extension's `generate(...) or [""]`). */
function expandOne(text: string, seed: number, library: WildcardLibrary | undefined): { ok: true; text: string } | { ok: false; error: string } {
  if (text === '') return { ok: true, text };
  const result = expandRandom(text, [seed], library ? { wildcards: library } : {});
  if (!result.ok) return result;
  return { ok: true, text: result.prompts[0] ?? '' };
}

export function expandTemplate(params: ExpandTemplateParams, library: WildcardLibrary | undefined): ExpandTemplateResult {
  if (!params || typeof params.prompt !== 'string' || typeof params.negativePrompt !== 'string') return { error: 'expandTemplate: prompt and negativePrompt must be strings' };
  const seed = params.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) return { error: `expandTemplate: seed must be a whole number ≥ 0, got ${JSON.stringify(seed)}` };
  const prompt = expandOne(params.prompt, seed, library);
  if (!prompt.ok) return { error: `Dynamic Prompts could not expand the prompt: ${prompt.error}` };
  const negative = expandOne(params.negativePrompt, seed, library);
  if (!negative.ok) return { error: `Dynamic Prompts could not expand the negative prompt: ${negative.error}` };
  return {
    prompt: prompt.text,
    negativePrompt: negative.text,
    ...(prompt.text !== params.prompt ? { template: params.prompt } : {}),
    ...(negative.text !== params.negativePrompt ? { negativeTemplate: params.negativePrompt } : {}),
  };
}
