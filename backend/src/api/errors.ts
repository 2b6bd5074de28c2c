// API errors: one shape for every failure (contract.ts ApiError), hub failures translated into
// words an administrator understands, and nothing internal (stack, Secret data) ever sent.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HubError } from '../hubs/hub-client.js';
import { HubUnavailableError } from '../hubs/registry.js';
import type { Logger } from '../log.js';
import type { ApiError } from './contract.js';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }

  body(): ApiError {
    return {
      status: this.status,
      reason: this.reason,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
    };
  }
}

export const notFound = (what: string) => new ApiFailure(404, 'NotFound', `${what} was not found.`);

/** A hub's answer to a request made for the caller, as an API error. */
export function fromHubError(e: HubError, doing: string): ApiFailure {
  switch (e.status) {
    case 401:
      return new ApiFailure(401, 'Unauthorized', 'Your session is not accepted: sign in again.');
    case 403:
      return new ApiFailure(403, 'Forbidden', `You are not allowed to ${doing}: ${e.message}`);
    case 404:
      return new ApiFailure(404, 'NotFound', `Could not ${doing}: ${e.message}`);
    case 409:
      return new ApiFailure(409, 'Conflict', `Could not ${doing}: ${e.message}`);
    case 422:
    case 400:
      return new ApiFailure(422, 'Invalid', `Could not ${doing}: ${e.message}`);
    default:
      return new ApiFailure(
        503,
        'Unavailable',
        `Could not ${doing}: hub ${e.hub} did not answer (${e.message}). Try again shortly.`,
      );
  }
}

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new ApiFailure(404, 'NotFound', `There is no API route ${req.method} ${req.path}.`));
};

/** Express's last handler: every error becomes an ApiError body. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let failure: ApiFailure;
    if (err instanceof ApiFailure) failure = err;
    else if (err instanceof HubUnavailableError)
      failure = new ApiFailure(503, 'Unavailable', err.message);
    else if (err instanceof HubError) failure = fromHubError(err, 'complete the request');
    else if (isBodyError(err)) failure = bodyFailure(err);
    else {
      log.error('request failed', { method: req.method, path: req.path, error: err });
      failure = new ApiFailure(
        500,
        'Internal',
        'Something went wrong in the backend; it was logged.',
      );
    }
    if (failure.status >= 500 && failure.reason !== 'Internal')
      log.warn('request failed', {
        method: req.method,
        path: req.path,
        status: failure.status,
        error: failure.message,
      });
    res.status(failure.status).json(failure.body());
  };
}

interface BodyError {
  type: string;
  status: number;
  limit?: number;
}

function isBodyError(e: unknown): e is BodyError {
  return typeof e === 'object' && e !== null && 'type' in e && 'status' in e;
}

function bodyFailure(e: BodyError): ApiFailure {
  if (e.type === 'entity.too.large')
    return new ApiFailure(
      413,
      'TooLarge',
      `The request body is larger than the ${Math.round((e.limit ?? 0) / 1024)} KiB allowed.`,
    );
  if (e.type === 'entity.parse.failed')
    return new ApiFailure(400, 'BadRequest', 'The request body is not valid JSON.');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new ApiFailure(415, 'UnsupportedMediaType', 'The request body must be UTF-8 JSON.');
  return new ApiFailure(
    e.status >= 400 && e.status < 500 ? e.status : 400,
    'BadRequest',
    'The request body could not be read.',
  );
}
