// The parts of ftfy's `fix_text` (default TextFixerConfig, ftfy 6.x) that change prompt text. Both of
// A1111's SDXL tokenizers run it first: Hugging Face's CLIPTokenizer (`self.fix_text = ftfy.fix_text`) and
// open_clip's `basic_clean`.
//
// Reproduced, in ftfy's order, each step repeated until the text stops changing, line by line:
//   unescape_html (only while no line so far held '<'), fix_c1_controls, fix_latin_ligatures,
//   fix_character_width, uncurl_quotes, fix_line_breaks, fix_surrogates, remove_terminal_escapes,
//   remove_control_chars, NFC.
// Skipped: `fix_encoding` (mojibake repair such as 'Ã©' -> 'é'). It rests on ftfy's "badness" heuristic, a
// large table of character classes tuned by hand; it changes only text that already looks broken, which a
// prompt typed in an editor is not. Text such as 'Ã©' therefore tokenizes as typed, where A1111 might
// first repair it.

import { ftfyUnescapeHtml } from './html';

// Windows-1252 for 0x80-0x9f; "sloppy": the five undefined bytes stay as they are.
const CP1252_C1 = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

const LIGATURES: Readonly<Record<string, string>> = {
  '\u0132': 'IJ', '\u0133': 'ij', '\u0149': '\u02bcn', '\u01f1': 'DZ', '\u01f2': 'Dz', '\u01f3': 'dz',
  '\u01c4': 'D\u017d', '\u01c5': 'D\u017e', '\u01c6': 'd\u017e', '\u01c7': 'LJ', '\u01c8': 'Lj', '\u01c9': 'lj',
  '\u01ca': 'NJ', '\u01cb': 'Nj', '\u01cc': 'nj', '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi',
  '\ufb04': 'ffl', '\ufb05': '\u017ft', '\ufb06': 'st',
};
const LIGATURE_RE = /[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;

// ftfy's WIDTH_MAP: U+3000 -> space, and U+FF01..U+FFEF -> their NFKC form where that differs.
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
const widthOf = (ch: string): string => (ch === '\u3000' ? ' ' : ch.normalize('NFKC'));

const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;
const C1_RE = /[\x80-\x9f]/g;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Python's `\d` in a str pattern is any Unicode decimal digit.
const ANSI_RE = /\x1b\[(?:\p{Nd}|;)*[a-zA-Z]/gu;
// remove_control_chars: C0 controls but \t \n \f \r, DEL, deprecated Arabic format controls, BOM, U+FFF9-FFFC.
const CONTROL_RE = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/** Characters any fix can touch (besides NFC): text without them skips straight to NFC. */
const NEEDS_FIX_RE = /[&\x00-\x08\x0b\x0d\x0e-\x1f\x7f-\x9f\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\u02bc\u2018-\u201f\u2028\u2029\u206a-\u206f\u3000\ud800-\udfff\ufb00-\ufb06\ufeff\uff01-\uffef\ufff9-\ufffc]/;

function fixSegment(segment: string, unescapeHtml: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (NEEDS_FIX_RE.test(text)) {
      if (unescapeHtml) text = ftfyUnescapeHtml(text);
      text = text.replace(C1_RE, (ch) => CP1252_C1[ch.charCodeAt(0) - 0x80]!);
      text = text.replace(LIGATURE_RE, (ch) => LIGATURES[ch]!);
      text = text.replace(WIDTH_RE, widthOf);
      text = text.replace(DOUBLE_QUOTE_RE, '"').replace(SINGLE_QUOTE_RE, "'");
      text = text.replace(/\r\n?|[\u2028\u2029\x85]/g, '\n');
      // Surrogate pairs are already one character in JavaScript; only lone halves remain to replace.
      text = text.replace(LONE_SURROGATE_RE, '\ufffd');
      text = text.replace(ANSI_RE, '');
      text = text.replace(CONTROL_RE, '');
    }
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

/**
 * ftfy's `fix_text(text)` with its default configuration, less `fix_encoding` (see the top of this file).
 * Like ftfy it works line by line, and once a line holds '<' HTML entities stay escaped from then on.
 */
export function fixText(text: string): string {
  let unescapeHtml = true;
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const newline = text.indexOf('\n', pos);
    const end = newline < 0 ? text.length : newline + 1;
    // ftfy also cuts lines longer than 1,000,000 code points; a cut changes nothing these fixes see.
    const segment = text.slice(pos, end);
    if (unescapeHtml && segment.includes('<')) unescapeHtml = false;
    out += fixSegment(segment, unescapeHtml);
    pos = end;
  }
  return out;
}
