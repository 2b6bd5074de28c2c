// Validation of a migration against simulated fleets: one fleet per describe, with hubs on
// different ACM versions and components, ZTP clusters still provisioning, Placements, policies
// and other migrations. Every validation is also checked to have changed nothing on any hub.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import type { KubeObject } from '../hubs/hub-client.js';
import { HubClient } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import type { HubRegistry } from '../hubs/registry.js';
import { connectGlobalHub } from '../hubs/registry.js';
import { loadConfig, registrySettings } from '../config.js';
import { R } from '../hubs/resources.js';
import { createLogger } from '../log.js';
import type { ValidationInput, ValidationResult, VersionPolicy } from './validation.js';
import {
  DEFAULT_VERSION_POLICY,
  EUS_ANNOTATION,
  missingComponents,
  missingPolicyWarnings,
  validateMigration,
  versionErrors,
} from './validation.js';

const MIGRATIONS_NS = 'multicluster-global-hub';
const HUB_ANNOTATION = 'addon.open-cluster-management.io/on-multicluster-hub';

/** A started fleet, the registry the product would build, and admin clients for test edits. */
interface Env {
  tf: TestFleet;
  registry: HubRegistry;
  admin(hub: string): HubClient;
  /** Validates, asserting that nothing on any hub was written meanwhile. */
  validate(input: ValidationInput, policy?: VersionPolicy): Promise<ValidationResult>;
  stop(): Promise<void>;
}

async function startEnv(scenario: Record<string, unknown>): Promise<Env> {
  const tf = await startTestFleet(scenario);
  const kc = PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig());
  const registry = connectGlobalHub(kc, registrySettings(loadConfig({})), createLogger({}, 'warn'));
  await registry.refresh();
  const admins = new Map<string, HubClient>();
  const admin = (hub: string) => {
    let c = admins.get(hub);
    if (!c) {
      c = new HubClient(
        `${hub}-admin`,
        PooledKubeConfig.fromString(tf.fleet.hub(hub).kubeconfig()),
      );
      admins.set(hub, c);
    }
    return c;
  };
  const validate = async (input: ValidationInput, policy?: VersionPolicy) => {
    const before = writes(tf);
    const result = await validateMigration(input, {
      registry,
      migrationsNamespace: MIGRATIONS_NS,
      policy,
    });
    assert.deepEqual(writes(tf), before, 'validation must not write to any hub');
    await assertOnlyReads(registry, [...tf.fleet.hubs.keys()]);
    return result;
  };
  return {
    tf,
    registry,
    admin,
    validate,
    async stop() {
      registry.close();
      kc.close();
      for (const c of admins.values()) c.kubeConfig.close();
      await tf.stop();
    },
  };
}

/**
 * Every hub's count of requests that are not reads. The simulated klusterlets renew their leases
 * all the time: those are the only writes left out.
 */
function writes(tf: TestFleet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, hub] of tf.fleet.hubs) {
    for (const [k, n] of Object.entries(hub.server.requestCounts())) {
      const [verb, resource] = k.split(' ');
      if (['get', 'list', 'watch'].includes(verb) || resource?.startsWith('leases.')) continue;
      out[`${name} ${k}`] = n;
    }
  }
  return out;
}

/** The product's own clients (the registry's) have only ever read. */
async function assertOnlyReads(registry: HubRegistry, hubs: string[]): Promise<void> {
  const clients = [registry.global];
  for (const h of hubs) {
    try {
      clients.push(await registry.client(h));
    } catch {
      // a hub the registry cannot reach has no client to check
    }
  }
  for (const c of clients) {
    for (const k of Object.keys(c.callStats().calls))
      assert.match(k, /^(get|list) /, `${c.name} made a ${k} call`);
  }
}

function clusterCheck(r: ValidationResult, name: string) {
  const c = r.clusters.find((x) => x.name === name);
  assert.ok(c, `no result for cluster ${name} in ${JSON.stringify(r.clusters.map((x) => x.name))}`);
  return c;
}

function hubCheck(r: ValidationResult, role: 'source' | 'target') {
  const h = r.hubs.find((x) => x.role === role);
  assert.ok(h);
  return h;
}

