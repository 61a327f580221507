import { describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver';
import { codeActions } from '../../server/features/codeActions';
import { diagnose } from '../../server/features/diagnostics';
import { hover as hoverAt } from '../../server/features/hover';
import { inlayHints } from '../../server/features/inlayHints';
import { legend, semanticTokens } from '../../server/features/semanticTokens';
import { documentSymbols, foldingRanges } from '../../server/features/symbols';
import { tokenCountAt } from '../../server/features/tokenCount';
import { analyse, atCursor, context, service } from './helpers';

const URI = 'file:///test.sdprompt';

function hover(marked: string): string {
  const { analysis, position } = atCursor(marked);
  const result = hoverAt(analysis, position, context()) as Hover | null;
  return result ? (result.contents as { value: string }).value : '';
}

function actions(marked: string): CodeAction[] {
  const { analysis, position } = atCursor(marked);
  return codeActions(service(), analysis, { start: position, end: position }, URI);
}

/** Applies the action titled `title` at the cursor and returns the new text. */
function apply(marked: string, title: string): string {
  const found = actions(marked).find((a) => a.title === title);
  if (!found) throw new Error(`no action '${title}'; have ${actions(marked).map((a) => a.title).join(' | ')}`);
  const { analysis } = atCursor(marked);
  const edits = [...(found.edit!.changes![URI] as TextEdit[])].sort((a, b) => analysis.doc.lines.offsetAt(b.range.start) - analysis.doc.lines.offsetAt(a.range.start));
  let text = analysis.text;
  for (const e of edits) text = text.slice(0, analysis.doc.lines.offsetAt(e.range.start)) + e.newText + text.slice(analysis.doc.lines.offsetAt(e.range.end));
  return text;
}

const diagnostics = (text: string, settings = {}): Diagnostic[] => diagnose(service({ settings }), analyse(text), URI);

describe('diagnostics', () => {
  it('serves the checks of core with LSP severities and related locations', () => {
    const [d] = diagnostics('1boy, solo, 1boy');
    expect(d).toMatchObject({ code: 'duplicate-tag', severity: 2, source: 'tagsmith', range: { start: { line: 0, character: 12 }, end: { line: 0, character: 16 } } });
    expect(d!.relatedInformation?.[0]?.location.range.start.character).toBe(0);
  });

  it('gives the token count of a prompt that needs two chunks', () => {
    // 60 one-letter tags and 59 commas: 119 estimated tokens, chunk 1 holds 75.
    const text = Array.from({ length: 60 }, () => 'a').join(', ');
    const count = diagnostics(text).find((d) => d.code === 'token-count');
    expect(count).toMatchObject({ severity: 3, message: 'Prompt uses 2 chunks: 119/150 tokens (estimated: no CLIP tokenizer could be read)' });
    expect(count!.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
  });

  it('warns where a tag straddles a chunk boundary', () => {
    // One 80-word tag without commas: tokens 1–75 fill chunk 1, 76–80 spill into chunk 2.
    const text = `1boy, ${Array.from({ length: 78 }, () => 'x').join(' ')}`;
    const straddle = diagnostics(text).find((d) => d.code === 'chunk-straddle');
    expect(straddle?.severity).toBe(2);
    expect(straddle?.message).toMatch(/^'x x .*' straddles the boundary of chunks 1 and 2 \(estimated/);
    expect(straddle?.range.start.character).toBe(6);
  });

  it('honours severity overrides, for core checks and token checks alike', () => {
    const text = `1boy, 1boy, ${Array.from({ length: 78 }, () => 'x').join(' ')}`;
    const codes = (settings: object): Array<[unknown, unknown]> => diagnostics(text, { severity: settings }).map((d) => [d.code, d.severity]);
    expect(codes({})).toEqual([['token-count', 3], ['duplicate-tag', 2], ['chunk-straddle', 2]]);
    expect(codes({ 'duplicate-tag': 'hint', 'chunk-straddle': 'error', 'token-count': 'off' })).toEqual([['duplicate-tag', 4], ['chunk-straddle', 1]]);
  });
});

describe('hover', () => {
  it('shows the card entry and the effective weight with how it was computed', () => {
    const text = hover('1boy, ((be|st quality))');
    expect(text).toContain('**best quality** — quality tag of AnimeBoysXL');
    expect(text).toContain('score of >= 150');
    expect(text).toContain('Effective weight **1.21** = 1.1 × 1.1.');
  });

  it('multiplies as A1111 does, innermost first', () => {
    expect(hover('((x|:1.5))')).toContain('Effective weight **1.65** = 1.5 × 1.1.');
    expect(hover('[x|]')).toContain('Effective weight **0.9091**.');
    expect(hover('pla|in')).toContain('Effective weight **1** (no brackets).');
  });

  it('shows rating tags by the rating they stand for', () => {
    expect(hover('1boy, fairly ns|fw')).toContain('Stands for the Danbooru rating *questionable*. No rating tag means general.');
  });

  it('shows the dictionary entry', () => {
    expect(hover('1boy, long h|air')).toContain('**long_hair** — general, 4,350,743 posts\n\nAliases: `/lh`, `longhair`');
    expect(hover('1boy, longh|air')).toContain('Written as the alias `longhair`');
  });

  it('shows the chunk of a tag and of a BREAK', () => {
    expect(hover('a, b BR|EAK c')).toContain('**BREAK** ends chunk 1 (3/75 tokens used) and starts chunk 2');
    expect(hover('a, b BREAK c|')).toContain('In chunk 2 of 2 (1/75 tokens used).');
  });

  it('explains settings keys with the card recommendation', () => {
    const text = hover('1boy\nSteps: 28, Sam|pler: Euler a');
    expect(text).toContain('**Sampler** — The sampling method');
    expect(text).toContain('The AnimeBoysXL card recommends: Euler a.');
    expect(hover('1boy\nSteps: 28, Size: 83|2x1216')).toContain('832x1216 (portrait), 1024x1024 (square), 1216x832 (landscape)');
  });

  it('answers nothing on a comment', () => {
    expect(hover('# a com|ment\n1boy')).toBe('');
  });
});

describe('code actions', () => {
  it('replaces a misspelt card tag', () => {
    expect(apply('1boy, best qual|ty', "Replace 'best qualty' with 'best quality'")).toBe('1boy, best quality');
  });

  it('removes a duplicate, and the losing tag of a conflicting pair', () => {
    expect(apply('1boy, solo, 1bo|y', "Remove '1boy'")).toBe('1boy, solo');
    expect(apply('best quality, wor|st quality, 1boy', "Remove 'worst quality'")).toBe('best quality, 1boy');
  });

  it('fixes a size to the nearest trained size', () => {
    expect(apply('1boy\nSteps: 28, Size: 83|3x1216', 'Use the trained size 832x1216')).toBe('1boy\nSteps: 28, Size: 832x1216');
    expect(apply('1boy\nSteps: 28, Size: 10|24x1032', 'Use the trained size 1024x1024')).toBe('1boy\nSteps: 28, Size: 1024x1024');
  });

  it('inserts a negative preset, creating the Negative prompt line when missing', () => {
    expect(apply('1boy, so|lo\nSteps: 28', 'Insert the light negative preset (adds a Negative prompt: line)')).toBe(
      '1boy, solo\nNegative prompt: lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts\nSteps: 28',
    );
    expect(apply('1boy|\nNegative prompt: nsfw', 'Insert the light negative preset')).toBe(
      '1boy\nNegative prompt: nsfw, lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts',
    );
  });

  it('appends the quality suffix, without the tags already there', () => {
    expect(apply('1boy, so|lo', 'Append the quality suffix')).toBe('1boy, solo, best quality, amazing quality, best aesthetic, absurdres');
    expect(apply('1boy, best quality,| ', 'Append the quality suffix')).toBe('1boy, best quality, amazing quality, best aesthetic, absurdres ');
    expect(actions('1boy, best quality, amazing quality, best aesthetic, absurd|res').map((a) => a.title)).not.toContain('Append the quality suffix');
  });

  it('rewrites ((x)) as (x:1.21) and back', () => {
    expect(apply('1boy, ((sm|ile))', 'Write as (…:1.21)')).toBe('1boy, (smile:1.21)');
    expect(apply('1boy, (sm|ile:1.21)', 'Write as ((…))')).toBe('1boy, ((smile))');
    expect(apply('[[sm|ile]]', 'Write as (…:0.8264)')).toBe('(smile:0.8264)');
    expect(apply('(sm|ile:0.9091)', 'Write as […]')).toBe('[smile]');
    expect(actions('(sm|ile:1.3)').map((a) => a.title).filter((t) => t.startsWith('Write as'))).toEqual([]);
  });

  it('escapes the brackets of a tag name', () => {
    expect(apply('1boy, fate (ser|ies)', 'Escape the brackets: \\(series\\)')).toBe('1boy, fate \\(series\\)');
    expect(actions('1boy, (ser|ies)').map((a) => a.title).some((t) => t.startsWith('Escape'))).toBe(false);
  });

  it('inserts BREAK before a straddling tag', () => {
    const words = Array.from({ length: 78 }, () => 'x').join(' ');
    expect(apply(`1boy, |${words}`, `Insert BREAK before '${words}'`)).toBe(`1boy, BREAK ${words}`);
  });
});

describe('semantic tokens', () => {
  it('marks card tags by kind, dictionary tags by category, weights, BREAK, networks and keys', () => {
    const analysis = analyse('best quality, (long hair:1.2) BREAK <lora:a:1>, fate (series), year 2020\nSteps: 28');
    const { data } = semanticTokens(analysis, context());
    const decoded: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      char = data[i]! === 0 ? char + data[i + 1]! : data[i + 1]!;
      const mods = legend.tokenModifiers.filter((_, bit) => data[i + 4]! & (1 << bit));
      decoded.push(`${line}:${char}+${data[i + 2]} ${legend.tokenTypes[data[i + 3]!]}${mods.length ? `.${mods.join('.')}` : ''}`);
    }
    expect(decoded).toEqual([
      '0:0+12 cardTag.quality.good',
      '0:15+9 tag.general',
      '0:25+3 number',
      '0:30+5 keyword',
      '0:36+10 macro',
      '0:63+9 cardTag.year',
      '1:0+5 property',
    ]);
  });
});

describe('inlay hints, symbols, folding, token count', () => {
  it('shows each prompt’s token count at its end, estimates marked', () => {
    const analysis = analyse('1boy, solo\nNegative prompt: lowres\nSteps: 28');
    const hints = inlayHints(service(), analysis, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } });
    expect(hints.map((h) => [h.position, h.label])).toEqual([
      [{ line: 0, character: 10 }, '~4/75'],
      [{ line: 1, character: 23 }, '~1/75'],
    ]);
  });

  it('names one symbol per block by its first tags, and folds blocks', () => {
    const analysis = analyse('1boy, solo, smile, blue eyes\nNegative prompt: lowres\n---\nx');
    const symbols = documentSymbols(service(), analysis);
    expect(symbols.map((s) => s.name)).toEqual(['1boy, solo, smile', 'x']);
    expect(symbols[0]!.children!.map((c) => c.name)).toEqual(['Prompt', 'Negative prompt']);
    expect(foldingRanges(service(), analysis)).toEqual([{ startLine: 0, endLine: 1, kind: 'region' }]);
  });

  it('answers tagsmith/tokenCount with the chunk breakdown', () => {
    const { analysis, position } = atCursor('a, b BREAK c|');
    expect(tokenCountAt(service(), analysis, position)).toEqual({
      tokenCount: 76,
      chunks: 2,
      estimated: true,
      prompt: 'prompt',
      breakdown: [
        { chunk: 1, tokens: 3, text: 'a, b' },
        { chunk: 2, tokens: 1, text: 'c' },
      ],
    });
  });
});
