// The simulated klusterlet's own behaviour, as fleet-sim.md §2 describes it: its work agent follows
// its ManifestWork by watch (no re-reading between changes), a klusterlet notices at once that its
// hub denies it (OCM's hub-accept controller), and it then asks the other hubs it holds bootstrap
// kubeconfigs for before the hub that denied it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cloneJson, isObject } from '../apiserver/types.js';
import type { KubeObject } from '../apiserver/types.js';
import type { SimHub } from '../hub.js';
import { eventually, migrationRegistrationObjects, startTestFleet } from '../test-support.js';
import type { TestFleet } from '../test-support.js';
import { conditionStatus } from './registration.js';

let tf: TestFleet;
const MIG_NS = 'migration-agent';
const MIG_SA = 'migration-hub2';
/** A KlusterletConfig's timeout (s); with the scenario's scale 0.01 an agent waits 1.8 s. */
const HUB_CONNECTION_TIMEOUT_SECONDS = 180;

before(async () => {
  tf = await startTestFleet({
    name: 'klusterlet',
    hubs: [
      { name: 'hub1', globalHub: true, acmVersion: '2.14' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 1, namePattern: 'quiet-{n}', hub: 'hub1' },
      { count: 1, namePattern: 'mover-{n}', hub: 'hub1' },
    ],
    // A 2 s lease: an agent that re-read its ManifestWork every other heartbeat would do so
    // within the quiet window below.
    timings: { leaseDurationSeconds: 2, hubConnectionTimeoutScale: 0.01 },
  });
});
after(() => tf.stop());

const hub = (name: string): SimHub => tf.fleet.hub(name);
const rt = (h: SimHub, group: string, version: string, plural: string) =>
  h.state.rt(group, version, plural);
const mcRt = (h: SimHub) => rt(h, 'cluster.open-cluster-management.io', 'v1', 'managedclusters');
const mwRt = (h: SimHub) => rt(h, 'work.open-cluster-management.io', 'v1', 'manifestworks');
const count = (h: SimHub, key: string) => h.server.requestCounts()[key] ?? 0;
const GET_WORK = 'get manifestworks.work.open-cluster-management.io';
const CREATE_CSR = 'create certificatesigningrequests.certificates.k8s.io';

function updateMc(h: SimHub, name: string, change: (mc: KubeObject) => void): void {
  const mc = cloneJson(h.state.get(mcRt(h), undefined, name)!);
  change(mc);
  h.state.update(mcRt(h), undefined, name, mc);
}

/** The target's side of a migration: a ServiceAccount whose token registers clusters, auto-approved. */
function prepareTarget(): string {
  const target = hub('hub2');
  const [sa] = migrationRegistrationObjects(MIG_NS, MIG_SA)
    .map((o) => target.apply(o))
    .filter((o) => o.kind === 'ServiceAccount');
  const cmRt = rt(target, 'operator.open-cluster-management.io', 'v1', 'clustermanagers');
  const cm = cloneJson(target.state.get(cmRt, undefined, 'cluster-manager')!);
  cm.spec = {
    ...(isObject(cm.spec) ? cm.spec : {}),
    registrationConfiguration: {
      autoApproveUsers: [`system:serviceaccount:${MIG_NS}:${MIG_SA}`],
    },
  };
  target.state.update(cmRt, undefined, 'cluster-manager', cm);
  const { token } = target.authenticator.mint(MIG_NS, MIG_SA, sa.metadata.uid!, 3600, []);
  return target.kubeconfig(token, MIG_SA);
}

/** The source's side: the bootstrap Secret and the KlusterletConfig naming it, on the cluster. */
function prepareSource(targetKubeconfig: string, cluster: string): void {
  const source = hub('hub1');
  source.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bootstrap-hub2', namespace: 'multicluster-engine' },
    type: 'Opaque',
    data: { kubeconfig: Buffer.from(targetKubeconfig).toString('base64') },
  });
  source.apply({
    apiVersion: 'config.open-cluster-management.io/v1alpha1',
    kind: 'KlusterletConfig',
    metadata: { name: 'migration-hub2' },
    spec: {
      bootstrapKubeConfigs: {
        type: 'LocalSecrets',
        localSecretsConfig: {
          kubeConfigSecrets: [{ name: 'bootstrap-hub2' }],
          hubConnectionTimeoutSeconds: HUB_CONNECTION_TIMEOUT_SECONDS,
        },
      },
    },
  });
  updateMc(source, cluster, (mc) => {
    mc.metadata.annotations = {
      ...mc.metadata.annotations,
      'agent.open-cluster-management.io/klusterlet-config': 'migration-hub2',
    };
  });
}

