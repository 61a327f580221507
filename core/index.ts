// Tagsmith's core: the one entry the rest of the product imports (server/, cli/, backend/, client/ import
// nothing else of core/; test/rules/imports.test.ts holds them to it).
//
// - createPromptService: the language service — diagnostics, completion, hover, code actions, token counts
//   and chunks, schedules, symbols, formatting, semantic tokens — in document offsets.
// - The layers of a prompt as pure functions, for the CLI and the backend: the parse tree, the template
//   (sd-dynamic-prompts), A1111's schedules and AND, attention, CLIP tokens and chunks, infotext and PNG text.
// - Data: profiles, the A1111 settings vocabulary, rules, dictionaries, networks and wildcard catalogs.

export * from './service';

// Parse tree and text positions
export * from './parse';
export { LineIndex } from './text/lineIndex';
export { formatEdits, formatText, type OffsetEdit } from './format';

// Checks (rules as data)
export * from './checks';

// A1111: schedules, attention, chunks, settings vocabulary, styles, infotext, PNG text
export * from './schedule';
export * from './attention';
export * from './chunks';
export * from './a1111/settings';
export * from './a1111/samplers';
export * from './a1111/styles';
export * from './infotext';
export * from './png/readText';
export { isPyWordChar, pyFloatRepr } from './pyre';

// CLIP tokenizer
export * from './tokenizer';

// Profiles, dictionaries, networks
export * from './profiles';
export * from './dictionary/dictionary';
export { categoryName } from './dictionary/categories';
export * from './networks';

// sd-dynamic-prompts templates and wildcards
export { nodeKey, parseTemplate, type ParseResult, type TemplateNode, type TemplateProblem } from './template/parse';
export * from './template/expand';
export * from './template/wildcards';
export { WildcardCatalog, wildcardReferences } from './template/catalog';
export * from './template/infotext';

// Editor edits: A1111's Ctrl+Up/Down emphasis, block infotext and presets, the seed of a block
export * from './edit/emphasis';
export * from './edit/blocks';
export * from './edit/seed';
