// Every check Tagsmith runs, declared once: its code, default severity and message template.
// `{name}` placeholders are filled from the values a check passes. `tagsmith.diagnostics.severity`
// overrides severities by code.

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Rule {
  code: string;
  defaultSeverity: Severity;
  message: string;
  description: string;
}

/** The message of the diagnostic that stands for those of one code past the checks' limit per block (with their code). */
export const MORE_OF_A_KIND = '{count} more like this in this block are not listed: Tagsmith lists the first {limit} of each kind per block.';

function rule(code: string, defaultSeverity: Severity, message: string, description: string): Rule {
  return { code, defaultSeverity, message, description };
}

export const rules = {
  unclosedBracket: rule('unclosed-bracket', 'error', "Unclosed '{bracket}': A1111 closes it at the end of the prompt", 'An opening bracket without its closing one.'),
  crossedBracket: rule('crossed-bracket', 'error', "'{bracket}' is closed across another bracket: A1111 pairs ( ) and [ ] separately, so it stays open until its own closer", 'Round and square brackets that cross, as in [(]).'),
  strayBracket: rule('stray-bracket', 'error', "'{bracket}' closes nothing: A1111 reads it as text", 'A closing bracket without an opening one.'),
  malformedWeight: rule('malformed-weight', 'error', "Malformed weight '{text}': {effect}", 'A weight that is not a number, or that A1111 cannot read.'),
  unclosedExtraNetwork: rule('unclosed-extra-network', 'error', "Unclosed '<': an extra network needs '>' (e.g. <lora:name:0.8>)", 'An extra network without its closing angle bracket.'),
  weightOutOfRange: rule('weight-out-of-range', 'warning', 'Effective weight {weight} is outside [0, 2]: images tend to break down', 'A tag whose effective weight is below 0 or above 2.'),
  yearOutOfRange: rule('year-out-of-range', 'warning', "'{tag}': {model} was trained on years {min}–{max}", 'A year tag outside the years the model knows.'),
  yearMalformed: rule('year-malformed', 'warning', "'{tag}' is not a year tag: write a 4-digit year, e.g. '{example}'", 'A year tag whose year is not four digits.'),
  conflictingTags: rule('conflicting-tags', 'warning', "'{tag}' conflicts with '{other}' in the same {section}", 'Good and bad quality or aesthetic tags in one prompt.'),
  tagInBoth: rule('tag-in-both', 'warning', "'{tag}' is in both the prompt and the negative prompt", 'The same card tag in a prompt and its negative prompt.'),
  multipleInGroup: rule('multiple-in-group', 'warning', "More than one {group} in the prompt: '{tag}' and '{other}'", 'More than one rating tag or year tag in a prompt.'),
  nearMiss: rule('near-miss', 'warning', "'{tag}' is not a {group} of {model}: did you mean '{suggestion}'?", 'A tag one or two letters away from a card tag.'),
  duplicateTag: rule('duplicate-tag', 'warning', "'{tag}' is already in this {section}", 'The same tag twice in one prompt.'),
  unknownSetting: rule('unknown-setting', 'info', "Unknown setting '{key}' (kept as it is)", 'A settings key A1111 does not write.'),
  sizeMalformed: rule('size-malformed', 'error', "Size '{value}' must be WIDTHxHEIGHT, e.g. {example}", 'A Size value that is not WIDTHxHEIGHT.'),
  sizeNotMultipleOf8: rule('size-not-multiple-of-8', 'error', 'Size {value}: width and height must be multiples of 8 (nearest: {suggestion})', 'A Size whose width or height is not a multiple of 8.'),
  sizeNotTrained: rule('size-not-trained', 'hint', 'Size {value} is not a trained size of {model} ({sizes})', 'A Size other than the sizes the model was trained on.'),
  // Ranges and types from the settings vocabulary (core/a1111/settings.ts): A1111 1.10's UI ranges.
  stepsOutOfRange: rule('steps-out-of-range', 'warning', "Steps '{value}' must be a whole number from {min} to {max}", 'Steps that are not a whole number in A1111’s range (1–150).'),
  cfgOutOfRange: rule('cfg-out-of-range', 'warning', "CFG scale '{value}' must be a number from {min} to {max}", 'A CFG scale that is not a number in A1111’s range (1–30).'),
  settingOutOfRange: rule('setting-out-of-range', 'warning', "{key} {value} is outside A1111's range {range}", 'A setting outside the range A1111’s UI allows (Clip skip 1–12, Denoising strength 0–1, Hires upscale 1–4, Size 64–2048 a side, …).'),
  settingMalformed: rule('setting-malformed', 'warning', "{key} '{value}' must be {expected}", 'A setting value A1111 cannot read as its type: not a number, not True or False, not one of its choices (RNG, Emphasis, Schedule type).'),
  // Token checks: applied by the language service (core/service/diagnostics.ts) with the tokenizer's counts.
  chunkStraddle: rule('chunk-straddle', 'warning', "'{tag}' straddles the boundary of chunks {from} and {to}{estimate}: its tokens are encoded apart. Move it, or add BREAK before it.", 'A tag whose tokens fall into two 75-token chunks.'),
  tokenCount: rule('token-count', 'info', '{section} uses {chunks} chunks: {count}/{capacity} tokens{estimate}', 'The token count of a prompt that needs more than one chunk.'),
  // Limits of the language server: what it leaves out, said where it is left out.
  blockTooLarge: rule('block-too-large', 'info', 'This block is {size} characters long: Tagsmith checks, completes and hovers in blocks of up to {limit} characters, so it is not read. Split it with --- lines.', 'A block too large for the language server to analyse as you type.'),
  tooManyDiagnostics: rule('too-many-diagnostics', 'info', 'Showing the first {shown} of {total} problems in this document.', 'More problems in a document than the language server lists.'),
  unknownSampler: rule('unknown-sampler', 'warning', "Unknown sampler '{value}'{suggestion}", 'A sampler name A1111 does not know.'),
  // The builtin render backend (tagsmith.backend: builtin): what it cannot render as A1111 does.
  builtinSamplerUnavailable: rule('builtin-sampler-unavailable', 'warning', "Sampler '{value}' is not available in builtin mode: {reason}. The builtin backend renders {names}", 'A sampler the builtin backend does not render (the Brownian-tree SDE samplers, DPM fast and adaptive, Restart, DDIM CFG++), when it renders previews.'),
  builtinSettingUnavailable: rule('builtin-setting-unavailable', 'warning', "{key} '{value}' is not available in builtin mode: the builtin backend renders {available}", 'A setting value the builtin backend refuses (Emphasis other than Original, Pad conds v0), when it renders previews.'),
  builtinNetworkNotApplied: rule('builtin-network-not-applied', 'info', "'{text}' is not applied by the builtin backend: it removes the network from the prompt and renders without it", 'A <lora:…> or other extra network in a prompt, when the builtin backend renders previews.'),
  // Networks and embeddings: applied when the user's folders are indexed (CheckOptions.networks).
  unknownNetwork: rule('unknown-network', 'warning', "'{name}' is not in your LoRA folders{suggestion}", 'A <lora:…> or <lyco:…> whose name no indexed network has.'),
  networkBaseMismatch: rule('network-base-mismatch', 'warning', "'{name}' was made for {base}, but {model} is {profileBase}: A1111 will not apply it as intended", 'A network trained on another base model than the profile’s.'),
  networkWeightRange: rule('network-weight-range', 'warning', "{type} weight {weight} is beyond ±2: images tend to break down", 'A network weight beyond ±2.'),
  networkInNegative: rule('network-in-negative', 'warning', "A1111 loads networks from the prompt only: in the negative prompt '{text}' is encoded as text", 'An extra network in a negative prompt.'),
  embeddingBaseMismatch: rule('embedding-base-mismatch', 'warning', "'{name}' is an {base} embedding ({width} wide): A1111 skips it on {model} ({profileBase}) and reads the name as text", 'An embedding made for another base model than the profile’s.'),
  // A1111's prompt schedules and AND (core/schedule), with the block's Steps (or the profile's).
  editNeverSwitches: rule('edit-never-switches', 'warning', "'{text}' switches at step {at} of {steps}: A1111 never changes to '{to}'", 'A prompt edit whose step is at or past the last step.'),
  editFromNeverShown: rule('edit-from-never-shown', 'hint', "'{text}' switches before the first of {steps} steps: A1111 never shows '{from}'", 'A prompt edit whose step rounds down below 1.'),
  malformedAndWeight: rule('malformed-and-weight', 'warning', "AND weight '{text}' is not a number: A1111 reads it as part of the prompt and weighs the part 1", 'A trailing :weight of an AND part that A1111 cannot read.'),
  // The sd-dynamic-prompts template layer, where a prompt uses its syntax ({…|…}, __wildcard__, ${var}).
  templateSyntax: rule('template-syntax', 'error', 'Dynamic Prompts cannot read this template: {message}', 'Template syntax that sd-dynamic-prompts rejects (unclosed {, a stray } or |, a stray $ or __, …).'),
  unknownWildcard: rule('unknown-wildcard', 'warning', "'__{name}__' is not in your wildcard folders{suggestion}: Dynamic Prompts leaves it as written", 'A wildcard no file of the wildcard folders defines.'),
  variantCountTooLarge: rule('variant-count-too-large', 'warning', 'Asks for {count} of {options} options: Dynamic Prompts takes all {options}', 'A {N$$…} variant that asks for more options than it has.'),
  // Wildcard files: one option a line.
  duplicateOption: rule('duplicate-option', 'warning', "'{option}' is already on line {line}: Dynamic Prompts keeps one of them", 'The same option twice in a wildcard file.'),
  emptyWildcardFile: rule('empty-wildcard-file', 'warning', 'This wildcard file has no options: __{name}__ picks nothing and stays as written', 'A wildcard file with no option lines.'),
  unknownEmbedding: rule('unknown-embedding', 'warning', "'{name}' is not in your embedding folders{suggestion}", 'A ComfyUI embedding:name whose name no indexed embedding has.'),
  // The template layer again (core/checks/templates.ts): what the library reads without complaint but never means.
  emptyVariants: rule('empty-variants', 'warning', "Every option of '{text}' is empty: Dynamic Prompts picks an empty text, so it adds nothing to the prompt", 'A {} or {|} variant: options that are all empty (the grammar has no variant without options; {} is one empty option).'),
  wildcardCycle: rule('wildcard-cycle', 'warning', "'__{name}__' can expand into itself ({chain}): Dynamic Prompts has no guard, so a draw that follows the cycle recurses until Python's RecursionError and the generation fails", 'A wildcard whose values reach, through other wildcards, a wildcard they came from.'),
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof rules;

export const allRules: Rule[] = Object.values(rules);

/** Longest text a message quotes: a tag of a few hundred KB (one line without commas) is shown cut. */
export const MAX_QUOTED = 200;

export function formatMessage(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in values)) return whole;
    const value = String(values[name]);
    return value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED - 1)}…` : value;
  });
}
