// The migration steps of migration-engine.md §3, done by hand through the Kubernetes API (as the
// engine will do them), against simulated hubs and klusterlets: clusters join the target and
// leave the source; a rollback brings them back; an unreachable target or a revoked bootstrap
// token keeps a cluster from switching; a klusterlet restart keeps its registration.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SimHub } from '../hub.js';
import {
  eventually,
  kubeConfigFor,
  migrationRegistrationObjects,
  startTestFleet,
} from '../test-support.js';
import type { TestFleet } from '../test-support.js';
import { conditionStatus } from './registration.js';

let tf: TestFleet;
const MIG_NS = 'open-cluster-management-global-hub-agent';
const MIG_SA = 'migration-hub2';

before(async () => {
  tf = await startTestFleet({
    name: 'migration-steps',
    hubs: [
      { name: 'global', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.13' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 2, namePattern: 'move-{n}', hub: 'hub1', labels: { env: 'prod' } },
      { count: 1, namePattern: 'back-{n}', hub: 'hub1' },
      { count: 1, namePattern: 'cut-off-{n}', hub: 'hub1', faults: { unreachableHubs: ['hub2'] } },
      { count: 1, namePattern: 'revoked-{n}', hub: 'hub1' },
      { count: 1, namePattern: 'restart-{n}', hub: 'hub1' },
      {
        count: 1,
        namePattern: 'flappy-{n}',
        hub: 'hub1',
        faults: { flapping: { upMs: 2000, downMs: 7000 } },
      },
    ],
    timings: { leaseDurationSeconds: 1, hubConnectionTimeoutScale: 0.01 },
  });
});
after(() => tf.stop());

const hub = (name: string) => tf.fleet.hub(name);
const api = (h: SimHub) => KubernetesObjectApi.makeApiClient(kubeConfigFor(h));

async function createOrMerge(
  h: SimHub,
  obj: KubernetesObject & Record<string, unknown>,
): Promise<void> {
  const client = api(h);
  try {
    await client.read({
      apiVersion: obj.apiVersion!,
      kind: obj.kind!,
      metadata: { name: obj.metadata!.name!, namespace: obj.metadata!.namespace },
    });
    await client.patch(obj, undefined, undefined, 'test', undefined, PatchStrategy.MergePatch);
  } catch {
    await client.create(obj);
  }
}

async function mergePatch(
  h: SimHub,
  apiVersion: string,
  kind: string,
  name: string,
  patch: Record<string, unknown>,
  namespace?: string,
): Promise<void> {
  await api(h).patch(
    { apiVersion, kind, metadata: { name, namespace }, ...patch },
    undefined,
    undefined,
    'test',
    undefined,
    PatchStrategy.MergePatch,
  );
}

async function remove(
  h: SimHub,
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
): Promise<void> {
  try {
    await api(h).delete({ apiVersion, kind, metadata: { name, namespace } });
  } catch {
    // already gone
  }
}

const MC = ['cluster.open-cluster-management.io/v1', 'ManagedCluster'] as const;
const mcOn = (h: string, name: string) =>
  hub(h).state.get(
    hub(h).state.rt('cluster.open-cluster-management.io', 'v1', 'managedclusters'),
    undefined,
    name,
  );
const availableOn = (h: string, name: string) =>
  conditionStatus(mcOn(h, name), 'ManagedClusterConditionAvailable') === 'True' &&
  conditionStatus(mcOn(h, name), 'ManagedClusterJoined') === 'True';

/** Initializing on the target: a ServiceAccount whose token registers clusters, auto-approved. */
async function prepareTarget(): Promise<string> {
  const target = hub('hub2');
  for (const o of migrationRegistrationObjects(MIG_NS, MIG_SA)) await createOrMerge(target, o);
  await mergePatch(
    target,
    'operator.open-cluster-management.io/v1',
    'ClusterManager',
    'cluster-manager',
    {
      spec: {
        registrationConfiguration: {
          featureGates: [{ feature: 'ManagedClusterAutoApproval', mode: 'Enable' }],
          autoApproveUsers: [`system:serviceaccount:${MIG_NS}:${MIG_SA}`],
        },
      },
    },
  );
  const core = kubeConfigFor(target).makeApiClient(
    (await import('@kubernetes/client-node')).CoreV1Api,
  );
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: MIG_NS,
    name: MIG_SA,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return target.kubeconfig(tr.status!.token, MIG_SA);
}

/** Initializing on the source: the bootstrap Secret, the KlusterletConfig, the cluster annotations. */
async function prepareSource(targetKubeconfig: string, clusters: string[]): Promise<void> {
  const source = hub('hub1');
  await createOrMerge(source, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'multicluster-engine' },
  });
  await createOrMerge(source, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bootstrap-hub2', namespace: 'multicluster-engine' },
    type: 'Opaque',
    data: { kubeconfig: Buffer.from(targetKubeconfig).toString('base64') },
  });
  await createOrMerge(source, {
    apiVersion: 'config.open-cluster-management.io/v1alpha1',
    kind: 'KlusterletConfig',
    metadata: { name: 'migration-hub2' },
    spec: {
      bootstrapKubeConfigs: {
        type: 'LocalSecrets',
        localSecretsConfig: {
          kubeConfigSecrets: [{ name: 'bootstrap-hub2' }],
          hubConnectionTimeoutSeconds: 200,
        },
      },
    },
  });
  for (const c of clusters) {
    await mergePatch(source, ...MC, c, {
      metadata: {
        name: c,
        annotations: {
          'agent.open-cluster-management.io/klusterlet-config': 'migration-hub2',
          'global-hub.open-cluster-management.io/migrating': '',
          'import.open-cluster-management.io/disable-auto-import': '',
        },
      },
    });
  }
}

