// The preview page's Content-Security-Policy: strict, with the nonce on the only style and script.
import { describe, expect, it } from 'vitest';
import { panelHtml } from '../../client/preview/panelHtml';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const html = panelHtml(SOURCE, 'Tm9uY2Vub25jZQ==');

describe('preview panel page', () => {
  it('has one CSP: nothing by default, images from the webview origin and data:, style and script by nonce only', () => {
    const metas = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g) ?? [];
    expect(metas).toHaveLength(1);
    const csp = /content="([^"]*)"/.exec(metas[0]!)![1];
    expect(csp).toBe(`default-src 'none'; img-src ${SOURCE} data:; style-src 'nonce-Tm9uY2Vub25jZQ=='; script-src 'nonce-Tm9uY2Vub25jZQ=='`);
    expect(html).not.toMatch(/unsafe-inline|unsafe-eval|https?:\/\/(?!file\+)/);
  });

  it('every <script> and <style> carries the nonce; no inline event handler attributes', () => {
    const tags = html.match(/<(script|style)\b[^>]*>/g) ?? [];
    expect(tags.length).toBe(2);
    for (const tag of tags) expect(tag).toContain('nonce="Tm9uY2Vub25jZQ=="');
    expect(html).not.toMatch(/<[a-z]+[^>]*\son[a-z]+=/i);
  });

  it("shows the backend's not-applied notes as text (textContent, never HTML), in the theme's warning colour", () => {
    expect(html).toContain("el('ul', { className: 'notes'");
    expect(html).toContain("el('li', { textContent: String(n) })");
    expect(html).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
    expect(html).toContain('.notes { color: var(--vscode-editorWarning-foreground)');
  });

  it('follows the theme through VS Code CSS variables, no fixed colours', () => {
    expect(html).toContain('var(--vscode-editor-background)');
    expect(html).toContain('var(--vscode-foreground)');
    expect(html).not.toMatch(/#[0-9a-f]{3,6}\b|rgb\(/i);
  });
});
