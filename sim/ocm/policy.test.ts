// The simulated policy propagator against a real in-process hub (with the placement controller
// deciding the clusters): replicas follow the decisions, turn Compliant only some time after
// their cluster is Available, and the root policy's status sums them up.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { isObject, kubeTime } from '../apiserver/types.js';
import { SimHub } from '../hub.js';
import { eventually } from '../test-support.js';
import { startPlacementController } from './placement.js';
import {
  CLUSTER_NAME_LABEL,
  CLUSTER_NAMESPACE_LABEL,
  ROOT_POLICY_LABEL,
  rootCompliance,
  startPolicyController,
} from './policy.js';

const DELAY_MS = 250;
const CLUSTER_GROUP = 'cluster.open-cluster-management.io';
const POLICY_GROUP = 'policy.open-cluster-management.io';

let hub: SimHub;
let stops: (() => void)[];

beforeEach(() => {
  hub = new SimHub({ name: 'hub1' });
  stops = [
    startPlacementController(hub, { clusterDebounceMs: 10 }).stop,
    startPolicyController(hub, { complianceDelayMs: DELAY_MS, rootStatusDebounceMs: 10 }).stop,
  ];
});

afterEach(async () => {
  stops.forEach((s) => s());
  await hub.stop();
});

// ---- helpers -----------------------------------------------------------------------------------

const policyRt = () => hub.state.rt(POLICY_GROUP, 'v1', 'policies');
const clusterRt = () => hub.state.rt(CLUSTER_GROUP, 'v1', 'managedclusters');

function addCluster(name: string, withNamespace = true): void {
  hub.apply({
    apiVersion: `${CLUSTER_GROUP}/v1`,
    kind: 'ManagedCluster',
    metadata: { name },
    spec: { hubAcceptsClient: true },
  });
  if (withNamespace) addNamespace(name);
}

function addNamespace(name: string): void {
  hub.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function setAvailable(name: string, status: 'True' | 'False' | 'Unknown'): void {
  const mc = hub.state.mustGet(clusterRt(), undefined, name);
  const condition = {
    type: 'ManagedClusterConditionAvailable',
    status,
    reason: status === 'True' ? 'ManagedClusterAvailable' : 'ManagedClusterLeaseUpdateStopped',
    message:
      status === 'True'
        ? 'Managed cluster is available'
        : 'Registration agent stopped updating its lease.',
    lastTransitionTime: kubeTime(),
  };
  hub.state.update(
    clusterRt(),
    undefined,
    name,
    { ...mc, status: { conditions: [condition] } },
    { subresource: 'status' },
  );
}

/** The `global` cluster set (every cluster), bound to a namespace. */
function bindGlobalSet(namespace: string): void {
  hub.apply({
    apiVersion: `${CLUSTER_GROUP}/v1beta2`,
    kind: 'ManagedClusterSet',
    metadata: { name: 'global' },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } },
  });
  hub.apply({
    apiVersion: `${CLUSTER_GROUP}/v1beta2`,
    kind: 'ManagedClusterSetBinding',
    metadata: { name: 'global', namespace },
    spec: { clusterSet: 'global' },
  });
}

function addRootPolicy(namespace: string, name: string): void {
  hub.apply({
    apiVersion: `${POLICY_GROUP}/v1`,
    kind: 'Policy',
    metadata: {
      name,
      namespace,
      labels: { team: 'ran' },
      annotations: { 'policy.open-cluster-management.io/standards': 'NIST SP 800-53' },
    },
    spec: {
      disabled: false,
      remediationAction: 'inform',
      'policy-templates': [
        {
          objectDefinition: {
            apiVersion: 'policy.open-cluster-management.io/v1',
            kind: 'ConfigurationPolicy',
            metadata: { name: 'chrony' },
            spec: { remediationAction: 'inform', severity: 'low', 'object-templates': [] },
          },
        },
      ],
    },
  });
  hub.apply({
    apiVersion: `${POLICY_GROUP}/v1`,
    kind: 'PlacementBinding',
    metadata: { name: `${name}-binding`, namespace },
    placementRef: { apiGroup: CLUSTER_GROUP, kind: 'Placement', name: 'all' },
    subjects: [{ apiGroup: POLICY_GROUP, kind: 'Policy', name }],
  });
}

