// The event stream during a real 300-cluster migration: several clients get the same events in
// the same order; a client that reconnects with Last-Event-ID misses nothing and gets nothing
// twice; each cluster's state only moves forward; users see only the namespaces they may list,
// deletions included. (observe.test.ts shows a client that stops reading is dropped.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import { HubClient } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import { R } from '../hubs/resources.js';
import { createLogger } from '../log.js';
import type {
  ClusterChanges,
  ClusterState,
  MigrationChange,
  MigrationDetail,
  StreamSnapshot,
} from './contract.js';
import type { ApiClient, SseEvent, TestBff } from './test-support.js';
import { SseReader, startTestBff } from './test-support.js';

const NS = 'multicluster-global-hub';
const N = 300;
const log = createLogger({ test: 'stream' }, 'warn');
let tf: TestFleet;
let t: TestBff;
let admin: ApiClient;
let global: HubClient;

before(async () => {
  tf = await startTestFleet({
    name: 'stream',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.15' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [{ count: N, namePattern: 'c-{n:3}', hub: 'hub1' }],
    users: [
      { name: 'fleet-admin', groups: ['fleet-admins'], token: 'admin-token' },
      { name: 'team-b', token: 'team-b-token' },
      { name: 'nobody', token: 'nobody-token' },
    ],
    timings: { leaseDurationSeconds: 2, hubConnectionTimeoutScale: 0.01 },
  });
  global = new HubClient(
    'local-cluster',
    PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig()),
  );
  await global.create(R.namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-b' },
  });
  const role = (name: string, verbs: string[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules: [
      {
        apiGroups: ['global-hub.open-cluster-management.io'],
        resources: ['managedclustermigrations'],
        verbs,
      },
      {
        apiGroups: ['cluster.open-cluster-management.io'],
        resources: ['managedclusters'],
        verbs: ['list'],
      },
    ],
  });
  await global.create(
    R.clusterRole,
    role('operator', ['get', 'list', 'watch', 'create', 'patch', 'delete']),
  );
  await global.create(R.clusterRoleBinding, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'admins' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'operator' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'fleet-admins' }],
  });
  await global.create(
    { ...R.clusterRoleBinding, kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'team-b', namespace: 'team-b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'operator' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'team-b' }],
    },
  );
  t = await startTestBff(tf, log, { WATCH_NAMESPACES: 'team-b' }, 'admin-token');
  admin = t.api;
  await eventually(
    async () => (await admin.get('/readyz')).status === 200,
    'the BFF to be ready',
    20_000,
  );
});

after(async () => {
  await t?.bff.close();
  global?.kubeConfig.close();
  await tf?.stop();
});

const ORDER: ClusterState[] = [
  'Pending',
  'Initialized',
  'Deployed',
  'Registering',
  'Registered',
  'Cleaned',
];
const seq = (id: string | undefined) => Number(id?.split('-')[1] ?? NaN);

/** Each cluster's states in the order the client saw them, from the snapshot and the deltas. */
function histories(events: SseEvent[], migration: string): Map<string, ClusterState[]> {
  const out = new Map<string, ClusterState[]>();
  const push = (name: string, state: ClusterState) => {
    const h = out.get(name) ?? [];
    if (h.at(-1) !== state) h.push(state);
    out.set(name, h);
  };
  for (const e of events) {
    if (e.event === 'snapshot')
      for (const r of (JSON.parse(e.data) as StreamSnapshot).clusters ?? []) push(r.name, r.state);
    if (e.event === 'clusters') {
      const c = JSON.parse(e.data) as ClusterChanges;
      assert.equal(c.migration, migration);
      for (const r of c.rows) push(r.name, r.state);
    }
  }
  return out;
}

