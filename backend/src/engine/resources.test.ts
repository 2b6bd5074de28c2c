// The engine's work on a cluster's objects, against a simulated fleet: hub1 holds ZTP and plain
// clusters, hub2 is an empty target, hub3 lacks an API. The simulator's ground truth records
// every deprovisioned cluster and wiped host, so the tests can prove the engine causes none
// (and, in the last test, that a naive delete would be seen).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import { ztpClusterObjects, ztpNames } from '../../../sim/ocm/ztp.js';
import { HubClient, HubError } from '../hubs/hub-client.js';
import type { KubeObject } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import { R } from '../hubs/resources.js';
import type { Res } from '../hubs/resources.js';
import {
  applyToTarget,
  collectClusterResources,
  finishOnTarget,
  pauseZtp,
  prepareForTarget,
  releaseFromSource,
  removeClusterSafely,
  unpauseZtp,
} from './resources.js';
import { ANNOTATION, LABEL } from './types.js';

let tf: TestFleet;
const clients: HubClient[] = [];
let hub1: HubClient;
let hub2: HubClient;
let hub3: HubClient;

before(async () => {
  tf = await startTestFleet({
    name: 'engine-resources',
    hubs: [
      { name: 'global', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.13' },
      { name: 'hub2', acmVersion: '2.15' },
      { name: 'hub3', acmVersion: '2.13' },
    ],
    clusters: [
      { count: 6, namePattern: 'sno-{n}', hub: 'hub1', ztp: true },
      { count: 1, namePattern: 'plain-{n}', hub: 'hub1' },
      { count: 1, namePattern: 'bare-{n}', hub: 'hub3', ztp: true },
    ],
    timings: { leaseDurationSeconds: 5 },
  });
  const client = (name: string) => {
    const c = new HubClient(name, PooledKubeConfig.fromString(tf.fleet.hub(name).kubeconfig()));
    clients.push(c);
    return c;
  };
  hub1 = client('hub1');
  hub2 = client('hub2');
  hub3 = client('hub3');
});

after(async () => {
  for (const c of clients) c.kubeConfig.close();
  await tf.stop();
});

// ---- helpers ---------------------------------------------------------------------------------

const MOVED_RES: Res[] = [
  R.secret,
  R.configMap,
  R.klusterletAddonConfig,
  R.bareMetalHost,
  R.hostFirmwareSettings,
  R.firmwareSchema,
  R.hostFirmwareComponents,
  R.imageClusterInstall,
  R.clusterDeployment,
  R.dataImage,
];
const STATUS_KINDS = [
  'BareMetalHost',
  'HostFirmwareSettings',
  'FirmwareSchema',
  'HostFirmwareComponents',
  'ImageClusterInstall',
  'ClusterDeployment',
];
const RES_BY_KIND = new Map<string, Res>(
  [...MOVED_RES, R.managedCluster].map((r) => [r.kind, r] as const),
);

const id = (o: KubeObject) => `${o.kind} ${o.metadata.name}`;

function resOf(obj: KubeObject): Res {
  const res = RES_BY_KIND.get(obj.kind ?? '');
  assert.ok(res, `a descriptor for ${obj.kind}`);
  return res;
}

async function read(hub: HubClient, obj: KubeObject): Promise<KubeObject | undefined> {
  return hub.get(resOf(obj), obj.metadata.name, obj.metadata.namespace);
}

async function mustGet(hub: HubClient, res: Res, name: string, ns?: string): Promise<KubeObject> {
  const obj = await hub.get(res, name, ns);
  assert.ok(obj, `${res.kind} ${ns ?? ''}/${name} on ${hub.name}`);
  return obj;
}

/** Every resourceVersion of the given objects on a hub, to prove a re-run wrote nothing. */
async function versions(hub: HubClient, objs: KubeObject[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of objs) out[id(o)] = (await read(hub, o))?.metadata.resourceVersion ?? 'absent';
  return out;
}

/** The cluster's ZTP objects that can deprovision something (CD, BMHs, DataImages). */
async function dangerous(hub: HubClient, cluster: string): Promise<KubeObject[]> {
  const lists = await Promise.all(
    [R.clusterDeployment, R.bareMetalHost, R.dataImage].map((r) => hub.list(r, cluster)),
  );
  return lists.flat();
}

function assertNoDestruction(): void {
  assert.deepEqual(tf.fleet.truth.destructions, [], 'no cluster destroyed, no host wiped');
}

/** Nothing of the cluster is left on the hub: no ManagedCluster, no namespace, no objects. */
async function assertGone(hub: HubClient, cluster: string): Promise<void> {
  await eventually(
    async () =>
      (await hub.get(R.managedCluster, cluster)) === undefined &&
      (await hub.get(R.namespace, cluster)) === undefined,
    `${cluster} gone from ${hub.name}`,
    15_000,
  );
  for (const res of MOVED_RES) {
    const left = await hub.list(res, cluster).catch((e: unknown) => {
      if (e instanceof HubError && e.notFound) return []; // the kind's API is not installed
      throw e;
    });
    assert.deepEqual(left, [], `no ${res.kind} left in ${cluster}`);
  }
}

/** What the engine writes to the target, in the form the target keeps it (for comparisons). */
function comparable(obj: KubeObject): Record<string, unknown> {
  const { spec, data, status } = obj;
  return { spec, data, status: STATUS_KINDS.includes(obj.kind ?? '') ? status : undefined };
}

/** The ZTP objects of a cluster on its source hub that the engine does not move. */
const NOT_MOVED = new Set(['DataImage', 'ClusterInstance']);

// ---- collection ------------------------------------------------------------------------------

test('collects a ZTP cluster in apply order: referenced Secrets/ConfigMaps first, never RBAC or ManifestWork', async () => {
  const objs = await collectClusterResources(hub1, 'sno-1');
  const n = ztpNames('sno-1');
  assert.deepEqual(objs.map(id), [
    `Secret ${n.bmcSecret}`,
    `Secret ${n.pullSecret}`,
    `ConfigMap ${n.extraManifests}`,
    `Secret ${n.adminPassword}`,
    `Secret ${n.adminKubeconfig}`,
    `Secret ${n.preservedSecret}`,
    `ConfigMap ${n.preservedConfigMap}`,
    'ManagedCluster sno-1',
    'KlusterletAddonConfig sno-1',
    `BareMetalHost ${n.host}`,
    `HostFirmwareSettings ${n.host}`,
    `FirmwareSchema ${n.firmwareSchema}`,
    `HostFirmwareComponents ${n.host}`,
    'ImageClusterInstall sno-1',
    'ClusterDeployment sno-1',
  ]);
  // The same set as the simulator's ZTP objects, minus what the reference does not move, plus
  // the ManagedCluster.
  const expected = ztpClusterObjects('sno-1', { provisioned: true })
    .filter((o) => !NOT_MOVED.has(o.kind))
    .map((o) => `${o.kind} ${o.metadata.name}`);
  assert.deepEqual(
    objs
      .map(id)
      .filter((x) => x !== 'ManagedCluster sno-1')
      .sort(),
    expected.sort(),
  );
  // The namespace holds more than that (the registration's ManifestWork, lease, RBAC, import
  // Secrets), none of which is collected.
  assert.ok((await hub1.list(R.manifestWork, 'sno-1')).length > 0, 'a ManifestWork is there');
  for (const o of objs) {
    assert.ok(
      !(o.apiVersion ?? '').startsWith('rbac.authorization.k8s.io'),
      `${id(o)} is not RBAC`,
    );
    assert.notEqual(o.kind, 'ManifestWork');
  }
  // What is collected is what the source holds, with its status.
  const cd = objs.find((o) => o.kind === 'ClusterDeployment');
  assert.equal(
    (cd?.status as { installedTimestamp?: string }).installedTimestamp !== undefined,
    true,
  );
});

test('collects a plain cluster: only its ManagedCluster', async () => {
  const objs = await collectClusterResources(hub1, 'plain-1');
  assert.deepEqual(objs.map(id), ['ManagedCluster plain-1']);
});

test('collects sync-wave Secrets, and an object in two categories only once, at its first place', async () => {
  const n = ztpNames('sno-5');
  await hub1.create(R.secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'sno-5-nmstate',
      namespace: 'sno-5',
      annotations: { 'siteconfig.open-cluster-management.io/sync-wave': '1' },
    },
    data: { 'eth0.yaml': Buffer.from('interfaces: []').toString('base64') },
  });
  // The BMC Secret is referenced and also preserved.
  await hub1.mergePatch(
    R.secret,
    n.bmcSecret,
    { metadata: { name: n.bmcSecret, namespace: 'sno-5', labels: { [LABEL.preserve]: '' } } },
    'sno-5',
  );
  const names = (await collectClusterResources(hub1, 'sno-5')).map(id);
  assert.equal(names.filter((x) => x === `Secret ${n.bmcSecret}`).length, 1);
  assert.equal(names[0], `Secret ${n.bmcSecret}`);
  assert.ok(names.indexOf('Secret sno-5-nmstate') < names.indexOf('ManagedCluster sno-5'));
  assert.equal(names.length, 16);
});

