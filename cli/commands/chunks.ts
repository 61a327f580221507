// `tagsmith chunks [--tokenizer DIR] [TEXT] [--jsonl]`: the 77-token chunks, multipliers and N/75 count A1111 makes.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { embeddingLookup, promptChunks, type EmbeddingLookup } from '../../core';
import { indexNetworks } from '../../server/networkIndex';
import type { Command } from '../command';
import { loadTokenizer, resolveTokenizerDir, TOKENIZER_HELP } from '../tokenizerDir';
import { runPerPrompt } from './attention';
import { encoderCleanup } from './tokenize';

export const chunks: Command = {
  name: 'chunks',
  summary: "A1111's 77-token chunks, multipliers and token count of a prompt, as JSON",
  help: `Usage: tagsmith chunks [--tokenizer DIR] [--encoder 1|2] [--embeddings DIR]... [TEXT] [--jsonl]

Prints what A1111's tokenize_line makes of the prompt:
  {"chunks": [[77 ids], ...], "multipliers": [[77 numbers], ...], "tokenCount": N}
Each weighted run is tokenized on its own; chunks hold 75 tokens between the start and end tokens and
are padded with the end token; BREAK starts a new chunk; when a chunk fills up and a comma lies within
its last 20 tokens, the tokens after the comma move to the next chunk. tokenCount is the N of A1111's
"N/75" counter. Give the prompt as A1111 encodes it: extra networks (<lora:...>) removed and prompt
editing ([a:b:0.5]) resolved to one step.

The prompt is TEXT, or else all of stdin (one trailing newline removed).

Options:
  --tokenizer DIR  tokenizer folder (default: $TAGSMITH_TOKENIZER, else the bundled CLIP tokenizer)
  --encoder 1|2    1: the first SDXL encoder (default); 2: the second (open_clip's tokenizer, and every
                   id after a chunk's first end token is 0, as A1111 pads OpenCLIP bigG)
  --embeddings DIR textual-inversion embeddings (.safetensors, any depth), placed as A1111 places them:
                   an embedding of N vectors takes N positions of id 0 and never straddles two chunks.
                   Only SDXL embeddings (clip_l + clip_g) count, as A1111 skips others on an SDXL model;
                   each skipped file is named on stderr. Repeat for more folders.
  --tokens         also print "tokens": every prompt token with its chunk, index, id, weight and the
                   [start, end) range of the prompt it came from (an embedding's positions also name it)
  --jsonl          read one JSON string per line from stdin, write one JSON object per line; a bad line
                   gives {"error": "...", "line": N} and the rest go on (exit code 1)
  -h, --help       show this help

${TOKENIZER_HELP}
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        tokenizer: { type: 'string' },
        encoder: { type: 'string', default: '1' },
        tokens: { type: 'boolean' },
        jsonl: { type: 'boolean' },
        embeddings: { type: 'string', multiple: true },
      },
    });
    const cleanup = encoderCleanup(values.encoder);
    const tokenizer = loadTokenizer(resolveTokenizerDir(values.tokenizer, io.env, io.cwd), cleanup);
    const padWith = cleanup === 'open_clip' ? 'zero' : 'eos';
    let embeddings: EmbeddingLookup | undefined;
    if (values.embeddings) {
      const index = await indexNetworks([], values.embeddings.map((dir) => path.resolve(io.cwd, dir)));
      for (const problem of index.problems) io.stderr(`tagsmith chunks: ${problem}\n`);
      const usable = [];
      for (const entry of index.embeddings) {
        if (entry.embedding?.architecture === 'sdxl') usable.push({ name: entry.name, vectors: entry.embedding.vectors });
        else if (entry.embedding) io.stderr(`tagsmith chunks: skipped ${entry.file}: ${entry.embedding.width} wide, not an SDXL embedding (A1111 skips it on an SDXL model)\n`);
        else io.stderr(`tagsmith chunks: skipped ${entry.problems[0] ?? `${entry.file}: its vectors cannot be read`}\n`);
      }
      // A1111 finds embeddings by the first encoder's tokens of their names, for both encoders.
      const namesTokenizer = tokenizer.withCleanup('hf');
      embeddings = embeddingLookup(usable, (name) => namesTokenizer.encode(name));
    }
    return runPerPrompt(positionals, values.jsonl === true, io, (prompt) => {
      const result = promptChunks(prompt, tokenizer, { padWith, embeddings });
      return {
        chunks: result.chunks,
        multipliers: result.multipliers,
        tokenCount: result.tokenCount,
        tokens: values.tokens ? result.tokens : undefined,
      };
    });
  },
};
