// New Prompt from PNG: turns the generation parameters that A1111, Forge, ComfyUI (with A1111 metadata)
// or our backend store in a PNG into the text of a new `.sdprompt` document, or a message saying why not.
import { a1111Parameters, PngError, readPngText, type Inflate, restoreTemplates } from '../core';

export type PngImport = { text: string } | { message: string };

export function promptFromPng(bytes: Uint8Array, fileName: string, inflate: Inflate): PngImport {
  let chunks;
  try {
    chunks = readPngText(bytes, inflate);
  } catch (error) {
    if (error instanceof PngError) return { message: `${fileName} is ${error.message}.` };
    throw error;
  }
  const parameters = a1111Parameters(chunks);
  if (parameters !== undefined && parameters.trim() !== '') {
    const infotext = parameters.replace(/\r\n?/g, '\n').trim();
    // sd-dynamic-prompts' "Save template to metadata" (Template: / Negative Template:): the block gets its template back.
    const restored = restoreTemplates(infotext);
    return { text: `# From ${fileName}\n${restored ?? infotext}\n` };
  }
  if (chunks.some((c) => c.keyword === 'prompt' || c.keyword === 'workflow')) {
    return {
      message: `${fileName} holds a ComfyUI workflow but no A1111 "parameters" text. Save it from ComfyUI with a node that writes A1111 metadata, then try again.`,
    };
  }
  return {
    message: `${fileName} has no A1111 "parameters" text: it was not saved by A1111, Forge or Tagsmith, or its metadata was removed.`,
  };
}
