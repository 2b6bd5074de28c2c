import { consoleFetch } from '@openshift-console/dynamic-plugin-sdk';
import { API_ROOT } from '../const';
import type {
  ApiError,
  ClusterDetail,
  ClusterPage,
  ClusterState,
  CreateMigrationRequest,
  CreatePlanRequest,
  CreatePlanResult,
  HealthReport,
  Hub,
  HubCluster,
  Me,
  MigrationDetail,
  MigrationEvent,
  MigrationSummary,
  Page,
  PlacementPreview,
  PlacementPreviewRequest,
  PlacementSummary,
  PlanSummary,
  ReconcileRequest,
  ReconcileResult,
  ValidateRequest,
  ValidationResult,
} from './types';

/** A failed call to the BFF, with the BFF's own explanation when it gave one. */
export class ApiFailure extends Error {
  readonly status: number;
  /** ApiError.reason, or `Network` when the BFF could not be reached at all. */
  readonly reason: string;
  readonly fields?: Record<string, string>;
  constructor(status: number, reason: string, message: string, fields?: Record<string, string>) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.reason = reason;
    this.fields = fields;
  }
}

const isApiError = (value: unknown): value is ApiError =>
  !!value &&
  typeof value === 'object' &&
  typeof (value as ApiError).message === 'string' &&
  typeof (value as ApiError).reason === 'string';

const isAbort = (err: unknown): boolean => err instanceof Error && err.name === 'AbortError';

/** Turns whatever consoleFetch threw (HttpError, TypeError from fetch, …) into an ApiFailure. */
export const toApiFailure = async (err: unknown): Promise<ApiFailure> => {
  if (err instanceof ApiFailure) return err;
  const e = err as { code?: number; json?: unknown; response?: Response; message?: string };
  let body = e?.json;
  if (!isApiError(body) && e?.response && !e.response.bodyUsed) {
    try {
      body = await e.response.clone().json();
    } catch {
      body = undefined;
    }
  }
  if (isApiError(body)) return new ApiFailure(body.status, body.reason, body.message, body.fields);
  const status = e?.code ?? e?.response?.status ?? 0;
  return new ApiFailure(status, status ? 'Http' : 'Network', e?.message ?? String(err));
};

type Query = Record<string, string | number | boolean | string[] | undefined>;

export const withQuery = (path: string, query?: Query): string => {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(','));
    } else params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
};

const seg = encodeURIComponent;
export const apiUrl = (path: string, query?: Query): string =>
  withQuery(`${API_ROOT}${path}`, query);

async function call<T>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    signal: opts.signal,
    headers: { Accept: 'application/json' },
  };
  if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await consoleFetch(apiUrl(path, opts.query), init);
  } catch (err) {
    if (isAbort(err)) throw err;
    throw await toApiFailure(err);
  }
  // consoleFetch throws on non-2xx in the console; be as strict when it does not.
  if (!response.ok) throw await toApiFailure({ code: response.status, response });
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

type Opts = { signal?: AbortSignal };
type Items<T> = { items: T[] };

export type HubClusterQuery = {
  search?: string;
  available?: string;
  ztp?: string;
  clusterSet?: string;
  label?: string;
  sort?: 'name' | 'available';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
};

export type ClusterQuery = {
  state?: ClusterState[];
  hub?: string;
  search?: string;
  error?: boolean;
  sort?: 'name' | 'state' | 'hub' | 'updated';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
};

const migrationPath = (namespace: string, name: string) =>
  `/migrations/${seg(namespace)}/${seg(name)}`;

