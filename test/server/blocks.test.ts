import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { BlockDiagnostics } from '../../server/blockDiagnostics';
import { splitBlocks } from '../../core/parse/blocks';
import { blockAround } from '../../server/blocks';
import { diagnose } from '../../server/features/diagnostics';
import { analyse, service } from './helpers';

const doc = (text: string): TextDocument => TextDocument.create('file:///b.sdprompt', 'sdprompt', 1, text);

describe('the block around a line', () => {
  const text = '1boy\nSteps: 28\n---\n# note\nsolo\nNegative prompt: x\n--- \r\nlast';
  it('runs from the line after one separator to the line before the next', () => {
    expect(blockAround(doc(text), 4)).toEqual({ line: 3, start: 19, end: 50 });
    expect(text.slice(19, 50)).toBe('# note\nsolo\nNegative prompt: x\n');
    expect(blockAround(doc(text), 0)).toEqual({ line: 0, start: 0, end: 15 });
    expect(blockAround(doc(text), 7)).toEqual({ line: 7, start: 56, end: 60 });
  });

  it('is undefined on a separator line, and clamps lines past the end', () => {
    expect(blockAround(doc(text), 2)).toBeUndefined();
    expect(blockAround(doc(text), 6)).toBeUndefined();
    expect(blockAround(doc(text), 99)).toEqual({ line: 7, start: 56, end: 60 });
  });
});

describe('splitting a document into blocks', () => {
  it('cuts at separator lines only, as core/parse does', () => {
    const text = '1boy\nSteps: 28\n---\n# note\nsolo\n--- \r\nlast\n---\n';
    expect(splitBlocks(text).map((b) => [b.line, text.slice(b.start, b.end)])).toEqual([
      [0, '1boy\nSteps: 28\n'],
      [3, '# note\nsolo\n'],
      [6, 'last\n'],
    ]);
    expect(splitBlocks('')).toEqual([]);
    expect(splitBlocks('a ---\n----\nb').map((b) => b.line)).toEqual([0]);
  });
});

describe('diagnostics block by block', () => {
  const ctx = service();
  const uri = 'file:///blocks.sdprompt';
  const text = '1boy, best qualty\n---\n1boy, 1boy\nSteps: 28, Size: 833x1216\n---\nsolo';

  it('equal what the whole document gives', () => {
    const whole = diagnose(ctx, analyse(text), uri);
    expect(new BlockDiagnostics().diagnose(text, uri, ctx)).toEqual(whole);
    expect(whole.map((d) => [d.code, d.range.start.line])).toEqual([['near-miss', 0], ['duplicate-tag', 2], ['size-not-multiple-of-8', 3]]);
  });

  it('check again only the block that changed', () => {
    const blocks = new BlockDiagnostics();
    blocks.diagnose(text, uri, ctx);
    const edited = text.replace('1boy, 1boy', '1boy, solo');
    const again = blocks.diagnose(edited, uri, ctx);
    expect(again).toEqual(diagnose(ctx, analyse(edited), uri));
    expect(again.map((d) => d.code)).toEqual(['near-miss', 'size-not-multiple-of-8']);
  });
});

