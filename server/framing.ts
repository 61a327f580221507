// The stdio transport's guard: LSP base-protocol framing checked before vscode-jsonrpc reads it.
// vscode-jsonrpc's StreamMessageReader stops understanding the stream for good after one header without a
// valid Content-Length (missing, not a number, negative): it reports an error, then reads the rest of that
// message as the next header. This filter passes well-framed messages through byte for byte, and on a bad
// header says so (naming the header) and skips to the next `Content-Length:`.
import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
// Anywhere: a header follows the previous body with no line break between.
const NEXT_HEADER = /content-length:/i;
/** A header block longer than this is not a header: resync. */
const MAX_HEADER_BYTES = 8 * 1024;
/** Larger bodies are refused, as no editor sends them (and waiting for one would swallow what follows). */
export const MAX_BODY_BYTES = 512 * 1024 * 1024;

export class LspFrameFilter extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  /** Body bytes still expected for the message being passed through. */
  private bodyLeft = 0;
  private resyncing = false;

  constructor(private readonly log: (line: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.drain();
    done();
  }

  private drain(): void {
    for (;;) {
      if (this.bodyLeft > 0) {
        if (this.buffer.length === 0) return;
        const take = Math.min(this.bodyLeft, this.buffer.length);
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.bodyLeft -= take;
        continue;
      }
      if (this.resyncing && !this.skipToNextHeader()) return;
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.reject(`a header of more than ${MAX_HEADER_BYTES} bytes without an empty line after it`);
        else return;
        continue;
      }
      const header = this.buffer.subarray(0, end).toString('latin1');
      const problem = checkHeader(header);
      if (problem) {
        this.reject(`${problem} in the header ${JSON.stringify(header.length > 200 ? header.slice(0, 200) + '…' : header)}`);
        continue;
      }
      const length = Number(/^content-length:\s*(\d+)\s*$/im.exec(header)![1]);
      this.push(this.buffer.subarray(0, end + HEADER_END.length));
      this.buffer = this.buffer.subarray(end + HEADER_END.length);
      this.bodyLeft = length;
      if (length === 0) continue;
    }
  }

  /**
   * Says what is wrong and looks for the next `Content-Length:` after the bad header's first byte: the next
   * valid header may sit inside what looked like this one (junk without a blank line, then a real header).
   */
  private reject(why: string): void {
    this.log(`tagsmith-server: ignored a message with ${why}; skipping to the next Content-Length header`);
    this.buffer = this.buffer.subarray(1);
    this.resyncing = true;
  }

  /** Discards bytes up to the next `Content-Length:`; false when none has arrived yet. */
  private skipToNextHeader(): boolean {
    const text = this.buffer.toString('latin1');
    const match = NEXT_HEADER.exec(text);
    if (!match) {
      // Keep a tail that may be the start of the next header, split across chunks.
      const keep = Math.min(this.buffer.length, 'content-length:'.length);
      this.buffer = this.buffer.subarray(this.buffer.length - keep);
      return false;
    }
    this.buffer = this.buffer.subarray(match.index);
    this.resyncing = false;
    return true;
  }
}

/** What is wrong with a header block (without its final empty line), if anything. */
export function checkHeader(header: string): string | undefined {
  const values = header
    .split('\r\n')
    .map((line) => /^content-length:(.*)$/i.exec(line)?.[1]?.trim())
    .filter((v): v is string => v !== undefined);
  if (values.length === 0) return 'no Content-Length';
  if (values.length > 1) return 'more than one Content-Length';
  const value = values[0]!;
  if (!/^\d+$/.test(value)) return `Content-Length ${JSON.stringify(value)}, not a non-negative integer`;
  if (Number(value) > MAX_BODY_BYTES) return `Content-Length ${value}, over the limit of ${MAX_BODY_BYTES} bytes`;
  return undefined;
}
