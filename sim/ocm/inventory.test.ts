// Hub inventory against a real in-process hub: the MultiClusterHub, MultiClusterEngine and
// ClusterManager are accepted by their CRDs with their statuses, and say what validation reads.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { isObject } from '../apiserver/types.js';
import { SimHub } from '../hub.js';
import {
  applyInventory,
  CLUSTER_MANAGER_NAME,
  hubInventory,
  MCE_NAME,
  MCH_NAME,
  MCH_NAMESPACE,
  mceVersionFor,
  SIM_EUS_ANNOTATION,
} from './inventory.js';

let hub: SimHub;

beforeEach(() => {
  hub = new SimHub({ name: 'hub1' });
});

afterEach(async () => {
  await hub.stop();
});

const mchRt = () => hub.state.rt('operator.open-cluster-management.io', 'v1', 'multiclusterhubs');
const mceRt = () => hub.state.rt('multicluster.openshift.io', 'v1', 'multiclusterengines');
const cmRt = () => hub.state.rt('operator.open-cluster-management.io', 'v1', 'clustermanagers');

function components(obj: KubeObject): Record<string, boolean> {
  const spec = obj.spec as { overrides: { components: { name: string; enabled: boolean }[] } };
  return Object.fromEntries(spec.overrides.components.map((c) => [c.name, c.enabled]));
}

function status(obj: KubeObject | undefined): JsonObject {
  return obj && isObject(obj.status) ? obj.status : {};
}

test('inventory objects create with their status, nothing pruned', () => {
  const objs = hubInventory({ acmVersion: '2.14.1' });
  const stored = applyInventory(hub, objs);
  assert.deepEqual(
    stored.map((o) => [o.kind, o.metadata.namespace, o.metadata.name]),
    [
      ['MultiClusterHub', MCH_NAMESPACE, MCH_NAME],
      ['MultiClusterEngine', undefined, MCE_NAME],
      ['ClusterManager', undefined, CLUSTER_MANAGER_NAME],
    ],
  );
  objs.forEach((obj, i) => {
    assert.deepEqual(stored[i].spec, obj.spec, `${obj.kind} spec`);
    assert.deepEqual(stored[i].status, obj.status, `${obj.kind} status`);
  });

  const mch = hub.state.mustGet(mchRt(), MCH_NAMESPACE, MCH_NAME);
  assert.equal(status(mch).phase, 'Running');
  assert.equal(status(mch).currentVersion, '2.14.1');
  assert.equal(status(mch).desiredVersion, '2.14.1');
  const mce = hub.state.mustGet(mceRt(), undefined, MCE_NAME);
  assert.equal(status(mce).currentVersion, '2.9.1');
  assert.equal(status(mce).phase, 'Available');
  assert.equal(
    components(mce).managedserviceaccount,
    true,
    'the migration needs managedserviceaccount',
  );
  assert.equal(components(mch).grc, true);
  assert.equal(components(mch)['cluster-backup'], false, 'off by default, as in ACM');

  const cm = hub.state.mustGet(cmRt(), undefined, CLUSTER_MANAGER_NAME);
  const registration = (cm.spec as JsonObject).registrationConfiguration as JsonObject;
  assert.deepEqual(registration.autoApproveUsers, []);
  assert.ok(
    (registration.featureGates as JsonObject[]).some(
      (g) => g.feature === 'ManagedClusterAutoApproval' && g.mode === 'Enable',
    ),
  );
});

test('component switches, MCE version pairing and EUS', () => {
  const [mch, mce] = hubInventory({
    acmVersion: '2.13',
    disabledComponents: ['siteconfig', 'managedserviceaccount'],
    enabledComponents: ['cluster-backup'],
    eus: true,
  });
  assert.equal(components(mch).siteconfig, false);
  assert.equal(components(mch)['cluster-backup'], true);
  assert.equal(components(mce).managedserviceaccount, false);
  assert.equal(status(mch).currentVersion, '2.13.0');
  assert.equal(status(mce).currentVersion, '2.8.0');
  assert.equal(mch.metadata.annotations?.[SIM_EUS_ANNOTATION], 'true');
  // Disabled components do not report as running.
  assert.equal((status(mch).components as JsonObject).siteconfig, undefined);

  assert.equal(mceVersionFor('2.13.3'), '2.8.3');
  assert.equal(mceVersionFor('2.14.0'), '2.9.0');
  assert.equal(mceVersionFor('2.15'), '2.10.0');
  const [, pinned] = hubInventory({ acmVersion: '2.15.0', mceVersion: '2.10.2' });
  assert.equal(status(pinned).currentVersion, '2.10.2');
  assert.equal(hubInventory({ acmVersion: '2.14.0' })[0].metadata.annotations, undefined);

  // Applying again (an upgrade) replaces versions in place.
  applyInventory(hub, hubInventory({ acmVersion: '2.13.2' }));
  applyInventory(hub, hubInventory({ acmVersion: '2.14.0' }));
  const upgraded = hub.state.mustGet(mchRt(), MCH_NAMESPACE, MCH_NAME);
  assert.equal(status(upgraded).currentVersion, '2.14.0');
});