export const api = {
  me: (o: Opts = {}) => call<Me>('GET', '/me', o),
  hubs: (o: Opts = {}) => call<Items<Hub>>('GET', '/hubs', o),
  hubClusters: (hub: string, query: HubClusterQuery, o: Opts = {}) =>
    call<Page<HubCluster>>('GET', `/hubs/${seg(hub)}/clusters`, { ...o, query }),
  reconcile: (hub: string, body: ReconcileRequest, o: Opts = {}) =>
    call<ReconcileResult>('POST', `/hubs/${seg(hub)}/clusters/reconcile`, { ...o, body }),
  placements: (hub: string, o: Opts = {}) =>
    call<Items<PlacementSummary>>('GET', `/hubs/${seg(hub)}/placements`, o),
  placementPreview: (hub: string, body: PlacementPreviewRequest, o: Opts = {}) =>
    call<PlacementPreview>('POST', `/hubs/${seg(hub)}/placement-preview`, { ...o, body }),
  validate: (body: ValidateRequest, o: Opts = {}) =>
    call<ValidationResult>('POST', '/validate', { ...o, body }),
  migrations: (o: Opts = {}) => call<Items<MigrationSummary>>('GET', '/migrations', o),
  plans: (o: Opts = {}) => call<Items<PlanSummary>>('GET', '/plans', o),
  migration: (namespace: string, name: string, o: Opts = {}) =>
    call<MigrationDetail>('GET', migrationPath(namespace, name), o),
  createMigration: (body: CreateMigrationRequest, o: Opts = {}) =>
    call<MigrationSummary>('POST', '/migrations', { ...o, body }),
  createPlan: (body: CreatePlanRequest, o: Opts = {}) =>
    call<CreatePlanResult>('POST', '/plans', { ...o, body }),
  rollback: (namespace: string, name: string) =>
    call<MigrationSummary>('POST', `${migrationPath(namespace, name)}/rollback`, { body: {} }),
  approve: (namespace: string, name: string) =>
    call<MigrationSummary>('POST', `${migrationPath(namespace, name)}/approve`, { body: {} }),
  remove: (namespace: string, name: string) =>
    call<MigrationSummary>('DELETE', migrationPath(namespace, name)),
  clusters: (namespace: string, name: string, query: ClusterQuery, o: Opts = {}) =>
    call<ClusterPage>('GET', `${migrationPath(namespace, name)}/clusters`, { ...o, query }),
  cluster: (namespace: string, name: string, cluster: string, o: Opts = {}) =>
    call<ClusterDetail>('GET', `${migrationPath(namespace, name)}/clusters/${seg(cluster)}`, o),
  health: (namespace: string, name: string, o: Opts = {}) =>
    call<HealthReport>('GET', `${migrationPath(namespace, name)}/health`, o),
  events: (namespace: string, name: string, o: Opts = {}) =>
    call<Items<MigrationEvent>>('GET', `${migrationPath(namespace, name)}/events`, o),
};

/** Where the per-cluster result of a migration downloads as CSV (filters apply, no paging). */
export const clustersCsvUrl = (namespace: string, name: string, query: ClusterQuery = {}): string =>
  apiUrl(`${migrationPath(namespace, name)}/clusters.csv`, {
    state: query.state,
    hub: query.hub,
    search: query.search,
    error: query.error,
  });

export const streamUrl = (migration?: { namespace: string; name: string }): string =>
  apiUrl(
    '/stream',
    migration ? { migration: `${migration.namespace}/${migration.name}` } : undefined,
  );

/** Every page of a paged list, `limit` at a time (the BFF allows at most 1,000 a page). */
export async function fetchAll<T>(
  page: (offset: number, limit: number) => Promise<Page<T>>,
  limit = 1000,
): Promise<T[]> {
  // The first page tells how many there are; the rest are asked for at once, not one after
  // another (3,000 clusters were three round trips in a row, each waiting for the page to be
  // idle enough to send the next).
  const first = await page(0, limit);
  const items: T[] = [...first.items];
  if (first.items.length === 0 || first.items.length >= first.total) return items;
  const step = first.items.length;
  const offsets: number[] = [];
  for (let offset = step; offset < first.total; offset += step) offsets.push(offset);
  const rest = await Promise.all(offsets.map((offset) => page(offset, step)));
  for (const p of rest) items.push(...p.items);
  // Rows added meanwhile (a later page said there are more): fetch on from where they ended.
  let total = rest.at(-1)?.total ?? first.total;
  while (items.length < total) {
    const p = await page(items.length, step);
    if (p.items.length === 0) break;
    items.push(...p.items);
    total = p.total;
  }
  return items;
}
