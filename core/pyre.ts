// Python `re` and `float()` semantics that JavaScript's RegExp and Number() do not share.
// A1111 runs on Python; where our results must match its to the bit, we match these too.

/** Characters Python's `str.isspace()` (and so `\s` in a str pattern) accepts. JS `\s` differs:
 * it takes U+FEFF and misses U+001C–U+001F and U+0085. */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Python's `\d` in a str pattern: any Unicode decimal digit (category Nd). Use with the `u` flag. */
export const PY_DIGIT = '\\p{Nd}';

/** Python's `\w` in a str pattern: letters, numbers (Nd, Nl, No) and underscore; combining marks are not. */
export const PY_WORD = '\\p{L}\\p{N}_';

/** `str.isspace()` by code unit, without a regex: the lexers call this for every character. */
export function isPySpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

const wordChar = new RegExp(`[${PY_WORD}]`, 'u');
const decimalDigit = /\p{Nd}/u;

export function isPyWordChar(ch: string | undefined): boolean {
  return ch !== undefined && ch !== '' && wordChar.test(ch);
}

/** Value 0–9 of a Unicode decimal digit. Unicode encodes every Nd digit in runs of ten, 0 to 9. */
function digitValue(cp: number): number {
  let start = cp;
  while (start > 0 && decimalDigit.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/**
 * Python's `float()` for strings made of an optional sign, decimal digits (any script) and dots —
 * the only strings A1111's weight pattern `[+-]?[.\d]+` lets through. Returns `undefined` where Python
 * raises ValueError (`.`, `1.2.3`, `+`).
 */
export function pyFloat(text: string): number | undefined {
  let ascii = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '.' || ch === '+' || ch === '-') ascii += ch;
    else if (cp >= 0x30 && cp <= 0x39) ascii += ch;
    else if (decimalDigit.test(ch)) ascii += String(digitValue(cp));
    else return undefined;
  }
  // Python's grammar for these characters: sign? (digits '.'? digits? | '.' digits)
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(ascii)) return undefined;
  // Both Python and JavaScript round decimal strings correctly, so the doubles agree.
  return Number(ascii);
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (as JavaScript's), in fixed notation for
 * exponents -4 to 15 with at least one fractional digit, else as d.ddde±XX. Infinities print as 1e999 and -1e999
 * (valid JSON that reads back as infinity), NaN as null.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'null';
  if (!Number.isFinite(x)) return x > 0 ? '1e999' : '-1e999';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1);
  return `${sign}${whole}.${frac === '' ? '0' : frac}`;
}
