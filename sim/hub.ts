// One simulated hub: its API state, identities, RBAC, HTTP server and the CRDs it serves.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { Authenticator, Authorizer } from './apiserver/auth.js';
import { ClusterState } from './apiserver/cluster.js';
import { ApiError } from './apiserver/errors.js';
import type { FaultConfig } from './apiserver/server.js';
import { ApiServer } from './apiserver/server.js';
import type { KubeObject, UserInfo } from './apiserver/types.js';
import type { ServingTls } from './tls.js';
import { isObject } from './apiserver/types.js';

export const CRD_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crds');

export interface HubUser {
  name: string;
  groups?: string[];
  token: string;
}

export interface HubOptions {
  name: string;
  /** Loopback port to listen on; 0 picks a free one. */
  port?: number;
  adminToken?: string;
  users?: HubUser[];
  faults?: FaultConfig;
  /** Watch events kept per resource before older versions get 410 Gone. */
  historyLimit?: number;
  bookmarkIntervalMs?: number;
  /** Objects created at start, after the CRDs (any kind the hub serves). */
  seed?: KubeObject[];
  /** Serving certificate and the CA that signed it; plain HTTP without. */
  tls?: ServingTls;
}

const ADMIN: UserInfo = {
  username: 'system:admin',
  groups: ['system:masters', 'system:authenticated'],
};

export class SimHub {
  readonly name: string;
  readonly state: ClusterState;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly server: ApiServer;
  readonly adminToken: string;

  constructor(private readonly opts: HubOptions) {
    this.name = opts.name;
    this.state = new ClusterState({ historyLimit: opts.historyLimit });
    this.authenticator = new Authenticator(this.state, `https://${opts.name}.sim`);
    this.authorizer = new Authorizer(this.state);
    this.server = new ApiServer({
      state: this.state,
      authenticator: this.authenticator,
      authorizer: this.authorizer,
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      tls: opts.tls,
    });
    this.adminToken =
      opts.adminToken ?? `sim-admin-${opts.name}-${randomBytes(12).toString('hex')}`;
    this.authenticator.addStaticToken(this.adminToken, ADMIN);
    for (const u of opts.users ?? [])
      this.authenticator.addStaticToken(u.token, { username: u.name, groups: u.groups ?? [] });
    loadCrds(this);
    seedDefaultRoles(this);
    for (const obj of opts.seed ?? []) this.apply(obj);
    if (opts.faults) this.server.setFaults(opts.faults);
  }

  get url(): string {
    return this.server.url;
  }

  /** The CA that signed this hub's serving certificate (what its kubeconfigs trust). */
  get caPem(): string | undefined {
    return this.opts.tls?.caPem;
  }

  async start(): Promise<void> {
    await this.server.listen(this.opts.port ?? 0);
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  /** Creates or replaces an object directly in the hub's state (the hub's own controllers use this). */
  apply(obj: KubeObject): KubeObject {
    const [group, version] = obj.apiVersion.includes('/')
      ? obj.apiVersion.split('/')
      : ['', obj.apiVersion];
    const any = this.state.registry.findByKind(group, obj.kind);
    const rt = any && this.state.registry.get(group, version, any.plural);
    if (!rt) throw new Error(`hub ${this.name} does not serve ${obj.apiVersion} ${obj.kind}`);
    const ns = rt.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    if (ns && !this.state.get(this.state.rt('', 'v1', 'namespaces'), undefined, ns)) {
      this.state.create(this.state.rt('', 'v1', 'namespaces'), undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    }
    const existing = this.state.get(rt, ns, obj.metadata.name!);
    if (!existing) return this.state.create(rt, ns, obj);
    return this.state.update(rt, ns, obj.metadata.name!, {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: undefined },
    });
  }

  /** A kubeconfig (YAML) for this hub with the given bearer token (admin by default). */
  kubeconfig(token = this.adminToken, user = 'admin'): string {
    return kubeconfigYaml(this.name, this.url, token, user, this.opts.tls?.caPem);
  }
}

export function kubeconfigYaml(
  cluster: string,
  server: string,
  token: string,
  user = 'admin',
  caPem?: string,
): string {
  const ca = caPem ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {};
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, ...ca } }],
    users: [{ name: `${user}@${cluster}`, user: { token } }],
    contexts: [{ name: cluster, context: { cluster, user: `${user}@${cluster}` } }],
    'current-context': cluster,
    preferences: {},
  });
}

/** Reads every YAML document in a file as Kubernetes objects. */
export function readObjects(file: string): KubeObject[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    const v: unknown = d.toJS();
    if (isObject(v)) out.push(v as KubeObject);
  }
  return out;
}

function loadCrds(hub: SimHub): void {
  const crdRt = hub.state.rt('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  const files = readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  for (const f of files) {
    for (const crd of readObjects(path.join(CRD_DIR, f))) {
      try {
        hub.state.create(crdRt, undefined, crd);
      } catch (e) {
        const why = e instanceof ApiError ? e.message : String(e);
        throw new Error(
          `hub ${hub.name}: cannot serve CRD ${crd.metadata?.name ?? '?'} from ${f}: ${why}`,
        );
      }
    }
  }
}

/** The default ClusterRoles every Kubernetes cluster has, in the short form the simulator needs. */
function seedDefaultRoles(hub: SimHub): void {
  const rt = hub.state.rt('rbac.authorization.k8s.io', 'v1', 'clusterroles');
  const role = (
    name: string,
    rules: unknown[],
    labels?: Record<string, string>,
    aggregate?: string,
  ) =>
    hub.state.create(rt, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels } },
      rules,
      ...(aggregate
        ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregate]: 'true' } }] } }
        : {}),
    });
  role('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]);
  const read = ['get', 'list', 'watch'];
  role(
    'view',
    [
      {
        apiGroups: ['', 'coordination.k8s.io'],
        resources: ['configmaps', 'serviceaccounts', 'events', 'namespaces', 'leases'],
        verbs: read,
      },
    ],
    {},
    'rbac.authorization.k8s.io/aggregate-to-view',
  );
  role(
    'edit',
    [
      {
        apiGroups: ['', 'coordination.k8s.io'],
        resources: ['configmaps', 'secrets', 'serviceaccounts', 'events', 'leases'],
        verbs: ['*'],
      },
    ],
    { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' },
    'rbac.authorization.k8s.io/aggregate-to-edit',
  );
  role(
    'admin',
    [
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles', 'rolebindings'],
        verbs: ['*'],
      },
    ],
    {},
    'rbac.authorization.k8s.io/aggregate-to-admin',
  );
}
