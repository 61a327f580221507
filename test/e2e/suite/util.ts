// Helpers for the e2e suite: the extension under test, documents with a cursor marker, waiting.
import { appendFileSync } from 'node:fs';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TagsmithApi } from '../../../client/extension';

export const EXTENSION_ID = 'tagsmith.tagsmith';

export function extension(): vscode.Extension<TagsmithApi> {
  const ext = vscode.extensions.getExtension<TagsmithApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is loaded`);
  return ext;
}

/** The extension's API, activating it first when needed (so any test file can run alone). */
export async function api(): Promise<TagsmithApi> {
  return extension().activate();
}

/** Prints a figure into the test report (and the harness log). */
export function report(line: string): void {
  console.log(`      ${line}`);
  const log = process.env.TAGSMITH_E2E_LOG;
  if (log) appendFileSync(log, `      ${line}\n`);
}

export function workspaceUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e workspace folder is open');
  return folder.uri;
}

let untitledCount = 0;

/** Opens an untitled sdprompt editor with `marked` text; `|` is the cursor, or `[`…`]` the selection. */
export async function openEditor(marked: string): Promise<vscode.TextEditor> {
  let text = marked;
  let start: number;
  let end: number;
  if (text.includes('|')) {
    start = end = text.indexOf('|');
    text = text.replace('|', '');
  } else if (text.includes('[') && text.includes(']') && text.indexOf('[') < text.indexOf(']') && marked.includes('[[')) {
    // `[[`…`]]` marks a selection, so single brackets stay prompt syntax.
    start = text.indexOf('[[');
    text = text.replace('[[', '');
    end = text.indexOf(']]');
    text = text.replace(']]', '');
  } else {
    start = end = text.length;
  }
  // A name of its own: VS Code reuses `Untitled-1` once it is closed, and a late close of the old
  // document must not be taken for a close of the new one.
  const uri = vscode.Uri.parse(`untitled:e2e-${++untitledCount}-${Date.now()}.sdprompt`);
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the text was put into the new document');
  assert.equal(doc.languageId, 'sdprompt');
  const editor = await vscode.window.showTextDocument(doc);
  await waitFor('the new editor to be active', () => (vscode.window.activeTextEditor?.document === doc ? true : undefined));
  editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(end));
  return editor;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Closes every editor without saving (closing a changed untitled editor would ask to save it). */
export async function closeAll(): Promise<void> {
  for (let i = 0; i < 50 && vscode.window.visibleTextEditors.length > 0; i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
