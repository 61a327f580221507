// Hover through the language service, in offsets: each case hovers at the `|` and asserts the markdown, and
// where it matters the range it covers (marked back into the text with resultText's `|`).
import { describe, expect, it } from 'vitest';
import { NetworkCatalog, type CatalogEntry } from '../../../core/networks';
import { formatWeight, weightDoc, type PromptService } from '../../../core/service';
import { atCursor, service } from '../../server/helpers';

function hoverAt(marked: string, svc: PromptService = service(), marker = '|') {
  const { text, offset } = atCursor(marked, undefined, marker);
  return { text, result: svc.hover(text, offset) };
}

/** The hover's markdown at the cursor, '' for none. */
function hover(marked: string, svc?: PromptService, marker?: string): string {
  return hoverAt(marked, svc, marker).result?.markdown ?? '';
}

/** The text the hover covers, between brackets: `1boy, [((best quality))]`. */
function covered(marked: string, svc?: PromptService, marker?: string): string {
  const { text, result } = hoverAt(marked, svc, marker);
  if (!result) return text;
  return `${text.slice(0, result.start)}[${text.slice(result.start, result.end)}]${text.slice(result.end)}`;
}

describe('hover on a tag', () => {
  it('shows the card entry and the effective weight with how it was computed', () => {
    const text = hover('1boy, ((be|st quality))');
    expect(text).toContain('**best quality** — quality tag of AnimeBoysXL');
    expect(text).toContain('score of >= 150');
    expect(text).toContain('Effective weight **1.21** = 1.1 × 1.1.');
    expect(covered('1boy, ((be|st quality))')).toBe('1boy, (([best quality]))');
  });

  it('multiplies as A1111 does, innermost first', () => {
    expect(hover('((x|:1.5))')).toContain('Effective weight **1.65** = 1.5 × 1.1.');
    expect(hover('[x|]')).toContain('Effective weight **0.9091**.');
    expect(hover('pla|in')).toContain('Effective weight **1** (no brackets).');
  });

  it("reads a weight as Python's float() does: digits of any script", () => {
    // A1111's pattern takes any Unicode digit and float('１.５') is 1.5.
    expect(hover('(x|:１.５)')).toContain('Effective weight **1.5**.');
  });

  it('shows the weight of a bracket group when the cursor is on its brackets', () => {
    expect(covered('1boy, (|(smile))')).toBe('1boy, ([(smile)])');
    expect(hover('1boy, (|(smile))')).toBe('Effective weight **1.21** = 1.1 × 1.1.');
  });

  it('shows rating tags by the rating they stand for', () => {
    expect(hover('1boy, fairly ns|fw')).toContain('Stands for the Danbooru rating *questionable*. No rating tag means general.');
  });

  it('shows year tags with the range of the card', () => {
    expect(hover('1boy, year 20|20')).toMatch(/^\*\*year 2020\*\* — year tag of AnimeBoysXL \(\d+–\d+\)\./);
  });

  it('shows the dictionary entry', () => {
    expect(hover('1boy, long h|air')).toContain('**long_hair** — general, 4,350,743 posts\n\nAliases: `/lh`, `longhair`');
    expect(hover('1boy, longh|air')).toContain('Written as the alias `longhair`');
  });

  it('shows the chunk of a tag and of a BREAK', () => {
    expect(hover('a, b BR|EAK c')).toBe('**BREAK** ends chunk 1 (3/75 tokens used) and starts chunk 2; the rest of chunk 1 is padding. Token counts are estimates (no CLIP tokenizer configured).');
    expect(covered('a, b BR|EAK c')).toBe('a, b [BREAK] c');
    expect(hover('a, b BREAK c|')).toContain('In chunk 2 of 2 (1/75 tokens used).');
  });

  it('separates its parts with rules', () => {
    expect(hover('pla|in').split('\n\n---\n\n')).toEqual(['Effective weight **1** (no brackets).', 'In chunk 1 of 1 (1/75 tokens used). Token counts are estimates (no CLIP tokenizer configured).']);
  });

  it('answers nothing on a comment, a separator or a blank', () => {
    expect(hoverAt('# a com|ment\n1boy').result).toBeUndefined();
    expect(hoverAt('1boy\n--|-\nx').result).toBeUndefined();
    expect(hoverAt('1boy, |, x').result).toBeUndefined();
  });
});

