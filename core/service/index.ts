// The prompt language service: one object that answers every question an editor or the CLI asks about a
// prompt document, in document offsets (as vscode-css-languageservice's getCSSLanguageService()). The
// language server adapts its results to LSP positions; `tagsmith check` prints its diagnostics.

import type { CheckDiagnostic, SeverityOverrides } from '../checks';
import type { TagIndex } from '../dictionary/dictionary';
import type { PromptStyle } from '../a1111/styles';
import type { NetworkCatalog } from '../networks';
import type { Profile } from '../profiles/profile';
import type { WildcardCatalog } from '../template/catalog';
import { formatEdits, type OffsetEdit } from '../format';
import { schedulePrompt, type PromptSchedule } from '../schedule';
import { blockSteps } from '../checks';
import { Analysis, type ServiceContext } from './analysis';
import { diagnose, diagnoseWildcardFile } from './diagnostics';
import { complete, resolveCompletion, type PromptCompletionList, type ResolvableCompletion } from './completion';
import { codeActions, type PromptCodeAction } from './codeActions';
import { hover, type PromptHover } from './hover';
import { placeAt } from './locate';
import { semanticTokens, type PromptSemanticToken } from './semanticTokens';
import { wildcardDefinition, type PromptDefinition } from './wildcards';
import { documentSymbols, foldingRanges, type PromptSymbol } from './symbols';
import { tokenCountAt, tokenHints, type TokenCountResult, type TokenHint } from './tokenCount';
import { countPromptText, type TokenSource } from './tokens';

export interface PromptServiceOptions {
  profile: Profile;
  /** What counts tokens: the CLIP tokenizer (the bundled one, a model's, or one at a path), with embeddings. */
  tokens: TokenSource;
  dictionaries?: readonly TagIndex[];
  networks?: NetworkCatalog;
  wildcards?: WildcardCatalog;
  styles?: ReadonlyMap<string, PromptStyle>;
  /** Severity overrides by rule code. */
  severity?: SeverityOverrides;
  keepUnderscores?: boolean;
  /** The backend that renders previews (`tagsmith.backend`): `builtin` reports what it cannot render. */
  backend?: 'builtin' | 'url';
  /** Tags used in the workspace's prompt files (normalised) → uses: completion ranks them first. */
  workspaceTags?: ReadonlyMap<string, number>;
  /** LoRA names (file names without extension) when no catalog with metadata is indexed. */
  loraNames?: readonly string[];
  /** A preview image of a network as a URI a hover can show, or undefined. */
  previewUri?: (file: string) => string | undefined;
  /** The client runs VS Code's editor commands (`editor.action.triggerSuggest`). */
  vscodeCommands?: boolean;
}

/** A document: its text, or an analysis of it made by this service (reused across questions). */
export type DocumentInput = string | Analysis;

export interface PromptService {
  readonly context: ServiceContext;
  /** The parse of a text with its token counts computed on demand; pass it back to reuse it. */
  analyze(text: string): Analysis;
  /** Every diagnostic of a prompt document: the checks of core/checks and the token rules. */
  diagnostics(doc: DocumentInput): CheckDiagnostic[];
  /** Diagnostics of a wildcard file named `name` (its path under the wildcard folder, no extension). */
  wildcardFileDiagnostics(doc: DocumentInput, name: string): CheckDiagnostic[];
  /** The count and chunks of the prompt at `offset`, as A1111's counter shows it. */
  tokenCount(doc: DocumentInput, offset: number): TokenCountResult;
  /** Each prompt's count at the end of its text, for prompts whose end lies in [from, to]. */
  tokenHints(doc: DocumentInput, from: number, to: number): TokenHint[];
  /** The completion items at `offset`: edits in offsets; dictionary and LoRA items get their documentation on resolve. */
  completion(doc: DocumentInput, offset: number): PromptCompletionList;
  /** A completion item with its documentation (markdown) filled in from its `data`, if it has none. */
  resolveCompletion<T extends ResolvableCompletion>(item: T): T;
  /** A1111's token count of a prompt text that is no part of a document (a prompt with styles applied). */
  countTokens(prompt: string): number;
  /** A1111's schedule of the prompt at `offset` (AND parts, each its [end step, text] pairs), or undefined. */
  schedule(doc: DocumentInput, offset: number): PromptSchedule | undefined;
  symbols(doc: DocumentInput): PromptSymbol[];
  foldingRanges(doc: DocumentInput): Array<{ startLine: number; endLine: number }>;
  /** Formatting edits (core/format), in offsets of the text. */
  format(doc: DocumentInput): OffsetEdit[];
  /** The hover at `offset`: the range it is about and its markdown; undefined where there is nothing to say. */
  hover(doc: DocumentInput, offset: number): PromptHover | undefined;
  /** Quick fixes of the diagnostics touching [start, end] and the refactorings at `start`, with edits in offsets. */
  codeActions(doc: DocumentInput, start: number, end: number): PromptCodeAction[];
  /** The semantic tokens of the document in offsets, sorted; their types and modifiers are `semanticTokenLegend`'s. */
  semanticTokens(doc: DocumentInput): PromptSemanticToken[];
  /** Where what is at `offset` is defined (a `__wildcard__`'s file and line), or undefined. */
  definition(doc: DocumentInput, offset: number): PromptDefinition | undefined;
}

