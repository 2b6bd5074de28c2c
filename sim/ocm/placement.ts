// The hub's placement controller: for every Placement it writes the PlacementDecisions and the
// status that OCM's scheduler writes, for the parts the simulator supports. Those parts are
// cluster sets bound to the namespace, spec.clusterSets, label and claim predicates, taints and
// tolerations, numberOfClusters and decision groups. Prioritizers other than "keep what is
// already decided" are not simulated.
// It runs on the hub's own state. ManagedCluster changes are coalesced, so 5,000 clusters
// heartbeating or relabelled together cost one recompute per Placement per window rather than one
// per cluster.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../apiserver/errors.js';
import { labelSelectorFromObject } from '../apiserver/selectors.js';
import type { LabelSelector } from '../apiserver/selectors.js';
import type { JsonObject, KubeObject, OwnerReference } from '../apiserver/types.js';
import { isObject, kubeTime, text } from '../apiserver/types.js';
import type { SimHub } from '../hub.js';
import { Controller } from './controller.js';

export const CLUSTER_GROUP = 'cluster.open-cluster-management.io';
export const PLACEMENT_LABEL = 'cluster.open-cluster-management.io/placement';
export const DECISION_GROUP_INDEX_LABEL = 'cluster.open-cluster-management.io/decision-group-index';
export const DECISION_GROUP_NAME_LABEL = 'cluster.open-cluster-management.io/decision-group-name';
export const CLUSTERSET_LABEL = 'cluster.open-cluster-management.io/clusterset';
/** Placements with this annotation set to "true" are left alone, as OCM does. */
export const SCHEDULING_DISABLE_ANNOTATION =
  'cluster.open-cluster-management.io/experimental-scheduling-disable';
/** OCM puts at most this many decisions in one PlacementDecision. */
export const MAX_DECISIONS_PER_OBJECT = 100;

