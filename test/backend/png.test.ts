// The PNG writer: valid chunks and CRCs, pixels that inflate back, the `parameters` text before IDAT.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../backend/png';
import { readPngText } from '../../core/png/readText';

interface Chunk { type: string; data: Buffer; crcOk: boolean }

function readChunks(png: Buffer): Chunk[] {
  expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    chunks.push({ type, data, crcOk: png.readUInt32BE(at + 8 + length) === crc32(png.subarray(at + 4, at + 8 + length)) });
    at += 12 + length;
  }
  return chunks;
}

/** Undoes the per-row filters (only None and Sub are needed to read what we write). */
function unfilter(raw: Buffer, width: number, height: number): number[] {
  const out: number[] = [];
  const stride = width * 3;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row: number[] = [];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      row.push(filter === 1 ? (v + (x >= 3 ? row[x - 3]! : 0)) & 0xff : v);
    }
    out.push(...row);
  }
  return out;
}

describe('encodePng', () => {
  it('computes the CRC-32 check value of "123456789" (0xCBF43926)', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  const rgb = Uint8Array.from({ length: 3 * 4 * 2 }, (_, i) => (i * 37) % 256);

  it('writes IHDR, tEXt parameters, IDAT, IEND in that order with valid CRCs, and the pixels round-trip', () => {
    const png = encodePng(rgb, 4, 2, { parameters: 'a cat\nSteps: 4, Sampler: Euler a' });
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const ihdr = chunks[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([4, 2, 8, 2]);
    expect(chunks[1]!.data.toString('latin1')).toBe('parameters\0a cat\nSteps: 4, Sampler: Euler a');
    expect(unfilter(inflateSync(chunks[2]!.data), 4, 2)).toEqual(Array.from(rgb));
  });

  it('keeps Latin-1 text (é, ×) in tEXt and writes UTF-8 iTXt for anything beyond', () => {
    expect(readChunks(encodePng(rgb, 4, 2, { parameters: 'café 2×' }))[1]!.data.toString('latin1')).toBe('parameters\0café 2×');
    const itxt = readChunks(encodePng(rgb, 4, 2, { parameters: '少年, 1boy' }))[1]!;
    expect(itxt.type).toBe('iTXt');
    // keyword \0, compression flag 0, method 0, language "" \0, translated keyword "" \0, UTF-8 text
    expect(Array.from(itxt.data.subarray(0, 15))).toEqual([...Buffer.from('parameters'), 0, 0, 0, 0, 0]);
    expect(itxt.data.subarray(15).toString('utf8')).toBe('少年, 1boy');
  });

  it('is read back by core/png (the reader the client uses for PNG Info)', () => {
    expect(readPngText(encodePng(rgb, 4, 2, { parameters: '少年, 1boy\nSteps: 4' }))).toEqual([{ type: 'iTXt', keyword: 'parameters', text: '少年, 1boy\nSteps: 4' }]);
    expect(readPngText(encodePng(rgb, 4, 2, { parameters: 'café' }))).toEqual([{ type: 'tEXt', keyword: 'parameters', text: 'café' }]);
  });

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(5), 4, 2)).toThrow(/4x2/);
  });
});