test('skips a kind whose API is not installed (and removes safely without it)', async () => {
  const crd: Res = {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
  };
  await hub3.delete(crd, 'firmwareschemas.metal3.io');
  await eventually(
    async () => (await hub3.get(crd, 'firmwareschemas.metal3.io')) === undefined,
    'the FirmwareSchema API gone',
  );
  await assert.rejects(hub3.list(R.firmwareSchema, 'bare-1'), { status: 404 });
  const objs = await collectClusterResources(hub3, 'bare-1');
  assert.equal(objs.length, 14);
  assert.ok(!objs.some((o) => o.kind === 'FirmwareSchema'));
  await pauseZtp(hub3, 'bare-1');
  await removeClusterSafely(hub3, 'bare-1');
  await assertGone(hub3, 'bare-1');
  assertNoDestruction();
});

// ---- prepareForTarget ------------------------------------------------------------------------

const SERVER_METADATA = {
  uid: '0b8f4c8e-1111-2222-3333-444455556666',
  resourceVersion: '4242',
  generation: 3,
  creationTimestamp: new Date('2025-01-01T00:00:00Z'),
  deletionTimestamp: new Date('2025-01-02T00:00:00Z'),
  deletionGracePeriodSeconds: 0,
  selfLink: '/apis/x',
  managedFields: [{ manager: 'kubectl', operation: 'Update' }],
  ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u' }],
  finalizers: ['hive.openshift.io/deprovision'],
};
const LAST_APPLIED = { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}' };

