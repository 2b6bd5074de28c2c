// The simulated placement controller against a real in-process hub: decisions follow cluster
// labels, cluster sets, bindings and the Placement's spec, and are split like OCM's.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { isObject } from '../apiserver/types.js';
import { SimHub } from '../hub.js';
import { eventually } from '../test-support.js';
import {
  CLUSTERSET_LABEL,
  DECISION_GROUP_INDEX_LABEL,
  DECISION_GROUP_NAME_LABEL,
  PLACEMENT_LABEL,
  startPlacementController,
} from './placement.js';

const GROUP = 'cluster.open-cluster-management.io';

let hub: SimHub;
let controller: { stop: () => void };

beforeEach(() => {
  hub = new SimHub({ name: 'hub1' });
  controller = startPlacementController(hub, { clusterDebounceMs: 10 });
});

afterEach(async () => {
  controller.stop();
  await hub.stop();
});

// ---- helpers -----------------------------------------------------------------------------------

const rt = (version: string, plural: string) => hub.state.rt(GROUP, version, plural);

function addCluster(
  name: string,
  labels: Record<string, string> = {},
  spec: JsonObject = {},
): void {
  hub.apply({
    apiVersion: `${GROUP}/v1`,
    kind: 'ManagedCluster',
    metadata: { name, labels },
    spec: { hubAcceptsClient: true, ...spec },
  });
}

function relabel(name: string, labels: Record<string, string>): void {
  const mc = hub.state.mustGet(rt('v1', 'managedclusters'), undefined, name);
  hub.state.update(rt('v1', 'managedclusters'), undefined, name, {
    ...mc,
    metadata: { ...mc.metadata, labels },
  });
}

function addSet(name: string, clusterSelector?: JsonObject): void {
  hub.apply({
    apiVersion: `${GROUP}/v1beta2`,
    kind: 'ManagedClusterSet',
    metadata: { name },
    spec: clusterSelector ? { clusterSelector } : {},
  });
}

function bind(namespace: string, set: string): void {
  hub.apply({
    apiVersion: `${GROUP}/v1beta2`,
    kind: 'ManagedClusterSetBinding',
    metadata: { name: set, namespace },
    spec: { clusterSet: set },
  });
}

function addPlacement(namespace: string, name: string, spec: JsonObject = {}): KubeObject {
  return hub.apply({
    apiVersion: `${GROUP}/v1beta1`,
    kind: 'Placement',
    metadata: { name, namespace },
    spec,
  });
}

function patchPlacement(namespace: string, name: string, spec: JsonObject): void {
  hub.state.patch(rt('v1beta1', 'placements'), namespace, name, 'merge', { spec });
}

function decisionObjects(namespace: string, placement: string): KubeObject[] {
  return hub.state.list(rt('v1beta1', 'placementdecisions'), namespace, {
    labelSelector: (l) => l?.[PLACEMENT_LABEL] === placement,
  }).items;
}

function decisionsIn(pd: KubeObject): string[] {
  const list = isObject(pd.status) && Array.isArray(pd.status.decisions) ? pd.status.decisions : [];
  return list.filter(isObject).map((d) => String(d.clusterName));
}

/** Every cluster the Placement decides, sorted. */
function decided(namespace: string, placement: string): string[] {
  return decisionObjects(namespace, placement).flatMap(decisionsIn).sort();
}

function placementStatus(namespace: string, name: string): JsonObject {
  const p = hub.state.mustGet(rt('v1beta1', 'placements'), namespace, name);
  return isObject(p.status) ? p.status : {};
}

function condition(namespace: string, name: string, type: string): JsonObject | undefined {
  const conditions = placementStatus(namespace, name).conditions;
  return Array.isArray(conditions)
    ? conditions.filter(isObject).find((c) => c.type === type)
    : undefined;
}

async function expectDecided(namespace: string, placement: string, want: string[]): Promise<void> {
  const sorted = [...want].sort();
  await eventually(
    () => JSON.stringify(decided(namespace, placement)) === JSON.stringify(sorted),
    `${placement} to decide [${sorted.join(', ')}], not [${decided(namespace, placement).join(', ')}]`,
  );
}

/** Asserts that `actual` has (at least) the fields of `want`. */
function assertHas(actual: JsonObject | undefined, want: JsonObject): void {
  assert.ok(actual, 'missing');
  for (const [k, v] of Object.entries(want)) assert.deepEqual(actual[k], v, `field ${k}`);
}

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

// ---- tests -------------------------------------------------------------------------------------