// ---- pure rules ------------------------------------------------------------------------------

describe('version and component rules', () => {
  const policy: VersionPolicy = { maxMinorSkew: 1, eusMaxMinorSkew: 2, eusVersions: [] };
  test('same minor, one newer, two newer from EUS pass; older or too far ahead fail', () => {
    const from = (version: string, eus = false) => ({ hub: 's', version, eus });
    const to = (version: string) => ({ hub: 't', version });
    assert.deepEqual(versionErrors(from('2.13.1'), to('2.13.0'), policy), []);
    assert.deepEqual(versionErrors(from('2.13.0'), to('2.14.2'), policy), []);
    assert.deepEqual(versionErrors(from('2.13.0', true), to('2.15.0'), policy), []);
    assert.match(versionErrors(from('2.13.0'), to('2.15.0'), policy)[0], /2 minor versions ahead/);
    assert.match(
      versionErrors(from('2.13.0', true), to('2.16.0'), policy)[0],
      /3 minor versions ahead/,
    );
    assert.match(versionErrors(from('2.13.0'), to('2.12.9'), policy)[0], /older ACM/);
    assert.match(versionErrors(from('2.13.0'), to('3.0.0'), policy)[0], /major versions/);
  });

  test('a preview component is satisfied by its GA successor, nothing else is', () => {
    assert.deepEqual(missingComponents(['a', 'b-preview', 'c'], ['a', 'b']), ['c']);
    assert.deepEqual(missingComponents(['b'], ['b-preview']), ['b']);
  });

  test('policy warnings name the policy and the clusters, and list at most ten names', () => {
    const replica = (cluster: string, root: string): KubeObject => ({
      apiVersion: 'policy.open-cluster-management.io/v1',
      kind: 'Policy',
      metadata: {
        name: root,
        namespace: cluster,
        labels: { 'policy.open-cluster-management.io/root-policy': root },
      },
    });
    const clusters = Array.from({ length: 12 }, (_, i) => `c-${String(i + 1).padStart(2, '0')}`);
    const replicas = [
      ...clusters.map((c) => replica(c, 'fleet.base.v2')),
      replica('c-01', 'fleet.kept'),
      replica('other', 'fleet.base.v2'),
    ];
    const warnings = missingPolicyWarnings(
      replicas,
      new Set(['fleet/base.v2', 'fleet/kept']),
      new Set(['fleet/kept']),
      new Set(clusters),
      'hub1',
      'hub2',
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^policy fleet\/base\.v2 applies to 12 migrating clusters on source hub hub1 \(c-01, .*c-10 and 2 more\) but does not exist on target hub hub2: apply the policy to the target hub before migrating/,
    );
    assert.doesNotMatch(warnings[0], /other/);
  });
});

// ---- hubs ------------------------------------------------------------------------------------

