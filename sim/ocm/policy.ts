// The hub's governance policy propagator, simulated. It copies root Policies bound by a
// PlacementBinding into the namespace of every cluster their Placement decides, as
// `<rootNamespace>.<rootName>`. It stands in for the policy framework on the managed clusters:
// a replica becomes Compliant some time after its cluster is Available on this hub, and loses
// its compliance when the cluster is no longer Available. It keeps the root policy's status
// (per-cluster compliance and the aggregate) up to date.
// Per-cluster work (a cluster's availability, a replica's status) touches only that cluster's
// replicas. A root's reconcile, which covers all its clusters, is coalesced into a window that
// grows with its cost, so thousands of clusters changing together cost a handful of root passes.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../apiserver/errors.js';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { isObject, text } from '../apiserver/types.js';
import type { SimHub } from '../hub.js';
import { Controller } from './controller.js';
import { CLUSTER_GROUP, PLACEMENT_LABEL } from './placement.js';

export const POLICY_GROUP = 'policy.open-cluster-management.io';
export const ROOT_POLICY_LABEL = 'policy.open-cluster-management.io/root-policy';
export const CLUSTER_NAME_LABEL = 'policy.open-cluster-management.io/cluster-name';
export const CLUSTER_NAMESPACE_LABEL = 'policy.open-cluster-management.io/cluster-namespace';

export type ComplianceState = 'Compliant' | 'Pending' | 'NonCompliant';

export interface PolicyControllerOptions {
  /** How long after its cluster becomes Available on this hub a replica turns Compliant (ms). */
  complianceDelayMs: number;
  /**
   * Shortest wait between a change and the reconcile of the root policies it affects (ms); the
   * wait grows to ten times the root's last reconcile time, so large roots are coalesced more.
   */
  rootStatusDebounceMs?: number;
}

