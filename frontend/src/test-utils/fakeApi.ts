// Test helpers: a fake `fetch` that answers the BFF's routes from a table, and a fake
// EventSource the test drives by hand.
import { act } from '@testing-library/react';
import { API_ROOT } from '../const';

type Handler = (request: { url: URL; method: string; body: unknown }) => unknown;
export type Route = {
  method?: string;
  path: string | RegExp;
  /** A handler, or the value to answer. */
  respond: unknown;
  status?: number;
};

export class FakeResponseError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export type FetchCall = {
  method: string;
  path: string;
  search: string;
  body: unknown;
  headers: Headers;
};

/**
 * Installs a fake global fetch for the BFF. `path` is relative to /api/v1 (a string matches
 * exactly, a RegExp is tested). A handler may throw FakeResponseError to answer an error status.
 * Unmatched requests answer 404 with an ApiError body.
 */
export function mockApi(routes: Route[]) {
  const calls: FetchCall[] = [];
  const fetchMock = jest.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(
      input instanceof Request ? input.url : input.toString(),
      'http://localhost',
    );
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const path = url.pathname.startsWith(API_ROOT)
      ? url.pathname.slice(API_ROOT.length)
      : url.pathname;
    calls.push({ method, path, search: url.search, body, headers: new Headers(init.headers) });
    const route = routes.find(
      (r) =>
        (r.method ?? 'GET') === method &&
        (typeof r.path === 'string' ? r.path === path : r.path.test(path)),
    );
    const json = (status: number, value: unknown) =>
      new Response(JSON.stringify(value), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    if (!route)
      return json(404, { status: 404, reason: 'NotFound', message: `no route ${method} ${path}` });
    try {
      const value =
        typeof route.respond === 'function'
          ? await (route.respond as Handler)({ url, method, body })
          : route.respond;
      return json(route.status ?? 200, value);
    } catch (err) {
      if (err instanceof FakeResponseError) return json(err.status, err.body);
      throw err;
    }
  });
  global.fetch = fetchMock;
  return { calls, fetchMock };
}

export const apiError = (status: number, reason: string, message: string) =>
  new FakeResponseError(status, { status, reason, message });

type Listener = (event: MessageEvent<string>) => void;

export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((l) => l !== listener),
    );
  }
  close() {
    this.readyState = 2;
  }
  /** Test side: the connection opens. */
  open() {
    act(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }
  /** Test side: an event arrives. */
  emit(type: string, data: unknown) {
    act(() => {
      for (const l of this.listeners.get(type) ?? [])
        l(new MessageEvent(type, { data: JSON.stringify(data) }));
    });
  }
  /** Test side: the connection drops (the browser will retry: CONNECTING). */
  drop(closed = false) {
    act(() => {
      this.readyState = closed ? 2 : 0;
      this.onerror?.();
    });
  }
  static latest(): FakeEventSource {
    const last = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!last) throw new Error('no EventSource was opened');
    return last;
  }
  static install() {
    FakeEventSource.instances = [];
    (globalThis as unknown as { EventSource: unknown }).EventSource = FakeEventSource;
  }
}
