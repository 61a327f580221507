// The status bar item with the token count of the prompt under the cursor (`42/75 · 1 chunk`), asked of the
// server with `tagsmith/tokenCount`; a click lists the 75-token chunks. Counts are exact (the server has the
// bundled CLIP tokenizer); `~` marks an estimate, which only a broken install gives.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { TOKEN_COUNT_METHOD, type TokenCountParams, type TokenCountResult } from './protocol';
import { CHUNK_TOKENS, tokenCountLabel } from './tokenLabel';

const DEBOUNCE_MS = 120;

export class TokenCountStatus implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private last: TokenCountResult | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: vscode.CancellationTokenSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Resolves each time the item has been updated; for tests. */
  private readonly listeners = new Set<() => void>();

  private client: LanguageClient | undefined;
  /** The document whose count is shown. */
  private shownFor: string | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('tagsmith.tokenCount', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Tagsmith Token Count';
    this.item.command = 'tagsmith.showTokenBreakdown';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule()),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.schedule()),
      // New diagnostics mean the server has read the document: ask again if the last answer came too early.
      vscode.languages.onDidChangeDiagnostics((e) => {
        const uri = vscode.window.activeTextEditor?.document.uri.toString();
        if (uri && e.uris.some((u) => u.toString() === uri)) this.schedule();
      }),
    );
  }

  /** Starts asking `client` for counts (it is created after activation). */
  attach(client: LanguageClient): void {
    this.client = client;
    this.disposables.push(client.onDidChangeState(() => this.schedule()));
    this.schedule();
  }

  /** The result shown now, if any. */
  get current(): TokenCountResult | undefined {
    return this.last;
  }

  /** Waits for the next update of the item. */
  nextUpdate(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.listeners.delete(done);
        resolve();
      };
      this.listeners.add(done);
    });
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), DEBOUNCE_MS);
  }

  private async update(): Promise<void> {
    this.pending?.cancel();
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || editor.document.languageId !== 'sdprompt' || !client?.isRunning()) {
      this.show(undefined);
      return;
    }
    // A count of another document must not stay on screen while this one is asked for.
    if (this.shownFor !== editor.document.uri.toString()) this.show(undefined);
    const source = (this.pending = new vscode.CancellationTokenSource());
    try {
      const params: TokenCountParams = {
        uri: editor.document.uri.toString(),
        position: { line: editor.selection.active.line, character: editor.selection.active.character },
      };
      const result = await client.sendRequest<TokenCountResult | null>(TOKEN_COUNT_METHOD, params, source.token);
      if (!source.token.isCancellationRequested) this.show(result ?? undefined, editor.document.uri.toString());
    } catch (error) {
      // A cancelled or failed count hides the item; the server logs its own errors.
      if (!source.token.isCancellationRequested) this.show(undefined);
    }
  }

  private show(result: TokenCountResult | undefined, uri?: string): void {
    this.last = result;
    this.shownFor = result ? uri : undefined;
    if (!result || result.prompt === null) {
      this.item.hide();
    } else {
      this.item.text = tokenCountLabel(result);
      const which = result.prompt === 'negative' ? 'negative prompt' : 'prompt';
      const how = result.estimated
        ? 'Estimated: the bundled CLIP tokenizer could not be loaded (see the Tagsmith output); set tagsmith.tokenizerPath or tagsmith.modelPath for exact counts.'
        : 'Counted with the CLIP tokenizer, as A1111 counts.';
      this.item.tooltip = `Tokens of the ${which} under the cursor, in 75-token chunks. ${how} Click for the chunks.`;
      this.item.accessibilityInformation = { label: `${result.tokenCount} tokens in ${result.chunks} chunks in the ${which}` };
      this.item.show();
    }
    for (const listener of [...this.listeners]) listener();
  }

  /** Lists the chunks of the last count, with their text, in a quick pick. */
  async showBreakdown(): Promise<void> {
    const result = this.last;
    if (!result || result.breakdown.length === 0) {
      void vscode.window.showInformationMessage('Put the cursor in a prompt to see its token chunks.');
      return;
    }
    const items = result.breakdown.map((c) => ({
      label: `Chunk ${c.chunk}: ${result.estimated ? '~' : ''}${c.tokens}/${CHUNK_TOKENS} tokens`,
      detail: c.text,
    }));
    await vscode.window.showQuickPick(items, {
      title: `${tokenCountLabel(result)} — tokens per 75-token chunk, as A1111 splits the prompt`,
      placeHolder: 'A tag cut by a chunk edge loses meaning: move it or add BREAK before it.',
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending?.cancel();
    for (const d of this.disposables) d.dispose();
  }
}
