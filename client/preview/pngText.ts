// The A1111 `parameters` text chunk of a saved preview replaced (to add the Dynamic Prompts templates the
// backend cannot write), with backend/png.ts's chunk encoder (tEXt for Latin-1, iTXt for other text).
import { textChunk } from '../../backend/png';

const SIGNATURE_LENGTH = 8;

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** The keyword of a tEXt / zTXt / iTXt chunk's data (up to its first 0 byte). */
function keywordOf(data: Uint8Array): string {
  const end = data.indexOf(0);
  return latin1(data.subarray(0, end < 0 ? Math.min(data.length, 80) : end));
}

/**
 * The PNG with its A1111 `parameters` text replaced by `text` (in the place of the old chunk, or before the
 * first IDAT when there was none); every other chunk kept byte for byte. Bytes that are not a PNG come back
 * unchanged.
 */
export function withPngParameters(png: Uint8Array, text: string): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [png.subarray(0, SIGNATURE_LENGTH)];
  const chunk = textChunk('parameters', text);
  let placed = false;
  let at = SIGNATURE_LENGTH;
  if (png.length < SIGNATURE_LENGTH || latin1(png.subarray(1, 4)) !== 'PNG') return png;
  while (at + 12 <= png.length) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > png.length) break;
    const type = latin1(png.subarray(at + 4, at + 8));
    const isParameters = (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') && keywordOf(png.subarray(at + 8, at + 8 + length)) === 'parameters';
    if (isParameters) {
      if (!placed) parts.push(chunk);
      placed = true;
    } else {
      if (!placed && (type === 'IDAT' || type === 'IEND')) {
        parts.push(chunk);
        placed = true;
      }
      parts.push(png.subarray(at, end));
    }
    at = end;
  }
  if (at < png.length) parts.push(png.subarray(at));
  return Buffer.concat(parts);
}
