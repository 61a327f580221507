// Reading generation parameters from PNG text chunks. The PNGs are built here byte by byte (signature,
// length, type, data, CRC) following the PNG specification, so the reader is checked against the format,
// not against our own writer.
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../backend/png';
import { promptFromPng } from '../../client/pngImport';
import { PngError, readPngText } from '../../core/png/readText';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // The reader does not check CRCs; a zero CRC keeps the fixture readable.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}
const IHDR = chunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
const IDAT = chunk('IDAT', deflateSync(Buffer.from([0, 0, 0, 0])));
const IEND = chunk('IEND', Buffer.alloc(0));
const png = (...text: Buffer[]): Uint8Array => new Uint8Array(Buffer.concat([SIGNATURE, IHDR, ...text, IDAT, IEND]));

const tEXt = (keyword: string, text: string): Buffer => chunk('tEXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')]));
const zTXt = (keyword: string, text: string): Buffer =>
  chunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]));
const iTXt = (keyword: string, text: string, compressed: boolean): Buffer =>
  chunk(
    'iTXt',
    Buffer.concat([
      Buffer.from(`${keyword}\0`, 'latin1'),
      Buffer.from([compressed ? 1 : 0, 0]),
      Buffer.from('en\0Parameters\0', 'latin1'),
      compressed ? deflateSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8'),
    ]),
  );

const INFOTEXT = '1boy, solo, (smile:1.1)\nNegative prompt: lowres, worst quality\nSteps: 28, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 832x1216, Model: AnimeBoysXL';

describe('readPngText', () => {
  it('reads tEXt, zTXt and iTXt (plain and compressed, UTF-8) chunks in file order', () => {
    const bytes = png(tEXt('parameters', 'café'), zTXt('Comment', 'zipped text'), iTXt('Title', 'ボーイ', false), iTXt('Description', '圧縮', true));
    expect(readPngText(bytes, inflateSync)).toEqual([
      { type: 'tEXt', keyword: 'parameters', text: 'café' },
      { type: 'zTXt', keyword: 'Comment', text: 'zipped text' },
      { type: 'iTXt', keyword: 'Title', text: 'ボーイ' },
      { type: 'iTXt', keyword: 'Description', text: '圧縮' },
    ]);
  });

  it('rejects bytes that are not a PNG', () => {
    expect(() => readPngText(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toThrow(PngError);
    expect(() => readPngText(new Uint8Array(0))).toThrow(/not a PNG file/);
  });

  it('keeps what it read before a chunk that is cut off, and skips chunks it cannot inflate', () => {
    const whole = Buffer.from(png(tEXt('parameters', 'a'), tEXt('later', 'b')));
    const cut = whole.subarray(0, whole.length - IDAT.length - IEND.length - 3);
    expect(readPngText(cut).map((c) => c.keyword)).toEqual(['parameters']);
    const broken = chunk('zTXt', Buffer.concat([Buffer.from('bad\0\0', 'latin1'), Buffer.from('not zlib')]));
    expect(readPngText(png(broken, tEXt('ok', 'x')), inflateSync).map((c) => c.keyword)).toEqual(['ok']);
  });
});

describe('promptFromPng', () => {
  it('opens the A1111 parameters as a .sdprompt block, named after the file', () => {
    expect(promptFromPng(png(tEXt('parameters', INFOTEXT)), 'boy.png', inflateSync)).toEqual({ text: `# From boy.png\n${INFOTEXT}\n` });
  });

  it('reads parameters written as iTXt (non-Latin-1 prompts) and normalises CRLF', () => {
    const text = '1boy, 笑顔\r\nSteps: 28, Sampler: Euler a, Size: 1024x1024';
    expect(promptFromPng(png(iTXt('parameters', text, true)), 'x.png', inflateSync)).toEqual({
      text: '# From x.png\n1boy, 笑顔\nSteps: 28, Sampler: Euler a, Size: 1024x1024\n',
    });
  });

  it('reads what our backend writes', () => {
    const image = encodePng(new Uint8Array(2 * 2 * 3).fill(128), 2, 2, { parameters: INFOTEXT });
    expect(promptFromPng(image, 'render.png', inflateSync)).toEqual({ text: `# From render.png\n${INFOTEXT}\n` });
  });

  it('explains a ComfyUI image without A1111 metadata, a PNG without parameters, and a non-PNG', () => {
    expect(promptFromPng(png(tEXt('prompt', '{"3":{}}'), tEXt('workflow', '{}')), 'c.png', inflateSync)).toEqual({
      message: expect.stringContaining('c.png holds a ComfyUI workflow but no A1111 "parameters" text'),
    });
    expect(promptFromPng(png(), 'plain.png', inflateSync)).toEqual({ message: expect.stringContaining('plain.png has no A1111 "parameters" text') });
    expect(promptFromPng(new Uint8Array([1, 2, 3]), 'a.jpg', inflateSync)).toEqual({ message: 'a.jpg is not a PNG file (its first bytes are not the PNG signature).' });
  });
});
