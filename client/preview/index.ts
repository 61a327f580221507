// Previews in the editor: the Render Preview command (also a `▶ Render` CodeLens above each block and a
// keybinding), the builtin or url backend, progress with Cancel, the preview panel, hover thumbnails.
// Registered from client/main.ts with one call to registerPreview().
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { parseDocument, type Block, findProfile, blockAt, seedEdit, resolveSeed, withTemplates } from '../../core';
import { A1111Client, PreviewError, type Auth } from './api';
import { BuiltinBackend } from './builtin';
import { lastRender, type HistoryEntry } from './history';
import type { WebviewMessage } from './messages';
import { PreviewPanel } from './panel';
import { buildTxt2img, DRAFT, requestFingerprint, type Txt2ImgBody } from './request';
import { withPngParameters } from './pngText';
import { PreviewStore } from './store';
import { EXPAND_TEMPLATE_METHOD, type ExpandTemplateParams, type ExpandTemplateResult } from '../protocol';

const AUTH_SECRET = 'tagsmith.backendAuth';
const MODEL_HELP = 'Set "tagsmith.modelPath" (in your user settings) to an SDXL model folder exported to ONNX with Hugging Face Optimum: `optimum-cli export onnx --model <AnimeBoysXL repo or folder> <out folder>`. See the README section "Local rendering" (and backend/README.md).';

/** The part of vscode-languageclient's LanguageClient used here (the library itself is loaded after activation). */
interface LanguageClientLike {
  sendRequest<R>(method: string, params: unknown): Promise<R>;
}

/** What the e2e tests and anyone curious can look at. */
export interface PreviewApi {
  panel: PreviewPanel;
  /** Renders block `blockIndex` of `uri` (the cursor's block when left out); resolves with the entry, or undefined. */
  render(uri?: vscode.Uri, blockIndex?: number, seed?: number): Promise<HistoryEntry | undefined>;
  /** Cancels the running render. */
  cancel(): void;
  /** Progress reports of the last render (step/total), for tests. */
  lastProgress: Array<{ step: number; total: number }>;
  lastError: PreviewError | undefined;
  builtin: BuiltinBackend | undefined;
}

