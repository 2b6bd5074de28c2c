// @kubernetes/client-node against a simulated hub: the same library the BFF uses for every hub.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ApiException,
  CoreV1Api,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import type { KubernetesObject, V1ConfigMap, V1ObjectMeta } from '@kubernetes/client-node';
import { eventually, kubeConfigFor, rawRequest, startTestFleet } from '../test-support.js';
import type { TestFleet } from '../test-support.js';

let tf: TestFleet;

before(async () => {
  tf = await startTestFleet(
    {
      name: 'client-node',
      hubs: [{ name: 'hub1', globalHub: true }],
      users: [{ name: 'nobody', token: 'nobody-token', groups: [] }],
    },
    { bookmarkIntervalMs: 100 },
  );
});
after(() => tf.stop());

const hub = () => tf.fleet.hub('hub1');
const core = (token?: string) => kubeConfigFor(hub(), token).makeApiClient(CoreV1Api);

async function ns(name: string): Promise<void> {
  await core().createNamespace({ body: { metadata: { name } } });
}

/** client-node sends JSON patches unless told otherwise. */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function cm(
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): V1ConfigMap {
  return { metadata: { name, labels }, data };
}

async function apiError(p: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return e as ApiException<string>;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('informers', () => {
  test('list then watch, seeing every change exactly once', async () => {
    await ns('inf1');
    for (let i = 0; i < 30; i++)
      await core().createNamespacedConfigMap({ namespace: 'inf1', body: cm(`pre-${i}`) });
    const kc = kubeConfigFor(hub());
    const api = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, '/api/v1/namespaces/inf1/configmaps', () =>
      api.listNamespacedConfigMap({ namespace: 'inf1' }),
    );
    const seen = {
      add: new Map<string, number>(),
      update: new Map<string, number>(),
      delete: new Map<string, number>(),
    };
    const bump = (m: Map<string, number>, o: V1ConfigMap) =>
      m.set(o.metadata!.name!, (m.get(o.metadata!.name!) ?? 0) + 1);
    informer.on('add', (o) => bump(seen.add, o));
    informer.on('update', (o) => bump(seen.update, o));
    informer.on('delete', (o) => bump(seen.delete, o));
    await informer.start();
    assert.equal(seen.add.size, 30);
    for (let i = 0; i < 10; i++)
      await api.createNamespacedConfigMap({ namespace: 'inf1', body: cm(`live-${i}`) });
    for (let i = 0; i < 10; i++)
      await api.patchNamespacedConfigMap(
        { namespace: 'inf1', name: `pre-${i}`, body: { data: { v: '1' } } },
        mergePatch,
      );
    for (let i = 10; i < 15; i++)
      await api.deleteNamespacedConfigMap({ namespace: 'inf1', name: `pre-${i}` });
    await eventually(
      () => seen.delete.size === 5 && seen.add.size === 40 && seen.update.size === 10,
      'all changes',
    );
    await new Promise((r) => setTimeout(r, 200));
    await informer.stop();
    assert.ok(
      [...seen.add.values()].every((n) => n === 1),
      'each object added once',
    );
    assert.ok(
      [...seen.update.values()].every((n) => n === 1),
      'each patch seen once',
    );
    assert.ok(
      [...seen.delete.values()].every((n) => n === 1),
      'each delete seen once',
    );
    assert.equal(informer.list('inf1').length, 35);
  });

  test('a watch from a compacted resourceVersion gets 410 and the informer re-lists', async () => {
    await ns('inf2');
    const kc = kubeConfigFor(hub());
    const api = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++)
      await api.createNamespacedConfigMap({ namespace: 'inf2', body: cm(`c-${i}`) });
    const informer = makeInformer(kc, '/api/v1/namespaces/inf2/configmaps', () =>
      api.listNamespacedConfigMap({ namespace: 'inf2' }),
    );
    const updates: string[] = [];
    const deletes: string[] = [];
    const adds: string[] = [];
    informer.on('add', (o) => adds.push(o.metadata!.name!));
    informer.on('update', (o) => updates.push(o.metadata!.name!));
    informer.on('delete', (o) => deletes.push(o.metadata!.name!));
    await informer.start();
    // Make changes while the informer is cut off, then forget their history: its next watch
    // asks for a resourceVersion the server no longer has.
    await api.patchNamespacedConfigMap(
      { namespace: 'inf2', name: 'c-0', body: { data: { x: '1' } } },
      mergePatch,
    );
    await api.deleteNamespacedConfigMap({ namespace: 'inf2', name: 'c-1' });
    await eventually(() => updates.length === 1 && deletes.length === 1, 'changes before the cut');
    const rt = hub().state.rt('', 'v1', 'configmaps');
    const counts = hub().server.requestCounts();
    const listsBefore = counts['list configmaps'] ?? 0;
    // The informer's next watch request is held up by latency while the changes are made in the
    // hub directly, so it arrives asking for history that is gone.
    hub().server.setFaults({ latencyMs: 300 });
    hub().server.dropConnections();
    const state = hub().state;
    state.patch(rt, 'inf2', 'c-2', 'merge', { data: { x: '2' } });
    state.delete(rt, 'inf2', 'c-3');
    state.create(rt, 'inf2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-new' } });
    state.compactHistory(rt, 0);
    await new Promise((r) => setTimeout(r, 350));
    hub().server.setFaults({});
    await eventually(
      () => deletes.includes('c-3') && adds.includes('c-new') && updates.includes('c-2'),
      'changes made during the cut',
    );
    assert.ok(
      (hub().server.requestCounts()['list configmaps'] ?? 0) > listsBefore,
      'the informer listed again',
    );
    await new Promise((r) => setTimeout(r, 200));
    await informer.stop();
    assert.deepEqual(
      informer
        .list('inf2')
        .map((o) => o.metadata!.name)
        .sort(),
      ['c-0', 'c-2', 'c-4', 'c-new'],
    );
    assert.deepEqual(deletes.sort(), ['c-1', 'c-3']);
    assert.equal(updates.filter((n) => n === 'c-2').length, 1);
  });

  test('watch bookmarks carry the current resourceVersion', async () => {
    await ns('bm');
    const kc = kubeConfigFor(hub());
    const events: { type: string; rv: string }[] = [];
    const watch = new Watch(kc);
    const ctl = await watch.watch(
      '/api/v1/namespaces/bm/configmaps',
      { allowWatchBookmarks: true, resourceVersion: hub().state.currentResourceVersion() },
      (type, obj: V1ConfigMap) => events.push({ type, rv: obj.metadata?.resourceVersion ?? '' }),
      () => undefined,
    );
    await core().createNamespacedConfigMap({ namespace: 'bm', body: cm('one') });
    // A bookmark sent after the add: one sent before it (every 100 ms) rightly carries an older
    // version, and taking the last bookmark seen without this wait made the test flaky.
    const bookmarkAfterAdd = () =>
      events
        .slice(events.findIndex((e) => e.type === 'ADDED') + 1)
        .find((e) => e.type === 'BOOKMARK');
    await eventually(
      () => events.some((e) => e.type === 'ADDED') && bookmarkAfterAdd() !== undefined,
      'a bookmark after the add',
    );
    ctl.abort();
    const added = events.find((e) => e.type === 'ADDED')!;
    assert.ok(Number(bookmarkAfterAdd()!.rv) >= Number(added.rv));
  });
});