function replica(cluster: string): KubeObject | undefined {
  return hub.state.get(policyRt(), cluster, 'policies.pol');
}

function compliance(obj: KubeObject | undefined): string | undefined {
  return obj && isObject(obj.status) && typeof obj.status.compliant === 'string'
    ? obj.status.compliant
    : undefined;
}

function rootStatus(): JsonObject {
  const root = hub.state.mustGet(policyRt(), 'policies', 'pol');
  return isObject(root.status) ? root.status : {};
}

function replicaClusters(): string[] {
  return hub.state
    .list(policyRt(), undefined, {
      labelSelector: (l) => l?.[ROOT_POLICY_LABEL] === 'policies.pol',
    })
    .items.map((p) => p.metadata.namespace!)
    .sort();
}

// ---- tests -------------------------------------------------------------------------------------

test('replicas follow decisions, turn Compliant only after the delay on Available clusters, and leave with their cluster', async () => {
  for (const c of ['c1', 'c2', 'c3']) addCluster(c);
  addCluster('c4', false); // registered later: its namespace does not exist yet
  bindGlobalSet('policies');
  hub.apply({
    apiVersion: `${CLUSTER_GROUP}/v1beta1`,
    kind: 'Placement',
    metadata: { name: 'all', namespace: 'policies' },
    spec: {},
  });
  addRootPolicy('policies', 'pol');

  // Replicated into every decided cluster's namespace that exists, as the propagator builds them.
  await eventually(() => replicaClusters().join() === 'c1,c2,c3', 'replicas in c1, c2, c3');
  const r1 = replica('c1')!;
  assert.deepEqual(r1.metadata.labels, {
    team: 'ran',
    [CLUSTER_NAME_LABEL]: 'c1',
    [CLUSTER_NAMESPACE_LABEL]: 'c1',
    [ROOT_POLICY_LABEL]: 'policies.pol',
  });
  assert.equal(
    r1.metadata.annotations?.['policy.open-cluster-management.io/standards'],
    'NIST SP 800-53',
  );
  assert.deepEqual(r1.spec, hub.state.mustGet(policyRt(), 'policies', 'pol').spec);
  assert.equal(compliance(r1), undefined);
  await eventually(
    () => Array.isArray(rootStatus().status) && (rootStatus().status as unknown[]).length === 4,
    'root status lists 4 clusters',
  );
  assert.deepEqual(rootStatus().placement, [{ placement: 'all', placementBinding: 'pol-binding' }]);
  assert.equal(rootStatus().compliant, undefined);

  // Available clusters turn Compliant after the delay, not before; the others do not.
  const availableAt = Date.now();
  setAvailable('c1', 'True');
  setAvailable('c2', 'True');
  await new Promise((r) => setTimeout(r, DELAY_MS / 3));
  assert.equal(compliance(replica('c1')), undefined, 'not compliant before the delay');
  await eventually(
    () => compliance(replica('c1')) === 'Compliant' && compliance(replica('c2')) === 'Compliant',
    'c1 and c2 compliant',
  );
  assert.ok(Date.now() - availableAt >= DELAY_MS - 5, 'compliant only after the delay');
  assert.equal(compliance(replica('c3')), undefined);
  await eventually(
    () =>
      JSON.stringify(rootStatus().status) ===
      JSON.stringify([
        { clustername: 'c1', clusternamespace: 'c1', compliant: 'Compliant' },
        { clustername: 'c2', clusternamespace: 'c2', compliant: 'Compliant' },
        { clustername: 'c3', clusternamespace: 'c3' },
        { clustername: 'c4', clusternamespace: 'c4' },
      ]),
    'per-cluster root status',
  );
  assert.equal(rootStatus().compliant, undefined, 'no aggregate while some cluster is unknown');

  // The cluster namespace appears (registration): the waiting replica is created.
  addNamespace('c4');
  await eventually(() => replica('c4') !== undefined, 'replica in c4 once its namespace exists');
  setAvailable('c3', 'True');
  setAvailable('c4', 'True');
  await eventually(() => rootStatus().compliant === 'Compliant', 'root Compliant once all are');

  // A cluster that stops being Available loses its compliance, and the aggregate with it.
  setAvailable('c2', 'Unknown');
  await eventually(() => compliance(replica('c2')) === undefined, 'c2 back to no compliance');
  await eventually(() => rootStatus().compliant === undefined, 'root aggregate gone');

  // A cluster leaving the decisions loses its replica and its line in the root status.
  hub.state.delete(clusterRt(), undefined, 'c2');
  await eventually(() => replicaClusters().join() === 'c1,c3,c4', 'replica in c2 removed');
  await eventually(() => rootStatus().compliant === 'Compliant', 'root Compliant again without c2');
  assert.deepEqual(
    (rootStatus().status as JsonObject[]).map((s) => s.clustername),
    ['c1', 'c3', 'c4'],
  );

  // A replica deleted by someone else comes back.
  hub.state.delete(policyRt(), 'c1', 'policies.pol');
  await eventually(() => compliance(replica('c1')) === 'Compliant', 'replica in c1 recreated');

  // Disabling the root takes it off every cluster; deleting it removes every replica too.
  hub.state.patch(policyRt(), 'policies', 'pol', 'merge', { spec: { disabled: true } });
  await eventually(() => replicaClusters().length === 0, 'replicas removed when disabled');
  hub.state.patch(policyRt(), 'policies', 'pol', 'merge', { spec: { disabled: false } });
  await eventually(() => replicaClusters().join() === 'c1,c3,c4', 'replicas back when enabled');
  hub.state.delete(policyRt(), 'policies', 'pol');
  await eventually(() => replicaClusters().length === 0, 'replicas removed with the root');
});

