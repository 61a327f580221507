// Reads the text chunks of a PNG (tEXt, zTXt, iTXt): where A1111, Forge and our backend keep the
// generation parameters (keyword `parameters`) and ComfyUI its graph (`prompt`, `workflow`).
// Pure: bytes in. Compressed chunks need zlib, which core may not import, so the caller hands in `inflate`.

export interface PngTextChunk {
  type: 'tEXt' | 'zTXt' | 'iTXt';
  keyword: string;
  text: string;
}

export class PngError extends Error {}

/** Decompresses zlib data (node:zlib's inflateSync in Node). */
export type Inflate = (data: Uint8Array) => Uint8Array;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Every text chunk of the PNG, in file order. Throws PngError when the bytes are not a PNG; a chunk that
 * is cut off or cannot be decompressed ends the reading with what was read before it.
 */
export function readPngText(bytes: Uint8Array, inflate?: Inflate): PngTextChunk[] {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new PngError('not a PNG file (its first bytes are not the PNG signature)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngTextChunk[] = [];
  let at = SIGNATURE.length;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = latin1(bytes.subarray(at + 4, at + 8));
    const dataStart = at + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) break; // cut off: keep what came before
    const data = bytes.subarray(dataStart, dataEnd);
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
      const chunk = decodeTextChunk(type, data, inflate);
      if (chunk) chunks.push(chunk);
    }
    if (type === 'IEND') break;
    at = dataEnd + 4; // skip the CRC
  }
  return chunks;
}

function decodeTextChunk(type: PngTextChunk['type'], data: Uint8Array, inflate: Inflate | undefined): PngTextChunk | undefined {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd <= 0) return undefined;
  const keyword = latin1(data.subarray(0, keywordEnd));
  if (type === 'tEXt') return { type, keyword, text: latin1(data.subarray(keywordEnd + 1)) };
  if (type === 'zTXt') {
    // keyword, 0, compression method (0 = zlib), compressed Latin-1 text
    const text = decompress(data.subarray(keywordEnd + 2), inflate);
    return text && { type, keyword, text: latin1(text) };
  }
  // iTXt: keyword, 0, compression flag, compression method, language tag, 0, translated keyword, 0, UTF-8 text
  const compressed = data[keywordEnd + 1] === 1;
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  if (languageEnd < 0) return undefined;
  const translatedEnd = data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const body = data.subarray(translatedEnd + 1);
  const text = compressed ? decompress(body, inflate) : body;
  return text && { type, keyword, text: new TextDecoder('utf-8').decode(text) };
}

function decompress(data: Uint8Array, inflate: Inflate | undefined): Uint8Array | undefined {
  if (!inflate) return undefined;
  try {
    return inflate(data);
  } catch {
    return undefined;
  }
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

/** The A1111 generation parameters of a PNG's text chunks, when it has them. */
export function a1111Parameters(chunks: readonly PngTextChunk[]): string | undefined {
  return chunks.find((c) => c.keyword === 'parameters')?.text;
}
