// A1111's get_multicond_prompt_list for one prompt: re_AND.split, then re_weight on each part.
//   re_AND = re.compile(r"\bAND\b")
//   re_weight = re.compile(r"^((?:\s|.)*?)(?:\s*:\s*([-+]?(?:\d+\.?|\d*\.\d+)))?\s*$")
// with Python's Unicode \b, \s and \d (see ../pyre.ts).

import { PY_DIGIT, PY_SPACE, isPySpaceCode, isPyWordChar, pyFloat } from '../pyre';

export interface Subprompt {
  /** The part's text, the weight and trailing whitespace removed (leading whitespace kept). */
  text: string;
  weight: number;
}

function codePointBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(index - 2, index);
  }
  return text[index - 1];
}

function codePointAt(text: string, index: number): string | undefined {
  return index < text.length ? String.fromCodePoint(text.codePointAt(index)!) : undefined;
}

/** Python's `re_AND.split(prompt)`. */
export function splitAnd(prompt: string): string[] {
  const parts: string[] = [];
  let from = 0;
  let search = 0;
  for (;;) {
    const at = prompt.indexOf('AND', search);
    if (at < 0) break;
    if (!isPyWordChar(codePointBefore(prompt, at)) && !isPyWordChar(codePointAt(prompt, at + 3))) {
      parts.push(prompt.slice(from, at));
      from = at + 3;
      search = at + 3;
    } else search = at + 1;
  }
  parts.push(prompt.slice(from));
  return parts;
}

// What may follow the text: `\s*:\s*NUMBER\s*` to the end (`$` also matches before a final newline, which
// `\s*` takes anyway).
const WEIGHT_TAIL = new RegExp(`:[${PY_SPACE}]*([-+]?(?:[${PY_DIGIT}]+\\.?|[${PY_DIGIT}]*\\.[${PY_DIGIT}]+))[${PY_SPACE}]*$`, 'u');

/** Python's `re_weight.search(part).groups()`, with float() of the weight (1.0 when there is none). */
export function splitWeight(part: string): Subprompt {
  // The lazy text group stops at the first place where the rest is `\s*:\s*NUMBER\s*$` or `\s*$`. A weight
  // tail has no colon after its own, so it can only start at the last colon.
  const colon = part.lastIndexOf(':');
  if (colon >= 0) {
    const m = WEIGHT_TAIL.exec(part.slice(colon));
    if (m !== null) {
      const weight = pyFloat(m[1]!);
      if (weight !== undefined) return { text: rstripPy(part.slice(0, colon)), weight };
    }
  }
  return { text: rstripPy(part), weight: 1.0 };
}

function rstripPy(text: string): string {
  let end = text.length;
  while (end > 0 && isPySpaceCode(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/** A1111's AND parts of one prompt, in order, each with its weight. */
export function multicondPromptList(prompt: string): Subprompt[] {
  return splitAnd(prompt).map(splitWeight);
}
