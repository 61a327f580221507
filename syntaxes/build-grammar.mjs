// Generates syntaxes/sdprompt.tmLanguage.json, the TextMate grammar of `.sdprompt` files.
// Written as code so shared pieces (A1111's settings-line pattern, the block boundaries, the
// bracket groups by depth) are defined once. `--check` fails when the JSON is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const r = String.raw;
// A1111's re_param, three pairs in a row from the start of the line: the settings line.
const pair = r`\s*\w[\w \-/]+:\s*(?:"(?:\\.|[^\\"])+"|[^,]*)(?:,|$)`;
// core/parse also reads a line that starts with a well-known key as settings (a settings line being typed).
const settingsLine = r`(?:(?:${pair}){3}|\s*(?:Steps|Sampler|CFG scale|Seed|Size|Model)\s*:)`;
const settingsAhead = `^(?=${settingsLine})`;
// A separator, the negative prompt or the settings line closes any open bracket (A1111 closes them at the end).
const groupEnd = r`(?=^---[ \t]*$)|(?=^[ \t]*Negative prompt:)|` + `(?=^${settingsLine})`;
const tagStart = r`(?:^|(?<=[,(\[|:>]))`;
const tagEnd = r`(?=\s*(?:[,)\]|:<]|$))`;

// Brackets by depth: three levels that repeat (1, 2, 3, 1, …), as editors colour bracket pairs.
// Each group's scopes name its depth so themes and tests can tell `(` from `((`.
const DEPTHS = 3;
function groupsByDepth() {
  const out = {};
  for (let depth = 1; depth <= DEPTHS; depth++) {
    const inner = (depth % DEPTHS) + 1;
    const nested = [{ include: '#prompt-content' }, { include: `#round-group-${inner}` }, { include: `#square-group-${inner}` }];
    out[`round-group-${depth}`] = {
      name: `meta.attention.increase.sdprompt`,
      begin: r`\(`,
      beginCaptures: { 0: { name: `punctuation.section.group.begin.depth-${depth}.sdprompt` } },
      end: r`\)|` + groupEnd,
      endCaptures: { 0: { name: `punctuation.section.group.end.depth-${depth}.sdprompt` } },
      patterns: [
        {
          // (x:1.2) — A1111's re_attention takes `:\s*([+-]?[.\d]+)\s*\)`.
          match: r`(:)\s*([+-]?[.\d]+)\s*(?=\))`,
          captures: {
            1: { name: 'punctuation.separator.weight.sdprompt' },
            2: { name: 'constant.numeric.weight.sdprompt' },
          },
        },
        ...nested,
      ],
    };
    out[`square-group-${depth}`] = {
      // `[x]` lowers attention; with `:` it is prompt editing, with `|` alternation.
      name: `meta.attention.decrease.sdprompt`,
      begin: r`\[`,
      beginCaptures: { 0: { name: `punctuation.section.group.begin.depth-${depth}.sdprompt` } },
      end: r`\]|` + groupEnd,
      endCaptures: { 0: { name: `punctuation.section.group.end.depth-${depth}.sdprompt` } },
      patterns: [
        {
          // [from:to:when], [to:when], [from::when]: the step or fraction before `]`.
          match: r`(:)\s*(\d+(?:\.\d*)?|\.\d+)\s*(?=\])`,
          captures: {
            1: { name: 'punctuation.separator.prompt-editing.sdprompt' },
            2: { name: 'constant.numeric.step.sdprompt' },
          },
        },
        { match: r`:`, name: 'punctuation.separator.prompt-editing.sdprompt' },
        { match: r`\|`, name: 'keyword.operator.alternation.sdprompt' },
        ...nested,
      ],
    };
  }
  return out;
}

