// The migration engine end to end against simulated hubs: static-list and Placement migrations
// of ZTP and plain clusters, validation failures, a partial registration rolled back, user
// rollback, deletion of a running migration, queueing, and leader election. Every test checks
// the simulator's ground truth: nothing destroyed, every cluster managed by exactly one hub.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
import { MigrationEngine } from './controller.js';
import { LeaderElector } from './leader.js';
import type { Migration, Phase } from './types.js';

const NS = 'multicluster-global-hub';
let tf: TestFleet;
let global: HubClient;
let registry: HubRegistry;
let engine: MigrationEngine;
const log = createLogger({ test: 'engine' }, 'warn');

before(async () => {
  tf = await startTestFleet({
    name: 'engine',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.14' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 4, namePattern: 'plain-{n}', hub: 'hub1', labels: { env: 'dev' } },
      { count: 3, namePattern: 'ztp-{n}', hub: 'hub1', ztp: true, labels: { env: 'prod' } },
      {
        count: 3,
        namePattern: 'pl-{n}',
        hub: 'hub1',
        clusterSet: 'canary',
        labels: { wave: 'one' },
      },
      { count: 2, namePattern: 'cut-{n}', hub: 'hub1', faults: { unreachableHubs: ['hub2'] } },
      { count: 3, namePattern: 'later-{n}', hub: 'hub1' },
    ],
    placements: [
      {
        hub: 'hub1',
        namespace: 'fleet',
        name: 'wave-one',
        clusterSets: ['canary'],
        matchLabels: { wave: 'one' },
      },
    ],
    timings: { leaseDurationSeconds: 1, hubConnectionTimeoutScale: 0.01 },
  });
  registry = connectGlobalHub(
    PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig()),
    registrySettings(loadConfig({})),
    log,
  );
  global = registry.global;
  await registry.refresh();
  engine = new MigrationEngine(registry, log, { namespace: NS, resyncMs: 500 });
  engine.start();
});

after(async () => {
  await engine.stop();
  registry.close();
  await tf.stop();
});

const hubState = (hub: string) => tf.fleet.hub(hub).state;
const simGet = (
  hub: string,
  group: string,
  version: string,
  plural: string,
  name: string,
  ns?: string,
): SimObject | undefined => hubState(hub).get(hubState(hub).rt(group, version, plural), ns, name);
const mcOn = (hub: string, name: string) =>
  simGet(hub, 'cluster.open-cluster-management.io', 'v1', 'managedclusters', name);

async function create(name: string, spec: Migration['spec']): Promise<void> {
  await global.create(R.migration, {
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name, namespace: NS },
    spec,
  });
}

async function get(name: string): Promise<Migration | undefined> {
  return (await global.get(R.migration, name, NS)) as Migration | undefined;
}

