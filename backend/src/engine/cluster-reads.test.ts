// Shared reads against a simulated hub with 120 ZTP clusters (over 500 Secrets, so a
// cluster-wide read of them takes two pages): for many clusters each kind is read once across
// namespaces and gives exactly what per-namespace reads give; for a few clusters of the hub a kind
// that does not fit the first small page is read per namespace instead; a kind the hub does not
// serve reads as empty. Call counts come from the hub client's own accounting.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import { HubClient } from '../hubs/hub-client.js';
import type { KubeObject } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import { R } from '../hubs/resources.js';
import type { Res } from '../hubs/resources.js';
import { directReads, sharedReads } from './cluster-reads.js';
import { collectClusterResources } from './resources.js';

const CLUSTERS = 120;
const names = Array.from({ length: CLUSTERS }, (_, i) => `sno-${i + 1}`);
let tf: TestFleet;
let hub1: HubClient;

before(async () => {
  tf = await startTestFleet({
    name: 'cluster-reads',
    hubs: [
      { name: 'global', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.14' },
    ],
    clusters: [
      { count: CLUSTERS, namePattern: 'sno-{n}', hub: 'hub1', ztp: true },
      { count: 2, namePattern: 'plain-{n}', hub: 'hub1' },
    ],
    timings: { leaseDurationSeconds: 30 },
  });
  hub1 = new HubClient('hub1', PooledKubeConfig.fromString(tf.fleet.hub('hub1').kubeconfig()));
});

after(async () => {
  hub1.kubeConfig.close();
  await tf.stop();
});

const NAMESPACED: Res[] = [
  R.secret,
  R.configMap,
  R.bareMetalHost,
  R.hostFirmwareSettings,
  R.firmwareSchema,
  R.hostFirmwareComponents,
  R.dataImage,
  R.clusterDeployment,
  R.imageClusterInstall,
  R.klusterletAddonConfig,
];

/** The calls a block makes, by "verb plural". */
async function callsOf(fn: () => Promise<void>): Promise<Record<string, number>> {
  const before = hub1.callStats().calls;
  await fn();
  const after = hub1.callStats().calls;
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, n]) => [k, n - (before[k] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

const byName = (objs: KubeObject[]) =>
  objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

test('for many clusters each kind is read once across namespaces and matches per-namespace reads', async () => {
  const secretCount = (await hub1.list(R.secret)).length;
  assert.ok(secretCount > 500, `the hub holds ${secretCount} Secrets: more than one page`);
  const direct = directReads(hub1);
  const shared = sharedReads(hub1, names);
  const got = new Map<string, string[]>();
  const calls = await callsOf(async () => {
    for (const c of names) {
      for (const res of NAMESPACED)
        got.set(`${res.plural}/${c}`, byName(await shared.list(res, c)));
      const mc = await shared.get(R.managedCluster, c);
      got.set(`managedcluster/${c}`, mc ? [mc.metadata.name] : []);
      const cd = await shared.get(R.clusterDeployment, c, c);
      got.set(`cd/${c}`, cd ? [cd.metadata.name] : []);
    }
  });
  // One read per kind, two pages for the Secrets; not one per cluster.
  assert.deepEqual(
    calls,
    {
      'list secrets': 2,
      ...Object.fromEntries(
        [...NAMESPACED.slice(1), R.managedCluster].map((r) => [`list ${r.plural}`, 1]),
      ),
    },
    JSON.stringify(calls),
  );
  for (const c of names) {
    for (const res of NAMESPACED) {
      const want = byName(await direct.list(res, c));
      assert.ok(want.length > 0 || res === R.dataImage, `${res.plural} in ${c}`);
      assert.deepEqual(got.get(`${res.plural}/${c}`), want, `${res.plural} in ${c}`);
    }
    assert.deepEqual(got.get(`managedcluster/${c}`), [c]);
    assert.deepEqual(got.get(`cd/${c}`), [c]);
  }
  // Names the set does not hold are read directly, not looked up in it.
  assert.equal((await shared.get(R.managedCluster, 'plain-1'))?.metadata.name, 'plain-1');
  assert.equal(await shared.get(R.clusterDeployment, 'sno-1', 'plain-1'), undefined);
});

test('collecting a cluster through shared reads gives what direct reads give', async () => {
  const shared = sharedReads(hub1, names.slice(0, 40));
  for (const c of ['sno-1', 'sno-17', 'sno-40']) {
    const viaShared = await collectClusterResources(hub1, c, { reads: shared });
    const viaDirect = await collectClusterResources(hub1, c);
    assert.ok(viaShared.length >= 10, `${c}: ${viaShared.length} objects`);
    assert.deepEqual(viaShared, viaDirect, c);
  }
});

test('for a few clusters of a large hub a kind that does not fit a small first page is read per namespace', async () => {
  const few = ['sno-5', 'sno-99'];
  const shared = sharedReads(hub1, few);
  const direct = directReads(hub1);
  const want = await Promise.all(few.map(async (c) => byName(await direct.list(R.secret, c))));
  const got: string[][] = [];
  const calls = await callsOf(async () => {
    for (const c of few) got.push(byName(await shared.list(R.secret, c)));
  });
  assert.deepEqual(got, want);
  assert.ok(want.every((w) => w.length > 0));
  // One small look (2 x 50 objects, not 500), then one read per namespace.
  assert.equal(calls['list secrets'], 1 + few.length, JSON.stringify(calls));
});

test('a kind the hub does not serve reads as empty, once', async () => {
  const nothing: Res = {
    group: 'example.io',
    version: 'v1',
    kind: 'Nothing',
    plural: 'nothings',
    namespaced: true,
  };
  const shared = sharedReads(hub1, names);
  const calls = await callsOf(async () => {
    assert.deepEqual(await shared.list(nothing, 'sno-1'), []);
    assert.deepEqual(await shared.list(nothing, 'sno-2'), []);
    assert.equal(await shared.get(nothing, 'x', 'sno-3'), undefined);
  });
  assert.deepEqual(calls, { 'list nothings': 1 }, JSON.stringify(calls));
});

test('a prefetch reads the kinds ahead; their later use makes no call', async () => {
  const first = sharedReads(hub1, names.slice(0, 30));
  await first.list(R.bareMetalHost, 'sno-1');
  await first.get(R.managedCluster, 'sno-2');
  assert.deepEqual(
    first.kindsRead().map((r) => r.plural),
    ['baremetalhosts', 'managedclusters'],
  );
  const next = sharedReads(hub1, names.slice(30, 60));
  const calls = await callsOf(async () => {
    next.prefetch(first.kindsRead());
    // Started at once, and a kind asked for twice ahead is still read once.
    assert.deepEqual(
      next.kindsRead().map((r) => r.plural),
      ['baremetalhosts', 'managedclusters'],
    );
    next.prefetch(first.kindsRead());
    assert.equal((await next.list(R.bareMetalHost, 'sno-31')).length, 1);
    assert.equal((await next.get(R.managedCluster, 'sno-60'))?.metadata.name, 'sno-60');
  });
  assert.deepEqual(calls, { 'list baremetalhosts': 1, 'list managedclusters': 1 });
});