export function registerPreview(context: vscode.ExtensionContext): PreviewApi {
  const output = vscode.window.createOutputChannel('Tagsmith Preview');
  const log = (line: string) => output.appendLine(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const stores = new Map<string, PreviewStore>();
  let builtin: BuiltinBackend | undefined;
  let running: AbortController | undefined;
  const lensChanged = new vscode.EventEmitter<void>();
  const panel = new PreviewPanel((message, store) => onPanelMessage(message, store));

  const config = () => vscode.workspace.getConfiguration('tagsmith');

  /** The preview folder for a document: `tagsmith.preview.folder` under its workspace folder (or the first). */
  function storeFor(uri: vscode.Uri | undefined): PreviewStore {
    const setting = config().get<string>('preview.folder') || '.tagsmith/previews';
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    const base = folder?.uri.scheme === 'file' ? folder.uri.fsPath : join(context.globalStorageUri.fsPath, 'previews-no-workspace');
    const path = isAbsolute(setting) ? setting : join(base, setting);
    let store = stores.get(path);
    if (!store) stores.set(path, (store = new PreviewStore(path)));
    return store;
  }

  /** A client for the configured backend, starting the builtin one when needed; undefined after telling the user why not. */
  async function backendClient(): Promise<A1111Client | undefined> {
    const mode = config().get<string>('backend', 'builtin');
    if (mode === 'url') {
      const url = config().get<string>('backendUrl', '').trim();
      if (!/^https?:\/\/[^/]/.test(url)) {
        void offerSetting('Set "tagsmith.backendUrl" to the address of a server with the A1111 API (A1111 or Forge started with --api, SD.Next, or tagsmith serve), e.g. http://127.0.0.1:7860.', 'tagsmith.backendUrl');
        return undefined;
      }
      return new A1111Client(url, await readAuth());
    }
    const modelPath = config().get<string>('modelPath', '').trim();
    if (!modelPath) {
      void offerSetting(MODEL_HELP, 'tagsmith.modelPath');
      api.lastError = new PreviewError('unreachable', MODEL_HELP);
      return undefined;
    }
    builtin ??= new BuiltinBackend({ cliPath: '', modelPath: '', executionProvider: 'cpu', log });
    const started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Starting the Tagsmith backend…' },
      () => builtin!.ensure({ cliPath: context.asAbsolutePath(join('dist', 'cli.js')), modelPath, executionProvider: config().get<string>('executionProvider', 'cpu'), log }),
    );
    return new A1111Client(started.url, { kind: 'bearer', token: started.token });
  }

  async function readAuth(): Promise<Auth | undefined> {
    const raw = await context.secrets.get(AUTH_SECRET);
    if (!raw) return undefined;
    try {
      const auth = JSON.parse(raw) as Auth;
      return auth.kind === 'bearer' || auth.kind === 'basic' ? auth : undefined;
    } catch {
      return undefined;
    }
  }

  async function offerSetting(message: string, setting: string): Promise<void> {
    const choice = await vscode.window.showWarningMessage(message, 'Open Setting', 'Open README');
    if (choice === 'Open Setting') await vscode.commands.executeCommand('workbench.action.openSettings', setting);
    if (choice === 'Open README') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(context.extensionUri, 'README.md'));
  }

  async function showError(error: PreviewError): Promise<void> {
    log(`error (${error.kind}): ${error.message}`);
    panel.error(error.message);
    const builtinMode = config().get<string>('backend', 'builtin') === 'builtin';
    const actions: string[] = [];
    if (error.kind === 'cancelled') return void vscode.window.showInformationMessage('Render cancelled.');
    if (error.kind === 'auth') actions.push('Set Credentials');
    if (error.kind === 'unreachable') actions.push(builtinMode ? 'Show Log' : 'Open Setting');
    if (error.kind === 'server' && builtinMode) actions.push('Open Setting', 'Show Log');
    if (error.kind === 'oom') actions.push('Use Draft Mode');
    const message = error.kind === 'oom' ? `${error.message} Try draft mode (smaller size, fewer steps), a smaller Size, or another execution provider.` : error.message;
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === 'Set Credentials') await vscode.commands.executeCommand('tagsmith.setBackendAuth');
    if (choice === 'Show Log') output.show(true);
    if (choice === 'Open Setting') await vscode.commands.executeCommand('workbench.action.openSettings', builtinMode ? 'tagsmith.modelPath' : 'tagsmith.backendUrl');
    if (choice === 'Use Draft Mode') await config().update('preview.draft', true, vscode.ConfigurationTarget.Global);
  }

  const api: PreviewApi = {
    panel,
    lastProgress: [],
    lastError: undefined,
    get builtin() {
      return builtin;
    },
    cancel: () => running?.abort(),
    render: (uri, blockIndex, seed) => render(uri, blockIndex, seed),
  };

  async function render(uri?: vscode.Uri, blockIndex?: number, seed?: number): Promise<HistoryEntry | undefined> {
    api.lastError = undefined;
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode: nothing is executed and no backend is contacted.
      // Not awaited: the command must not wait for the user to dismiss a notification.
      void vscode.window.showWarningMessage('Rendering previews is off in Restricted Mode: trust this workspace to render.', 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      api.lastError = new PreviewError('unreachable', 'Restricted Mode');
      return undefined;
    }
    if (running) {
      void vscode.window.showInformationMessage('A render is already running; cancel it from its notification first.');
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!document || document.languageId !== 'sdprompt') {
      void vscode.window.showInformationMessage('Open a .sdprompt file and put the cursor in a block to render it.');
      return undefined;
    }
    const text = document.getText();
    const doc = parseDocument(text);
    const block: Block | undefined =
      blockIndex !== undefined ? doc.blocks[blockIndex] : blockAt(doc, editor && editor.document === document ? document.offsetAt(editor.selection.active) : 0);
    if (!block) {
      void vscode.window.showInformationMessage('This file has no prompt block to render.');
      return undefined;
    }
    const line = document.positionAt(block.node.start).line;
    const draft = config().get<boolean>('preview.draft', false);
    const profile = findProfile(config().get<string>('profile'));
    const built = buildTxt2img(block, profile, draft ? DRAFT : undefined);
    if (!built.body) {
      void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(document.uri)}:${line + 1}: cannot render this block — ${built.problems.join('; ')}`);
      return undefined;
    }
    // The seed first (A1111's fix_seed runs before sd-dynamic-prompts), then the templates expanded with it.
    const requested: Txt2ImgBody = seed !== undefined ? { ...built.body, seed } : built.body;
    const resolvedSeed = resolveSeed(requested.seed);
    const expanded = await expandTemplates({ prompt: requested.prompt, negativePrompt: requested.negative_prompt, seed: resolvedSeed });
    if (expanded.error !== undefined) {
      api.lastError = new PreviewError('invalid', expanded.error);
      void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(document.uri)}:${line + 1}: cannot render this block — ${expanded.error}`);
      return undefined;
    }
    const body: Txt2ImgBody = { ...requested, seed: resolvedSeed, prompt: expanded.prompt, negative_prompt: expanded.negativePrompt };
    const fullSize = buildTxt2img(block, profile, undefined).body ?? requested;
    const title = (body.prompt.split('\n')[0] ?? '').slice(0, 60) || `block ${block.index + 1}`;
    const store = storeFor(document.uri);

    const abort = new AbortController();
    running = abort;
    api.lastProgress = [];
    try {
      const client = await backendClient();
      if (!client) return undefined;
      panel.show(store);
      panel.rendering(title);
      log(`render ${vscode.workspace.asRelativePath(document.uri)} block ${block.index + 1} at ${client.url}: ${body.width}x${body.height}, ${body.steps} steps, ${body.sampler_name}, seed ${body.seed}`);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Rendering ${title}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: `waiting for the backend… (${body.width}×${body.height}, ${body.steps} steps)` });
          let done = 0;
          const result = await client.render(body, {
            signal: abort.signal,
            onProgress: (p) => {
              api.lastProgress.push({ step: p.step, total: p.total });
              const fraction = p.total > 0 ? p.step / p.total : 0;
              progress.report({ increment: Math.max(0, fraction * 100 - done), message: `step ${p.step}/${p.total}${p.eta > 0 ? ` · ETA ${p.eta.toFixed(1)} s` : ''}` });
              done = Math.max(done, fraction * 100);
              if (p.image) panel.live(p.image, p.step, p.total);
            },
          });
          // The last steps often end between two polls: the finished render is the last step.
          api.lastProgress.push({ step: body.steps, total: body.steps });
          progress.report({ increment: 100 - done, message: `step ${body.steps}/${body.steps}` });
          return result;
        },
      );
      // Neither A1111's API nor our backend takes extra infotext fields: the templates are written here, into
      // the saved PNG's infotext, as sd-dynamic-prompts' "Save template to metadata" writes them.
      const writeTemplate = config().get<boolean>('preview.writeTemplate', true) && (expanded.template !== undefined || expanded.negativeTemplate !== undefined);
      const infotext = writeTemplate && result.infotext ? withTemplates(result.infotext, expanded.template, expanded.negativeTemplate) : result.infotext ?? '';
      const png = infotext !== (result.infotext ?? '') ? withPngParameters(result.png, infotext) : result.png;
      const templates = {
        ...(expanded.template !== undefined || expanded.negativeTemplate !== undefined ? { prompt: body.prompt, negativePrompt: body.negative_prompt } : {}),
        ...(expanded.template !== undefined ? { template: expanded.template } : {}),
        ...(expanded.negativeTemplate !== undefined ? { negativeTemplate: expanded.negativeTemplate } : {}),
      };
      const entry = store.add(png, {
        document: document.uri.toString(), blockIndex: block.index, line, title,
        fingerprint: requestFingerprint(fullSize, seed === undefined && fullSize.seed === -1 ? -1 : result.seed), seed: result.seed, width: body.width, height: body.height,
        steps: body.steps, sampler: body.sampler_name, cfgScale: body.cfg_scale, renderMs: Math.round(result.ms),
        infotext, draft, ...templates, ...(result.notApplied?.length ? { notes: result.notApplied } : {}),
      });
      log(`done in ${(result.ms / 1000).toFixed(2)} s, seed ${result.seed}: ${store.pngPath(entry.id)}`);
      for (const note of result.notApplied ?? []) log(`  ${note}`);
      panel.postState(entry.id);
      lensChanged.fire();
      return entry;
    } catch (error) {
      const e = error instanceof PreviewError ? error : new PreviewError('server', (error as Error).message ?? String(error));
      api.lastError = e;
      void showError(e);
      return undefined;
    } finally {
      running = undefined;
    }
  }

  /**
   * The prompts as sd-dynamic-prompts expands them for `seed`, by the language server (which holds the wildcard
   * folders). Without a running server the text is sent as written (and the log says so).
   */
  async function expandTemplates(params: ExpandTemplateParams): Promise<ExpandTemplateResult> {
    const unchanged: ExpandTemplateResult = { prompt: params.prompt, negativePrompt: params.negativePrompt };
    const exports = context.extension.exports as { client?: LanguageClientLike; serverReady?: Promise<boolean> } | undefined;
    const ready = await Promise.race([exports?.serverReady ?? Promise.resolve(false), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
    const client = exports?.client;
    if (!ready || !client) {
      log('the language server is not running: the prompts are sent without Dynamic Prompts expansion');
      return unchanged;
    }
    try {
      const answer = await client.sendRequest<ExpandTemplateResult>(EXPAND_TEMPLATE_METHOD, params);
      if (answer && (typeof answer.error === 'string' || (typeof answer.prompt === 'string' && typeof answer.negativePrompt === 'string'))) return answer;
      return { error: 'the language server gave no answer to tagsmith/expandTemplate' };
    } catch (error) {
      return { error: `the language server could not expand the templates: ${(error as Error).message}` };
    }
  }

  async function onPanelMessage(message: WebviewMessage, store: PreviewStore): Promise<void> {
    if (message.type === 'ready' || message.type === 'shown') return;
    const entry = store.find(message.id);
    if (!entry) return;
    if (!entry.document && ['rerender', 'copySeed', 'gotoBlock'].includes(message.type)) {
      // Rebuilt from its PNG after the history index was lost: the image has no block any more.
      void vscode.window.showInformationMessage('This render is not linked to a block any more (its history entry was rebuilt from the PNG). Use "Copy infotext" or New Prompt from PNG.');
      return;
    }
    const uri = vscode.Uri.parse(entry.document);
    switch (message.type) {
      case 'rerender':
        await render(uri, entry.blockIndex, -1);
        return;
      case 'copySeed': {
        const document = await vscode.workspace.openTextDocument(uri);
        const block = parseDocument(document.getText()).blocks[entry.blockIndex];
        if (!block) return void vscode.window.showWarningMessage('That block is no longer in the file.');
        const e = seedEdit(document.getText(), block, entry.seed);
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.text);
        await vscode.workspace.applyEdit(edit);
        return;
      }
      case 'copyInfotext':
        await vscode.env.clipboard.writeText(entry.infotext);
        void vscode.window.setStatusBarMessage('Infotext copied', 2000);
        return;
      case 'reveal':
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(store.pngPath(entry.id)));
        return;
      case 'open':
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(store.pngPath(entry.id)), { viewColumn: vscode.ViewColumn.Beside });
        return;
      case 'gotoBlock': {
        const document = await vscode.workspace.openTextDocument(uri);
        const block = parseDocument(document.getText()).blocks[entry.blockIndex];
        const at = document.positionAt(block?.node.start ?? document.offsetAt(new vscode.Position(entry.line, 0)));
        await vscode.window.showTextDocument(document, { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.One });
        return;
      }
    }
  }

  /** The last render of each block and whether the block changed since. */
  function renderState(document: vscode.TextDocument, block: Block): { entry?: HistoryEntry; changed: boolean } {
    if (!vscode.workspace.isTrusted) return { changed: false };
    const entry = lastRender(storeFor(document.uri).entries(), document.uri.toString(), block.index);
    if (!entry) return { changed: false };
    const body = buildTxt2img(block, findProfile(config().get<string>('profile')), undefined).body;
    return { entry, changed: !body || requestFingerprint(body, body.seed) !== entry.fingerprint };
  }

  const lenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lensChanged.event,
    provideCodeLenses(document) {
      const result: vscode.CodeLens[] = [];
      for (const block of parseDocument(document.getText()).blocks) {
        const at = document.positionAt(block.node.start);
        const range = new vscode.Range(at, at);
        result.push(new vscode.CodeLens(range, { title: '▶ Render', command: 'tagsmith.renderPreview', arguments: [document.uri, block.index], tooltip: 'Render this block (Tagsmith preview)' }));
        const { entry, changed } = renderState(document, block);
        if (entry) {
          const ago = relativeTime(Date.parse(entry.created));
          result.push(new vscode.CodeLens(range, {
            title: changed ? `changed since its render (${ago}) ↻` : `rendered ${ago} · seed ${entry.seed}`,
            command: changed ? 'tagsmith.renderPreview' : 'tagsmith.showPreviewPanel',
            arguments: changed ? [document.uri, block.index] : [document.uri],
            tooltip: changed ? 'The block changed since its last render: render again' : 'Show the preview panel',
          }));
        }
      }
      return result;
    },
  };

  const hover: vscode.HoverProvider = {
    provideHover(document, position) {
      const offset = document.offsetAt(position);
      const block = parseDocument(document.getText()).blocks.find((b) => document.positionAt(b.node.start).line === position.line && offset <= b.node.end);
      if (!block) return undefined;
      const { entry, changed } = renderState(document, block);
      if (!entry) return undefined;
      const png = vscode.Uri.file(storeFor(document.uri).pngPath(entry.id));
      const md = new vscode.MarkdownString(`<img src="${png.toString()}" width="192" alt="last render"/>\n\nLast render: seed ${entry.seed}, ${entry.width}×${entry.height}, ${entry.steps} steps${entry.draft ? ' (draft)' : ''}${changed ? ' — **the block changed since**' : ''}`);
      md.supportHtml = true;
      md.baseUri = png;
      return new vscode.Hover(md);
    },
  };

  context.subscriptions.push(
    output,
    lensChanged,
    { dispose: () => panel.dispose() },
    { dispose: () => void builtin?.stop() },
    vscode.commands.registerCommand('tagsmith.renderPreview', (uri?: unknown, blockIndex?: unknown) =>
      render(uri instanceof vscode.Uri ? uri : undefined, typeof blockIndex === 'number' ? blockIndex : undefined)),
    vscode.commands.registerCommand('tagsmith.cancelPreview', () => running?.abort()),
    vscode.commands.registerCommand('tagsmith.showPreviewPanel', (uri?: unknown) => {
      if (!vscode.workspace.isTrusted) return;
      panel.show(storeFor(uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri));
    }),
    vscode.commands.registerCommand('tagsmith.setBackendAuth', () => setAuth()),
    vscode.commands.registerCommand('tagsmith.showPreviewLog', () => output.show()),
    // For the e2e tests: the preview's state. A private command (leading underscore: VS Code never lists it).
    vscode.commands.registerCommand('_tagsmith.previewApi', () => api),
    vscode.languages.registerCodeLensProvider({ language: 'sdprompt' }, lenses),
    vscode.languages.registerHoverProvider({ language: 'sdprompt' }, hover),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tagsmith.preview.folder')) lensChanged.fire();
      // A new model or provider is picked up by the next render (ensure() restarts the server).
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lensChanged.fire()),
  );

  async function setAuth(): Promise<void> {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Bearer token', choice: 'bearer' as const },
        { label: 'Basic (user name and password)', description: "A1111's --api-auth", choice: 'basic' as const },
        { label: 'None', description: 'remove the stored credentials', choice: 'none' as const },
      ],
      { title: 'Credentials for the tagsmith.backendUrl server (kept in VS Code secret storage)' },
    );
    if (!pick) return;
    if (pick.choice === 'none') return void (await context.secrets.delete(AUTH_SECRET));
    let auth: Auth;
    if (pick.choice === 'bearer') {
      const token = await vscode.window.showInputBox({ title: 'Bearer token', password: true, ignoreFocusOut: true });
      if (!token) return;
      auth = { kind: 'bearer', token };
    } else {
      const user = await vscode.window.showInputBox({ title: 'User name', ignoreFocusOut: true });
      if (user === undefined) return;
      const password = await vscode.window.showInputBox({ title: 'Password', password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      auth = { kind: 'basic', user, password };
    }
    await context.secrets.store(AUTH_SECRET, JSON.stringify(auth));
    const url = config().get<string>('backendUrl', '').trim();
    if (config().get<string>('backend') === 'url' && url) {
      try {
        await new A1111Client(url, auth).samplers();
        void vscode.window.showInformationMessage(`Credentials saved; ${url} accepts them.`);
      } catch (error) {
        if (error instanceof PreviewError) void showError(error);
      }
    }
  }

  return api;
}

function relativeTime(then: number): string {
  const s = Math.max(0, Math.round((Date.now() - then) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