describe('hub checks', () => {
  let env: Env;

  before(async () => {
    env = await startEnv({
      name: 'validation-hubs',
      hubs: [
        { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
        { name: 'hub13', acmVersion: '2.13' },
        { name: 'hub13-eus', acmVersion: '2.13', eus: true },
        { name: 'hub12', acmVersion: '2.12' },
        { name: 'hub14', acmVersion: '2.14' },
        { name: 'hub14-lean', acmVersion: '2.14', disabledComponents: ['search', 'hypershift'] },
        { name: 'hub15', acmVersion: '2.15' },
        { name: 'no-acm' },
      ],
      clusters: [{ count: 2, namePattern: 'c-{n}', hub: 'hub13' }],
      // Long leases: a busy test machine must not let a cluster turn Unknown mid-test.
      timings: { leaseDurationSeconds: 60 },
    });
    // A hub known on the global hub but with no agent (never Available) and no kubeconfig Secret.
    await env.admin('local-cluster').create(R.managedCluster, {
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name: 'hub-gone', annotations: { [HUB_ANNOTATION]: 'true' } },
      spec: { hubAcceptsClient: true },
    });
  });
  after(() => env.stop());

  test('the same minor or one newer passes, and the hubs report their ACM versions', async () => {
    const r = await env.validate({ from: 'hub13', to: 'hub14', clusters: ['c-1', 'c-2'] });
    assert.deepEqual(r.errors, []);
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.hubs.map((h) => [h.role, h.hub, h.acmVersion, h.ok]),
      [
        ['source', 'hub13', '2.13.0', true],
        ['target', 'hub14', '2.14.0', true],
      ],
    );
  });

  test('two minors newer fails from a non-EUS source, passes from EUS or with a wider policy', async () => {
    // No EUS releases configured: 2.13 is then an ordinary release.
    const noEus: VersionPolicy = { ...DEFAULT_VERSION_POLICY, eusVersions: [] };
    const plain = await env.validate({ from: 'hub13', to: 'hub15', clusters: ['c-1'] }, noEus);
    assert.equal(plain.ok, false);
    assert.match(
      hubCheck(plain, 'target').errors.join('\n'),
      /target hub hub15 runs ACM 2\.15\.0 and source hub hub13 runs ACM 2\.13\.0: the target is 2 minor versions ahead/,
    );
    assert.ok(plain.errors.some((e) => e.includes('2 minor versions ahead')));

    const eus = await env.validate({ from: 'hub13-eus', to: 'hub15', clusters: ['c-1'] }, noEus);
    assert.deepEqual(
      hubCheck(eus, 'target').errors,
      [],
      'the MultiClusterHub annotation marks an EUS hub',
    );
    const listed = await env.validate({ from: 'hub13', to: 'hub15', clusters: ['c-1'] });
    assert.deepEqual(hubCheck(listed, 'target').errors, [], 'by default 2.13 is an EUS release');
    assert.deepEqual(hubCheck(eus, 'target').errors, []);
    assert.deepEqual(hubCheck(eus, 'source').errors, []);

    const wide = await env.validate(
      { from: 'hub13', to: 'hub15', clusters: ['c-1'] },
      { maxMinorSkew: 2, eusMaxMinorSkew: 3, eusVersions: [] },
    );
    assert.equal(wide.ok, true, wide.errors.join('\n'));
  });

  test('the EUS marker is the annotation on the MultiClusterHub', async () => {
    const [mch] = await env.admin('hub13-eus').list(R.multiClusterHub);
    assert.equal(mch.metadata.annotations?.[EUS_ANNOTATION], 'true');
  });

  test('an older target fails', async () => {
    const r = await env.validate({ from: 'hub13', to: 'hub12', clusters: ['c-1'] });
    assert.equal(r.ok, false);
    assert.match(
      hubCheck(r, 'target').errors[0],
      /hub12 runs ACM 2\.12\.0 .*cannot move to an older ACM/,
    );
  });

  test('every component the source enables must be enabled on the target', async () => {
    const r = await env.validate({ from: 'hub13', to: 'hub14-lean', clusters: ['c-1'] });
    assert.equal(r.ok, false);
    const errs = hubCheck(r, 'target').errors;
    assert.equal(errs.length, 1);
    assert.match(
      errs[0],
      /target hub hub14-lean does not enable components that source hub hub13 enables: .*search \(MultiClusterHub\).*hypershift \(MultiClusterEngine\)/,
    );
    // The other way round nothing is missing: hub14-lean enables a subset of hub13's.
    const back = await env.validate({ from: 'hub14-lean', to: 'hub14', clusters: ['c-1'] });
    assert.deepEqual(hubCheck(back, 'target').errors, []);
  });

  test('a hub that is not a ManagedCluster of the global hub is not found', async () => {
    const r = await env.validate({ from: 'nowhere', to: 'hub14', clusters: ['c-1'] });
    assert.deepEqual(hubCheck(r, 'source').errors, ['managed hub cluster nowhere is not found']);
    assert.equal(r.ok, false);
  });

  test('a ManagedCluster that does not run ACM is not a hub', async () => {
    const r = await env.validate({ from: 'hub13', to: 'no-acm', clusters: ['c-1'] });
    assert.match(hubCheck(r, 'target').errors[0], /^no-acm is not a managed hub cluster/);
  });

  test('a hub that is not Available is not ready, and one without a kubeconfig is not connected', async () => {
    const r = await env.validate({ from: 'hub13', to: 'hub-gone', clusters: ['c-1'] });
    const errs = hubCheck(r, 'target').errors;
    assert.match(errs[0], /^managed hub cluster hub-gone is not ready/);
    assert.match(
      errs[1],
      /^managed hub cluster hub-gone is not connected: no kubeconfig Secret labelled hub-migration\.openshift\.io\/hub=hub-gone/,
    );
    // One line for the hub, its errors joined.
    assert.equal(r.errors.filter((e) => e.startsWith('managed hub cluster hub-gone')).length, 1);
  });

  test('missing hub names and the same hub twice are errors', async () => {
    const r = await env.validate({ from: '', to: '', clusters: ['c-1'] });
    assert.deepEqual(hubCheck(r, 'source').errors, ['source hub is not specified']);
    assert.deepEqual(hubCheck(r, 'target').errors, ['target hub is not specified']);
    const same = await env.validate({ from: 'hub13', to: 'hub13', clusters: ['c-1'] });
    assert.ok(same.errors.some((e) => /source and target hub are the same \(hub13\)/.test(e)));
    // Not also "already exists in target hub" for every cluster.
    assert.deepEqual(clusterCheck(same, 'c-1').errors, []);
  });

  test('all hub checks run: both hubs failing are both reported, and the clusters still checked', async () => {
    const r = await env.validate({ from: 'nowhere', to: 'hub-gone', clusters: ['c-1', 'Bad'] });
    assert.equal(hubCheck(r, 'source').ok, false);
    assert.equal(hubCheck(r, 'target').ok, false);
    assert.match(clusterCheck(r, 'Bad').errors[0], /not a valid managed cluster name/);
    // The clusters could not be looked at on either hub: each reason is said once, with a count
    // (c-1 only: an invalid name is checked no further), and c-1 itself says why it is not ok.
    assert.deepEqual(
      r.errors.filter((e) => e.endsWith('not checked)')),
      [
        'the managed clusters could not be checked: managed hub cluster nowhere is not found (1 cluster not checked)',
        'could not check whether the managed clusters already exist in target hub hub-gone: managed hub cluster hub-gone is not connected: no kubeconfig Secret labelled hub-migration.openshift.io/hub=hub-gone in namespace hub-migration (1 cluster not checked)',
      ],
    );
    assert.equal(clusterCheck(r, 'c-1').ok, false);
    assert.equal(r.errors.filter((e) => e.includes('c-1')).length, 0);
  });
});

