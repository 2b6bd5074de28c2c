// The hub side of OCM registration, as the simulator imitates it: the cluster-manager's
// registration controller and CSR approver, ACM's import controller (the per-cluster bootstrap
// ServiceAccount and the `<cluster>-klusterlet` ManifestWork that carries bootstrap kubeconfigs),
// and the lease controller that marks clusters Unknown when their agent stops heartbeating.
import { randomBytes } from 'node:crypto';
import type { ResourceType } from '../apiserver/resources.js';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { cloneJson, isObject, kubeTime, text } from '../apiserver/types.js';
import type { SimHub } from '../hub.js';
import { Controller } from './controller.js';

/** What a bootstrap identity may do on a hub: ask for a certificate and create its ManagedCluster. */
export const BOOTSTRAP_RULES = [
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['certificatesigningrequests'],
    verbs: ['create', 'get', 'list', 'watch'],
  },
  {
    apiGroups: ['cluster.open-cluster-management.io'],
    resources: ['managedclusters'],
    verbs: ['get', 'create'],
  },
];

export const CLUSTER_NAME_LABEL = 'open-cluster-management.io/cluster-name';
export const KLUSTERLET_CONFIG_ANNOTATION = 'agent.open-cluster-management.io/klusterlet-config';
export const CLEANUP_FINALIZER = 'cluster.open-cluster-management.io/api-resource-cleanup';
export const LEASE_NAME = 'managed-cluster-lease';
/** A lease older than this many lease durations makes the hub mark the cluster Unknown (as OCM). */
export const LEASE_GRACE_MULTIPLIER = 5;
/** Where migration bootstrap Secrets named by a KlusterletConfig are read from. */
export const BOOTSTRAP_SECRET_NAMESPACE = 'multicluster-engine';
export const DEFAULT_HUB_CONNECTION_TIMEOUT_SECONDS = 600;

export function bootstrapServiceAccount(cluster: string): string {
  return `${cluster}-bootstrap-sa`;
}

