// How a dictionary tag is written into a prompt: underscores as spaces (unless asked to keep them), and
// brackets escaped, because A1111 reads a bare `(` as emphasis: `fate_(series)` → `fate \(series\)`.

export interface InsertOptions {
  keepUnderscores: boolean;
}

export function tagInsertText(name: string, options: InsertOptions): string {
  return escapePromptBrackets(displayTagName(name, options));
}

/** The tag as a person reads it: `looking_at_viewer` → `looking at viewer`; emoticons keep their `_`. */
export function displayTagName(name: string, options: InsertOptions): string {
  // Emoticon tags (`^_^`, `o_o`, `(o)_(o)`) have no two letters in a row; their underscores are the face.
  return options.keepUnderscores || !/\p{L}{2}/u.test(name) ? name : name.replace(/_/g, ' ');
}

/** Escapes what A1111 would read as emphasis or an escape: `\`, `(`, `)`, `[`, `]`. */
export function escapePromptBrackets(text: string): string {
  return text.replace(/[\\()[\]]/g, (c) => `\\${c}`);
}
