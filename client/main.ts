// The Tagsmith extension: registers the editor commands and the token count status bar item, then
// starts the language server right after activate() returns, so activation stays short: the language
// client library is the largest part of the bundle and is loaded only then.
// Loaded by client/extension.ts, which times the loading of this module too.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  changeEmphasisCommand,
  copyBlockAsInfotextCommand,
  insertNegativePresetCommand,
  newPromptFromPngCommand,
} from './commands';
import type * as LanguageClientModule from './languageClient';
import type { TagsmithInitializationOptions } from './protocol';
import { TokenCountStatus } from './tokenStatus';
import { registerPreview } from './preview';

/** What activate() returns: used by the e2e tests, and by anyone who wants to look inside. */
export interface TagsmithApi {
  /** Milliseconds from the start of loading the extension's code to activate() returning. */
  activationMs: number;
  /** Of which: VS Code building the `vscode` API object for the extension, loading our modules, activate(). */
  activationBreakdown: { vscodeApiMs: number; modulesMs: number; activateMs: number };
  /** The language client, once created (right after activation). */
  readonly client: LanguageClient | undefined;
  /** Resolves true once the server runs, false when it could not start. */
  serverReady: Promise<boolean>;
  tokenStatus: TokenCountStatus;
  /** What the server is told at start. */
  initializationOptions(): TagsmithInitializationOptions;
}

let client: LanguageClient | undefined;

export interface LoadTimes {
  /** performance.now() when the extension's code began to run. */
  loadStarted: number;
  vscodeApiMs: number;
  modulesMs: number;
}

export function activate(context: vscode.ExtensionContext, load: LoadTimes): TagsmithApi {
  const started = performance.now();
  const tokenStatus = new TokenCountStatus();

  // Commands on the active editor, registered with registerCommand (not registerTextEditorCommand, whose
  // edit builder would wrap our own asynchronous edits) so that executeCommand waits for them.
  const editorCommand = (id: string, run: (editor: vscode.TextEditor, ...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return undefined;
      return run(editor, ...args);
    });
  context.subscriptions.push(
    tokenStatus,
    editorCommand('tagsmith.increaseEmphasis', (editor) => changeEmphasisCommand(editor, 1)),
    editorCommand('tagsmith.decreaseEmphasis', (editor) => changeEmphasisCommand(editor, -1)),
    editorCommand('tagsmith.insertNegativePreset', (editor, pick) => insertNegativePresetCommand(editor, typeof pick === 'string' ? pick : undefined)),
    editorCommand('tagsmith.copyBlockAsInfotext', (editor) => copyBlockAsInfotextCommand(editor)),
    vscode.commands.registerCommand('tagsmith.newPromptFromPng', (uri?: vscode.Uri) => newPromptFromPngCommand(uri)),
    vscode.commands.registerCommand('tagsmith.showTokenBreakdown', () => tokenStatus.showBreakdown()),
    vscode.commands.registerCommand('tagsmith.restartServer', () => client?.restart()),
  );
  registerPreview(context); // client/preview: Render Preview, the preview panel, CodeLens and hover thumbnails

  const serverReady = new Promise<boolean>((resolve) => {
    setTimeout(() => resolve(startServer(context, tokenStatus)), 0);
  });

  const activateMs = performance.now() - started;
  return {
    activationMs: performance.now() - load.loadStarted,
    activationBreakdown: { vscodeApiMs: load.vscodeApiMs, modulesMs: load.modulesMs, activateMs },
    get client() {
      return client;
    },
    serverReady,
    tokenStatus,
    initializationOptions: () => languageClientModule().initializationOptions(context),
  };
}

function languageClientModule(): typeof LanguageClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after activation on purpose
  return require('./languageClient') as typeof LanguageClientModule;
}

async function startServer(context: vscode.ExtensionContext, tokenStatus: TokenCountStatus): Promise<boolean> {
  const languageClient = languageClientModule().createLanguageClient(context);
  client = languageClient;
  tokenStatus.attach(languageClient);
  try {
    await languageClient.start();
    return true;
  } catch (error) {
    languageClient.error('The Tagsmith language server could not start', error, 'force');
    return false;
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
