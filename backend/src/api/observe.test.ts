// Observe mode: with the engine disabled (another controller drives the migrations), the API and
// the event stream still show phases, conditions and per-cluster rows read from the migration's
// status and its progress ConfigMaps, and the BFF never writes to them.
import assert from 'node:assert/strict';
import net from 'node:net';
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
    { ENGINE_ENABLED: 'false', STREAM_STALL_SECONDS: '2' },
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

/** A client that sends its request and then never reads a byte. */
function stalledClient(url: string, token: string): { socket: net.Socket; closed: Promise<void> } {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname, () => {
    socket.write(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    socket.pause();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, closed };
}

test('a stream client that stops reading is dropped; one that reads keeps up', async () => {
  const m = await global.create(R.migration, {
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name: 'busy', namespace: NS },
    spec: { from: 'hub1', to: 'hub2', includedManagedClusters: ['c-1'] },
  });
  const url = `${t.bff.url}/api/v1/stream?migration=${NS}/busy`;
  const token = tf.fleet.globalHub.adminToken;
  const slow = stalledClient(url, token);
  const reader = new SseReader(url, token, undefined, false);
  let rows = 0;
  reader.onEvent = (e) => {
    if (e.event === 'clusters') rows += (JSON.parse(e.data) as ClusterChanges).rows.length;
  };
  await new Promise((r) => setTimeout(r, 500));
  // Another controller rewrites a 2,000-cluster shard again and again: megabytes of row changes.
  const names = Array.from({ length: 2000 }, (_, i) => `cluster-with-a-long-name-${i}`);
  const shard = (round: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'busy-clusters-0',
      namespace: NS,
      labels: { 'hub-migration.openshift.io/migration': 'busy' },
      ownerReferences: [
        {
          apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
          kind: 'ManagedClusterMigration',
          name: 'busy',
          uid: m.metadata.uid!,
        },
      ],
    },
    data: {
      'clusters.json': JSON.stringify(
        Object.fromEntries(
          names.map((n) => [
            n,
            ['Deployed', 'hub1', `2026-01-01T00:00:${String(round % 60).padStart(2, '0')}Z`],
          ]),
        ),
      ),
    },
  });
  const ROUNDS = 40;
  await global.create(R.configMap, shard(0));
  for (let round = 1; round < ROUNDS; round++) {
    const cur = await global.get(R.configMap, 'busy-clusters-0', NS);
    await global.replace(R.configMap, {
      ...shard(round),
      metadata: { ...shard(round).metadata, resourceVersion: cur!.metadata.resourceVersion },
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  // The stalled client was cut off: once it reads again it finds the end of the stream (a client
  // still connected would get keep-alives forever). The reading one got every change.
  slow.socket.resume();
  await Promise.race([
    slow.closed,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('the stalled client was never dropped')), 30_000),
    ),
  ]);
  await eventually(
    () => rows === ROUNDS * names.length,
    `all ${ROUNDS * names.length} row changes (got ${rows})`,
    20_000,
  );
  assert.equal(reader.ended, false, 'the reading client is still connected');
  reader.close();
  const metrics = (await t.api.get('/metrics')).text;
  assert.match(metrics, /hub_migration_stream_disconnects_total [1-9]/);
});
