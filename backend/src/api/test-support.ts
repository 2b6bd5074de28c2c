// For the API tests: a BFF started in-process against a simulated fleet, an HTTP client that
// records every answer (so a test can scan them all for Secret data), and an event-stream reader.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Bff } from '../bff.js';
import { startBff } from '../bff.js';
import { loadConfig } from '../config.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import type { Logger } from '../log.js';
import type { TestFleet } from '../../../sim/test-support.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export class ApiClient {
  /** Every answer received, for whole-run checks. */
  readonly answers: { method: string; path: string; status: number; text: string }[] = [];

  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): ApiClient {
    const c = new ApiClient(this.base, token);
    // One shared record across users.
    (c as { answers: ApiClient['answers'] }).answers = this.answers;
    return c;
  }

  async request(
    method: string,
    p: string,
    opts: { body?: unknown; raw?: string; csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (opts.csrf !== false && method !== 'GET') {
      headers['X-CSRFToken'] = 'test-csrf';
      headers.Cookie = 'csrf-token=test-csrf';
    }
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['Content-Type'] ??= 'application/json';
    const res = await fetch(`${this.base}${p}`, { method, headers, body });
    const text = await res.text();
    this.answers.push({ method, path: p, status: res.status, text });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  get(p: string) {
    return this.request('GET', p);
  }
  post(p: string, body?: unknown) {
    return this.request('POST', p, { body });
  }
  delete(p: string) {
    return this.request('DELETE', p);
  }
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Reads an event stream; `events` fills as they arrive. */
export class SseReader {
  readonly events: SseEvent[] = [];
  /** Called as each event arrives (before it is stored). */
  onEvent?: (e: SseEvent) => void;
  ended = false;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  status = 0;

  /** `store: false` keeps no events (benchmarks with many clients): use `onEvent`. */
  constructor(
    url: string,
    token: string | undefined,
    lastEventId?: string,
    private readonly store = true,
  ) {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    this.done = this.read(url, headers).finally(() => (this.ended = true));
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: this.abort.signal });
    } catch {
      return;
    }
    this.status = res.status;
    if (!res.body || res.status !== 200) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const [k, ...rest] = line.split(':');
            const v = rest.join(':').replace(/^ /, '');
            if (k === 'id') e.id = v;
            else if (k === 'event') e.event = v;
            else if (k === 'data') data.push(v);
          }
          e.data = data.join('\n');
          if (data.length > 0 || e.id) {
            this.onEvent?.(e);
            if (this.store) this.events.push(e);
          }
        }
      }
    } catch {
      // aborted or the server ended the stream
    }
  }

  lastId(): string | undefined {
    return [...this.events].reverse().find((e) => e.id)?.id;
  }

  close(): void {
    this.abort.abort();
  }
}

export interface TestBff {
  bff: Bff;
  api: ApiClient;
  assetsDir: string;
}

/** Starts the BFF against the fleet's global hub (as its admin), on a loopback port. */
export async function startTestBff(
  tf: TestFleet,
  log: Logger,
  env: Record<string, string> = {},
  token?: string,
): Promise<TestBff> {
  const assetsDir = mkdtempSync(path.join(os.tmpdir(), 'plugin-assets-'));
  mkdirSync(path.join(assetsDir, 'locales'), { recursive: true });
  writeFileSync(
    path.join(assetsDir, 'plugin-manifest.json'),
    JSON.stringify({ name: 'hub-migration' }),
  );
  writeFileSync(path.join(assetsDir, 'plugin-entry.0123456789abcdef.min.js'), 'window.x=1;\n');
  writeFileSync(path.join(assetsDir, 'locales', 'en.json'), '{}');
  const config = loadConfig({
    POD_NAMESPACE: 'hub-migration',
    PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    PLUGIN_ASSETS_DIR: assetsDir,
    LEADER_LEASE_SECONDS: '2',
    ...env,
  });
  const kc = PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig());
  const bff = await startBff(config, kc, log);
  return { bff, api: new ApiClient(bff.url, token), assetsDir };
}
