// A1111's styles.csv (modules/styles.py): rows of name, prompt, negative_prompt, read as Python's
// csv.DictReader(skipinitialspace=True) reads them, and merged into a prompt as merge_prompts does: a
// style with `{prompt}` puts the prompt there; any other is joined after the prompt with ", ".
import Papa from 'papaparse';

export interface PromptStyle {
  name: string;
  prompt: string;
  negativePrompt: string;
  /** 1-based line of the row in the file. */
  line: number;
}

export interface StyleFile {
  styles: Map<string, PromptStyle>;
  problems: Array<{ line: number; message: string }>;
}

/** Parses styles.csv; a later row with the same name replaces the earlier one, as A1111's dict does. */
export function parseStylesCsv(text: string): StyleFile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const result: StyleFile = { styles: new Map(), problems: [] };
  const parsed = Papa.parse<string[]>(body, { skipEmptyLines: true });
  for (const error of parsed.errors.slice(0, 20)) result.problems.push({ line: (error.row ?? 0) + 1, message: error.message });
  const rows = parsed.data;
  if (rows.length === 0) return result;
  // skipinitialspace: spaces after a delimiter are not part of the field.
  const header = rows[0]!.map((h) => h.trimStart());
  const nameAt = header.indexOf('name');
  const promptAt = header.includes('prompt') ? header.indexOf('prompt') : header.indexOf('text');
  const negativeAt = header.indexOf('negative_prompt');
  if (nameAt < 0 || promptAt < 0) {
    result.problems.push({ line: 1, message: 'the header has no "name" and "prompt" columns' });
    return result;
  }
  // Papa's rows are records, not lines: count the lines each record spans to name the right line.
  let line = 1 + lineCount(rows[0]!);
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!.map((f) => f.trimStart());
    const name = row[nameAt];
    if (name !== undefined && name !== '') {
      result.styles.set(name, { name, prompt: row[promptAt] ?? '', negativePrompt: negativeAt >= 0 ? row[negativeAt] ?? '' : '', line });
    }
    line += lineCount(rows[r]!);
  }
  return result;
}

function lineCount(row: string[]): number {
  let n = 1;
  for (const field of row) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++;
  return n;
}

/** merge_prompts: the style's text with the prompt put in. */
export function mergeStyle(stylePrompt: string, prompt: string): string {
  if (stylePrompt.includes('{prompt}')) return stylePrompt.split('{prompt}').join(prompt);
  return [prompt.trim(), stylePrompt.trim()].filter((p) => p !== '').join(', ');
}

/** apply_styles_to_prompt for the named styles, in order; unknown names add nothing (A1111's no_style). */
export function applyStyles(prompt: string, names: string[], styles: ReadonlyMap<string, PromptStyle>, negative = false): string {
  let result = prompt;
  for (const name of names) {
    const style = styles.get(name);
    result = mergeStyle(style ? (negative ? style.negativePrompt : style.prompt) : '', result);
  }
  return result;
}

/** The style names of a `Styles:` settings value: comma-separated, trimmed. */
export function styleNames(value: string): string[] {
  return value.split(',').map((n) => n.trim()).filter((n) => n !== '');
}