// ---- clusters --------------------------------------------------------------------------------

describe('cluster checks', () => {
  let env: Env;
  const SELF = { name: 'self', namespace: MIGRATIONS_NS };

  before(async () => {
    env = await startEnv({
      name: 'validation-clusters',
      hubs: [
        { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
        { name: 'hub1', acmVersion: '2.13' },
        { name: 'hub2', acmVersion: '2.14' },
      ],
      clusters: [
        {
          count: 3,
          namePattern: 'sno-{n}',
          hub: 'hub1',
          ztp: true,
          clusterSet: 'prod',
          labels: { env: 'prod' },
        },
        {
          count: 1,
          namePattern: 'new-{n}',
          hub: 'hub1',
          ztp: true,
          provisioned: false,
          clusterSet: 'staging',
        },
        {
          count: 8,
          namePattern: 'dev-{n}',
          hub: 'hub1',
          clusterSet: 'dev',
          labels: { env: 'dev' },
        },
        { count: 1, namePattern: 'app-{n}', hub: 'hub2' },
      ],
      placements: [
        { hub: 'hub1', namespace: 'fleet', name: 'prod', clusterSets: ['prod'] },
        { hub: 'hub1', namespace: 'fleet', name: 'devs', clusterSets: ['dev'] },
        {
          hub: 'hub1',
          namespace: 'fleet',
          name: 'empty',
          clusterSets: ['prod'],
          matchLabels: { env: 'none' },
        },
        { hub: 'hub1', namespace: 'team-a', name: 'twin', clusterSets: ['dev'] },
        { hub: 'hub1', namespace: 'team-b', name: 'twin', clusterSets: ['dev'] },
      ],
      policies: [
        { hub: 'hub1', namespace: 'fleet', name: 'base', placement: 'prod' },
        { hub: 'hub1', namespace: 'fleet', name: 'shared', placement: 'prod' },
        { hub: 'hub2', namespace: 'fleet', name: 'shared', placement: 'prod' },
      ],
      timings: { leaseDurationSeconds: 60 },
    });
    const hub1 = env.admin('hub1');
    const hub2 = env.admin('hub2');
    const global = env.admin('local-cluster');
    const annotate = (name: string, annotations: Record<string, string>) =>
      hub1.mergePatch(R.managedCluster, name, { metadata: { annotations } });
    const managedCluster = (name: string, labels: Record<string, string> = {}): KubeObject => ({
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name, labels },
      spec: { hubAcceptsClient: true },
    });
    await annotate('dev-1', {
      'import.open-cluster-management.io/klusterlet-deploy-mode': 'Hosted',
    });
    await annotate('dev-2', { [HUB_ANNOTATION]: 'true' });
    await hub2.create(R.managedCluster, managedCluster('dev-3'));
    // dev-8 fails three checks at once.
    await annotate('dev-8', {
      'import.open-cluster-management.io/klusterlet-deploy-mode': 'Hosted',
      [HUB_ANNOTATION]: 'true',
    });
    await hub2.create(R.managedCluster, managedCluster('dev-8'));
    // Registered on hub1 but with no agent: never Available.
    await hub1.create(R.managedCluster, managedCluster('ghost'));
    await hub1.create(
      R.managedCluster,
      managedCluster('local-cluster', { 'local-cluster': 'true' }),
    );
    await hub1.create(
      R.managedCluster,
      managedCluster('self-managed', { 'local-cluster': 'true' }),
    );
    // sno-3 is provisioned except for its ImageClusterInstall.
    const ici = await hub1.get(R.imageClusterInstall, 'sno-3', 'sno-3');
    assert.ok(ici);
    const conditions = (
      ici.status as { conditions: { type: string; status: string; reason: string }[] }
    ).conditions.map((c) =>
      c.type === 'Completed'
        ? { ...c, status: 'False', reason: 'ClusterInstallationInProgress' }
        : c,
    );
    await hub1.replaceStatus(R.imageClusterInstall, {
      ...ici,
      status: { ...(ici.status as Record<string, unknown>), conditions },
    });
    // Other migrations on the global hub.
    const migration = async (name: string, phase: string, spec: Record<string, unknown>) => {
      const created = await global.create(R.migration, {
        apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
        kind: 'ManagedClusterMigration',
        metadata: { name, namespace: MIGRATIONS_NS },
        spec: { from: 'hub1', to: 'hub2', ...spec },
      });
      await global.replaceStatus(R.migration, { ...created, status: { phase } });
    };
    await migration('running', 'Deploying', { includedManagedClusters: ['dev-5'] });
    await migration('done', 'Completed', { includedManagedClusters: ['sno-1'] });
    await migration('by-placement', 'Registering', { includedManagedClustersPlacementRef: 'x' });
    await global.create(R.configMap, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'by-placement', namespace: MIGRATIONS_NS },
      data: { 'all-clusters': JSON.stringify(['dev-6']) },
    });
    await migration('self', 'Validating', { includedManagedClusters: ['sno-2'] });
    // Wait for the hub's controllers: decisions and policy replicas.
    const decided = async (placement: string) => {
      const pds = await hub1.list(R.placementDecision, 'fleet', {
        labelSelector: `cluster.open-cluster-management.io/placement=${placement}`,
      });
      return pds.flatMap(
        (d) => (d.status as { decisions?: unknown[] } | undefined)?.decisions ?? [],
      ).length;
    };
    await eventually(
      async () => (await decided('prod')) === 3 && (await decided('devs')) === 8,
      'placement decisions',
      20_000,
    );
    await eventually(
      async () => (await hub1.list(R.policy, 'sno-3')).length === 2,
      'policy replicas',
      20_000,
    );
  });
  after(() => env.stop());

  test('clusters that pass every check: ok, with their kind, and the policy missing on the target is a warning', async () => {
    const r = await env.validate({
      from: 'hub1',
      to: 'hub2',
      clusters: ['sno-1', 'sno-2', 'dev-4'],
      migration: SELF,
    });
    assert.deepEqual(r.errors, []);
    assert.equal(r.ok, true);
    assert.deepEqual(r.resolvedClusters, ['sno-1', 'sno-2', 'dev-4']);
    assert.deepEqual(
      r.clusters.map((c) => [c.name, c.kind, c.ok]),
      [
        ['sno-1', 'ztp', true],
        ['sno-2', 'ztp', true],
        ['dev-4', 'plain', true],
      ],
    );
    // fleet/base is not on hub2, fleet/shared is: one warning, for base, naming its clusters.
    assert.equal(r.warnings.length, 1, r.warnings.join('\n'));
    assert.equal(
      r.warnings[0],
      'policy fleet/base applies to 2 migrating clusters on source hub hub1 (sno-1, sno-2) but does not exist on target hub hub2: apply the policy to the target hub before migrating, or these clusters will no longer be governed by it',
    );
  });

  test('no policy warning for clusters no missing policy covers', async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['dev-4'] });
    assert.deepEqual(r.warnings, []);
  });

  test('input: exactly one of a list or a placement, a non-empty list, valid names, each once', async () => {
    const both = await env.validate({
      from: 'hub1',
      to: 'hub2',
      clusters: ['dev-4'],
      placementRef: 'prod',
    });
    assert.ok(both.errors.some((e) => e.includes('not both')));
    const neither = await env.validate({ from: 'hub1', to: 'hub2' });
    assert.ok(neither.errors.some((e) => e.startsWith('no managed clusters selected')));
    const empty = await env.validate({ from: 'hub1', to: 'hub2', clusters: [] });
    assert.ok(empty.errors.includes('the list of managed clusters to migrate is empty'));
    assert.equal(empty.ok, false);

    const r = await env.validate({
      from: 'hub1',
      to: 'hub2',
      clusters: ['dev-4', 'Dev_4', 'dev-4', 'x'.repeat(64)],
    });
    assert.deepEqual(r.resolvedClusters, ['dev-4', 'Dev_4', 'x'.repeat(64)]);
    assert.deepEqual(clusterCheck(r, 'dev-4').errors, [
      'managed cluster dev-4 is listed more than once (2 times)',
    ]);
    assert.match(
      clusterCheck(r, 'Dev_4').errors[0],
      /^"Dev_4" is not a valid managed cluster name: it must be a DNS-1123 label/,
    );
    assert.match(clusterCheck(r, 'x'.repeat(64)).errors[0], /not a valid managed cluster name/);
  });

  test('a cluster that is not on the source hub', async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['nope'] });
    assert.deepEqual(clusterCheck(r, 'nope').errors, [
      'managed cluster nope is not found in managed hub hub1',
    ]);
    assert.equal(r.ok, false);
  });

  test('hosted mode, a hub, a local cluster and an unavailable cluster cannot be migrated', async () => {
    const r = await env.validate({
      from: 'hub1',
      to: 'hub2',
      clusters: ['dev-1', 'dev-2', 'ghost', 'local-cluster', 'self-managed'],
    });
    assert.deepEqual(clusterCheck(r, 'dev-1').errors, [
      'managed cluster dev-1 is imported as hosted mode in managed hub hub1, it cannot be migrated',
    ]);
    assert.deepEqual(clusterCheck(r, 'dev-2').errors, [
      'managed cluster dev-2 is a managed hub cluster in managed hub hub1, it cannot be migrated',
    ]);
    assert.deepEqual(clusterCheck(r, 'ghost').errors, [
      'managed cluster ghost is not available in managed hub hub1, it cannot be migrated (no ManagedClusterConditionAvailable condition)',
    ]);
    assert.ok(
      clusterCheck(r, 'local-cluster').errors.includes(
        'managed cluster local-cluster is local cluster in managed hub hub1, it cannot be migrated',
      ),
    );
    assert.ok(
      clusterCheck(r, 'self-managed').errors.includes(
        'managed cluster self-managed is local cluster in managed hub hub1, it cannot be migrated',
      ),
    );
    // One line per failing cluster.
    assert.equal(r.errors.length, 5);
  });

  test('a cluster that already exists on the target', async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['dev-3'] });
    assert.deepEqual(clusterCheck(r, 'dev-3').errors, [
      'managed cluster dev-3 already exists in target hub hub2',
    ]);
  });

  test('every check runs: a cluster failing three checks reports all three on one line', async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['dev-8', 'dev-4'] });
    const errs = clusterCheck(r, 'dev-8').errors;
    assert.equal(errs.length, 3, errs.join('\n'));
    assert.match(
      errs.join('\n'),
      /hosted mode[\s\S]*managed hub cluster[\s\S]*already exists in target hub hub2/,
    );
    assert.deepEqual(r.errors, [errs.join('; ')]);
    assert.equal(clusterCheck(r, 'dev-4').ok, true);
  });

  test('a cluster in another unfinished migration, from its list or its frozen placement result', async () => {
    const r = await env.validate({
      from: 'hub1',
      to: 'hub2',
      clusters: ['dev-5', 'dev-6', 'sno-1', 'sno-2'],
      migration: SELF,
    });
    assert.deepEqual(clusterCheck(r, 'dev-5').errors, [
      'managed cluster dev-5 is already in migration running (Deploying), which has not finished',
    ]);
    assert.deepEqual(clusterCheck(r, 'dev-6').errors, [
      'managed cluster dev-6 is already in migration by-placement (Registering), which has not finished',
    ]);
    // A Completed migration holds nothing; the migration being validated does not hold its own.
    assert.equal(clusterCheck(r, 'sno-1').ok, true);
    assert.equal(clusterCheck(r, 'sno-2').ok, true);
    // The wizard's dry run has no migration yet: then "self" is just another migration.
    const dry = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['sno-2'] });
    assert.deepEqual(clusterCheck(dry, 'sno-2').errors, [
      'managed cluster sno-2 is already in migration self (Validating), which has not finished',
    ]);
  });

  test('ZTP clusters must have finished provisioning, naming the objects that have not', async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['new-1', 'sno-3'] });
    const installing = clusterCheck(r, 'new-1');
    assert.equal(installing.kind, 'ztp');
    const ztp = installing.errors.find((e) => e.includes('has not finished provisioning'));
    assert.ok(ztp, installing.errors.join('\n'));
    assert.match(
      ztp,
      /^managed cluster new-1 has not finished provisioning in managed hub hub1, it cannot be migrated yet: /,
    );
    assert.match(
      ztp,
      /ClusterDeployment new-1\/new-1 is not provisioned \(spec\.installed=false, Provisioned=False \(Provisioning\)\)/,
    );
    assert.match(
      ztp,
      /ImageClusterInstall new-1\/new-1 has not completed \(Completed=False \(ClusterInstallationInProgress\)\)/,
    );
    assert.match(
      ztp,
      /ClusterInstance new-1\/new-1 is not provisioned \(Provisioned=False \(InProgress\)\)/,
    );

    const sno3 = clusterCheck(r, 'sno-3');
    assert.equal(sno3.errors.length, 1, sno3.errors.join('\n'));
    assert.match(
      sno3.errors[0],
      /: ImageClusterInstall sno-3\/sno-3 has not completed \(Completed=False \(ClusterInstallationInProgress\)\)$/,
    );
  });

  test('a placement resolves to its decisions, read from the source hub', async () => {
    const r = await env.validate({
      from: 'hub1',
      to: 'hub2',
      placementRef: 'prod',
      migration: SELF,
    });
    assert.deepEqual(r.resolvedClusters, ['sno-1', 'sno-2', 'sno-3']);
    assert.deepEqual(
      r.clusters.map((c) => c.kind),
      ['ztp', 'ztp', 'ztp'],
    );
    // sno-3's unfinished ImageClusterInstall is the only error.
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], /sno-3/);
    assert.ok(r.warnings[0].startsWith('policy fleet/base applies to 3 migrating clusters'));
  });

  test('placement-based migrations also check that the clusters are not on the target', async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', placementRef: 'devs' });
    assert.equal(r.resolvedClusters.length, 8);
    assert.ok(
      clusterCheck(r, 'dev-3').errors.includes(
        'managed cluster dev-3 already exists in target hub hub2',
      ),
    );
  });

  test('a placement that is missing, ambiguous or empty', async () => {
    const missing = await env.validate({ from: 'hub1', to: 'hub2', placementRef: 'nothing' });
    assert.ok(missing.errors.includes('placement "nothing" is not found in managed hub hub1'));
    const twin = await env.validate({ from: 'hub1', to: 'hub2', placementRef: 'twin' });
    assert.ok(
      twin.errors.some((e) =>
        e.startsWith(
          'placement "twin" exists in 2 namespaces of managed hub hub1 (team-a, team-b)',
        ),
      ),
    );
    const empty = await env.validate({ from: 'hub1', to: 'hub2', placementRef: 'empty' });
    assert.ok(empty.errors.includes('no managed clusters found in placement "empty"'));
    for (const r of [missing, twin, empty]) {
      assert.equal(r.ok, false);
      assert.deepEqual(r.resolvedClusters, []);
    }
  });

  test('a target hub that cannot be reached: the hub is not connected, the reason said once', async () => {
    const hub2 = env.tf.fleet.hub('hub2');
    await hub2.server.startOutage();
    try {
      const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: ['dev-4', 'dev-7'] });
      assert.match(hubCheck(r, 'target').errors[0], /^managed hub cluster hub2 is not connected/);
      assert.match(
        clusterCheck(r, 'dev-4').errors[0],
        /^could not check whether managed cluster dev-4 already exists in target hub hub2/,
      );
      const lines = r.errors.filter((e) => e.includes('already exist'));
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(
        lines[0],
        /^could not check whether the managed clusters already exist in target hub hub2: managed hub cluster hub2 is not connected: .+ \(2 clusters not checked\)$/,
      );
      assert.equal(r.ok, false);
    } finally {
      await hub2.server.endOutage();
    }
  });
});

