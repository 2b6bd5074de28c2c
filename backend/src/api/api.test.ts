// The BFF's API end to end: the BFF in-process (engine included) against a simulated fleet, called
// over HTTP as the console would, with users whose RBAC differs. Every route's success path and
// its errors; authentication, authorization, CSRF, body limits, input validation, static assets;
// and, at the end, a scan of every answer for Secret data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { HubClient as Client } from '../hubs/hub-client.js';
import { PooledKubeConfig } from '../hubs/kubeconfig.js';
import { R } from '../hubs/resources.js';
import { createLogger } from '../log.js';
import type {
  ApiError,
  ClusterPage,
  CreatePlanResult,
  Hub,
  HubCluster,
  Me,
  MigrationDetail,
  MigrationSummary,
  Page,
  PlacementPreview,
  PlacementSummary,
  PlanSummary,
  ReconcileResult,
  ValidationResult,
} from './contract.js';
import type { ApiClient, TestBff } from './test-support.js';
import { startTestBff } from './test-support.js';

const NS = 'multicluster-global-hub';
const log = createLogger({ test: 'api' }, 'warn');
let tf: TestFleet;
let t: TestBff;
let admin: ApiClient;
let viewer: ApiClient;
let nobody: ApiClient;
let teamB: ApiClient;
let anonymous: ApiClient;
let global: HubClient;

const rbac = (name: string, rules: unknown[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name },
  rules,
});
const MIGRATIONS = 'managedclustermigrations';
const GH = 'global-hub.open-cluster-management.io';