export interface PlacementControllerOptions {
  /** How long ManagedCluster changes are gathered before the Placements are recomputed (ms). */
  clusterDebounceMs?: number;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** What the controller knows about one ManagedCluster: only what scheduling reads. */
interface ClusterView {
  name: string;
  labels: Record<string, string>;
  claims: Record<string, string>;
  taints: Taint[];
  deleting: boolean;
}

interface Taint {
  key: string;
  value: string;
  effect: string;
  timeAdded?: string;
}

interface Toleration {
  key: string;
  operator: string;
  value: string;
  effect: string;
  tolerationSeconds?: number;
}

interface DecisionGroup {
  name: string;
  clusters: string[];
}

/** The outcome of scheduling one Placement, before anything is written. */
interface Schedule {
  groups: DecisionGroup[];
  selected: number;
  misconfigured?: string;
  satisfied: Omit<Condition, 'type' | 'lastTransitionTime'>;
  /** Recompute at this time (ms since epoch): a toleration with tolerationSeconds runs out then. */
  recheckAt?: number;
}

export function startPlacementController(
  hub: SimHub,
  opts: PlacementControllerOptions = {},
): { stop: () => void } {
  const state = hub.state;
  const placementRt = state.rt(CLUSTER_GROUP, 'v1beta1', 'placements');
  const decisionRt = state.rt(CLUSTER_GROUP, 'v1beta1', 'placementdecisions');
  const setRt = state.rt(CLUSTER_GROUP, 'v1beta2', 'managedclustersets');
  const bindingRt = state.rt(CLUSTER_GROUP, 'v1beta2', 'managedclustersetbindings');
  const clusterRt = state.rt(CLUSTER_GROUP, 'v1', 'managedclusters');
  const debounceMs = opts.clusterDebounceMs ?? 50;

  const clusters = new Map<string, ClusterView>();
  const clusterSignatures = new Map<string, string>();
  const setSignatures = new Map<string, string>();
  const bindingSignatures = new Map<string, string>();
  const recheckTimers = new Map<string, NodeJS.Timeout>();
  const stops: (() => void)[] = [];
  let clusterTimer: NodeJS.Timeout | undefined;

  /** How long each Placement's last reconcile took (ms); the cluster window grows with their sum. */
  const costs = new Map<string, number>();
  const controller = new Controller(hub, 'placement', placementRt, (key, placement) => {
    const id = `${key.namespace}/${key.name}`;
    costs.delete(id);
    if (!placement || !key.namespace) return;
    const start = performance.now();
    reconcile(placement);
    costs.set(id, performance.now() - start);
  });
  stops.push(() => controller.stop());

  const enqueueAll = (namespace?: string): void => {
    for (const p of state.list(placementRt, namespace).items)
      controller.enqueue(p.metadata.namespace, p.metadata.name!);
  };

  // ManagedClusters: only a change to what scheduling reads counts, and bursts are coalesced.
  stops.push(
    state.watch(clusterRt, {}, (e) => {
      const name = e.object.metadata.name!;
      if (e.type === 'DELETED') {
        clusters.delete(name);
        clusterSignatures.delete(name);
      } else {
        const view = clusterView(e.object);
        const signature = JSON.stringify(view);
        if (clusterSignatures.get(name) === signature) return;
        clusterSignatures.set(name, signature);
        clusters.set(name, view);
      }
      if (clusterTimer) return;
      // Recomputing every Placement costs O(clusters) each: spend at most a tenth of the time on it.
      let total = 0;
      for (const c of costs.values()) total += c;
      clusterTimer = setTimeout(
        () => {
          clusterTimer = undefined;
          enqueueAll();
        },
        Math.max(debounceMs, 10 * total),
      );
      clusterTimer.unref();
    }),
  );
  stops.push(() => clearTimeout(clusterTimer));

  // Cluster sets and bindings are few and change rarely: react at once, but ignore status writes.
  stops.push(
    state.watch(setRt, {}, (e) => {
      const name = e.object.metadata.name!;
      if (!signatureChanged(setSignatures, name, e.type, e.object.spec)) return;
      enqueueAll();
    }),
  );
  stops.push(
    state.watch(bindingRt, {}, (e) => {
      const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
      if (!signatureChanged(bindingSignatures, key, e.type, e.object.spec)) return;
      enqueueAll(e.object.metadata.namespace);
    }),
  );
  // Someone else touching a decision gets it rewritten, as OCM's controller does.
  stops.push(
    state.watch(decisionRt, {}, (e) => {
      const placement = e.object.metadata.labels?.[PLACEMENT_LABEL];
      if (placement) controller.enqueue(e.object.metadata.namespace, placement);
    }),
  );
  stops.push(() => recheckTimers.forEach((t) => clearTimeout(t)));

  function reconcile(placement: KubeObject): void {
    const md = placement.metadata;
    if (md.deletionTimestamp) return;
    if (md.annotations?.[SCHEDULING_DISABLE_ANNOTATION] === 'true') return;
    const ns = md.namespace!;
    const current = currentDecisions(ns, md.name!);
    const result = schedule(placement, current);
    const written = writeDecisions(placement, result.groups);
    writeStatus(placement, result, written);
    scheduleRecheck(ns, md.name!, result.recheckAt);
  }

  /** Cluster names in the Placement's decisions now (NoSelectIfNew keeps them). */
  function currentDecisions(ns: string, placement: string): Set<string> {
    const names = new Set<string>();
    for (const pd of decisionsOf(ns, placement)) {
      const decisions = isObject(pd.status) ? pd.status.decisions : undefined;
      if (Array.isArray(decisions))
        for (const d of decisions) if (isObject(d)) names.add(text(d.clusterName));
    }
    return names;
  }

  function decisionsOf(ns: string, placement: string): KubeObject[] {
    return state.list(decisionRt, ns, {
      labelSelector: (labels) => labels?.[PLACEMENT_LABEL] === placement,
    }).items;
  }

  function schedule(placement: KubeObject, decided: Set<string>): Schedule {
    const spec = isObject(placement.spec) ? placement.spec : {};
    const ns = placement.metadata.namespace!;
    // A binding counts only when its cluster set exists; OCM reads the set name from the binding's name.
    const bound = state
      .list(bindingRt, ns)
      .items.map((b) => b.metadata.name!)
      .filter((name) => state.get(setRt, undefined, name));
    const wanted = stringList(spec.clusterSets);
    const eligible = (wanted.length ? bound.filter((s) => wanted.includes(s)) : bound).sort();

    const available = new Map<string, ClusterView>();
    for (const setName of eligible) {
      const set = state.get(setRt, undefined, setName);
      if (!set) continue;
      const inSet = setMembership(set);
      for (const c of clusters.values()) if (!c.deleting && inSet(c)) available.set(c.name, c);
    }

    let misconfigured: string | undefined;
    let predicate: (c: ClusterView) => boolean = () => true;
    try {
      predicate = predicatesOf(spec.predicates);
    } catch (e) {
      misconfigured = `Predicate:${e instanceof Error ? e.message : String(e)}`;
      predicate = () => false;
    }
    const tolerations = tolerationsOf(spec.tolerations);
    const now = Date.now();
    let recheckAt: number | undefined;
    const feasible: string[] = [];
    for (const c of available.values()) {
      if (!predicate(c)) continue;
      const verdict = taintsTolerated(c, tolerations, decided.has(c.name), now);
      if (verdict.expiresAt !== undefined)
        recheckAt = Math.min(recheckAt ?? Infinity, verdict.expiresAt);
      if (verdict.tolerated) feasible.push(c.name);
    }

    // Keep what is already decided first (OCM's Steady prioritizer), then by name.
    feasible.sort((a, b) => Number(decided.has(b)) - Number(decided.has(a)) || compare(a, b));
    const wantedCount = typeof spec.numberOfClusters === 'number' ? spec.numberOfClusters : -1;
    const chosen = (wantedCount >= 0 ? feasible.slice(0, wantedCount) : feasible).sort(compare);
    const unscheduled = wantedCount >= 0 ? Math.max(0, wantedCount - chosen.length) : 0;

    let groups: DecisionGroup[];
    try {
      groups = decisionGroups(
        spec.decisionStrategy,
        chosen.map((n) => clusters.get(n)!),
      );
    } catch (e) {
      misconfigured ??= `DecisionStrategy:${e instanceof Error ? e.message : String(e)}`;
      groups = [{ name: '', clusters: chosen }];
    }

    return {
      groups,
      selected: chosen.length,
      misconfigured,
      satisfied: satisfiedCondition(
        wanted,
        eligible,
        bound.length,
        available.size,
        chosen.length,
        unscheduled,
      ),
      recheckAt,
    };
  }

  /** Creates or updates `<placement>-decision-<n>` objects and deletes the ones left over. */
  function writeDecisions(placement: KubeObject, groups: DecisionGroup[]): string[][] {
    const md = placement.metadata;
    const ns = md.namespace!;
    const owner: OwnerReference = {
      apiVersion: `${CLUSTER_GROUP}/v1beta1`,
      kind: 'Placement',
      name: md.name!,
      uid: md.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
    const namesByGroup: string[][] = [];
    const keep = new Set<string>();
    let index = 1;
    groups.forEach((group, groupIndex) => {
      const names: string[] = [];
      const slices: string[][] = [];
      for (let i = 0; i < group.clusters.length; i += MAX_DECISIONS_PER_OBJECT)
        slices.push(group.clusters.slice(i, i + MAX_DECISIONS_PER_OBJECT));
      if (slices.length === 0) slices.push([]);
      for (const slice of slices) {
        const name = `${md.name}-decision-${index++}`;
        names.push(name);
        keep.add(name);
        const labels = {
          [PLACEMENT_LABEL]: md.name!,
          [DECISION_GROUP_NAME_LABEL]: group.name,
          [DECISION_GROUP_INDEX_LABEL]: String(groupIndex),
        };
        const status = { decisions: slice.map((clusterName) => ({ clusterName, reason: '' })) };
        writeDecision(ns, name, labels, owner, status);
      }
      namesByGroup.push(names);
    });
    for (const pd of decisionsOf(ns, md.name!)) {
      if (keep.has(pd.metadata.name!)) continue;
      try {
        state.delete(decisionRt, ns, pd.metadata.name!);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return namesByGroup;
  }

  function writeDecision(
    ns: string,
    name: string,
    labels: Record<string, string>,
    owner: OwnerReference,
    status: JsonObject,
  ): void {
    let pd = state.get(decisionRt, ns, name);
    if (!pd) {
      pd = state.create(decisionRt, ns, {
        apiVersion: `${CLUSTER_GROUP}/v1beta1`,
        kind: 'PlacementDecision',
        metadata: { name, namespace: ns, labels, ownerReferences: [owner] },
      });
    } else if (
      !isDeepStrictEqual(pd.metadata.labels ?? {}, labels) ||
      !(pd.metadata.ownerReferences ?? []).some((r) => r.uid === owner.uid)
    ) {
      pd = state.update(decisionRt, ns, name, {
        ...pd,
        metadata: { ...pd.metadata, labels, ownerReferences: [owner] },
      });
    }
    if (!isDeepStrictEqual(pd.status, status))
      state.update(decisionRt, ns, name, { ...pd, status }, { subresource: 'status' });
  }

  function writeStatus(placement: KubeObject, result: Schedule, groups: string[][]): void {
    const old = isObject(placement.status) ? placement.status : {};
    const oldConditions = Array.isArray(old.conditions) ? old.conditions.filter(isObject) : [];
    const misconfigured = result.misconfigured
      ? { status: 'True' as const, reason: 'Misconfigured', message: result.misconfigured }
      : {
          status: 'False' as const,
          reason: 'Succeedconfigured',
          message: 'Placement configurations check pass',
        };
    const conditions = setCondition(
      setCondition(oldConditions, { type: 'PlacementMisconfigured', ...misconfigured }),
      { type: 'PlacementSatisfied', ...result.satisfied },
    );
    const status: JsonObject = {
      ...old,
      numberOfSelectedClusters: result.selected,
      decisionGroups: result.groups.map((g, i) => ({
        decisionGroupIndex: i,
        decisionGroupName: g.name,
        decisions: groups[i],
        clusterCount: g.clusters.length,
      })),
      conditions,
    };
    if (isDeepStrictEqual(status, placement.status)) return;
    state.update(
      placementRt,
      placement.metadata.namespace,
      placement.metadata.name!,
      { ...placement, status },
      { subresource: 'status' },
    );
  }

  function scheduleRecheck(ns: string, name: string, at: number | undefined): void {
    const key = `${ns}/${name}`;
    clearTimeout(recheckTimers.get(key));
    recheckTimers.delete(key);
    if (at === undefined) return;
    const timer = setTimeout(
      () => {
        recheckTimers.delete(key);
        controller.enqueue(ns, name);
      },
      Math.max(0, at - Date.now()) + 5,
    );
    timer.unref();
    recheckTimers.set(key, timer);
  }

  return { stop: () => stops.forEach((s) => s()) };
}

// ---- scheduling rules (pure) -----------------------------------------------------------------

function clusterView(mc: KubeObject): ClusterView {
  const spec = isObject(mc.spec) ? mc.spec : {};
  const status = isObject(mc.status) ? mc.status : {};
  const claims: Record<string, string> = {};
  if (Array.isArray(status.clusterClaims))
    for (const c of status.clusterClaims.filter(isObject)) claims[text(c.name)] = text(c.value);
  const taints = Array.isArray(spec.taints)
    ? spec.taints.filter(isObject).map((t) => ({
        key: text(t.key),
        value: text(t.value),
        effect: text(t.effect),
        ...(typeof t.timeAdded === 'string' ? { timeAdded: t.timeAdded } : {}),
      }))
    : [];
  return {
    name: mc.metadata.name!,
    labels: { ...(mc.metadata.labels ?? {}) },
    claims,
    taints,
    deleting: !!mc.metadata.deletionTimestamp,
  };
}

/** Which clusters a ManagedClusterSet holds: by the clusterset label, or by its label selector. */
function setMembership(set: KubeObject): (c: ClusterView) => boolean {
  const spec = isObject(set.spec) ? set.spec : {};
  const selector = isObject(spec.clusterSelector) ? spec.clusterSelector : {};
  if (selector.selectorType === 'LabelSelector') {
    let match: LabelSelector;
    try {
      match = labelSelectorFromObject(selector.labelSelector ?? {});
    } catch {
      return () => false;
    }
    return (c) => match(c.labels);
  }
  // ExclusiveClusterSetLabel (v1beta2) and LegacyClusterSetLabel (v1beta1) mean the same.
  const name = set.metadata.name!;
  return (c) => c.labels[CLUSTERSET_LABEL] === name;
}

/** The Placement's predicates, ORed; each one ANDs its label and claim selectors. */
function predicatesOf(raw: unknown): (c: ClusterView) => boolean {
  if (!Array.isArray(raw) || raw.length === 0) return () => true;
  const tests = raw.filter(isObject).map((p) => {
    const required = isObject(p.requiredClusterSelector) ? p.requiredClusterSelector : {};
    const cel = isObject(required.celSelector) ? required.celSelector.celExpressions : undefined;
    if (Array.isArray(cel) && cel.length > 0)
      throw new Error('celSelector is not supported by the simulator');
    const byLabel = labelSelectorFromObject(required.labelSelector ?? {});
    const byClaim = labelSelectorFromObject(
      isObject(required.claimSelector)
        ? { matchExpressions: required.claimSelector.matchExpressions }
        : {},
    );
    return (c: ClusterView) => byLabel(c.labels) && byClaim(c.claims);
  });
  return (c) => tests.some((t) => t(c));
}

function tolerationsOf(raw: unknown): Toleration[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((t) => ({
    key: text(t.key),
    operator: text(t.operator) || 'Equal',
    value: text(t.value),
    effect: text(t.effect),
    ...(typeof t.tolerationSeconds === 'number' ? { tolerationSeconds: t.tolerationSeconds } : {}),
  }));
}

/**
 * NoSelect taints keep a cluster out unless tolerated; NoSelectIfNew only keeps out clusters not
 * yet decided; PreferNoSelect only affects scoring, which is not simulated. A toleration with
 * tolerationSeconds stops counting that long after the taint was added.
 */
function taintsTolerated(
  c: ClusterView,
  tolerations: Toleration[],
  alreadyDecided: boolean,
  now: number,
): { tolerated: boolean; expiresAt?: number } {
  let expiresAt: number | undefined;
  for (const taint of c.taints) {
    if (taint.effect === 'PreferNoSelect') continue;
    if (taint.effect === 'NoSelectIfNew' && alreadyDecided) continue;
    let tolerated = false;
    for (const t of tolerations) {
      if (t.key && t.key !== taint.key) continue;
      if (t.effect && t.effect !== taint.effect) continue;
      if (t.operator !== 'Exists' && t.value !== taint.value) continue;
      if (t.tolerationSeconds !== undefined && taint.timeAdded) {
        const until = Date.parse(taint.timeAdded) + t.tolerationSeconds * 1000;
        if (until <= now) continue;
        expiresAt = Math.min(expiresAt ?? Infinity, until);
      }
      tolerated = true;
      break;
    }
    if (!tolerated) return { tolerated: false };
  }
  return { tolerated: true, expiresAt };
}

/**
 * Splits the chosen clusters into decision groups as OCM does: first the named groups of
 * spec.decisionStrategy.groupStrategy.decisionGroups (by their cluster selectors), then the rest
 * in unnamed groups, each at most clustersPerDecisionGroup long; always at least one group.
 */
function decisionGroups(strategyRaw: unknown, chosen: ClusterView[]): DecisionGroup[] {
  const strategy = isObject(strategyRaw) ? strategyRaw : {};
  const groupStrategy = isObject(strategy.groupStrategy) ? strategy.groupStrategy : {};
  const length = groupLength(groupStrategy.clustersPerDecisionGroup, chosen.length);
  const remaining = new Set(chosen.map((c) => c.name));
  const groups: DecisionGroup[] = [];
  const named = Array.isArray(groupStrategy.decisionGroups)
    ? groupStrategy.decisionGroups.filter(isObject)
    : [];
  for (const g of named) {
    const selector = isObject(g.groupClusterSelector) ? g.groupClusterSelector : {};
    const byLabel = labelSelectorFromObject(selector.labelSelector ?? {});
    const byClaim = labelSelectorFromObject(
      isObject(selector.claimSelector)
        ? { matchExpressions: selector.claimSelector.matchExpressions }
        : {},
    );
    const matched = chosen
      .filter((c) => remaining.has(c.name) && byLabel(c.labels) && byClaim(c.claims))
      .map((c) => c.name);
    matched.forEach((n) => remaining.delete(n));
    groups.push(...divide(text(g.groupName), matched, length));
  }
  groups.push(...divide('', [...remaining], length));
  if (groups.length === 0) groups.push({ name: '', clusters: [] });
  return groups;
}

function groupLength(raw: unknown, total: number): number {
  let length = total;
  if (typeof raw === 'number') length = raw;
  else if (typeof raw === 'string') {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(raw);
    if (!m) throw new Error(`${raw} invalid type: string is not a percentage`);
    length = Math.ceil((Number(m[1]) / 100) * total);
  }
  return length <= 0 || length > total ? total : length;
}

function divide(name: string, names: string[], length: number): DecisionGroup[] {
  const sorted = [...names].sort(compare);
  const out: DecisionGroup[] = [];
  for (let i = 0; i < sorted.length; i += Math.max(1, length))
    out.push({ name, clusters: sorted.slice(i, i + Math.max(1, length)) });
  return out;
}

/** PlacementSatisfied, with OCM's reasons and messages in OCM's order of precedence. */
function satisfiedCondition(
  clusterSetsInSpec: string[],
  eligible: string[],
  bindings: number,
  available: number,
  selected: number,
  unscheduled: number,
): Omit<Condition, 'type' | 'lastTransitionTime'> {
  if (bindings === 0)
    return {
      status: 'False',
      reason: 'NoManagedClusterSetBindings',
      message: 'No valid ManagedClusterSetBindings found in placement namespace',
    };
  if (eligible.length === 0)
    return {
      status: 'False',
      reason: 'NoIntersection',
      message: `None of ManagedClusterSets [${clusterSetsInSpec.join(',')}] is bound to placement namespace`,
    };
  if (available === 0)
    return {
      status: 'False',
      reason: 'AllManagedClusterSetsEmpty',
      message: `All ManagedClusterSets [${eligible.join(',')}] have no member ManagedCluster`,
    };
  if (selected === 0)
    return {
      status: 'False',
      reason: 'NoManagedClusterMatched',
      message: 'No ManagedCluster matches any of the cluster predicate',
    };
  if (unscheduled === 0)
    return {
      status: 'True',
      reason: 'AllDecisionsScheduled',
      message: 'All cluster decisions scheduled',
    };
  return {
    status: 'False',
    reason: 'NotAllDecisionsScheduled',
    message: `${unscheduled} cluster decisions unscheduled`,
  };
}

/** meta.SetStatusCondition: replace by type, keeping lastTransitionTime unless the status flips. */
export function setCondition(
  conditions: JsonObject[],
  next: Omit<Condition, 'lastTransitionTime'>,
): JsonObject[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    existing && existing.status === next.status && typeof existing.lastTransitionTime === 'string'
      ? existing.lastTransitionTime
      : kubeTime();
  const merged = { ...(existing ?? {}), ...next, lastTransitionTime };
  return existing ? conditions.map((c) => (c === existing ? merged : c)) : [...conditions, merged];
}

function signatureChanged(
  cache: Map<string, string>,
  key: string,
  type: string,
  spec: unknown,
): boolean {
  if (type === 'DELETED') {
    cache.delete(key);
    return true;
  }
  const signature = JSON.stringify(spec ?? null);
  if (cache.get(key) === signature) return false;
  cache.set(key, signature);
  return true;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
