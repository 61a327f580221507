// `tagsmith check` and the language server report the same diagnostics: the built CLI and the built
// server, on examples/ and on the corpus of test/fixtures/corpus (schedules, AND, chunk boundaries, emoji,
// every kind of problem), both counting with the bundled CLIP tokenizer.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { ensureServerBuilt, fileUri, startClient, type LspClient } from '../server/lspClient';

const ROOT = resolve(__dirname, '../..');
const files = [
  ...readdirSync(join(ROOT, 'examples')).map((f) => join('examples', f)),
  ...readdirSync(join(ROOT, 'test/fixtures/corpus')).map((f) => join('test/fixtures/corpus', f)),
].filter((f) => f.endsWith('.sdprompt'));

interface Seen {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

/** An LSP diagnostic as `check` writes it: 1-based lines, columns in characters (code points), not UTF-16. */
function asCheckWrites(text: string, d: Diagnostic): Seen {
  const lines = text.replace(/^\ufeff/, '').split('\n');
  const column = (line: number, utf16: number): number => [...(lines[line] ?? '').slice(0, utf16)].length + 1;
  return {
    line: d.range.start.line + 1,
    column: column(d.range.start.line, d.range.start.character),
    endLine: d.range.end.line + 1,
    endColumn: column(d.range.end.line, d.range.end.character),
    severity: SEVERITY[d.severity!]!,
    code: String(d.code),
    message: typeof d.message === 'string' ? d.message : d.message.value,
  };
}

describe('tagsmith check and the language server', () => {
  let client: LspClient;
  beforeAll(async () => {
    ensureServerBuilt();
    client = await startClient({ settings: {} });
  }, 60_000);
  afterAll(async () => client?.stop());

  it('are compared on a corpus with something to say', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  for (const file of files) {
    it(`give the same diagnostics on ${file}`, async () => {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'check', '--format', 'json', file], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const fromCli = (JSON.parse(r.stdout) as Array<Seen & { file: string; endLine: number; endColumn: number }>).map(({ file: _file, ...rest }) => rest);

      const text = readFileSync(join(ROOT, file), 'utf8');
      const uri = fileUri(join(ROOT, file));
      const published = client.nextDiagnostics(uri);
      client.open(uri, text);
      const fromServer = (await published).map((d) => asCheckWrites(text, d));

      const key = (d: Seen): string => JSON.stringify([d.line, d.column, d.endLine, d.endColumn, d.code, d.message]);
      expect(fromServer.map(key).sort()).toEqual(fromCli.map(key).sort());
      expect(fromServer.map((d) => d.severity).sort()).toEqual(fromCli.map((d) => d.severity).sort());
    }, 60_000);
  }

  it('include the token rules and the schedule rules on the corpus', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'check', '--format', 'json', 'test/fixtures/corpus'], { cwd: ROOT, encoding: 'utf8' });
    const codes = new Set((JSON.parse(r.stdout) as Seen[]).map((d) => d.code));
    for (const code of ['token-count', 'chunk-straddle', 'edit-never-switches', 'malformed-and-weight', 'near-miss', 'duplicate-tag', 'unclosed-bracket']) expect(codes).toContain(code);
  });
});
