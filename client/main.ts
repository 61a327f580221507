// The Tagsmith extension: starts the language server, adds the token count status bar item and the editor
// commands. activate() only wires things up and returns; the server starts in the background.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  changeEmphasisCommand,
  copyBlockAsInfotextCommand,
  insertNegativePresetCommand,
  newPromptFromPngCommand,
} from './commands';
import { createLanguageClient, currentSettings } from './languageClient';
import type { TagsmithInitializationOptions } from './protocol';
import { TokenCountStatus } from './tokenStatus';

/** What activate() returns: used by the e2e tests, and by anyone who wants to look inside. */
export interface TagsmithApi {
  /** Milliseconds spent in activate(). */
  activationMs: number;
  client: LanguageClient;
  /** Resolves true once the server runs, false when it could not start. */
  serverReady: Promise<boolean>;
  tokenStatus: TokenCountStatus;
  /** What the server was (or will be) told at start. */
  initializationOptions(): TagsmithInitializationOptions;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): TagsmithApi {
  const started = performance.now();
  client = createLanguageClient(context);
  const languageClient = client;
  const tokenStatus = new TokenCountStatus(languageClient);

  const editorCommand = (id: string, run: (editor: vscode.TextEditor, ...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerTextEditorCommand(id, (editor, _edit, ...args) => run(editor, ...args));
  context.subscriptions.push(
    tokenStatus,
    editorCommand('tagsmith.increaseEmphasis', (editor) => changeEmphasisCommand(editor, 1)),
    editorCommand('tagsmith.decreaseEmphasis', (editor) => changeEmphasisCommand(editor, -1)),
    editorCommand('tagsmith.insertNegativePreset', (editor, pick) => insertNegativePresetCommand(editor, typeof pick === 'string' ? pick : undefined)),
    editorCommand('tagsmith.copyBlockAsInfotext', (editor) => copyBlockAsInfotextCommand(editor)),
    vscode.commands.registerCommand('tagsmith.newPromptFromPng', (uri?: vscode.Uri) => newPromptFromPngCommand(uri)),
    vscode.commands.registerCommand('tagsmith.showTokenBreakdown', () => tokenStatus.showBreakdown()),
    vscode.commands.registerCommand('tagsmith.restartServer', () => languageClient.restart()),
  );

  const serverReady = languageClient.start().then(
    () => true,
    (error: unknown) => {
      languageClient.error('The Tagsmith language server could not start', error, 'force');
      return false;
    },
  );

  return {
    activationMs: performance.now() - started,
    client: languageClient,
    serverReady,
    tokenStatus,
    initializationOptions: () => ({ trusted: vscode.workspace.isTrusted, settings: currentSettings(context) }),
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
