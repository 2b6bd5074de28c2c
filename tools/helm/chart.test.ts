// The hub-migration chart rendered with default and non-default values by tools/helm, every
// rendered object validated against its schema, values.yaml against values.schema.json (and bad
// values refused), the CRD kept equal to the simulator's, and the properties the product needs:
// the plugin wiring, the restricted pod, the network policy, least-privilege RBAC.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { validateAndPrune } from '../../sim/apiserver/schema.js';
import type { JsonObject } from '../../sim/apiserver/types.js';
import type { Manifest, Rendered, Values } from './chart.js';
import { loadChart, renderChart, ValuesError } from './chart.js';
import { schemaErrors, validateObject } from './validate.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const chart = loadChart(path.join(root, 'charts/hub-migration'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  consolePlugin: { name: string };
};

type Obj = Record<string, unknown>;

/** Every value changed from its default, or switched the other way. */
const NON_DEFAULT: Values = {
  image: {
    repository: 'registry.example.com/team/hub-migration',
    digest: `sha256:${'a'.repeat(64)}`,
  },
  imagePullSecrets: [{ name: 'pull' }],
  plugin: { displayName: 'Migrate hubs', i18nLoadType: 'Lazy', enableInConsole: false },
  replicas: 3,
  port: 8443,
  bindAddress: '::',
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: 2, memory: '1Gi' } },
  logLevel: 'debug',
  extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=900' }],
  podAnnotations: { 'example.com/a': 'b' },
  podLabels: { team: 'fleet' },
  nodeSelector: { 'node-role.kubernetes.io/infra': '' },
  tolerations: [{ key: 'node-role.kubernetes.io/infra', operator: 'Exists', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
        ],
      },
    },
  },
  priorityClassName: 'system-cluster-critical',
  globalHub: {
    migrationNamespace: 'fleet-migrations',
    createMigrationNamespace: true,
    localClusterName: 'global',
    watchNamespaces: ['fleet-migrations', 'team-a', 'team-b'],
  },
  hubSecretLabel: 'example.com/hub',
  engine: {
    enabled: false,
    concurrency: 5,
    leaderLeaseSeconds: 30,
    eusAcmVersions: '2.13,2.17',
    hubQps: 50,
    hubBurst: 100,
    hubMaxInFlight: 8,
  },
  crd: { install: false },
  rbac: { localClusterHub: false, createRegistrationNamespace: false },
  serviceAccount: { annotations: { 'example.com/owner': 'fleet' } },
  podDisruptionBudget: { minAvailable: 2 },
  networkPolicy: { enabled: false },
  consoleJob: { image: 'registry.example.com/tools/oc:4.18' },
};

function render(values: Values = {}, namespace = 'hub-migration', releaseName = 'hub-migration') {
  return renderChart(chart, { values, namespace, releaseName });
}

function find(r: Rendered, kind: string, name?: string, namespace?: string): Obj {
  const found = all(r, kind).filter(
    (o) =>
      (name === undefined || meta(o).name === name) &&
      (namespace === undefined || meta(o).namespace === namespace),
  );
  assert.equal(found.length, 1, `expected one ${kind} ${name ?? ''} ${namespace ?? ''}`);
  return found[0];
}

function all(r: Rendered, kind: string): Obj[] {
  return r.manifests.map((m) => m.object).filter((o) => o.kind === kind);
}

function meta(o: Obj): {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
} {
  return o.metadata as ReturnType<typeof meta>;
}

function at(o: unknown, ...keys: (string | number)[]): unknown {
  let cur = o;
  for (const k of keys) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}

