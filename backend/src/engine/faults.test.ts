// Hub faults during a migration (the engine in-process, the simulator's fault injection), each
// ending in a clean rollback or a clean completion: a target that fails every request in
// Initializing and answers again once the phase has failed; a target that fails from Deploying on
// and stays down, so the rollback says what is left by hand, and a rollback retry finishes it once
// it is back; a target outage in the middle of Deploying; a 30% error rate on both hubs through a
// whole migration; clusters that cannot reach the target, with the BFF down while the Registering
// deadline passes and again in the rollback. Faults are injected at an exact point: the test
// watches the hubs' state synchronously, so a trigger fires while the engine's own write is being
// served. Every case checks the ground truth (nothing destroyed, each cluster Available on exactly
// one hub) and that nothing of the migration is left on either hub.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { KubeObject as SimObject } from '../../../sim/apiserver/types.js';
import { conditionStatus } from '../../../sim/ocm/registration.js';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import type { HubClient } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import type { HubRegistry } from '../hubs/registry.js';
import { connectGlobalHub } from '../hubs/registry.js';
import { loadConfig, registrySettings } from '../config.js';
import { R } from '../hubs/resources.js';
import { createLogger } from '../log.js';
import { phaseStartedAt } from './conditions.js';
import { MigrationEngine } from './controller.js';
import type { Migration, Phase } from './types.js';
import { ANNOTATION, isTerminal, LABEL, names, PHASE_CONDITION } from './types.js';

const NS = 'multicluster-global-hub';
let tf: TestFleet;
let global: HubClient;
let registry: HubRegistry;
let engine: MigrationEngine;
const log = createLogger({ test: 'faults' }, 'error');
/** Stops the test's own watches on the hubs' state. */
const stops: (() => void)[] = [];

const API = {
  mc: ['cluster.open-cluster-management.io', 'v1', 'managedclusters'],
  ns: ['', 'v1', 'namespaces'],
  secret: ['', 'v1', 'secrets'],
  configMap: ['', 'v1', 'configmaps'],
  event: ['', 'v1', 'events'],
  lease: ['coordination.k8s.io', 'v1', 'leases'],
  sa: ['', 'v1', 'serviceaccounts'],
  clusterRole: ['rbac.authorization.k8s.io', 'v1', 'clusterroles'],
  crb: ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'],
  klusterletConfig: ['config.open-cluster-management.io', 'v1alpha1', 'klusterletconfigs'],
  clusterManager: ['operator.open-cluster-management.io', 'v1', 'clustermanagers'],
  cd: ['hive.openshift.io', 'v1', 'clusterdeployments'],
  bmh: ['metal3.io', 'v1alpha1', 'baremetalhosts'],
  migration: ['global-hub.open-cluster-management.io', 'v1alpha1', 'managedclustermigrations'],
} satisfies Record<string, [string, string, string]>;

const hubState = (hub: string) => tf.fleet.hub(hub).state;
const rtOf = (hub: string, a: [string, string, string]) => hubState(hub).rt(...a);
const simGet = (hub: string, a: [string, string, string], name: string, ns?: string) =>
  hubState(hub).get(rtOf(hub, a), ns, name);
const simList = (hub: string, a: [string, string, string], ns?: string): SimObject[] =>
  hubState(hub).list(rtOf(hub, a), ns).items;
const server = (hub: string) => tf.fleet.hub(hub).server;

before(async () => {
  tf = await startTestFleet({
    name: 'faults',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.14' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 6, namePattern: 'plain-{n}', hub: 'hub1' },
      { count: 3, namePattern: 'ztp-{n}', hub: 'hub1', ztp: true },
      { count: 2, namePattern: 'cut-{n}', hub: 'hub1', faults: { unreachableHubs: ['hub2'] } },
    ],
    // A klusterlet gives up on a hub after 180 s × 0.03 = 5.4 s without it: long enough not to
    // leave a hub that fails 30% of requests, short enough for quick switches.
    timings: { leaseDurationSeconds: 1, hubConnectionTimeoutScale: 0.03 },
  });
  // Hub calls back off from 50 ms instead of 200 ms: a hub that stays down is given up on in
  // about a second instead of three (the engine's logic is the same, the cases are faster).
  const clientOptions = { backoffMs: 50 };
  registry = connectGlobalHub(
    PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig()),
    registrySettings(loadConfig({})),
    log,
    clientOptions,
  );
  global = registry.global;
  await registry.refresh();
  stops.push(recordPhases());
  engine = new MigrationEngine(registry, log, { namespace: NS, resyncMs: 500 });
  engine.start();
});

