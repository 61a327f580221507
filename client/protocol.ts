// The custom requests between this client and the Tagsmith language server (server/), beside LSP's own.
// Plain method names and types: importing the language client library here would load it at activation.

export interface TokenCountParams {
  uri: string;
  position: { line: number; character: number };
}

export interface TokenChunk {
  /** 1-based chunk number. */
  chunk: number;
  /** Tokens in this chunk, out of 75. */
  tokens: number;
  /** The prompt text that went into the chunk. */
  text: string;
}

export interface TokenCountResult {
  /** Tokens of the prompt under the cursor, as A1111 counts them (without start/end tokens). */
  tokenCount: number;
  /** 75-token chunks the prompt needs (at least 1). */
  chunks: number;
  /** True when counted without the real CLIP tokenizer. */
  estimated: boolean;
  /** Which prompt of the block the cursor is in; null outside both. */
  prompt: 'prompt' | 'negative' | null;
  breakdown: TokenChunk[];
}

/** `tagsmith/tokenCount`: the token count of the prompt at a position, or null where there is none. */
export const TOKEN_COUNT_METHOD = 'tagsmith/tokenCount';

/** What the client tells the server at start. */
export interface TagsmithInitializationOptions {
  /** False in an untrusted workspace: the server then reads no path from the settings and runs nothing. */
  trusted: boolean;
  /** The `tagsmith.*` settings, keyed without the prefix (`'completion.keepUnderscores'`). */
  settings: Record<string, unknown>;
}

/** `tagsmith/expandTemplate`: a block's prompts expanded as sd-dynamic-prompts does for one image, before a render. */
export const EXPAND_TEMPLATE_METHOD = 'tagsmith/expandTemplate';

export interface ExpandTemplateParams {
  prompt: string;
  negativePrompt: string;
  /** The image's seed (already resolved: never -1); each prompt's generator is seeded with it. */
  seed: number;
}

/**
 * The expanded prompts; `template` / `negativeTemplate` only where the text had template syntax (its expansion
 * differs from it). `error` (and no prompts) when the library rejects a template: its message.
 */
export type ExpandTemplateResult =
  | { prompt: string; negativePrompt: string; template?: string; negativeTemplate?: string; error?: undefined }
  | { error: string; prompt?: undefined; negativePrompt?: undefined; template?: undefined; negativeTemplate?: undefined };
