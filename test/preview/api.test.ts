// url mode against a stand-in that speaks the A1111 API: a small node:http server written here, with basic or
// bearer auth as A1111's --api-auth and our backend do, a render that advances one step per tick, progress
// with a live image, interrupt, and the error answers a user must be able to act on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { A1111Client, PreviewError, readRenderInfo, type Progress } from '../../client/preview/api';
import type { Txt2ImgBody } from '../../client/preview/request';

interface StandIn {
  url: string;
  server: Server;
  requests: Array<{ method: string; path: string; authorization?: string; body?: unknown }>;
  /** How the next txt2img is answered. */
  mode: 'ok' | 'oom' | 'invalid' | 'busy';
}

const FINAL = Buffer.from('\x89PNG final image bytes');
const LIVE = Buffer.from('\x89PNG live preview').toString('base64');

function standIn(auth: { basic?: [string, string]; bearer?: string }): Promise<StandIn> {
  const state: StandIn = { url: '', server: undefined as unknown as Server, requests: [], mode: 'ok' };
  interface Job { step: number; total: number; timer?: NodeJS.Timeout; interrupted: boolean }
  let job: Job | undefined;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const authorized = (req: IncomingMessage) => {
    const h = req.headers.authorization ?? '';
    if (auth.bearer) return h === `Bearer ${auth.bearer}`;
    if (auth.basic) return h === `Basic ${Buffer.from(auth.basic.join(':')).toString('base64')}`;
    return true;
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      state.requests.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, body });
      if (!authorized(req)) return send(res, 401, { detail: 'Incorrect username or password' });
      const route = `${req.method} ${req.url?.split('?')[0]}`;
      if (route === 'GET /sdapi/v1/samplers') return send(res, 200, [{ name: 'Euler a' }, { name: 'Euler' }]);
      if (route === 'POST /sdapi/v1/interrupt') {
        if (job) job.interrupted = true;
        return send(res, 200, {});
      }
      if (route === 'GET /sdapi/v1/progress') {
        return send(res, 200, {
          progress: job ? job.step / job.total : 0, eta_relative: job ? (job.total - job.step) * 0.02 : 0,
          state: { sampling_step: job?.step ?? 0, sampling_steps: job?.total ?? 0 },
          current_image: job && job.step > 0 ? LIVE : null,
        });
      }
      if (route === 'POST /sdapi/v1/txt2img') {
        const b = body as Txt2ImgBody;
        if (state.mode === 'oom') return send(res, 500, { error: 'OutOfMemoryError', detail: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
        if (state.mode === 'invalid') return send(res, 422, { detail: [{ loc: ['body', 'width'], msg: 'must be a multiple of 8', type: 'value_error' }] });
        if (state.mode === 'busy') return send(res, 429, { error: 'TooManyRequests', detail: 'a render is running' });
        const current: Job = { step: 0, total: b.steps, interrupted: false };
        job = current;
        // One step every 20 ms; an interrupt ends the job after the current step, as A1111 does.
        current.timer = setInterval(() => {
          if (!current.interrupted) current.step++;
          if (current.step >= current.total || current.interrupted) {
            clearInterval(current.timer);
            job = undefined;
            send(res, 200, {
              images: [FINAL.toString('base64')], parameters: b,
              info: JSON.stringify({
                seed: b.seed === -1 ? 777 : b.seed, infotexts: [`${b.prompt}\nSteps: ${b.steps}, Seed: ${b.seed === -1 ? 777 : b.seed}`], interrupted: current.interrupted,
                // as our builtin backend answers a prompt with extra networks
                ...(b.prompt.includes('<lora:') ? { comments: 'lora: not applied', not_applied: ['<lora:knight:0.8>: not applied (the builtin backend does not load LoRA weights; …)'] } : {}),
              }),
            });
          }
        }, 20);
        return;
      }
      send(res, 404, { detail: 'Not Found' });
    });
  });
  state.server = server;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve(state);
  }));
}

const BODY: Txt2ImgBody = {
  prompt: '1boy, solo', negative_prompt: 'lowres', steps: 10, cfg_scale: 5, width: 1024, height: 1024, seed: -1,
  sampler_name: 'Euler a', batch_size: 1, save_images: false, send_images: true,
};

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});
async function start(auth: { basic?: [string, string]; bearer?: string }): Promise<StandIn> {
  const s = await standIn(auth);
  servers.push(s.server);
  return s;
}

async function failure(promise: Promise<unknown>): Promise<PreviewError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PreviewError);
  return error as PreviewError;
}