test('prepareForTarget strips server metadata and migration annotations, keeps status for the six kinds, sets restore labels', () => {
  const input: KubeObject[] = [
    {
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: {
        name: 'c1',
        ...SERVER_METADATA,
        labels: { env: 'prod' },
        annotations: {
          ...LAST_APPLIED,
          [ANNOTATION.migrating]: 'm1',
          [ANNOTATION.klusterletConfig]: 'migration-hub2',
          [ANNOTATION.disableAutoImport]: '',
        },
      },
      spec: {
        hubAcceptsClient: true,
        managedClusterClientConfigs: [{ url: 'https://api.c1:6443' }],
      },
      status: { conditions: [] },
    },
    {
      apiVersion: 'hive.openshift.io/v1',
      kind: 'ClusterDeployment',
      metadata: {
        name: 'c1',
        namespace: 'c1',
        ...SERVER_METADATA,
        annotations: { [ANNOTATION.cdPause]: 'true', keep: 'me' },
      },
      spec: { installed: true },
      status: { installedTimestamp: 't' },
    },
    {
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: {
        name: 'h1',
        namespace: 'c1',
        ...SERVER_METADATA,
        annotations: { [ANNOTATION.bmhPause]: 'true' },
      },
      spec: { online: true },
      status: { provisioning: { state: 'provisioned' } },
    },
    {
      apiVersion: 'extensions.hive.openshift.io/v1alpha1',
      kind: 'ImageClusterInstall',
      metadata: { name: 'c1', namespace: 'c1', ...SERVER_METADATA, labels: { a: 'b' } },
      spec: { hostname: 'c1' },
      status: { conditions: [{ type: 'Completed', status: 'True' }] },
    },
    {
      apiVersion: 'agent.open-cluster-management.io/v1',
      kind: 'KlusterletAddonConfig',
      metadata: { name: 'c1', namespace: 'c1', ...SERVER_METADATA },
      spec: { clusterName: 'c1' },
      status: { anything: true },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'c1', ...SERVER_METADATA, annotations: LAST_APPLIED },
      type: 'Opaque',
      data: { k: 'dg==' },
    },
  ];
  const before = structuredClone(input);
  const out = input.map(prepareForTarget);
  assert.deepEqual(input, before, 'the input is not modified');
  assert.deepEqual(out, [
    {
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: {
        name: 'c1',
        labels: { env: 'prod' },
        annotations: { [ANNOTATION.disableAutoImport]: '' },
      },
      spec: { hubAcceptsClient: true },
    },
    {
      apiVersion: 'hive.openshift.io/v1',
      kind: 'ClusterDeployment',
      metadata: { name: 'c1', namespace: 'c1', annotations: { keep: 'me' } },
      spec: { installed: true },
      status: { installedTimestamp: 't' },
    },
    {
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: {
        name: 'h1',
        namespace: 'c1',
        labels: { [LABEL.backup]: 'cluster-activation' },
      },
      spec: { online: true },
      status: { provisioning: { state: 'provisioned' } },
    },
    {
      apiVersion: 'extensions.hive.openshift.io/v1alpha1',
      kind: 'ImageClusterInstall',
      metadata: {
        name: 'c1',
        namespace: 'c1',
        labels: { a: 'b', [LABEL.restoreName]: 'globalhub' },
        annotations: { [ANNOTATION.restoreStatus]: 'true' },
      },
      spec: { hostname: 'c1' },
      status: { conditions: [{ type: 'Completed', status: 'True' }] },
    },
    {
      apiVersion: 'agent.open-cluster-management.io/v1',
      kind: 'KlusterletAddonConfig',
      metadata: { name: 'c1', namespace: 'c1' },
      spec: { clusterName: 'c1' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'c1' },
      type: 'Opaque',
      data: { k: 'dg==' },
    },
  ]);
  assert.deepEqual(out.map(prepareForTarget), out, 'idempotent');
});