describe('hover on the settings line', () => {
  it('explains settings keys with the card recommendation', () => {
    const text = hover('1boy\nSteps: 28, Sam|pler: Euler a');
    expect(text).toContain('**Sampler** — The sampling method');
    expect(text).toContain('The AnimeBoysXL card recommends: Euler a.');
    expect(covered('1boy\nSteps: 28, Sam|pler: Euler a')).toBe('1boy\nSteps: 28, [Sampler: Euler a]');
    expect(hover('1boy\nSteps: 28, Size: 83|2x1216')).toContain('832x1216 (portrait), 1024x1024 (square), 1216x832 (landscape)');
    // What the key takes and A1111's default, from the settings vocabulary (A1111's UI: steps 1–150, default 20).
    expect(hover('1boy\nSte|ps: 28')).toMatch(/Takes .*1.*150.*A1111's default: `20`/);
    expect(hover('1boy\nSteps: 28, RN|G: CPU')).toContain('one of `GPU`, `CPU`, `NV`');
  });

  it('says a key A1111 does not write is kept as it is', () => {
    expect(hover('1boy\nSteps: 28, Fl|avor: mild')).toBe('**Flavor**: not a setting A1111 writes; kept as it is.');
    expect(covered('1boy\nSteps: 28, Fl|avor: mild')).toBe('1boy\nSteps: 28, [Flavor]: mild');
  });

  it('shows what each style adds and the counts with the styles applied', () => {
    const styles = new Map([
      ['anime', { name: 'anime', prompt: '{prompt}, anime screencap', negativePrompt: '', line: 2 }],
      ['quality', { name: 'quality', prompt: 'best quality', negativePrompt: 'lowres', line: 3 }],
    ]);
    const text = hover('1boy, solo\nNegative prompt: text\nSteps: 28, Sty|les: "anime, quality, gone"', service({ styles }));
    expect(text).toContain('**anime** — A1111 style\n\nPrompt: `{prompt}, anime screencap`\n\nNegative prompt: *(nothing)*');
    expect(text).toContain('**gone**: not in your styles.csv; A1111 adds nothing for it.');
    // Estimated: "1boy, solo, anime screencap, best quality" and "text, lowres".
    expect(text).toMatch(/With the styles: prompt \d+ tokens, negative prompt \d+ tokens \(A1111's count\)\./);
  });
});

describe('hover on schedules, variants and networks', () => {
  it("shows which text A1111 conditions on at which steps, the block's Steps", () => {
    const text = hover('[c|at:dog dog dog:10], cow\nSteps: 20');
    expect(text).toContain('**Schedule** over 20 steps');
    expect(text).toContain('- steps 1–10: `cat, cow` — 3 tokens\n- steps 11–20: `dog dog dog, cow` — 5 tokens');
  });

  it('shows each AND part of a schedule with its weight', () => {
    const text = hover('[c|at:dog:5] AND x :0.5\nSteps: 10');
    expect(text).toContain('AND part 1, weight 1:\n- steps 1–5: `cat`');
    expect(text).toContain('AND part 2, weight 0.5:\n- steps 1–10: `x`');
  });

  it('counts the combinations of a Dynamic Prompts variant and draws three for the seed', () => {
    const text = hover('{r#ed|blue} hair, {cat|dog}\nSeed: 1', undefined, '#');
    expect(text).toContain('**Dynamic Prompts variant**');
    expect(text).toContain('The prompt makes 4 combinations.');
    expect(text).toMatch(/For seeds 1, 2 and 3:\n- `(red|blue) hair, (cat|dog)`\n- `.*`\n- `.*`/);
    expect(text).toContain('Token count 4 over every combination.');
    expect(covered('{r#ed|blue} hair\nSeed: 1', undefined, '#')).toBe('[{red|blue}] hair\nSeed: 1');
    expect(hover('{r#ed|blue} hair', undefined, '#')).toContain('Give the block a `Seed:` to see the prompts the extension would draw for it.');
  });

  it('shows a LoRA with its facts, and says when the folders do not have it', () => {
    const entry: CatalogEntry = { kind: 'lora', name: 'knight', subfolder: '', file: '/loras/knight.safetensors', size: 2048, a1111: { preferredWeight: 0.7 } };
    const svc = service({ networks: new NetworkCatalog([entry], []), loraNames: ['knight'] });
    const text = hover('1boy, <lora:kni|ght:0.7>', svc);
    expect(text).toContain('**lora** `knight`, weight 0.7. A1111 removes it from the prompt text before tokenizing.');
    expect(text).toContain('**knight** — LoRA');
    expect(text).toContain('preferred weight 0.7');
    expect(covered('1boy, <lora:kni|ght:0.7>', svc)).toBe('1boy, [<lora:knight:0.7>]');
    expect(hover('1boy, <lora:oth|er>', svc)).toBe('**lora** `other`, weight 1. A1111 removes it from the prompt text before tokenizing.\n\nNot found in the LoRA folders.');
  });
});

describe('weights as the hover writes them', () => {
  it('rounds to four places and names the factors', () => {
    expect(formatWeight(1.1 * 1.1)).toBe('1.21');
    expect(formatWeight(1 / 1.1)).toBe('0.9091');
    expect(weightDoc(1.5, [1.5])).toBe('Effective weight **1.5**.');
    expect(weightDoc(1, [])).toBe('Effective weight **1** (no brackets).');
  });
});

describe('hover in a Dynamic Prompts section', () => {
  it('explains BREAK without chunk numbers (they belong to each expansion), and survives a template of 200,000 items', () => {
    expect(hover('{red|blue} hair BR^EAK smile', undefined, '^')).toBe('**BREAK** ends the 75-token chunk it is in and starts the next one, in each expansion of the template.');
    const big = `${'{a|b}, '.repeat(200_000)}{sm^ile|frown}`;
    expect(hover(big, undefined, '^')).toContain('**Dynamic Prompts variant**');
  });
});
