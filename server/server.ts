// The language server's wiring: it holds the open documents, the settings and the loaded resources, and
// connects LSP events to the feature modules of server/features/. No feature logic lives here.

import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  TextDocuments,
  FileChangeType,
  TextDocumentSyncKind,
  type CompletionList,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { builtinProfiles, defaultProfile, findProfile, Analysis, createPromptService, type PromptService } from '../core';
import { BlockDiagnostics, MAX_BLOCK_CHARS } from './blockDiagnostics';
import { blockAround } from './blocks';
import { codeActions } from './features/codeActions';
import { diagnoseWildcardFile } from './features/diagnostics';
import { complete, resolveCompletion } from './features/completion';
import { formatting } from './features/formatting';
import { hover } from './features/hover';
import { definition } from './features/wildcards';
import { inlayHints } from './features/inlayHints';
import { legend, semanticTokens } from './features/semanticTokens';
import { documentSymbols, foldingRanges } from './features/symbols';
import { EXPAND_TEMPLATE_METHOD, expandTemplate, type ExpandTemplateParams, type ExpandTemplateResult } from './features/expandTemplate';
import { TOKEN_COUNT_METHOD, tokenCountAt, type TokenCountParams, type TokenCountResult } from './features/tokenCount';
import { Resources, type Log } from './resources';
import { defaultSettings, readSettings, type ServerSettings } from './settings';

const DIAGNOSTICS_DELAY_MS = 150;
const MAX_TAG_COUNT_CHARS = 2_000_000;
/** Whole-document features (semantic tokens, inlay hints, symbols, folding, formatting, code actions) answer
 * nothing for a longer document: parsing it whole at every version would keep the server from answering. */
const MAX_DOCUMENT_CHARS = 1 << 20;
const tooLarge = (document: TextDocument): boolean => document.getText().length > MAX_DOCUMENT_CHARS;