describe('writes', () => {
  test('20 concurrent writers: stale updates get 409 and no increment is lost', async () => {
    await ns('race');
    const api = core();
    await api.createNamespacedConfigMap({ namespace: 'race', body: cm('counter', { n: '0' }) });
    let conflicts = 0;
    const INCREMENTS = 5;
    const writer = async () => {
      for (let i = 0; i < INCREMENTS; i++) {
        for (;;) {
          const cur = await api.readNamespacedConfigMap({ namespace: 'race', name: 'counter' });
          cur.data = { n: String(Number(cur.data!.n) + 1) };
          try {
            await api.replaceNamespacedConfigMap({ namespace: 'race', name: 'counter', body: cur });
            break;
          } catch (e) {
            if (e instanceof ApiException && e.code === 409) conflicts++;
            else throw e;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, writer));
    const final = await api.readNamespacedConfigMap({ namespace: 'race', name: 'counter' });
    assert.equal(final.data!.n, String(20 * INCREMENTS));
    assert.ok(conflicts > 0, 'some writers raced and got 409');
  });

  test('create of an existing name is 409 AlreadyExists; a missing object is 404 NotFound', async () => {
    await ns('errs');
    const api = core();
    await api.createNamespacedConfigMap({ namespace: 'errs', body: cm('a') });
    const dup = await apiError(api.createNamespacedConfigMap({ namespace: 'errs', body: cm('a') }));
    assert.equal(dup.code, 409);
    assert.match(String(dup.body), /"reason":"AlreadyExists"/);
    const missing = await apiError(api.readNamespacedConfigMap({ namespace: 'errs', name: 'zzz' }));
    assert.equal(missing.code, 404);
    assert.match(String(missing.body), /configmaps \\"zzz\\" not found/);
  });

  test('paging with limit and continue returns every object once, in key order', async () => {
    await ns('paging');
    const api = core();
    for (let i = 0; i < 25; i++)
      await api.createNamespacedConfigMap({
        namespace: 'paging',
        body: cm(`p-${String(i).padStart(2, '0')}`),
      });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await api.listNamespacedConfigMap({
        namespace: 'paging',
        limit: 7,
        _continue: token,
      });
      names.push(...page.items.map((o) => o.metadata!.name!));
      token = page.metadata?._continue;
      pages++;
    } while (token);
    assert.equal(pages, 4);
    assert.deepEqual(
      names,
      Array.from({ length: 25 }, (_, i) => `p-${String(i).padStart(2, '0')}`),
    );
  });

  test('generic objects through KubernetesObjectApi: CRD kinds, status subresource and generation', async () => {
    const client = KubernetesObjectApi.makeApiClient(kubeConfigFor(hub()));
    const created = await client.create({
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name: 'gen-test' },
      spec: { hubAcceptsClient: true },
      status: { conditions: [] },
    });
    assert.equal((created.metadata as V1ObjectMeta).generation, 1);
    assert.equal(
      (created as { status?: unknown }).status,
      undefined,
      'status is ignored on create',
    );
    const patched = await client.patch(
      {
        apiVersion: 'cluster.open-cluster-management.io/v1',
        kind: 'ManagedCluster',
        metadata: { name: 'gen-test', labels: { a: 'b' } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json',
    );
    assert.equal(
      (patched.metadata as V1ObjectMeta).generation,
      1,
      'metadata changes keep the generation',
    );
    const specPatch: KubernetesObject & { spec: { hubAcceptsClient: boolean } } = {
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name: 'gen-test' },
      spec: { hubAcceptsClient: false },
    };
    const spec = await client.patch(
      specPatch,
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json',
    );
    assert.equal(spec.metadata?.generation, 2, 'spec changes bump the generation');
  });
});

describe('authentication and authorization', () => {
  test('no token or an unknown token is 401', async () => {
    const none = await rawRequest(hub(), tf.fleet, 'GET', '/api/v1/namespaces', { token: null });
    assert.equal(none.status, 401);
    assert.deepEqual((none.json() as { reason: string }).reason, 'Unauthorized');
    const bad = await apiError(core('not-a-token').listNamespace());
    assert.equal(bad.code, 401);
  });

  test('a user without RBAC gets 403 with the reason, and can after a RoleBinding', async () => {
    const denied = await apiError(
      core('nobody-token').listNamespacedConfigMap({ namespace: 'default' }),
    );
    assert.equal(denied.code, 403);
    assert.match(
      String(denied.body),
      /User \\"nobody\\" cannot list resource \\"configmaps\\" in API group \\"\\" in the namespace \\"default\\"/,
    );
    await kubeConfigFor(hub())
      .makeApiClient((await import('@kubernetes/client-node')).RbacAuthorizationV1Api)
      .createNamespacedRoleBinding({
        namespace: 'default',
        body: {
          metadata: { name: 'nobody-view' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'User', name: 'nobody', apiGroup: 'rbac.authorization.k8s.io' }],
        },
      });
    const ok = await core('nobody-token').listNamespacedConfigMap({ namespace: 'default' });
    assert.ok(Array.isArray(ok.items));
    const elsewhere = await apiError(
      core('nobody-token').listNamespacedConfigMap({ namespace: 'kube-system' }),
    );
    assert.equal(elsewhere.code, 403, 'a RoleBinding grants only in its namespace');
  });

  test('TokenRequest tokens authenticate as the ServiceAccount and die with it', async () => {
    const api = core();
    await api.createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'robot' } },
    });
    const tr = await api.createNamespacedServiceAccountToken({
      namespace: 'default',
      name: 'robot',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = tr.status!.token;
    const review = await rawRequest(
      hub(),
      tf.fleet,
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      {
        contentType: 'application/json',
        body: JSON.stringify({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token },
        }),
      },
    );
    const status = (
      review.json() as { status: { authenticated: boolean; user: { username: string } } }
    ).status;
    assert.equal(status.authenticated, true);
    assert.equal(status.user.username, 'system:serviceaccount:default:robot');
    const forbidden = await apiError(core(token).listNamespace());
    assert.equal(forbidden.code, 403, 'authenticated but not authorized');
    await api.deleteNamespacedServiceAccount({ namespace: 'default', name: 'robot' });
    const gone = await apiError(core(token).listNamespace());
    assert.equal(gone.code, 401, 'the token died with its ServiceAccount');
  });
});