describe('placement controller', () => {
  test('splits >100 decisions over several objects, caps them with numberOfClusters, deletes the surplus', async () => {
    const all = names('cluster', 250);
    for (const n of all) addCluster(n);
    addSet('global', { selectorType: 'LabelSelector', labelSelector: {} });
    bind('apps', 'global');
    const placement = addPlacement('apps', 'all');

    await expectDecided('apps', 'all', all);
    const pds = decisionObjects('apps', 'all').sort((a, b) =>
      a.metadata.name!.localeCompare(b.metadata.name!, 'en', { numeric: true }),
    );
    assert.deepEqual(
      pds.map((pd) => [pd.metadata.name, decisionsIn(pd).length]),
      [
        ['all-decision-1', 100],
        ['all-decision-2', 100],
        ['all-decision-3', 50],
      ],
    );
    for (const pd of pds) {
      assert.deepEqual(pd.metadata.labels, {
        [PLACEMENT_LABEL]: 'all',
        [DECISION_GROUP_NAME_LABEL]: '',
        [DECISION_GROUP_INDEX_LABEL]: '0',
      });
      assert.deepEqual(pd.metadata.ownerReferences, [
        {
          apiVersion: `${GROUP}/v1beta1`,
          kind: 'Placement',
          name: 'all',
          uid: placement.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.ok((pd.status as { decisions: JsonObject[] }).decisions.every((d) => d.reason === ''));
    }
    // Each object holds a contiguous, sorted slice of the cluster names.
    assert.deepEqual(decisionsIn(pds[0]), all.slice(0, 100));

    await eventually(
      () => placementStatus('apps', 'all').numberOfSelectedClusters === 250,
      'status',
    );
    const status = placementStatus('apps', 'all');
    assert.deepEqual(status.decisionGroups, [
      {
        decisionGroupIndex: 0,
        decisionGroupName: '',
        decisions: ['all-decision-1', 'all-decision-2', 'all-decision-3'],
        clusterCount: 250,
      },
    ]);
    assertHas(condition('apps', 'all', 'PlacementSatisfied'), {
      status: 'True',
      reason: 'AllDecisionsScheduled',
      message: 'All cluster decisions scheduled',
    });
    assertHas(condition('apps', 'all', 'PlacementMisconfigured'), {
      status: 'False',
      reason: 'Succeedconfigured',
      message: 'Placement configurations check pass',
    });

    // Fewer clusters wanted: the ones already decided stay (by name), the third object goes.
    patchPlacement('apps', 'all', { numberOfClusters: 120 });
    await expectDecided('apps', 'all', all.slice(0, 120));
    await eventually(
      () => decisionObjects('apps', 'all').length === 2,
      'the surplus decision object to be deleted',
    );
    assert.equal(
      hub.state.get(rt('v1beta1', 'placementdecisions'), 'apps', 'all-decision-3'),
      undefined,
    );

    // More wanted than exist: all are decided and the Placement says it is not satisfied.
    patchPlacement('apps', 'all', { numberOfClusters: 300 });
    await expectDecided('apps', 'all', all);
    await eventually(
      () => condition('apps', 'all', 'PlacementSatisfied')?.reason === 'NotAllDecisionsScheduled',
      'PlacementSatisfied False',
    );
    assertHas(condition('apps', 'all', 'PlacementSatisfied'), {
      status: 'False',
      message: '50 cluster decisions unscheduled',
    });

    // Deleting the Placement garbage-collects its decisions (owner references).
    hub.state.delete(rt('v1beta1', 'placements'), 'apps', 'all');
    await eventually(() => decisionObjects('apps', 'all').length === 0, 'decisions deleted');
  });

  test('label predicates follow cluster label changes, creation and deletion', async () => {
    for (let i = 0; i < 10; i++) addCluster(`c-${i}`, { env: i % 2 === 0 ? 'prod' : 'dev' });
    addSet('global', { selectorType: 'LabelSelector', labelSelector: {} });
    bind('apps', 'global');
    addPlacement('apps', 'prod', {
      predicates: [
        { requiredClusterSelector: { labelSelector: { matchLabels: { env: 'prod' } } } },
      ],
    });
    addPlacement('apps', 'not-dev', {
      predicates: [
        {
          requiredClusterSelector: {
            labelSelector: {
              matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }],
            },
          },
        },
      ],
    });
    const prod = ['c-0', 'c-2', 'c-4', 'c-6', 'c-8'];
    await expectDecided('apps', 'prod', prod);
    await expectDecided('apps', 'not-dev', prod);

    relabel('c-1', { env: 'prod' });
    await expectDecided('apps', 'prod', [...prod, 'c-1']);

    addCluster('c-new', { env: 'prod' });
    addCluster('c-unlabelled');
    await expectDecided('apps', 'prod', [...prod, 'c-1', 'c-new']);
    await expectDecided('apps', 'not-dev', [...prod, 'c-1', 'c-new', 'c-unlabelled']);

    hub.state.delete(rt('v1', 'managedclusters'), undefined, 'c-0');
    relabel('c-2', {});
    await expectDecided('apps', 'prod', ['c-4', 'c-6', 'c-8', 'c-1', 'c-new']);

    // A Placement's own spec change is followed too.
    patchPlacement('apps', 'prod', {
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { env: 'dev' } } } }],
    });
    await expectDecided('apps', 'prod', ['c-3', 'c-5', 'c-7', 'c-9']);
  });

  test('only clusters of sets bound to the namespace, restricted by spec.clusterSets', async () => {
    addSet('east');
    addSet('west');
    addSet('gpu', {
      selectorType: 'LabelSelector',
      labelSelector: { matchLabels: { gpu: 'true' } },
    });
    for (const n of ['e1', 'e2', 'e3']) addCluster(n, { [CLUSTERSET_LABEL]: 'east' });
    addCluster('w1', { [CLUSTERSET_LABEL]: 'west', gpu: 'true' });
    addCluster('w2', { [CLUSTERSET_LABEL]: 'west' });
    addCluster('loose', { gpu: 'true' });
    addPlacement('team', 'east-only', { clusterSets: ['east'] });
    addPlacement('team', 'any');

    // No binding in the namespace: nothing, one empty decision object, and OCM's reason.
    await eventually(
      () =>
        condition('team', 'east-only', 'PlacementSatisfied')?.reason ===
        'NoManagedClusterSetBindings',
      'NoManagedClusterSetBindings',
    );
    assert.deepEqual(
      decisionObjects('team', 'east-only').map((pd) => [pd.metadata.name, decisionsIn(pd)]),
      [['east-only-decision-1', []]],
    );
    assert.equal(placementStatus('team', 'east-only').numberOfSelectedClusters, 0);

    bind('team', 'west');
    await eventually(
      () => condition('team', 'east-only', 'PlacementSatisfied')?.reason === 'NoIntersection',
      'NoIntersection',
    );
    assert.equal(
      condition('team', 'east-only', 'PlacementSatisfied')?.message,
      'None of ManagedClusterSets [east] is bound to placement namespace',
    );
    await expectDecided('team', 'any', ['w1', 'w2']);

    bind('team', 'east');
    await expectDecided('team', 'east-only', ['e1', 'e2', 'e3']);
    await expectDecided('team', 'any', ['e1', 'e2', 'e3', 'w1', 'w2']);

    // Moving a cluster between sets moves it between placements.
    relabel('w2', { [CLUSTERSET_LABEL]: 'east' });
    await expectDecided('team', 'east-only', ['e1', 'e2', 'e3', 'w2']);

    // A label-selector set selects by labels, whatever the clusterset label says.
    bind('team', 'gpu');
    await expectDecided('team', 'any', ['e1', 'e2', 'e3', 'w1', 'w2', 'loose']);
    addPlacement('team', 'gpu-only', { clusterSets: ['gpu'] });
    await expectDecided('team', 'gpu-only', ['w1', 'loose']);

    // Unbinding takes the set's clusters away; a binding to a deleted set does not count.
    hub.state.delete(rt('v1beta2', 'managedclustersetbindings'), 'team', 'east');
    await expectDecided('team', 'east-only', []);
    await expectDecided('team', 'any', ['w1', 'loose']);
    hub.state.delete(rt('v1beta2', 'managedclustersets'), undefined, 'gpu');
    await expectDecided('team', 'any', ['w1']);
  });

  test('taints keep clusters out unless tolerated; claim predicates; bad selectors are misconfigured', async () => {
    addSet('global', { selectorType: 'LabelSelector', labelSelector: {} });
    bind('apps', 'global');
    addCluster('healthy');
    addCluster(
      'unreachable',
      {},
      {
        taints: [{ key: 'cluster.open-cluster-management.io/unreachable', effect: 'NoSelect' }],
      },
    );
    addPlacement('apps', 'strict');
    addPlacement('apps', 'tolerant', {
      tolerations: [{ key: 'cluster.open-cluster-management.io/unreachable', operator: 'Exists' }],
    });
    await expectDecided('apps', 'strict', ['healthy']);
    await expectDecided('apps', 'tolerant', ['healthy', 'unreachable']);

    const mcRt = rt('v1', 'managedclusters');
    const mc = hub.state.mustGet(mcRt, undefined, 'healthy');
    hub.state.update(
      mcRt,
      undefined,
      'healthy',
      {
        ...mc,
        status: {
          clusterClaims: [{ name: 'platform.open-cluster-management.io', value: 'BareMetal' }],
        },
      },
      { subresource: 'status' },
    );
    addPlacement('apps', 'baremetal', {
      predicates: [
        {
          requiredClusterSelector: {
            claimSelector: {
              matchExpressions: [
                {
                  key: 'platform.open-cluster-management.io',
                  operator: 'In',
                  values: ['BareMetal'],
                },
              ],
            },
          },
        },
      ],
      tolerations: [{ operator: 'Exists' }],
    });
    await expectDecided('apps', 'baremetal', ['healthy']);

    addPlacement('apps', 'broken', {
      predicates: [
        {
          requiredClusterSelector: {
            labelSelector: { matchExpressions: [{ key: 'env', operator: 'Sometimes' }] },
          },
        },
      ],
    });
    await eventually(
      () => condition('apps', 'broken', 'PlacementMisconfigured')?.status === 'True',
      'PlacementMisconfigured True',
    );
    assert.equal(
      condition('apps', 'broken', 'PlacementSatisfied')?.reason,
      'NoManagedClusterMatched',
    );
    assert.deepEqual(decided('apps', 'broken'), []);
  });

  test('decision groups: named groups first, then the rest, clustersPerDecisionGroup long', async () => {
    addSet('global', { selectorType: 'LabelSelector', labelSelector: {} });
    bind('apps', 'global');
    for (const n of ['a', 'b', 'c', 'd', 'e']) addCluster(n, n === 'd' ? { canary: 'true' } : {});
    addPlacement('apps', 'rollout', {
      decisionStrategy: {
        groupStrategy: {
          clustersPerDecisionGroup: 2,
          decisionGroups: [
            {
              groupName: 'canary',
              groupClusterSelector: { labelSelector: { matchLabels: { canary: 'true' } } },
            },
          ],
        },
      },
    });
    await eventually(() => decisionObjects('apps', 'rollout').length === 3, 'three groups');
    const byName = new Map(
      decisionObjects('apps', 'rollout').map((pd) => [
        pd.metadata.name,
        [
          pd.metadata.labels?.[DECISION_GROUP_NAME_LABEL],
          pd.metadata.labels?.[DECISION_GROUP_INDEX_LABEL],
          decisionsIn(pd),
        ],
      ]),
    );
    assert.deepEqual(
      byName,
      new Map([
        ['rollout-decision-1', ['canary', '0', ['d']]],
        ['rollout-decision-2', ['', '1', ['a', 'b']]],
        ['rollout-decision-3', ['', '2', ['c', 'e']]],
      ]),
    );
    await eventually(
      () => Array.isArray(placementStatus('apps', 'rollout').decisionGroups),
      'decision groups in the status',
    );
    assert.deepEqual(placementStatus('apps', 'rollout').decisionGroups, [
      {
        decisionGroupIndex: 0,
        decisionGroupName: 'canary',
        decisions: ['rollout-decision-1'],
        clusterCount: 1,
      },
      {
        decisionGroupIndex: 1,
        decisionGroupName: '',
        decisions: ['rollout-decision-2'],
        clusterCount: 2,
      },
      {
        decisionGroupIndex: 2,
        decisionGroupName: '',
        decisions: ['rollout-decision-3'],
        clusterCount: 2,
      },
    ]);
  });

  test('a decision object changed by someone else is put back', async () => {
    addSet('global', { selectorType: 'LabelSelector', labelSelector: {} });
    bind('apps', 'global');
    addCluster('one');
    addPlacement('apps', 'p');
    await expectDecided('apps', 'p', ['one']);
    const pdRt = rt('v1beta1', 'placementdecisions');
    const pd = hub.state.mustGet(pdRt, 'apps', 'p-decision-1');
    hub.state.update(
      pdRt,
      'apps',
      'p-decision-1',
      { ...pd, status: { decisions: [] } },
      { subresource: 'status' },
    );
    await expectDecided('apps', 'p', ['one']);
    hub.state.delete(pdRt, 'apps', 'p-decision-1');
    await expectDecided('apps', 'p', ['one']);
  });
});