describe('diagnostics block by block (property)', () => {
  it('equal the whole document’s for any document', () => {
    const piece = fc.constantFrom('1boy', 'best qualty', 'best quality', 'worst quality', ', ', ',', ' ', '\n', '\r\n', '---', '--- ', '\n---\n', '(', ')', '[', ':1.2', 'BREAK', 'year 2030', '# c', 'Negative prompt:', 'Steps: 28, Size: 833x1216', '\ufeff', 'x '.repeat(40));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        const ctx = service();
        expect(new BlockDiagnostics().diagnose(text, 'file:///p', ctx)).toEqual(diagnose(ctx, analyse(text), 'file:///p'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('limits of per-block diagnostics', () => {
  it('does not read a block over MAX_BLOCK_CHARS, and says so on its first line', async () => {
    const { MAX_BLOCK_CHARS } = await import('../../server/blockDiagnostics');
    const huge = 'solo, '.repeat(Math.ceil(MAX_BLOCK_CHARS / 6) + 10);
    const text = `1boy, 1boy\n---\n${huge}\n---\n1boy, 1boy\n`;
    const found = new BlockDiagnostics().diagnose(text, 'file:///b.sdprompt', service());
    expect(found.map((d) => [d.code, d.range.start.line])).toEqual([
      ['duplicate-tag', 0],
      ['block-too-large', 2],
      ['duplicate-tag', 4],
    ]);
    expect(found[1]!.message).toContain('not read');
  });

  it('publishes at most MAX_DIAGNOSTICS, then one saying how many there are', async () => {
    const { MAX_DIAGNOSTICS } = await import('../../server/blockDiagnostics');
    const text = Array.from({ length: 30 }, () => '1boy, '.repeat(100)).join('\n---\n');
    const found = new BlockDiagnostics().diagnose(text, 'file:///b.sdprompt', service());
    expect(found.length).toBe(MAX_DIAGNOSTICS + 1);
    expect(found[MAX_DIAGNOSTICS]!.code).toBe('too-many-diagnostics');
    // Each block: 99 duplicates and one token count (300 tokens, 4 chunks).
    expect(found[MAX_DIAGNOSTICS]!.message).toBe('Showing the first 1,000 of 3,000 problems in this document.');
  });
});

describe('diagnostics in slices', () => {
  const text = Array.from({ length: 300 }, (_, i) => `1boy, solo, 1boy, tag${i}\nSteps: 28`).join('\n---\n');

  it('gives what diagnose gives, letting the event loop run between slices', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const sliced = await new BlockDiagnostics().diagnoseInSlices(text, 'file:///s', service(), () => false, 0);
    clearInterval(ticker);
    expect(sliced).toEqual(new BlockDiagnostics().diagnose(text, 'file:///s', service()));
    expect(turns).toBeGreaterThan(0);
  });

  it('answers a request that came in during a slice before the next slice (read, then handled and answered an immediate apart, as vscode-jsonrpc does)', async () => {
    // A real socket: the request is written while a slice runs, read on the poll phase after it, handled from an
    // immediate queued there and answered from another, as the LSP library queues its message handling and writes.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [peer] = (await once(server, 'connection')) as [Socket];
    await once(client, 'connect');
    let slices = 0;
    let answeredInGap = -1;
    peer.on('data', () => setImmediate(() => setImmediate(() => (answeredInGap = slices))));
    let sent = false;
    let sentIn = -1;
    const base = service();
    const sending = { ...base, analyze: (text: string) => {
      if (!sent && slices >= 2) {
        sent = true;
        sentIn = slices;
        client.write('request');
      }
      return base.analyze(text);
    } } as typeof base;
    const stale = (): boolean => {
      slices++;
      return false;
    };
    try {
      // Two documents checked at once: their slices take turns, with the gap after each (each yielding on its
      // own, one's slices fell into the other's gaps).
      await Promise.all([
        new BlockDiagnostics().diagnoseInSlices(text, 'file:///s', sending, stale, 0),
        new BlockDiagnostics().diagnoseInSlices(text, 'file:///t', base, stale, 0),
      ]);
      expect(sent).toBe(true);
      // Answered in the gap right after the slice it was sent in, before any other slice starts.
      expect(sentIn).toBeGreaterThanOrEqual(2);
      expect(answeredInGap).toBe(sentIn);
    } finally {
      client.destroy();
      peer.destroy();
      server.close();
    }
  });

  it('abandons the work when it turns stale, keeping the blocks read so far', async () => {
    const blocks = new BlockDiagnostics();
    let slices = 0;
    expect(await blocks.diagnoseInSlices(text, 'file:///s', service(), () => ++slices > 3, 0)).toBeUndefined();
    expect(slices).toBe(4);
    expect(await blocks.diagnoseInSlices(text, 'file:///s', service(), () => false)).toEqual(blocks.diagnose(text, 'file:///s', service()));
  });
});
