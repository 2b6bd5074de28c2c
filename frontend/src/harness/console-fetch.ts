// A small stand-in for the console's consoleFetch, shared by the harness's SDK shim and the Jest
// mock of the SDK: same call shape, the CSRF header taken from the `csrf-token` cookie on writes
// (as Bridge expects), and an HttpError-like error for non-2xx answers.

export class HttpError extends Error {
  code?: number;
  response?: Response;
  json?: unknown;
  constructor(message: string, code?: number, response?: Response, json?: unknown) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.response = response;
    this.json = json;
  }
}

export const csrfToken = (): string | undefined => {
  if (typeof document === 'undefined') return undefined;
  const match = /(?:^|;\s*)csrf-token=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : undefined;
};

export const consoleFetch = async (
  url: string,
  options: RequestInit = {},
  _timeout?: number,
): Promise<Response> => {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = new Headers(options.headers);
  const token = csrfToken();
  if (method !== 'GET' && method !== 'HEAD' && token) headers.set('X-CSRFToken', token);
  const response = await fetch(url, { credentials: 'same-origin', ...options, headers });
  if (response.ok) return response;
  let json: unknown;
  try {
    json = await response.clone().json();
  } catch {
    json = undefined;
  }
  const message =
    json && typeof json === 'object' && 'message' in json && typeof json.message === 'string'
      ? json.message
      : response.statusText;
  throw new HttpError(message, response.status, response, json);
};

export const consoleFetchJSON = async (
  url: string,
  method = 'GET',
  options: RequestInit = {},
  timeout?: number,
): Promise<unknown> => {
  const response = await consoleFetch(url, { ...options, method }, timeout);
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : {};
};

export const consoleFetchText = async (
  url: string,
  options?: RequestInit,
  timeout?: number,
): Promise<string> => (await consoleFetch(url, options, timeout)).text();
