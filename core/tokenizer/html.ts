// The two HTML-unescaping rules CLIP tokenizers apply to prompt text:
//  - ftfy's `unescape_html` (inside `fix_text`, both encoders): only `&name;` / `&#n;` forms that end in ';',
//    plus ftfy's all-caps names such as `&EACUTE;`;
//  - Python's `html.unescape` (open_clip's `basic_clean` runs it twice, encoder 2 only): also legacy names
//    without ';' (`&amp`, `&copy2` -> '©2') and numeric references without ';'.
// htmlEntities.ts is generated from Python's table by gen-html-entities.py.

import { FTFY_UPPERCASE_ENTITIES, HTML5_ENTITIES, HTML5_LEGACY_NAMES } from './htmlEntities';

// Python's html._invalid_charrefs: numeric references HTML maps elsewhere (Windows-1252 for 0x80-0x9f).
const INVALID_CHARREFS: ReadonlyMap<number, string> = new Map<number, string>([
  [0x00, '\ufffd'], [0x0d, '\r'], [0x80, '\u20ac'], [0x81, '\x81'], [0x82, '\u201a'], [0x83, '\u0192'],
  [0x84, '\u201e'], [0x85, '\u2026'], [0x86, '\u2020'], [0x87, '\u2021'], [0x88, '\u02c6'], [0x89, '\u2030'],
  [0x8a, '\u0160'], [0x8b, '\u2039'], [0x8c, '\u0152'], [0x8d, '\x8d'], [0x8e, '\u017d'], [0x8f, '\x8f'],
  [0x90, '\x90'], [0x91, '\u2018'], [0x92, '\u2019'], [0x93, '\u201c'], [0x94, '\u201d'], [0x95, '\u2022'],
  [0x96, '\u2013'], [0x97, '\u2014'], [0x98, '\u02dc'], [0x99, '\u2122'], [0x9a, '\u0161'], [0x9b, '\u203a'],
  [0x9c, '\u0153'], [0x9d, '\x9d'], [0x9e, '\u017e'], [0x9f, '\u0178'],
]);

/** Python's html._invalid_codepoints: numeric references that decode to nothing. */
function isInvalidCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  );
}

/** Python's `html._replace_charref` for a numeric reference body such as `#x2019` (no ';'). */
function numericReference(body: string): string {
  const hex = body[1] === 'x' || body[1] === 'X';
  // Python's int() is exact for any length; beyond 0x10FFFF the answer is U+FFFD either way.
  const num = hex ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
  const special = INVALID_CHARREFS.get(num);
  if (special !== undefined) return special;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  if (isInvalidCodepoint(num)) return '';
  return String.fromCodePoint(num);
}

// Python: `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)`
const PY_CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

// Maps, not the object literals: names such as `constructor` must not reach Object.prototype.
let entities: Map<string, string> | undefined;
let caps: Map<string, string> | undefined;
let legacyNames: Set<string> | undefined;
const entity = (name: string): string | undefined =>
  (entities ??= new Map(Object.entries(HTML5_ENTITIES))).get(name);
const capsEntity = (name: string): string | undefined =>
  (caps ??= new Map(Object.entries(FTFY_UPPERCASE_ENTITIES))).get(name);

function namedReference(body: string): string {
  // `body` may or may not end in ';'. Python looks the whole body up in html5 (whose keys carry the ';'),
  // then the longest prefix of at least 2 characters.
  if (body.endsWith(';')) {
    const value = entity(body.slice(0, -1));
    if (value !== undefined) return value;
  }
  legacyNames ??= new Set(HTML5_LEGACY_NAMES);
  if (legacyNames.has(body)) return entity(body)!;
  for (let x = body.length - 1; x > 1; x--) {
    const prefix = body.slice(0, x);
    // Only legacy names can match without their ';' (a body holds ';' only at its end).
    if (legacyNames.has(prefix)) return entity(prefix)! + body.slice(x);
  }
  return '&' + body;
}

/** Python's `html.unescape(text)`. */
export function pyHtmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(PY_CHARREF, (_match, body: string) =>
    body.startsWith('#') ? numericReference(body.endsWith(';') ? body.slice(0, -1) : body) : namedReference(body),
  );
}

// ftfy.chardata.HTML_ENTITY_RE (ASCII letters and digits only).
const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

/** ftfy's `fixes.unescape_html`: unambiguous references that end in ';' only. */
export function ftfyUnescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(FTFY_ENTITY, (match) => {
    const name = match.slice(1, -1);
    const named = entity(name) ?? capsEntity(name);
    if (named !== undefined) return named;
    if (match.startsWith('&#')) {
      // ftfy keeps the text when html.unescape decodes only a prefix of it (e.g. `&#12ab;`).
      const unescaped = pyHtmlUnescape(match);
      return unescaped.includes(';') ? match : unescaped;
    }
    return match;
  });
}