interface Container {
  name: string;
  env: { name: string; value?: string; valueFrom?: unknown }[];
  ports: { name: string; containerPort: number }[];
  securityContext: Obj;
  resources: { requests?: Obj; limits?: Obj };
  readinessProbe: { httpGet: Obj };
  livenessProbe: { httpGet: Obj };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

function bff(r: Rendered): { pod: Obj; container: Container } {
  const pod = at(find(r, 'Deployment'), 'spec', 'template', 'spec') as Obj;
  const containers = pod.containers as Container[];
  assert.equal(containers.length, 1);
  return { pod, container: containers[0] };
}

function env(c: Container): Map<string, string | undefined> {
  return new Map(c.env.map((e) => [e.name, e.value]));
}

function assertAllValid(manifests: Manifest[]): void {
  const problems = manifests.flatMap((m) =>
    validateObject(m.object).map(
      (p) => `${m.source} ${String(m.object.kind)} ${String(meta(m.object).name)}: ${p}`,
    ),
  );
  assert.deepEqual(problems, []);
}

const defaults = render();
const custom = render(NON_DEFAULT, 'fleet-tools', 'fleet');

describe('values', () => {
  test('values.yaml meets values.schema.json', () => {
    assert.ok(chart.schema);
    assert.doesNotThrow(() => render());
  });

  const bad: [string, Values, RegExp][] = [
    ['a misspelt key', { replica: 2 }, /\(root\): must NOT have additional properties \(replica\)/],
    ['a string for a number', { replicas: 'two' }, /\/replicas: must be integer/],
    ['no replicas', { replicas: 0 }, /\/replicas: must be >= 1/],
    ['a fractional port', { port: 9443.5 }, /\/port: must be integer/],
    [
      'an unknown pull policy',
      { image: { pullPolicy: 'Sometimes' } },
      /\/image\/pullPolicy: must be equal to one of the allowed values/,
    ],
    ['a bad digest', { image: { digest: 'sha256:xyz' } }, /\/image\/digest: must match pattern/],
    ['a bad log level', { logLevel: 'verbose' }, /\/logLevel: must be equal to one of/],
    [
      'engine.enabled as text',
      { engine: { enabled: 'yes' } },
      /\/engine\/enabled: must be boolean/,
    ],
    ['zero concurrency', { engine: { concurrency: 0 } }, /\/engine\/concurrency: must be >= 1/],
    [
      'a bad EUS list',
      { engine: { eusAcmVersions: '2.13, latest' } },
      /\/engine\/eusAcmVersions: must match pattern/,
    ],
    [
      'a bad namespace',
      { globalHub: { migrationNamespace: 'Global_Hub' } },
      /\/globalHub\/migrationNamespace: must match pattern/,
    ],
    [
      'a bad metrics namespace',
      { networkPolicy: { metricsNamespaces: ['ok', 'Not OK'] } },
      /\/networkPolicy\/metricsNamespaces\/1: must match pattern/,
    ],
    [
      'a bad quantity',
      { resources: { limits: { memory: 'lots' } } },
      /\/resources\/limits\/memory/,
    ],
    ['an unknown resource', { resources: { limits: { gpu: 1 } } }, /additional properties \(gpu\)/],
    ['a bad i18n load type', { plugin: { i18nLoadType: 'Eager' } }, /\/plugin\/i18nLoadType/],
    [
      'deleting a required value',
      { crd: { install: null } },
      /\/crd: must have required property 'install'/,
    ],
    [
      'a pod label that would change the selector',
      { podLabels: { 'app.kubernetes.io/component': 'x' } },
      /\/podLabels: property name must be valid/,
    ],
  ];
  for (const [what, values, message] of bad)
    test(`refused at install time: ${what}`, () => {
      assert.throws(
        () => render(values),
        (e: unknown) => e instanceof ValuesError && message.test(e.message),
      );
    });

  test('a PodDisruptionBudget that would block every drain is refused', () => {
    assert.throws(
      () => render({ replicas: 2, podDisruptionBudget: { minAvailable: 2 } }),
      /templates\/pdb.yaml:3: error calling fail: podDisruptionBudget.minAvailable must be less than replicas/,
    );
  });
});

describe('every rendered object is valid', () => {
  test('default values', () => {
    assertAllValid(defaults.manifests);
    const kinds = defaults.manifests.map((m) => m.object.kind).sort();
    assert.deepEqual(
      [...new Set(kinds)],
      [
        'ClusterRole',
        'ClusterRoleBinding',
        'ConsolePlugin',
        'CustomResourceDefinition',
        'Deployment',
        'Job',
        'Namespace',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Service',
        'ServiceAccount',
      ],
    );
  });

  test('non-default values', () => {
    assertAllValid(custom.manifests);
    for (const kind of ['CustomResourceDefinition', 'Job', 'NetworkPolicy'])
      assert.equal(all(custom, kind).length, 0, `${kind} switched off`);
  });

  test('every object is labelled and unique', () => {
    for (const r of [defaults, custom]) {
      const seen = new Set<string>();
      for (const { object: o } of r.manifests) {
        const key = `${String(o.kind)}/${meta(o).namespace ?? ''}/${meta(o).name}`;
        assert.ok(!seen.has(key), `duplicate ${key}`);
        seen.add(key);
        assert.equal(meta(o).labels?.['app.kubernetes.io/managed-by'], 'Helm', key);
        assert.equal(meta(o).labels?.['helm.sh/chart'], 'hub-migration-0.1.0', key);
      }
    }
  });

  test('the validators catch mistakes (they can fail)', () => {
    const deployment = structuredClone(find(defaults, 'Deployment'));
    (at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Obj).imagePullPolicy = 3;
    (
      at(
        deployment,
        'spec',
        'template',
        'spec',
        'containers',
        0,
        'readinessProbe',
        'httpGet',
      ) as Obj
    ).shceme = 'HTTPS';
    const problems = validateObject(deployment);
    assert.ok(
      problems.some((p) => /imagePullPolicy must be string/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /readinessProbe\.httpGet\.shceme: unknown field/.test(p)),
      problems.join('\n'),
    );

    const plugin = structuredClone(find(defaults, 'ConsolePlugin'));
    (at(plugin, 'spec', 'proxy', 0) as Obj).authorization = 'Bearer';
    (at(plugin, 'spec', 'backend', 'service') as Obj).basepath = '/plugin/';
    const pluginProblems = validateObject(plugin);
    assert.ok(
      pluginProblems.some((p) => /authorization.*supported values/i.test(p)),
      pluginProblems.join('\n'),
    );
    assert.ok(
      pluginProblems.some((p) => /basepath: unknown field/.test(p)),
      pluginProblems.join('\n'),
    );

    const role = structuredClone(find(defaults, 'ClusterRole', 'hub-migration-reader'));
    delete (at(role, 'rules', 0) as Obj).verbs;
    assert.ok(validateObject(role).some((p) => /verbs/.test(p)));
    assert.match(
      validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })[0],
      /no schema for v1\/Pod/,
    );
    const ns = structuredClone(find(defaults, 'Namespace'));
    (ns.metadata as Obj).namespace = 'x';
    assert.ok(validateObject(ns).some((p) => /cluster-scoped/.test(p)));
  });
});