/** Deploying: the ManagedCluster on the target. */
async function deployToTarget(clusters: string[]): Promise<void> {
  for (const c of clusters) {
    await createOrMerge(hub('hub2'), {
      apiVersion: MC[0],
      kind: MC[1],
      metadata: { name: c, labels: mcOn('hub1', c)!.metadata.labels },
      spec: { hubAcceptsClient: true, leaseDurationSeconds: 1 },
    });
  }
}

async function setAccepted(h: string, clusters: string[], accepted: boolean): Promise<void> {
  for (const c of clusters)
    await mergePatch(hub(h), ...MC, c, { spec: { hubAcceptsClient: accepted } });
}

describe('the migration steps by hand', () => {
  const migrating = ['move-1', 'move-2', 'back-1', 'cut-off-1'];

  test('Initializing delivers the target bootstrap kubeconfig to each klusterlet through its ManifestWork', async () => {
    const targetKubeconfig = await prepareTarget();
    await prepareSource(targetKubeconfig, [...migrating, 'revoked-1']);
    for (const c of [...migrating, 'revoked-1']) {
      await eventually(
        () => tf.fleet.klusterlet(c).bootstrapSources().includes('bootstrap-hub2'),
        `${c} to receive bootstrap-hub2`,
      );
    }
    assert.ok(
      !tf.fleet.klusterlet('restart-1').bootstrapSources().includes('bootstrap-hub2'),
      'clusters not migrating get nothing',
    );
  });

  test('Deploying and Registering: clusters denied by the source join the target', async () => {
    await deployToTarget(migrating);
    await setAccepted('hub1', migrating, false);
    for (const c of ['move-1', 'move-2', 'back-1']) {
      await eventually(
        () => availableOn('hub2', c) && tf.fleet.truth.cluster(c).registeredTo === 'hub2',
        `${c} Available on hub2`,
        15_000,
      );
      assert.equal(conditionStatus(mcOn('hub1', c), 'HubAcceptedManagedCluster'), 'False');
    }
  });

  test('a cluster that cannot reach the target never joins it', async () => {
    await new Promise((r) => setTimeout(r, 4000));
    assert.notEqual(conditionStatus(mcOn('hub2', 'cut-off-1'), 'ManagedClusterJoined'), 'True');
    assert.equal(
      tf.fleet.truth.cluster('cut-off-1').registeredTo,
      null,
      'denied by the source and cut off from the target',
    );
  });

  test('Cleaning: deleting the source ManagedCluster leaves the source clean and the cluster on the target', async () => {
    for (const c of ['move-1', 'move-2']) await remove(hub('hub1'), ...MC, c);
    const ns = hub('hub1').state.rt('', 'v1', 'namespaces');
    await eventually(
      () =>
        ['move-1', 'move-2'].every(
          (c) => !mcOn('hub1', c) && !hub('hub1').state.get(ns, undefined, c),
        ),
      'source ManagedClusters and namespaces gone',
    );
    await new Promise((r) => setTimeout(r, 2500));
    for (const c of ['move-1', 'move-2']) {
      assert.ok(availableOn('hub2', c), `${c} still Available on hub2`);
      assert.equal(tf.fleet.truth.cluster(c).registeredTo, 'hub2');
    }
  });

  test('rollback: undoing the steps brings both a joined and a cut-off cluster back to the source', async () => {
    const undo = ['back-1', 'cut-off-1'];
    // Target first: its ManagedClusters and the ServiceAccount whose token let clusters register.
    for (const c of undo) await remove(hub('hub2'), ...MC, c);
    await remove(hub('hub2'), 'v1', 'ServiceAccount', MIG_SA, MIG_NS);
    // Then the source: accept the clusters again.
    await setAccepted('hub1', undo, true);
    for (const c of undo) {
      await eventually(
        () => availableOn('hub1', c) && tf.fleet.truth.cluster(c).registeredTo === 'hub1',
        `${c} back on hub1`,
        20_000,
      );
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of undo) assert.equal(mcOn('hub2', c), undefined, `no ${c} left on the target`);
  });
});