after(async () => {
  console.log(`phases: ${timeline.join(' ')}`);
  stops.forEach((s) => s());
  for (const hub of ['hub1', 'hub2']) {
    server(hub).setFaults({});
    await server(hub).endOutage();
  }
  await engine?.stop();
  registry?.close();
  await tf?.stop();
});

// Whatever a case did to the hubs ends with it, even when it fails.
afterEach(async () => {
  server('local-cluster').setFaults({});
  for (const hub of ['hub1', 'hub2']) {
    server(hub).setFaults({});
    await server(hub).endOutage();
  }
});

// ---- triggers: run something at the instant a hub's state changes -----------------------------

/** Calls `fn` once, synchronously, on the first change on `hub` that `pred` matches. */
function once(
  hub: string,
  a: [string, string, string],
  pred: (o: SimObject) => boolean,
  fn: () => void,
): void {
  let fired = false;
  const stop = hubState(hub).watch(rtOf(hub, a), { resourceVersion: current(hub) }, (e) => {
    if (fired || e.type === 'DELETED' || !pred(e.object)) return;
    fired = true;
    queueMicrotask(stop);
    fn();
  });
  stops.push(stop);
}

const current = (hub: string) => hubState(hub).currentResourceVersion();
const phaseOf = (o: SimObject) => (o.status as { phase?: Phase } | undefined)?.phase;

/** When migration `name` enters `phase`. */
function onPhase(name: string, phase: Phase, fn: () => void): void {
  once('local-cluster', API.migration, (o) => o.metadata.name === name && phaseOf(o) === phase, fn);
}

// ---- migrations --------------------------------------------------------------------------------