describe('the console plugin', () => {
  test('is named after the plugin and reaches the BFF over one HTTPS Service', () => {
    for (const [r, ns, port] of [
      [defaults, 'hub-migration', 9443],
      [custom, 'fleet-tools', 8443],
    ] as const) {
      const plugin = find(r, 'ConsolePlugin');
      assert.equal(meta(plugin).name, pkg.consolePlugin.name);
      const service = find(r, 'Service');
      const svcRef = { name: meta(service).name, namespace: ns, port };
      assert.deepEqual(at(plugin, 'spec', 'backend'), {
        type: 'Service',
        service: { ...svcRef, basePath: '/plugin/' },
      });
      assert.deepEqual(at(plugin, 'spec', 'proxy'), [
        {
          alias: 'backend',
          authorization: 'UserToken',
          endpoint: { type: 'Service', service: svcRef },
        },
      ]);
      assert.deepEqual(at(service, 'spec', 'ports'), [
        { name: 'https', protocol: 'TCP', port, targetPort: 'https' },
      ]);
      const { pod, container } = bff(r);
      assert.deepEqual(
        at(service, 'spec', 'selector'),
        at(find(r, 'Deployment'), 'spec', 'selector', 'matchLabels'),
      );
      assert.deepEqual(container.ports, [{ name: 'https', containerPort: port, protocol: 'TCP' }]);
      // The service-ca operator's certificate, mounted where the BFF is told to find it.
      const secret =
        meta(service).annotations?.['service.beta.openshift.io/serving-cert-secret-name'];
      assert.ok(secret);
      const volume = (pod.volumes as { name: string; secret?: { secretName: string } }[]).find(
        (v) => v.secret?.secretName === secret,
      );
      assert.ok(volume);
      assert.deepEqual(
        container.volumeMounts.find((m) => m.name === volume.name),
        { name: volume.name, mountPath: '/var/cert', readOnly: true },
      );
      const e = env(container);
      assert.equal(e.get('TLS_CERT_FILE'), '/var/cert/tls.crt');
      assert.equal(e.get('TLS_KEY_FILE'), '/var/cert/tls.key');
      assert.equal(e.get('PORT'), String(port));
    }
    assert.equal(at(find(defaults, 'ConsolePlugin'), 'spec', 'displayName'), 'Hub Migration');
    assert.deepEqual(at(find(custom, 'ConsolePlugin'), 'spec', 'i18n'), { loadType: 'Lazy' });
  });

  test('the console Jobs run as hooks with a patcher that may touch only consoles/cluster', () => {
    const jobs = all(defaults, 'Job');
    assert.deepEqual(
      jobs.map((j) => [meta(j).name, meta(j).annotations?.['helm.sh/hook']]),
      [
        ['hub-migration-console-enable', 'post-install,post-upgrade'],
        ['hub-migration-console-disable', 'pre-delete'],
      ],
    );
    assert.deepEqual(at(find(defaults, 'ClusterRole', 'hub-migration-console-patcher'), 'rules'), [
      {
        apiGroups: ['operator.openshift.io'],
        resources: ['consoles'],
        resourceNames: ['cluster'],
        verbs: ['get', 'patch'],
      },
    ]);
    assert.equal(all(custom, 'ClusterRole').filter((c) => /patcher/.test(meta(c).name)).length, 0);
  });
});

