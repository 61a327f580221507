// A1111's extra_networks.parse_prompt (modules/extra_networks.py): every `<name:args>` matching
// re.compile(r"<(\w+):([^>]+)>") is replaced by "" (what surrounds it, spaces included, stays), and its args
// split on ":". A1111 runs it on the positive prompts only, before the prompt schedules are parsed.
//
// Written as a forward scan rather than a JS regex: `[^>]+` would rescan to the end of the text from every
// `<word:` when no `>` follows (thousands of unclosed `<lora:` would be quadratic).
import { isPyWordChar } from '../core';

export interface ExtraNetworkUse {
  /** `lora`, `hypernet`, … (group 1). */
  name: string;
  /** group 2 split on ":" (`["x", "1"]` for `<lora:x:1>`). */
  items: string[];
  /** The whole `<…>` text. */
  text: string;
}

export function stripExtraNetworks(prompt: string): { prompt: string; networks: ExtraNetworkUse[] } {
  const networks: ExtraNetworkUse[] = [];
  let out = '';
  let copied = 0;
  // The next '>' at or after a position, found once per position that needs it (the pointer only moves forward).
  let nextClose = -1;
  const closeFrom = (from: number): number => {
    if (nextClose < from && nextClose !== Infinity) {
      const at = prompt.indexOf('>', from);
      nextClose = at < 0 ? Infinity : at;
    }
    return nextClose;
  };
  let i = prompt.indexOf('<');
  while (i >= 0) {
    // \w+ (Python's Unicode \w, one code point at a time)
    let j = i + 1;
    while (j < prompt.length) {
      const cp = prompt.codePointAt(j)!;
      const ch = String.fromCodePoint(cp);
      if (!isPyWordChar(ch)) break;
      j += ch.length;
    }
    let matched = false;
    if (j > i + 1 && prompt[j] === ':' && j + 1 < prompt.length && prompt[j + 1] !== '>') {
      const close = closeFrom(j + 1);
      if (close !== Infinity) {
        const name = prompt.slice(i + 1, j);
        const args = prompt.slice(j + 1, close);
        networks.push({ name, items: args.split(':'), text: prompt.slice(i, close + 1) });
        out += prompt.slice(copied, i);
        copied = close + 1;
        i = prompt.indexOf('<', copied);
        matched = true;
      }
    }
    if (!matched) i = prompt.indexOf('<', i + 1);
  }
  if (copied === 0) return { prompt, networks };
  return { prompt: out + prompt.slice(copied), networks };
}