// ---- apply, finish and remove on the target --------------------------------------------------

test('applyToTarget puts every object on the target with the six statuses; a second run writes nothing', async () => {
  // As Initializing leaves the source: ZTP paused, the ManagedCluster annotated.
  await pauseZtp(hub1, 'sno-1');
  await hub1.mergePatch(R.managedCluster, 'sno-1', {
    metadata: {
      annotations: {
        [ANNOTATION.migrating]: 'm1',
        [ANNOTATION.klusterletConfig]: 'migration-hub2',
        [ANNOTATION.disableAutoImport]: '',
      },
    },
  });
  const source = await collectClusterResources(hub1, 'sno-1');
  const first = await applyToTarget(hub2, 'sno-1', source.map(prepareForTarget));
  assert.deepEqual(first, { applied: 15, changed: 15 });

  for (const src of source) {
    const onTarget = await read(hub2, src);
    assert.ok(onTarget, `${id(src)} on the target`);
    assert.deepEqual(comparable(onTarget), comparable(prepareForTarget(src)), id(src));
    if (STATUS_KINDS.includes(src.kind ?? '') && src.status !== undefined)
      assert.deepEqual(onTarget.status, src.status, `${id(src)} keeps its status`);
    const annotations = onTarget.metadata.annotations ?? {};
    for (const a of [ANNOTATION.cdPause, ANNOTATION.bmhPause, ANNOTATION.migrating])
      assert.ok(!(a in annotations), `${id(src)} has no ${a}`);
    assert.ok(!(ANNOTATION.klusterletConfig in annotations));
  }
  const mc = await mustGet(hub2, R.managedCluster, 'sno-1');
  assert.ok(ANNOTATION.disableAutoImport in (mc.metadata.annotations ?? {}));
  assert.equal((mc.spec as Record<string, unknown>).managedClusterClientConfigs, undefined);
  const ici = await mustGet(hub2, R.imageClusterInstall, 'sno-1', 'sno-1');
  assert.equal(ici.metadata.labels?.[LABEL.restoreName], 'globalhub');
  assert.equal(ici.metadata.annotations?.[ANNOTATION.restoreStatus], 'true');
  const bmh = await mustGet(hub2, R.bareMetalHost, ztpNames('sno-1').host, 'sno-1');
  assert.equal(bmh.metadata.labels?.[LABEL.backup], 'cluster-activation');

  const rvs = await versions(hub2, source);
  // Raw source objects are accepted too (applyToTarget cleans them itself).
  const second = await applyToTarget(hub2, 'sno-1', source);
  assert.deepEqual(second, { applied: 15, changed: 0 });
  assert.deepEqual(await versions(hub2, source), rvs, 'no resourceVersion changed');
});

test('applyToTarget refuses RBAC and objects of another cluster before writing anything', async () => {
  const role: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'sneaky' },
  };
  await assert.rejects(applyToTarget(hub2, 'sno-9', [role]), /not a migrated kind/);
  const other: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', namespace: 'elsewhere' },
  };
  await assert.rejects(applyToTarget(hub2, 'sno-9', [other]), /does not belong to cluster sno-9/);
  assert.equal(await hub2.get(R.namespace, 'sno-9'), undefined, 'nothing was written');
});

