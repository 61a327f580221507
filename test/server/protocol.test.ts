// Protocol tests: the built dist/server.js --stdio, spoken to as an editor does.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { fork, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, Diagnostic } from 'vscode-languageserver-protocol';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-languageserver-protocol/node';
import { ensureServerBuilt, fileUri, pullCapabilities, serverPath, startClient, type LspClient } from './lspClient';

const fixtureTags = path.resolve(__dirname, '../fixtures/server/tags.csv');

describe('the server over stdio', () => {
  let client: LspClient;
  let workspace: string;
  let uri: string;

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-lsp-'));
    mkdirSync(path.join(workspace, 'tags'));
    copyFileSync(fixtureTags, path.join(workspace, 'tags/tags.csv'));
    uri = fileUri(path.join(workspace, 'a.sdprompt'));
    client = await startClient({ workspaceFolder: workspace, settings: { tagFiles: ['${workspaceFolder}/tags/tags.csv'] } });
    await client.waitForLog(/tags\.csv: 11 tags indexed/);
  }, 60_000);
  afterAll(async () => {
    await client?.stop();
  });

  it('publishes diagnostics on open, with codes and exact ranges', async () => {
    const published = client.nextDiagnostics(uri);
    client.open(uri, '1boy, (best quality, year 2030\nSteps: 28, Size: 833x1216');
    const diagnostics = await published;
    const byCode = (code: string): Diagnostic | undefined => diagnostics.find((d) => d.code === code);
    expect(byCode('unclosed-bracket')?.range).toEqual({ start: { line: 0, character: 6 }, end: { line: 0, character: 7 } });
    expect(byCode('year-out-of-range')?.range.start).toEqual({ line: 0, character: 21 });
    expect(byCode('size-not-multiple-of-8')).toMatchObject({ severity: 1, range: { start: { line: 1, character: 17 } } });
  });

  it('re-publishes after a change (debounced)', async () => {
    const published = client.nextDiagnostics(uri, (d) => !d.some((x) => x.code === 'unclosed-bracket'));
    void client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, text: '' }],
    });
    const diagnostics = await published;
    expect(diagnostics.map((d) => d.code)).toContain('year-out-of-range');
  });

  it('completes dictionary tags from the configured tag file', async () => {
    const doc = fileUri(path.join(workspace, 'c.sdprompt'));
    client.open(doc, '1boy, longh');
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: doc }, position: { line: 0, character: 11 } })) as CompletionList;
    const item = list.items.find((i) => i.label === 'long hair');
    expect(item?.detail).toBe('general · 4.4M posts · alias longhair');
  });

  it('completes in a later block while the document is being edited, at the right lines', async () => {
    const doc = fileUri(path.join(workspace, 'blocks.sdprompt'));
    const opened = client.nextDiagnostics(doc);
    client.open(doc, 'a\n---\nb\n---\n1boy, x');
    await opened;
    // Right after a change, before the debounced diagnostics parse the document: only the block is parsed.
    void client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: doc, version: 2 },
      contentChanges: [{ range: { start: { line: 4, character: 6 }, end: { line: 4, character: 7 } }, text: 'best qu' }],
    });
    const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: doc }, position: { line: 4, character: 13 } })) as CompletionList;
    const item = list.items.find((i) => i.label === 'best quality');
    expect(item?.textEdit).toEqual({ range: { start: { line: 4, character: 6 }, end: { line: 4, character: 13 } }, newText: 'best quality' });
  });

  it('answers tagsmith/tokenCount for the prompt under the cursor', async () => {
    const doc = fileUri(path.join(workspace, 't.sdprompt'));
    client.open(doc, '1boy, solo\nNegative prompt: lowres');
    const result = await client.connection.sendRequest('tagsmith/tokenCount', { uri: doc, position: { line: 0, character: 2 } });
    // No tokenizer set: the bundled CLIP tokenizer counts "1" "boy</w>" ",</w>" "solo</w>" → 4 tokens, exactly.
    expect(result).toEqual({ tokenCount: 4, chunks: 1, estimated: false, prompt: 'prompt', breakdown: [{ chunk: 1, tokens: 4, text: '1boy, solo' }] });
    const negative = await client.connection.sendRequest('tagsmith/tokenCount', { uri: doc, position: { line: 1, character: 20 } });
    // `lowres` is `low` `res</w>`: CLIP's vocabulary has no `lowres</w>`.
    expect(negative).toMatchObject({ prompt: 'negative', tokenCount: 2 });
    expect(await client.connection.sendRequest('tagsmith/tokenCount', { uri: 'file:///nope.sdprompt', position: { line: 0, character: 0 } })).toBeNull();
  });
});

