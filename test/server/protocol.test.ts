// Protocol tests: the built dist/server.js --stdio, spoken to as an editor does.
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, pullCapabilities, startClient, type LspClient } from './lspClient';

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
  });
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

  it('answers tagsmith/tokenCount for the prompt under the cursor', async () => {
    const doc = fileUri(path.join(workspace, 't.sdprompt'));
    client.open(doc, '1boy, solo\nNegative prompt: lowres');
    const result = await client.connection.sendRequest('tagsmith/tokenCount', { uri: doc, position: { line: 0, character: 2 } });
    // Estimated: "1" "boy" "," "solo" → 4 tokens (the estimate gives one per digit, word and comma).
    expect(result).toEqual({ tokenCount: 4, chunks: 1, estimated: true, prompt: 'prompt', breakdown: [{ chunk: 1, tokens: 4, text: '1boy, solo' }] });
    const negative = await client.connection.sendRequest('tagsmith/tokenCount', { uri: doc, position: { line: 1, character: 20 } });
    expect(negative).toMatchObject({ prompt: 'negative', tokenCount: 1 });
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
    const client = await startClient({ settings: { tagFiles: [fixtureTags] }, initializationOptions: { trusted: false } });
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
