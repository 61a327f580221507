// The preview panel's page (HTML, its style and script). Pure: the webview's CSP source and a nonce in.

/**
 * The page: nothing may load but images from the webview's own resource origin (`cspSource`, i.e. what
 * asWebviewUri gives) and data: images (the live preview), and only the inline style and script carrying `nonce`.
 */
export function panelHtml(cspSource: string, nonce: string): string {
  const csp = [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`].join('; ');
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
.notes { color: var(--vscode-editorWarning-foreground); margin: 4px 0 8px; padding-left: 1.2em; }
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
      ...(h.template !== undefined ? [el('div', { className: 'meta prompt', textContent: 'Prompt: ' + h.prompt }), el('div', { className: 'meta template', textContent: 'Template: ' + h.template })] : []),
      ...(h.negativeTemplate !== undefined ? [el('div', { className: 'meta template', textContent: 'Negative template: ' + h.negativeTemplate })] : []),
      ...(Array.isArray(h.notes) && h.notes.length ? [el('ul', { className: 'notes', title: 'What the backend did not apply' }, h.notes.map((n) => el('li', { textContent: String(n) })))] : []),
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
