// Dynamic Prompts templates in renders, as the A1111 extension sd-dynamic-prompts handles them: the seed
// resolved before the prompts are expanded (A1111's fix_seed runs first), the raw templates written into the
// infotext as its "Save template to metadata" option writes them (`Template: …`, `Negative Template: …`,
// extra generation parameters of the settings line, quoted as A1111 quotes any value), and read back.
// Pure: text in, text out (the PNG's `parameters` chunk is rewritten in pngText.ts).
import { quoteInfotextValue } from '../infotext';

export const TEMPLATE_LABEL = 'Template';
export const NEGATIVE_TEMPLATE_LABEL = 'Negative Template';

/** A1111's fix_seed: -1 becomes `int(random.randrange(4294967294))`; any other seed stays. */
export function resolveSeed(seed: number, random: (max: number) => number = (max) => Math.floor(Math.random() * max)): number {
  return seed === -1 ? random(4294967294) : seed;
}

/** A1111's re_param (infotext_utils.py), with Python's Unicode `\w`. */
const RE_PARAM = /\s*([\p{L}\p{N}\p{Mn}\p{Pc}][\p{L}\p{N}\p{Mn}\p{Pc} \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;

export interface SettingsEntry {
  key: string;
  /** The value, unquoted as A1111 unquotes it (a JSON string read as JSON). */
  value: string;
  /** The entry as written (`Key: value`), trimmed and without its comma. */
  raw: string;
}

/** The entries of a settings line, as A1111's parse_generation_parameters reads them. */
export function settingsEntries(line: string): SettingsEntry[] {
  const out: SettingsEntry[] = [];
  for (const m of line.matchAll(RE_PARAM)) {
    const key = m[1]!;
    let value = m[2]!;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      try {
        value = String(JSON.parse(value));
      } catch {
        // left as written, as A1111's unquote does
      }
    }
    out.push({ key, value, raw: m[0].trim().replace(/,$/, '').trim() });
  }
  return out;
}

interface Parts {
  prompt: string;
  negative: string | undefined;
  settings: string | undefined;
}

/** An infotext's prompt, negative prompt and settings line (the last line, when A1111 would read it as one). */
function splitInfotext(infotext: string): Parts {
  const lines = infotext.replace(/\r\n?/g, '\n').trim().split('\n');
  let settings: string | undefined = lines[lines.length - 1] ?? '';
  if ([...settings.matchAll(RE_PARAM)].length < 3) settings = undefined;
  else lines.pop();
  const at = lines.findIndex((l) => l.startsWith('Negative prompt:'));
  if (at < 0) return { prompt: lines.join('\n'), negative: undefined, settings };
  const negative = [lines[at]!.slice('Negative prompt:'.length).replace(/^ /, ''), ...lines.slice(at + 1)].join('\n');
  return { prompt: lines.slice(0, at).join('\n'), negative, settings };
}

function joinInfotext(parts: Parts): string {
  return [parts.prompt, ...(parts.negative !== undefined && parts.negative !== '' ? [`Negative prompt: ${parts.negative}`] : []), ...(parts.settings !== undefined ? [parts.settings] : [])].join('\n');
}

/**
 * The infotext with the templates added to its settings line as the extension adds them to
 * p.extra_generation_params (`if original_prompt: params["Template"] = …`): after the other entries, before a
 * trailing `Version` (which A1111 writes after the extra parameters). Nothing to add: the infotext unchanged.
 */
export function withTemplates(infotext: string, template: string | undefined, negativeTemplate: string | undefined): string {
  const added = [
    ...(template ? [`${TEMPLATE_LABEL}: ${quoteInfotextValue(template)}`] : []),
    ...(negativeTemplate ? [`${NEGATIVE_TEMPLATE_LABEL}: ${quoteInfotextValue(negativeTemplate)}`] : []),
  ];
  if (added.length === 0) return infotext;
  const parts = splitInfotext(infotext);
  const entries = parts.settings !== undefined ? settingsEntries(parts.settings).filter((e) => e.key !== TEMPLATE_LABEL && e.key !== NEGATIVE_TEMPLATE_LABEL) : [];
  let tail = entries.length;
  while (tail > 0 && (entries[tail - 1]!.key === 'Version' || entries[tail - 1]!.key === 'User')) tail--;
  const raws = entries.map((e) => e.raw);
  raws.splice(tail, 0, ...added);
  return joinInfotext({ ...parts, settings: raws.join(', ') });
}

/** The templates an infotext holds (`Template:` / `Negative Template:` entries), if any. */
export function infotextTemplates(infotext: string): { template?: string; negativeTemplate?: string } {
  const { settings } = splitInfotext(infotext);
  if (settings === undefined) return {};
  const out: { template?: string; negativeTemplate?: string } = {};
  for (const e of settingsEntries(settings)) {
    if (e.key === TEMPLATE_LABEL) out.template = e.value;
    if (e.key === NEGATIVE_TEMPLATE_LABEL) out.negativeTemplate = e.value;
  }
  return out;
}

/**
 * The infotext with its templates back in place of the expanded prompts (the template as the prompt, the
 * negative template as the negative prompt) and the two entries taken out of the settings line; undefined when
 * it holds no template.
 */
export function restoreTemplates(infotext: string): string | undefined {
  const { template, negativeTemplate } = infotextTemplates(infotext);
  if (template === undefined && negativeTemplate === undefined) return undefined;
  const parts = splitInfotext(infotext);
  const kept = settingsEntries(parts.settings ?? '').filter((e) => e.key !== TEMPLATE_LABEL && e.key !== NEGATIVE_TEMPLATE_LABEL);
  return joinInfotext({
    prompt: template ?? parts.prompt,
    negative: negativeTemplate ?? parts.negative,
    settings: kept.map((e) => e.raw).join(', '),
  });
}