function workApplied(h: SimHub, cluster: string): boolean {
  const mw = h.state.get(mwRt(h), cluster, `${cluster}-klusterlet`);
  const conditions =
    isObject(mw?.status) && Array.isArray(mw.status.conditions) ? mw.status.conditions : [];
  return conditions.some(
    (c) =>
      isObject(c) &&
      c.type === 'Applied' &&
      c.status === 'True' &&
      c.observedGeneration === mw?.metadata.generation,
  );
}

describe('klusterlet', () => {
  test('the work agent does not re-read an unchanged ManifestWork', async () => {
    const h = hub('hub1');
    // Every agent of the fleet (the hubs' own on the global hub too) has applied its work.
    const agents = [...tf.fleet.scheduler.klusterlets.keys()];
    await eventually(
      () => agents.every((c) => workApplied(h, c)),
      'every ManifestWork Applied after the agents joined',
      20_000,
    );
    const before = count(h, GET_WORK);
    // Over two lease periods: an agent polling with its heartbeats would read it meanwhile.
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(count(h, GET_WORK), before, 'no ManifestWork reads while nothing changed');
  });

  test('the work agent applies a changed ManifestWork at once (a watch, not its next heartbeat)', async () => {
    const targetKubeconfig = prepareTarget();
    const before = count(hub('hub1'), GET_WORK);
    prepareSource(targetKubeconfig, 'mover-1');
    // Notified of the change, the agent need not wait for a heartbeat.
    await eventually(
      () =>
        tf.fleet.klusterlet('mover-1').bootstrapSources().includes('bootstrap-hub2') &&
        workApplied(hub('hub1'), 'mover-1'),
      'mover-1 to apply the ManifestWork carrying bootstrap-hub2',
      2500,
    );
    assert.ok(
      count(hub('hub1'), GET_WORK) - before <= 2,
      'one read per change of the ManifestWork, not more',
    );
    assert.ok(!tf.fleet.klusterlet('quiet-1').bootstrapSources().includes('bootstrap-hub2'));
  });

  test('a denied klusterlet asks the other hub first: no CSR on the hub that denied it', async () => {
    const source = hub('hub1');
    const target = hub('hub2');
    target.apply({
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name: 'mover-1' },
      spec: { hubAcceptsClient: true, leaseDurationSeconds: 2 },
    });
    const csrsBefore = count(source, CREATE_CSR);
    updateMc(source, 'mover-1', (mc) => {
      mc.spec = { ...(isObject(mc.spec) ? mc.spec : {}), hubAcceptsClient: false };
    });
    // The hub-connection timeout (1.8 s here) after the next heartbeat (2 s) and a join; a
    // klusterlet that asked the denying hub first would wait out a CSR there (6 s) before this,
    // and the count below says it did not ask.
    await eventually(
      () =>
        tf.fleet.truth.cluster('mover-1').registeredTo === 'hub2' &&
        conditionStatus(
          target.state.get(mcRt(target), undefined, 'mover-1'),
          'ManagedClusterJoined',
        ) === 'True',
      'mover-1 to join hub2',
      12_000,
    );
    assert.equal(count(source, CREATE_CSR), csrsBefore, 'it never asked the hub that denied it');
  });

  test('a klusterlet sees at once that its hub denies it, not at its next heartbeat', async () => {
    const source = hub('hub1');
    const leaseRt = rt(source, 'coordination.k8s.io', 'v1', 'leases');
    // Heartbeats a minute apart, as OCM's default: the agent takes the period from its cluster.
    updateMc(source, 'quiet-1', (mc) => {
      mc.spec = { ...(isObject(mc.spec) ? mc.spec : {}), leaseDurationSeconds: 60 };
    });
    await eventually(
      () => {
        const lease = source.state.get(leaseRt, 'quiet-1', 'managed-cluster-lease');
        return isObject(lease?.spec) && lease.spec.leaseDurationSeconds === 60;
      },
      'quiet-1 to renew its lease every 60 s',
      10_000,
    );
    assert.equal(tf.fleet.truth.cluster('quiet-1').registeredTo, 'hub1');
    const denied = Date.now();
    updateMc(source, 'quiet-1', (mc) => {
      mc.spec = { ...(isObject(mc.spec) ? mc.spec : {}), hubAcceptsClient: false };
    });
    await eventually(
      () => tf.fleet.truth.cluster('quiet-1').registeredTo === null,
      'quiet-1 to count itself cut off from hub1',
      5000,
    );
    assert.ok(Date.now() - denied < 5000, 'within moments, not a heartbeat period later');
  });
});
