// Parses the settings line of a block (`Steps: 28, Sampler: Euler a, CFG scale: 5, ...`) as A1111's
// infotext reader does: its `re_param` pattern, values quoted with JSON string syntax.

import { PY_SPACE, PY_WORD } from '../pyre';
import type { Branch, Leaf, Range, SettingEntry, SettingsLine } from './tree';

// A1111 (modules/infotext_utils.py): \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)
const PARAM = new RegExp(
  `([${PY_SPACE}]*)([${PY_WORD}][${PY_WORD} \\-/]+)(:)([${PY_SPACE}]*)("(?:\\\\.|[^\\\\"])+"|[^,]*)(,|$)`,
  'uy',
);
const STARTS_LIKE_SETTINGS = /^\s*(?:Steps|Sampler|CFG scale|Seed|Size|Model)\s*:/;

/** True when a line is a settings line: three or more `Key: value` pairs, as A1111 requires, or a line
 * that starts with a well-known key (so a settings line being typed is read as one). */
export function isSettingsLine(line: string, byPairs = true): boolean {
  if (STARTS_LIKE_SETTINGS.test(line)) return true;
  if (!byPairs) return false;
  let count = 0;
  for (const _ of paramMatches(line)) if (++count >= 3) return true;
  return false;
}

// Where a match of PARAM can start: spaces, then a key of two or more characters that ends at a colon.
const KEY_RUN = new RegExp(`[${PY_WORD}][${PY_WORD} \\-/]+`, 'uy');
const SPACES = new RegExp(`[${PY_SPACE}]*`, 'uy');

/**
 * The matches of PARAM in `line`, as `re.finditer` gives them, in linear time. A key cannot hold a colon,
 * so every start inside a run of key characters fails alike unless the run ends at a colon: such a run
 * is skipped whole, where a plain regex search would rescan it from each of its characters.
 */
function* paramMatches(line: string): Generator<RegExpExecArray> {
  // Shared (each exec sets lastIndex first), so no pattern is compiled per line.
  const re = PARAM;
  let p = 0;
  while (p < line.length) {
    SPACES.lastIndex = p;
    const q = p + SPACES.exec(line)![0].length;
    KEY_RUN.lastIndex = q;
    const key = KEY_RUN.exec(line);
    if (!key) {
      p = q + 1;
      continue;
    }
    const r = q + key[0].length;
    if (line.charCodeAt(r) !== 0x3a) {
      p = r;
      continue;
    }
    re.lastIndex = p;
    const m = re.exec(line);
    if (!m || m[0].length === 0) {
      p++;
      continue;
    }
    yield m;
    p = m.index + m[0].length;
  }
}

/** A1111's `unquote`: a value in double quotes is a JSON string; anything else is taken as it is. */
export function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/** Parses `src[start, end)` (one line, without its line ending). The line's tree is built when first read. */
export function parseSettingsLine(src: string, start: number, end: number): SettingsLine {
  const line = new ParsedSettingsLine(src, start, end);
  for (const m of paramMatches(src.slice(start, end))) {
    const [, lead = '', key = '', colon = '', gap = '', rawValue = ''] = m;
    const keyStart = start + m.index + lead.length;
    const valueStart = keyStart + key.length + colon.length + gap.length;
    line.entries.push(new ParsedSettingEntry(line, line.entries.length, key, unquote(rawValue.trim()), { start: keyStart, end: keyStart + key.length }, { start: valueStart, end: valueStart + rawValue.length }));
  }
  return line;
}

class ParsedSettingsLine implements SettingsLine {
  readonly entries: ParsedSettingEntry[] = [];
  private tree?: { node: Branch; entries: Branch[] };

  constructor(
    private readonly src: string,
    readonly start: number,
    readonly end: number,
  ) {}

  get node(): Branch {
    return this.built().node;
  }

  built(): { node: Branch; entries: Branch[] } {
    return (this.tree ??= settingsTree(this.src, this.start, this.end));
  }
}

class ParsedSettingEntry implements SettingEntry {
  constructor(
    private readonly line: ParsedSettingsLine,
    private readonly index: number,
    readonly key: string,
    readonly value: string,
    readonly keyRange: Range,
    readonly valueRange: Range,
  ) {}

  get node(): Branch {
    return this.line.built().entries[this.index]!;
  }
}

/** The tree of a settings line: its entries' keys, colons and values, and what lies between them. */
function settingsTree(src: string, start: number, end: number): { node: Branch; entries: Branch[] } {
  const node: Branch = { kind: 'settings', start, end, children: [] };
  const entries: Branch[] = [];
  const line = src.slice(start, end);
  let cursor = 0;
  const push = (kind: Leaf['kind'], from: number, to: number, into: Branch = node): void => {
    if (to > from) into.children.push({ kind, start: start + from, end: start + to });
  };
  for (const m of paramMatches(line)) {
    // Text A1111's pattern skips over stays in the tree as plain text.
    push('text', cursor, m.index);
    let at = m.index;
    const [, lead = '', key = '', colon = '', gap = '', rawValue = '', comma = ''] = m;
    push('whitespace', at, (at += lead.length));
    const entry: Branch = { kind: 'setting', start: start + at, end: start + at, children: [] };
    push('setting-key', at, (at += key.length), entry);
    push('setting-colon', at, (at += colon.length), entry);
    push('whitespace', at, (at += gap.length), entry);
    push('setting-value', at, (at += rawValue.length), entry);
    entry.end = start + at;
    node.children.push(entry);
    entries.push(entry);
    push('setting-comma', at, (at += comma.length));
    cursor = at;
  }
  push('text', cursor, line.length);
  return { node, entries };
}
