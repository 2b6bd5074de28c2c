// One hub's Kubernetes API, through @kubernetes/client-node, with what a fleet-scale controller
// needs around every call: a bounded number of requests in flight, a request-rate limit,
// retries with backoff on 429/5xx/connection errors, and per-verb call counts and latency.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { PooledKubeConfig } from './kubeconfig.js';
import type { Res } from './resources.js';
import { apiVersion, resourcePath } from './resources.js';

export interface KubeObject extends KubernetesObject {
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string };
  [key: string]: unknown;
}

/** A failed hub call, with what the caller needs to decide: the status, the reason, whether to retry. */
export class HubError extends Error {
  constructor(
    readonly hub: string,
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  get retriable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get conflict(): boolean {
    return this.status === 409;
  }
}

export interface HubClientOptions {
  maxInFlight?: number;
  /** Requests per second (token bucket) and the burst it allows. */
  qps?: number;
  burst?: number;
  /** Attempts for a retriable failure, and the first backoff (doubled each time, with jitter). */
  attempts?: number;
  backoffMs?: number;
  logger?: Logger;
}

export interface CallStats {
  calls: Record<string, number>;
  errors: Record<string, number>;
  retries: number;
  latencyMsTotal: number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  /** The token for the next page; undefined on the last one. */
  continue?: string;
  /** How many objects the pages after this one hold, when the server says. */
  remainingItemCount?: number;
}

/** The list response as both client-node APIs give it (typed lists rename `continue`). */
interface RawList {
  items: KubeObject[];
  metadata?: {
    _continue?: string;
    continue?: string;
    resourceVersion?: string;
    remainingItemCount?: number;
  };
}

/** Objects a list call asks for at once. */
export const LIST_PAGE_SIZE = 500;

type WatchHandler = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => void;

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatchType = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export class HubClient {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly objects: KubernetesObjectApi;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private lastRefill = Date.now();
  private readonly stats: CallStats = { calls: {}, errors: {}, retries: 0, latencyMsTotal: 0 };
  private readonly o: Required<Omit<HubClientOptions, 'logger'>>;

  constructor(
    readonly name: string,
    readonly kubeConfig: PooledKubeConfig,
    opts: HubClientOptions = {},
  ) {
    this.o = {
      maxInFlight: opts.maxInFlight ?? 32,
      qps: opts.qps ?? 1000,
      burst: opts.burst ?? 2000,
      attempts: opts.attempts ?? 5,
      backoffMs: opts.backoffMs ?? 200,
    };
    this.tokens = this.o.burst;
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.log = opts.logger;
  }

  private readonly log?: Logger;

  get server(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? '';
  }

  callStats(): CallStats {
    return structuredClone(this.stats);
  }

  // ---- flow control ------------------------------------------------------------------------

  private async slot(): Promise<void> {
    // Token bucket: at most `qps` requests a second, bursts up to `burst`.
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(
        this.o.burst,
        this.tokens + ((now - this.lastRefill) / 1000) * this.o.qps,
      );
      this.lastRefill = now;
      if (this.tokens >= 1) break;
      await sleep(Math.ceil(((1 - this.tokens) / this.o.qps) * 1000));
    }
    this.tokens -= 1;
    if (this.inFlight < this.o.maxInFlight) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** Runs one API call with limits, retries and accounting; failures become HubErrors. */
  private async call<T>(verb: string, what: string, fn: () => Promise<T>): Promise<T> {
    const key = `${verb} ${what}`;
    for (let attempt = 1; ; attempt++) {
      await this.slot();
      const t0 = Date.now();
      let err: HubError | undefined;
      try {
        this.stats.calls[key] = (this.stats.calls[key] ?? 0) + 1;
        return await fn();
      } catch (e) {
        err = toHubError(this.name, e);
        this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
      } finally {
        this.stats.latencyMsTotal += Date.now() - t0;
        this.release();
      }
      if (!err.retriable || attempt >= this.o.attempts) throw err;
      this.stats.retries++;
      const delay = this.o.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      this.log?.debug('retrying hub call', {
        hub: this.name,
        call: key,
        attempt,
        status: err.status,
        error: err.message,
        delayMs: Math.round(delay),
      });
      await sleep(delay);
    }
  }

  // ---- operations ----------------------------------------------------------------------------

  /** The object, or undefined when it does not exist. */
  async get(res: Res, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await this.call('get', res.plural, () => {
        if (!res.group)
          return this.objects.read<KubeObject>({
            apiVersion: apiVersion(res),
            kind: res.kind,
            metadata: { name, namespace },
          });
        return (
          res.namespaced
            ? this.custom.getNamespacedCustomObject({
                group: res.group,
                version: res.version,
                namespace: namespace!,
                plural: res.plural,
                name,
              })
            : this.custom.getClusterCustomObject({
                group: res.group,
                version: res.version,
                plural: res.plural,
                name,
              })
        ) as Promise<KubeObject>;
      });
    } catch (e) {
      if (e instanceof HubError && e.notFound) return undefined;
      throw e;
    }
  }

