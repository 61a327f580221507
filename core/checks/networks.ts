// Checks of extra networks and embeddings against the user's indexed folders (core/networks/catalog.ts):
// unknown names (with the nearest as fixes), another base model than the profile's, weights beyond ±2,
// networks in the negative prompt, embeddings A1111 would skip. Pure: tree + catalog -> diagnostics.

import { pyFloat } from '../pyre';
import { architectureNames, architectureOf } from '../networks/baseModel';
import { baseModelOf, fitsArchitecture, type NetworkCatalog } from '../networks/catalog';
import type { PromptSection } from '../parse/tree';
import type { Profile } from '../profiles/profile';
import { rules, type Rule } from './rules';
import type { FixData } from './check';

export type Report = (rule: Rule, start: number, end: number, values: Record<string, string | number>, extra?: { data?: FixData }) => void;

const NETWORK_TYPES = new Set(['lora', 'lyco']);

export function checkNetworks(section: PromptSection, negative: boolean, profile: Profile, catalog: NetworkCatalog | undefined, report: Report): void {
  const profileArchitecture = architectureOf(profile.baseModel);
  for (const network of section.extraNetworks) {
    const { node, type, name } = network;
    if (negative) {
      report(rules.networkInNegative, node.start, node.end, { text: `<${type}:${name}…>` });
      continue;
    }
    if (!NETWORK_TYPES.has(type)) continue;
    const nameStart = node.start + 1 + type.length + 1;
    const nameEnd = nameStart + name.length;
    const weightText = network.args[0];
    const weight = weightText === undefined ? undefined : pyFloat(weightText.trim());
    if (weight !== undefined && Number.isFinite(weight) && Math.abs(weight) > 2) {
      report(rules.networkWeightRange, node.start, node.end, { type: type === 'lyco' ? 'LyCORIS' : 'LoRA', weight: weightText!.trim() });
    }
    if (!catalog || catalog.loras.length === 0) continue;
    const entry = catalog.lora(name);
    if (!entry) {
      const near = catalog.nearestLoras(name, 1);
      report(rules.unknownNetwork, nameStart, nameEnd, { name, suggestion: near[0] ? `: did you mean '${near[0]}'?` : '' }, near[0] ? { data: { fix: 'replace', with: near[0] } } : {});
      continue;
    }
    const base = baseModelOf(entry);
    if (base && !fitsArchitecture(base.architecture, profileArchitecture)) {
      report(rules.networkBaseMismatch, nameStart, nameEnd, { name, base: `${base.label} (${architectureNames[base.architecture]})`, model: profile.name, profileBase: profile.baseModel });
    }
  }
  if (!catalog || catalog.embeddings.length === 0) return;
  for (const tag of section.tags) {
    const text = tag.value.trim();
    const comfy = /^embedding:(.+)$/i.exec(text);
    const name = comfy ? comfy[1]!.replace(/\.(safetensors|pt|bin)$/i, '') : text;
    const entry = catalog.embedding(name);
    if (!entry) {
      if (comfy) {
        const near = catalog.nearestEmbeddings(name, 1);
        report(rules.unknownEmbedding, tag.start, tag.end, { name, suggestion: near[0] ? `: did you mean '${near[0]}'?` : '' }, near[0] ? { data: { fix: 'replace', with: `embedding:${near[0]}` } } : {});
      }
      continue;
    }
    const facts = entry.embedding;
    if (facts && !fitsArchitecture(facts.architecture, profileArchitecture)) {
      report(rules.embeddingBaseMismatch, tag.start, tag.end, { name: entry.name, base: architectureNames[facts.architecture], width: facts.width, model: profile.name, profileBase: profile.baseModel });
    }
  }
}
