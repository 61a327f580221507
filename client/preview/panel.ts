// The preview panel: a webview beside the editor with the live preview while sampling, then the image with
// its settings, and this workspace's render history. Strict CSP (nonce, no remote content), images of saved
// renders only through asWebviewUri under the preview folder (the live preview is a data: image the backend
// sent), theme colours through VS Code's CSS variables, and every message from the page validated.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HistoryEntry } from './history';
import { validateMessage, type WebviewMessage } from './messages';
import { panelHtml } from './panelHtml';
import { panelView, type PanelView } from './view';
import type { PreviewStore } from './store';

export type { PanelView };

export class PreviewPanel {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pending: unknown[] = [];
  private store: PreviewStore | undefined;
  /** The last state posted, for tests and for re-showing. */
  lastState: { current?: string; status?: string; error?: string; historyIds: string[]; currentView?: PanelView } = { historyIds: [] };
  /** The entry whose image the page last reported as loaded and shown. */
  shownId: string | undefined;

  constructor(private readonly onMessage: (message: WebviewMessage, store: PreviewStore) => Promise<void>) {}

  get visible(): boolean {
    return !!this.panel;
  }

  /** Opens (or reveals) the panel beside the editor, showing `store`'s history. */
  show(store: PreviewStore): void {
    const root = vscode.Uri.file(store.folder);
    if (this.panel && this.store?.folder !== store.folder) this.panel.dispose();
    this.store = store;
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel('tagsmith.preview', 'Tagsmith Preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [root],
      retainContextWhenHidden: true,
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
    panel.onDidDispose(() => {
      this.shownId = undefined;
      if (this.panel === panel) this.panel = undefined;
    });
  }

  /** A message from the page (or a test standing in for it): validated, then acted on; false when refused. */
  async receive(raw: unknown): Promise<boolean> {
    const known = new Set(this.store?.entries().map((e) => e.id) ?? []);
    const message = validateMessage(raw, known);
    if (!message || !this.panel) return false; // anything else is ignored: the page is untrusted
    if (message.type === 'ready') {
      this.ready = true;
      this.postState();
      for (const m of this.pending.splice(0)) void this.panel.webview.postMessage(m);
      return true;
    }
    if (message.type === 'shown') {
      this.shownId = message.id;
      return true;
    }
    if (this.store) await this.onMessage(message, this.store);
    return true;
  }

  private post(message: unknown): void {
    if (!this.panel) return;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending.push(message);
  }

  private view(entry: HistoryEntry): PanelView {
    return panelView(entry, this.panel!.webview.asWebviewUri(vscode.Uri.file(this.store!.pngPath(entry.id))).toString());
  }

  /** Sends the history (and which entry is the current image). */
  postState(current?: string): void {
    if (!this.panel || !this.store) return;
    const history = this.store.entries().map((e) => this.view(e));
    this.lastState = { ...this.lastState, historyIds: history.map((h) => h.id), ...(current ? { current, status: undefined, error: undefined } : {}) };
    this.lastState.currentView = history.find((h) => h.id === this.lastState.current);
    this.post({ type: 'state', history, current: current ?? this.lastState.current });
  }

  rendering(title: string): void {
    this.lastState = { ...this.lastState, status: `Rendering ${title}…`, error: undefined };
    this.post({ type: 'status', text: this.lastState.status });
  }

  /** Live preview frames sent to the page since the panel was created. */
  liveFrames = 0;

  live(imageBase64: string, step: number, total: number): void {
    this.liveFrames++;
    // Backends send PNG (ours) or JPEG/WebP (A1111 live previews); the page only gets a data: URL of an image type.
    const mime = imageBase64.startsWith('iVBOR') ? 'image/png' : imageBase64.startsWith('/9j/') ? 'image/jpeg' : 'image/webp';
    this.post({ type: 'live', src: `data:${mime};base64,${imageBase64}`, step, total });
  }

  error(text: string): void {
    this.lastState = { ...this.lastState, status: undefined, error: text };
    this.post({ type: 'error', text });
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private html(webview: vscode.Webview): string {
    return panelHtml(webview.cspSource, randomBytes(16).toString('base64'));
  }
}