describe('klusterlet behaviour', () => {
  test('a klusterlet restart keeps its registration', async () => {
    const k = tf.fleet.klusterlet('restart-1');
    assert.equal(k.currentHub, 'hub1');
    const before =
      hub('hub1').server.requestCounts()['create certificatesigningrequests.certificates.k8s.io'] ??
      0;
    k.restart();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(k.currentHub, 'hub1');
    assert.ok(availableOn('hub1', 'restart-1'));
    assert.equal(
      hub('hub1').server.requestCounts()['create certificatesigningrequests.certificates.k8s.io'] ??
        0,
      before,
      'no new CSR: it kept its credentials',
    );
  });

  test('a flapping cluster goes Unknown when its lease expires, comes back, and the time is counted', async () => {
    await eventually(
      () =>
        conditionStatus(mcOn('hub1', 'flappy-1'), 'ManagedClusterConditionAvailable') === 'Unknown',
      'flappy-1 Unknown',
      15_000,
    );
    await eventually(
      () =>
        conditionStatus(mcOn('hub1', 'flappy-1'), 'ManagedClusterConditionAvailable') === 'True',
      'flappy-1 Available again',
      15_000,
    );
    const truth = tf.fleet.truth.cluster('flappy-1');
    assert.ok(truth.unmanagedMs > 0, 'its unmanaged time is recorded');
    assert.ok(
      truth.history.some((h) => h.hub === null) && truth.history.some((h) => h.hub === 'hub1'),
    );
  });

  test('a revoked bootstrap token stops a switch', async () => {
    // revoked-1 got bootstrap-hub2 in Initializing, but the rollback above deleted the target's
    // ServiceAccount, so that token no longer works.
    assert.equal(
      hub('hub2').state.get(hub('hub2').state.rt('', 'v1', 'serviceaccounts'), MIG_NS, MIG_SA),
      undefined,
    );
    await deployToTarget(['revoked-1']);
    await setAccepted('hub1', ['revoked-1'], false);
    await new Promise((r) => setTimeout(r, 5000));
    assert.notEqual(tf.fleet.truth.cluster('revoked-1').registeredTo, 'hub2');
    assert.notEqual(conditionStatus(mcOn('hub2', 'revoked-1'), 'ManagedClusterJoined'), 'True');
    await setAccepted('hub1', ['revoked-1'], true);
    await eventually(
      () => tf.fleet.truth.cluster('revoked-1').registeredTo === 'hub1',
      'revoked-1 back on hub1',
      15_000,
    );
  });
});