describe('the BFF Deployment', () => {
  test('two replicas by default, probes on the health endpoints, requests and limits', () => {
    assert.equal(at(find(defaults, 'Deployment'), 'spec', 'replicas'), 2);
    assert.equal(at(find(custom, 'Deployment'), 'spec', 'replicas'), 3);
    for (const r of [defaults, custom]) {
      const { container } = bff(r);
      assert.deepEqual(container.readinessProbe.httpGet, {
        path: '/readyz',
        port: 'https',
        scheme: 'HTTPS',
      });
      assert.deepEqual(container.livenessProbe.httpGet, {
        path: '/healthz',
        port: 'https',
        scheme: 'HTTPS',
      });
      for (const k of ['requests', 'limits'] as const)
        for (const res of ['cpu', 'memory'])
          assert.ok(container.resources[k]?.[res], `${k}.${res}`);
    }
    assert.deepEqual(bff(custom).container.resources, NON_DEFAULT.resources);
  });

  test('the restricted security context: non-root, read-only root, no capabilities, RuntimeDefault', () => {
    for (const r of [defaults, custom]) {
      const { pod, container } = bff(r);
      assert.deepEqual(pod.securityContext, {
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      assert.deepEqual(container.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      for (const job of all(r, 'Job')) {
        const spec = at(job, 'spec', 'template', 'spec') as Obj;
        assert.deepEqual(spec.securityContext, pod.securityContext);
        assert.deepEqual(at(spec, 'containers', 0, 'securityContext'), container.securityContext);
      }
    }
  });

  test('the configuration reaches the BFF from values, with no variable the BFF does not read', () => {
    // What the BFF reads: its configuration (config.ts) and the log level (log.ts).
    const source = ['config.ts', 'log.ts']
      .map((f) => readFileSync(path.join(root, 'backend/src', f), 'utf8'))
      .join('\n');
    const read = new Set(
      [...source.matchAll(/env(?:\.([A-Z_]+)|, '([A-Z_]+)')/g)].map((m) => m[1] ?? m[2]),
    );
    assert.ok(read.size >= 12, `found ${[...read].join(', ')}`);
    // The HTTP server's settings, being added to config.ts alongside this chart.
    const server = ['PORT', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'BIND_ADDRESS', 'WATCH_NAMESPACES'];
    // Always set: the engine's and the registry's settings (the BFF's documented configuration)
    // and the server's port and serving certificate.
    const always = [
      'POD_NAMESPACE',
      'POD_NAME',
      'MIGRATION_NAMESPACE',
      'HUB_SECRET_LABEL',
      'LOCAL_CLUSTER_NAME',
      'ENGINE_ENABLED',
      'ENGINE_CONCURRENCY',
      'LEADER_LEASE_SECONDS',
      'EUS_ACM_VERSIONS',
      'HUB_QPS',
      'HUB_BURST',
      'HUB_MAX_IN_FLIGHT',
      'LOG_LEVEL',
      'PORT',
      'TLS_CERT_FILE',
      'TLS_KEY_FILE',
    ];
    for (const r of [defaults, custom]) {
      const e = env(bff(r).container);
      for (const name of always) assert.ok(e.has(name), `${name} is not set by the chart`);
      // In the cluster the BFF uses its in-cluster credentials, and the image says where the
      // plugin assets are.
      assert.ok(!e.has('GLOBAL_HUB_KUBECONFIG'));
      assert.ok(!e.has('PLUGIN_ASSETS_DIR'));
      for (const name of e.keys())
        if (name !== 'NODE_OPTIONS' /* extraEnv */)
          assert.ok(read.has(name) || server.includes(name), `the BFF never reads ${name}`);
    }
    // Set only when their values are: the listen address and further watched namespaces.
    for (const name of ['BIND_ADDRESS', 'WATCH_NAMESPACES']) {
      assert.ok(!env(bff(defaults).container).has(name), `${name} is set by default`);
      assert.ok(env(bff(custom).container).has(name), `${name} does not follow its value`);
    }
    const c = bff(custom).container;
    const e = env(c);
    assert.equal(e.get('ENGINE_ENABLED'), 'false');
    assert.equal(e.get('MIGRATION_NAMESPACE'), 'fleet-migrations');
    assert.equal(e.get('LOCAL_CLUSTER_NAME'), 'global');
    assert.equal(e.get('HUB_SECRET_LABEL'), 'example.com/hub');
    assert.equal(e.get('ENGINE_CONCURRENCY'), '5');
    assert.equal(e.get('LEADER_LEASE_SECONDS'), '30');
    assert.equal(e.get('EUS_ACM_VERSIONS'), '2.13,2.17');
    assert.equal(e.get('HUB_QPS'), '50');
    assert.equal(e.get('HUB_BURST'), '100');
    assert.equal(e.get('HUB_MAX_IN_FLIGHT'), '8');
    assert.equal(e.get('LOG_LEVEL'), 'debug');
    assert.equal(e.get('BIND_ADDRESS'), '::');
    assert.equal(e.get('WATCH_NAMESPACES'), 'fleet-migrations,team-a,team-b');
    assert.equal(e.get('NODE_OPTIONS'), '--max-old-space-size=900');
    assert.deepEqual(c.env.find((x) => x.name === 'POD_NAMESPACE')?.valueFrom, {
      fieldRef: { fieldPath: 'metadata.namespace' },
    });
    assert.deepEqual(c.env.find((x) => x.name === 'POD_NAME')?.valueFrom, {
      fieldRef: { fieldPath: 'metadata.name' },
    });
    assert.equal(
      at(find(defaults, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image'),
      'quay.io/hub-migration/hub-migration:0.1.0',
    );
    assert.equal(
      at(find(custom, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image'),
      `registry.example.com/team/hub-migration@sha256:${'a'.repeat(64)}`,
    );
  });

  test('scheduling values reach the pod; the default spreads the replicas over nodes', () => {
    const { pod } = bff(custom);
    assert.deepEqual(pod.affinity, NON_DEFAULT.affinity);
    assert.deepEqual(pod.nodeSelector, NON_DEFAULT.nodeSelector);
    assert.deepEqual(pod.tolerations, NON_DEFAULT.tolerations);
    assert.deepEqual(pod.imagePullSecrets, NON_DEFAULT.imagePullSecrets);
    assert.equal(pod.priorityClassName, 'system-cluster-critical');
    const template = at(find(custom, 'Deployment'), 'spec', 'template', 'metadata') as Obj;
    assert.equal(at(template, 'labels', 'team'), 'fleet');
    assert.deepEqual(template.annotations, { 'example.com/a': 'b' });
    assert.equal(
      at(
        bff(defaults).pod,
        'affinity',
        'podAntiAffinity',
        'preferredDuringSchedulingIgnoredDuringExecution',
        0,
        'podAffinityTerm',
        'topologyKey',
      ),
      'kubernetes.io/hostname',
    );
  });

  test('a PodDisruptionBudget keeps one replica through drains', () => {
    const pdb = find(defaults, 'PodDisruptionBudget');
    assert.equal(at(pdb, 'spec', 'minAvailable'), 1);
    assert.deepEqual(
      at(pdb, 'spec', 'selector', 'matchLabels'),
      at(find(defaults, 'Deployment'), 'spec', 'selector', 'matchLabels'),
    );
    assert.equal(at(find(custom, 'PodDisruptionBudget'), 'spec', 'minAvailable'), 2);
    assert.equal(all(render({ replicas: 1 }), 'PodDisruptionBudget').length, 0);
  });

  test('the NetworkPolicy admits only the console and metrics scraping', () => {
    const np = find(defaults, 'NetworkPolicy');
    assert.deepEqual(
      at(np, 'spec', 'podSelector', 'matchLabels'),
      at(find(defaults, 'Deployment'), 'spec', 'selector', 'matchLabels'),
    );
    assert.deepEqual(at(np, 'spec', 'policyTypes'), ['Ingress']);
    assert.deepEqual(at(np, 'spec', 'ingress'), [
      {
        from: [
          'openshift-console',
          'openshift-monitoring',
          'openshift-user-workload-monitoring',
        ].map((n) => ({
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': n } },
        })),
        ports: [{ protocol: 'TCP', port: 'https' }],
      },
    ]);
  });
});

describe('the ManagedClusterMigration CRD', () => {
  const simCrds = YAML.parseAllDocuments(
    readFileSync(path.join(root, 'sim/crds/globalhub.yaml'), 'utf8'),
  ).map((d) => d.toJS() as Obj);
  const simCrd = simCrds.find(
    (c) => meta(c).name === 'managedclustermigrations.global-hub.open-cluster-management.io',
  );
  const crd = find(defaults, 'CustomResourceDefinition');

  test("is the simulator's CRD, field for field", () => {
    assert.ok(simCrd);
    assert.equal(meta(crd).name, meta(simCrd).name);
    assert.deepEqual(crd.spec, simCrd.spec);
    assert.equal(meta(crd).annotations?.['helm.sh/resource-policy'], 'keep');
    assert.equal(
      meta(find(render({ crd: { keep: false } }), 'CustomResourceDefinition')).annotations,
      undefined,
    );
  });

  const schema = at(crd, 'spec', 'versions', 0, 'schema', 'openAPIV3Schema') as JsonObject;
  const migration = (spec: Obj, status?: Obj): Obj => ({
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name: 'wave-1', namespace: 'multicluster-global-hub' },
    spec,
    ...(status ? { status } : {}),
  });

  test('accepts a sample migration, with its status', () => {
    const sample = migration(
      {
        from: 'hub1',
        to: 'hub2',
        includedManagedClusters: ['sno-1', 'sno-2'],
        supportedConfigs: { stageTimeout: '15m' },
      },
      {
        phase: 'Deploying',
        conditions: [
          {
            type: 'ResourceDeployed',
            status: 'False',
            reason: 'Waiting',
            message: 'Copying',
            lastTransitionTime: '2025-01-01T00:00:00Z',
            lastUpdateTime: '2025-01-01T00:01:00Z',
          },
        ],
      },
    );
    assert.deepEqual(schemaErrors(sample, schema), []);
    assert.deepEqual(
      schemaErrors(
        migration({ from: 'hub1', to: 'hub2', includedManagedClustersPlacementRef: 'wave' }),
        schema,
      ),
      [],
    );
  });

  test('refuses what the global hub refuses', () => {
    const both = schemaErrors(
      migration({
        from: 'a',
        to: 'b',
        includedManagedClusters: ['x'],
        includedManagedClustersPlacementRef: 'p',
      }),
      schema,
    );
    assert.ok(
      both.some((e) =>
        /exactly one of includedManagedClustersPlacementRef or includedManagedClusters/.test(e),
      ),
      both.join('\n'),
    );
    assert.ok(
      schemaErrors(migration({ from: 'a', includedManagedClusters: ['x'] }), schema).some((e) =>
        /to/.test(e),
      ),
    );
    assert.ok(
      schemaErrors(
        migration({ from: 'a', to: 'b', includedManagedClusters: ['x'], batchSize: 5 }),
        schema,
      ).some((e) => /batchSize: unknown field/.test(e)),
    );
    assert.ok(
      schemaErrors(
        migration({ from: 'a', to: 'b', includedManagedClusters: ['x'] }, { phase: 'Paused' }),
        schema,
      ).length > 0,
    );
    // The same check the simulator's API server makes when a migration is created.
    assert.ok(validateAndPrune(migration({ from: 'a', to: 'b' }), schema).length > 0);
  });
});

/** The rules bound to the BFF's ServiceAccount, with the namespace they apply in ('' = all). */
function bffRules(r: Rendered, saNamespace: string): { ns: string; rule: Obj; role: string }[] {
  const sa = { kind: 'ServiceAccount', name: 'hub-migration', namespace: saNamespace };
  const out: { ns: string; rule: Obj; role: string }[] = [];
  for (const b of [...all(r, 'ClusterRoleBinding'), ...all(r, 'RoleBinding')]) {
    const subjects = b.subjects as Obj[];
    if (
      !subjects.some(
        (s) => s.kind === sa.kind && s.name === sa.name && s.namespace === sa.namespace,
      )
    )
      continue;
    const ref = b.roleRef as { kind: string; name: string };
    const ns = b.kind === 'RoleBinding' ? meta(b).namespace! : '';
    const role = find(r, ref.kind, ref.name, ref.kind === 'Role' ? ns : undefined);
    for (const rule of role.rules as Obj[]) out.push({ ns, rule, role: `${ref.kind}/${ref.name}` });
  }
  return out;
}

function allows(
  rules: { ns: string; rule: Obj }[],
  verb: string,
  group: string,
  resource: string,
  ns: string,
  name?: string,
): boolean {
  return rules.some(
    ({ ns: where, rule }) =>
      (where === '' || where === ns) &&
      (rule.apiGroups as string[]).includes(group) &&
      (rule.resources as string[]).includes(resource) &&
      (rule.verbs as string[]).includes(verb) &&
      (!rule.resourceNames ||
        (name !== undefined && (rule.resourceNames as string[]).includes(name))),
  );
}

describe('RBAC', () => {
  test('no wildcards, no bind, escalate or impersonate; every binding names a rendered role', () => {
    for (const r of [defaults, custom]) {
      for (const role of [...all(r, 'ClusterRole'), ...all(r, 'Role')])
        for (const rule of role.rules as Obj[]) {
          for (const k of ['apiGroups', 'resources', 'verbs', 'resourceNames'])
            assert.ok(
              !((rule[k] as string[] | undefined) ?? []).includes('*'),
              `${meta(role).name}: * in ${k}`,
            );
          for (const v of ['bind', 'escalate', 'impersonate', 'deletecollection'])
            assert.ok(!(rule.verbs as string[]).includes(v), `${meta(role).name}: ${v}`);
        }
      for (const b of [...all(r, 'ClusterRoleBinding'), ...all(r, 'RoleBinding')]) {
        const ref = b.roleRef as { kind: string; name: string };
        find(r, ref.kind, ref.name, ref.kind === 'Role' ? meta(b).namespace : undefined);
        for (const s of b.subjects as { name: string; namespace: string }[])
          find(r, 'ServiceAccount', s.name, s.namespace);
      }
    }
  });

  test('the engine may do what it needs on the global hub (default values)', () => {
    const rules = bffRules(defaults, 'hub-migration');
    const mcm = 'global-hub.open-cluster-management.io';
    const can = (verb: string, group: string, resource: string, ns: string, name?: string) =>
      assert.ok(
        allows(rules, verb, group, resource, ns, name),
        `${verb} ${group}/${resource} in ${ns || 'the cluster'} ${name ?? ''}`,
      );
    for (const v of ['get', 'list', 'watch', 'patch'])
      can(v, mcm, 'managedclustermigrations', 'multicluster-global-hub');
    can('update', mcm, 'managedclustermigrations/status', 'multicluster-global-hub');
    for (const v of ['get', 'create', 'update', 'list', 'watch'])
      can(v, '', 'configmaps', 'multicluster-global-hub');
    can('create', '', 'events', 'multicluster-global-hub');
    can('list', '', 'secrets', 'hub-migration');
    can('create', 'coordination.k8s.io', 'leases', 'hub-migration');
    can('update', 'coordination.k8s.io', 'leases', 'hub-migration', 'hub-migration-engine');
    // local-cluster as a hub
    can('create', '', 'serviceaccounts/token', 'open-cluster-management-global-hub-agent');
    can('update', 'operator.open-cluster-management.io', 'clustermanagers', '', 'cluster-manager');
    can('patch', 'hive.openshift.io', 'clusterdeployments', 'sno-1');
    can('delete', 'coordination.k8s.io', 'leases', 'sno-1', 'managed-cluster-lease');
    // ... and nothing more than it needs
    assert.ok(
      !allows(rules, 'update', 'coordination.k8s.io', 'leases', 'hub-migration', 'other-lease'),
    );
    assert.ok(
      !allows(
        rules,
        'update',
        'operator.open-cluster-management.io',
        'clustermanagers',
        '',
        'other',
      ),
    );
    assert.ok(!allows(rules, 'create', '', 'serviceaccounts/token', 'kube-system'));
    assert.ok(!allows(rules, 'delete', mcm, 'managedclustermigrations', 'multicluster-global-hub'));
    assert.ok(!allows(rules, 'create', mcm, 'managedclustermigrations', 'multicluster-global-hub'));
  });

  test("hub kubeconfig Secrets are readable only in the BFF's namespace without local-cluster as a hub", () => {
    const rules = bffRules(render({ rbac: { localClusterHub: false } }), 'hub-migration');
    const secretRules = rules.filter(({ rule }) =>
      (rule.resources as string[]).includes('secrets'),
    );
    assert.deepEqual(
      secretRules.map((s) => [s.ns, s.rule.verbs]),
      [['hub-migration', ['list']]],
    );
    assert.ok(!rules.some(({ ns }) => ns === 'open-cluster-management-global-hub-agent'));
    assert.ok(
      !rules.some(
        ({ ns, rule }) =>
          ns === '' && (rule.verbs as string[]).some((v) => !['get', 'list', 'watch'].includes(v)),
      ),
      'no cluster-wide writes',
    );
  });

  test('observe mode grants no write at all', () => {
    for (const r of [custom, render({ engine: { enabled: false } })]) {
      const ns = r === custom ? 'fleet-tools' : 'hub-migration';
      const writes = bffRules(r, ns).filter(({ rule }) =>
        (rule.verbs as string[]).some((v) => !['get', 'list', 'watch'].includes(v)),
      );
      assert.deepEqual(writes, []);
      assert.ok(bffRules(r, ns).length > 0);
    }
  });

  test('further watched namespaces get read-only access to migrations and their progress', () => {
    const rules = bffRules(custom, 'fleet-tools');
    const mcm = 'global-hub.open-cluster-management.io';
    for (const ns of ['fleet-migrations', 'team-a', 'team-b']) {
      assert.ok(allows(rules, 'watch', mcm, 'managedclustermigrations', ns), ns);
      assert.ok(allows(rules, 'list', '', 'configmaps', ns), ns);
    }
    assert.ok(!allows(rules, 'list', mcm, 'managedclustermigrations', 'team-c'));
    assert.ok(
      !allows(
        bffRules(defaults, 'hub-migration'),
        'list',
        mcm,
        'managedclustermigrations',
        'team-a',
      ),
    );
  });

  test('the migration namespace and the registration namespace are created only when asked', () => {
    const created = (r: Rendered) => all(r, 'Namespace').map((n) => meta(n).name);
    assert.deepEqual(created(defaults), ['open-cluster-management-global-hub-agent']);
    assert.deepEqual(created(custom), ['fleet-migrations']);
    assert.deepEqual(created(render({ rbac: { createRegistrationNamespace: false } })), []);
    for (const n of [...all(defaults, 'Namespace'), ...all(custom, 'Namespace')])
      assert.equal(meta(n).annotations?.['helm.sh/resource-policy'], 'keep');
    // A migration namespace equal to the release namespace gets two distinct Roles.
    assertAllValid(render({ globalHub: { migrationNamespace: 'hub-migration' } }).manifests);
    const roles = all(render({ globalHub: { migrationNamespace: 'hub-migration' } }), 'Role').map(
      (r) => meta(r).name,
    );
    assert.equal(new Set(roles).size, roles.length);
  });
});

test('NOTES say how to add a hub and, without the Job, how to enable the plugin', () => {
  assert.match(
    defaults.notes ?? '',
    /label secret hub-<hub> hub-migration.openshift.io\/hub=<hub>/,
  );
  assert.match(custom.notes ?? '', /oc patch consoles.operator.openshift.io cluster/);
  assert.match(custom.notes ?? '', /observe mode/);
});
