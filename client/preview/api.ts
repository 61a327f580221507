// A client for the A1111 HTTP API subset previews need (txt2img, progress, interrupt), for our backend,
// A1111, Forge or SD.Next alike. Every failure becomes a PreviewError whose kind says what the user can do.
// Node only (global fetch), no `vscode`.
import type { Txt2ImgBody } from './request';

export type Auth = { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

export type ErrorKind = 'unreachable' | 'auth' | 'invalid' | 'busy' | 'oom' | 'server' | 'cancelled';

export class PreviewError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface Progress {
  step: number;
  total: number;
  /** Seconds left, as the server estimates. */
  eta: number;
  /** Base64 PNG (or JPEG) of the live preview, when the server has one. */
  image?: string;
}

export interface RenderResult {
  /** The PNG as the server sent it (with its infotext chunk when the server writes one). */
  png: Uint8Array;
  seed: number;
  infotext?: string;
  /** What the backend says it did not apply (our builtin backend's `not_applied`: extra networks it does not load). */
  notApplied?: string[];
  ms: number;
}

/** What a txt2img answer's `info` says: a JSON string (A1111) or an object; anything malformed is ignored. */
export interface RenderInfo {
  seed?: number;
  infotext?: string;
  /** `not_applied`: one line per thing the backend left out; only strings are kept. */
  notApplied: string[];
}

export function readRenderInfo(raw: unknown): RenderInfo {
  let info: unknown;
  try {
    info = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    // A1111 always sends JSON here; others may not — the seed then stays the requested one.
    info = undefined;
  }
  if (typeof info !== 'object' || info === null || Array.isArray(info)) return { notApplied: [] };
  const i = info as { seed?: unknown; infotexts?: unknown; not_applied?: unknown };
  const infotext = Array.isArray(i.infotexts) && typeof i.infotexts[0] === 'string' ? i.infotexts[0] : undefined;
  const notApplied = Array.isArray(i.not_applied) ? i.not_applied.filter((n): n is string => typeof n === 'string' && n !== '') : [];
  return { ...(typeof i.seed === 'number' ? { seed: i.seed } : {}), ...(infotext !== undefined ? { infotext } : {}), notApplied };
}

export function authHeader(auth: Auth | undefined): Record<string, string> {
  if (!auth) return {};
  if (auth.kind === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}` };
}

/** What an error body says: A1111 and our backend put it in `detail` (a string or FastAPI's list) or `error`. */
function reason(body: unknown, fallback: string): string {
  const b = body as { detail?: unknown; error?: unknown; errors?: unknown } | undefined;
  if (typeof b?.detail === 'string' && b.detail) return b.detail;
  if (Array.isArray(b?.detail)) {
    const parts = b.detail.map((d: { loc?: unknown[]; msg?: unknown }) => `${Array.isArray(d.loc) ? String(d.loc[d.loc.length - 1]) + ': ' : ''}${String(d.msg ?? '')}`);
    if (parts.length) return parts.join('; ');
  }
  if (typeof b?.errors === 'string' && b.errors) return b.errors;
  if (typeof b?.error === 'string' && b.error) return b.error;
  return fallback;
}

const OOM = /out of memory|bad_alloc|failed to allocate|cannot allocate|allocation failed|OutOfMemory/i;

export class A1111Client {
  private readonly base: string;

  constructor(baseUrl: string, private readonly auth?: Auth, private readonly timeoutMs = 10_000) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal, timeoutMs?: number): Promise<unknown> {
    const signals = [signal, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...authHeader(this.auth) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: signals.length ? AbortSignal.any(signals) : undefined,
      });
    } catch (error) {
      if (signal?.aborted) throw new PreviewError('cancelled', 'The render was cancelled.');
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? 'no answer in time' : cause?.code ?? cause?.message ?? (error as Error).message;
      throw new PreviewError('unreachable', `Cannot reach the backend at ${this.base} (${why}).`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (json === undefined && text) throw new PreviewError('server', `The backend at ${this.base} did not answer ${path} with JSON — is it an A1111-compatible API?`, res.status);
      return json;
    }
    const detail = reason(json, text.slice(0, 300) || res.statusText);
    if (res.status === 401 || res.status === 403) {
      throw new PreviewError('auth', `The backend at ${this.base} refused the request (${res.status}): ${detail}`, res.status);
    }
    if (res.status === 404 && path.startsWith('/sdapi')) {
      throw new PreviewError('unreachable', `${this.base} has no ${path} — is it an A1111-compatible API (A1111 needs --api)?`, 404);
    }
    if (res.status === 422) throw new PreviewError('invalid', `The backend rejected the settings: ${detail}`, 422);
    if (res.status === 429) throw new PreviewError('busy', `The backend is busy: ${detail}`, 429);
    if (OOM.test(detail)) throw new PreviewError('oom', `The backend ran out of memory: ${detail}`, res.status);
    throw new PreviewError('server', detail, res.status);
  }

  async progress(signal?: AbortSignal): Promise<Progress> {
    const p = (await this.request('GET', '/sdapi/v1/progress', undefined, signal, this.timeoutMs)) as {
      eta_relative?: number; current_image?: string | null; state?: { sampling_step?: number; sampling_steps?: number };
    };
    const image = typeof p?.current_image === 'string' && p.current_image ? p.current_image : undefined;
    return { step: p?.state?.sampling_step ?? 0, total: p?.state?.sampling_steps ?? 0, eta: p?.eta_relative ?? 0, ...(image ? { image } : {}) };
  }

  async interrupt(): Promise<void> {
    await this.request('POST', '/sdapi/v1/interrupt', undefined, undefined, this.timeoutMs);
  }

  /** A quick authenticated call, to check the URL and credentials. */
  async samplers(): Promise<string[]> {
    const list = (await this.request('GET', '/sdapi/v1/samplers', undefined, undefined, this.timeoutMs)) as Array<{ name?: string }>;
    return Array.isArray(list) ? list.map((s) => String(s.name)) : [];
  }

  /**
   * Renders `body`, polling progress every `pollMs` (default 100: a tiny-model render at 1024x1024 takes ~0.3 s, so 250 ms often saw no live image) for `onProgress` while it runs. Aborting `signal` sends
   * /interrupt and waits (a little) for the server to stop; the render then ends with a 'cancelled' error.
   */
  async render(body: Txt2ImgBody, options: { signal?: AbortSignal; pollMs?: number; onProgress?: (p: Progress) => void } = {}): Promise<RenderResult> {
    const started = performance.now();
    const { signal, onProgress } = options;
    if (signal?.aborted) throw new PreviewError('cancelled', 'The render was cancelled.');
    const local = new AbortController();
    let done = false;
    const onAbort = () => {
      // Ask the server to stop; our own request is dropped if it has not answered 5 s later.
      this.interrupt().catch(() => undefined);
      setTimeout(() => local.abort(), 5_000).unref?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const poll = async () => {
      let lastStep = -1;
      let lastImage: string | undefined;
      while (!done && !signal?.aborted) {
        await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
        if (done || signal?.aborted) break;
        try {
          const p = await this.progress();
          // A server may report the previous job or idle (0/0) before ours starts: only forward real steps.
          if (!done && p.total > 0 && (p.step !== lastStep || p.image !== lastImage)) {
            lastStep = p.step;
            lastImage = p.image;
            onProgress?.(p);
          }
        } catch {
          // Progress is best effort; the render's own answer says whether it worked.
        }
      }
    };
    const polling = onProgress ? poll() : Promise.resolve();
    try {
      const answer = (await this.request('POST', '/sdapi/v1/txt2img', body, local.signal)) as { images?: unknown; info?: unknown };
      if (signal?.aborted) throw new PreviewError('cancelled', 'The render was cancelled.');
      const first = Array.isArray(answer?.images) ? answer.images[0] : undefined;
      if (typeof first !== 'string' || first === '') throw new PreviewError('server', 'The backend answered without an image.');
      const png = Buffer.from(first, 'base64');
      const info = readRenderInfo(answer.info);
      const seed = info.seed ?? body.seed;
      return {
        png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), seed, ...(info.infotext ? { infotext: info.infotext } : {}),
        ...(info.notApplied.length ? { notApplied: info.notApplied } : {}), ms: performance.now() - started,
      };
    } catch (error) {
      if (signal?.aborted) throw new PreviewError('cancelled', 'The render was cancelled.');
      throw error;
    } finally {
      done = true;
      signal?.removeEventListener('abort', onAbort);
      await polling;
    }
  }
}
