// The chart's RBAC is enough, and no more than that, for the real engine: the rendered
// ServiceAccount, Roles and bindings are applied to a simulated global hub (whose API server
// enforces RBAC on every request), and the engine runs with that ServiceAccount's token while
// local-cluster is first the source, then the target of migrations (one rolled back in part).
// Every request the API server denies to the ServiceAccount is recorded: there must be none.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeObject as SimObject } from '../../sim/apiserver/types.js';
import type { SimHub } from '../../sim/hub.js';
import { eventually, kubeConfigFor, startTestFleet } from '../../sim/test-support.js';
import type { TestFleet } from '../../sim/test-support.js';
import { loadConfig, registrySettings } from '../../backend/src/config.js';
import { MigrationEngine } from '../../backend/src/engine/controller.js';
import { LeaderElector } from '../../backend/src/engine/leader.js';
import type { Migration } from '../../backend/src/engine/types.js';
import { HubError } from '../../backend/src/hubs/hub-client.js';
import type { HubClient } from '../../backend/src/hubs/hub-client.js';
import { PooledKubeConfig } from '../../backend/src/hubs/kubeconfig.js';
import type { HubRegistry } from '../../backend/src/hubs/registry.js';
import { connectGlobalHub } from '../../backend/src/hubs/registry.js';
import { R } from '../../backend/src/hubs/resources.js';
import { createLogger } from '../../backend/src/log.js';
import type { Rendered, Values } from './chart.js';
import { loadChart, renderChart } from './chart.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const chart = loadChart(path.join(root, 'charts/hub-migration'));
const NS = 'multicluster-global-hub';
const RELEASE_NS = 'hub-migration';
const SA_USER = `system:serviceaccount:${RELEASE_NS}:hub-migration`;
const RBAC_KINDS = new Set([
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);
const log = createLogger({ test: 'chart-rbac' }, 'warn');

let tf: TestFleet;
let globalHub: SimHub;
/** Requests the API server refused to the BFF's ServiceAccount. */
const denied: string[] = [];

/** Applies the rendered RBAC objects (replacing the rules of an earlier render). */
function applyRbac(r: Rendered): void {
  for (const { object } of r.manifests)
    if (RBAC_KINDS.has(String(object.kind))) globalHub.apply(structuredClone(object) as SimObject);
}

function render(values: Values = {}): Rendered {
  return renderChart(chart, { values, namespace: RELEASE_NS, releaseName: 'hub-migration' });
}

async function serviceAccountToken(): Promise<string> {
  const core = kubeConfigFor(globalHub).makeApiClient(CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: RELEASE_NS,
    name: 'hub-migration',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  assert.ok(tr.status?.token);
  return tr.status.token;
}

/** The BFF's view of the fleet, as the ServiceAccount (hub kubeconfig Secrets for other hubs). */
function connectAsBff(token: string): HubRegistry {
  return connectGlobalHub(
    PooledKubeConfig.fromString(globalHub.kubeconfig(token, 'hub-migration-bff')),
    registrySettings(loadConfig({})),
    log,
  );
}

before(async () => {
  tf = await startTestFleet({
    name: 'chart-rbac',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 1, namePattern: 'gz-{n}', hub: 'local-cluster', ztp: true },
      { count: 1, namePattern: 'gp-{n}', hub: 'local-cluster' },
      { count: 1, namePattern: 'hp-{n}', hub: 'hub2' },
      {
        count: 1,
        namePattern: 'hcut-{n}',
        hub: 'hub2',
        faults: { unreachableHubs: ['local-cluster'] },
      },
    ],
    timings: { leaseDurationSeconds: 1, hubConnectionTimeoutScale: 0.01 },
  });
  globalHub = tf.fleet.globalHub;
  const allowed = globalHub.authorizer.allowed.bind(globalHub.authorizer);
  globalHub.authorizer.allowed = (user, attrs) => {
    const ok = allowed(user, attrs);
    if (!ok && user.username === SA_USER)
      denied.push(
        `${attrs.verb} ${attrs.apiGroup ? `${attrs.apiGroup}/` : ''}${attrs.resource ?? attrs.path ?? ''}${attrs.subresource ? `/${attrs.subresource}` : ''} ${attrs.namespace ?? ''} ${attrs.name ?? ''}`.trim(),
      );
    return ok;
  };
  applyRbac(render());
});

after(async () => {
  await tf.stop();
});