test('a binding change re-targets the policy', async () => {
  for (const c of ['a', 'b']) addCluster(c);
  bindGlobalSet('policies');
  const placement = (name: string, spec: JsonObject) =>
    hub.apply({
      apiVersion: `${CLUSTER_GROUP}/v1beta1`,
      kind: 'Placement',
      metadata: { name, namespace: 'policies' },
      spec,
    });
  placement('all', {});
  placement('only-b', {
    predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { name: 'b' } } } }],
  });
  const mc = hub.state.mustGet(clusterRt(), undefined, 'b');
  hub.state.update(clusterRt(), undefined, 'b', {
    ...mc,
    metadata: { ...mc.metadata, labels: { name: 'b' } },
  });
  addRootPolicy('policies', 'pol');
  await eventually(() => replicaClusters().join() === 'a,b', 'replicas in a and b');
  hub.state.patch(
    hub.state.rt(POLICY_GROUP, 'v1', 'placementbindings'),
    'policies',
    'pol-binding',
    'merge',
    {
      placementRef: { apiGroup: CLUSTER_GROUP, kind: 'Placement', name: 'only-b' },
    },
  );
  await eventually(() => replicaClusters().join() === 'b', 'only the replica in b left');
  hub.state.delete(
    hub.state.rt(POLICY_GROUP, 'v1', 'placementbindings'),
    'policies',
    'pol-binding',
  );
  await eventually(() => replicaClusters().length === 0, 'no replicas without a binding');
});

test('root compliance aggregates as the propagator does', () => {
  assert.equal(rootCompliance([]), undefined);
  assert.equal(rootCompliance(['Compliant', 'Compliant']), 'Compliant');
  assert.equal(rootCompliance(['Compliant', undefined]), undefined);
  assert.equal(rootCompliance(['Pending', undefined, 'Compliant']), 'Pending');
  assert.equal(rootCompliance(['Pending', 'NonCompliant']), 'NonCompliant');
});