export function startPolicyController(
  hub: SimHub,
  opts: PolicyControllerOptions,
): { stop: () => void } {
  const state = hub.state;
  const policyRt = state.rt(POLICY_GROUP, 'v1', 'policies');
  const bindingRt = state.rt(POLICY_GROUP, 'v1', 'placementbindings');
  const decisionRt = state.rt(CLUSTER_GROUP, 'v1beta1', 'placementdecisions');
  const clusterRt = state.rt(CLUSTER_GROUP, 'v1', 'managedclusters');
  const namespaceRt = state.rt('', 'v1', 'namespaces');
  const delayMs = Math.max(0, opts.complianceDelayMs);
  const debounceMs = opts.rootStatusDebounceMs ?? 50;

  /** When each cluster was last seen turn Available on this hub (absent: not Available). */
  const availableSince = new Map<string, number>();
  /** Root full name (`ns.name`) → cluster namespaces holding one of its replicas. */
  const replicasByRoot = new Map<string, Set<string>>();
  /** Cluster namespace → replica names in it. */
  const replicasByCluster = new Map<string, Set<string>>();
  /** `<cluster>/<replica>` → what the root reconcile compares, kept from the watch. */
  const replicaInfo = new Map<string, { signature: string; compliant: string }>();
  /** Cluster namespace that does not exist yet → roots waiting to replicate into it. */
  const waitingForNamespace = new Map<string, Set<string>>();
  /** PlacementBinding key → the Policy names it bound last time it was seen. */
  const bindingSubjects = new Map<string, string[]>();
  const clusterTimers = new Map<string, NodeJS.Timeout>();
  /** Root work is scheduled (rootSoon) and runs when due, at most once per window per root. */
  const rootTimers = new Map<string, NodeJS.Timeout>();
  const due = new Set<string>();
  /** How long each root's last reconcile took (ms): the window grows with it. */
  const rootCost = new Map<string, number>();
  /** The resourceVersion of each root's own last status write, so it does not trigger itself. */
  const ownStatusRv = new Map<string, string>();
  const stops: (() => void)[] = [];

  const controller = new Controller(hub, 'policy-propagator', policyRt, (key, obj) => {
    if (!key.namespace) return;
    if (!obj) {
      const full = `${key.namespace}.${key.name}`;
      due.delete(full);
      return removeReplicasOf(full);
    }
    const root = obj.metadata.labels?.[ROOT_POLICY_LABEL];
    if (root !== undefined) {
      reconcileReplicaStatus(obj);
      rootSoon(root);
      return;
    }
    const full = fullName(obj);
    if (obj.metadata.deletionTimestamp) removeReplicasOf(full);
    else if (due.delete(full)) {
      const start = performance.now();
      reconcileRoot(obj);
      rootCost.set(full, performance.now() - start);
    } else if (ownStatusRv.get(full) !== obj.metadata.resourceVersion) rootSoon(full);
  });
  stops.push(() => controller.stop());

  /**
   * Schedules a root's reconcile. Its cost grows with its clusters, so the window grows with the
   * cost (ten times the last run): a 5,000-cluster root spends at most a tenth of the time on it.
   */
  function rootSoon(full: string): void {
    if (rootTimers.has(full)) return;
    const wait = Math.max(debounceMs, 10 * (rootCost.get(full) ?? 0));
    const timer = setTimeout(() => {
      rootTimers.delete(full);
      const dot = full.indexOf('.');
      if (dot <= 0) return;
      due.add(full);
      controller.enqueue(full.slice(0, dot), full.slice(dot + 1));
    }, wait);
    timer.unref();
    rootTimers.set(full, timer);
  }

  // Replica index, kept from the watch so that no reconcile has to read every replica.
  stops.push(
    state.watch(policyRt, {}, (e) => {
      const md = e.object.metadata;
      const root = md.labels?.[ROOT_POLICY_LABEL];
      if (root === undefined) return;
      const ns = md.namespace!;
      const key = `${ns}/${md.name}`;
      if (e.type === 'DELETED') {
        replicasByRoot.get(root)?.delete(ns);
        replicasByCluster.get(ns)?.delete(md.name!);
        replicaInfo.delete(key);
        // The root decides whether it should come back.
        rootSoon(root);
      } else {
        addTo(replicasByRoot, root, ns);
        addTo(replicasByCluster, ns, md.name!);
        const status = isObject(e.object.status) ? e.object.status : {};
        replicaInfo.set(key, {
          signature: replicaSignature(e.object),
          compliant: text(status.compliant),
        });
      }
    }),
  );

  // Availability of the clusters on this hub.
  stops.push(
    state.watch(clusterRt, {}, (e) => {
      const name = e.object.metadata.name!;
      const available = e.type !== 'DELETED' && isAvailable(e.object);
      if (available === availableSince.has(name)) return;
      clearTimeout(clusterTimers.get(name));
      clusterTimers.delete(name);
      if (available) {
        const since = Date.now();
        availableSince.set(name, since);
        // A timer runs from the event loop's cached clock, which lags Date.now() by however long
        // the current turn has run: on a busy machine it fired before the delay was up by
        // Date.now(), the replica stayed non-compliant and no timer was left to fix it. An early
        // timer waits out the rest.
        const arm = (wait: number): void => {
          const timer = setTimeout(() => {
            const left = since + delayMs - Date.now();
            if (left > 0) return arm(left);
            clusterTimers.delete(name);
            enqueueReplicasIn(name);
          }, wait);
          timer.unref();
          clusterTimers.set(name, timer);
        };
        arm(delayMs);
      } else {
        availableSince.delete(name);
        enqueueReplicasIn(name);
      }
    }),
  );
  stops.push(() => clusterTimers.forEach((t) => clearTimeout(t)));
  stops.push(() => rootTimers.forEach((t) => clearTimeout(t)));

  // What binds policies to placements.
  stops.push(
    state.watch(bindingRt, {}, (e) => {
      const ns = e.object.metadata.namespace!;
      const key = `${ns}/${e.object.metadata.name}`;
      const now = e.type === 'DELETED' ? [] : policySubjects(e.object);
      for (const name of new Set([...(bindingSubjects.get(key) ?? []), ...now]))
        rootSoon(`${ns}.${name}`);
      if (e.type === 'DELETED') bindingSubjects.delete(key);
      else bindingSubjects.set(key, now);
    }),
  );
  stops.push(
    state.watch(decisionRt, {}, (e) => {
      const placement = e.object.metadata.labels?.[PLACEMENT_LABEL];
      const ns = e.object.metadata.namespace!;
      if (!placement) return;
      for (const b of state.list(bindingRt, ns).items)
        if (bindsPlacement(b, placement))
          for (const name of policySubjects(b)) rootSoon(`${ns}.${name}`);
    }),
  );
  // A cluster namespace appearing (the cluster registered) lets waiting roots replicate.
  stops.push(
    state.watch(namespaceRt, {}, (e) => {
      if (e.type === 'DELETED') return;
      const waiting = waitingForNamespace.get(e.object.metadata.name!);
      if (!waiting || e.object.metadata.deletionTimestamp) return;
      waitingForNamespace.delete(e.object.metadata.name!);
      waiting.forEach(rootSoon);
    }),
  );

  function enqueueReplicasIn(clusterNs: string): void {
    for (const name of replicasByCluster.get(clusterNs) ?? []) controller.enqueue(clusterNs, name);
  }

  function reconcileRoot(root: KubeObject): void {
    const full = fullName(root);
    const ns = root.metadata.namespace!;
    const spec = isObject(root.spec) ? root.spec : {};
    const placements: JsonObject[] = [];
    const decided = new Set<string>();
    for (const b of state.list(bindingRt, ns).items) {
      if (!policySubjects(b).includes(root.metadata.name!)) continue;
      const ref = isObject(b.placementRef) ? b.placementRef : {};
      if (ref.kind !== 'Placement' || ref.apiGroup !== CLUSTER_GROUP) continue;
      const placement = text(ref.name);
      placements.push({ placement, placementBinding: b.metadata.name! });
      for (const cluster of decisionsOf(ns, placement)) decided.add(cluster);
    }
    // A disabled policy is taken off every cluster but still shows where it is placed.
    if (spec.disabled === true) decided.clear();

    // Replicas already like the root are recognised by signature, without reading them (the
    // signature leaves out the cluster's own labels, so one built for no cluster fits all).
    const wanted = replicaSignature(replicaOf(root, ''));
    const replicated = new Set<string>();
    for (const cluster of decided) {
      const clusterNs = state.get(namespaceRt, undefined, cluster);
      if (!clusterNs || clusterNs.metadata.deletionTimestamp) {
        addTo(waitingForNamespace, cluster, full);
        continue;
      }
      replicated.add(cluster);
      if (replicaInfo.get(`${cluster}/${full}`)?.signature === wanted) continue;
      const desired = replicaOf(root, cluster);
      const existing = state.get(policyRt, cluster, full);
      if (!existing) state.create(policyRt, cluster, desired);
      else if (!sameReplica(existing, desired))
        state.update(policyRt, cluster, full, {
          ...existing,
          metadata: {
            ...existing.metadata,
            labels: desired.metadata.labels,
            annotations: desired.metadata.annotations,
          },
          spec: desired.spec,
        });
    }
    for (const cluster of [...(replicasByRoot.get(full) ?? [])])
      if (!replicated.has(cluster)) deleteIgnoringMissing(cluster, full);

    const perCluster = [...decided].sort().map((cluster) => {
      const compliant = replicated.has(cluster)
        ? (replicaInfo.get(`${cluster}/${full}`)?.compliant ?? '')
        : '';
      return {
        clustername: cluster,
        clusternamespace: cluster,
        ...(compliant ? { compliant } : {}),
      };
    });
    const aggregate = rootCompliance(perCluster.map((c) => c.compliant));
    const status: JsonObject = {
      ...(aggregate ? { compliant: aggregate } : {}),
      placement: placements.sort((a, b) =>
        text(a.placementBinding).localeCompare(text(b.placementBinding)),
      ),
      status: perCluster,
    };
    if (isDeepStrictEqual(status, root.status)) return;
    const written = state.update(
      policyRt,
      ns,
      root.metadata.name!,
      { ...root, status },
      { subresource: 'status' },
    );
    ownStatusRv.set(full, written.metadata.resourceVersion!);
  }

  /** The clusters a Placement decides, read from its PlacementDecisions. */
  function decisionsOf(ns: string, placement: string): string[] {
    const out: string[] = [];
    const pds = state.list(decisionRt, ns, {
      labelSelector: (labels) => labels?.[PLACEMENT_LABEL] === placement,
    }).items;
    for (const pd of pds) {
      const decisions = isObject(pd.status) ? pd.status.decisions : undefined;
      if (Array.isArray(decisions))
        for (const d of decisions.filter(isObject))
          if (d.clusterName) out.push(text(d.clusterName));
    }
    return out;
  }

  function reconcileReplicaStatus(replica: KubeObject): void {
    const md = replica.metadata;
    const cluster = md.labels?.[CLUSTER_NAME_LABEL] ?? md.namespace!;
    const since = availableSince.get(cluster);
    // The timer set when the cluster turned Available re-runs this once the delay is over.
    const desired: ComplianceState | undefined =
      since !== undefined && Date.now() - since >= delayMs ? 'Compliant' : undefined;
    const status = isObject(replica.status) ? { ...replica.status } : {};
    if ((status.compliant ?? undefined) === desired) return;
    if (desired) status.compliant = desired;
    else delete status.compliant;
    state.update(
      policyRt,
      md.namespace,
      md.name!,
      { ...replica, status: Object.keys(status).length ? status : undefined },
      { subresource: 'status' },
    );
  }

  function removeReplicasOf(full: string): void {
    for (const cluster of [...(replicasByRoot.get(full) ?? [])])
      deleteIgnoringMissing(cluster, full);
    for (const roots of waitingForNamespace.values()) roots.delete(full);
  }

  function deleteIgnoringMissing(ns: string, name: string): void {
    try {
      state.delete(policyRt, ns, name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  return { stop: () => stops.forEach((s) => s()) };
}

/** The replica of a root policy for one cluster, as the propagator builds it. */
export function replicaOf(root: KubeObject, cluster: string): KubeObject {
  const full = fullName(root);
  return {
    apiVersion: `${POLICY_GROUP}/v1`,
    kind: 'Policy',
    metadata: {
      name: full,
      namespace: cluster,
      labels: {
        ...(root.metadata.labels ?? {}),
        [CLUSTER_NAME_LABEL]: cluster,
        [CLUSTER_NAMESPACE_LABEL]: cluster,
        [ROOT_POLICY_LABEL]: full,
      },
      ...(root.metadata.annotations ? { annotations: { ...root.metadata.annotations } } : {}),
    },
    spec: structuredClone(root.spec),
  };
}

/**
 * The propagator's aggregate: NonCompliant > Pending > unknown > Compliant; no clusters, or any
 * cluster without a compliance yet, gives no aggregate at all.
 */
export function rootCompliance(states: (string | undefined)[]): ComplianceState | undefined {
  if (states.length === 0) return undefined;
  if (states.includes('NonCompliant')) return 'NonCompliant';
  if (states.includes('Pending')) return 'Pending';
  if (states.some((s) => s !== 'Compliant')) return undefined;
  return 'Compliant';
}

export function isAvailable(mc: KubeObject): boolean {
  const conditions = isObject(mc.status) ? mc.status.conditions : undefined;
  return (
    Array.isArray(conditions) &&
    conditions.some(
      (c) => isObject(c) && c.type === 'ManagedClusterConditionAvailable' && c.status === 'True',
    )
  );
}

function fullName(policy: KubeObject): string {
  return `${policy.metadata.namespace}.${policy.metadata.name}`;
}

/**
 * What makes a replica current, as one string: everything copied from the root, and whether its
 * cluster labels name its own namespace. Independent of key order.
 */
function replicaSignature(replica: KubeObject): string {
  const labels = { ...(replica.metadata.labels ?? {}) };
  const ns = replica.metadata.namespace ?? '';
  const ownCluster = labels[CLUSTER_NAME_LABEL] === ns && labels[CLUSTER_NAMESPACE_LABEL] === ns;
  delete labels[CLUSTER_NAME_LABEL];
  delete labels[CLUSTER_NAMESPACE_LABEL];
  return canonicalJson([
    ownCluster,
    labels,
    replica.metadata.annotations ?? {},
    replica.spec ?? null,
  ]);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

function sameReplica(existing: KubeObject, desired: KubeObject): boolean {
  return (
    isDeepStrictEqual(existing.metadata.labels ?? {}, desired.metadata.labels ?? {}) &&
    isDeepStrictEqual(existing.metadata.annotations ?? {}, desired.metadata.annotations ?? {}) &&
    isDeepStrictEqual(existing.spec, desired.spec)
  );
}

function policySubjects(binding: KubeObject): string[] {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isObject) : [];
  return subjects
    .filter((s) => s.kind === 'Policy' && s.apiGroup === POLICY_GROUP)
    .map((s) => text(s.name));
}

function bindsPlacement(binding: KubeObject, placement: string): boolean {
  const ref = isObject(binding.placementRef) ? binding.placementRef : {};
  return ref.kind === 'Placement' && ref.name === placement;
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}