before(async () => {
  tf = await startTestFleet({
    name: 'api',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      // Same versions both ways, so "migrate back" is a valid migration too.
      { name: 'hub1', acmVersion: '2.15' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 10, namePattern: 'app-{n:2}', hub: 'hub1', labels: { env: 'prod', region: 'east' } },
      {
        count: 4,
        namePattern: 'dev-{n}',
        hub: 'hub1',
        labels: { env: 'dev' },
        clusterSet: 'canary',
      },
      { count: 2, namePattern: 'ztp-{n}', hub: 'hub1', ztp: true, labels: { env: 'prod' } },
      { count: 1, namePattern: 'new-{n}', hub: 'hub1', ztp: true, provisioned: false },
      { count: 1, namePattern: 'cut-{n}', hub: 'hub1', faults: { unreachableHubs: ['hub2'] } },
      { count: 2, namePattern: 'there-{n}', hub: 'hub2' },
    ],
    placements: [
      {
        hub: 'hub1',
        namespace: 'fleet',
        name: 'canary',
        clusterSets: ['canary'],
        matchLabels: { env: 'dev' },
      },
    ],
    users: [
      { name: 'fleet-admin', groups: ['fleet-admins'], token: 'admin-token' },
      { name: 'viewer', token: 'viewer-token' },
      { name: 'nobody', token: 'nobody-token' },
      { name: 'team-b', token: 'team-b-token' },
    ],
    timings: { leaseDurationSeconds: 1, hubConnectionTimeoutScale: 0.01 },
  });
  global = new Client(
    'local-cluster',
    PooledKubeConfig.fromString(tf.fleet.globalHub.kubeconfig()),
  );
  const all = ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'];
  await global.create(
    R.clusterRole,
    rbac('migration-operator', [
      { apiGroups: [GH], resources: [MIGRATIONS], verbs: all },
      {
        apiGroups: ['cluster.open-cluster-management.io'],
        resources: ['managedclusters'],
        verbs: ['list', 'get'],
      },
      { apiGroups: [''], resources: ['events'], verbs: ['list'] },
    ]),
  );
  await global.create(
    R.clusterRole,
    rbac('migration-viewer', [
      { apiGroups: [GH], resources: [MIGRATIONS], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['cluster.open-cluster-management.io'],
        resources: ['managedclusters'],
        verbs: ['list'],
      },
    ]),
  );
  const binding = (
    name: string,
    role: string,
    kind: 'User' | 'Group',
    subject: string,
  ): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind, name: subject }],
  });
  await global.create(
    R.clusterRoleBinding,
    binding('admins', 'migration-operator', 'Group', 'fleet-admins'),
  );
  await global.create(
    R.clusterRoleBinding,
    binding('viewer', 'migration-viewer', 'User', 'viewer'),
  );
  await global.create(R.namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-b' },
  });
  await global.create(
    { ...R.clusterRoleBinding, kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
    {
      ...binding('team-b', 'migration-viewer', 'User', 'team-b'),
      kind: 'RoleBinding',
      metadata: { name: 'team-b', namespace: 'team-b' },
    },
  );
  t = await startTestBff(tf, log, { WATCH_NAMESPACES: 'team-b' }, 'admin-token');
  admin = t.api;
  viewer = admin.as('viewer-token');
  nobody = admin.as('nobody-token');
  teamB = admin.as('team-b-token');
  anonymous = admin.as(undefined);
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

const body = <T>(a: { body: unknown }) => a.body as T;

async function waitFor(
  name: string,
  ok: (s: MigrationDetail) => boolean,
  ms = 90_000,
): Promise<MigrationDetail> {
  let last: MigrationDetail | undefined;
  try {
    await eventually(
      async () => {
        const a = await admin.get(`/api/v1/migrations/${NS}/${name}`);
        if (a.status !== 200) return false;
        last = body<MigrationDetail>(a);
        return ok(last);
      },
      `migration ${name}`,
      ms,
    );
  } catch (e) {
    throw new Error(`${String(e)}; last: ${JSON.stringify(last?.phase)} ${last?.message}`);
  }
  return last!;
}
const terminal = (s: MigrationDetail) => s.phase === 'Completed' || s.phase === 'Failed';

describe('operations endpoints', () => {
  test('healthz, readyz with its checks, and Prometheus metrics', async () => {
    assert.equal((await anonymous.get('/healthz')).status, 200);
    const ready = await anonymous.get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(body<{ checks: Record<string, boolean> }>(ready).checks, {
      migrationWatches: true,
      hubRegistry: true,
    });
    await admin.get('/api/v1/hubs');
    const metrics = await anonymous.get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    for (const name of [
      'hub_migration_migrations',
      'hub_migration_hub_api_calls_total{hub="local-cluster"',
      'hub_migration_http_requests_total{method="GET",route="/api/v1/hubs",status="200"}',
      'hub_migration_http_request_duration_seconds_bucket',
      'hub_migration_engine_leader 1',
      'process_resident_memory_bytes',
    ])
      assert.ok(metrics.text.includes(name), `metrics include ${name}`);
  });
});

describe('authentication and authorization', () => {
  test('no token or an unknown token is 401, with a message', async () => {
    for (const path of ['/api/v1/hubs', '/api/v1/me', '/api/v1/migrations', '/api/v1/stream']) {
      const a = await anonymous.get(path);
      assert.equal(a.status, 401, path);
      assert.equal(body<ApiError>(a).reason, 'Unauthorized');
    }
    const bad = await admin.as('not-a-token').get('/api/v1/me');
    assert.equal(bad.status, 401);
  });

  test('a user without the RBAC for a route gets 403 on it, naming what is missing', async () => {
    for (const path of [
      '/api/v1/hubs',
      '/api/v1/migrations',
      '/api/v1/hubs/hub1/clusters',
      '/api/v1/plans',
      '/api/v1/stream',
    ]) {
      const a = await nobody.get(path);
      assert.equal(a.status, 403, path);
      assert.match(body<ApiError>(a).message, /not allowed/);
    }
    const create = await viewer.post('/api/v1/migrations', {
      from: 'hub1',
      to: 'hub2',
      clusters: ['app-01'],
    });
    assert.equal(create.status, 403);
    assert.match(body<ApiError>(create).message, /"create" on managedclustermigrations/);
    const validate = await viewer.post('/api/v1/validate', {
      from: 'hub1',
      to: 'hub2',
      clusters: ['app-01'],
    });
    assert.equal(validate.status, 403);
    // team-b may see migrations, but not the hubs.
    assert.equal((await teamB.get('/api/v1/hubs')).status, 403);
  });

  test('/me says what each user may do', async () => {
    const a = body<Me>(await admin.get('/api/v1/me'));
    assert.equal(a.user, 'fleet-admin');
    assert.deepEqual(a.can, {
      listMigrations: true,
      createMigrations: true,
      updateMigrations: true,
      deleteMigrations: true,
      listHubs: true,
    });
    assert.equal(a.engineEnabled, true);
    const v = body<Me>(await viewer.get('/api/v1/me'));
    assert.equal(v.can.listMigrations, true);
    assert.equal(v.can.createMigrations, false);
    const n = body<Me>(await nobody.get('/api/v1/me'));
    assert.equal(n.can.listMigrations, false);
  });

  test('a user allowed one namespace sees only its migrations', async () => {
    await global.create(R.migration, {
      apiVersion: `${GH}/v1alpha1`,
      kind: 'ManagedClusterMigration',
      metadata: { name: 'team-b-only', namespace: 'team-b' },
      spec: { from: 'hub1', to: 'hub2', includedManagedClusters: ['dev-1'] },
    });
    await eventually(async () => {
      const items = body<{ items: MigrationSummary[] }>(
        await teamB.get('/api/v1/migrations'),
      ).items;
      return items.some((m) => m.name === 'team-b-only');
    }, 'team-b to see its migration');
    const seen = body<{ items: MigrationSummary[] }>(await teamB.get('/api/v1/migrations')).items;
    assert.deepEqual([...new Set(seen.map((m) => m.namespace))], ['team-b']);
    assert.equal((await teamB.get(`/api/v1/migrations/${NS}/anything`)).status, 403);
    const all = body<{ items: MigrationSummary[] }>(await admin.get('/api/v1/migrations')).items;
    assert.ok(all.some((m) => m.namespace === 'team-b'));
    await global.delete(R.migration, 'team-b-only', 'team-b');
  });
});

describe('request hygiene', () => {
  test('mutations without the console CSRF header, or with one that does not match its cookie, are refused', async () => {
    const none = await admin.request('POST', '/api/v1/validate', {
      body: { from: 'hub1', to: 'hub2', clusters: ['app-01'] },
      csrf: false,
    });
    assert.equal(none.status, 403);
    assert.equal(body<ApiError>(none).reason, 'CSRF');
    const mismatch = await admin.request('POST', '/api/v1/validate', {
      body: { from: 'hub1', to: 'hub2', clusters: ['app-01'] },
      csrf: false,
      headers: { 'X-CSRFToken': 'a', Cookie: 'csrf-token=b' },
    });
    assert.equal(mismatch.status, 403);
    const del = await admin.request('DELETE', `/api/v1/migrations/${NS}/x`, { csrf: false });
    assert.equal(del.status, 403);
  });

  test('oversized bodies 413, malformed JSON 400, other media types 415', async () => {
    const big = await admin.request('POST', '/api/v1/hubs/hub1/clusters/reconcile', {
      raw: JSON.stringify({
        names: Array.from({ length: 200_000 }, (_, i) => `cluster-number-${i}`),
      }),
    });
    assert.equal(big.status, 413);
    assert.equal(body<ApiError>(big).reason, 'TooLarge');
    const bad = await admin.request('POST', '/api/v1/validate', { raw: '{"from": "hub1",' });
    assert.equal(bad.status, 400);
    assert.match(body<ApiError>(bad).message, /not valid JSON/);
    const form = await admin.request('POST', '/api/v1/validate', {
      raw: 'from=hub1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
  });

  test('invalid fields are 422 with one message per field', async () => {
    const a = await admin.post('/api/v1/migrations', {
      name: 'Bad_Name',
      from: 'hub1',
      to: 'hub1',
      clusters: ['ok-1', 'NOT OK', 'ok-1'],
      stageTimeout: '5 minutes',
      color: 'blue',
    });
    assert.equal(a.status, 422);
    const fields = body<ApiError>(a).fields!;
    assert.match(fields.name, /not a valid name/);
    assert.match(fields.to, /must differ/);
    assert.match(fields['clusters[1]'], /not a cluster name/);
    assert.match(fields['clusters[2]'], /more than once/);
    assert.match(fields.stageTimeout, /not a duration/);
    assert.match(fields.color, /Unknown field/);
    const both = await admin.post('/api/v1/validate', {
      from: 'hub1',
      to: 'hub2',
      clusters: ['a'],
      placement: 'p',
    });
    assert.equal(both.status, 422);
    assert.ok(body<ApiError>(both).fields!.placement);
    const tooShort = await admin.post('/api/v1/migrations', {
      from: 'hub1',
      to: 'hub2',
      clusters: ['a'],
      stageTimeout: '10s',
    });
    assert.match(body<ApiError>(tooShort).fields!.stageTimeout, /between 1m and 24h/);
    const paging = await admin.get('/api/v1/hubs/hub1/clusters?limit=5000');
    assert.equal(paging.status, 422);
    const selector = await admin.get(
      '/api/v1/hubs/hub1/clusters?label=' + encodeURIComponent('env in prod'),
    );
    assert.equal(selector.status, 422);
  });

  test('security headers, unknown routes, and no caching of API answers', async () => {
    const a = await admin.get('/api/v1/me');
    assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(a.headers.get('cache-control'), 'no-store');
    assert.match(a.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(a.headers.get('x-powered-by'), null);
    const nope = await admin.get('/api/v1/nothing-here');
    assert.equal(nope.status, 404);
    assert.equal(body<ApiError>(nope).reason, 'NotFound');
  });

  test('plugin assets: content types, cache headers, and no way out of the assets folder', async () => {
    const manifest = await anonymous.get('/plugin/plugin-manifest.json');
    assert.equal(manifest.status, 200);
    assert.match(manifest.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(manifest.headers.get('cache-control'), 'no-cache');
    const chunk = await anonymous.get('/plugin/plugin-entry.0123456789abcdef.min.js');
    assert.match(chunk.headers.get('content-type') ?? '', /^application\/javascript/);
    assert.match(chunk.headers.get('cache-control') ?? '', /immutable/);
    for (const p of [
      '/plugin/../package.json',
      '/plugin/%2e%2e/package.json',
      '/plugin/..%2f..%2fpackage.json',
      '/plugin/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/plugin/locales/..%5c..%5cpackage.json',
      '/plugin/missing.js',
      '/plugin/locales',
    ]) {
      const res = await fetch(`${t.bff.url}${p}`);
      const text = await res.text();
      assert.equal(res.status, 404, p);
      assert.ok(!text.includes('"name": "hub-migration"') && !text.includes('root:'), p);
    }
  });
});

describe('hubs and clusters', () => {
  test('hubs with availability, version, components and cluster counts', async () => {
    const hubs = body<{ items: Hub[] }>(await admin.get('/api/v1/hubs')).items;
    const byName = new Map(hubs.map((h) => [h.name, h]));
    assert.deepEqual([...byName.keys()].sort(), ['hub1', 'hub2', 'local-cluster']);
    const hub1 = byName.get('hub1')!;
    assert.equal(hub1.available, true);
    assert.equal(hub1.connected, true);
    assert.match(hub1.acmVersion ?? '', /^2\.15/);
    assert.ok(hub1.components.length > 0);
    assert.equal(hub1.clusterCount, 18);
    assert.equal(byName.get('local-cluster')!.isGlobalHub, true);
  });

  test("a hub's clusters: paging, search, filters, labels, ZTP and provisioning", async () => {
    const page = body<Page<HubCluster>>(
      await admin.get('/api/v1/hubs/hub1/clusters?limit=5&offset=5'),
    );
    assert.equal(page.total, 18);
    assert.equal(page.items.length, 5);
    assert.deepEqual(
      page.items.map((c) => c.name),
      ['app-06', 'app-07', 'app-08', 'app-09', 'app-10'],
    );
    const search = body<Page<HubCluster>>(await admin.get('/api/v1/hubs/hub1/clusters?search=dev'));
    assert.deepEqual(
      search.items.map((c) => c.name),
      ['dev-1', 'dev-2', 'dev-3', 'dev-4'],
    );
    assert.equal(search.items[0].clusterSet, 'canary');
    const label = body<Page<HubCluster>>(
      await admin.get('/api/v1/hubs/hub1/clusters?label=' + encodeURIComponent('env=prod,!region')),
    );
    assert.deepEqual(
      label.items.map((c) => c.name),
      ['ztp-1', 'ztp-2'],
    );
    const ztp = body<Page<HubCluster>>(await admin.get('/api/v1/hubs/hub1/clusters?ztp=true'));
    assert.deepEqual(
      ztp.items.map((c) => [c.name, c.provisioning]),
      [
        ['new-1', true],
        ['ztp-1', false],
        ['ztp-2', false],
      ],
    );
    const desc = body<Page<HubCluster>>(
      await admin.get('/api/v1/hubs/hub1/clusters?order=desc&limit=1'),
    );
    assert.equal(desc.items[0].name, 'ztp-2');
    assert.equal((await admin.get('/api/v1/hubs/nope/clusters')).status, 404);
    assert.equal((await admin.get('/api/v1/hubs/hub1/clusters?available=maybe')).status, 422);
  });

  test('pasted names are reconciled: found, unknown, already on the target, duplicates, invalid', async () => {
    const r = body<ReconcileResult>(
      await admin.post('/api/v1/hubs/hub1/clusters/reconcile', {
        names: ['app-01', ' app-02 ', 'app-01', 'ghost', 'there-1', 'Bad Name', '', 'dev-1'],
        target: 'hub2',
      }),
    );
    assert.deepEqual(r, {
      found: ['app-01', 'app-02', 'dev-1'],
      unknown: ['ghost'],
      onTarget: ['there-1'],
      duplicates: ['app-01'],
      invalid: ['Bad Name'],
    });
  });

  test('placements and a live selector preview', async () => {
    const ps = body<{ items: PlacementSummary[] }>(
      await admin.get('/api/v1/hubs/hub1/placements'),
    ).items;
    const canary = ps.find((p) => p.name === 'canary')!;
    assert.deepEqual(canary.clusterSets, ['canary']);
    assert.equal(canary.decided, 4);
    assert.equal(canary.description, 'env is dev');
    const preview = body<PlacementPreview>(
      await admin.post('/api/v1/hubs/hub1/placement-preview', {
        labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      }),
    );
    assert.equal(preview.matched, 12);
    assert.equal(preview.total, 18);
    assert.ok(preview.matchedNames.includes('app-01') && preview.notMatchedNames.includes('dev-1'));
    const none = body<PlacementPreview>(
      await admin.post('/api/v1/hubs/hub1/placement-preview', {
        labelSelector: { matchLabels: { env: 'qa' } },
      }),
    );
    assert.equal(none.matched, 0);
    assert.match(none.warning ?? '', /no cluster/);
    const limited = body<PlacementPreview>(
      await admin.post('/api/v1/hubs/hub1/placement-preview', {
        clusterSets: ['canary'],
        numberOfClusters: 2,
      }),
    );
    assert.deepEqual(limited.matchedNames, ['dev-1', 'dev-2']);
    const bad = await admin.post('/api/v1/hubs/hub1/placement-preview', {
      labelSelector: { matchExpressions: [{ key: 'env', operator: 'Near' }] },
    });
    assert.equal(bad.status, 422);
    assert.ok(body<ApiError>(bad).fields!['labelSelector.matchExpressions[0].operator']);
  });

  test('the dry run returns one result per hub and per cluster and changes nothing', async () => {
    const before = (await global.list(R.migration, NS)).length;
    const ok = body<ValidationResult>(
      await admin.post('/api/v1/validate', {
        from: 'hub1',
        to: 'hub2',
        clusters: ['app-01', 'ztp-1'],
      }),
    );
    assert.equal(ok.ok, true, JSON.stringify(ok.errors));
    assert.deepEqual(
      ok.hubs.map((h) => h.role),
      ['source', 'target'],
    );
    assert.deepEqual(
      ok.clusters.map((c) => [c.name, c.kind]),
      [
        ['app-01', 'plain'],
        ['ztp-1', 'ztp'],
      ],
    );
    const blocked = body<ValidationResult>(
      await admin.post('/api/v1/validate', {
        from: 'hub1',
        to: 'hub2',
        clusters: ['app-01', 'new-1', 'ghost'],
      }),
    );
    assert.equal(blocked.ok, false);
    const byName = new Map(blocked.clusters.map((c) => [c.name, c]));
    assert.equal(byName.get('app-01')!.ok, true);
    assert.match(byName.get('new-1')!.errors.join(' '), /provision/);
    assert.equal(byName.get('ghost')!.ok, false);
    const placement = body<ValidationResult>(
      await admin.post('/api/v1/validate', { from: 'hub1', to: 'hub2', placement: 'canary' }),
    );
    assert.deepEqual(placement.resolvedClusters.sort(), ['dev-1', 'dev-2', 'dev-3', 'dev-4']);
    assert.equal((await global.list(R.migration, NS)).length, before);
  });
});

describe('migrations', () => {
  test('create, watch to completion, per-cluster rows, CSV, health, migrate back', async () => {
    const created = await admin.post('/api/v1/migrations', {
      name: 'move-apps',
      from: 'hub1',
      to: 'hub2',
      clusters: ['app-01', 'app-02', 'ztp-1'],
      stageTimeout: '2m',
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(body<MigrationSummary>(created).name, 'move-apps');
    const m = await global.get(R.migration, 'move-apps', NS);
    assert.deepEqual(m?.spec, {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: ['app-01', 'app-02', 'ztp-1'],
      supportedConfigs: { stageTimeout: '2m' },
    });
    const dup = await admin.post('/api/v1/migrations', {
      name: 'move-apps',
      from: 'hub1',
      to: 'hub2',
      clusters: ['app-03'],
    });
    assert.equal(dup.status, 409);

    const done = await waitFor('move-apps', terminal);
    assert.equal(done.phase, 'Completed', JSON.stringify(done.conditions));
    assert.equal(done.outcome, 'Completed');
    assert.equal(done.counts.Cleaned, 3);
    assert.deepEqual(
      done.phases.map((p) => [p.phase, p.state]),
      [
        ['Validating', 'done'],
        ['Initializing', 'done'],
        ['Deploying', 'done'],
        ['Registering', 'done'],
        ['Cleaning', 'done'],
      ],
    );
    assert.ok(done.phases.every((p) => typeof p.seconds === 'number'));
    assert.equal(done.etaSeconds, undefined);
    assert.match(done.yaml, /kind: ManagedClusterMigration/);
    assert.ok(!done.yaml.includes('managedFields'));
    assert.deepEqual(done.actions, {
      rollback: false,
      retryFailed: false,
      migrateBack: true,
      approve: false,
      delete: true,
    });

    const rows = body<ClusterPage>(
      await admin.get(`/api/v1/migrations/${NS}/move-apps/clusters?sort=name&order=desc&limit=2`),
    );
    assert.equal(rows.total, 3);
    assert.deepEqual(
      rows.items.map((r) => [r.name, r.state, r.hub]),
      [
        ['ztp-1', 'Cleaned', 'hub2'],
        ['app-02', 'Cleaned', 'hub2'],
      ],
    );
    assert.equal(rows.counts.Cleaned, 3);
    const filtered = body<ClusterPage>(
      await admin.get(`/api/v1/migrations/${NS}/move-apps/clusters?state=Failed`),
    );
    assert.equal(filtered.total, 0);
    assert.equal(
      (await admin.get(`/api/v1/migrations/${NS}/move-apps/clusters?state=Bogus`)).status,
      422,
    );

    const csv = await admin.get(`/api/v1/migrations/${NS}/move-apps/clusters.csv`);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /move-apps-clusters\.csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'cluster,state,hub,error,started,updated');
    assert.equal(lines.length, 4);

    const one = await admin.get(`/api/v1/migrations/${NS}/move-apps/clusters/ztp-1`);
    const objects = (one.body as { objects: { hub: string; kind: string }[] }).objects;
    assert.ok(objects.some((o) => o.hub === 'hub2' && o.kind === 'ClusterDeployment'));
    assert.ok(!objects.some((o) => o.hub === 'hub1'));

    const health = await admin.get(`/api/v1/migrations/${NS}/move-apps/health`);
    const h = health.body as {
      clusters: { total: number; available: number; clusterInstances: { absent: number } };
      checklist: string[];
    };
    assert.equal(h.clusters.total, 3);
    await eventually(
      async () => {
        const again = (await admin.get(`/api/v1/migrations/${NS}/move-apps/health`))
          .body as typeof h;
        return again.clusters.available === 3;
      },
      'the migrated clusters to be Available on the target',
      30_000,
    );
    assert.equal(h.clusters.clusterInstances.absent + 0 >= 0, true);
    assert.ok(h.checklist.some((l) => /ClusterInstance/.test(l)));

    const events = await admin.get(`/api/v1/migrations/${NS}/move-apps/events`);
    assert.equal(events.status, 200);
    assert.ok(Array.isArray((events.body as { items: unknown[] }).items));

    const rollback = await admin.post(`/api/v1/migrations/${NS}/move-apps/rollback`);
    assert.equal(rollback.status, 409);
    assert.match(body<ApiError>(rollback).message, /Migrate back/);

    const back = await admin.post(`/api/v1/migrations/${NS}/move-apps/migrate-back`, {
      name: 'apps-back',
    });
    assert.equal(back.status, 201, back.text);
    const b = body<MigrationSummary>(back);
    assert.deepEqual([b.from, b.to, b.total], ['hub2', 'hub1', 3]);
    const backDone = await waitFor('apps-back', terminal);
    assert.equal(backDone.phase, 'Completed', JSON.stringify(backDone.conditions));
    assert.equal(tf.fleet.truth.cluster('app-01').registeredTo, 'hub1');
    assert.deepEqual(tf.fleet.truth.destructions, []);
  });

  test('a cluster that cannot reach the target: partial result, retry of only the failed clusters', async () => {
    // Created directly with a short stage timeout (the API allows 1m at least) so the unreachable
    // cluster's registration times out quickly.
    await global.create(R.migration, {
      apiVersion: `${GH}/v1alpha1`,
      kind: 'ManagedClusterMigration',
      metadata: { name: 'with-cut', namespace: NS },
      spec: {
        from: 'hub1',
        to: 'hub2',
        includedManagedClusters: ['app-03', 'cut-1'],
        supportedConfigs: { stageTimeout: '20s' },
      },
    });
    const done = await waitFor('with-cut', terminal, 120_000);
    assert.equal(done.phase, 'Failed');
    assert.equal(done.outcome, 'Partial');
    assert.deepEqual(
      done.firstFailures.map((f) => f.cluster),
      ['cut-1'],
    );
    assert.deepEqual(done.actions.retryFailed, true);
    const failedRows = body<ClusterPage>(
      await admin.get(`/api/v1/migrations/${NS}/with-cut/clusters?error=true`),
    );
    assert.deepEqual(
      failedRows.items.map((r) => [r.name, r.hub]),
      [['cut-1', 'hub1']],
    );
    const retry = await admin.post(`/api/v1/migrations/${NS}/with-cut/retry-failed`, {
      name: 'cut-retry',
    });
    assert.equal(retry.status, 201, retry.text);
    const spec = (await global.get(R.migration, 'cut-retry', NS))!.spec as {
      includedManagedClusters: string[];
    };
    assert.deepEqual(spec.includedManagedClusters, ['cut-1']);
    // Not needed to run: delete it while it is queued or running; it goes (rolled back if started).
    const del = await admin.delete(`/api/v1/migrations/${NS}/cut-retry`);
    assert.equal(del.status, 202);
    assert.equal(body<MigrationSummary>(del).deleting, true);
    await eventually(
      async () => (await admin.get(`/api/v1/migrations/${NS}/cut-retry`)).status === 404,
      'the deleted migration to go',
      90_000,
    );
    assert.equal(tf.fleet.truth.cluster('cut-1').registeredTo, 'hub1');
    assert.equal((await viewer.delete(`/api/v1/migrations/${NS}/with-cut`)).status, 403);
  });

  test('a plan of batches with approval between them', async () => {
    const bad = await admin.post('/api/v1/plans', {
      name: 'p',
      from: 'hub1',
      to: 'hub2',
      clusters: ['dev-1'],
      batchSize: 0,
    });
    assert.equal(bad.status, 422);
    const created = await admin.post('/api/v1/plans', {
      name: 'devs',
      from: 'hub1',
      to: 'hub2',
      clusters: ['dev-1', 'dev-2', 'dev-3'],
      batchSize: 2,
      approvalBetweenBatches: true,
    });
    assert.equal(created.status, 201, created.text);
    const plan = body<CreatePlanResult>(created);
    assert.deepEqual(
      plan.migrations.map((m) => [m.name, m.total]),
      [
        ['devs-1', 2],
        ['devs-2', 1],
      ],
    );
    assert.equal(
      (
        await admin.post('/api/v1/plans', {
          name: 'devs',
          from: 'hub1',
          to: 'hub2',
          clusters: ['dev-4'],
          batchSize: 1,
        })
      ).status,
      409,
    );

    const first = await waitFor('devs-1', terminal);
    assert.equal(first.phase, 'Completed', first.message);
    const waiting = await waitFor('devs-2', (s) => s.plan?.awaitingApproval === true);
    assert.equal(waiting.phase, 'Pending');
    assert.match(waiting.message ?? '', /approval/);
    assert.equal(waiting.actions.approve, true);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(
      (await waitFor('devs-2', () => true)).phase,
      'Pending',
      'the batch does not start without approval',
    );
    const plans = body<{ items: PlanSummary[] }>(await admin.get('/api/v1/plans')).items;
    const devs = plans.find((p) => p.name === 'devs')!;
    assert.deepEqual(
      [devs.batches, devs.completedBatches, devs.total, devs.outcome],
      [2, 1, 3, 'Queued'],
    );
    assert.ok(
      devs.etaSeconds !== undefined && devs.etaSeconds > 0,
      'an ETA from the finished batch',
    );

    assert.equal((await viewer.post(`/api/v1/migrations/${NS}/devs-2/approve`)).status, 403);
    const approved = await admin.post(`/api/v1/migrations/${NS}/devs-2/approve`);
    assert.equal(approved.status, 200, approved.text);
    const second = await waitFor('devs-2', terminal);
    assert.equal(second.phase, 'Completed', second.message);
    assert.equal((await admin.post(`/api/v1/migrations/${NS}/devs-2/approve`)).status, 409);
    const listed = body<{ items: MigrationSummary[] }>(
      await admin.get('/api/v1/migrations?plan=devs'),
    ).items;
    assert.deepEqual(listed.map((m) => m.name).sort(), ['devs-1', 'devs-2']);
  });

  test('one-click rollback of a running migration', async () => {
    assert.equal(
      (
        await admin.post('/api/v1/migrations', {
          name: 'to-undo',
          from: 'hub1',
          to: 'hub2',
          clusters: ['app-04', 'ztp-2'],
        })
      ).status,
      201,
    );
    await waitFor(
      'to-undo',
      (s) => ['Initializing', 'Deploying', 'Registering'].includes(s.phase),
      60_000,
    );
    const r = await admin.post(`/api/v1/migrations/${NS}/to-undo/rollback`);
    assert.equal(r.status, 200, r.text);
    const done = await waitFor('to-undo', terminal, 120_000);
    assert.equal(done.phase, 'Failed');
    assert.equal(done.outcome, 'RolledBack');
    assert.equal(done.actions.rollback, false);
    assert.equal(tf.fleet.truth.cluster('app-04').registeredTo, 'hub1');
    assert.equal(tf.fleet.truth.cluster('ztp-2').registeredTo, 'hub1');
    assert.deepEqual(tf.fleet.truth.destructions, []);
  });

  test('no answer ever contained Secret data', async () => {
    const secrets: string[] = [];
    for (const hub of ['local-cluster', 'hub1', 'hub2']) {
      const kc = PooledKubeConfig.fromString(tf.fleet.hub(hub).kubeconfig());
      const c = new Client(hub, kc);
      for (const s of await c.list(R.secret)) {
        for (const v of Object.values((s.data ?? {}) as Record<string, string>)) {
          const decoded = Buffer.from(v, 'base64').toString('utf8');
          if (v.length >= 12) secrets.push(v);
          for (const m of decoded.matchAll(/token:\s*(\S{12,})/g)) secrets.push(m[1]);
          if (decoded.length >= 12 && !decoded.includes('\n')) secrets.push(decoded);
        }
      }
      kc.close();
    }
    secrets.push(tf.fleet.globalHub.adminToken, tf.fleet.hub('hub1').adminToken);
    assert.ok(admin.answers.length > 50, `${admin.answers.length} answers recorded`);
    for (const a of admin.answers)
      for (const s of secrets)
        assert.ok(!a.text.includes(s), `${a.method} ${a.path} (${a.status}) contains Secret data`);
  });
});

describe('the OpenAPI document', () => {
  test('every answer of this run has a documented status and matches its schema', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { Ajv } = await import('ajv');
    const doc = parse(
      readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8'),
    ) as OpenApi;
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: 'openapi' });
    const templates = Object.keys(doc.paths).map((p) => ({
      p,
      re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
    }));
    let checked = 0;
    const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
    for (const a of admin.answers) {
      const url = new URL(a.path, 'http://x');
      if (!url.pathname.startsWith('/api/v1/')) continue;
      const sub = url.pathname.slice('/api/v1'.length);
      const tpl = templates.find((x) => x.re.test(sub));
      if (!tpl) {
        assert.equal(a.status, 404, `${a.method} ${sub} is not documented`);
        continue;
      }
      const op = doc.paths[tpl.p][a.method.toLowerCase()];
      if (!op) {
        assert.ok([403, 404, 405].includes(a.status), `${a.method} ${tpl.p} is not documented`);
        continue;
      }
      if (a.status === 403 && a.text.includes('"CSRF"')) continue; // the CSRF check precedes routing
      if ([413, 400, 415].includes(a.status)) continue; // body errors, before any route runs
      const resp = op.responses[String(a.status)];
      assert.ok(resp, `${a.method} ${tpl.p} answered ${a.status}, which is not documented`);
      let json: unknown;
      try {
        json = JSON.parse(a.text);
      } catch {
        continue;
      }
      const ref = resp.$ref ?? '';
      const content = ref ? doc.components.responses[ref.split('/').pop()!].content : resp.content;
      const schema = content?.['application/json']?.schema;
      if (!schema) continue;
      const key = JSON.stringify(schema);
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(schema.$ref ? { $ref: `openapi${schema.$ref}` } : rebase(schema));
        compiled.set(key, validate);
      }
      assert.ok(
        validate(json),
        `${a.method} ${a.path} ${a.status}: ${ajv.errorsText(validate.errors)}`,
      );
      checked++;
    }
    assert.ok(checked > 60, `${checked} answers checked against their schemas`);
  });
});

interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { $ref?: string; content?: Content }> }>
  >;
  components: { responses: Record<string, { content: Content }> };
}
type Content = Record<string, { schema?: { $ref?: string } & Record<string, unknown> }>;

/** Inline schemas refer to components as '#/…'; point them at the registered document. */
function rebase(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi#/')) as Record<
    string,
    unknown
  >;
}
