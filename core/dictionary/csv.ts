// Reads a1111 tag-autocomplete CSV files (`name,category,postCount,"alias1,alias2"`) into a compact table.
// Hand-written rather than papaparse: the 140k-tag danbooru.csv takes papaparse ~300 ms on our 2-core
// machine before any indexing, while this scanner records field offsets into the file's own text
// without making a string per field (bench/server.bench.ts measures it). Every bad row is reported
// with its line number; the scanner never throws.

export interface CsvProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

/**
 * The rows of a tag file as offsets into `text`: the file's content, then a newline, then the unescaped
 * values of the few quoted fields that hold `""`. Alias ranges hold comma-separated aliases.
 */
export interface TagTable {
  text: string;
  count: number;
  nameStart: Int32Array;
  nameEnd: Int32Array;
  aliasStart: Int32Array;
  aliasEnd: Int32Array;
  category: Int32Array;
  postCount: Float64Array;
}

export interface ScannedTagFile {
  table: TagTable;
  problems: CsvProblem[];
}

/** Problems beyond this many are counted, not listed: a binary file would otherwise give one per line. */
const MAX_LISTED_PROBLEMS = 20;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export function scanTagCsv(content: string): ScannedTagFile {
  const n = content.length;
  // One row per line, nearly always: count the lines once instead of growing the arrays.
  let capacity = 16;
  for (let k = content.indexOf('\n'); k >= 0; k = content.indexOf('\n', k + 1)) capacity++;
  let nameStart = new Int32Array(capacity);
  let nameEnd = new Int32Array(capacity);
  let aliasStart = new Int32Array(capacity);
  let aliasEnd = new Int32Array(capacity);
  let category = new Int32Array(capacity);
  let postCount = new Float64Array(capacity);
  let count = 0;
  const problems: CsvProblem[] = [];
  let unlisted = 0;
  const extra: string[] = [];
  let extraEnd = n + 1;
  let line = 1;
  let i = content.charCodeAt(0) === 0xfeff ? 1 : 0;

  // The field just read: its value's range (into content, or into the extra text), and what ended it.
  let fStart = 0;
  let fEnd = 0;
  let fStop = 'eol' as 'comma' | 'eol';
  let fError = '';

  const report = (atLine: number, message: string): void => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push({ line: atLine, message });
    else unlisted++;
  };

  const skipToLineEnd = (): void => {
    const lf = content.indexOf('\n', i);
    i = lf < 0 ? n : lf + 1;
    line++;
  };

  // Reads one field at `i`; with `toLineEnd`, an unquoted field runs to the end of the line, commas and all.
  const readField = (toLineEnd: boolean): void => {
    fError = '';
    if (content.charCodeAt(i) === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const q = content.indexOf('"', j);
        if (q < 0) {
          fError = 'unterminated quoted field';
          i = n;
          return;
        }
        if (content.charCodeAt(q + 1) === QUOTE) {
          escaped = true;
          j = q + 2;
          continue;
        }
        for (let k = content.indexOf('\n', i); k >= 0 && k < q; k = content.indexOf('\n', k + 1)) line++;
        if (escaped) {
          const value = content.slice(i + 1, q).replace(/""/g, '"');
          fStart = extraEnd;
          fEnd = extraEnd + value.length;
          extra.push(value);
          extraEnd = fEnd;
        } else {
          fStart = i + 1;
          fEnd = q;
        }
        i = q + 1;
        break;
      }
      const c = content.charCodeAt(i);
      if (c === COMMA) {
        fStop = 'comma';
        i++;
      } else if (c === LF || c === CR || i >= n) {
        fStop = 'eol';
      } else {
        fError = 'text after a closing quote';
      }
      return;
    }
    let j = i;
    for (; j < n; j++) {
      const c = content.charCodeAt(j);
      if (c === LF || (c === COMMA && !toLineEnd)) break;
    }
    fStart = i;
    fEnd = j > i && content.charCodeAt(j - 1) === CR ? j - 1 : j;
    if (j < n && content.charCodeAt(j) === COMMA) {
      fStop = 'comma';
      i = j + 1;
    } else {
      fStop = 'eol';
      i = j;
    }
  };

  while (i < n) {
    const rowLine = line;
    // Blank lines are allowed anywhere.
    const first = content.charCodeAt(i);
    if (first === LF || (first === CR && content.charCodeAt(i + 1) === LF)) {
      skipToLineEnd();
      continue;
    }
    readField(false);
    if (fError) {
      report(rowLine, fError);
      if (i < n) skipToLineEnd();
      continue;
    }
    const start = fStart;
    const end = trimEnd(content, fStart, fEnd);
    const bad = badNameReason(content, start, end);
    if (bad || fStop !== 'comma') {
      report(rowLine, bad ?? 'expected name,category,postCount[,"aliases"]; found no comma');
      skipToLineEnd();
      continue;
    }
    readField(false);
    const cat = fError ? NaN : parseWhole(content, fStart, fEnd);
    if (Number.isNaN(cat)) {
      report(rowLine, `category '${clip(content.slice(fStart, fEnd))}' is not a whole number`);
      skipToLineEnd();
      continue;
    }
    let posts = 0;
    let aStart = 0;
    let aEnd = 0;
    if (fStop === 'comma') {
      readField(false);
      posts = fError ? NaN : parseWhole(content, fStart, fEnd);
      if (Number.isNaN(posts)) {
        report(rowLine, `post count '${clip(content.slice(fStart, fEnd))}' is not a whole number`);
        skipToLineEnd();
        continue;
      }
      if (fStop === 'comma') {
        readField(true);
        if (fError) {
          report(rowLine, fError);
          if (i < n) skipToLineEnd();
          continue;
        }
        aStart = fStart;
        aEnd = fEnd;
      }
    }
    if (count === capacity) {
      capacity *= 2;
      nameStart = grow(nameStart, capacity);
      nameEnd = grow(nameEnd, capacity);
      aliasStart = grow(aliasStart, capacity);
      aliasEnd = grow(aliasEnd, capacity);
      category = grow(category, capacity);
      postCount = grow(postCount, capacity);
    }
    nameStart[count] = start;
    nameEnd[count] = end;
    aliasStart[count] = aStart;
    aliasEnd[count] = aEnd;
    category[count] = cat;
    postCount[count] = posts;
    count++;
    if (i < n) skipToLineEnd();
  }
  if (unlisted > 0) problems.push({ line, message: `and ${unlisted} more bad rows` });
  const text = extra.length === 0 ? content : `${content}\n${extra.join('')}`;
  return { table: { text, count, nameStart, nameEnd, aliasStart, aliasEnd, category, postCount }, problems };
}

function grow<T extends Int32Array | Float64Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return end;
}

/** Digits only (blank counts as 0, as tagcomplete writes); NaN for anything else. */
function parseWhole(text: string, start: number, end: number): number {
  while (start < end && text.charCodeAt(start) === 32) start++;
  end = trimEnd(text, start, end);
  let value = 0;
  for (let k = start; k < end; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

// A name holding control characters or U+FFFD came from a binary file or a wrong encoding.
function badNameReason(text: string, start: number, end: number): string | undefined {
  if (end <= start) return 'empty tag name';
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if ((c < 32 && c !== 9) || c === 0xfffd) return 'tag name holds control or invalid characters; is this a UTF-8 CSV text file?';
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}