export function agentUser(cluster: string): string {
  return `system:open-cluster-management:${cluster}:agent`;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** Sets a condition in a list, keeping lastTransitionTime when the status does not change. */
export function withCondition(
  conditions: unknown,
  cond: Condition,
): { list: Condition[]; changed: boolean } {
  const list = (Array.isArray(conditions)
    ? conditions.filter(isObject)
    : []) as unknown as Condition[];
  const i = list.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? list[i] : undefined;
  if (
    old &&
    old.status === cond.status &&
    old.reason === cond.reason &&
    old.message === cond.message
  )
    return { list, changed: false };
  const next: Condition = {
    ...cond,
    lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : kubeTime(),
  };
  const out = [...list];
  if (i >= 0) out[i] = next;
  else out.push(next);
  return { list: out, changed: true };
}

export function conditionStatus(obj: KubeObject | undefined, type: string): string | undefined {
  const conditions =
    isObject(obj?.status) && Array.isArray(obj.status.conditions) ? obj.status.conditions : [];
  const c = conditions.filter(isObject).find((x) => x.type === type);
  return c ? text(c.status) : undefined;
}

export interface RegistrationController {
  stop(): void;
  /** The bootstrap kubeconfig this hub's import controller gives a cluster (its own bootstrap ServiceAccount). */
  importKubeconfig(cluster: string): string;
  /** Agent credentials for a cluster that was registered before the simulation began (no CSR round). */
  preRegister(cluster: string): { server: string; ca?: string; token: string };
}

export function startRegistration(
  hub: SimHub,
  opts: { leaseCheckIntervalMs?: number } = {},
): RegistrationController {
  const state = hub.state;
  const t = {
    mc: state.rt('cluster.open-cluster-management.io', 'v1', 'managedclusters'),
    csr: state.rt('certificates.k8s.io', 'v1', 'certificatesigningrequests'),
    ns: state.rt('', 'v1', 'namespaces'),
    sa: state.rt('', 'v1', 'serviceaccounts'),
    secret: state.rt('', 'v1', 'secrets'),
    lease: state.rt('coordination.k8s.io', 'v1', 'leases'),
    mw: state.rt('work.open-cluster-management.io', 'v1', 'manifestworks'),
    kc: state.rt('config.open-cluster-management.io', 'v1alpha1', 'klusterletconfigs'),
    cm: state.rt('operator.open-cluster-management.io', 'v1', 'clustermanagers'),
    cd: state.rt('hive.openshift.io', 'v1', 'clusterdeployments'),
    role: state.rt('rbac.authorization.k8s.io', 'v1', 'roles'),
    rb: state.rt('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
    crole: state.rt('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
    crb: state.rt('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'),
  };
  /** Agent credentials issued per cluster, so that denial or removal revokes them. */
  const agentTokens = new Map<string, Set<string>>();
  const importTokens = new Map<string, { saUid: string; kubeconfig: string }>();

  const createIfAbsent = (rt: ResourceType, obj: KubeObject): void => {
    if (!state.get(rt, obj.metadata.namespace, obj.metadata.name!))
      state.create(rt, obj.metadata.namespace, obj);
  };
  const deleteIfPresent = (rt: ResourceType, ns: string | undefined, name: string): void => {
    if (state.get(rt, ns, name)) state.delete(rt, ns, name);
  };

  const revokeAgent = (cluster: string): void => {
    for (const token of agentTokens.get(cluster) ?? []) hub.authenticator.removeStaticToken(token);
    agentTokens.delete(cluster);
  };

  const issueAgentToken = (cluster: string): string => {
    const token = `sim-agent-${cluster}-${randomBytes(16).toString('hex')}`;
    hub.authenticator.addStaticToken(token, {
      username: agentUser(cluster),
      groups: [agentGroup(cluster), 'system:open-cluster-management:managed-clusters'],
    });
    let set = agentTokens.get(cluster);
    if (!set) agentTokens.set(cluster, (set = new Set()));
    set.add(token);
    return token;
  };

  const roleName = (cluster: string) => `open-cluster-management:managedcluster:${cluster}`;
  const agentGroup = (cluster: string) => `system:open-cluster-management:${cluster}`;

  /** What a registered agent may do: its own ManagedCluster, its lease, ManifestWorks and events. */
  const ensureAgentRbac = (cluster: string): void => {
    const subjects = [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: agentGroup(cluster) },
    ];
    createIfAbsent(t.crole, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: roleName(cluster) },
      rules: [
        {
          apiGroups: ['cluster.open-cluster-management.io'],
          resources: ['managedclusters'],
          resourceNames: [cluster],
          verbs: ['get', 'list', 'watch', 'update', 'patch'],
        },
        {
          apiGroups: ['cluster.open-cluster-management.io'],
          resources: ['managedclusters/status'],
          resourceNames: [cluster],
          verbs: ['get', 'update', 'patch'],
        },
      ],
    });
    createIfAbsent(t.crb, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: roleName(cluster) },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: roleName(cluster),
      },
      subjects,
    });
    createIfAbsent(t.role, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: roleName(cluster), namespace: cluster },
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'create', 'update', 'patch'],
        },
        {
          apiGroups: ['work.open-cluster-management.io'],
          resources: ['manifestworks'],
          verbs: ['get', 'list', 'watch'],
        },
        {
          apiGroups: ['work.open-cluster-management.io'],
          resources: ['manifestworks/status'],
          verbs: ['get', 'update', 'patch'],
        },
        {
          apiGroups: ['', 'events.k8s.io'],
          resources: ['events'],
          verbs: ['create', 'patch', 'update'],
        },
      ],
    });
    createIfAbsent(t.rb, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: roleName(cluster), namespace: cluster },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName(cluster) },
      subjects,
    });
  };

  const removeAgentRbac = (cluster: string): void => {
    deleteIfPresent(t.crb, undefined, roleName(cluster));
    deleteIfPresent(t.crole, undefined, roleName(cluster));
    if (state.get(t.ns, undefined, cluster)) {
      deleteIfPresent(t.rb, cluster, roleName(cluster));
      deleteIfPresent(t.role, cluster, roleName(cluster));
    }
  };

  /** ACM's import controller: a bootstrap ServiceAccount per cluster, allowed to register it. */
  const ensureImportBootstrap = (cluster: string): string => {
    const saName = bootstrapServiceAccount(cluster);
    createIfAbsent(t.sa, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: saName, namespace: cluster },
    });
    const sa = state.get(t.sa, cluster, saName)!;
    createIfAbsent(t.crole, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'open-cluster-management:bootstrap' },
      rules: BOOTSTRAP_RULES,
    });
    createIfAbsent(t.crb, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `open-cluster-management:bootstrap:${cluster}` },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'open-cluster-management:bootstrap',
      },
      subjects: [{ kind: 'ServiceAccount', name: saName, namespace: cluster }],
    });
    const cached = importTokens.get(cluster);
    if (cached && cached.saUid === sa.metadata.uid) return cached.kubeconfig;
    const { token } = hub.authenticator.mint(cluster, saName, sa.metadata.uid!, 48 * 3600, []);
    const kubeconfig = hub.kubeconfig(token, saName);
    importTokens.set(cluster, { saUid: sa.metadata.uid!, kubeconfig });
    return kubeconfig;
  };

  /** The cluster's KlusterletConfig (by its annotation) and the bootstrap Secrets it names, on this hub. */
  const klusterletConfigOf = (
    mc: KubeObject,
  ): { kc?: KubeObject; refs: { name: string; secret?: KubeObject }[]; timeout: number } => {
    const configName = mc.metadata.annotations?.[KLUSTERLET_CONFIG_ANNOTATION];
    const kc = configName ? state.get(t.kc, undefined, configName) : undefined;
    const spec = isObject(kc?.spec) ? kc.spec : {};
    const boot = isObject(spec.bootstrapKubeConfigs)
      ? spec.bootstrapKubeConfigs
      : isObject(spec.multipleHubsConfig) && isObject(spec.multipleHubsConfig.bootstrapKubeConfigs)
        ? spec.multipleHubsConfig.bootstrapKubeConfigs
        : {};
    const local = isObject(boot.localSecretsConfig) ? boot.localSecretsConfig : {};
    const timeout =
      typeof local.hubConnectionTimeoutSeconds === 'number'
        ? local.hubConnectionTimeoutSeconds
        : DEFAULT_HUB_CONNECTION_TIMEOUT_SECONDS;
    const refs = (
      Array.isArray(local.kubeConfigSecrets) ? local.kubeConfigSecrets.filter(isObject) : []
    ).map((ref) => ({
      name: text(ref.name),
      secret: state.get(t.secret, BOOTSTRAP_SECRET_NAMESPACE, text(ref.name)),
    }));
    return { kc, refs, timeout };
  };

  /** The bootstrap kubeconfigs the cluster's KlusterletConfig names, read from this hub. */
  const klusterletConfigSecrets = (
    config: ReturnType<typeof klusterletConfigOf>,
  ): { secrets: { name: string; kubeconfig: string }[]; timeout: number } => {
    const secrets: { name: string; kubeconfig: string }[] = [];
    for (const { name, secret } of config.refs) {
      const data = isObject(secret?.data) ? secret.data : {};
      const kubeconfig =
        typeof data.kubeconfig === 'string'
          ? Buffer.from(data.kubeconfig, 'base64').toString('utf8')
          : '';
      if (kubeconfig) secrets.push({ name, kubeconfig });
    }
    return { secrets, timeout: config.timeout };
  };

  /**
   * Per cluster: what its klusterlet ManifestWork was last built from, and the ManifestWork's
   * resourceVersion then. Every ManagedCluster event (heartbeat status included) reconciles it,
   * and rebuilding the work (base64 kubeconfigs, a JSON comparison) each time was most of the
   * registration controller's cost at 3,000 clusters; when nothing it is built from changed and
   * nobody wrote the work since, there is nothing to do.
   */
  const workMemo = new Map<string, { inputs: string; importKubeconfig: string; mwRv: string }>();

  /** The import controller's `<cluster>-klusterlet` ManifestWork: bootstrap secrets for the agent. */
  const ensureKlusterletWork = (mc: KubeObject, importKubeconfig: string): void => {
    const cluster = mc.metadata.name!;
    const name = `${cluster}-klusterlet`;
    const config = klusterletConfigOf(mc);
    const inputs = [
      config.kc?.metadata.uid ?? '',
      config.kc?.metadata.resourceVersion ?? '',
      ...config.refs.map((r) => `${r.name}=${r.secret?.metadata.resourceVersion ?? ''}`),
    ].join('|');
    const memo = workMemo.get(cluster);
    const current = state.get(t.mw, cluster, name);
    if (
      current &&
      memo &&
      memo.inputs === inputs &&
      memo.importKubeconfig === importKubeconfig &&
      memo.mwRv === current.metadata.resourceVersion
    )
      return;
    const { secrets, timeout } = klusterletConfigSecrets(config);
    const secretManifest = (name: string, kubeconfig: string): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'open-cluster-management-agent' },
      type: 'Opaque',
      data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
    });
    const manifests: JsonObject[] = [
      secretManifest('bootstrap-hub-kubeconfig', importKubeconfig),
      ...secrets.map((s) => secretManifest(s.name, s.kubeconfig)),
      {
        apiVersion: 'operator.open-cluster-management.io/v1',
        kind: 'Klusterlet',
        metadata: { name: 'klusterlet' },
        spec: {
          clusterName: cluster,
          registrationConfiguration: {
            bootstrapKubeConfigs: secrets.length
              ? {
                  type: 'LocalSecrets',
                  localSecretsConfig: {
                    kubeConfigSecrets: [
                      { name: 'bootstrap-hub-kubeconfig' },
                      ...secrets.map((s) => ({ name: s.name })),
                    ],
                    hubConnectionTimeoutSeconds: timeout,
                  },
                }
              : { type: 'None' },
          },
        },
      },
    ];
    const existing = current;
    const spec = { workload: { manifests } };
    let written = existing;
    if (!existing) {
      written = state.create(t.mw, cluster, {
        apiVersion: 'work.open-cluster-management.io/v1',
        kind: 'ManifestWork',
        metadata: { name, namespace: cluster },
        spec,
      });
    } else if (JSON.stringify(existing.spec) !== JSON.stringify(spec)) {
      written = state.update(t.mw, cluster, name, { ...cloneJson(existing), spec });
    }
    workMemo.set(cluster, { inputs, importKubeconfig, mwRv: written!.metadata.resourceVersion! });
  };

  const setMcCondition = (mc: KubeObject, cond: Condition): void => {
    const status = isObject(mc.status) ? mc.status : {};
    const { list, changed } = withCondition(status.conditions, cond);
    if (!changed) return;
    state.update(
      t.mc,
      undefined,
      mc.metadata.name!,
      { ...cloneJson(mc), status: { ...status, conditions: list } },
      { subresource: 'status' },
    );
  };

  const finalizeDeletedCluster = (mc: KubeObject): void => {
    const cluster = mc.metadata.name!;
    revokeAgent(cluster);
    removeAgentRbac(cluster);
    deleteIfPresent(t.crb, undefined, `open-cluster-management:bootstrap:${cluster}`);
    importTokens.delete(cluster);
    workMemo.delete(cluster);
    if (state.get(t.ns, undefined, cluster)) {
      for (const w of state.list(t.mw, cluster).items)
        state.delete(t.mw, cluster, w.metadata.name!);
      deleteIfPresent(t.lease, cluster, LEASE_NAME);
      // ACM removes the cluster namespace on detach unless hive still owns a cluster in it.
      if (state.list(t.cd, cluster).items.length === 0) state.delete(t.ns, undefined, cluster);
    }
    const latest = state.get(t.mc, undefined, cluster);
    if (latest?.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      const next = cloneJson(latest);
      next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== CLEANUP_FINALIZER);
      state.update(t.mc, undefined, cluster, next);
    }
  };

  /** CSR names by the cluster they are for, so a cluster's reconcile finds its own without a scan. */
  const csrsByCluster = new Map<string, Set<string>>();
  const csrCluster = new Map<string, string>();
  const stopCsrIndex = state.watch(t.csr, {}, (e) => {
    const csrName = e.object.metadata.name!;
    const before = csrCluster.get(csrName);
    const after = e.type === 'DELETED' ? undefined : e.object.metadata.labels?.[CLUSTER_NAME_LABEL];
    if (before === after) return;
    if (before !== undefined) {
      const set = csrsByCluster.get(before);
      set?.delete(csrName);
      if (set?.size === 0) csrsByCluster.delete(before);
      csrCluster.delete(csrName);
    }
    if (after !== undefined) {
      let set = csrsByCluster.get(after);
      if (!set) csrsByCluster.set(after, (set = new Set()));
      set.add(csrName);
      csrCluster.set(csrName, after);
    }
  });

  const csrController = new Controller(
    hub,
    'csr-approver',
    t.csr,
    (_key, csr) => {
      if (!csr) return;
      const cluster = csr.metadata.labels?.[CLUSTER_NAME_LABEL];
      const status = isObject(csr.status) ? csr.status : {};
      const decided = Array.isArray(status.conditions) && status.conditions.length > 0;
      const age = Date.now() - Date.parse(csr.metadata.creationTimestamp ?? '');
      // Old requests are garbage-collected like kube-controller-manager's CSR cleaner does.
      if ((decided && age > 60_000) || (!decided && age > 600_000)) {
        state.delete(t.csr, undefined, csr.metadata.name!);
        return;
      }
      if (!cluster || decided) return;
      const mc = state.get(t.mc, undefined, cluster);
      if (
        !mc ||
        mc.metadata.deletionTimestamp ||
        !isObject(mc.spec) ||
        mc.spec.hubAcceptsClient !== true
      )
        return;
      const spec = isObject(csr.spec) ? csr.spec : {};
      const requester = text(spec.username);
      const manager = state.get(t.cm, undefined, 'cluster-manager');
      const reg =
        isObject(manager?.spec) && isObject(manager.spec.registrationConfiguration)
          ? manager.spec.registrationConfiguration
          : {};
      const autoApprove =
        Array.isArray(reg.autoApproveUsers) && reg.autoApproveUsers.map(String).includes(requester);
      const ownBootstrap =
        requester === `system:serviceaccount:${cluster}:${bootstrapServiceAccount(cluster)}`;
      if (!autoApprove && !ownBootstrap) return;
      const token = issueAgentToken(cluster);
      const now = kubeTime();
      state.update(
        t.csr,
        undefined,
        csr.metadata.name!,
        {
          ...cloneJson(csr),
          status: {
            conditions: [
              {
                type: 'Approved',
                status: 'True',
                reason: autoApprove
                  ? 'AutoApprovedByHubCSRApprovingController'
                  : 'AutoApprovedByImportController',
                message: `Auto approving the CSR of managed cluster ${cluster}`,
                lastUpdateTime: now,
                lastTransitionTime: now,
              },
            ],
            // The simulator issues a bearer token where a real hub signs a client certificate.
            certificate: Buffer.from(token).toString('base64'),
          },
        },
        { subresource: 'status' },
      );
    },
    { resyncMs: 30_000 },
  );

  const mcController = new Controller(hub, 'managedcluster', t.mc, (key, mc) => {
    if (!mc) {
      revokeAgent(key.name);
      return;
    }
    const cluster = mc.metadata.name!;
    if (mc.metadata.deletionTimestamp) {
      finalizeDeletedCluster(mc);
      return;
    }
    if (!mc.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      const next = cloneJson(mc);
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), CLEANUP_FINALIZER];
      state.update(t.mc, undefined, cluster, next);
      return;
    }
    createIfAbsent(t.ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: cluster } });
    const nsObj = state.get(t.ns, undefined, cluster)!;
    if (nsObj.metadata.deletionTimestamp) return;
    const accepted = isObject(mc.spec) && mc.spec.hubAcceptsClient === true;
    if (accepted) {
      ensureAgentRbac(cluster);
      const importKubeconfig = ensureImportBootstrap(cluster);
      ensureKlusterletWork(mc, importKubeconfig);
      setMcCondition(mc, {
        type: 'HubAcceptedManagedCluster',
        status: 'True',
        reason: 'HubClusterAdminAccepted',
        message: 'Accepted by hub cluster admin',
      });
      for (const csrName of csrsByCluster.get(cluster) ?? [])
        csrController.enqueue(undefined, csrName);
    } else {
      // Denying a cluster takes its agent's access away at once; it must bootstrap again.
      revokeAgent(cluster);
      removeAgentRbac(cluster);
      setMcCondition(mc, {
        type: 'HubAcceptedManagedCluster',
        status: 'False',
        reason: 'HubClusterAdminDenied',
        message: 'Denied by hub cluster admin',
      });
    }
  });

  // A new or changed KlusterletConfig or bootstrap Secret changes what the ManifestWorks carry.
  const kcController = new Controller(hub, 'klusterletconfig', t.kc, (key) => {
    for (const mc of state.list(t.mc, undefined).items) {
      if (mc.metadata.annotations?.[KLUSTERLET_CONFIG_ANNOTATION] === key.name)
        mcController.enqueue(undefined, mc.metadata.name!);
    }
  });
  const stopSecretWatch = state.watch(t.secret, { namespace: BOOTSTRAP_SECRET_NAMESPACE }, () => {
    for (const mc of state.list(t.mc, undefined).items) {
      if (mc.metadata.annotations?.[KLUSTERLET_CONFIG_ANNOTATION])
        mcController.enqueue(undefined, mc.metadata.name!);
    }
  });

  // The lease controller: an agent that stops renewing its lease leaves its cluster Unknown.
  const leaseTimer = setInterval(() => {
    const now = Date.now();
    for (const mc of state.list(t.mc, undefined).items) {
      if (conditionStatus(mc, 'ManagedClusterConditionAvailable') !== 'True') continue;
      const duration =
        isObject(mc.spec) && typeof mc.spec.leaseDurationSeconds === 'number'
          ? mc.spec.leaseDurationSeconds
          : 60;
      const lease = state.get(t.lease, mc.metadata.name, LEASE_NAME);
      const renew = isObject(lease?.spec) ? Date.parse(text(lease.spec.renewTime)) : NaN;
      if (Number.isNaN(renew) || now - renew > duration * 1000 * LEASE_GRACE_MULTIPLIER) {
        setMcCondition(mc, {
          type: 'ManagedClusterConditionAvailable',
          status: 'Unknown',
          reason: 'ManagedClusterLeaseUpdateStopped',
          message: 'Registration agent stopped updating its lease.',
        });
      }
    }
  }, opts.leaseCheckIntervalMs ?? 1000);
  leaseTimer.unref();

  return {
    stop() {
      clearInterval(leaseTimer);
      stopSecretWatch();
      stopCsrIndex();
      csrController.stop();
      mcController.stop();
      kcController.stop();
    },
    importKubeconfig: (cluster) => {
      createIfAbsent(t.ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: cluster } });
      return ensureImportBootstrap(cluster);
    },
    preRegister: (cluster) => {
      createIfAbsent(t.ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: cluster } });
      ensureAgentRbac(cluster);
      return { server: hub.url, ca: hub.caPem, token: issueAgentToken(cluster) };
    },
  };
}