// ---- scale -----------------------------------------------------------------------------------

describe('validation at scale', () => {
  let env: Env;
  const COUNT = 1200;

  before(async () => {
    env = await startEnv({
      name: 'validation-scale',
      hubs: [
        { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
        { name: 'hub1', acmVersion: '2.14' },
        { name: 'hub2', acmVersion: '2.15' },
      ],
      clusters: [
        { count: 1000, namePattern: 'edge-{n:4}', hub: 'hub1' },
        { count: COUNT - 1000, namePattern: 'sno-{n:4}', hub: 'hub1', ztp: true },
      ],
      placements: [{ hub: 'hub1', namespace: 'fleet', name: 'everything', clusterSets: [] }],
      timings: { leaseDurationSeconds: 60 },
    });
    const hub1 = env.admin('hub1');
    await eventually(
      async () => {
        const pds = await hub1.list(R.placementDecision, 'fleet');
        return (
          pds.flatMap((d) => (d.status as { decisions?: unknown[] } | undefined)?.decisions ?? [])
            .length === COUNT
        );
      },
      'placement decisions for every cluster',
      60_000,
    );
  });
  after(() => env.stop());

  test(`${COUNT} listed clusters are all checked and reported`, async () => {
    const names = env.tf.fleet.clusterNames();
    assert.equal(names.length, COUNT);
    const r = await env.validate({ from: 'hub1', to: 'hub2', clusters: names });
    assert.deepEqual(r.errors, []);
    assert.equal(r.ok, true);
    assert.equal(r.clusters.length, COUNT);
    assert.ok(r.clusters.every((c) => c.ok));
    assert.equal(r.clusters.filter((c) => c.kind === 'ztp').length, COUNT - 1000);
  });

  test(`a placement deciding ${COUNT} clusters resolves to all of them`, async () => {
    const r = await env.validate({ from: 'hub1', to: 'hub2', placementRef: 'everything' });
    assert.equal(r.resolvedClusters.length, COUNT);
    assert.equal(r.clusters.length, COUNT);
    assert.equal(r.ok, true, r.errors.slice(0, 5).join('\n'));
  });
});