describe('bad input gets Status errors and the server keeps serving', () => {
  const post = (path: string, body: string, contentType = 'application/json') =>
    rawRequest(hub(), tf.fleet, 'POST', path, { body, contentType });

  test('malformed JSON is 400 BadRequest', async () => {
    const r = await post('/api/v1/namespaces/default/configmaps', '{"metadata": {');
    assert.equal(r.status, 400);
    assert.equal((r.json() as { kind: string; reason: string }).reason, 'BadRequest');
  });

  test('malformed YAML is 400 BadRequest', async () => {
    const r = await post(
      '/api/v1/namespaces/default/configmaps',
      'metadata: {name: [x',
      'application/yaml',
    );
    assert.equal(r.status, 400);
  });

  test('the wrong kind for a resource is 400 BadRequest', async () => {
    const r = await post(
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }),
    );
    assert.equal(r.status, 400);
    assert.match((r.json() as { message: string }).message, /does not match/);
  });

  test('a missing name is 422 Invalid with the field', async () => {
    const r = await post(
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }),
    );
    assert.equal(r.status, 422);
    const st = r.json() as { reason: string; details: { causes: { field: string }[] } };
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.details.causes[0].field, 'metadata.name');
  });

  test('an invalid name or label is 422 Invalid', async () => {
    const r = await post(
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'Bad_Name', labels: { 'a b': 'c' } },
      }),
    );
    assert.equal(r.status, 422);
    assert.equal((r.json() as { details: { causes: unknown[] } }).details.causes.length, 2);
  });

  test('an invalid label selector is 400 BadRequest', async () => {
    const r = await rawRequest(
      hub(),
      tf.fleet,
      'GET',
      `/api/v1/configmaps?labelSelector=${encodeURIComponent('a in (b')}`,
    );
    assert.equal(r.status, 400);
    assert.match((r.json() as { message: string }).message, /unable to parse requirement/);
  });

  test('an unsupported field selector is 400 BadRequest', async () => {
    const r = await rawRequest(
      hub(),
      tf.fleet,
      'GET',
      `/api/v1/configmaps?fieldSelector=${encodeURIComponent('data.x=1')}`,
    );
    assert.equal(r.status, 400);
    assert.match((r.json() as { message: string }).message, /field label not supported: data.x/);
  });

  test('an unknown resource or group is 404 NotFound', async () => {
    assert.equal((await rawRequest(hub(), tf.fleet, 'GET', '/api/v1/widgets')).status, 404);
    assert.equal(
      (await rawRequest(hub(), tf.fleet, 'GET', '/apis/nope.example.com/v1/things')).status,
      404,
    );
  });

  test('a body over 3 MiB is 413', async () => {
    const r = await post(
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'big' },
        data: { x: 'x'.repeat(3_200_000) },
      }),
    );
    assert.equal(r.status, 413);
  });

  test('a stale resourceVersion on update is 409 Conflict', async () => {
    const api = core();
    const obj = await api.createNamespacedConfigMap({ namespace: 'default', body: cm('stale') });
    await api.patchNamespacedConfigMap(
      { namespace: 'default', name: 'stale', body: { data: { a: '1' } } },
      mergePatch,
    );
    const err = await apiError(
      api.replaceNamespacedConfigMap({ namespace: 'default', name: 'stale', body: obj }),
    );
    assert.equal(err.code, 409);
    assert.match(String(err.body), /the object has been modified/);
  });

  test('after all of that the server still serves', async () => {
    const list = await core().listNamespace();
    assert.ok(list.items.some((n) => n.metadata?.name === 'default'));
  });
});

