// The route table shared by the app (which registers it) and the OpenAPI test (which checks that
// backend/openapi.yaml documents exactly these routes).
import type { Request, Response } from 'express';
import type { Caller } from './auth.js';

export type Method = 'get' | 'post' | 'delete';

export interface Route {
  method: Method;
  /** Express path pattern under /api/v1, e.g. `/migrations/:namespace/:name`. */
  path: string;
  /** Writes the answer (JSON unless the route says otherwise). */
  handle: (req: Request, res: Response, caller: Caller) => Promise<void>;
}

/** `/migrations/:namespace/:name` → `/migrations/{namespace}/{name}` (OpenAPI's form). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** A path parameter that Express 5 gives as a string. */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}