describe('pull diagnostics', () => {
  it('answers textDocument/diagnostic when the client supports it, and pushes nothing', async () => {
    const client = await startClient({ capabilities: pullCapabilities });
    try {
      const uri = 'file:///pull.sdprompt';
      client.open(uri, '1boy, best qualty');
      const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
      expect(report.kind).toBe('full');
      expect(report.items.map((d) => d.code)).toEqual(['near-miss']);
      await new Promise((r) => setTimeout(r, 300));
      expect(client.diagnostics.size).toBe(0);
    } finally {
      await client.stop();
    }
  });
});

describe('settings', () => {
  it('applies severity overrides and re-publishes on didChangeConfiguration', async () => {
    const client = await startClient({ settings: {} });
    try {
      const uri = 'file:///sev.sdprompt';
      const first = client.nextDiagnostics(uri, (d) => d.length > 0);
      client.open(uri, '1boy, best qualty');
      expect((await first)[0]).toMatchObject({ code: 'near-miss', severity: 2 });
      client.settings = { diagnostics: { severity: { 'near-miss': 'error' } } };
      const second = client.nextDiagnostics(uri, (d) => d[0]?.severity === 1);
      void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      expect((await second)[0]).toMatchObject({ code: 'near-miss', severity: 1 });
      client.settings = { diagnostics: { severity: { 'near-miss': 'off' } } };
      const third = client.nextDiagnostics(uri, (d) => d.length === 0);
      void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      expect(await third).toEqual([]);
    } finally {
      await client.stop();
    }
  });

  it('reads no path from the settings when the workspace is not trusted', async () => {
    // The built-in dictionary (no path) would offer `long hair` too: off here, so only the tag file could.
    const client = await startClient({ settings: { tagFiles: [fixtureTags], builtinDictionary: false }, initializationOptions: { trusted: false } });
    try {
      await client.waitForLog(/Settings applied: .*0 tag files.*untrusted workspace/);
      const uri = 'file:///untrusted.sdprompt';
      const published = client.nextDiagnostics(uri);
      client.open(uri, '1boy, longh');
      await published;
      const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 11 } })) as CompletionList;
      expect(list.items.map((i) => i.label)).not.toContain('long hair');
      expect(client.logs.some((l) => l.includes('tags.csv'))).toBe(false);
    } finally {
      await client.stop();
    }
  });

  it('takes settings from initializationOptions when the client cannot be asked for them', async () => {
    const client = await startClient({ capabilities: {}, initializationOptions: { tagsmith: { tagFiles: [fixtureTags] } } });
    try {
      expect(await client.waitForLog(/Settings applied/)).toMatch(/1 tag files/);
    } finally {
      await client.stop();
    }
  });

  it('rebuilds a tag file when it changes on disk', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-watch-'));
    const file = path.join(dir, 'mine.csv');
    writeFileSync(file, 'silver_hair,0,10,\n');
    const client = await startClient({ settings: { tagFiles: [file] } });
    try {
      await client.waitForLog(/mine\.csv: 1 tags indexed/);
      writeFileSync(file, 'silver_hair,0,10,\nsilver_armor,0,5,\n');
      await client.waitForLog(/mine\.csv: 2 tags indexed/);
      const uri = 'file:///watch.sdprompt';
      client.open(uri, 'silver a');
      const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 8 } })) as CompletionList;
      expect(list.items.map((i) => i.label)).toContain('silver armor');
    } finally {
      await client.stop();
    }
  });
});

