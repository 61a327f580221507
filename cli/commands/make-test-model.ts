// `tagsmith make-test-model DIR`: writes the tiny SDXL model (Optimum layout, real interface, trivial insides).
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { readVocabFolder, writeTestModel } from '../../backend/testModel';

export const makeTestModel: Command = {
  name: 'make-test-model',
  summary: 'Write a tiny SDXL model (real ONNX interface, trivial insides) for tests and demos',
  help: `Usage: tagsmith make-test-model DIR [--dtype float32|float16] [--timestep float|int64] [--vocab DIR]

Writes a model folder in Hugging Face Optimum's ONNX layout (model_index.json, text_encoder/, text_encoder_2/,
unet/, vae_decoder/, tokenizer/, tokenizer_2/, scheduler/) whose tensors have exactly the names, element
types, ranks and widths of a real SDXL export, but whose graphs are a few cheap operations. A 64x64 render
takes milliseconds; the images are meaningless.

Options:
  --dtype float32|float16   float type of the encoders and the UNet (default float32). The VAE decoder
                            stays float32, as SDXL's VAE overflows in float16.
  --timestep float|int64    the UNet timestep input: a float scalar (current Optimum) or int64 [batch]
                            (exports made before late 2024). Default float.
  --vocab DIR               folder with the CLIP vocab.json and merges.txt to copy into tokenizer/ and
                            tokenizer_2/. Default: ../shared/data/clip when present, else a small
                            byte-level vocabulary.
`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { dtype: { type: 'string', default: 'float32' }, timestep: { type: 'string', default: 'float' }, vocab: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('expected one folder to write the model into');
    const dtype = values.dtype;
    if (dtype !== 'float32' && dtype !== 'float16') throw new UsageError(`--dtype must be float32 or float16, not "${dtype}"`);
    const timestep = values.timestep;
    if (timestep !== 'float' && timestep !== 'int64') throw new UsageError(`--timestep must be float or int64, not "${timestep}"`);
    const dir = resolve(io.cwd, positionals[0]!);
    if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(resolve(dir, 'model_index.json'))) {
      throw new UsageError(`${dir} is not empty and holds no model; choose an empty or new folder`);
    }
    const vocabDir = values.vocab ? resolve(io.cwd, values.vocab) : resolve(io.cwd, '../shared/data/clip');
    const vocab = readVocabFolder(vocabDir);
    if (values.vocab && !vocab) throw new UsageError(`${vocabDir}: needs vocab.json and merges.txt`);
    const files = writeTestModel(dir, { dtype, timestep, vocab });
    io.stdout(`wrote ${files.length} files to ${dir} (${dtype}, ${vocab ? `CLIP vocabulary from ${vocabDir}` : 'small byte-level vocabulary'})\n`);
    return 0;
  },
};