/** Each migration's phases with when they began, for diagnostics. */
const timeline: string[] = [];
const t0 = Date.now();
function recordPhases(): () => void {
  return hubState('local-cluster').watch(rtOf('local-cluster', API.migration), {}, (e) => {
    const p = phaseOf(e.object);
    const key = `${e.object.metadata.name}:${p}`;
    if (p && timeline.at(-1)?.split('@')[0] !== key)
      timeline.push(`${key}@${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });
}

function migration(name: string): Migration | undefined {
  return simGet('local-cluster', API.migration, name, NS) as Migration | undefined;
}

function create(name: string, clusters: string[], stageTimeout: string): void {
  tf.fleet.globalHub.apply({
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name, namespace: NS },
    spec: {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: clusters,
      supportedConfigs: { stageTimeout },
    },
  });
}

async function waitEnded(name: string, timeoutMs = 90_000): Promise<Migration> {
  await eventually(() => isTerminal(migration(name)?.status?.phase), `${name} to end`, timeoutMs);
  return migration(name)!;
}

function condition(
  m: Migration,
  type: string,
): { status: string; reason: string; message: string } {
  const c = m.status?.conditions?.find((x) => x.type === type);
  return { status: c?.status ?? '-', reason: c?.reason ?? '-', message: c?.message ?? '' };
}

const dump = (m: Migration) => JSON.stringify(m.status?.conditions, null, 1);

function lists(name: string): { success: string[]; failure: string[] } {
  const data = (simGet('local-cluster', API.configMap, name, NS)?.data ?? {}) as Record<
    string,
    string
  >;
  return {
    success: (JSON.parse(data.success ?? '[]') as string[]).sort(),
    failure: (JSON.parse(data.failure ?? '[]') as string[]).sort(),
  };
}

// ---- end-state checks --------------------------------------------------------------------------

const annotations = (o: SimObject | undefined): Record<string, string> =>
  o?.metadata.annotations ?? {};

/** Each cluster Available on `hub` only, per the ground truth and the hubs; nothing destroyed. */
async function assertOn(clusters: string[], hub: string): Promise<void> {
  const other = hub === 'hub1' ? 'hub2' : 'hub1';
  await eventually(
    () =>
      clusters.every(
        (c) =>
          tf.fleet.truth.cluster(c).registeredTo === hub &&
          conditionStatus(simGet(hub, API.mc, c), 'ManagedClusterConditionAvailable') === 'True' &&
          !simGet(other, API.mc, c),
      ),
    `${clusters.join(', ')} Available on ${hub} only`,
    20_000,
  );
  assert.deepEqual(tf.fleet.truth.destructions, [], 'no cluster destroyed and no host wiped');
  for (const c of clusters) {
    assert.equal(tf.fleet.truth.cluster(c).registeredTo, hub, `${c} registered to ${hub}`);
    assert.equal(simGet(other, API.mc, c), undefined, `${c} not on ${other}`);
  }
}

/** Rolled back: back on hub1 as before, without the migration's marks; nothing of it on hub2. */
async function assertRolledBack(clusters: string[]): Promise<void> {
  await assertOn(clusters, 'hub1');
  for (const c of clusters) {
    const mc = simGet('hub1', API.mc, c);
    for (const a of [
      ANNOTATION.klusterletConfig,
      ANNOTATION.migrating,
      ANNOTATION.disableAutoImport,
    ])
      assert.equal(annotations(mc)[a], undefined, `${c}: ${a} removed`);
    assert.equal((mc?.spec as { hubAcceptsClient?: boolean }).hubAcceptsClient, true);
    for (const cd of simList('hub1', API.cd, c))
      assert.equal(
        annotations(cd)[ANNOTATION.cdPause],
        undefined,
        `${c}: ClusterDeployment unpaused`,
      );
    for (const bmh of simList('hub1', API.bmh, c))
      assert.equal(
        annotations(bmh)[ANNOTATION.bmhPause],
        undefined,
        `${c}: BareMetalHost unpaused`,
      );
  }
  await eventually(
    () => clusters.every((c) => !simGet('hub2', API.ns, c)),
    `the namespaces of ${clusters.join(', ')} gone from hub2`,
    10_000,
  );
}

/** Neither hub keeps the migration's own objects (bootstrap, KlusterletConfig, access). */
function assertNoOrphans(mig: string): void {
  assert.equal(
    simGet('hub1', API.secret, names.bootstrapSecret('hub2'), names.bootstrapSecretNamespace),
    undefined,
    'no bootstrap-hub2 Secret on hub1',
  );
  assert.equal(simGet('hub1', API.klusterletConfig, names.klusterletConfig('hub2')), undefined);
  assert.equal(
    simGet('hub2', API.sa, names.serviceAccount(mig), names.serviceAccountNamespace),
    undefined,
    'no migration ServiceAccount on hub2',
  );
  assert.equal(simGet('hub2', API.clusterRole, names.registrationBinding(mig)), undefined);
  assert.equal(simGet('hub2', API.crb, names.registrationBinding(mig)), undefined);
  for (const hub of ['hub1', 'hub2'])
    for (const a of [API.secret, API.sa, API.clusterRole, API.crb, API.klusterletConfig])
      assert.deepEqual(
        simList(hub, a)
          .filter((o) => o.metadata.labels?.[LABEL.owner] === mig)
          .map((o) => `${o.kind}/${o.metadata.name}`),
        [],
        `nothing of ${mig} left on ${hub}`,
      );
  const cm = simGet('hub2', API.clusterManager, 'cluster-manager');
  const users =
    (cm?.spec as { registrationConfiguration?: { autoApproveUsers?: string[] } })
      .registrationConfiguration?.autoApproveUsers ?? [];
  assert.deepEqual(
    users.filter((u) => u.endsWith(`:${names.serviceAccount(mig)}`)),
    [],
    'no autoApproveUsers entry left',
  );
}

/** A condition's status and reason. */
const outcome = (m: Migration, type: string) => {
  const { status, reason } = condition(m, type);
  return [status, reason];
};
const ROLLED_BACK = ['True', PHASE_CONDITION.Rollbacking!.success];

// ---- the cases ---------------------------------------------------------------------------------

describe('hub faults end in a clean rollback', () => {
  test('the target fails every request in Initializing: rolled back once it answers again', async () => {
    const clusters = ['plain-1', 'ztp-1'];
    // From the moment the migration's ServiceAccount exists on hub2, hub2 fails every request;
    // it answers again a quarter of a second after Initializing has failed: the rollback needs it,
    // and its first calls to hub2 fail and are retried.
    once(
      'hub2',
      API.sa,
      (o) => o.metadata.name === names.serviceAccount('init-errors'),
      () => server('hub2').setFaults({ errorRate: 1 }),
    );
    onPhase('init-errors', 'Rollbacking', () => {
      setTimeout(() => server('hub2').setFaults({}), 250);
    });
    create('init-errors', clusters, '10s');
    const m = await waitEnded('init-errors');
    assert.equal(m.status?.phase, 'Failed', dump(m));
    assert.deepEqual(outcome(m, 'ResourceInitialized'), ['False', 'Timeout'], dump(m));
    assert.deepEqual(outcome(m, 'ResourceRolledBack'), ROLLED_BACK, dump(m));
    assert.equal(condition(m, 'ResourceDeployed').status, '-', 'never deployed');
    await assertRolledBack(clusters);
    assertNoOrphans('init-errors');
  });

  test('the target fails from Deploying on and stays down: the rollback says what is left, a retry finishes it', async () => {
    const clusters = ['plain-2'];
    onPhase('deploy-down', 'Deploying', () => server('hub2').setFaults({ errorRate: 1 }));
    create('deploy-down', clusters, '12s');
    let m = await waitEnded('deploy-down');
    assert.equal(m.status?.phase, 'Failed', dump(m));
    assert.equal(condition(m, 'ResourceDeployed').status, 'False', dump(m));
    const rb = condition(m, 'ResourceRolledBack');
    assert.deepEqual(outcome(m, 'ResourceRolledBack'), ['False', 'Error'], dump(m));
    assert.match(rb.message, /^Deploying rollback failed for 1 cluster\(s\): plain-2: target: /);
    for (const what of ['auto-approve user', 'ClusterRoleBinding', 'ClusterRole', 'ServiceAccount'])
      assert.match(rb.message, new RegExp(`target ${what}: `), `names the target's ${what}`);
    assert.match(
      rb.message,
      /Manual intervention required: .*on hub2 delete what is left of them\.$/,
    );
    // The source side was undone all the same: the cluster never left hub1.
    await assertOn(clusters, 'hub1');
    const mc = simGet('hub1', API.mc, 'plain-2');
    assert.equal(annotations(mc)[ANNOTATION.migrating], undefined);
    assert.equal(
      simGet('hub1', API.secret, names.bootstrapSecret('hub2'), names.bootstrapSecretNamespace),
      undefined,
    );
    // The target answers again; the user asks for the rollback once more.
    server('hub2').setFaults({});
    await global.mergePatch(
      R.migration,
      'deploy-down',
      { metadata: { annotations: { [ANNOTATION.request]: 'rollback' } } },
      NS,
    );
    await eventually(
      () => condition(migration('deploy-down')!, 'ResourceRolledBack').status === 'True',
      'the retried rollback to succeed',
      60_000,
    );
    m = migration('deploy-down')!;
    assert.equal(m.status?.phase, 'Failed', dump(m));
    await assertRolledBack(clusters);
    assertNoOrphans('deploy-down');
  });

  test('a target outage in Deploying: the half-copied cluster is removed from the target', async () => {
    const clusters = ['plain-3', 'ztp-2'];
    // The outage starts as the first of ztp-2's objects lands on hub2, and ends a quarter of a
    // second into the rollback (whose first calls to hub2 fail and are retried).
    once(
      'hub2',
      API.secret,
      (o) => o.metadata.namespace === 'ztp-2',
      () => void server('hub2').startOutage(),
    );
    onPhase('deploy-outage', 'Rollbacking', () => {
      setTimeout(() => void server('hub2').endOutage(), 250);
    });
    create('deploy-outage', clusters, '10s');
    const m = await waitEnded('deploy-outage');
    assert.equal(m.status?.phase, 'Failed', dump(m));
    assert.equal(condition(m, 'ResourceInitialized').status, 'True', dump(m));
    assert.equal(condition(m, 'ResourceDeployed').status, 'False', dump(m));
    assert.deepEqual(outcome(m, 'ResourceRolledBack'), ROLLED_BACK, dump(m));
    await assertRolledBack(clusters);
    for (const c of clusters)
      assert.deepEqual(
        [API.secret, API.configMap, API.cd, API.bmh].flatMap((a) => simList('hub2', a, c)),
        [],
        `nothing of ${c} on hub2`,
      );
    assertNoOrphans('deploy-outage');
  });

  test('a 30% error rate on both hubs throughout: retries carry the migration to Completed', async () => {
    const clusters = ['plain-4', 'ztp-3'];
    // From the first change on (validation rightly refuses a hub it cannot reach) to the end.
    onPhase('flaky', 'Initializing', () => {
      for (const hub of ['hub1', 'hub2']) server(hub).setFaults({ errorRate: 0.3 });
    });
    create('flaky', clusters, '60s');
    const m = await waitEnded('flaky', 120_000);
    for (const hub of ['hub1', 'hub2']) server(hub).setFaults({});
    assert.equal(m.status?.phase, 'Completed', dump(m));
    assert.ok(
      (server('hub2').requestCounts()['fault injected'] ?? 0) > 20,
      'faults were injected on hub2',
    );
    assert.deepEqual(lists('flaky'), { success: [...clusters].sort(), failure: [] });
    await assertOn(clusters, 'hub2');
    await eventually(() => clusters.every((c) => !simGet('hub1', API.mc, c)), 'source clean');
    for (const c of clusters)
      assert.equal(annotations(simGet('hub2', API.mc, c))[ANNOTATION.disableAutoImport], undefined);
    assert.ok(simGet('hub2', API.cd, 'ztp-3', 'ztp-3')?.status, 'ZTP objects on hub2 with status');
    assert.equal(simGet('hub1', API.cd, 'ztp-3', 'ztp-3'), undefined);
    assertNoOrphans('flaky');
  });

  test('clusters that cannot reach the target are rolled back, the others stay, across two BFF restarts', async () => {
    // The BFF stops once hub1 has let the clusters go, and comes back after the Registering
    // deadline: plain-5 joined hub2 meanwhile and must count as moved. It stops again in the
    // rollback, the instant a cut cluster is back on hub1 (before it could record that), and
    // comes back: the resumed rollback must not disturb the clusters that are back.
    const cut = ['cut-1', 'cut-2'];
    const clusters = ['plain-5', ...cut];
    const available = (hub: string, c: string) =>
      conditionStatus(simGet(hub, API.mc, c), 'ManagedClusterConditionAvailable') === 'True';
    const denied = (c: string) =>
      (simGet('hub1', API.mc, c)?.spec as { hubAcceptsClient?: boolean }).hubAcceptsClient ===
      false;
    create('unreachable', clusters, '12s');
    await eventually(
      () => migration('unreachable')?.status?.phase === 'Registering' && clusters.every(denied),
      'Registering to let the clusters go',
      60_000,
    );
    await engine.stop();
    const deadline =
      phaseStartedAt(migration('unreachable')!.status?.conditions, 'Registering')! + 12_000;
    await eventually(
      () => Date.now() > deadline + 500 && available('hub2', 'plain-5'),
      'the deadline to pass, with plain-5 joined to hub2 meanwhile',
      30_000,
    );
    // Once a cut cluster is back on hub1, it stays Available there.
    const back = new Set<string>();
    const disturbed: string[] = [];
    let restarted: Promise<void> | undefined;
    stops.push(
      // …and keeps its lease: deleting it again is what turns a cluster Unknown.
      hubState('hub1').watch(rtOf('hub1', API.lease), { resourceVersion: current('hub1') }, (e) => {
        const c = e.object.metadata.namespace!;
        if (e.type === 'DELETED' && back.has(c)) disturbed.push(`${c}: lease deleted`);
      }),
      hubState('hub1').watch(rtOf('hub1', API.mc), { resourceVersion: current('hub1') }, (e) => {
        const c = e.object.metadata.name!;
        if (!cut.includes(c)) return;
        const up = conditionStatus(e.object, 'ManagedClusterConditionAvailable') === 'True';
        if (up && !back.has(c) && migration('unreachable')?.status?.phase === 'Rollbacking') {
          back.add(c);
          // As in a crash: nothing it learns from here on reaches the global hub.
          server('local-cluster').setFaults({ errorRate: 1 });
          restarted ??= engine.stop().then(() => {
            server('local-cluster').setFaults({});
            engine.start();
          });
        } else if (!up && back.has(c)) disturbed.push(`${c}: not Available`);
      }),
    );
    engine.start();
    const m = await waitEnded('unreachable');
    assert.ok(restarted, 'the BFF restarted in the rollback');
    assert.equal(m.status?.phase, 'Failed', dump(m));
    assert.deepEqual(outcome(m, 'ClusterRegistered'), ['False', 'Timeout'], dump(m));
    assert.equal(
      condition(m, 'ClusterRegistered').message,
      '2 of 3 cluster(s) did not join hub2 in time: cut-1, cut-2',
    );
    assert.deepEqual(outcome(m, 'ResourceRolledBack'), ROLLED_BACK, dump(m));
    assert.equal(
      condition(m, 'ResourceRolledBack').message,
      'Registering rollback of 2 cluster(s) completed successfully; they are back on hub1',
    );
    assert.equal(condition(m, 'ResourceCleaned').status, 'True', dump(m));
    assert.deepEqual(lists('unreachable'), { success: ['plain-5'], failure: cut });
    assert.deepEqual(
      simList('local-cluster', API.event, NS)
        .filter((e) => (e.involvedObject as { name?: string }).name === 'unreachable')
        .filter((e) => e.reason === 'RegisteringFailed')
        .map((e) => String(e.message).split(':')[0])
        .sort(),
      cut,
      'one Warning event per cluster that did not join',
    );
    assert.deepEqual(disturbed, [], 'a cluster back on hub1 stays Available');
    await assertOn(['plain-5'], 'hub2');
    await assertRolledBack(cut);
    assertNoOrphans('unreachable');
  });
});