describe('faults and counters', () => {
  test('an error rate of 1 answers 500 or 429; clearing it restores service', async () => {
    hub().server.setFaults({ errorRate: 1 });
    const r = await rawRequest(hub(), tf.fleet, 'GET', '/api/v1/namespaces');
    hub().server.setFaults({});
    assert.ok([500, 429].includes(r.status));
    assert.equal((await rawRequest(hub(), tf.fleet, 'GET', '/api/v1/namespaces')).status, 200);
  });

  test('added latency delays every request', async () => {
    hub().server.setFaults({ latencyMs: 150 });
    const t0 = Date.now();
    await rawRequest(hub(), tf.fleet, 'GET', '/api/v1/namespaces');
    hub().server.setFaults({});
    assert.ok(Date.now() - t0 >= 140);
  });

  test('an outage refuses connections and keeps the state', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: cm('survivor') });
    await hub().server.startOutage();
    await assert.rejects(rawRequest(hub(), tf.fleet, 'GET', '/api/v1/namespaces'), /ECONNREFUSED/);
    await hub().server.endOutage();
    const back = await core().readNamespacedConfigMap({ namespace: 'default', name: 'survivor' });
    assert.equal(back.metadata?.name, 'survivor');
  });

  test('requests are counted by verb and resource', async () => {
    hub().server.resetRequestCounts();
    await core().listNamespacedConfigMap({ namespace: 'default' });
    await core().readNamespacedConfigMap({ namespace: 'default', name: 'survivor' });
    const counts = hub().server.requestCounts();
    assert.equal(counts['list configmaps'], 1);
    assert.equal(counts['get configmaps'], 1);
  });
});
