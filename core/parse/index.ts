// The `.sdprompt` parser: text -> lossless tree with blocks, sections, tags and settings.
export { parseDocument, type SdDocument } from './document';
export { eachBlock, splitBlocks, SEPARATOR_LINE, type BlockSlice } from './blocks';
export { parsePromptSection, weightValue } from './prompt';
export { parseSettingsLine, isSettingsLine, unquote } from './settings';
export * from './tree';
