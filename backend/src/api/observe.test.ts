// Observe mode: with the engine disabled (another controller drives the migrations), the API and
// the event stream still show phases, conditions and per-cluster rows read from the migration's
// status and its progress ConfigMaps, and the BFF never writes to them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import { HubClient } from '../hubs/hub-client.js';
import type { KubeObject } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import { R } from '../hubs/resources.js';
import { createLogger } from '../log.js';
import type { ClusterChanges, ClusterPage, Me, MigrationDetail } from './contract.js';
import type { TestBff } from './test-support.js';
import { SseReader, startTestBff } from './test-support.js';

const NS = 'multicluster-global-hub';
let tf: TestFleet;
let t: TestBff;
let global: HubClient;

before(async () => {
  tf = await startTestFleet({
    name: 'observe',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.15' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [{ count: 3, namePattern: 'c-{n}', hub: 'hub1' }],
  });
  global = new HubClient(
    'local-cluster',
    PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig()),
  );
  t = await startTestBff(
    tf,
    createLogger({ test: 'observe' }, 'warn'),
    { ENGINE_ENABLED: 'false' },
    tf.fleet.globalHub.adminToken,
  );
});

after(async () => {
  await t?.bff.close();
  global?.kubeConfig.close();
  await tf?.stop();
});

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

test('phases, conditions and per-cluster rows written by another controller are shown and streamed', async () => {
  const me = (await t.api.get('/api/v1/me')).body as Me;
  assert.equal(me.engineEnabled, false);
  const m = await global.create(R.migration, {
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name: 'elsewhere', namespace: NS },
    spec: { from: 'hub1', to: 'hub2', includedManagedClusters: ['c-1', 'c-2', 'c-3'] },
  });
  // What the other controller writes: status, then the reference's ConfigMap keys plus our shard.
  await global.replaceStatus(R.migration, {
    ...m,
    status: {
      phase: 'Deploying',
      conditions: [
        {
          type: 'MigrationStarted',
          status: 'True',
          reason: 'InstanceStarted',
          message: 'started',
          lastTransitionTime: now(),
        },
        {
          type: 'ResourceValidated',
          status: 'True',
          reason: 'ResourceValidated',
          message: 'ok',
          lastTransitionTime: now(),
        },
        {
          type: 'ResourceInitialized',
          status: 'True',
          reason: 'ResourceInitialized',
          message: 'ok',
          lastTransitionTime: now(),
        },
        {
          type: 'ResourceDeployed',
          status: 'False',
          reason: 'Waiting',
          message: 'Deploying 3 clusters',
          lastTransitionTime: now(),
        },
      ],
    },
  });
  const owner = [
    {
      apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
      kind: 'ManagedClusterMigration',
      name: 'elsewhere',
      uid: m.metadata.uid!,
    },
  ];
  const cm = (name: string, data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: NS,
      ownerReferences: owner,
      labels: { 'hub-migration.openshift.io/migration': 'elsewhere' },
    },
    data,
  });
  const ts = now();
  await global.create(
    R.configMap,
    cm('elsewhere-clusters-0', {
      'clusters.json': JSON.stringify({
        'c-1': ['Deployed', 'hub1', ts, ts],
        'c-2': ['Initialized', 'hub1', ts, ts],
        'c-3': ['Failed', 'hub1', ts, ts, 'boom'],
      }),
    }),
  );
  await global.create(
    R.configMap,
    cm('elsewhere', {
      'all-clusters': JSON.stringify(['c-1', 'c-2', 'c-3']),
      success: '[]',
      failure: '["c-3"]',
      shards: '1',
    }),
  );

  let d: MigrationDetail | undefined;
  await eventually(async () => {
    d = (await t.api.get(`/api/v1/migrations/${NS}/elsewhere`)).body as MigrationDetail;
    return d?.phase === 'Deploying' && d.counts.Deployed === 1;
  }, 'the migration as the other controller left it');
  assert.deepEqual(d!.phases.map((p) => [p.phase, p.state]).slice(0, 3), [
    ['Validating', 'done'],
    ['Initializing', 'done'],
    ['Deploying', 'running'],
  ]);
  assert.equal(d!.conditions.length, 4);
  assert.deepEqual(d!.firstFailures, [{ cluster: 'c-3', error: 'boom' }]);
  const rows = (await t.api.get(`/api/v1/migrations/${NS}/elsewhere/clusters?sort=name`))
    .body as ClusterPage;
  assert.deepEqual(
    rows.items.map((r) => [r.name, r.state, r.error ?? '']),
    [
      ['c-1', 'Deployed', ''],
      ['c-2', 'Initialized', ''],
      ['c-3', 'Failed', 'boom'],
    ],
  );

  // A change by the other controller reaches the stream as a row delta.
  const s = new SseReader(
    `${t.bff.url}/api/v1/stream?migration=${NS}/elsewhere`,
    tf.fleet.globalHub.adminToken,
  );
  await eventually(() => s.events.some((e) => e.event === 'snapshot'), 'a snapshot');
  const shard = await global.get(R.configMap, 'elsewhere-clusters-0', NS);
  const later = now();
  await global.replace(R.configMap, {
    ...shard!,
    data: {
      'clusters.json': JSON.stringify({
        'c-1': ['Registered', 'hub2', later, ts],
        'c-2': ['Initialized', 'hub1', ts, ts],
        'c-3': ['Failed', 'hub1', ts, ts, 'boom'],
      }),
    },
  });
  await eventually(() => s.events.some((e) => e.event === 'clusters'), 'a row delta');
  s.close();
  const delta = JSON.parse(s.events.find((e) => e.event === 'clusters')!.data) as ClusterChanges;
  assert.deepEqual(
    delta.rows.map((r) => [r.name, r.state, r.hub]),
    [['c-1', 'Registered', 'hub2']],
  );

  // The BFF wrote nothing: no finalizer, status untouched, no ConfigMap of its own.
  const after = await global.get(R.migration, 'elsewhere', NS);
  assert.deepEqual(after?.metadata.finalizers ?? [], []);
  assert.equal((after?.status as { phase?: string }).phase, 'Deploying');
  const ours = await global.list(R.configMap, NS, {
    labelSelector: 'hub-migration.openshift.io/migration',
  });
  assert.deepEqual(ours.map((c) => c.metadata.name).sort(), ['elsewhere', 'elsewhere-clusters-0']);
  assert.equal(
    (ours.find((c) => c.metadata.name === 'elsewhere')?.data as Record<string, string>).counts,
    undefined,
  );
});