test('finishOnTarget removes disable-auto-import and the velero restore label, idempotently', async () => {
  await finishOnTarget(hub2, 'sno-1');
  const mc = await mustGet(hub2, R.managedCluster, 'sno-1');
  const ici = await mustGet(hub2, R.imageClusterInstall, 'sno-1', 'sno-1');
  assert.ok(!(ANNOTATION.disableAutoImport in (mc.metadata.annotations ?? {})));
  assert.ok(!(LABEL.restoreName in (ici.metadata.labels ?? {})));
  await finishOnTarget(hub2, 'sno-1');
  assert.equal(
    (await mustGet(hub2, R.managedCluster, 'sno-1')).metadata.resourceVersion,
    mc.metadata.resourceVersion,
  );
  assert.equal(
    (await mustGet(hub2, R.imageClusterInstall, 'sno-1', 'sno-1')).metadata.resourceVersion,
    ici.metadata.resourceVersion,
  );
});

test('removeClusterSafely leaves nothing of the cluster on the target and destroys nothing', async () => {
  // The target's hive and metal3 have put their finalizers on the unpaused copies: a plain
  // delete now would deprovision (see the control test at the end).
  await eventually(
    async () =>
      ((await hub2.get(R.clusterDeployment, 'sno-1', 'sno-1'))?.metadata.finalizers ?? []).length >
      0,
    'hive on the target finalizes the ClusterDeployment',
  );
  await removeClusterSafely(hub2, 'sno-1');
  await assertGone(hub2, 'sno-1');
  assertNoDestruction();
  await removeClusterSafely(hub2, 'sno-1'); // a second run finds nothing and fails on nothing
  await assertGone(hub2, 'sno-1');
  assertNoDestruction();
});

test('an interrupted apply, then an interrupted removal, each re-run to the same end state', async () => {
  await pauseZtp(hub1, 'sno-2');
  const source = await collectClusterResources(hub1, 'sno-2');
  // A crash after half of the objects went over.
  await applyToTarget(hub2, 'sno-2', source.slice(0, 9));
  const resumed = await applyToTarget(hub2, 'sno-2', source);
  assert.deepEqual(resumed, { applied: 15, changed: 6 });
  for (const src of source)
    assert.deepEqual(comparable((await read(hub2, src))!), comparable(prepareForTarget(src)));
  assert.equal((await applyToTarget(hub2, 'sno-2', source)).changed, 0);

  // A crash during the removal: the ClusterDeployment was paused and freed, the add-on config
  // deleted, and nothing else yet.
  await eventually(
    async () =>
      ((await hub2.get(R.clusterDeployment, 'sno-2', 'sno-2'))?.metadata.finalizers ?? []).length >
      0,
    'hive on the target finalizes the ClusterDeployment',
  );
  await hub2.mergePatch(
    R.clusterDeployment,
    'sno-2',
    { metadata: { annotations: { [ANNOTATION.cdPause]: 'true' } } },
    'sno-2',
  );
  await hub2.mergePatch(R.clusterDeployment, 'sno-2', { metadata: { finalizers: [] } }, 'sno-2');
  await hub2.delete(R.klusterletAddonConfig, 'sno-2', 'sno-2');
  await removeClusterSafely(hub2, 'sno-2');
  await assertGone(hub2, 'sno-2');
  assertNoDestruction();
});

// ---- pausing on the source -------------------------------------------------------------------

test('pauseZtp pauses every ClusterDeployment, BareMetalHost and DataImage of the namespace; unpauseZtp undoes it; both idempotent', async () => {
  // A second host in the namespace, not named after the cluster: it is paused too.
  await hub1.create(R.bareMetalHost, {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: { name: 'sno-3-worker', namespace: 'sno-3' },
    spec: { online: false, bootMACAddress: '52:54:00:00:00:01' },
  });
  const pausedValue = (o: KubeObject) =>
    o.metadata.annotations?.[
      o.kind === 'ClusterDeployment' ? ANNOTATION.cdPause : ANNOTATION.bmhPause
    ];

  await pauseZtp(hub1, 'sno-3');
  let objs = await dangerous(hub1, 'sno-3');
  assert.deepEqual(objs.map(id).sort(), [
    'BareMetalHost sno-3',
    'BareMetalHost sno-3-worker',
    'ClusterDeployment sno-3',
    'DataImage sno-3',
  ]);
  for (const o of objs) assert.equal(pausedValue(o), 'true', `${id(o)} paused`);
  const rvs = await versions(hub1, objs);
  await pauseZtp(hub1, 'sno-3');
  assert.deepEqual(await versions(hub1, objs), rvs, 'a second pause writes nothing');

  await unpauseZtp(hub1, 'sno-3');
  objs = await dangerous(hub1, 'sno-3');
  for (const o of objs) assert.equal(pausedValue(o), undefined, `${id(o)} unpaused`);
  const unpaused = await versions(hub1, objs);
  await unpauseZtp(hub1, 'sno-3');
  assert.deepEqual(await versions(hub1, objs), unpaused, 'a second unpause writes nothing');
  // Unpausing the source ZTP objects destroys nothing either.
  assertNoDestruction();
});

