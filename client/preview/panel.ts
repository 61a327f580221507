// The preview panel: a webview beside the editor with the live preview while sampling, then the image with
// its settings, and this workspace's render history. Strict CSP (nonce, no remote content), images of saved
// renders only through asWebviewUri under the preview folder (the live preview is a data: image the backend
// sent), theme colours through VS Code's CSS variables, and every message from the page validated.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HistoryEntry } from './history';
import { validateMessage, type WebviewMessage } from './messages';
import type { PreviewStore } from './store';

export interface PanelView {
  id: string;
  title: string;
  src: string;
  seed: number;
  size: string;
  steps: number;
  sampler: string;
  cfgScale: number;
  seconds: string;
  created: string;
  draft: boolean;
}

export class PreviewPanel {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pending: unknown[] = [];
  private store: PreviewStore | undefined;
  /** The last state posted, for tests and for re-showing. */
  lastState: { current?: string; status?: string; error?: string; historyIds: string[] } = { historyIds: [] };
  /** The entry whose image the page last reported as loaded and shown. */
  shownId: string | undefined;

  constructor(private readonly onMessage: (message: WebviewMessage, store: PreviewStore) => void) {}

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
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const known = new Set(this.store?.entries().map((e) => e.id) ?? []);
      const message = validateMessage(raw, known);
      if (!message) return; // anything else is ignored: the page is untrusted
      if (message.type === 'ready') {
        this.ready = true;
        this.postState();
        for (const m of this.pending.splice(0)) void panel.webview.postMessage(m);
        return;
      }
      if (message.type === 'shown') {
        this.shownId = message.id;
        return;
      }
      if (this.store) this.onMessage(message, this.store);
    });
    panel.onDidDispose(() => {
      this.shownId = undefined;
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private post(message: unknown): void {
    if (!this.panel) return;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending.push(message);
  }

  private view(entry: HistoryEntry): PanelView {
    return {
      id: entry.id, title: entry.title, src: this.panel!.webview.asWebviewUri(vscode.Uri.file(this.store!.pngPath(entry.id))).toString(),
      seed: entry.seed, size: `${entry.width}×${entry.height}`, steps: entry.steps, sampler: entry.sampler, cfgScale: entry.cfgScale,
      seconds: (entry.renderMs / 1000).toFixed(1), created: entry.created, draft: entry.draft,
    };
  }

  /** Sends the history (and which entry is the current image). */
  postState(current?: string): void {
    if (!this.panel || !this.store) return;
    const history = this.store.entries().map((e) => this.view(e));
    this.lastState = { ...this.lastState, historyIds: history.map((h) => h.id), ...(current ? { current, status: undefined, error: undefined } : {}) };
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
    const nonce = randomBytes(16).toString('base64');
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 8px 12px; }
#main img { max-width: 100%; max-height: 70vh; display: block; margin: 6px 0; border: 1px solid var(--vscode-panel-border); image-rendering: auto; }
#status { color: var(--vscode-descriptionForeground); min-height: 1.4em; }
#error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.meta { color: var(--vscode-descriptionForeground); margin: 4px 0 8px; }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 8px; margin: 0 4px 4px 0; cursor: pointer; border-radius: 2px; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
h3 { font-weight: 600; margin: 14px 0 6px; border-top: 1px solid var(--vscode-panel-border); padding-top: 8px; }
#history { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 6px; }
#history figure { margin: 0; cursor: pointer; }
#history img { width: 100%; aspect-ratio: 1; object-fit: cover; border: 1px solid var(--vscode-panel-border); }
#history figure.current img { border-color: var(--vscode-focusBorder); }
#history figcaption { font-size: 0.85em; color: var(--vscode-descriptionForeground); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
</style></head>
<body>
<div id="status" role="status" aria-live="polite"></div>
<div id="error" role="alert"></div>
<div id="main"></div>
<h3>History</h3>
<div id="history"></div>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  let history = [];
  let current;
  const el = (tag, props, children) => { const e = document.createElement(tag); Object.assign(e, props || {}); for (const c of children || []) e.append(c); return e; };
  const button = (label, type, id, title) => el('button', { textContent: label, title: title || label, onclick: () => vscode.postMessage({ type, id }) });
  function showEntry(h) {
    current = h.id;
    const main = $('main');
    main.replaceChildren(
      el('img', { src: h.src, alt: h.title, title: 'Open the PNG', onclick: () => vscode.postMessage({ type: 'open', id: h.id }), onload: () => vscode.postMessage({ type: 'shown', id: h.id }) }),
      el('div', { className: 'meta', textContent: h.title + ' — Seed ' + h.seed + ', ' + h.size + ', ' + h.steps + ' steps, ' + h.sampler + ', CFG ' + h.cfgScale + ', ' + h.seconds + ' s' + (h.draft ? ' (draft)' : '') }),
      el('div', {}, [
        button('Re-render with a new seed', 'rerender', h.id),
        button('Copy seed to block', 'copySeed', h.id, 'Put Seed: ' + h.seed + ' in the block\\'s settings line'),
        button('Copy infotext', 'copyInfotext', h.id),
        button('Reveal PNG', 'reveal', h.id),
        button('Go to block', 'gotoBlock', h.id),
      ]),
    );
    for (const f of document.querySelectorAll('#history figure')) f.classList.toggle('current', f.dataset.id === h.id);
  }
  function renderHistory() {
    $('history').replaceChildren(...history.map((h) => {
      const f = el('figure', { title: h.title + ' — seed ' + h.seed + ' — ' + new Date(h.created).toLocaleString() }, [el('img', { src: h.src, alt: h.title, loading: 'lazy' }), el('figcaption', { textContent: h.title })]);
      f.dataset.id = h.id;
      f.onclick = () => showEntry(h);
      f.ondblclick = () => vscode.postMessage({ type: 'gotoBlock', id: h.id });
      return f;
    }));
  }
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'state') {
      history = Array.isArray(m.history) ? m.history : [];
      renderHistory();
      const pick = history.find((h) => h.id === m.current) || (current ? history.find((h) => h.id === current) : undefined) || history[0];
      if (m.current) { $('status').textContent = ''; $('error').textContent = ''; }
      if (pick) showEntry(pick);
    } else if (m.type === 'status') {
      $('status').textContent = m.text; $('error').textContent = '';
    } else if (m.type === 'live') {
      $('status').textContent = 'Step ' + m.step + '/' + m.total;
      $('main').replaceChildren(el('img', { src: m.src, alt: 'live preview, step ' + m.step, id: 'live' }));
    } else if (m.type === 'error') {
      $('status').textContent = ''; $('error').textContent = m.text;
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
</script>
</body></html>`;
  }
}