describe('url mode against an A1111 stand-in', () => {
  it('renders with basic auth: the body as built, progress with live images, the final PNG, seed and infotext', async () => {
    const s = await start({ basic: ['ann', 'p:ss wörd'] });
    const client = new A1111Client(s.url + '/', { kind: 'basic', user: 'ann', password: 'p:ss wörd' });
    const seen: Progress[] = [];
    const result = await client.render(BODY, { pollMs: 5, onProgress: (p) => seen.push(p) });
    expect(Buffer.from(result.png)).toEqual(FINAL);
    expect(result.seed).toBe(777);
    expect(result.infotext).toBe('1boy, solo\nSteps: 10, Seed: 777');
    const post = s.requests.find((r) => r.path === '/sdapi/v1/txt2img')!;
    expect(post.body).toEqual(BODY);
    // "ann:p:ss wörd" in UTF-8, base64 (RFC 7617), worked out apart from the client's code.
    expect(post.authorization).toBe('Basic YW5uOnA6c3Mgd8O2cmQ=');
    expect(s.requests.every((r) => r.authorization === post.authorization)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.total === 10 && p.step >= 0 && p.step <= 10 && p.image === (p.step === 0 ? undefined : LIVE))).toBe(true);
    expect(seen.some((p) => p.image === LIVE)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.step).toBeGreaterThanOrEqual(seen[i - 1]!.step);
  });

  it("carries the backend's not_applied notes (extra networks the builtin backend did not load); none when it sends none", async () => {
    const s = await start({});
    const client = new A1111Client(s.url);
    const withLora = await client.render({ ...BODY, prompt: '1boy, <lora:knight:0.8>', steps: 2, seed: 3 });
    expect(withLora.notApplied).toEqual(['<lora:knight:0.8>: not applied (the builtin backend does not load LoRA weights; …)']);
    expect(withLora.seed).toBe(3);
    const plain = await client.render({ ...BODY, steps: 2, seed: 3 });
    expect(plain.notApplied).toBeUndefined();
  });

  it('reads info as A1111 sends it (a JSON string) or as an object; malformed parts are ignored', () => {
    const note = '<lora:x:0.8>: not applied (the builtin backend does not load LoRA weights; the tag is removed from the prompt as A1111 removes it)';
    expect(readRenderInfo(JSON.stringify({ seed: 9, infotexts: ['1boy\nSteps: 4'], not_applied: [note] }))).toEqual({ seed: 9, infotext: '1boy\nSteps: 4', notApplied: [note] });
    expect(readRenderInfo({ seed: 9, not_applied: [note, 3, '', null, 'b'] })).toEqual({ seed: 9, notApplied: [note, 'b'] });
    expect(readRenderInfo({ not_applied: 'one string' })).toEqual({ notApplied: [] });
    expect(readRenderInfo('not json')).toEqual({ notApplied: [] });
    expect(readRenderInfo(undefined)).toEqual({ notApplied: [] });
    expect(readRenderInfo('[1, 2]')).toEqual({ notApplied: [] });
    expect(readRenderInfo({ seed: '9', infotexts: [4] })).toEqual({ notApplied: [] });
  });

  it('renders with a bearer token', async () => {
    const s = await start({ bearer: 'tok-123' });
    const result = await new A1111Client(s.url, { kind: 'bearer', token: 'tok-123' }).render({ ...BODY, steps: 2, seed: 5 });
    expect(result.seed).toBe(5);
    expect(s.requests[0]!.authorization).toBe('Bearer tok-123');
  });

  it('a missing or wrong credential is an auth error with the server status', async () => {
    const s = await start({ bearer: 'tok-123' });
    const none = await failure(new A1111Client(s.url).render(BODY));
    expect([none.kind, none.status]).toEqual(['auth', 401]);
    expect(none.message).toContain('Incorrect username or password');
    const wrong = await failure(new A1111Client(s.url, { kind: 'bearer', token: 'nope' }).samplers());
    expect(wrong.kind).toBe('auth');
    const b = await start({ basic: ['ann', 'secret'] });
    expect((await failure(new A1111Client(b.url, { kind: 'basic', user: 'ann', password: 'Secret' }).samplers())).kind).toBe('auth');
    expect(await new A1111Client(b.url, { kind: 'basic', user: 'ann', password: 'secret' }).samplers()).toEqual(['Euler a', 'Euler']);
  });

  it('cancel sends /interrupt and ends the render as cancelled, promptly', async () => {
    const s = await start({});
    const client = new A1111Client(s.url);
    const abort = new AbortController();
    const started = Date.now();
    const error = failure(client.render({ ...BODY, steps: 500 }, { signal: abort.signal, pollMs: 5, onProgress: (p) => p.step >= 3 && abort.abort() }));
    expect((await error).kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(3000); // 500 steps would take 10 s
    expect(s.requests.some((r) => r.method === 'POST' && r.path === '/sdapi/v1/interrupt')).toBe(true);
    // The server's job really ended (the stand-in reports no job once the interrupted step is done).
    await new Promise((r) => setTimeout(r, 100));
    expect((await client.progress()).total).toBe(0);
  });

  it('out of memory, invalid settings and a busy server are told apart, with the server message', async () => {
    const s = await start({});
    const client = new A1111Client(s.url);
    s.mode = 'oom';
    const oom = await failure(client.render(BODY));
    expect(oom.kind).toBe('oom');
    expect(oom.message).toContain('CUDA out of memory. Tried to allocate 2.00 GiB');
    s.mode = 'invalid';
    const invalid = await failure(client.render(BODY));
    expect([invalid.kind, invalid.message]).toEqual(['invalid', 'The backend rejected the settings: width: must be a multiple of 8']);
    s.mode = 'busy';
    expect((await failure(client.render(BODY))).kind).toBe('busy');
  });

  it('a server that is not there is unreachable; a server without the API says so', async () => {
    const s = await start({});
    const url = s.url;
    await new Promise((r) => s.server.close(r));
    servers = [];
    const down = await failure(new A1111Client(url).render(BODY));
    expect(down.kind).toBe('unreachable');
    expect(down.message).toContain(`Cannot reach the backend at ${url} (ECONNREFUSED)`);

    const plain = createServer((_req, res) => res.writeHead(404).end('<html>not found</html>'));
    servers.push(plain);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const noApi = await failure(new A1111Client(`http://127.0.0.1:${(plain.address() as AddressInfo).port}`).samplers());
    expect(noApi.kind).toBe('unreachable');
    expect(noApi.message).toContain('A1111-compatible API');
  });
});