describe('every feature over the wire', () => {
  let client: LspClient;
  const uri = 'file:///features.sdprompt';
  const text = '1boy, ((best qualty)), long hair BREAK year 2023\nNegative prompt: lowres\nSteps: 28,Sampler: Euler a  \n---\nsecond block';

  beforeAll(async () => {
    client = await startClient({ settings: { tagFiles: [fixtureTags] } });
    await client.waitForLog(/Settings applied: .*1 tag files/);
    client.open(uri, text);
  }, 60_000);
  afterAll(async () => {
    await client?.stop();
  });
  const doc = { textDocument: { uri } };

  it('hover', async () => {
    const result = (await client.connection.sendRequest('textDocument/hover', { ...doc, position: { line: 0, character: 25 } })) as { contents: { value: string } };
    expect(result.contents.value).toContain('**long_hair** — general, 4,350,743 posts');
  });

  it('codeAction', async () => {
    const result = (await client.connection.sendRequest('textDocument/codeAction', {
      ...doc,
      range: { start: { line: 0, character: 10 }, end: { line: 0, character: 10 } },
      context: { diagnostics: [] },
    })) as Array<{ title: string; edit: { changes: Record<string, Array<{ newText: string }>> } }>;
    const fix = result.find((a) => a.title === "Replace 'best qualty' with 'best quality'");
    expect(fix?.edit.changes[uri]?.[0]?.newText).toBe('best quality');
    expect(result.map((a) => a.title)).toContain('Write as (…:1.21)');
  });

  it('semanticTokens', async () => {
    const result = (await client.connection.sendRequest('textDocument/semanticTokens/full', doc)) as { data: number[] };
    // First token: `1boy`, a tag of the built-in dictionary, at line 0, character 0, 4 long; `long hair` (in the
    // tag file) is coloured too: some token starts at character 23 of line 0 with length 9.
    expect(result.data.slice(0, 3)).toEqual([0, 0, 4]);
    const starts: Array<[number, number, number]> = [];
    for (let i = 0, line = 0, char = 0; i < result.data.length; i += 5) {
      line += result.data[i]!;
      char = result.data[i] === 0 ? char + result.data[i + 1]! : result.data[i + 1]!;
      starts.push([line, char, result.data[i + 2]!]);
    }
    expect(starts).toContainEqual([0, 23, 9]);
    expect(result.data.length % 5).toBe(0);
  });

  it('inlayHint', async () => {
    const result = (await client.connection.sendRequest('textDocument/inlayHint', { ...doc, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } } })) as Array<{ label: string; position: unknown }>;
    // The first prompt has a BREAK: chunk 1 counts as 75, plus the 5 CLIP tokens of `year 2023` (`year</w>` and
    // one per digit); `lowres` is `low` `res</w>` (CLIP's vocabulary has no `lowres</w>`); `second block` is two.
    expect(result.map((h) => h.label)).toEqual(['80/150', '2/75', '2/75']);
  });

  it('documentSymbol and foldingRange', async () => {
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', doc)) as Array<{ name: string }>;
    expect(symbols.map((s) => s.name)).toEqual(['1boy, best qualty, long hair', 'second block']);
    const folds = await client.connection.sendRequest('textDocument/foldingRange', doc);
    expect(folds).toEqual([{ startLine: 0, endLine: 2, kind: 'region' }]);
  });

  it('formatting', async () => {
    const edits = (await client.connection.sendRequest('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } })) as Array<{ range: { start: { line: number; character: number } }; newText: string }>;
    expect(edits).toEqual([
      { range: { start: { line: 2, character: 10 }, end: { line: 2, character: 10 } }, newText: ' ' },
      { range: { start: { line: 2, character: 26 }, end: { line: 2, character: 28 } }, newText: '' },
    ]);
  });
});