test('a 300-cluster migration streamed to several clients, with a reconnect and per-user filters', async () => {
  const key = `${NS}/big`;
  const url = `${t.bff.url}/api/v1/stream?migration=${encodeURIComponent(key)}`;
  const a = new SseReader(url, 'admin-token');
  const b = new SseReader(url, 'admin-token');
  const overview = new SseReader(`${t.bff.url}/api/v1/stream`, 'admin-token');
  const teamB = new SseReader(url, 'team-b-token');
  const nobody = new SseReader(url, 'nobody-token');
  await eventually(
    () => [a, b, overview, teamB].every((r) => r.events.some((e) => e.event === 'snapshot')),
    'snapshots',
  );
  await nobody.done;
  assert.equal(nobody.status, 403);

  const names = Array.from({ length: N }, (_, i) => `c-${String(i + 1).padStart(3, '0')}`);
  const created = await admin.post('/api/v1/migrations', {
    name: 'big',
    from: 'hub1',
    to: 'hub2',
    clusters: names,
  });
  assert.equal(created.status, 201, created.text);

  // Client c drops mid-migration and comes back with Last-Event-ID.
  const c1 = new SseReader(url, 'admin-token');
  try {
    await eventually(
      () => c1.events.filter((e) => e.event === 'clusters').length >= 5,
      'c to see some changes',
      60_000,
    );
  } catch (e) {
    const d = (await admin.get(`/api/v1/migrations/${NS}/big`)).body as MigrationDetail;
    const count = (r: SseReader) =>
      r.events
        .map((x) => x.event)
        .join(',')
        .slice(0, 300);
    throw new Error(
      `${String(e)}; phase ${d.phase} ${d.message}; c1: ${c1.status} ${count(c1)}; a: ${count(a)}`,
    );
  }
  c1.close();
  await c1.done;
  const resumeFrom = c1.lastId();
  await new Promise((r) => setTimeout(r, 1500)); // changes happen while it is away
  const c2 = new SseReader(url, 'admin-token', resumeFrom);

  let detail: MigrationDetail | undefined;
  await eventually(
    async () => {
      detail = (await admin.get(`/api/v1/migrations/${NS}/big`)).body as MigrationDetail;
      return detail.phase === 'Completed' || detail.phase === 'Failed';
    },
    'the migration to end',
    240_000,
  );
  assert.equal(detail!.phase, 'Completed', detail!.message);
  // A deletion: the admin sees it, team-b (who may not list this namespace) sees nothing of it.
  assert.equal((await admin.delete(`/api/v1/migrations/${NS}/big`)).status, 202);
  const deleted = (r: SseReader) =>
    r.events.some(
      (e) => e.event === 'migration' && (JSON.parse(e.data) as MigrationChange).type === 'DELETED',
    );
  await eventually(
    () => [a, b, overview, c2].every(deleted),
    'the deletion to reach every admin client',
    30_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  for (const r of [a, b, overview, c2, teamB]) r.close();

  // Same events, same order, for every client that stayed connected.
  const ids = (r: SseReader) => r.events.filter((e) => e.event !== 'snapshot').map((e) => e.id);
  const dataOf = (r: SseReader) =>
    r.events.filter((e) => e.event !== 'snapshot').map((e) => `${e.id} ${e.event} ${e.data}`);
  assert.deepEqual(dataOf(b), dataOf(a));
  const aIds = ids(a).map(seq);
  assert.ok(
    aIds.every((n, i) => i === 0 || n > aIds[i - 1]),
    'ids increase',
  );
  const aClusterEvents = a.events.filter((e) => e.event === 'clusters').length;
  assert.ok(aClusterEvents > 10, `${aClusterEvents} cluster-change events`);

  // The reconnecting client: its two sessions together are exactly a's events after its snapshot.
  assert.equal(c2.events[0]?.event === 'snapshot', false, 'resumed from the log, no new snapshot');
  const firstC = seq(c1.events.find((e) => e.event !== 'snapshot')?.id);
  const combined = [...c1.events, ...c2.events]
    .filter((e) => e.event !== 'snapshot')
    .map((e) => `${e.id} ${e.event} ${e.data}`);
  assert.deepEqual(
    combined,
    dataOf(a).filter((line) => seq(line.split(' ')[0]) >= firstC),
  );

  // Every cluster went forward through the states and ended Cleaned on hub2.
  const hist = histories(a.events, key);
  assert.equal(hist.size, N);
  for (const [name, h] of hist) {
    const ranks = h.map((s) => ORDER.indexOf(s));
    assert.ok(
      ranks.every((r) => r >= 0),
      `${name}: ${h.join(' → ')}`,
    );
    assert.ok(
      ranks.every((r, i) => i === 0 || r > ranks[i - 1]),
      `${name} moves forward: ${h.join(' → ')}`,
    );
    assert.equal(h.at(-1), 'Cleaned', name);
  }
  // The overview client got the migration's phases in order, without cluster rows.
  const phases = overview.events
    .filter((e) => e.event === 'migration')
    .map((e) => (JSON.parse(e.data) as MigrationChange).migration)
    .filter((m) => m.name === 'big')
    .map((m) => m.phase)
    .filter((p, i, all) => i === 0 || p !== all[i - 1]);
  assert.deepEqual(phases, [
    'Pending',
    'Validating',
    'Initializing',
    'Deploying',
    'Registering',
    'Cleaning',
    'Completed',
  ]);
  assert.ok(!overview.events.some((e) => e.event === 'clusters'));

  // team-b saw none of it: an empty snapshot and no event about the other namespace.
  const tb = teamB.events;
  assert.equal(tb[0].event, 'snapshot');
  const snap = JSON.parse(tb[0].data) as StreamSnapshot;
  assert.deepEqual(snap.migrations, []);
  assert.equal(snap.clusters, undefined);
  assert.deepEqual(
    tb.slice(1).filter((e) => e.event !== 'snapshot'),
    [],
  );

  assert.deepEqual(tf.fleet.truth.destructions, []);
});

test('after a restart of the BFF, a Last-Event-ID from the old process gets a fresh snapshot', async () => {
  const first = new SseReader(`${t.bff.url}/api/v1/stream`, 'admin-token');
  await eventually(() => first.events.length > 0, 'a snapshot');
  first.close();
  const stale = first.lastId()!;
  await t.bff.close();
  t = await startTestBff(tf, log, { WATCH_NAMESPACES: 'team-b' }, 'admin-token');
  await eventually(
    async () => (await t.api.get('/readyz')).status === 200,
    'the new BFF to be ready',
    20_000,
  );
  const again = new SseReader(`${t.bff.url}/api/v1/stream`, 'admin-token', stale);
  await eventually(() => again.events.length > 0, 'the answer');
  again.close();
  assert.equal(again.events[0].event, 'snapshot');
  assert.notEqual(again.events[0].id?.split('-')[0], stale.split('-')[0]);
});
