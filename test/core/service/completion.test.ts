// Completion through the language service, in offsets: each case types up to the `|`, accepts one item
// and asserts the text that results, as css-languageservice's completion tests do (`resultText`).
import { describe, expect, it } from 'vitest';
import { NetworkCatalog, type CatalogEntry } from '../../../core/networks';
import { WildcardCatalog } from '../../../core/template/catalog';
import { WildcardLibrary } from '../../../core/template/wildcards';
import type { PromptCompletionItem, PromptService } from '../../../core/service';
import { atCursor, resultText, service } from '../../server/helpers';

/** What VS Code inserts for a snippet: placeholders and the first choice as text, with where the first tab stop lands. */
export function expandSnippet(snippet: string): { text: string; cursor: number } {
  let text = '';
  const stops: Array<{ n: number; at: number }> = [];
  const unescape = (s: string): string => s.replace(/\\([\\$}|,])/g, '$1');
  let i = 0;
  while (i < snippet.length) {
    const c = snippet[i]!;
    if (c === '\\' && i + 1 < snippet.length) {
      text += snippet[i + 1];
      i += 2;
      continue;
    }
    const m = /^\$(?:(\d+)|\{(\d+)(?::((?:\\.|[^\\}])*)|\|((?:\\.|[^\\|])*)\|)?\})/.exec(snippet.slice(i));
    if (c === '$' && m) {
      const n = Number(m[1] ?? m[2]);
      stops.push({ n, at: text.length });
      if (m[3] !== undefined) text += unescape(m[3]);
      else if (m[4] !== undefined) text += unescape(m[4].split(/(?<!\\),/)[0]!);
      i += m[0].length;
      continue;
    }
    text += c;
    i++;
  }
  const first = stops.filter((s) => s.n > 0).sort((a, b) => a.n - b.n)[0] ?? stops.find((s) => s.n === 0);
  return { text, cursor: first ? first.at : text.length };
}

/**
 * The text after accepting `item`, with `marker` where the cursor ends: after the inserted text (as
 * resultText marks it), or at the first tab stop of a snippet, its placeholder and first choice inserted.
 */
function accept(text: string, item: PromptCompletionItem, marker = '|'): string {
  const inserted = item.snippet ? expandSnippet(item.edit.newText) : { text: item.edit.newText, cursor: item.edit.newText.length };
  const main = { ...item.edit, newText: inserted.text };
  const edits = [main, ...(item.additionalEdits ?? [])].sort((x, y) => x.start - y.start);
  let out = '';
  let at = 0;
  let cursor = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start);
    if (edit === main) cursor = out.length + inserted.cursor;
    out += edit.newText;
    at = edit.end;
  }
  out += text.slice(at);
  return `${out.slice(0, cursor)}${marker}${out.slice(cursor)}`;
}

function completion(marked: string, svc: PromptService = service(), marker = '|') {
  const { analysis, offset, text } = atCursor(marked, undefined, marker);
  return { list: svc.completion(analysis, offset), text };
}
const labels = (marked: string, svc?: PromptService): string[] => completion(marked, svc).list.items.map((i) => i.label);
function itemOf(marked: string, label: string, svc?: PromptService, marker = '|'): PromptCompletionItem {
  const found = completion(marked, svc, marker).list.items.find((i) => i.label === label);
  if (!found) throw new Error(`no item ${label} for ${JSON.stringify(marked)}: ${completion(marked, svc, marker).list.items.slice(0, 20).map((i) => i.label).join(' / ')}`);
  return found;
}
/** `marked` with the item labelled `label` accepted; `marker` marks the cursor (`|` unless the text holds one). */
function completeText(marked: string, label: string, svc?: PromptService, marker = '|'): string {
  return accept(atCursor(marked, undefined, marker).text, itemOf(marked, label, svc, marker), marker);
}

const lora = (name: string, extra: Partial<CatalogEntry> = {}): CatalogEntry => ({ kind: 'lora', name, subfolder: '', file: `/loras/${name}.safetensors`, size: 1024, ...extra });

describe('snippet expansion in the test helper', () => {
  it('inserts placeholders and first choices, the cursor at the first tab stop', () => {
    expect(expandSnippet('name:${1:0.8}>')).toEqual({ text: 'name:0.8>', cursor: 5 });
    expect(expandSnippet('${1|a\\, b,c|}')).toEqual({ text: 'a, b', cursor: 0 });
    expect(expandSnippet('x$0y')).toEqual({ text: 'xy', cursor: 1 });
  });
});