describe('robustness: malformed traffic never kills the server', () => {
  let client: LspClient;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-bad-'));
    writeFileSync(path.join(dir, 'notcsv.csv'), '{\n  "tags": ["a", "b"]\n}\n');
    writeFileSync(path.join(dir, 'partly.csv'), 'good_tag,0,5,\nbad_tag,zero,5,\n');
    client = await startClient({ settings: { tagFiles: [path.join(dir, 'missing.csv'), path.join(dir, 'notcsv.csv'), path.join(dir, 'partly.csv')] } });
    await client.waitForLog(/Settings applied/);
  }, 60_000);
  afterAll(async () => {
    await client?.stop();
  });
  const alive = async (): Promise<void> => {
    expect(await client.connection.sendRequest('tagsmith/tokenCount', { uri: 'file:///none', position: { line: 0, character: 0 } })).toBeNull();
    expect(client.child.exitCode).toBeNull();
  };

  it('logs tag files that are missing or not CSV, naming file and line', () => {
    expect(client.logs).toContain(`Tag file ${path.join(dir, 'missing.csv')}: cannot read it (ENOENT); check tagsmith.tagFiles`);
    expect(client.logs).toContain(`Tag file ${path.join(dir, 'notcsv.csv')}:1: no tag rows found; expected a1111 tag-autocomplete CSV (name,category,postCount,"aliases")`);
    expect(client.logs).toContain(`Tag file ${path.join(dir, 'partly.csv')}:2: category 'zero' is not a whole number`);
  });

  it('answers unknown methods with an error, ignores unknown notifications', async () => {
    await expect(client.connection.sendRequest('tagsmith/noSuchMethod', {})).rejects.toMatchObject({ code: -32601 });
    void client.connection.sendNotification('tagsmith/noSuchNotification', { x: 1 });
    await alive();
  });

  it('answers positions past the end', async () => {
    const uri = 'file:///short.sdprompt';
    client.open(uri, '1boy, best qu');
    const far = { textDocument: { uri }, position: { line: 999, character: 999 } };
    const list = (await client.connection.sendRequest('textDocument/completion', far)) as CompletionList;
    expect(list.items.map((i) => i.label)).toContain('best quality');
    await client.connection.sendRequest('textDocument/hover', far);
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: -5, character: -1 } });
    await alive();
  });

  it('logs didChange for a document that is not open', async () => {
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///ghost.sdprompt', version: 3 }, contentChanges: [{ text: 'x' }] });
    expect(await client.waitForLog(/ghost\.sdprompt, which is not open/)).toBe('didChange for file:///ghost.sdprompt, which is not open: ignored (send didOpen first)');
    await alive();
  });

  it('answers requests with missing or wrong parameters with an error or nothing', async () => {
    await expect(client.connection.sendRequest('textDocument/hover', {})).rejects.toBeDefined();
    expect(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///short.sdprompt' }, position: 'here' })).toBeNull();
    expect(await client.connection.sendRequest('tagsmith/tokenCount', null)).toBeNull();
    await alive();
  });

  it('handles a 10 MB document', { timeout: 240_000 }, async () => {
    const uri = 'file:///huge.sdprompt';
    const block = '1boy, solo, black hair, (looking at viewer:1.1), best quality, year 2023\nNegative prompt: lowres, worst quality\nSteps: 28, Sampler: Euler a, Size: 832x1216\n---\n';
    const text = block.repeat(Math.ceil(10_000_000 / block.length));
    const published = client.nextDiagnostics(uri);
    client.open(uri, text);
    expect(await published).toEqual([]);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 30_000, character: 2 } })) as { contents: { value: string } } | null;
    expect(hover?.contents.value).toContain('Effective weight');
    await alive();
  });
});

const clipDir = path.resolve(__dirname, '../../../shared/data/clip');

