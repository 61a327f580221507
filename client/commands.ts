// The editor commands: emphasis (Ctrl+Up / Ctrl+Down), negative presets, copy as infotext, PNG import.
// Each is glue between VS Code and a pure function (emphasis.ts, blocks.ts, pngImport.ts).
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import * as vscode from 'vscode';
import { parseDocument, findProfile, blockAt, blockInfotext, negativePresetEdit, type PresetChoice, changeEmphasis, type TextSelection } from '../core';
import { promptFromPng } from './pngImport';

/** Increase (+1) or decrease (-1) the emphasis at every selection. */
export async function changeEmphasisCommand(editor: vscode.TextEditor, direction: 1 | -1): Promise<void> {
  const document = editor.document;
  const step = vscode.workspace.getConfiguration('tagsmith', document).get<number>('emphasis.step', 0.1);
  // Each selection is edited within its own line (A1111 works on one prompt box); selections that share a
  // line, or span lines, are edited one at a time on the whole text, primary selection only.
  const lines = editor.selections.map((s) => s.start.line);
  const perLine = editor.selections.every((s) => s.isSingleLine) && new Set(lines).size === lines.length;
  const targets = perLine ? editor.selections : [editor.selection];

  const edits: Array<{ range: vscode.Range; text: string; selection: vscode.Selection }> = [];
  for (const selection of targets) {
    const scope = perLine ? document.lineAt(selection.start.line).range : fullRange(document);
    const text = document.getText(scope);
    const base = document.offsetAt(scope.start);
    const local: TextSelection = { start: document.offsetAt(selection.start) - base, end: document.offsetAt(selection.end) - base };
    const result = changeEmphasis(text, local, { direction, step });
    if (!result) continue;
    const changed = minimalChange(text, result.text);
    const range = new vscode.Range(document.positionAt(base + changed.start), document.positionAt(base + changed.end));
    edits.push({ range, text: changed.text, selection: toSelection(scope.start, result.text, result.selection) });
  }
  if (edits.length === 0) return;
  const applied = await editor.edit((builder) => {
    for (const e of edits) builder.replace(e.range, e.text);
  });
  if (applied) editor.selections = edits.map((e) => e.selection);
}

function fullRange(document: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), document.lineAt(document.lineCount - 1).range.end);
}

/** The one replacement that turns `before` into `after` (common start and end kept). */
function minimalChange(before: string, after: string): { start: number; end: number; text: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let tail = 0;
  while (tail < before.length - start && tail < after.length - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return { start, end: before.length - tail, text: after.slice(start, after.length - tail) };
}

/** A selection given as offsets into `text`, which starts at `origin` once the edit is made. */
function toSelection(origin: vscode.Position, text: string, selection: TextSelection): vscode.Selection {
  const at = (offset: number): vscode.Position => {
    const before = text.slice(0, offset).split(/\r\n|\n/);
    const line = origin.line + before.length - 1;
    const character = before.length === 1 ? origin.character + offset : before[before.length - 1]!.length;
    return new vscode.Position(line, character);
  };
  return new vscode.Selection(at(selection.start), at(selection.end));
}

/** Quick pick of the profile's negative presets and negative add-ons; inserts the one picked. */
export async function insertNegativePresetCommand(editor: vscode.TextEditor, pick?: string): Promise<void> {
  const document = editor.document;
  const profile = findProfile(vscode.workspace.getConfiguration('tagsmith', document).get<string>('profile'));
  const choices = [
    ...profile.negativePresets.map((p) => ({ id: p.id, label: p.label, detail: p.text, choice: { text: p.text, kind: 'preset' } as PresetChoice })),
    ...profile.addOns
      .filter((a) => a.section === 'negative')
      .map((a) => ({ id: a.id, label: `${a.label} (add-on)`, detail: a.text, choice: { text: a.text, kind: 'add-on' } as PresetChoice })),
  ];
  const picked = pick
    ? choices.find((c) => c.id === pick)
    : await vscode.window.showQuickPick(choices, { title: `${profile.name}: negative prompt presets`, placeHolder: 'Preset or add-on to put in the negative prompt' });
  if (!picked) return;
  const result = negativePresetEdit(
    document.getText(),
    document.offsetAt(editor.selection.active),
    picked.choice,
    profile.negativePresets.map((p) => p.text),
  );
  if ('message' in result) {
    void vscode.window.showInformationMessage(result.message);
    return;
  }
  const { start, end, text } = result.edit;
  await editor.edit((builder) => builder.replace(new vscode.Range(document.positionAt(start), document.positionAt(end)), text));
}

/** Copies the block under the cursor as A1111 infotext, ready for A1111's PNG Info or "Read generation parameters". */
export async function copyBlockAsInfotextCommand(editor: vscode.TextEditor): Promise<string | undefined> {
  const doc = parseDocument(editor.document.getText());
  const block = blockAt(doc, editor.document.offsetAt(editor.selection.active));
  const infotext = block && blockInfotext(doc, block);
  if (!infotext) {
    void vscode.window.showInformationMessage('There is no prompt under the cursor to copy.');
    return undefined;
  }
  await vscode.env.clipboard.writeText(infotext);
  vscode.window.setStatusBarMessage(`Copied block ${block.index + 1} as A1111 infotext`, 3000);
  return infotext;
}

/** Opens the generation parameters of a PNG as a new `.sdprompt` document. */
export async function newPromptFromPngCommand(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  if (!(uri instanceof vscode.Uri)) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'PNG images': ['png'] },
      openLabel: 'Open Prompt',
      title: 'New Prompt from PNG: pick an image made by A1111, Forge, ComfyUI or Tagsmith',
    });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  const name = path.posix.basename(uri.path);
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    void vscode.window.showErrorMessage(`Cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const result = promptFromPng(bytes, name, inflateSync);
  if ('message' in result) {
    void vscode.window.showWarningMessage(result.message);
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'sdprompt', content: result.text });
  await vscode.window.showTextDocument(document);
  return document;
}