export function createPromptService(options: PromptServiceOptions): PromptService {
  const tokens = options.tokens;
  const countTokens = (prompt: string): number => countPromptText(prompt, tokens);
  const context: ServiceContext = {
    profile: options.profile,
    severity: options.severity ?? {},
    keepUnderscores: options.keepUnderscores ?? false,
    dictionaries: options.dictionaries ?? [],
    workspaceTags: options.workspaceTags ?? new Map(),
    loraNames: options.loraNames ?? [],
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.networks ? { networks: options.networks } : {}),
    ...(options.wildcards ? { wildcards: options.wildcards } : {}),
    ...(options.styles ? { styles: options.styles } : {}),
    ...(options.previewUri ? { previewUri: options.previewUri } : {}),
    ...(options.vscodeCommands ? { vscodeCommands: true } : {}),
    countTokens,
  };
  const analyze = (text: string): Analysis => new Analysis(text, tokens, context.profile.recommended.steps, context.wildcards?.library);
  const of = (doc: DocumentInput): Analysis => (typeof doc === 'string' ? analyze(doc) : doc);
  return {
    context,
    analyze,
    diagnostics: (doc) => diagnose(of(doc), context),
    wildcardFileDiagnostics: (doc, name) => diagnoseWildcardFile(of(doc), context, name),
    tokenCount: (doc, offset) => tokenCountAt(of(doc), offset, tokens.estimated),
    tokenHints: (doc, from, to) => tokenHints(of(doc), from, to),
    completion: (doc, offset) => complete(of(doc), offset, context),
    resolveCompletion: (item) => resolveCompletion(item, context),
    countTokens,
    schedule(doc, offset) {
      const analysis = of(doc);
      const place = placeAt(analysis.doc, offset);
      if (!place.section) return undefined;
      const steps = place.block ? blockSteps(place.block, context.profile.recommended.steps) : context.profile.recommended.steps;
      return schedulePrompt(analysis.text.slice(place.section.contentStart, place.section.contentEnd), steps);
    },
    symbols: (doc) => documentSymbols(of(doc)),
    foldingRanges: (doc) => foldingRanges(of(doc)),
    format: (doc) => formatEdits(of(doc).text),
    hover: (doc, offset) => hover(of(doc), offset, context),
    codeActions: (doc, start, end) => codeActions(of(doc), start, end, context),
    semanticTokens: (doc) => semanticTokens(of(doc), context),
    definition: (doc, offset) => wildcardDefinition(of(doc), offset, context),
  };
}

export { Analysis, type ServiceContext } from './analysis';
export type { PromptSymbol } from './symbols';
export type { TokenCountResult, TokenHint } from './tokenCount';
export { type CompletionData, type CompletionEdit, type CompletionKind, type PromptCompletionItem, type PromptCompletionList, type ResolvableCompletion } from './completion';
export { CHUNK_LENGTH, clipTokens, countPromptTokens, estimatedTokens, withEmbeddings, withSdxlEmbeddings, type Chunk, type PromptTokens, type TokenSource } from './tokens';
export { cardTagDoc, cardTagEntries, dictionaryDoc, networkDetail, networkDoc, styleDoc, type CardTagEntry } from './docs';
export { placeAt, tagAt, onCommentLine, type Place } from './locate';
export { formatWeight, weightDoc, type PromptHover } from './hover';
export { tagWithSeparator, type PromptCodeAction, type PromptCodeActionKind } from './codeActions';
export { semanticTokenLegend, semanticTokenModifiers, semanticTokenTypes, type PromptSemanticToken, type SemanticTokenModifier, type SemanticTokenType } from './semanticTokens';
export type { PromptDefinition } from './wildcards';