describe.skipIf(!existsSync(path.join(clipDir, 'vocab.json')))('exact token counts with the real CLIP tokenizer', () => {
  it('counts with tagsmith.tokenizerPath, and with the tokenizer/ folder of tagsmith.modelPath', async () => {
    const model = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-model-'));
    symlinkSync(clipDir, path.join(model, 'tokenizer'));
    for (const settings of [{ tokenizerPath: clipDir }, { modelPath: model }]) {
      const client = await startClient({ settings });
      try {
        await client.waitForLog(/Settings applied: .*token counts exact/);
        const uri = 'file:///exact.sdprompt';
        client.open(uri, '1boy, best quality');
        // CLIP: `1`, `boy`, `,`, `best`, `quality` — five tokens.
        const result = await client.connection.sendRequest('tagsmith/tokenCount', { uri, position: { line: 0, character: 0 } });
        expect(result).toMatchObject({ tokenCount: 5, chunks: 1, estimated: false });
      } finally {
        await client.stop();
      }
    }
  });

  it('logs a tokenizer folder it cannot load and falls back to the bundled tokenizer', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-notok-'));
    const client = await startClient({ settings: { tokenizerPath: empty } });
    try {
      expect(await client.waitForLog(/^Tokenizer /)).toMatch(new RegExp(`^Tokenizer ${empty.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*vocab\\.json.*; counting with the bundled CLIP tokenizer .*instead$`));
    } finally {
      await client.stop();
    }
  });
});

describe('workspace and LoRA folders', () => {
  it('offers LoRA names from tagsmith.loraFolders and tags used in the workspace', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'tagsmith-ws-'));
    mkdirSync(path.join(workspace, 'loras/sub'), { recursive: true });
    writeFileSync(path.join(workspace, 'loras/animeboy_style.safetensors'), '');
    writeFileSync(path.join(workspace, 'loras/sub/lineart.safetensors'), '');
    writeFileSync(path.join(workspace, 'loras/readme.txt'), '');
    mkdirSync(path.join(workspace, 'prompts'));
    writeFileSync(path.join(workspace, 'prompts/knight.sdprompt'), '1boy, silver armor, silver hair\n---\n1boy, silver hair, cape\n');
    // Without the built-in dictionary, so that `silv` finds the workspace's tags alone.
    const client = await startClient({ workspaceFolder: workspace, settings: { loraFolders: ['${workspaceFolder}/loras'], builtinDictionary: false } });
    try {
      await client.waitForLog(/Settings applied: .*2 LoRA names/);
      const uri = fileUri(path.join(workspace, 'new.sdprompt'));
      client.open(uri, '1boy, <lora:\nsilv');
      const loras = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 12 } })) as CompletionList;
      expect(loras.items.map((i) => i.label)).toEqual(['animeboy_style', 'lineart']);
      // The workspace scan runs after start-up, one file at a time.
      let labels: string[] = [];
      for (let tries = 0; tries < 50 && labels.length < 2; tries++) {
        const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 4 } })) as CompletionList;
        labels = list.items.map((i) => i.label);
        if (labels.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(labels).toEqual(['silver hair', 'silver armor']);
      // A file written while the server runs, announced by the client's file watcher.
      const added = path.join(workspace, 'prompts/crown.sdprompt');
      writeFileSync(added, 'silver crown, silver crown\n---\nsilver crown');
      void client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(added), type: 1 }] });
      for (let tries = 0; tries < 50 && !labels.includes('silver crown'); tries++) {
        await new Promise((r) => setTimeout(r, 50));
        const list = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 4 } })) as CompletionList;
        labels = list.items.map((i) => i.label);
      }
      expect(labels).toEqual(['silver crown', 'silver hair', 'silver armor']);
    } finally {
      await client.stop();
    }
  });
});

describe('Node IPC, as the VS Code client starts it', () => {
  beforeAll(() => ensureServerBuilt());

  it('initializes and answers over --node-ipc', async () => {
    const child = fork(serverPath, ['--node-ipc'], { silent: true });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as { serverInfo: { name: string }; capabilities: { hoverProvider: boolean } };
      expect(result.serverInfo.name).toBe('tagsmith-server');
      expect(result.capabilities.hoverProvider).toBe(true);
      await connection.sendRequest('shutdown');
      void connection.sendNotification('exit');
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  it('says how to start it when no transport is given', () => {
    const run = spawnSync(process.execPath, [serverPath], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Usage: tagsmith-server --stdio | --node-ipc | --socket=PORT');
  });
});
