// `tagsmith tokenize [--tokenizer DIR] [TEXT] [--jsonl]`: CLIP token ids of a prompt, as A1111's tokenizers give them.
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { loadTokenizer, resolveTokenizerDir, TOKENIZER_HELP } from '../tokenizerDir';
import { runPerPrompt } from './attention';

export const tokenize: Command = {
  name: 'tokenize',
  summary: 'CLIP token ids of a prompt (no start/end tokens), as JSON',
  help: `Usage: tagsmith tokenize [--tokenizer DIR] [--encoder 1|2] [TEXT] [--jsonl]

Prints the CLIP BPE token ids of the text as a JSON array, without start and end tokens, exactly as
A1111's tokenizer gives them: ftfy's text fixes, whitespace clean-up, lower case, the CLIP pattern,
byte-level BPE. The text is tokenized whole; prompt syntax such as (x:1.2) is not interpreted (see
\`tagsmith chunks\` for what the encoder receives).

The prompt is TEXT, or else all of stdin (one trailing newline removed).

Options:
  --tokenizer DIR  tokenizer folder (default: $TAGSMITH_TOKENIZER, else the bundled CLIP tokenizer)
  --encoder 1|2    1: Hugging Face CLIPTokenizer, as A1111's first SDXL encoder and its token counter
                   (default); 2: open_clip's tokenizer, as the second encoder (also unescapes HTML always)
  --jsonl          read one JSON string per line from stdin, write one JSON array per line; a bad line
                   gives {"error": "...", "line": N} and the rest go on (exit code 1)
  -h, --help       show this help

${TOKENIZER_HELP}
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { tokenizer: { type: 'string' }, encoder: { type: 'string', default: '1' }, jsonl: { type: 'boolean' } },
    });
    const cleanup = encoderCleanup(values.encoder);
    const tokenizer = loadTokenizer(resolveTokenizerDir(values.tokenizer, io.env, io.cwd), cleanup);
    return runPerPrompt(positionals, values.jsonl === true, io, (prompt) => tokenizer.encode(prompt));
  },
};

/** --encoder 1|2 -> the tokenizer clean-up A1111 uses for that SDXL text encoder. */
export function encoderCleanup(encoder: string | undefined): 'hf' | 'open_clip' {
  if (encoder === '1') return 'hf';
  if (encoder === '2') return 'open_clip';
  throw new UsageError(`--encoder must be 1 or 2, not '${encoder}'`);
}
