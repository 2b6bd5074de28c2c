// Who the caller is and what they may do, decided by the global hub with the caller's own token
// (the console proxy adds it as a bearer token): SelfSubjectAccessReviews and a SelfSubjectReview.
// Answers are cached briefly under a hash of the token; the raw token is never a key, never logged.
import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api } from '@kubernetes/client-node';
import type { HubClientOptions } from '../hubs/hub-client.js';
import { HubClient, toHubError } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import { R } from '../hubs/resources.js';
import type { Request } from 'express';
import { ApiFailure } from './errors.js';

export interface Access {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  subresource?: string;
  name?: string;
}

export interface Caller {
  /** The bearer token exactly as received: only ever sent to the global hub. */
  token: string;
  /** sha256 of the token: the key of every cache. */
  key: string;
}

const TTL_MS = 10_000;
const MAX_ENTRIES = 20_000;

/** The caller's bearer token, or a 401. */
export function callerOf(req: Request): Caller {
  const header = req.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m)
    throw new ApiFailure(
      401,
      'Unauthorized',
      'No bearer token: open this page through the OpenShift console, which signs you in.',
    );
  return { token: m[1], key: createHash('sha256').update(m[1]).digest('hex') };
}

/** A small map whose entries expire, bounded in size (oldest dropped first). */
class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }
}

export class Authorizer {
  private readonly decisions = new ExpiringCache<Promise<boolean>>(TTL_MS, MAX_ENTRIES);
  private readonly users = new ExpiringCache<Promise<string>>(TTL_MS, MAX_ENTRIES);
  private readonly clients = new ExpiringCache<HubClient>(60_000, 200);

  constructor(
    /** The global hub as the BFF reaches it: its server and CA are reused with the caller's token. */
    private readonly globalKubeConfig: PooledKubeConfig,
    private readonly hubName: string,
    private readonly clientOptions: HubClientOptions = {},
  ) {}

  /** A kubeconfig for the global hub that authenticates as the caller. */
  private kubeConfigFor(caller: Caller): PooledKubeConfig {
    const cluster = this.globalKubeConfig.getCurrentCluster();
    if (!cluster) throw new ApiFailure(503, 'Unavailable', 'The global hub is not configured.');
    const kc = new PooledKubeConfig(8);
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'caller', token: caller.token }],
      contexts: [{ name: 'caller', cluster: cluster.name, user: 'caller' }],
      currentContext: 'caller',
    });
    return kc;
  }

  /** A client of the global hub acting as the caller, for the writes a user asks for. */
  clientFor(caller: Caller): HubClient {
    let c = this.clients.get(caller.key);
    if (!c) {
      // One attempt: a user's write that fails is reported to the user, not retried behind them.
      c = new HubClient(this.hubName, this.kubeConfigFor(caller), {
        ...this.clientOptions,
        attempts: 2,
      });
      this.clients.set(caller.key, c);
    }
    return c;
  }

  /** Whether the global hub allows the caller this access (a 401 when it does not know the token). */
  async allowed(caller: Caller, access: Access): Promise<boolean> {
    const key = `${caller.key}|${access.verb}|${access.group}|${access.resource}|${access.subresource ?? ''}|${access.namespace ?? ''}|${access.name ?? ''}`;
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.review(caller, access);
      this.decisions.set(key, decision);
      // A failed review is not remembered: the next request asks again.
      decision.catch(() => this.decisions.delete(key));
    }
    return decision;
  }

  private async review(caller: Caller, access: Access): Promise<boolean> {
    // The caller's cached client: one keep-alive connection pool per user, not one per review.
    const api = this.clientFor(caller).kubeConfig.makeApiClient(AuthorizationV1Api);
    try {
      const r = await api.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { ...access } },
        },
      });
      return r.status?.allowed === true;
    } catch (e) {
      throw reviewFailure(e, this.hubName);
    }
  }

  /** Whether the caller may list ManagedClusterMigrations in a namespace (what "seeing" them means). */
  canListMigrations(caller: Caller, namespace: string): Promise<boolean> {
    return this.allowed(caller, {
      verb: 'list',
      group: R.migration.group,
      resource: R.migration.plural,
      namespace,
    });
  }

  /** The namespaces, among those given, whose migrations the caller may see. */
  async migrationNamespaces(caller: Caller, namespaces: readonly string[]): Promise<string[]> {
    const ok = await Promise.all(namespaces.map((ns) => this.canListMigrations(caller, ns)));
    return namespaces.filter((_, i) => ok[i]);
  }

  /** The caller's user name, as the global hub sees it. */
  async user(caller: Caller): Promise<string> {
    let u = this.users.get(caller.key);
    if (!u) {
      u = this.selfReview(caller);
      this.users.set(caller.key, u);
      u.catch(() => this.users.delete(caller.key));
    }
    return u;
  }

  private async selfReview(caller: Caller): Promise<string> {
    const api = this.clientFor(caller).kubeConfig.makeApiClient(AuthenticationV1Api);
    try {
      const r = await api.createSelfSubjectReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      return r.status?.userInfo?.username ?? 'unknown';
    } catch (e) {
      throw reviewFailure(e, this.hubName);
    }
  }

  /** Throws 403 unless allowed, with a message that names what is missing. */
  async require(caller: Caller, access: Access, what: string): Promise<void> {
    if (await this.allowed(caller, access)) return;
    const where = access.namespace ? ` in namespace ${access.namespace}` : '';
    throw new ApiFailure(
      403,
      'Forbidden',
      `You are not allowed to ${what}: it needs "${access.verb}" on ${access.resource}${
        access.group ? `.${access.group}` : ''
      }${where}. Ask a cluster administrator for that permission.`,
    );
  }
}

function reviewFailure(e: unknown, hub: string): ApiFailure {
  const err = toHubError(hub, e);
  if (err.status === 401)
    return new ApiFailure(
      401,
      'Unauthorized',
      'Your session is not accepted by the global hub: sign in to the console again.',
    );
  return new ApiFailure(
    503,
    'Unavailable',
    `The global hub could not check your permissions (${err.message}); try again shortly.`,
  );
}