  /** Every object of a kind (in one namespace, or all), following `continue` tokens. */
  async list(res: Res, namespace?: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    return (await this.listVersioned(res, namespace, opts)).items;
  }

  /** A list and the resourceVersion to watch from after it. */
  async listVersioned(
    res: Res,
    namespace?: string,
    opts: ListOptions = {},
  ): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const items: KubeObject[] = [];
    let resourceVersion = '';
    let token: string | undefined;
    do {
      const page = await this.listPage(res, namespace, { ...opts, continue: token });
      resourceVersion = page.resourceVersion || resourceVersion;
      items.push(...page.items);
      token = page.continue;
    } while (token);
    return { items, resourceVersion };
  }

  /**
   * One page of a list (`limit` objects, 500 unless smaller), with the token for the next page
   * and, when the server tells, how many objects the pages after this one hold.
   */
  async listPage(
    res: Res,
    namespace?: string,
    opts: ListOptions & { continue?: string; limit?: number } = {},
  ): Promise<ListPage> {
    const token = opts.continue;
    const limit = Math.max(1, Math.min(opts.limit ?? LIST_PAGE_SIZE, LIST_PAGE_SIZE));
    const page = await this.call('list', res.plural, async () => {
      const common = {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit,
        _continue: token,
      };
      if (!res.group) {
        return (await this.objects.list(
          apiVersion(res),
          res.kind,
          namespace,
          undefined,
          undefined,
          undefined,
          opts.fieldSelector,
          opts.labelSelector,
          limit,
          token,
        )) as unknown as RawList;
      }
      const out: unknown =
        res.namespaced && namespace
          ? await this.custom.listNamespacedCustomObject({
              group: res.group,
              version: res.version,
              namespace,
              plural: res.plural,
              ...common,
            })
          : res.namespaced
            ? await this.custom.listCustomObjectForAllNamespaces({
                group: res.group,
                version: res.version,
                plural: res.plural,
                ...common,
              })
            : await this.custom.listClusterCustomObject({
                group: res.group,
                version: res.version,
                plural: res.plural,
                ...common,
              });
      return out as RawList;
    });
    const md = page.metadata ?? {};
    return {
      items: page.items.map((o) => ({
        ...o,
        apiVersion: o.apiVersion ?? apiVersion(res),
        kind: o.kind ?? res.kind,
      })),
      resourceVersion: md.resourceVersion ?? '',
      continue: md._continue || md.continue || undefined,
      remainingItemCount: md.remainingItemCount ?? undefined,
    };
  }

  async create(res: Res, obj: KubeObject): Promise<KubeObject> {
    const body = { ...obj, apiVersion: apiVersion(res), kind: res.kind };
    const ns = obj.metadata.namespace;
    return this.call('create', res.plural, () => {
      if (!res.group) return this.objects.create(body);
      return (
        res.namespaced
          ? this.custom.createNamespacedCustomObject({
              group: res.group,
              version: res.version,
              namespace: ns!,
              plural: res.plural,
              body,
            })
          : this.custom.createClusterCustomObject({
              group: res.group,
              version: res.version,
              plural: res.plural,
              body,
            })
      ) as Promise<KubeObject>;
    });
  }

  /** Creates the object unless one of that name exists; returns what is there now. */
  async createIfAbsent(
    res: Res,
    obj: KubeObject,
  ): Promise<{ object: KubeObject; created: boolean }> {
    try {
      return { object: await this.create(res, obj), created: true };
    } catch (e) {
      if (!(e instanceof HubError && e.status === 409)) throw e;
      const existing = await this.get(res, obj.metadata.name, obj.metadata.namespace);
      if (!existing) throw e;
      return { object: existing, created: false };
    }
  }

  async replace(res: Res, obj: KubeObject): Promise<KubeObject> {
    const body = { ...obj, apiVersion: apiVersion(res), kind: res.kind };
    const { name, namespace } = obj.metadata;
    return this.call('update', res.plural, () => {
      if (!res.group) return this.objects.replace(body);
      return (
        res.namespaced
          ? this.custom.replaceNamespacedCustomObject({
              group: res.group,
              version: res.version,
              namespace: namespace!,
              plural: res.plural,
              name,
              body,
            })
          : this.custom.replaceClusterCustomObject({
              group: res.group,
              version: res.version,
              plural: res.plural,
              name,
              body,
            })
      ) as Promise<KubeObject>;
    });
  }

  /** Writes `status` through the status subresource (custom resources). */
  async replaceStatus(res: Res, obj: KubeObject): Promise<KubeObject> {
    const body = { ...obj, apiVersion: apiVersion(res), kind: res.kind };
    const { name, namespace } = obj.metadata;
    return this.call(
      'update',
      `${res.plural}/status`,
      () =>
        (res.namespaced
          ? this.custom.replaceNamespacedCustomObjectStatus({
              group: res.group,
              version: res.version,
              namespace: namespace!,
              plural: res.plural,
              name,
              body,
            })
          : this.custom.replaceClusterCustomObjectStatus({
              group: res.group,
              version: res.version,
              plural: res.plural,
              name,
              body,
            })) as Promise<KubeObject>,
    );
  }

  /**
   * A JSON merge patch of the status subresource (custom resources). Unlike a replace it needs no
   * resourceVersion, so a controller that touched the object since it was read costs no conflict.
   */
  async mergePatchStatus(
    res: Res,
    name: string,
    patch: Record<string, unknown>,
    namespace?: string,
  ): Promise<KubeObject> {
    return this.call('patch', `${res.plural}/status`, () =>
      this.patchCustom(res, name, namespace, patch, mergePatch, 'status'),
    );
  }

  /** A patch of a custom resource, or of its status subresource. */
  private patchCustom(
    res: Res,
    name: string,
    namespace: string | undefined,
    body: unknown,
    contentType: typeof mergePatch,
    subresource?: 'status',
  ): Promise<KubeObject> {
    const { group, version, plural } = res;
    const request = res.namespaced
      ? subresource
        ? this.custom.patchNamespacedCustomObjectStatus(
            { group, version, namespace: namespace!, plural, name, body },
            contentType,
          )
        : this.custom.patchNamespacedCustomObject(
            { group, version, namespace: namespace!, plural, name, body },
            contentType,
          )
      : subresource
        ? this.custom.patchClusterCustomObjectStatus(
            { group, version, plural, name, body },
            contentType,
          )
        : this.custom.patchClusterCustomObject({ group, version, plural, name, body }, contentType);
    return request as Promise<KubeObject>;
  }

  /** A JSON merge patch; undefined when the object does not exist. */
  async mergePatch(
    res: Res,
    name: string,
    patch: Record<string, unknown>,
    namespace?: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.call('patch', res.plural, () => {
        if (!res.group) {
          // The generic object API finds the object by the body's metadata: keep name and namespace in it.
          const metadata = {
            ...((patch.metadata as Record<string, unknown> | undefined) ?? {}),
            name,
            namespace,
          };
          return this.objects.patch(
            { ...patch, apiVersion: apiVersion(res), kind: res.kind, metadata },
            undefined,
            undefined,
            undefined,
            undefined,
            PatchStrategy.MergePatch,
          );
        }
        return this.patchCustom(res, name, namespace, patch, mergePatch);
      });
    } catch (e) {
      if (e instanceof HubError && e.notFound) return undefined;
      throw e;
    }
  }

  /** A JSON patch (RFC 6902), e.g. with a `test` operation as a precondition. */
  async jsonPatch(
    res: Res,
    name: string,
    ops: Record<string, unknown>[],
    namespace?: string,
  ): Promise<KubeObject> {
    return this.call('patch', res.plural, () => {
      // client-node's generic object API sends the object itself as the patch body, so JSON
      // patches go only to grouped resources (all the engine needs them for).
      if (!res.group)
        throw new HubError(
          this.name,
          400,
          'BadRequest',
          `JSON patch of ${res.kind} is not supported here`,
        );
      return this.patchCustom(res, name, namespace, ops, jsonPatchType);
    });
  }

  /** Deletes if present; false when there was nothing to delete. */
  async delete(
    res: Res,
    name: string,
    namespace?: string,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    try {
      await this.call('delete', res.plural, () => {
        if (!res.group)
          return this.objects.delete(
            { apiVersion: apiVersion(res), kind: res.kind, metadata: { name, namespace } },
            undefined,
            undefined,
            undefined,
            undefined,
            propagationPolicy,
          );
        return res.namespaced
          ? this.custom.deleteNamespacedCustomObject({
              group: res.group,
              version: res.version,
              namespace: namespace!,
              plural: res.plural,
              name,
              propagationPolicy,
            })
          : this.custom.deleteClusterCustomObject({
              group: res.group,
              version: res.version,
              plural: res.plural,
              name,
              propagationPolicy,
            });
      });
      return true;
    } catch (e) {
      if (e instanceof HubError && e.notFound) return false;
      throw e;
    }
  }

  /** A short-lived token for a ServiceAccount (TokenRequest). */
  async requestToken(
    namespace: string,
    serviceAccount: string,
    expirationSeconds: number,
  ): Promise<{ token: string; expires: string }> {
    const tr = await this.call('create', 'serviceaccounts/token', () =>
      this.core.createNamespacedServiceAccountToken({
        namespace,
        name: serviceAccount,
        body: { spec: { audiences: [], expirationSeconds } },
      }),
    );
    return {
      token: tr.status?.token ?? '',
      expires: tr.status?.expirationTimestamp?.toISOString() ?? '',
    };
  }

  async version(): Promise<string> {
    const v = await this.call('get', 'version', () =>
      this.kubeConfig.makeApiClient(VersionApi).getCode(),
    );
    return v.gitVersion;
  }

  /**
   * Watches a kind from a resourceVersion (or from a fresh list when absent). `onDone` is called
   * when the stream ends for any reason; the caller restarts it (with a re-list on 410).
   */
  async watch(
    res: Res,
    namespace: string | undefined,
    resourceVersion: string | undefined,
    onEvent: WatchHandler,
    onDone: (err?: HubError) => void,
    opts: ListOptions = {},
  ): Promise<() => void> {
    await this.slot();
    this.release();
    this.stats.calls[`watch ${res.plural}`] = (this.stats.calls[`watch ${res.plural}`] ?? 0) + 1;
    const ctl = await new Watch(this.kubeConfig).watch(
      resourcePath(res, namespace),
      {
        allowWatchBookmarks: true,
        resourceVersion,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      },
      (type: string, obj: unknown) => {
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')
          onEvent(type, obj as KubeObject);
        else if (type === 'ERROR')
          onDone(
            new HubError(
              this.name,
              Number((obj as { code?: number }).code ?? 500),
              'Expired',
              String((obj as { message?: string }).message ?? 'watch error'),
            ),
          );
      },
      (err: unknown) => onDone(err ? toHubError(this.name, err) : undefined),
    );
    return () => ctl.abort();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function toHubError(hub: string, e: unknown): HubError {
  if (e instanceof HubError) return e;
  if (e instanceof ApiException) {
    let reason = 'Unknown';
    let message = `HTTP ${e.code}`;
    try {
      const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as {
        reason?: string;
        message?: string;
      };
      reason = body.reason ?? reason;
      message = body.message ?? message;
    } catch {
      // a body that is not a Status keeps the generic message
    }
    return new HubError(hub, e.code, reason, message);
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (/aborted/i.test(msg)) return new HubError(hub, 0, 'Aborted', msg);
  return new HubError(hub, 0, 'ConnectionFailed', `cannot reach hub ${hub}: ${msg}`);
}
