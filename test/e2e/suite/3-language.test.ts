// Language features served by the Tagsmith language server, as VS Code shows them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, openEditor, report, waitFor, workspaceUri } from './util';

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

describe('language features', () => {
  before(async () => {
    assert.equal(await (await api()).serverReady, true, 'the server runs');
  });
  afterEach(closeAll);

  it('completes card tags: `best qu` offers `best quality` with its score range', async () => {
    const editor = await openEditor('1boy, best qu|');
    const list = await waitFor('completion with best quality', async () => {
      const result = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, editor.selection.active);
      return result.items.some((i) => labelOf(i) === 'best quality') ? result : undefined;
    });
    const item = list.items.find((i) => labelOf(i) === 'best quality')!;
    const resolved = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, editor.selection.active, undefined, 50);
    const doc = item.documentation ?? resolved.items.find((i) => labelOf(i) === 'best quality')?.documentation;
    const docText = typeof doc === 'string' ? doc : doc?.value ?? '';
    assert.match(docText + (item.detail ?? ''), /150/, 'the documentation gives the score range >= 150');
  });

  it('completes tags from the tag files of the (trusted) workspace settings', async () => {
    const editor = await openEditor('1boy, zzyzx|');
    await waitFor('the workspace dictionary tag', async () => {
      const result = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, editor.selection.active);
      return result.items.some((i) => labelOf(i) === 'zzyzx trustcheck') ? true : undefined;
    });
  });

  it('hovers a weight with its value and how it was computed', async () => {
    const editor = await openEditor('1boy, ((smi|le))');
    const text = await waitFor('a hover with the weight', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, editor.selection.active);
      const t = hoverText(hovers);
      return t.includes('1.21') ? t : undefined;
    });
    assert.match(text, /1\.1/);
  });

  it('reports problems of a file: the unclosed bracket, the year, the size', async () => {
    const uri = vscode.Uri.joinPath(workspaceUri(), 'problems.sdprompt');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diagnostics = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 3 ? d : undefined;
    });
    const at = (line: number, character: number): vscode.Diagnostic | undefined =>
      diagnostics.find((d) => d.range.start.line === line && d.range.start.character === character);
    assert.equal(at(0, 6)?.severity, vscode.DiagnosticSeverity.Error, 'error at the open bracket (1:7)');
    assert.ok(at(0, 21), 'a diagnostic at the year (1:22)');
    assert.ok(diagnostics.some((d) => d.range.start.line === 1 && d.severity === vscode.DiagnosticSeverity.Error), 'an error at the size');
    assert.ok(diagnostics.every((d) => d.source !== undefined || d.code !== undefined), 'diagnostics carry a code or source');
  });

  it('shows the token count of the prompt under the cursor in the status bar', async () => {
    const status = (await api()).tokenStatus;
    const editor = await openEditor('1boy, solo, smile|\nNegative prompt: lowres');
    const result = await waitFor('a token count', () => (status.current?.prompt === 'prompt' ? status.current : undefined));
    // "1boy, solo, smile": 1boy → 1, boy? The count itself is the server's; the label must be well formed.
    assert.ok(result.tokenCount > 0 && result.tokenCount < 75);
    assert.match(status.item.text, /^~?\d+\/75 · 1 chunk$/);
    report(`status bar: "${status.item.text}"`);
    editor.selection = new vscode.Selection(1, 20, 1, 20);
    await waitFor('the negative prompt count', () => (status.current?.prompt === 'negative' ? true : undefined));
    assert.match(status.item.text, /^Negative ~?\d+\/75 · 1 chunk$/);
  });

  it('counts 2 chunks for a prompt over 75 tokens', async () => {
    const status = (await api()).tokenStatus;
    const long = Array.from({ length: 40 }, (_, i) => `tag${i}`).join(', ');
    await openEditor(`${long}|`);
    const result = await waitFor('a 2-chunk count', () => (status.current && status.current.chunks >= 2 ? status.current : undefined)).catch((error: Error) => {
      throw new Error(`${error.message}; the status shows ${JSON.stringify(status.current)} "${status.item.text}"`);
    });
    assert.match(status.item.text, new RegExp(`^~?${result.tokenCount}/${result.chunks * 75} · ${result.chunks} chunks$`));
    assert.equal(result.breakdown.length, result.chunks);
  });
});
