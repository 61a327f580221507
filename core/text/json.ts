// Strict JSON (what JSON.parse accepts), with the place of the first error when it fails: JSON.parse reads,
// and on failure jsonc-parser (comments and trailing commas refused) finds the offset and what was expected,
// which V8's messages do not always give.
// The ES module build: the UMD one (package.json main) requires its parts at run time, which a bundle cannot.
import { parse as parseLenient, type ParseError, type ParseErrorCode } from 'jsonc-parser/lib/esm/main.js';

export interface JsonError {
  ok: false;
  offset: number;
  /** 1-based. */
  line: number;
  column: number;
  /** What was expected there (`a value`, `':'`, …). */
  expected: string;
  /** The error is at the end of the text (it was cut short). */
  atEnd: boolean;
}

export type JsonResult = { ok: true; value: unknown } | JsonError;

const EXPECTED: Record<number, string> = {
  1: 'a valid character',
  2: 'a valid number',
  3: 'a property name (a quoted string)',
  4: 'a value',
  5: "':'",
  6: "',' or the end of the object or array",
  7: "'}'",
  8: "']'",
  9: 'the end of the text',
  10: 'no comment (JSON has none)',
  11: 'the end of the comment',
  12: 'a closing quote',
  13: 'the rest of the number',
  14: 'four hex digits after \\u',
  15: 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)',
  16: 'a closing quote (control characters must be escaped)',
};

/** Parses `text` (a leading BOM is skipped); on failure, the 1-based line and column of the first error. */
export function parseJson(text: string): JsonResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const errors: ParseError[] = [];
    parseLenient(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const offset = first?.offset ?? 0;
    const lineStart = body.lastIndexOf('\n', offset - 1) + 1;
    const line = countLines(body, offset);
    const column = offset - lineStart + 1;
    void error;
    return { ok: false, offset, line, column, expected: first ? (EXPECTED[first.error as ParseErrorCode] ?? 'valid JSON') : 'valid JSON', atEnd: offset >= body.length };
  }
}

/** `line 3, column 8: expected a value` (and where the text ends there, says so). */
export function describeJsonError(e: JsonError): string {
  return `line ${e.line}, column ${e.column}: expected ${e.expected}${e.atEnd ? ' (the text ends there)' : ''}`;
}

function countLines(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
