// Semantic tokens through the language service: each token in offsets with its type and modifiers.
import { describe, expect, it } from 'vitest';
import { semanticTokenLegend, type PromptService } from '../../../core/service';
import { service } from '../../server/helpers';

/** Each token as `text type.modifier…`. */
function tokens(text: string, svc: PromptService = service()): string[] {
  return svc.semanticTokens(text).map((t) => `${text.slice(t.start, t.end)} ${[t.type, ...t.modifiers].join('.')}`);
}

describe('semantic tokens', () => {
  it('marks card tags by kind, dictionary tags by category, weights, BREAK, networks and keys', () => {
    expect(tokens('best quality, (long hair:1.2) BREAK <lora:a:1>, fate (series), year 2020\nSteps: 28')).toEqual([
      'best quality cardTag.quality.good',
      'long hair tag.general',
      '1.2 number',
      'BREAK keyword',
      '<lora:a:1> macro',
      'year 2020 cardTag.year',
      'Steps property',
    ]);
  });

  it('marks bad card tags, in the negative prompt too, and leaves unknown tags to the grammar', () => {
    expect(tokens('zzqx\nNegative prompt: worst quality')).toEqual(['worst quality cardTag.quality.bad']);
    expect(tokens('long hair', service({ dictionaries: [] }))).toEqual([]);
  });

  it('names types and modifiers from the legend', () => {
    for (const t of service().semanticTokens('best quality, long hair, <lora:a>\nSteps: 1')) {
      expect(semanticTokenLegend.tokenTypes).toContain(t.type);
      for (const m of t.modifiers) expect(semanticTokenLegend.tokenModifiers).toContain(m);
    }
  });
});