describe("the engine with the chart's RBAC (default values)", () => {
  let registry: HubRegistry;
  let global: HubClient;
  let engine: MigrationEngine;
  let leader: LeaderElector;

  before(async () => {
    registry = connectAsBff(await serviceAccountToken());
    global = registry.global;
    engine = new MigrationEngine(registry, log, { namespace: NS, resyncMs: 500 });
    leader = new LeaderElector(
      global,
      { namespace: RELEASE_NS, identity: 'bff-0', leaseSeconds: 5 },
      log,
      (leading) => {
        if (leading) engine.start();
        else void engine.stop();
      },
    );
    leader.start();
  });

  after(async () => {
    await leader.stop();
    await engine.stop();
    registry.close();
  });

  async function migrate(name: string, spec: Migration['spec']): Promise<Migration> {
    // Users create migrations with their own token; the admin stands in for one here.
    const admin = connectGlobalHub(
      PooledKubeConfig.fromString(globalHub.kubeconfig()),
      registrySettings(loadConfig({})),
      log,
    );
    try {
      await admin.global.create(R.migration, {
        apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
        kind: 'ManagedClusterMigration',
        metadata: { name, namespace: NS },
        spec,
      });
    } finally {
      admin.close();
    }
    let m: Migration | undefined;
    await eventually(
      async () => {
        m = (await global.get(R.migration, name, NS)) as Migration | undefined;
        return m?.status?.phase === 'Completed' || m?.status?.phase === 'Failed';
      },
      `${name} to end`,
      120_000,
    );
    return m!;
  }

  test('the hubs are listed and checked with the ServiceAccount', async () => {
    const hubs = await registry.refresh();
    assert.deepEqual(
      hubs.map((h) => [h.name, h.connected, h.acmVersion?.replace(/^(\d+\.\d+).*/, '$1')]),
      [
        ['hub2', true, '2.15'],
        ['local-cluster', true, '2.15'],
      ],
    );
    await eventually(() => leader.isLeader, 'the ServiceAccount to hold the engine Lease', 20_000);
    assert.deepEqual(denied, []);
  });

  test('local-cluster as the source: ZTP and plain clusters move to hub2', async () => {
    const m = await migrate('off-global', {
      from: 'local-cluster',
      to: 'hub2',
      includedManagedClusters: ['gz-1', 'gp-1'],
    });
    assert.equal(m.status?.phase, 'Completed', JSON.stringify(m.status?.conditions, null, 1));
    await eventually(
      () => ['gz-1', 'gp-1'].every((c) => tf.fleet.truth.cluster(c).registeredTo === 'hub2'),
      'gz-1 and gp-1 on hub2',
      20_000,
    );
    assert.deepEqual(denied, []);
  });

  test('local-cluster as the target: one cluster moves, one that cannot reach it rolls back', async () => {
    const m = await migrate('onto-global', {
      from: 'hub2',
      to: 'local-cluster',
      includedManagedClusters: ['hp-1', 'hcut-1'],
      supportedConfigs: { stageTimeout: '25s' },
    });
    assert.equal(m.status?.phase, 'Failed', JSON.stringify(m.status?.conditions, null, 1));
    const rolledBack = m.status?.conditions?.find((c) => c.type === 'ResourceRolledBack');
    assert.equal(rolledBack?.status, 'True', JSON.stringify(m.status?.conditions, null, 1));
    await eventually(
      () =>
        tf.fleet.truth.cluster('hp-1').registeredTo === 'local-cluster' &&
        tf.fleet.truth.cluster('hcut-1').registeredTo === 'hub2',
      'hp-1 on local-cluster, hcut-1 back on hub2',
      20_000,
    );
    assert.deepEqual(tf.fleet.truth.destructions, [], 'nothing destroyed');
    assert.deepEqual(denied, []);
  });

  test('and nothing beyond: the ServiceAccount is refused what the engine never does', async () => {
    const before = denied.length;
    const refused = async (what: string, call: () => Promise<unknown>) => {
      await assert.rejects(call, (e: unknown) => e instanceof HubError && e.status === 403, what);
    };
    await refused('listing namespaces', () => global.list(R.namespace));
    await refused('deleting a migration', () => global.delete(R.migration, 'off-global', NS));
    await refused('another Lease', () =>
      global.create(R.lease, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'not-ours', namespace: 'kube-system' },
      }),
    );
    await refused('a token for another ServiceAccount', () =>
      global.requestToken('kube-system', 'default', 600),
    );
    assert.equal(denied.length, before + 4, denied.join('\n'));
    denied.length = before;
  });
});

describe('observe mode (engine.enabled=false)', () => {
  test('the BFF can still list the hubs and read migrations, and can no longer write', async () => {
    // The chart's roles for observe mode, as `helm upgrade` would leave them: the engine's roles
    // and bindings go, the others are replaced.
    const observe = render({ engine: { enabled: false } });
    const key = (o: Record<string, unknown>) => {
      const md = o.metadata as { name: string; namespace?: string };
      return `${String(o.kind)}/${md.namespace ?? ''}/${md.name}`;
    };
    const kept = new Set(observe.manifests.map((m) => key(m.object)));
    const state = globalHub.state;
    for (const { object } of render().manifests) {
      const kind = String(object.kind);
      if (!RBAC_KINDS.has(kind) || kind === 'Namespace' || kept.has(key(object))) continue;
      const md = object.metadata as { name: string; namespace?: string };
      const plural = `${kind.toLowerCase()}s`;
      const rt = state.rt(
        kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io',
        'v1',
        plural,
      );
      state.delete(rt, md.namespace, md.name);
    }
    applyRbac(observe);
    const registry = connectAsBff(await serviceAccountToken());
    try {
      const hubs = await registry.refresh();
      assert.ok(hubs.every((h) => h.connected));
      assert.ok((await registry.global.list(R.migration, NS)).length >= 2);
      assert.deepEqual(denied, []);
      await assert.rejects(
        () =>
          registry.global.mergePatch(
            R.migration,
            'off-global',
            { metadata: { annotations: { x: 'y' } } },
            NS,
          ),
        (e: unknown) => e instanceof HubError && e.status === 403,
      );
      // The hub kubeconfig Secrets are readable in the BFF's namespace only.
      await assert.rejects(
        () => registry.global.list(R.secret, 'kube-system'),
        (e: unknown) => e instanceof HubError && e.status === 403,
      );
      await assert.rejects(
        () =>
          registry.global.create(R.lease, {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: 'hub-migration-engine-2', namespace: RELEASE_NS },
          }),
        (e: unknown) => e instanceof HubError && e.status === 403,
      );
      assert.equal(denied.length, 3, denied.join('\n'));
    } finally {
      registry.close();
    }
  });
});
