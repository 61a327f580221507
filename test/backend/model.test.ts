// Model folder loading: the tiny model's interface is read and adapted to; bad folders fail with one clear
// message naming the file and the tensors.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExecutionProvider, loadModel } from '../../backend/model';
import { encodeModel, newGraph, node, valueInfo } from '../../backend/onnxGraph';
import { makeTinyModel } from './fixtures';

describe('loadModel on the tiny model', () => {
  it.each(['float32', 'float16'] as const)('reads the %s interface: penultimate layers, float types, timestep', async (dtype) => {
    const model = await loadModel(makeTinyModel({ dtype }));
    try {
      expect(model.encoders.map((e) => e.penultimate)).toEqual(['hidden_states.11', 'hidden_states.31']);
      expect(model.encoders.map((e) => [e.idsType, e.floatType, e.width])).toEqual([['int64', dtype, 768], ['int64', dtype, 1280]]);
      expect(model.unet.floatType).toBe(dtype);
      expect(model.unet.timestep).toEqual({ type: dtype, rank: 0 });
      expect(model.vae.floatType).toBe('float32');
      expect(model.scalingFactor).toBe(0.13025);
    } finally {
      await model.dispose();
    }
  });

  it('adapts to the int64 [batch] timestep of older Optimum exports', async () => {
    const model = await loadModel(makeTinyModel({ timestep: 'int64' }));
    expect(model.unet.timestep).toEqual({ type: 'int64', rank: 1 });
    await model.dispose();
  });
});

describe('loadModel errors', () => {
  it('names the UNet file and every mismatched tensor in one message', async () => {
    const dir = makeTinyModel();
    const g = newGraph();
    g.inputs.push(
      valueInfo('sample', 'float32', ['batch', 4, 'h', 'w']),
      valueInfo('timestep', 'float32', []),
      valueInfo('encoder_hidden_states', 'float32', ['batch', 'seq', 1024]),
      valueInfo('text_embeds', 'float32', ['batch', 1280]),
    );
    node(g, 'Identity', ['sample'], ['out_sample']);
    node(g, 'Identity', ['timestep'], ['t_out']);
    node(g, 'Identity', ['encoder_hidden_states'], ['e_out']);
    node(g, 'Identity', ['text_embeds'], ['p_out']);
    g.outputs.push(valueInfo('out_sample', 'float32', ['batch', 4, 'h', 'w']), valueInfo('t_out', 'float32', []), valueInfo('e_out', 'float32', ['batch', 'seq', 1024]), valueInfo('p_out', 'float32', ['batch', 1280]));
    writeFileSync(join(dir, 'unet/model.onnx'), encodeModel(g, 'unet'));
    const error = await loadModel(dir).then(() => undefined, (e: Error) => e);
    expect(error?.message).toContain(join(dir, 'unet/model.onnx'));
    expect(error?.message).toContain('input "encoder_hidden_states" has size 1024 on axis 2');
    expect(error?.message).toContain('expected 2048');
    expect(error?.message).toContain('missing input tensor "time_ids"');
  });

  it('reports a corrupted model.onnx with its path', async () => {
    const dir = makeTinyModel();
    writeFileSync(join(dir, 'unet/model.onnx'), 'this is not a protobuf');
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'unet/model.onnx')}: ONNX Runtime cannot load it`);
  });

  it('reports a missing component folder and a missing scheduler config', async () => {
    const dir = makeTinyModel();
    rmSync(join(dir, 'text_encoder_2'), { recursive: true });
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'text_encoder_2/model.onnx')}: not found`);
    rmSync(join(dir, 'scheduler'), { recursive: true });
    await expect(loadModel(dir)).rejects.toThrow(/scheduler_config\.json: not found/);
  });

  it('names an encoder export without hidden states', async () => {
    const dir = makeTinyModel();
    const g = newGraph();
    g.inputs.push(valueInfo('input_ids', 'int64', ['batch', 'seq']));
    node(g, 'Cast', ['input_ids'], ['last_hidden_state'], { to: 1 });
    g.outputs.push(valueInfo('last_hidden_state', 'float32', ['batch', 'seq']));
    writeFileSync(join(dir, 'text_encoder/model.onnx'), encodeModel(g, 'te'));
    await expect(loadModel(dir)).rejects.toThrow(/text_encoder\/model\.onnx: no hidden_states\.N outputs/);
  });

  it('explains an execution provider this onnxruntime-node lacks', () => {
    expect(() => checkExecutionProvider('cpu')).not.toThrow();
    expect(() => checkExecutionProvider('coreml')).toThrow(/"coreml" is not in this build of onnxruntime-node \(it has: cpu.*macOS only/);
    expect(() => checkExecutionProvider('tpu' as never)).toThrow(/unknown execution provider "tpu"/);
    // this checkout skips onnxruntime-node's download of the CUDA libraries (.npmrc)
    expect(() => checkExecutionProvider('cuda')).toThrow(/"cuda" is supported by onnxruntime-node but its library is not installed.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });
});