async function waitPhase(name: string, phases: Phase[], timeoutMs = 60_000): Promise<Migration> {
  let m: Migration | undefined;
  try {
    await eventually(
      async () => {
        m = await get(name);
        return !!m?.status?.phase && phases.includes(m.status.phase);
      },
      `${name} to reach ${phases.join('/')}`,
      timeoutMs,
    );
  } catch (e) {
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}; last status: ${JSON.stringify(m?.status)}`,
    );
  }
  return m!;
}

async function configMap(name: string): Promise<Record<string, string>> {
  return ((await global.get(R.configMap, name, NS))?.data ?? {}) as Record<string, string>;
}

/** The invariant after every migration or rollback: nothing destroyed, each cluster on one hub. */
async function assertGroundTruth(clusters: string[], expectedHub: string): Promise<void> {
  assert.deepEqual(tf.fleet.truth.destructions, [], 'no cluster destroyed and no host wiped');
  // The hub's view follows the agent's by one request (it reports status after its heartbeat):
  // let it settle before asserting the invariant.
  const other = expectedHub === 'hub1' ? 'hub2' : 'hub1';
  await eventually(
    () =>
      clusters.every(
        (c) =>
          tf.fleet.truth.cluster(c).registeredTo === expectedHub &&
          conditionStatus(mcOn(expectedHub, c), 'ManagedClusterConditionAvailable') === 'True' &&
          !mcOn(other, c),
      ),
    `${clusters.join(', ')} settled on ${expectedHub}`,
    15_000,
  ).catch(() => undefined);
  for (const c of clusters) {
    assert.equal(
      tf.fleet.truth.cluster(c).registeredTo,
      expectedHub,
      `${c} is registered to ${expectedHub}`,
    );
    assert.equal(
      conditionStatus(mcOn(expectedHub, c), 'ManagedClusterConditionAvailable'),
      'True',
      `${c} Available on ${expectedHub}`,
    );
    assert.equal(mcOn(other, c), undefined, `${c} not left on ${other}`);
  }
}

describe('migrations', () => {
  test('a static list of plain and ZTP clusters moves to the target, with status kept and the source clean', async () => {
    const clusters = ['plain-1', 'plain-2', 'ztp-1', 'ztp-2'];
    const cdBefore = simGet(
      'hub1',
      'hive.openshift.io',
      'v1',
      'clusterdeployments',
      'ztp-1',
      'ztp-1',
    )!;
    await create('static', { from: 'hub1', to: 'hub2', includedManagedClusters: clusters });
    const m = await waitPhase('static', ['Completed', 'Failed'], 90_000);
    assert.equal(m.status?.phase, 'Completed', JSON.stringify(m.status?.conditions, null, 1));
    for (const type of [
      'MigrationStarted',
      'ResourceValidated',
      'ResourceInitialized',
      'ResourceDeployed',
      'ClusterRegistered',
      'ResourceCleaned',
    ]) {
      assert.equal(m.status?.conditions?.find((c) => c.type === type)?.status, 'True', type);
    }
    await eventually(
      () =>
        clusters.every(
          (c) => tf.fleet.truth.cluster(c).registeredTo === 'hub2' && !mcOn('hub1', c),
        ),
      'clusters on hub2 only',
      20_000,
    );
    await assertGroundTruth(clusters, 'hub2');
    // ZTP objects are on the target with their status, and the hive deprovision guard is gone from the source.
    const cdAfter = simGet(
      'hub2',
      'hive.openshift.io',
      'v1',
      'clusterdeployments',
      'ztp-1',
      'ztp-1',
    )!;
    assert.deepEqual(cdAfter.status, cdBefore.status);
    assert.ok(simGet('hub2', 'metal3.io', 'v1alpha1', 'baremetalhosts', 'ztp-1', 'ztp-1'));
    assert.equal(
      simGet('hub1', 'hive.openshift.io', 'v1', 'clusterdeployments', 'ztp-1', 'ztp-1'),
      undefined,
      'source ClusterDeployment gone',
    );
    // The ConfigMap tells the story.
    const data = await configMap('static');
    assert.deepEqual(JSON.parse(data['all-clusters']), clusters);
    assert.deepEqual((JSON.parse(data.success) as string[]).sort(), [...clusters].sort());
    assert.deepEqual(JSON.parse(data.failure), []);
    // Both hubs are clean of the migration's own objects.
    assert.equal(
      simGet('hub1', '', 'v1', 'secrets', 'bootstrap-hub2', 'multicluster-engine'),
      undefined,
    );
    assert.equal(
      simGet(
        'hub1',
        'config.open-cluster-management.io',
        'v1alpha1',
        'klusterletconfigs',
        'migration-hub2',
      ),
      undefined,
    );
    assert.equal(
      simGet(
        'hub2',
        '',
        'v1',
        'serviceaccounts',
        'migration-static',
        'open-cluster-management-global-hub-agent',
      ),
      undefined,
    );
    const cm = simGet(
      'hub2',
      'operator.open-cluster-management.io',
      'v1',
      'clustermanagers',
      'cluster-manager',
    )!;
    assert.deepEqual(
      (cm.spec as { registrationConfiguration?: { autoApproveUsers?: string[] } })
        .registrationConfiguration?.autoApproveUsers ?? [],
      [],
    );
    assert.equal(
      mcOn('hub2', 'plain-1')?.metadata.annotations?.[
        'import.open-cluster-management.io/disable-auto-import'
      ],
      undefined,
    );
  });

  test('a Placement-based migration moves the clusters the Placement decided', async () => {
    await create('placed', {
      from: 'hub1',
      to: 'hub2',
      includedManagedClustersPlacementRef: 'wave-one',
    });
    const m = await waitPhase('placed', ['Completed', 'Failed'], 90_000);
    assert.equal(m.status?.phase, 'Completed', JSON.stringify(m.status?.conditions, null, 1));
    assert.deepEqual((JSON.parse((await configMap('placed'))['all-clusters']) as string[]).sort(), [
      'pl-1',
      'pl-2',
      'pl-3',
    ]);
    await eventually(() => ['pl-1', 'pl-2', 'pl-3'].every((c) => !mcOn('hub1', c)), 'source clean');
    await assertGroundTruth(['pl-1', 'pl-2', 'pl-3'], 'hub2');
  });

  test('a cluster that fails validation fails the migration in Validating and changes nothing', async () => {
    await create('invalid', {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: ['later-1', 'no-such-cluster', 'plain-1'],
    });
    const m = await waitPhase('invalid', ['Failed']);
    const c = m.status?.conditions?.find((x) => x.type === 'ResourceValidated');
    assert.equal(c?.status, 'False');
    assert.match(c?.message ?? '', /no-such-cluster/);
    assert.match(c?.message ?? '', /plain-1/, 'already on the target');
    assert.doesNotMatch(c?.message ?? '', /later-1:/, 'valid clusters are not listed as errors');
    assert.equal(
      mcOn('hub1', 'later-1')?.metadata.annotations?.[
        'agent.open-cluster-management.io/klusterlet-config'
      ],
      undefined,
      'source untouched',
    );
    assert.equal(mcOn('hub2', 'later-1'), undefined);
  });

  test('clusters that cannot reach the target are rolled back; the registered ones stay on the target', async () => {
    await create('partial', {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: ['plain-3', 'cut-1', 'cut-2'],
      supportedConfigs: { stageTimeout: '25s' },
    });
    const m = await waitPhase('partial', ['Completed', 'Failed'], 120_000);
    assert.equal(m.status?.phase, 'Failed');
    assert.equal(
      m.status?.conditions?.find((x) => x.type === 'ClusterRegistered')?.reason,
      'Timeout',
    );
    assert.equal(
      m.status?.conditions?.find((x) => x.type === 'ResourceRolledBack')?.status,
      'True',
      JSON.stringify(m.status?.conditions, null, 1),
    );
    for (const c of ['cut-1', 'cut-2'])
      assert.equal(tf.fleet.truth.cluster(c).registeredTo, 'hub1', `${c} back on hub1 at the end`);
    const data = await configMap('partial');
    assert.deepEqual(JSON.parse(data.success), ['plain-3']);
    assert.deepEqual((JSON.parse(data.failure) as string[]).sort(), ['cut-1', 'cut-2']);
    await eventually(
      () =>
        !mcOn('hub1', 'plain-3') &&
        ['cut-1', 'cut-2'].every((c) => tf.fleet.truth.cluster(c).registeredTo === 'hub1'),
      'settled',
      30_000,
    );
    await assertGroundTruth(['plain-3'], 'hub2');
    await assertGroundTruth(['cut-1', 'cut-2'], 'hub1');
    assert.equal(
      mcOn('hub1', 'cut-1')?.metadata.annotations?.[
        'agent.open-cluster-management.io/klusterlet-config'
      ],
      undefined,
      'annotations removed',
    );
    const events = await global.list(R.event, NS, { fieldSelector: 'involvedObject.name=partial' });
    assert.ok(
      events.some((e) => e.reason === 'RegisteringFailed' && String(e.message).startsWith('cut-1')),
      'one Warning event per failed cluster',
    );
  });
});

describe('control', () => {
  test('a user rollback in Registering puts every cluster back on the source', async () => {
    await create('undo', {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: ['later-1', 'cut-1'],
      supportedConfigs: { stageTimeout: '60s' },
    });
    await waitPhase('undo', ['Registering'], 60_000);
    await global.mergePatch(
      R.migration,
      'undo',
      {
        metadata: {
          annotations: { 'global-hub.open-cluster-management.io/migration-request': 'rollback' },
        },
      },
      NS,
    );
    const m = await waitPhase('undo', ['Failed', 'Completed'], 90_000);
    assert.equal(m.status?.phase, 'Failed');
    // Back when the engine says so, not later: the source's conditions from before the switch
    // are no proof (it once declared clusters back seconds before their klusterlets were).
    for (const c of ['later-1', 'cut-1'])
      assert.equal(tf.fleet.truth.cluster(c).registeredTo, 'hub1', `${c} back on hub1 at the end`);
    assert.equal(
      m.status?.conditions?.find((x) => x.type === 'ResourceRolledBack')?.status,
      'True',
      JSON.stringify(m.status?.conditions, null, 1),
    );
    await eventually(
      () =>
        ['later-1', 'cut-1'].every(
          (c) =>
            tf.fleet.truth.cluster(c).registeredTo === 'hub1' &&
            conditionStatus(mcOn('hub1', c), 'ManagedClusterConditionAvailable') === 'True',
        ),
      'back on hub1',
      30_000,
    );
    await assertGroundTruth(['later-1', 'cut-1'], 'hub1');
  });

  test('migrations queue: the second waits in Pending until the first ends', async () => {
    await create('first', { from: 'hub1', to: 'hub2', includedManagedClusters: ['later-2'] });
    await create('second', { from: 'hub1', to: 'hub2', includedManagedClusters: ['later-3'] });
    await eventually(
      async () =>
        (await get('second'))?.status?.conditions?.find((c) => c.type === 'MigrationStarted')
          ?.message === 'Waiting for migration first to finish',
      'second to wait',
    );
    assert.equal((await get('second'))?.status?.phase, 'Pending');
    assert.equal(
      (await waitPhase('first', ['Completed', 'Failed'], 90_000)).status?.phase,
      'Completed',
    );
    assert.equal(
      (await waitPhase('second', ['Completed', 'Failed'], 90_000)).status?.phase,
      'Completed',
    );
    await assertGroundTruth(['later-2', 'later-3'], 'hub2');
  });

  test('deleting a running migration rolls it back before the object goes', async () => {
    // cut-2 cannot reach hub2, so the migration stays in Registering until it is deleted.
    await create('doomed', {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: ['cut-2'],
      supportedConfigs: { stageTimeout: '120s' },
    });
    await waitPhase('doomed', ['Registering'], 60_000);
    await global.delete(R.migration, 'doomed', NS);
    await eventually(async () => !(await get('doomed')), 'the migration to go', 90_000);
    await eventually(
      () => tf.fleet.truth.cluster('cut-2').registeredTo === 'hub1' && !mcOn('hub2', 'cut-2'),
      'cut-2 back on hub1 only',
      30_000,
    );
    await assertGroundTruth(['cut-2'], 'hub1');
    assert.equal(
      mcOn('hub1', 'cut-2')?.metadata.annotations?.[
        'global-hub.open-cluster-management.io/migrating'
      ],
      undefined,
    );
  });
});

describe('leader election', () => {
  test('two replicas never both lead, and the survivor takes over when the leader stops', async () => {
    const events: string[] = [];
    const mk = (id: string) =>
      new LeaderElector(
        global,
        {
          namespace: 'hub-migration',
          name: 'test-leader',
          identity: id,
          leaseSeconds: 2,
          retryMs: 200,
        },
        log,
        (leading) => events.push(`${id}:${leading}`),
      );
    const a = mk('a');
    const b = mk('b');
    a.start();
    await eventually(() => a.isLeader, 'a to lead');
    b.start();
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(a.isLeader && !b.isLeader, 'only one leads');
    await a.stop();
    await eventually(() => b.isLeader, 'b to take over', 5000);
    assert.ok(!a.isLeader);
    await b.stop();
    assert.deepEqual(events, ['a:true', 'a:false', 'b:true', 'b:false']);
  });
});