const g = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'SD Prompt',
  scopeName: 'source.sdprompt',
  fileTypes: ['sdprompt'],
  patterns: [
    { include: '#comment' },
    { include: '#separator' },
    { include: '#settings' },
    { include: '#negative' },
    { include: '#prompt-content' },
    { include: '#round-group-1' },
    { include: '#square-group-1' },
  ],
  repository: {
    comment: {
      match: r`^[ \t]*(#).*$\n?`,
      name: 'comment.line.number-sign.sdprompt',
      captures: { 1: { name: 'punctuation.definition.comment.sdprompt' } },
    },
    separator: {
      match: r`^---[ \t]*$`,
      name: 'meta.separator.block.sdprompt keyword.operator.separator.block.sdprompt',
    },
    negative: {
      name: 'meta.negative-prompt.sdprompt',
      begin: r`^[ \t]*(Negative prompt)(:)`,
      beginCaptures: {
        1: { name: 'keyword.other.negative-prompt.sdprompt' },
        2: { name: 'punctuation.separator.key-value.sdprompt' },
      },
      end: r`(?=^---[ \t]*$)|` + `(?=^${settingsLine})`,
      patterns: [{ include: '#comment' }, { include: '#prompt-content' }, { include: '#round-group-1' }, { include: '#square-group-1' }],
    },
    settings: {
      name: 'meta.settings.sdprompt',
      begin: settingsAhead,
      end: r`$`,
      patterns: [
        {
          match: r`\s*(\w[\w \-/]+?)\s*(:)\s*("(?:\\.|[^\\"])+")\s*(,|$)`,
          captures: {
            1: { name: 'support.type.property-name.sdprompt' },
            2: { name: 'punctuation.separator.key-value.sdprompt' },
            3: { patterns: [{ include: '#settings-value' }] },
            4: { name: 'punctuation.separator.comma.sdprompt' },
          },
        },
        {
          match: r`\s*(\w[\w \-/]+?)\s*(:)\s*([^,]*)(,|$)`,
          captures: {
            1: { name: 'support.type.property-name.sdprompt' },
            2: { name: 'punctuation.separator.key-value.sdprompt' },
            3: { name: 'string.unquoted.value.sdprompt', patterns: [{ include: '#settings-value' }] },
            4: { name: 'punctuation.separator.comma.sdprompt' },
          },
        },
      ],
    },
    'settings-value': {
      patterns: [
        {
          name: 'string.quoted.double.sdprompt',
          begin: r`"`,
          end: r`"`,
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.sdprompt' } },
          endCaptures: { 0: { name: 'punctuation.definition.string.end.sdprompt' } },
          patterns: [{ match: r`\\.`, name: 'constant.character.escape.sdprompt' }],
        },
        {
          match: r`\b(\d+)(x)(\d+)\b`,
          captures: {
            1: { name: 'constant.numeric.integer.sdprompt' },
            2: { name: 'keyword.operator.size.sdprompt' },
            3: { name: 'constant.numeric.integer.sdprompt' },
          },
        },
        { match: r`(?<![\w.])[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])`, name: 'constant.numeric.sdprompt' },
      ],
    },
    'prompt-content': {
      patterns: [
        { include: '#escape' },
        { include: '#break' },
        { include: '#extra-network' },
        { include: '#template-wildcard' },
        { include: '#template-variable' },
        { include: '#template-wrap' },
        { include: '#template-variant' },
        { include: '#card-tags' },
        { match: r`,`, name: 'punctuation.separator.comma.sdprompt' },
        { match: r`[)\]]`, name: 'invalid.illegal.stray-bracket.sdprompt' },
      ],
    },
    // sd-dynamic-prompts: __wildcard__ and {variant|…} (with N$$, custom separators, weights N::).
    'template-wildcard': {
      match: r`(__)([^\s_,(){}|<>\[\]](?:[^\s,(){}|<>\[\]]*?[^\s_,(){}|<>\[\]])?)(__)`,
      name: 'meta.template.wildcard.sdprompt',
      captures: {
        1: { name: 'punctuation.definition.template.wildcard.begin.sdprompt' },
        2: { name: 'variable.other.wildcard.sdprompt' },
        3: { name: 'punctuation.definition.template.wildcard.end.sdprompt' },
      },
    },
    // ${x=…}, ${x=!…}, ${x?=…}, ${x}, ${x:default}: the variable's name, its operator, a value that is a prompt.
    'template-variable': {
      begin: r`(\$\{)\s*([A-Za-z_-][A-Za-z0-9_-]*)\s*(?:(\?)?(=)(!)?|(:))?`,
      end: r`\}`,
      name: 'meta.template.variable.sdprompt',
      beginCaptures: {
        1: { name: 'punctuation.section.template.variable.begin.sdprompt' },
        2: { name: 'variable.other.template.sdprompt' },
        3: { name: 'keyword.operator.template.assignment.sdprompt' },
        4: { name: 'keyword.operator.template.assignment.sdprompt' },
        5: { name: 'keyword.operator.template.assignment.sdprompt' },
        6: { name: 'keyword.operator.template.default.sdprompt' },
      },
      endCaptures: { 0: { name: 'punctuation.section.template.variable.end.sdprompt' } },
      patterns: [{ include: '#prompt-content' }],
    },
    // %{wrapper$$inner}: the wrapper's ... (or …) is where the inner prompt goes.
    'template-wrap': {
      begin: r`%\{`,
      end: r`\}`,
      name: 'meta.template.wrap.sdprompt',
      beginCaptures: { 0: { name: 'punctuation.section.template.wrap.begin.sdprompt' } },
      endCaptures: { 0: { name: 'punctuation.section.template.wrap.end.sdprompt' } },
      patterns: [
        { match: r`\$\$`, name: 'keyword.operator.template.wrap.sdprompt' },
        { match: r`\.{3,}|…`, name: 'keyword.other.template.placeholder.sdprompt' },
        { include: '#prompt-content' },
      ],
    },
    'template-variant': {
      begin: r`\{`,
      end: r`\}`,
      name: 'meta.template.variant.sdprompt',
      beginCaptures: { 0: { name: 'punctuation.section.template.variant.begin.sdprompt' } },
      endCaptures: { 0: { name: 'punctuation.section.template.variant.end.sdprompt' } },
      patterns: [
        { match: r`\G\s*([~@!])`, captures: { 1: { name: 'keyword.operator.template.sampler.sdprompt' } } },
        // N$$, N-M$$, -M$$, N-$$, then an optional custom separator closed by $$ (printable ASCII but $ { }).
        {
          match: r`(\d*-?\d*)(\$\$)(?:([ -#%-z|~]+?)(\$\$))?`,
          captures: {
            1: { name: 'constant.numeric.template.count.sdprompt' },
            2: { name: 'keyword.operator.template.count.sdprompt' },
            3: { name: 'string.unquoted.template.separator.sdprompt' },
            4: { name: 'keyword.operator.template.count.sdprompt' },
          },
        },
        { match: r`(\d+(?:\.\d+)?)(::)`, captures: { 1: { name: 'constant.numeric.template.weight.sdprompt' }, 2: { name: 'keyword.operator.template.weight.sdprompt' } } },
        { match: r`\|`, name: 'keyword.operator.template.variant.sdprompt' },
        { include: '#prompt-content' },
      ],
    },
    escape: {
      match: r`\\[()\[\]\\]`,
      name: 'constant.character.escape.sdprompt',
    },
    break: {
      // A1111 splits on \s*\bBREAK\b\s* (case-sensitive).
      match: r`\bBREAK\b`,
      name: 'keyword.control.break.sdprompt',
    },
    'extra-network': {
      // A1111's re_extra_net: <(\w+):([^>]+)>; the name may carry a multiplier after a second colon.
      match: r`(<)(\w+)(:)([^>:]+)(?:(:)([^>]*))?(>)`,
      name: 'meta.extra-network.sdprompt',
      captures: {
        1: { name: 'punctuation.definition.extra-network.begin.sdprompt' },
        2: { name: 'entity.name.type.extra-network.sdprompt' },
        3: { name: 'punctuation.separator.extra-network.sdprompt' },
        4: { name: 'entity.name.function.extra-network.sdprompt' },
        5: { name: 'punctuation.separator.extra-network.sdprompt' },
        6: { patterns: [{ match: r`[+-]?(?:\d+\.?\d*|\.\d+)`, name: 'constant.numeric.multiplier.sdprompt' }] },
        7: { name: 'punctuation.definition.extra-network.end.sdprompt' },
      },
    },
    'card-tags': {
      // The AnimeBoysXL card's tags, only when they are a whole tag (between commas or brackets).
      patterns: [
        { match: `${tagStart}\\s*((?:best|amazing|great|normal|bad|worst) quality)${tagEnd}`, captures: { 1: { name: 'support.constant.card.quality.sdprompt' } } },
        { match: `${tagStart}\\s*((?:best|great|normal|bad) aesthetic)${tagEnd}`, captures: { 1: { name: 'support.constant.card.aesthetic.sdprompt' } } },
        { match: `${tagStart}\\s*((?:slightly|fairly|very) nsfw)${tagEnd}`, captures: { 1: { name: 'support.constant.card.rating.sdprompt' } } },
        {
          match: `${tagStart}\\s*((year) (\\d+))${tagEnd}`,
          captures: {
            1: { name: 'support.constant.card.year.sdprompt' },
            3: { name: 'constant.numeric.year.sdprompt' },
          },
        },
        { match: `${tagStart}\\s*(absurdres)${tagEnd}`, captures: { 1: { name: 'support.constant.card.meta.sdprompt' } } },
      ],
    },
    ...groupsByDepth(),
  },
};
const outFile = fileURLToPath(new URL('./sdprompt.tmLanguage.json', import.meta.url));
const json = JSON.stringify(g, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync(outFile, 'utf8') !== json) {
    console.error('syntaxes/sdprompt.tmLanguage.json is out of date: run node syntaxes/build-grammar.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(outFile, json);
}