describe('completion in a prompt', () => {
  it('completes a card tag', () => {
    expect(completeText('1boy, best qu|', 'best quality')).toBe('1boy, best quality|');
    expect(completeText('1boy, best qu|, solo', 'best quality')).toBe('1boy, best quality|, solo');
  });

  it('completes a dictionary tag from the fixture dictionary', () => {
    expect(completeText('1boy, long ha|', 'long hair')).toBe('1boy, long hair|');
    expect(completeText('1boy, fate|', 'fate (series)')).toBe('1boy, fate \\(series\\)|');
  });

  it('completes a dictionary tag typed by its alias', () => {
    expect(completeText('1boy, longh|', 'long hair')).toBe('1boy, long hair|');
    const item = itemOf('1boy, longh|', 'long hair');
    expect(item).toMatchObject({ kind: 'tag', detail: 'general · 4.4M posts · alias longhair', filterText: 'longh', data: { tag: 'long_hair', alias: 'longhair' } });
    expect(item.documentation).toBeUndefined();
    expect(service().resolveCompletion(item).documentation).toBe('**long_hair** — general, 4,350,743 posts\n\nYou typed the alias `longhair`.\n\nAliases: `/lh`, `longhair`');
  });

  it('replaces only the tag being typed: inside brackets, after BREAK, after the negative label', () => {
    expect(completeText('1boy, (long h|:1.2)', 'long hair')).toBe('1boy, (long hair|:1.2)');
    expect(completeText('1boy BREAK long h|', 'long hair')).toBe('1boy BREAK long hair|');
    expect(completeText('1boy\nNegative prompt: worst q|', 'worst quality')).toBe('1boy\nNegative prompt: worst quality|');
  });

  it('completes inside a {a|b} variant', () => {
    expect(completeText('1boy, {short hair|long h‸}', 'long hair', undefined, '‸')).toBe('1boy, {short hair|long hair‸}');
    expect(completeText('1boy, {long h‸|short hair}', 'long hair', undefined, '‸')).toBe('1boy, {long hair‸|short hair}');
    expect(completeText('1boy, {2$$long h‸|short hair}', 'long hair', undefined, '‸')).toBe('1boy, {2$$long hair‸|short hair}');
    expect(completeText('1boy, {red|blue} long h‸', 'long hair', undefined, '‸')).toBe('1boy, {red|blue} long hair‸');
  });

  it('completes the quality suffix and a whole settings line', () => {
    expect(completeText('1boy, |', 'best quality, amazing quality, best aesthetic, absurdres')).toBe('1boy, best quality, amazing quality, best aesthetic, absurdres|');
    expect(completeText('1boy, solo\nSte|', 'Steps: 28, Sampler: Euler a, CFG scale: 5, Seed: -1, Size: 832x1216')).toBe(
      '1boy, solo\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: -1, Size: 832x1216|',
    );
  });

  it('offers the trigger words of the LoRA just before, as one choice', () => {
    const svc = service({ loraNames: ['knight'], networks: new NetworkCatalog([lora('knight', { a1111: { activationText: 'silver armor' }, civitai: { trainedWords: ['knight, helmet'] } as never })], []) });
    const item = itemOf('<lora:knight:1>, |', 'silver armor', svc);
    expect(item).toMatchObject({ kind: 'snippet', snippet: true, edit: { newText: '${1|silver armor,knight\\, helmet|}' } });
    expect(completeText('<lora:knight:1>, |', 'silver armor', svc)).toBe('<lora:knight:1>, |silver armor');
  });

  it('completes a workspace tag, escaping brackets', () => {
    const svc = service({ workspaceTags: new Map([['silver (metal)', 3]]) });
    expect(completeText('1boy, silv|', 'silver (metal)', svc)).toBe('1boy, silver \\(metal\\)|');
  });

  it('completes an embedding by name and as ComfyUI writes it', () => {
    const svc = service({ networks: new NetworkCatalog([], [{ kind: 'embedding', name: 'easynegative', subfolder: '', file: '/e/easynegative.pt', size: 10 }]) });
    expect(completeText('1boy\nNegative prompt: easyn|', 'easynegative', svc)).toBe('1boy\nNegative prompt: easynegative|');
    expect(completeText('1boy\nNegative prompt: embedding:easy|', 'embedding:easynegative', svc)).toBe('1boy\nNegative prompt: embedding:easynegative|');
  });

  it('offers nothing on a comment line', () => {
    expect(labels('# best qu|')).toEqual([]);
  });
});