// ---- releasing from the source ---------------------------------------------------------------

async function assertReleased(cluster: string): Promise<void> {
  await eventually(
    async () => (await hub1.get(R.managedCluster, cluster)) === undefined,
    `ManagedCluster ${cluster} deleted`,
    10_000,
  );
  for (const o of await dangerous(hub1, cluster)) {
    const fin = o.metadata.finalizers ?? [];
    assert.ok(!fin.some((f) => f.endsWith('/deprovision') || f.endsWith('.metal3.io')), id(o));
    const key = o.kind === 'ClusterDeployment' ? ANNOTATION.cdPause : ANNOTATION.bmhPause;
    assert.ok(key in (o.metadata.annotations ?? {}), `${id(o)} stays paused`);
  }
  const bmc = await mustGet(hub1, R.secret, ztpNames(cluster).bmcSecret, cluster);
  assert.deepEqual(bmc.metadata.finalizers ?? [], [], 'the BMC Secret has no finalizer');
  // The hub (or the user deleting the ClusterInstance) then deletes the namespace: nothing in it
  // deprovisions, and nothing holds it.
  await hub1.delete(R.namespace, cluster);
  await eventually(
    async () => (await hub1.get(R.namespace, cluster)) === undefined,
    `namespace ${cluster} gone`,
    10_000,
  );
  assertNoDestruction();
}

test('releaseFromSource deletes the ManagedCluster, keeps the pauses, strips the finalizers; the namespace then goes without destruction', async () => {
  await pauseZtp(hub1, 'sno-4');
  const bmc = ztpNames('sno-4').bmcSecret;
  await hub1.mergePatch(
    R.secret,
    bmc,
    { metadata: { name: bmc, namespace: 'sno-4', finalizers: ['example.com/bmc-in-use'] } },
    'sno-4',
  );
  await releaseFromSource(hub1, 'sno-4');
  await assertReleased('sno-4');
  await releaseFromSource(hub1, 'sno-4'); // nothing left to do, and no error
  assertNoDestruction();
});

test('releaseFromSource re-run after an interruption (and with a pause lost) ends in the same state', async () => {
  // Interrupted halfway: only the ClusterDeployment was paused and freed; the host's pause was
  // never set (or was lost), so releasing must re-assert it before touching the finalizers.
  await eventually(
    async () =>
      ((await hub1.get(R.bareMetalHost, 'sno-6', 'sno-6'))?.metadata.finalizers ?? []).length > 0,
    'metal3 finalizes the host',
  );
  await hub1.mergePatch(
    R.clusterDeployment,
    'sno-6',
    { metadata: { annotations: { [ANNOTATION.cdPause]: 'true' } } },
    'sno-6',
  );
  await hub1.mergePatch(R.clusterDeployment, 'sno-6', { metadata: { finalizers: [] } }, 'sno-6');
  await releaseFromSource(hub1, 'sno-6');
  await assertReleased('sno-6');
});

// ---- the control: the test sees destruction --------------------------------------------------

test('control: a naive delete of the ClusterDeployment on the target IS recorded as destruction', async () => {
  const source = await collectClusterResources(hub1, 'sno-5');
  await applyToTarget(hub2, 'sno-5', source);
  await eventually(
    async () =>
      ((await hub2.get(R.clusterDeployment, 'sno-5', 'sno-5'))?.metadata.finalizers ?? []).length >
      0,
    'hive on the target finalizes the ClusterDeployment',
  );
  await hub2.delete(R.clusterDeployment, 'sno-5', 'sno-5');
  await eventually(() => tf.fleet.truth.cluster('sno-5').destroyed, 'the destruction recorded');
  assert.deepEqual(
    tf.fleet.truth.destructions.map((d) => [d.cluster, d.hub, d.kind]),
    [['sno-5', 'hub2', 'cluster-destroyed']],
  );
});
