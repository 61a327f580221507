import { describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver';
import { codeActions } from '../../server/features/codeActions';
import { diagnose } from '../../server/features/diagnostics';
import { hover as hoverAt } from '../../server/features/hover';
import { inlayHints } from '../../server/features/inlayHints';
import { legend, semanticTokens } from '../../server/features/semanticTokens';
import { documentSymbols, foldingRanges } from '../../server/features/symbols';
import { tokenCountAt } from '../../server/features/tokenCount';
import { analyse, atCursor, service } from './helpers';

const URI = 'file:///test.sdprompt';

function hover(marked: string): string {
  const { analysis, position } = atCursor(marked);
  const result = hoverAt(service(), analysis, position) as Hover | null;
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

// The cases of hover and code actions are the service's (test/core/service/hover.test.ts, codeActions.test.ts);
// these check what the adapters add: LSP ranges, markdown, kinds, and the diagnostic without its fix data.
describe('hover over LSP', () => {
  it('gives the service’s markdown with an LSP range', () => {
    const { analysis, position } = atCursor('1boy,\n((be|st quality))');
    expect(hoverAt(service(), analysis, position)).toEqual({
      contents: { kind: 'markdown', value: service().hover(analysis, analysis.doc.lines.offsetAt(position))!.markdown },
      range: { start: { line: 1, character: 2 }, end: { line: 1, character: 14 } },
    });
    expect(hover('1boy, ((be|st quality))')).toContain('Effective weight **1.21** = 1.1 × 1.1.');
  });

  it('answers null where the service has nothing to say', () => {
    const { analysis, position } = atCursor('# a com|ment\n1boy');
    expect(hoverAt(service(), analysis, position)).toBeNull();
  });
});

describe('code actions over LSP', () => {
  it('gives a quick fix with its LSP kind, the diagnostic without its data, and the edit for the document', () => {
    const fix = actions('1boy,\nbest qual|ty').find((a) => a.title === "Replace 'best qualty' with 'best quality'");
    expect(fix).toEqual({
      title: "Replace 'best qualty' with 'best quality'",
      kind: 'quickfix',
      diagnostics: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 11 } }, severity: 2, code: 'near-miss', source: 'tagsmith', message: expect.any(String) }],
      isPreferred: true,
      edit: { changes: { [URI]: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 11 } }, newText: 'best quality' }] } },
    });
    expect(apply('1boy, best qual|ty', "Replace 'best qualty' with 'best quality'")).toBe('1boy, best quality');
  });

  it('maps refactorings to LSP kinds, without isPreferred or diagnostics', () => {
    const kinds = (marked: string, svc = service()): Array<[string, unknown, boolean]> => {
      const { analysis, position } = atCursor(marked);
      return codeActions(svc, analysis, { start: position, end: position }, URI).map((a) => [a.title, a.kind, 'diagnostics' in a || 'isPreferred' in a]);
    };
    expect(kinds('1boy, ((sm|ile))')).toContainEqual(['Write as (…:1.21)', 'refactor.rewrite', false]);
    expect(kinds('1boy, fate (ser|ies)')).toContainEqual(['Escape the brackets: \\(series\\)', 'quickfix', false]);
    const styles = new Map([['anime', { name: 'anime', prompt: '{prompt}, anime screencap', negativePrompt: '', line: 2 }]]);
    expect(kinds('1boy|\nSteps: 28, Styles: anime', service({ styles }))).toContainEqual(["Apply styles 'anime' to this block", 'refactor.inline', false]);
  });

  it('applies edits of several lines', () => {
    expect(apply('1boy, so|lo\nSteps: 28', 'Insert the light negative preset (adds a Negative prompt: line)')).toBe(
      '1boy, solo\nNegative prompt: lowres, jpeg artifacts, worst quality, watermark, blurry, bad aesthetic, 1girl, breasts\nSteps: 28',
    );
  });
});

describe('semantic tokens', () => {
  it('marks card tags by kind, dictionary tags by category, weights, BREAK, networks and keys', () => {
    const analysis = analyse('best quality, (long hair:1.2) BREAK <lora:a:1>, fate (series), year 2020\nSteps: 28');
    const { data } = semanticTokens(service(), analysis);
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