export function startServer(connection: Connection): void {
  // Document sync by the LSP library's TextDocuments (incremental changes applied by vscode-languageserver-textdocument).
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  const timers = new Map<string, NodeJS.Timeout>();
  let settings: ServerSettings = defaultSettings;
  let trusted = true;
  let workspaceFolders: string[] = [];
  let pullConfiguration = false;
  let pullDiagnostics = false;
  let diagnosticsRefresh = false;
  let dynamicConfiguration = false;
  let vscodeCommands = false;
  /** Settings given at start-up, for clients that neither answer workspace/configuration nor push them. */
  let initialSettings: unknown;

  const log: Log = {
    info: (m) => connection.console.info(m),
    warn: (m) => connection.console.warn(m),
    error: (m) => connection.console.error(m),
  };
  const resources = new Resources(log, () => refreshDiagnostics());

  /** Runs a handler; an exception becomes a log line and a neutral answer, so no request kills the server. */
  const guard = <T>(what: string, fallback: T, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      log.error(`${what} failed: ${(error as Error).stack ?? String(error)}`);
      return fallback;
    }
  };

  /** The language service over the current settings and resources (cheap: it holds no state of its own). */
  const service = (): PromptService =>
    createPromptService({
      profile: findProfile(settings.profile),
      tokens: resources.tokenSource,
      severity: settings.severity,
      keepUnderscores: settings.keepUnderscores,
      backend: settings.backend,
      dictionaries: resources.dictionaries,
      workspaceTags: resources.workspaceTags,
      loraNames: resources.loraNames,
      networks: resources.catalog,
      styles: resources.styles,
      wildcards: resources.wildcards,
      previewUri: (file) => resources.previewUri(file),
      vscodeCommands,
    });

  const analysisOf = (uri: string): Analysis | undefined => {
    const document = documents.get(uri);
    if (!document) return undefined;
    const cached = analyses.get(uri);
    if (cached && cached.version === document.version) return cached.analysis;
    const analysis = service().analyze(document.getText());
    analyses.set(uri, { version: document.version, analysis });
    return analysis;
  };

  // Completion parses only the block around the cursor unless the whole document is parsed already: its
  // latency then does not grow with the file. Results are shifted back to document lines.
  const blockAnalyses = new Map<string, { version: number; line: number; text: string; analysis: Analysis }>();
  // A block over MAX_BLOCK_CHARS is not analysed (its diagnostic says so): undefined, as for no document.
  const localAnalysisOf = (uri: string, position: Position): { analysis: Analysis; line: number } | undefined => {
    const document = documents.get(uri);
    if (!document) return undefined;
    const whole = analyses.get(uri);
    if (whole && whole.version === document.version) return { analysis: whole.analysis, line: 0 };
    const slice = blockAround(document, position.line);
    if (!slice) return tooLarge(document) ? undefined : { analysis: analysisOf(uri)!, line: 0 };
    if (slice.end - slice.start > MAX_BLOCK_CHARS) return undefined;
    if (slice.line === 0 && slice.end === document.getText().length) return { analysis: analysisOf(uri)!, line: 0 };
    const text = document.getText().slice(slice.start, slice.end);
    const cached = blockAnalyses.get(uri);
    if (cached && cached.line === slice.line && cached.text === text) return cached;
    const local = { version: document.version, line: slice.line, text, analysis: service().analyze(text) };
    blockAnalyses.set(uri, local);
    return local;
  };

  const blockDiagnostics = new BlockDiagnostics();
  const isWildcardFile = (document: TextDocument): boolean => document.languageId === 'sdprompt-wildcards';
  const diagnosticsOf = (uri: string): Diagnostic[] => {
    const document = documents.get(uri);
    if (document && isWildcardFile(document)) return diagnoseWildcardFile(service(), analysisOf(uri)!, uri);
    return document ? blockDiagnostics.diagnose(document.getText(), uri, service()) : [];
  };
  /** Diagnostics of the current version, computed in slices between which other requests are answered;
   * undefined when the document changed or closed meanwhile (or `cancelled` says so): that work is dropped. */
  const diagnosticsInSlices = async (uri: string, cancelled: () => boolean = () => false): Promise<Diagnostic[] | undefined> => {
    const document = documents.get(uri);
    if (!document) return [];
    if (isWildcardFile(document)) return diagnosticsOf(uri);
    const version = document.version;
    const stale = (): boolean => cancelled() || documents.get(uri)?.version !== version;
    try {
      return await blockDiagnostics.diagnoseInSlices(document.getText(), uri, service(), stale);
    } catch (error) {
      log.error(`diagnostics failed: ${(error as Error).stack ?? String(error)}`);
      return [];
    }
  };
  const publish = (uri: string): void => {
    timers.delete(uri);
    if (pullDiagnostics || !(documents.get(uri) !== undefined)) return;
    const version = documents.get(uri)!.version;
    void diagnosticsInSlices(uri).then((diagnostics) => {
      if (diagnostics && documents.get(uri)?.version === version) void connection.sendDiagnostics({ uri, version, diagnostics });
    });
  };
  /** Counts the tags of an open document for workspace-tag completion (soon after open, and on save);
   * documents too big for the workspace scan are left out, as there. */
  const recordTags = (uri: string): void => {
    const document = documents.get(uri);
    if (!document || document.getText().length > Math.min(MAX_TAG_COUNT_CHARS, MAX_DOCUMENT_CHARS)) return;
    guard('workspace tags', undefined, () => {
      const analysis = analysisOf(uri);
      if (analysis) resources.recordTags(uri, analysis.doc);
    });
  };
  const schedule = (uri: string, delay = DIAGNOSTICS_DELAY_MS): void => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => publish(uri), delay));
  };
  const refreshDiagnostics = (): void => {
    analyses.clear();
    blockAnalyses.clear();
    blockDiagnostics.clear();
    if (pullDiagnostics) {
      if (diagnosticsRefresh) void connection.languages.diagnostics.refresh().catch(() => undefined);
    } else {
      for (const uri of documents.keys()) schedule(uri, 0);
    }
  };

  const loadSettings = async (pushed?: unknown): Promise<void> => {
    let raw = pushed ?? initialSettings;
    if (pullConfiguration) {
      try {
        raw = await connection.workspace.getConfiguration({ section: 'tagsmith' });
      } catch (error) {
        log.warn(`Reading the tagsmith settings failed (${(error as Error).message}); using defaults`);
      }
    }
    const read = readSettings(raw, { workspaceFolders, trusted });
    for (const problem of read.problems) log.warn(`Settings: ${problem}`);
    settings = read.settings;
    if (!builtinProfiles.some((p) => p.id === settings.profile)) {
      log.warn(`Settings: tagsmith.profile '${settings.profile}' is not a known profile (${builtinProfiles.map((p) => p.id).join(', ')}); using ${defaultProfile.id}`);
    }
    await resources.apply(settings);
    log.info(`Settings applied: profile ${settings.profile}, ${resources.tagFileCount} tag files${resources.builtinInUse ? ' + the built-in dictionary' : ''}, ${resources.loraNames.length} LoRA names, token counts ${resources.tokenSource.estimated ? 'estimated' : 'exact'}${trusted ? '' : ' (untrusted workspace: no paths read)'}`);
    refreshDiagnostics();
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    vscodeCommands = /visual studio code|vscode|code-server|codium|cursor/i.test(params.clientInfo?.name ?? '');
    pullConfiguration = caps.workspace?.configuration === true;
    dynamicConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    pullDiagnostics = caps.textDocument?.diagnostic !== undefined;
    diagnosticsRefresh = caps.workspace?.diagnostics?.refreshSupport === true;
    const options = params.initializationOptions as { trusted?: boolean; tagsmith?: unknown; settings?: { tagsmith?: unknown } } | undefined;
    trusted = options?.trusted !== false;
    initialSettings = options?.tagsmith ?? options?.settings?.tagsmith;
    workspaceFolders = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []))
      .map((f) => toPath(f.uri))
      .filter((p): p is string => p !== undefined);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: [',', ' ', '(', '[', '<', ':', '_'], resolveProvider: true },
        hoverProvider: true,
        definitionProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        semanticTokensProvider: { legend, full: true },
        inlayHintProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        ...(pullDiagnostics ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: 'tagsmith-server', version: TAGSMITH_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (dynamicConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'tagsmith' }).catch(() => undefined);
    void loadSettings().then(() =>
      resources.scanWorkspace(workspaceFolders, (file) => pathToFileURL(file).toString(), (uri) => (documents.get(uri) !== undefined)),
    ).catch((error: unknown) => log.error(`Start-up failed: ${(error as Error).message}`));
  });

  connection.onDidChangeConfiguration((params) => {
    const pushed = (params.settings as { tagsmith?: unknown } | undefined)?.tagsmith;
    void loadSettings(pushed).catch((error: unknown) => log.error(`Applying settings failed: ${(error as Error).message}`));
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) {
      const file = toPath(change.uri);
      if (!file || !file.endsWith('.sdprompt') || (documents.get(change.uri) !== undefined)) continue;
      void resources.fileChanged(change.uri, file, change.type === FileChangeType.Deleted);
    }
  });

  /** Documents just opened: TextDocuments fires onDidChangeContent for an open too, checked at once. */
  const opened = new Set<string>();
  documents.onDidOpen(({ document }) => {
    opened.add(document.uri);
    setTimeout(() => recordTags(document.uri), 1000).unref();
  });
  documents.onDidChangeContent(({ document }) => schedule(document.uri, opened.delete(document.uri) ? 0 : DIAGNOSTICS_DELAY_MS));
  documents.onDidSave(({ document }) => recordTags(document.uri));
  documents.onDidClose(({ document: { uri } }) => {
    analyses.delete(uri);
    blockAnalyses.delete(uri);
    blockDiagnostics.forget(uri);
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    if (!pullDiagnostics) void connection.sendDiagnostics({ uri, diagnostics: [] });
  });
  documents.listen({
    onDidOpenTextDocument: (handler) => connection.onDidOpenTextDocument(handler),
    // A change for a document that is not open is logged (TextDocuments would drop it silently), and a change
    // the library cannot apply is logged: neither stops the server.
    onDidChangeTextDocument: (handler) =>
      connection.onDidChangeTextDocument((params) => {
        if (documents.get(params.textDocument.uri) === undefined) {
          log.warn(`didChange for ${params.textDocument.uri}, which is not open: ignored (send didOpen first)`);
          return;
        }
        guard('didChange', undefined, () => handler(params));
      }),
    onDidCloseTextDocument: (handler) => connection.onDidCloseTextDocument(handler),
    onWillSaveTextDocument: (handler) => connection.onWillSaveTextDocument(handler),
    onWillSaveTextDocumentWaitUntil: (handler) => connection.onWillSaveTextDocumentWaitUntil(handler),
    onDidSaveTextDocument: (handler) => connection.onDidSaveTextDocument(handler),
  });

  connection.onCompletion(({ textDocument, position }) =>
    guard('completion', null, () => {
      const local = localAnalysisOf(textDocument.uri, position);
      if (!local) return null;
      const list = complete(service(), local.analysis, { line: position.line - local.line, character: position.character });
      return local.line === 0 ? list : shiftCompletion(list, local.line);
    }),
  );

  connection.onCompletionResolve((item) => guard('completionItem/resolve', item, () => resolveCompletion(service(), item)));

  /** Runs a feature on the analysed document, or answers `fallback` for an unknown document — and for one
   * over MAX_DOCUMENT_CHARS, which these whole-document features would keep the server busy with. */
  const withDocument = <T>(what: string, uri: string, fallback: T, run: (analysis: Analysis) => T): T =>
    guard(what, fallback, () => {
      const document = documents.get(uri);
      if (document && tooLarge(document)) return fallback;
      const analysis = analysisOf(uri);
      return analysis ? run(analysis) : fallback;
    });

  // Go to definition: from `__name__` into its wildcard file.
  connection.onDefinition(({ textDocument, position }) =>
    guard('definition', null, () => {
      const local = localAnalysisOf(textDocument.uri, position);
      return local ? definition(service(), local.analysis, { line: position.line - local.line, character: position.character }) : null;
    }),
  );

  // Hover reads the block under the cursor only, as completion does.
  connection.onHover(({ textDocument, position }) => {
    // A request without a document is answered with an error (read outside the guard), as before.
    const uri = textDocument.uri;
    return guard('hover', null, () => {
      const local = localAnalysisOf(uri, position);
      if (!local) return null;
      const answer = hover(service(), local.analysis, { line: position.line - local.line, character: position.character });
      if (answer?.range && local.line > 0) {
        answer.range = { start: { line: answer.range.start.line + local.line, character: answer.range.start.character }, end: { line: answer.range.end.line + local.line, character: answer.range.end.character } };
      }
      return answer;
    });
  });
  connection.onCodeAction(({ textDocument, range }) => withDocument('codeAction', textDocument.uri, [], (a) => codeActions(service(), a, range, textDocument.uri)));
  connection.languages.semanticTokens.on(({ textDocument }) => withDocument('semanticTokens', textDocument.uri, { data: [] }, (a) => semanticTokens(service(), a)));
  // A wildcard file is one option a line, not one prompt: no count for the whole file.
  connection.languages.inlayHint.on(({ textDocument, range }) =>
    documents.get(textDocument.uri)?.languageId === 'sdprompt-wildcards' ? [] : withDocument('inlayHint', textDocument.uri, [], (a) => inlayHints(service(), a, range)),
  );
  connection.onDocumentSymbol(({ textDocument }) => withDocument('documentSymbol', textDocument.uri, [], (a) => documentSymbols(service(), a)));
  connection.onFoldingRanges(({ textDocument }) => withDocument('foldingRange', textDocument.uri, [], (a) => foldingRanges(service(), a)));
  connection.onDocumentFormatting(({ textDocument }) => withDocument('formatting', textDocument.uri, [], (a) => formatting(service(), a)));

  connection.languages.diagnostics.on(async ({ textDocument }, token) => {
    const uri = textDocument.uri;
    // A version that changes while it is read is read again, up to a few times; then at once.
    for (let attempt = 0; attempt < 3; attempt++) {
      const items = await diagnosticsInSlices(uri, () => token.isCancellationRequested);
      if (items) return { kind: 'full' as const, items };
      if (token.isCancellationRequested) return { kind: 'full' as const, items: [] };
    }
    return guard('diagnostics', { kind: 'full' as const, items: [] }, () => ({ kind: 'full' as const, items: diagnosticsOf(uri) }));
  });

  connection.onRequest(TOKEN_COUNT_METHOD, (params: TokenCountParams): TokenCountResult | null =>
    guard('tokenCount', null, () => {
      if (!params || typeof params.uri !== 'string' || !params.position) return null;
      const local = localAnalysisOf(params.uri, params.position);
      return local ? tokenCountAt(service(), local.analysis, { line: params.position.line - local.line, character: params.position.character }) : null;
    }),
  );

  connection.onRequest<ExpandTemplateResult, never>(EXPAND_TEMPLATE_METHOD, (params: ExpandTemplateParams): ExpandTemplateResult => guard<ExpandTemplateResult>('expandTemplate', { error: 'expandTemplate failed (see the server log)' }, () => expandTemplate(params, resources.wildcards.library)));

  connection.onShutdown(() => resources.dispose());
  connection.listen();
}

/** Moves the edits of a completion list computed on a block down to the block's place in the document. */
function shiftCompletion(list: CompletionList, lines: number): CompletionList {
  const shift = (range: Range): Range => ({
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  });
  for (const item of list.items) {
    const edit = item.textEdit;
    if (edit && 'range' in edit) edit.range = shift(edit.range);
    else if (edit) {
      edit.insert = shift(edit.insert);
      edit.replace = shift(edit.replace);
    }
    if (item.additionalTextEdits) item.additionalTextEdits = item.additionalTextEdits.map((e) => ({ ...e, range: shift(e.range) }));
  }
  return list;
}

function toPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
