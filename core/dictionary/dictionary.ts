// Public face of core/dictionary: tag files parsed, indexed, searched, and written into prompts.
export { scanTagCsv, type CsvProblem, type TagTable } from './csv';
export { TagIndex, tagKey, searchAll, lookupAll, type DictionaryTag, type TagMatch, type MatchKind } from './index';
export { categoryName } from './categories';
export { tagInsertText, displayTagName, escapePromptBrackets, type InsertOptions } from './insert';
export { compactDictionary, loadCompactDictionary, CompactDictionaryError, COMPACT_VERSION } from './compact';
