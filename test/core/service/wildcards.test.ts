// sd-dynamic-prompts wildcards through the language service: hover on `__name__` and go to definition, in offsets.
import { describe, expect, it } from 'vitest';
import { WildcardCatalog } from '../../../core/template/catalog';
import { WildcardLibrary } from '../../../core/template/wildcards';
import { atCursor, service } from '../../server/helpers';

describe('wildcards: hover and definition', () => {
  const files = [
    { path: 'outfits.txt', content: 'armor\nkimono\nsuit\n' },
    { path: 'sub/colors.yaml', content: 'palette:\n  warm:\n    hair:\n      - red\n      - orange\n' },
  ];
  const svc = service({ wildcards: new WildcardCatalog(new WildcardLibrary(files), files.map((f) => ({ ...f, file: `/wildcards/${f.path}` }))) });

  it('hovers a wildcard with its file and options', () => {
    const { text, offset } = atCursor('1boy, __out|fits__');
    const result = svc.hover(text, offset);
    expect(result).toEqual({ start: 6, end: 17, markdown: '**__outfits__** — Dynamic Prompts wildcard\n\n3 options from `/wildcards/outfits.txt`:\n\n- armor\n- kimono\n- suit' });
  });

  it('says an unknown wildcard is left as written', () => {
    const { text, offset } = atCursor('1boy, __nope|__');
    expect(svc.hover(text, offset)?.markdown).toBe('**__nope__** — Dynamic Prompts wildcard\n\nNo wildcard file defines it: Dynamic Prompts leaves it as written.');
  });

  it('goes to the definition: a .txt file, and the line of a YAML key', () => {
    const at = (marked: string) => {
      const { text, offset } = atCursor(marked);
      return svc.definition(text, offset);
    };
    expect(at('__out|fits__, x')).toEqual({ file: '/wildcards/outfits.txt', line: 0, character: 0 });
    expect(at('x, __sub/palette/warm/h|air__')).toEqual({ file: '/wildcards/sub/colors.yaml', line: 2, character: 0 });
    expect(at('x, __out*|__')).toBeUndefined();
    expect(at('1b|oy, __outfits__')).toBeUndefined();
    expect(service().definition('__outfits__', 3)).toBeUndefined();
  });
});
