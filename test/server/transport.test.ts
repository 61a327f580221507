// The stdio transport under malformed framing: raw bytes to `node dist/server.js --stdio`, then a valid
// request that must still be answered. Before the framing guard, one header with a missing, non-numeric or
// negative Content-Length left the server deaf for good.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkHeader } from '../../server/framing';
import { ensureServerBuilt, serverPath } from './lspClient';

const frame = (message: unknown, header = (n: number) => `Content-Length: ${n}\r\n\r\n`): string => {
  const body = JSON.stringify(message);
  return header(Buffer.byteLength(body)) + body;
};

interface Server {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  /** Resolves with the response to request `id`, or rejects after `ms`. */
  response: (id: number, ms?: number) => Promise<any>;
}

function startRaw(): Server {
  const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: 'pipe' });
  let out = Buffer.alloc(0);
  let err = '';
  const messages: any[] = [];
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out = Buffer.concat([out, d]);
    for (;;) {
      const end = out.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(out.subarray(0, end).toString())![1]);
      if (out.length < end + 4 + length) return;
      messages.push(JSON.parse(out.subarray(end + 4, end + 4 + length).toString('utf8')));
      out = out.subarray(end + 4 + length);
    }
  });
  const response = async (id: number, ms = 10_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const found = messages.find((m) => m.id === id && ('result' in m || 'error' in m));
      if (found) return found;
      if (Date.now() > until) throw new Error(`no response to request ${id}; stderr: ${err}`);
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}); stderr: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, stderr: () => err, response };
}

const initialize = (id: number) => ({ jsonrpc: '2.0', id, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });

describe('stdio framing', () => {
  beforeAll(() => ensureServerBuilt());
  let server: Server | undefined;
  afterEach(() => {
    server?.child.kill();
    server = undefined;
  });

  const bad: [string, string][] = [
    ['a missing Content-Length', frame(initialize(1), () => 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n')],
    ['a non-numeric Content-Length', frame(initialize(1), () => 'Content-Length: twelve\r\n\r\n')],
    ['a negative Content-Length', frame(initialize(1), () => 'Content-Length: -5\r\n\r\n')],
    ['an absurd Content-Length', 'Content-Length: 99999999999999\r\n\r\n{}'],
    ['a header that never ends', 'X'.repeat(20_000)],
  ];
  for (const [what, bytes] of bad) {
    it(`logs ${what}, then answers the next valid request`, async () => {
      server = startRaw();
      server.child.stdin.write(bytes);
      server.child.stdin.write(frame(initialize(2)));
      const reply = await server.response(2);
      expect(reply.result.capabilities).toBeDefined();
      expect(server.stderr()).toMatch(/tagsmith-server: ignored a message with .*; skipping to the next Content-Length header/);
      // And it keeps going: a second request in the same session.
      server.child.stdin.write(frame({ jsonrpc: '2.0', id: 3, method: 'shutdown' }));
      expect((await server.response(3)).result).toBeNull();
    });
  }

  it('resyncs across chunk boundaries and passes good messages split byte by byte', async () => {
    server = startRaw();
    const bytes = Buffer.from('Content-Length: nope\r\n\r\n{"junk": true}' + frame(initialize(7)));
    for (let i = 0; i < bytes.length; i += 3) server.child.stdin.write(bytes.subarray(i, i + 3));
    expect((await server.response(7)).result.capabilities).toBeDefined();
  });

  it('exits when stdin closes, as before', async () => {
    server = startRaw();
    server.child.stdin.write(frame(initialize(1)));
    await server.response(1);
    const exited = new Promise<number | null>((resolve) => server!.child.once('exit', (code) => resolve(code)));
    server.child.stdin.end();
    expect(await exited).toBe(1); // no shutdown request came first
  });

  it('checkHeader names what is wrong', () => {
    expect(checkHeader('Content-Length: 12')).toBeUndefined();
    expect(checkHeader('content-length:12\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8')).toBeUndefined();
    expect(checkHeader('Content-Type: x')).toBe('no Content-Length');
    expect(checkHeader('Content-Length: 1.5')).toBe('Content-Length "1.5", not a non-negative integer');
    expect(checkHeader('Content-Length: 1\r\nContent-Length: 2')).toBe('more than one Content-Length');
  });
});
