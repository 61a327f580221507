// Checks of a wildcard `.txt` file: every option line is a prompt of its own (A1111's checks apply to each,
// never across lines), a repeated option, and a file with no options. Comment (`#`) and blank lines are
// skipped, as dynamicprompts reads the file.

import type { Profile } from '../profiles/profile';
import { parseDocument } from '../parse';
import { checkDocument, type CheckDiagnostic, type CheckOptions } from './check';
import { formatMessage, rules } from './rules';

export function checkWildcardFile(text: string, name: string, profile: Profile, options: CheckOptions = {}): CheckDiagnostic[] {
  const out: CheckDiagnostic[] = [];
  const seen = new Map<string, number>();
  let options_ = 0;
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end).replace(/\r$/, '');
    const option = raw.trim();
    if (option !== '' && !option.startsWith('#')) {
      options_++;
      const first = seen.get(option);
      if (first !== undefined) {
        const at = start + raw.indexOf(option);
        out.push({ code: rules.duplicateOption.code, severity: rules.duplicateOption.defaultSeverity, start: at, end: at + option.length, message: formatMessage(rules.duplicateOption.message, { option, line: first + 1 }) });
      } else {
        seen.set(option, line);
      }
      for (const d of checkDocument(parseDocument(raw), profile, options)) out.push({ ...d, start: d.start + start, end: d.end + start });
    }
    line++;
    start = end + 1;
  }
  if (options_ === 0) {
    out.push({ code: rules.emptyWildcardFile.code, severity: rules.emptyWildcardFile.defaultSeverity, start: 0, end: Math.min(text.length, 1), message: formatMessage(rules.emptyWildcardFile.message, { name }) });
  }
  out.sort((a, b) => a.start - b.start || a.end - b.end);
  const overrides = options.severity;
  if (!overrides) return out;
  return out.flatMap((d) => (overrides[d.code] === 'off' ? [] : overrides[d.code] ? [{ ...d, severity: overrides[d.code] as CheckDiagnostic['severity'] }] : [d]));
}