describe('completion in the settings line', () => {
  it('completes a key with its colon', () => {
    expect(completeText('1boy\nSteps: 28, Sa|', 'Sampler')).toBe('1boy\nSteps: 28, Sampler: |');
    expect(labels('1boy\nSteps: 28, S|')).not.toContain('Steps');
  });

  it('completes a sampler, the recommended one first', () => {
    expect(completeText('1boy\nSteps: 28, Sampler: |', 'Euler a')).toBe('1boy\nSteps: 28, Sampler: Euler a|');
    expect(completeText('1boy\nSteps: 28, Sampler: DPM|', 'DPM++ 2M Karras')).toBe('1boy\nSteps: 28, Sampler: DPM++ 2M Karras|');
    expect(completion('1boy\nSteps: 28, Sampler: |').list.items[0]).toMatchObject({ label: 'Euler a', kind: 'choice', detail: 'Recommended by the AnimeBoysXL card' });
  });

  it('completes a trained size and the recommended steps', () => {
    expect(completeText('1boy\nSteps: 28, Size: 10|', '1024x1024')).toBe('1boy\nSteps: 28, Size: 1024x1024|');
    expect(completeText('1boy\nCFG scale: 5, Steps: |', '28')).toBe('1boy\nCFG scale: 5, Steps: 28|');
  });

  it('completes a style name after those chosen', () => {
    const svc = service({ styles: new Map([['anime', { name: 'anime', prompt: '{prompt}, anime', negativePrompt: '', line: 2 }], ['sketch', { name: 'sketch', prompt: 'sketch', negativePrompt: '', line: 3 }]]) });
    expect(labels('1boy\nSteps: 28, Styles: "anime, |', svc)).toEqual(['sketch']);
    expect(completeText('1boy\nSteps: 28, Styles: "anime, sk|', 'sketch', svc)).toBe('1boy\nSteps: 28, Styles: "anime, sketch|');
  });
});

describe('completion of extra networks', () => {
  it('completes the network type', () => {
    expect(completeText('1boy, <lo|', 'lora')).toBe('1boy, <lora:|');
    expect(itemOf('1boy, <lo|', 'lora', service({ vscodeCommands: true })).command).toEqual({ title: 'Suggest', command: 'editor.action.triggerSuggest' });
  });

  it('completes a LoRA name with its weight as a tab stop', () => {
    const svc = service({ loraNames: ['animeboy_style', 'lineart'] });
    expect(labels('1boy, <lora:|', svc)).toEqual(['animeboy_style', 'lineart']);
    expect(completeText('1boy, <lora:an|', 'animeboy_style', svc)).toBe('1boy, <lora:animeboy_style:|1>');
    // Closed already: the name only.
    expect(completeText('1boy, <lora:an|:0.5>', 'animeboy_style', svc)).toBe('1boy, <lora:animeboy_style|:0.5>');
  });

  it("inserts the sidecar's preferred weight, and documents the LoRA on resolve", () => {
    const svc = service({ loraNames: ['knight'], networks: new NetworkCatalog([lora('knight', { a1111: { preferredWeight: 0.8 } })], []) });
    expect(completeText('1boy, <lora:kn|', 'knight', svc)).toBe('1boy, <lora:knight:|0.8>');
    const item = itemOf('1boy, <lora:kn|', 'knight', svc);
    expect(item.documentation).toBeUndefined();
    expect(svc.resolveCompletion(item).documentation).toContain('**knight** — LoRA');
  });
});

describe('completion of wildcards', () => {
  const wildcards = (files: Array<{ path: string; content: string }>): WildcardCatalog =>
    new WildcardCatalog(new WildcardLibrary(files), files.map((f) => ({ ...f, file: `/wildcards/${f.path}` })));
  const svc = service({ wildcards: wildcards([{ path: 'hair.txt', content: 'long hair\nshort hair\n' }, { path: 'sub/hat.txt', content: 'cap\n' }]) });

  it('completes __ with a collection name', () => {
    expect(completeText('1boy, __ha|', '__hair__', svc)).toBe('1boy, __hair__|');
    expect(itemOf('1boy, __ha|', '__hair__', svc).detail).toBe('2 options: long hair, short hair');
  });

  it('replaces through a closing __, and finds nested names by their last part', () => {
    expect(completeText('1boy, __ha|__, solo', '__hair__', svc)).toBe('1boy, __hair__|, solo');
    expect(completeText('1boy, __hat|', '__sub/hat__', svc)).toBe('1boy, __sub/hat__|');
  });
});

describe('settings values from the vocabulary', () => {
  it('offers the values of enum keys and the schedule types A1111 1.10 names', async () => {
    const { atCursor, service } = await import('../../server/helpers');
    const labels = (marked: string): string[] => {
      const { analysis, offset } = atCursor(marked);
      return service().completion(analysis, offset).items.map((i) => i.label);
    };
    expect(labels('1boy\nSteps: 20, RNG: |')).toEqual(['GPU', 'CPU', 'NV']);
    expect(labels('1boy\nSteps: 20, Emphasis: |')).toEqual(['None', 'Ignore', 'Original', 'No norm']);
    expect(labels('1boy\nSteps: 20, Schedule type: |')).toEqual(['Automatic', 'Uniform', 'Karras', 'Exponential', 'Polyexponential', 'SGM Uniform', 'KL Optimal', 'Align Your Steps', 'Simple', 'Normal', 'DDIM', 'Beta']);
  });
});
