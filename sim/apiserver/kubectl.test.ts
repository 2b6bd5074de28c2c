// The real kubectl (v1.32, from the PATH) against a simulated hub, unchanged: every command here
// runs as a user would run it, and asserts on what kubectl prints and, where useful, on the hub's
// state. A failing test here means the simulator behaves differently from a real kube-apiserver.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { Fleet } from '../fleet.js';
import type { SimHub } from '../hub.js';
import type { KubeObject } from './types.js';
import { isObject } from './types.js';

const execFileP = promisify(execFile);

let fleet: Fleet;
let hub: SimHub;
let dir: string;
let adminKubeconfig: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-'));
  fleet = await Fleet.start(
    { name: 'kubectl', hubs: [{ name: 'hub1', globalHub: true }, { name: 'hub2' }], users: [] },
    { stateDir: dir },
  );
  hub = fleet.hub('hub1');
  const kc = fleet.kubeconfigPath('hub1');
  assert.ok(kc, 'the fleet wrote a kubeconfig for hub1');
  adminKubeconfig = kc;
});

after(async () => {
  await fleet?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---- helpers -------------------------------------------------------------------------------

interface KubectlResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 when kubectl was killed (timeout). */
  code: number;
}

interface KubectlOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string;
  /** Path of the kubeconfig to use; the hub's admin kubeconfig by default. */
  kubeconfig?: string;
  /** The command must exit non-zero (otherwise it must exit zero). */
  expectFail?: boolean;
  timeoutMs?: number;
  /** Extra environment variables (EDITOR for `kubectl edit`). */
  env?: Record<string, string>;
}

interface ExecFailure extends Error {
  stdout?: string;
  stderr?: string;
  code?: number | string | null;
}

function isExecFailure(e: unknown): e is ExecFailure {
  return e instanceof Error && ('stdout' in e || 'stderr' in e);
}

/** Starts kubectl; `output()` shows what it has printed so far, `result` settles when it exits. */
function startKubectl(
  args: string[],
  opts: KubectlOptions = {},
): { result: Promise<KubectlResult>; output: () => string } {
  const kubeconfig = opts.kubeconfig ?? adminKubeconfig;
  const p = execFileP('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    // Never the user's KUBECONFIG or HOME: kubectl's discovery cache stays in the temp dir.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      KUBECONFIG: kubeconfig,
      HOME: dir,
      ...opts.env,
    },
    timeout: opts.timeoutMs ?? 20_000,
    maxBuffer: 32 * 1024 * 1024,
    encoding: 'utf8',
  });
  let seen = '';
  p.child.stdout?.on('data', (chunk: Buffer | string) => {
    seen += chunk.toString();
  });
  p.child.stdin?.end(opts.input ?? '');
  const result = p.then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (e: unknown) => {
      if (!isExecFailure(e)) throw e;
      return {
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
        code: typeof e.code === 'number' ? e.code : -1,
      };
    },
  );
  return { result, output: () => seen };
}

function checkOutcome(
  args: string[],
  r: KubectlResult,
  expectFail: boolean | undefined,
): KubectlResult {
  const shown = `kubectl ${args.join(' ')}\n--- exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  if (expectFail) assert.notEqual(r.code, 0, `expected failure:\n${shown}`);
  else assert.equal(r.code, 0, `expected success:\n${shown}`);
  return r;
}

async function kubectl(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return checkOutcome(args, await startKubectl(args, opts).result, opts.expectFail);
}

/** `kubectl apply -f -` of the given objects. */
function apply(
  objs: KubeObject[],
  opts: KubectlOptions & { extraArgs?: string[] } = {},
): Promise<KubectlResult> {
  return kubectl(['apply', '-f', '-', ...(opts.extraArgs ?? [])], {
    ...opts,
    input: yamlDocs(objs),
  });
}

function yamlDocs(objs: KubeObject[]): string {
  // YAML 1.1, as kubectl reads it: strings such as `y` or `on` get quoted (they are booleans there).
  return objs.map((o) => stringify(o, { version: '1.1' })).join('---\n');
}

function writeTemp(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const collapse = (line: string) => line.trim().split(/\s+/).join(' ');
const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

/** Parses kubectl's table output by the header's column offsets, so that empty cells stay empty. */
function table(stdout: string): { header: string; rows: Record<string, string>[] } {
  const [header, ...body] = lines(stdout);
  assert.ok(header, `no table in:\n${stdout}`);
  const cols: { name: string; start: number }[] = [];
  const re = /\S+(?: \S+)*/g; // column names may hold single spaces (HUB ACCEPTED)
  for (let m = re.exec(header); m; m = re.exec(header)) cols.push({ name: m[0], start: m.index });
  const rows = body.map((line) => {
    const row: Record<string, string> = {};
    cols.forEach((c, i) => {
      row[c.name] = line.slice(c.start, i + 1 < cols.length ? cols[i + 1].start : undefined).trim();
    });
    return row;
  });
  return { header, rows };
}

function state(
  group: string,
  version: string,
  plural: string,
  ns: string | undefined,
  name: string,
): KubeObject | undefined {
  return hub.state.get(hub.state.rt(group, version, plural), ns, name);
}
const cmIn = (ns: string, name: string) => state('', 'v1', 'configmaps', ns, name);

function watchCount(resource: string): number {
  return hub.server.requestCounts()[`watch ${resource}`] ?? 0;
}

const namespace = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

function configMap(
  ns: string,
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    data,
  };
}

const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.example.com' },
  spec: {
    group: 'test.example.com',
    names: {
      kind: 'Widget',
      listKind: 'WidgetList',
      plural: 'widgets',
      singular: 'widget',
      shortNames: ['wdg'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Color', type: 'string', jsonPath: '.spec.color' },
          {
            name: 'Ready',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].status',
          },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1, maximum: 10 },
                  color: { type: 'string', enum: ['red', 'green', 'blue'] },
                  max: { type: 'integer' },
                },
                'x-kubernetes-validations': [
                  {
                    rule: '!has(self.max) || self.size <= self.max',
                    message: 'size must not exceed max',
                  },
                ],
              },
              status: {
                type: 'object',
                properties: {
                  conditions: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        type: { type: 'string' },
                        status: { type: 'string' },
                        reason: { type: 'string' },
                        message: { type: 'string' },
                        lastTransitionTime: { type: 'string', format: 'date-time' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

let widgetCrdApplied: Promise<KubectlResult> | undefined;
/** Applies the Widget CRD once (the first call creates it); later calls get that first result. */
function widgetCrd(): Promise<KubectlResult> {
  widgetCrdApplied ??= apply([WIDGET_CRD]);
  return widgetCrdApplied;
}

function widget(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'test.example.com/v1',
    kind: 'Widget',
    metadata: { name, namespace: ns },
    spec,
  };
}
const widgetIn = (ns: string, name: string) => state('test.example.com', 'v1', 'widgets', ns, name);

function readyCondition(status: 'True' | 'False') {
  return {
    status: {
      conditions: [
        {
          type: 'Ready',
          status,
          reason: 'Tested',
          message: 'set by the test',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    },
  };
}

// ---- get -----------------------------------------------------------------------------------

void describe('kubectl get', () => {
  const NS = 'get-ns';
  before(async () => {
    await apply([
      namespace(NS),
      namespace('get-other'),
      configMap(NS, 'a', { k: 'va' }, { app: 'web', tier: 'front' }),
      configMap(NS, 'b', { k: 'vb', k2: 'x' }, { app: 'db' }),
      configMap(NS, 'c', { k: 'vc' }, { app: 'cache', tier: 'back' }),
      configMap(NS, 'd', { k: 'vd' }),
      configMap(NS, 'e', { k: 've' }, { tier: 'front' }),
      configMap('get-other', 'o', { k: 'vo' }, { app: 'web' }),
    ]);
  });

  void test('default table', async () => {
    const { stdout } = await kubectl(['get', 'configmaps', '-n', NS]);
    const t = table(stdout);
    assert.equal(collapse(t.header), 'NAME DATA AGE');
    assert.deepEqual(
      t.rows.map((r) => [r.NAME, r.DATA]),
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '1'],
        ['d', '1'],
        ['e', '1'],
      ],
    );
    for (const r of t.rows) assert.match(r.AGE, /^\d+s$/);
    const ns = table((await kubectl(['get', 'ns', NS])).stdout);
    assert.equal(collapse(ns.header), 'NAME STATUS AGE');
    assert.equal(ns.rows[0].STATUS, 'Active');
  });

  void test('-o wide', async () => {
    const { stdout } = await kubectl(['get', 'cm', '-n', NS, '-o', 'wide']);
    assert.equal(collapse(lines(stdout)[0]), 'NAME DATA AGE');
    assert.equal(lines(stdout).length, 6);
  });

  void test('-o yaml (one object and a list)', async () => {
    const one: unknown = parse((await kubectl(['get', 'cm', 'b', '-n', NS, '-o', 'yaml'])).stdout);
    assert.ok(isObject(one) && isObject(one.metadata));
    assert.equal(one.kind, 'ConfigMap');
    assert.equal(one.apiVersion, 'v1');
    assert.deepEqual(one.data, { k: 'vb', k2: 'x' });
    const stored = cmIn(NS, 'b');
    assert.equal(one.metadata.uid, stored?.metadata.uid);
    assert.equal(one.metadata.resourceVersion, stored?.metadata.resourceVersion);
    assert.deepEqual(one.metadata.labels, { app: 'db' });
    const list: unknown = parse((await kubectl(['get', 'cm', '-n', NS, '-o', 'yaml'])).stdout);
    assert.ok(isObject(list) && Array.isArray(list.items));
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 5);
  });

  void test('-o json', async () => {
    const out: unknown = JSON.parse((await kubectl(['get', 'cm', '-n', NS, '-o', 'json'])).stdout);
    assert.ok(isObject(out) && Array.isArray(out.items));
    const names = out.items.map((i: unknown) =>
      isObject(i) && isObject(i.metadata) ? i.metadata.name : undefined,
    );
    assert.deepEqual(names, ['a', 'b', 'c', 'd', 'e']);
    const one: unknown = JSON.parse(
      (await kubectl(['get', 'cm', 'a', '-n', NS, '-o', 'json'])).stdout,
    );
    assert.ok(isObject(one) && isObject(one.metadata));
    assert.equal(one.metadata.namespace, NS);
    assert.deepEqual(one.data, { k: 'va' });
  });

  void test('-o name', async () => {
    const { stdout } = await kubectl(['get', 'cm', '-n', NS, '-o', 'name']);
    assert.deepEqual(lines(stdout), [
      'configmap/a',
      'configmap/b',
      'configmap/c',
      'configmap/d',
      'configmap/e',
    ]);
  });

  void test('-o jsonpath', async () => {
    assert.equal(
      (await kubectl(['get', 'cm', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}'])).stdout,
      'a b c d e',
    );
    assert.equal(
      (await kubectl(['get', 'cm', 'b', '-n', NS, '-o', 'jsonpath={.data.k2}'])).stdout,
      'x',
    );
    const ranged = await kubectl([
      'get',
      'cm',
      '-n',
      NS,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.data.k}{"\\n"}{end}',
    ]);
    assert.deepEqual(lines(ranged.stdout), ['a=va', 'b=vb', 'c=vc', 'd=vd', 'e=ve']);
  });

  void test('-o custom-columns', async () => {
    const { stdout } = await kubectl([
      'get',
      'cm',
      '-n',
      NS,
      '-o',
      'custom-columns=NAME:.metadata.name,VALUE:.data.k,APP:.metadata.labels.app',
    ]);
    const t = table(stdout);
    assert.equal(collapse(t.header), 'NAME VALUE APP');
    assert.deepEqual(
      t.rows.map((r) => [r.NAME, r.VALUE, r.APP]),
      [
        ['a', 'va', 'web'],
        ['b', 'vb', 'db'],
        ['c', 'vc', 'cache'],
        ['d', 'vd', '<none>'],
        ['e', 've', '<none>'],
      ],
    );
  });

  void test('-l label selectors: =, !=, in, notin, exists, !exists', async () => {
    const names = async (selector: string) =>
      lines((await kubectl(['get', 'cm', '-n', NS, '-l', selector, '-o', 'name'])).stdout).map(
        (l) => l.replace('configmap/', ''),
      );
    assert.deepEqual(await names('app=web'), ['a']);
    assert.deepEqual(await names('app==db'), ['b']);
    assert.deepEqual(await names('app!=web'), ['b', 'c', 'd', 'e']); // without the label matches too
    assert.deepEqual(await names('app in (web,db)'), ['a', 'b']);
    assert.deepEqual(await names('app notin (web,db)'), ['c', 'd', 'e']);
    assert.deepEqual(await names('tier'), ['a', 'c', 'e']);
    assert.deepEqual(await names('!tier'), ['b', 'd']);
    assert.deepEqual(await names('app,tier=front'), ['a']);
    const none = await kubectl(['get', 'cm', '-n', NS, '-l', 'app=nothing']);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /No resources found in get-ns namespace\./);
  });

  void test('--field-selector', async () => {
    const { stdout } = await kubectl([
      'get',
      'cm',
      '-n',
      NS,
      '--field-selector',
      'metadata.name=c',
    ]);
    assert.deepEqual(
      table(stdout).rows.map((r) => r.NAME),
      ['c'],
    );
    const not = await kubectl([
      'get',
      'cm',
      '-n',
      NS,
      '--field-selector',
      'metadata.name!=c',
      '-o',
      'name',
    ]);
    assert.deepEqual(lines(not.stdout), [
      'configmap/a',
      'configmap/b',
      'configmap/d',
      'configmap/e',
    ]);
    const both = await kubectl([
      'get',
      'cm',
      '-A',
      '--field-selector',
      'metadata.namespace=get-other',
      '-o',
      'name',
    ]);
    assert.deepEqual(lines(both.stdout), ['configmap/o']);
  });

  void test('-A lists every namespace', async () => {
    const t = table((await kubectl(['get', 'cm', '-A'])).stdout);
    assert.equal(collapse(t.header), 'NAMESPACE NAME DATA AGE');
    const ours = t.rows
      .filter((r) => r.NAMESPACE === NS || r.NAMESPACE === 'get-other')
      .map((r) => `${r.NAMESPACE}/${r.NAME}`);
    assert.deepEqual(ours, [
      'get-ns/a',
      'get-ns/b',
      'get-ns/c',
      'get-ns/d',
      'get-ns/e',
      'get-other/o',
    ]);
    const web = table((await kubectl(['get', 'cm', '--all-namespaces', '-l', 'app=web'])).stdout);
    assert.deepEqual(
      web.rows.map((r) => `${r.NAMESPACE}/${r.NAME}`),
      ['get-ns/a', 'get-other/o'],
    );
  });

  void test('--chunk-size pages with limit/continue', async () => {
    const before = hub.server.requestCounts()['list configmaps'] ?? 0;
    const { stdout, stderr } = await kubectl(['get', 'cm', '-n', NS, '--chunk-size=2', '-v=6']);
    assert.deepEqual(
      table(stdout).rows.map((r) => r.NAME),
      ['a', 'b', 'c', 'd', 'e'],
    );
    const gets = stderr
      .split('\n')
      .filter((l) => /GET https:\S+\/namespaces\/get-ns\/configmaps\?/.test(l));
    assert.equal(gets.length, 3, `three pages of 2, got:\n${gets.join('\n')}`);
    assert.ok(gets.every((l) => l.includes('limit=2')));
    assert.equal(gets.filter((l) => l.includes('continue=')).length, 2);
    assert.equal((hub.server.requestCounts()['list configmaps'] ?? 0) - before, 3);
    const all = await kubectl(['get', 'cm', '-A', '--chunk-size=1', '-o', 'name']);
    assert.ok(lines(all.stdout).length >= 6);
  });

  void test('-w and --watch-only print changes as they happen', async () => {
    const watchesBefore = watchCount('configmaps');
    const full = startKubectl(['get', 'cm', '-n', NS, '-w', '--request-timeout=5s']);
    const only = startKubectl([
      'get',
      'cm',
      '-n',
      NS,
      '--watch-only',
      '--output-watch-events',
      '--request-timeout=5s',
    ]);
    await eventually(
      () => watchCount('configmaps') >= watchesBefore + 2,
      'both kubectl watches to start',
    );
    await apply([configMap(NS, 'w1', { x: '1' })]);
    await kubectl(['patch', 'cm', 'w1', '-n', NS, '--type', 'merge', '-p', '{"data":{"y":"2"}}']);
    await kubectl(['delete', 'cm', 'w1', '-n', NS]);
    await eventually(
      () =>
        lines(full.output()).filter((l) => l.startsWith('w1 ')).length === 3 &&
        lines(only.output()).length === 4,
      'the watch events',
    );

    const f = checkOutcome(['get', '-w'], await full.result, false);
    const ft = table(f.stdout);
    assert.equal(collapse(ft.header), 'NAME DATA AGE');
    assert.deepEqual(
      ft.rows.slice(0, 5).map((r) => r.NAME),
      ['a', 'b', 'c', 'd', 'e'],
      'the list comes first',
    );
    assert.deepEqual(
      ft.rows.slice(5).map((r) => [r.NAME, r.DATA]),
      [
        ['w1', '1'],
        ['w1', '2'],
        ['w1', '2'],
      ],
    );
    const o = checkOutcome(['get', '--watch-only'], await only.result, false);
    const ot = table(o.stdout);
    assert.equal(collapse(ot.header), 'EVENT NAME DATA AGE');
    assert.deepEqual(
      ot.rows.map((r) => [r.EVENT, r.NAME, r.DATA]),
      [
        ['ADDED', 'w1', '1'],
        ['MODIFIED', 'w1', '2'],
        ['DELETED', 'w1', '2'],
      ],
    );
  });
});

// ---- create and apply ----------------------------------------------------------------------

void describe('kubectl create -f and apply', () => {
  const NS = 'apply-ns';
  before(async () => {
    await apply([namespace(NS)]);
  });

  void test('create -f a file, then AlreadyExists', async () => {
    const file = writeTemp(
      'create.yaml',
      yamlDocs([configMap(NS, 'cr1', { a: '1' }), configMap(NS, 'cr2', { b: '2' })]),
    );
    const { stdout } = await kubectl(['create', '-f', file]);
    assert.deepEqual(lines(stdout), ['configmap/cr1 created', 'configmap/cr2 created']);
    assert.deepEqual(cmIn(NS, 'cr1')?.data, { a: '1' });
    assert.deepEqual(cmIn(NS, 'cr2')?.data, { b: '2' });
    const again = await kubectl(['create', '-f', file], { expectFail: true });
    assert.match(
      again.stderr,
      /Error from server \(AlreadyExists\): error when creating ".*create\.yaml": configmaps "cr1" already exists/,
    );
  });

  void test('apply: created, unchanged, configured', async () => {
    const v1 = configMap(NS, 'ap', { a: '1', b: '2' }, { app: 'x' });
    assert.equal((await apply([v1])).stdout.trim(), 'configmap/ap created');
    const rv = cmIn(NS, 'ap')?.metadata.resourceVersion;
    assert.equal((await apply([v1])).stdout.trim(), 'configmap/ap unchanged');
    assert.equal(cmIn(NS, 'ap')?.metadata.resourceVersion, rv, 'an unchanged apply writes nothing');
    // Changing a value and dropping a key: the three-way merge removes what the last apply set.
    assert.equal(
      (await apply([configMap(NS, 'ap', { a: '3' }, { app: 'x' })])).stdout.trim(),
      'configmap/ap configured',
    );
    const stored = cmIn(NS, 'ap');
    assert.deepEqual(stored?.data, { a: '3' });
    assert.match(
      stored?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '',
      /"a":"3"/,
    );
  });

  void test('diff shows what apply would change, without changing it', async () => {
    await apply([configMap(NS, 'df', { a: '1' })]);
    const same = await kubectl(['diff', '-f', '-'], {
      input: yamlDocs([configMap(NS, 'df', { a: '1' })]),
    });
    assert.equal(same.stdout, '');
    const changed = await kubectl(['diff', '-f', '-'], {
      input: yamlDocs([configMap(NS, 'df', { a: '2' })]),
      expectFail: true,
    });
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^- {2}a: "1"$/m);
    assert.match(changed.stdout, /^\+ {2}a: "2"$/m);
    assert.deepEqual(cmIn(NS, 'df')?.data, { a: '1' });
  });

  void test('replace with a stale resourceVersion is a Conflict; edit goes through', async () => {
    await apply([configMap(NS, 'rp', { a: '1' })]);
    const file = writeTemp(
      'rp.yaml',
      (await kubectl(['get', 'cm', 'rp', '-n', NS, '-o', 'yaml'])).stdout,
    );
    await kubectl(['label', 'cm', 'rp', '-n', NS, 'touched=yes']);
    const stale = await kubectl(['replace', '-f', file], { expectFail: true });
    assert.match(
      stale.stderr,
      /Error from server \(Conflict\): error when replacing ".*rp\.yaml": Operation cannot be fulfilled on configmaps "rp": the object has been modified; please apply your changes to the latest version and try again/,
    );
    const editor = writeTemp('editor.sh', '#!/bin/sh\nsed -i \'s/^  a: "1"$/  a: "2"/\' "$1"\n');
    fs.chmodSync(editor, 0o755);
    const edited = await kubectl(['edit', 'cm', 'rp', '-n', NS], { env: { EDITOR: editor } });
    assert.equal(edited.stdout.trim(), 'configmap/rp edited');
    assert.deepEqual(cmIn(NS, 'rp')?.data, { a: '2' });
    assert.equal(cmIn(NS, 'rp')?.metadata.labels?.touched, 'yes');
  });

  void test('apply --server-side', async () => {
    const r = await apply([configMap(NS, 'ssa', { a: '1' })], { extraArgs: ['--server-side'] });
    assert.equal(r.stdout.trim(), 'configmap/ssa serverside-applied');
    await apply([configMap(NS, 'ssa', { a: '1', b: '2' })], { extraArgs: ['--server-side'] });
    // Another manager adds a field nobody else owns.
    await apply([configMap(NS, 'ssa', { c: '3' })], {
      extraArgs: ['--server-side', '--field-manager=other'],
    });
    const stored = cmIn(NS, 'ssa');
    assert.deepEqual(stored?.data, { a: '1', b: '2', c: '3' });
    const managers = (stored?.metadata.managedFields ?? [])
      .map((m) => `${String(m.manager)}/${String(m.operation)}`)
      .sort();
    assert.deepEqual(managers, ['kubectl/Apply', 'other/Apply']);
    const yaml: unknown = parse(
      (await kubectl(['get', 'cm', 'ssa', '-n', NS, '-o', 'yaml', '--show-managed-fields'])).stdout,
    );
    assert.ok(
      isObject(yaml) && isObject(yaml.metadata) && Array.isArray(yaml.metadata.managedFields),
    );
  });

  void test('apply --server-side: a field owned by another manager is a conflict', async () => {
    await apply([configMap(NS, 'ssa2', { a: '1' })], { extraArgs: ['--server-side'] });
    const conflict = await apply([configMap(NS, 'ssa2', { a: '9' })], {
      extraArgs: ['--server-side', '--field-manager=other'],
      expectFail: true,
    });
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl"/);
    assert.match(conflict.stderr, /\.data\.a/);
    assert.deepEqual(cmIn(NS, 'ssa2')?.data, { a: '1' });
    await apply([configMap(NS, 'ssa2', { a: '9' })], {
      extraArgs: ['--server-side', '--field-manager=other', '--force-conflicts'],
    });
    assert.deepEqual(cmIn(NS, 'ssa2')?.data, { a: '9' });
  });

  void test('apply a new CRD, then objects of its kind printed with its columns', async () => {
    const crd = await widgetCrd();
    assert.equal(
      crd.stdout.trim(),
      'customresourcedefinition.apiextensions.k8s.io/widgets.test.example.com created',
    );
    const got = table((await kubectl(['get', 'crd', 'widgets.test.example.com'])).stdout);
    assert.equal(collapse(got.header), 'NAME CREATED AT');
    const res = await kubectl(['api-resources', '--api-group=test.example.com']);
    assert.match(res.stdout, /^widgets\s+wdg\s+test\.example\.com\/v1\s+true\s+Widget$/m);

    const created = await apply([
      widget(NS, 'w-a', { size: 3, color: 'red', max: 5 }),
      widget(NS, 'w-b', { size: 7 }),
    ]);
    assert.deepEqual(lines(created.stdout), [
      'widget.test.example.com/w-a created',
      'widget.test.example.com/w-b created',
    ]);
    assert.deepEqual(widgetIn(NS, 'w-a')?.spec, { size: 3, color: 'red', max: 5 });
    await kubectl([
      'patch',
      'widget',
      'w-a',
      '-n',
      NS,
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      JSON.stringify(readyCondition('True')),
    ]);

    const t = table((await kubectl(['get', 'widgets', '-n', NS])).stdout);
    assert.equal(collapse(t.header), 'NAME SIZE COLOR READY AGE');
    assert.deepEqual(
      t.rows.map((r) => [r.NAME, r.SIZE, r.COLOR, r.READY]),
      [
        ['w-a', '3', 'red', 'True'],
        ['w-b', '7', '', ''],
      ],
    );
    const short = table((await kubectl(['get', 'wdg', 'w-b', '-n', NS, '-o', 'wide'])).stdout);
    assert.equal(collapse(short.header), 'NAME SIZE COLOR READY AGE');
  });

  void test('objects violating the CRD schema or its CEL rule are refused with the message', async () => {
    await widgetCrd();
    const schema = await apply([widget(NS, 'bad1', { size: 30, color: 'pink' })], {
      expectFail: true,
    });
    assert.match(schema.stderr, /The Widget "bad1" is invalid/);
    assert.match(
      schema.stderr,
      /spec\.size: Invalid value: 30: spec\.size in body should be less than or equal to 10/,
    );
    assert.match(
      schema.stderr,
      /spec\.color: Unsupported value: "pink": supported values: "red", "green", "blue"/,
    );
    const cel = await apply([widget(NS, 'bad2', { size: 6, max: 5 })], { expectFail: true });
    assert.match(
      cel.stderr,
      /The Widget "bad2" is invalid: spec: Invalid value: "object": size must not exceed max/,
    );
    const missing = await apply([widget(NS, 'bad3', { color: 'red' })], { expectFail: true });
    assert.match(missing.stderr, /spec\.size: Required value/);
    for (const n of ['bad1', 'bad2', 'bad3']) assert.equal(widgetIn(NS, n), undefined);
  });

  void test('an unknown field in a custom resource is refused under strict validation', async () => {
    await widgetCrd();
    const r = await apply([widget(NS, 'bad4', { size: 2, bogus: 5 })], { expectFail: true });
    assert.match(
      r.stderr,
      /Error from server \(BadRequest\): error when creating "STDIN": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec\.bogus"/,
    );
    assert.equal(widgetIn(NS, 'bad4'), undefined);
  });

  void test('an unknown field in a ConfigMap is refused under strict validation', async () => {
    const obj = { ...configMap(NS, 'bad5', { a: '1' }), bogus: 1 };
    const r = await apply([obj], { expectFail: true });
    assert.match(
      r.stderr,
      /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"/,
    );
    assert.equal(cmIn(NS, 'bad5'), undefined);
  });
});

// ---- describe ------------------------------------------------------------------------------

void describe('kubectl describe', () => {
  const NS = 'describe-ns';
  before(async () => {
    await apply([namespace(NS), configMap(NS, 'dc', { greeting: 'hello' }, { app: 'demo' })]);
  });

  function eventFor(obj: KubeObject, name: string, reason: string, message: string): KubeObject {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: NS },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: NS,
        uid: obj.metadata.uid,
      },
      reason,
      message,
      type: 'Normal',
      source: { component: 'kubectl-test' },
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
    };
  }

  void test('a ConfigMap, with its Events', async () => {
    const before = await kubectl(['describe', 'cm', 'dc', '-n', NS]);
    assert.match(before.stdout, /^Name:\s+dc$/m);
    assert.match(before.stdout, /^Namespace:\s+describe-ns$/m);
    assert.match(before.stdout, /^Labels:\s+app=demo$/m);
    assert.match(before.stdout, /^Data\n====\ngreeting:\n----\nhello\n/m);
    assert.match(before.stdout, /^Events:\s+<none>$/m);

    const stored = cmIn(NS, 'dc');
    assert.ok(stored);
    await apply([eventFor(stored, 'dc.1', 'Tested', 'an event about dc')]);
    const after = await kubectl(['describe', 'cm', 'dc', '-n', NS]);
    const events = after.stdout.slice(after.stdout.indexOf('Events:'));
    assert.match(events, /Type\s+Reason\s+Age\s+From\s+Message/);
    assert.match(events, /Normal\s+Tested\s+\S+\s+kubectl-test\s+an event about dc/);
  });

  void test('a custom resource, with its Events', async () => {
    await widgetCrd();
    await apply([widget(NS, 'dw', { size: 4, color: 'green' })]);
    const stored = widgetIn(NS, 'dw');
    assert.ok(stored);
    await apply([eventFor(stored, 'dw.1', 'Built', 'the widget was built')]);
    const { stdout } = await kubectl(['describe', 'widget', 'dw', '-n', NS]);
    assert.match(stdout, /^Name:\s+dw$/m);
    assert.match(stdout, /^API Version:\s+test\.example\.com\/v1$/m);
    assert.match(stdout, /^Kind:\s+Widget$/m);
    assert.match(stdout, /^Spec:\n\s+Color:\s+green\n\s+Size:\s+4$/m);
    assert.match(stdout, /Normal\s+Built\s+\S+\s+kubectl-test\s+the widget was built/);
  });
});

// ---- patch ---------------------------------------------------------------------------------

void describe('kubectl patch', () => {
  const NS = 'patch-ns';
  before(async () => {
    await apply([namespace(NS), configMap(NS, 'p', { k: 'v' })]);
  });

  void test('--type merge, --type json and strategic (default) on a ConfigMap', async () => {
    assert.equal(
      (
        await kubectl(['patch', 'cm', 'p', '-n', NS, '--type', 'merge', '-p', '{"data":{"m":"1"}}'])
      ).stdout.trim(),
      'configmap/p patched',
    );
    assert.deepEqual(cmIn(NS, 'p')?.data, { k: 'v', m: '1' });
    await kubectl([
      'patch',
      'cm',
      'p',
      '-n',
      NS,
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/data/j","value":"2"},{"op":"remove","path":"/data/m"}]',
    ]);
    assert.deepEqual(cmIn(NS, 'p')?.data, { k: 'v', j: '2' });
    await kubectl([
      'patch',
      'cm',
      'p',
      '-n',
      NS,
      '-p',
      '{"data":{"s":"3","j":null},"metadata":{"labels":{"patched":"yes"}}}',
    ]);
    const stored = cmIn(NS, 'p');
    assert.deepEqual(stored?.data, { k: 'v', s: '3' });
    assert.deepEqual(stored?.metadata.labels, { patched: 'yes' });
    const failed = await kubectl(
      [
        'patch',
        'cm',
        'p',
        '-n',
        NS,
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/data/nothere","value":"x"}]',
      ],
      { expectFail: true },
    );
    assert.match(failed.stderr, /nothere/);
  });

  void test('a patch that changes nothing reports (no change) and keeps the resourceVersion', async () => {
    await kubectl(['patch', 'cm', 'p', '-n', NS, '--type', 'merge', '-p', '{"data":{"same":"1"}}']);
    const rv = cmIn(NS, 'p')?.metadata.resourceVersion;
    // managedFields times have one-second precision: let a second pass, so that a server that
    // refreshes them on a no-op write shows it.
    await new Promise((r) => setTimeout(r, 1100));
    const r = await kubectl([
      'patch',
      'cm',
      'p',
      '-n',
      NS,
      '--type',
      'merge',
      '-p',
      '{"data":{"same":"1"}}',
    ]);
    assert.equal(cmIn(NS, 'p')?.metadata.resourceVersion, rv);
    assert.equal(r.stdout.trim(), 'configmap/p patched (no change)');
  });

  void test('strategic merge on a custom resource is refused (415, use merge)', async () => {
    await widgetCrd();
    await apply([widget(NS, 'pw', { size: 1 })]);
    const r = await kubectl(['patch', 'widget', 'pw', '-n', NS, '-p', '{"spec":{"size":2}}'], {
      expectFail: true,
    });
    assert.match(
      r.stderr,
      /application\/strategic-merge-patch\+json is not supported by test\.example\.com\/v1, Kind=Widget/,
    );
    assert.match(r.stderr, /application\/merge-patch\+json/);
    assert.deepEqual(widgetIn(NS, 'pw')?.spec, { size: 1 });
    await kubectl([
      'patch',
      'widget',
      'pw',
      '-n',
      NS,
      '--type',
      'merge',
      '-p',
      '{"spec":{"size":2}}',
    ]);
    assert.deepEqual(widgetIn(NS, 'pw')?.spec, { size: 2 });
    assert.equal(widgetIn(NS, 'pw')?.metadata.generation, 2);
  });
});

// ---- label and annotate --------------------------------------------------------------------

void describe('kubectl label and annotate', () => {
  const NS = 'label-ns';
  before(async () => {
    await apply([namespace(NS), configMap(NS, 'l', {})]);
  });

  void test('label: add, refuse to overwrite, --overwrite, remove', async () => {
    assert.equal(
      (await kubectl(['label', 'cm', 'l', '-n', NS, 'color=blue'])).stdout.trim(),
      'configmap/l labeled',
    );
    assert.equal(cmIn(NS, 'l')?.metadata.labels?.color, 'blue');
    const refused = await kubectl(['label', 'cm', 'l', '-n', NS, 'color=red'], {
      expectFail: true,
    });
    assert.match(refused.stderr, /'color' already has a value \(blue\), and --overwrite is false/);
    await kubectl(['label', 'cm', 'l', '-n', NS, 'color=red', '--overwrite']);
    assert.equal(cmIn(NS, 'l')?.metadata.labels?.color, 'red');
    assert.deepEqual(
      lines((await kubectl(['get', 'cm', '-n', NS, '-l', 'color=red', '-o', 'name'])).stdout),
      ['configmap/l'],
    );
    assert.equal(
      (await kubectl(['label', 'cm', 'l', '-n', NS, 'color-'])).stdout.trim(),
      'configmap/l unlabeled',
    );
    assert.equal(cmIn(NS, 'l')?.metadata.labels?.color, undefined);
  });

  void test('annotate: add, refuse to overwrite, --overwrite, remove', async () => {
    assert.equal(
      (await kubectl(['annotate', 'cm', 'l', '-n', NS, 'note=hi'])).stdout.trim(),
      'configmap/l annotated',
    );
    assert.equal(cmIn(NS, 'l')?.metadata.annotations?.note, 'hi');
    const refused = await kubectl(['annotate', 'cm', 'l', '-n', NS, 'note=ho'], {
      expectFail: true,
    });
    assert.match(refused.stderr, /'note' already has a value \(hi\)/);
    await kubectl(['annotate', 'cm', 'l', '-n', NS, 'note=ho', '--overwrite']);
    assert.equal(cmIn(NS, 'l')?.metadata.annotations?.note, 'ho');
    await kubectl(['annotate', 'cm', 'l', '-n', NS, 'note-']);
    assert.equal(cmIn(NS, 'l')?.metadata.annotations?.note, undefined);
  });
});

// ---- delete --------------------------------------------------------------------------------

void describe('kubectl delete', () => {
  const NS = 'delete-ns';
  before(async () => {
    await apply([namespace(NS)]);
  });

  void test('a finalizer keeps the object, with a deletionTimestamp, until it is removed', async () => {
    const held = configMap(NS, 'fin', { a: '1' });
    held.metadata.finalizers = ['example.com/hold'];
    await apply([held]);
    const del = await kubectl(['delete', 'cm', 'fin', '-n', NS, '--wait=false']);
    assert.equal(del.stdout.trim(), 'configmap "fin" deleted');
    const stored = cmIn(NS, 'fin');
    assert.ok(stored?.metadata.deletionTimestamp, 'still there, being deleted');
    const ts = (
      await kubectl(['get', 'cm', 'fin', '-n', NS, '-o', 'jsonpath={.metadata.deletionTimestamp}'])
    ).stdout;
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await kubectl([
      'patch',
      'cm',
      'fin',
      '-n',
      NS,
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    await eventually(
      () => cmIn(NS, 'fin') === undefined,
      'the object to go once its finalizer is removed',
    );
    const gone = await kubectl(['get', 'cm', 'fin', '-n', NS], { expectFail: true });
    assert.match(gone.stderr, /Error from server \(NotFound\): configmaps "fin" not found/);
  });

  void test('delete ns removes its contents', async () => {
    await widgetCrd();
    await apply([
      namespace('doomed-ns'),
      configMap('doomed-ns', 'x', {}),
      configMap('doomed-ns', 'y', {}),
      widget('doomed-ns', 'z', { size: 1 }),
    ]);
    const r = await kubectl(['delete', 'ns', 'doomed-ns']);
    assert.equal(r.stdout.trim(), 'namespace "doomed-ns" deleted');
    assert.equal(state('', 'v1', 'namespaces', undefined, 'doomed-ns'), undefined);
    assert.equal(cmIn('doomed-ns', 'x'), undefined);
    assert.equal(widgetIn('doomed-ns', 'z'), undefined);
    const cms = await kubectl(['get', 'cm', '-n', 'doomed-ns']);
    assert.match(cms.stderr, /No resources found in doomed-ns namespace\./);
    const ns = await kubectl(['get', 'ns', 'doomed-ns'], { expectFail: true });
    assert.match(ns.stderr, /namespaces "doomed-ns" not found/);
  });

  void test('a namespace held by a finalizer stays Terminating and refuses new content', async () => {
    const held = configMap('held-ns', 'held', {});
    held.metadata.finalizers = ['example.com/hold'];
    await apply([namespace('held-ns'), held]);
    await kubectl(['delete', 'ns', 'held-ns', '--wait=false']);
    const t = table((await kubectl(['get', 'ns', 'held-ns'])).stdout);
    assert.equal(t.rows[0].STATUS, 'Terminating');
    assert.deepEqual(lines((await kubectl(['get', 'cm', '-n', 'held-ns', '-o', 'name'])).stdout), [
      'configmap/held',
    ]);
    const refused = await apply([configMap('held-ns', 'late', {})], { expectFail: true });
    assert.match(
      refused.stderr,
      /Error from server \(Forbidden\): error when creating "STDIN": unable to create new content in namespace held-ns because it is being terminated/,
    );
    await kubectl([
      'patch',
      'cm',
      'held',
      '-n',
      'held-ns',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    await eventually(
      () => state('', 'v1', 'namespaces', undefined, 'held-ns') === undefined,
      'the namespace to go once it is empty',
    );
  });

  void test('owner references: a dependent goes with its owner', async () => {
    await apply([configMap(NS, 'owner', {})]);
    const uid = cmIn(NS, 'owner')?.metadata.uid;
    assert.ok(uid);
    const dep = configMap(NS, 'dependent', {});
    dep.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }];
    await apply([dep]);
    await kubectl(['delete', 'cm', 'owner', '-n', NS]);
    await eventually(
      () => cmIn(NS, 'dependent') === undefined,
      'garbage collection of the dependent',
    );
    const gone = await kubectl(['get', 'cm', 'dependent', '-n', NS], { expectFail: true });
    assert.match(gone.stderr, /configmaps "dependent" not found/);
  });
});

void describe('kubectl delete --cascade', () => {
  const NS = 'cascade-ns';
  before(async () => {
    await apply([namespace(NS)]);
  });

  /** Applies an owner ConfigMap and a dependent pointing at it; returns the owner's uid. */
  async function ownerAndDependent(owner: string, dependent: string): Promise<string> {
    await apply([configMap(NS, owner, {})]);
    const uid = cmIn(NS, owner)?.metadata.uid;
    assert.ok(uid);
    await apply([dependentOf(owner, uid, dependent)]);
    return uid;
  }
  function dependentOf(owner: string, uid: string, dependent: string): KubeObject {
    const dep = configMap(NS, dependent, {});
    dep.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid, blockOwnerDeletion: true },
    ];
    return dep;
  }

  void test('--cascade=foreground deletes dependents first; --cascade=orphan keeps them, without the reference', async () => {
    await ownerAndDependent('fg-owner', 'fg-dep');
    await kubectl(['delete', 'cm', 'fg-owner', '-n', NS, '--cascade=foreground']);
    assert.equal(cmIn(NS, 'fg-owner'), undefined);
    assert.equal(cmIn(NS, 'fg-dep'), undefined);

    await ownerAndDependent('or-owner', 'or-dep');
    await kubectl(['delete', 'cm', 'or-owner', '-n', NS, '--cascade=orphan']);
    await eventually(() => cmIn(NS, 'or-owner') === undefined, 'the owner to go');
    await eventually(
      () => (cmIn(NS, 'or-dep')?.metadata.ownerReferences ?? []).length === 0,
      'the orphan to lose its owner reference',
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(cmIn(NS, 'or-dep'), 'the orphan stays');
  });

  void test('re-applying an orphan with a new owner (strategic $patch: delete on an absent list)', async () => {
    await ownerAndDependent('re-owner', 're-dep');
    await kubectl(['delete', 'cm', 're-owner', '-n', NS, '--cascade=orphan']);
    await eventually(
      () => (cmIn(NS, 're-dep')?.metadata.ownerReferences ?? []).length === 0,
      'the orphan to lose its owner reference',
    );
    await apply([configMap(NS, 're-owner', {})]);
    const uid = cmIn(NS, 're-owner')?.metadata.uid;
    assert.ok(uid);
    // kubectl's three-way patch adds the new reference and deletes the old one by uid
    // ({"$patch":"delete","uid":…}), which is no longer in the live object.
    const r = await apply([dependentOf('re-owner', uid, 're-dep')]);
    assert.equal(r.stdout.trim(), 'configmap/re-dep configured');
    assert.deepEqual(
      (cmIn(NS, 're-dep')?.metadata.ownerReferences ?? []).map((o) => o.uid),
      [uid],
    );
  });
});

// ---- wait ----------------------------------------------------------------------------------

void describe('kubectl wait', () => {
  const NS = 'wait-ns';
  before(async () => {
    await widgetCrd();
    await apply([namespace(NS), widget(NS, 'ww', { size: 2 })]);
  });

  void test('--for=condition waits until the status subresource sets it', async () => {
    const watches = watchCount('widgets.test.example.com');
    const w = startKubectl([
      'wait',
      'widget/ww',
      '-n',
      NS,
      '--for=condition=Ready',
      '--timeout=15s',
    ]);
    let settled = false;
    void w.result.then(() => (settled = true));
    await eventually(
      () => watchCount('widgets.test.example.com') > watches,
      'kubectl wait to watch',
    );
    assert.equal(settled, false, 'kubectl wait must not return before the condition is set');
    await kubectl([
      'patch',
      'widget',
      'ww',
      '-n',
      NS,
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      JSON.stringify(readyCondition('False')),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false, 'Ready=False is not Ready');
    await kubectl([
      'patch',
      'widget',
      'ww',
      '-n',
      NS,
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      JSON.stringify(readyCondition('True')),
    ]);
    const r = checkOutcome(['wait'], await w.result, false);
    assert.equal(r.stdout.trim(), 'widget.test.example.com/ww condition met');
    const stored = widgetIn(NS, 'ww');
    assert.deepEqual(stored?.spec, { size: 2 }, 'the status subresource leaves spec alone');
    assert.equal(stored?.metadata.generation, 1);
  });

  void test('--for=delete', async () => {
    const w = startKubectl(['wait', 'widget/ww', '-n', NS, '--for=delete', '--timeout=15s']);
    await new Promise((r) => setTimeout(r, 300));
    await kubectl(['delete', 'widget', 'ww', '-n', NS, '--wait=false']);
    const r = checkOutcome(['wait', '--for=delete'], await w.result, false);
    assert.equal(r.stdout.trim(), 'widget.test.example.com/ww condition met');
    const already = await kubectl(['wait', 'widget/ww', '-n', NS, '--for=delete', '--timeout=2s']);
    assert.equal(already.code, 0);
  });
});

// ---- auth ----------------------------------------------------------------------------------

void describe('authentication and authorization', () => {
  const NS = 'auth-ns';
  let saKubeconfig: string;

  /** A one-hour token for a ServiceAccount, minted as users do. */
  async function tokenFor(ns: string, sa: string): Promise<string> {
    const token = (await kubectl(['create', 'token', sa, '-n', ns, '--duration=1h'])).stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
    return token;
  }

  function readerSetup(ns: string, sa: string): KubeObject[] {
    return [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `${sa}-cm-reader`, namespace: ns },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${sa}-cm-reader`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${sa}-cm-reader` },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
      },
    ];
  }

  before(async () => {
    await apply([
      namespace(NS),
      namespace('auth-other'),
      configMap(NS, 'visible', { a: '1' }),
      configMap('auth-other', 'hidden', {}),
      ...readerSetup(NS, 'reader'),
    ]);
    saKubeconfig = writeTemp(
      'reader.kubeconfig',
      hub.kubeconfig(await tokenFor(NS, 'reader'), 'sa'),
    );
  });

  void test('typed create commands: namespace, configmap, secret, serviceaccount, role, rolebinding, token', async () => {
    const ns = 'typed-ns';
    assert.equal(
      (await kubectl(['create', 'namespace', ns])).stdout.trim(),
      `namespace/${ns} created`,
    );
    assert.equal(
      (
        await kubectl([
          'create',
          'configmap',
          'tc',
          '-n',
          ns,
          '--from-literal=a=1',
          '--from-literal=b=2',
        ])
      ).stdout.trim(),
      'configmap/tc created',
    );
    assert.deepEqual(cmIn(ns, 'tc')?.data, { a: '1', b: '2' });
    await kubectl([
      'create',
      'secret',
      'generic',
      'ts',
      '-n',
      ns,
      '--from-literal=password=s3cret',
    ]);
    assert.deepEqual(state('', 'v1', 'secrets', ns, 'ts')?.data, {
      password: Buffer.from('s3cret').toString('base64'),
    });
    await kubectl(['create', 'serviceaccount', 'tsa', '-n', ns]);
    await kubectl(['create', 'role', 'tr', '-n', ns, '--verb=get,list', '--resource=configmaps']);
    await kubectl([
      'create',
      'rolebinding',
      'trb',
      '-n',
      ns,
      '--role=tr',
      `--serviceaccount=${ns}:tsa`,
    ]);
    assert.ok(state('rbac.authorization.k8s.io', 'v1', 'rolebindings', ns, 'trb'));
    const token = (
      await kubectl(['create', 'token', 'tsa', '-n', ns, '--duration=1h'])
    ).stdout.trim();
    const [, payload] = token.split('.');
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    assert.ok(isObject(claims) && typeof claims.exp === 'number' && typeof claims.iat === 'number');
    assert.equal(claims.exp - claims.iat, 3600);
    assert.equal(claims.sub, `system:serviceaccount:${ns}:tsa`);
    const kc = writeTemp('tsa.kubeconfig', hub.kubeconfig(token, 'sa'));
    assert.deepEqual(
      lines((await kubectl(['get', 'cm', '-n', ns, '-o', 'name'], { kubeconfig: kc })).stdout),
      ['configmap/tc'],
    );
  });

  void test("a restricted ServiceAccount's requests get 403 where RBAC says no", async () => {
    assert.deepEqual(
      lines(
        (await kubectl(['get', 'cm', '-n', NS, '-o', 'name'], { kubeconfig: saKubeconfig })).stdout,
      ),
      ['configmap/visible'],
    );
    assert.equal(
      (
        await kubectl(['get', 'cm', 'visible', '-n', NS, '-o', 'jsonpath={.data.a}'], {
          kubeconfig: saKubeconfig,
        })
      ).stdout,
      '1',
    );
    const forbidden: [string[], RegExp][] = [
      [
        ['get', 'cm', '-n', 'auth-other'],
        /configmaps is forbidden: User "system:serviceaccount:auth-ns:reader" cannot list resource "configmaps" in API group "" in the namespace "auth-other"/,
      ],
      [
        ['get', 'secrets', '-n', NS],
        /secrets is forbidden: User "system:serviceaccount:auth-ns:reader" cannot list resource "secrets" in API group "" in the namespace "auth-ns"/,
      ],
      [
        ['delete', 'cm', 'visible', '-n', NS],
        /configmaps "visible" is forbidden: User "system:serviceaccount:auth-ns:reader" cannot delete resource "configmaps" in API group "" in the namespace "auth-ns"/,
      ],
      [
        ['get', 'cm', '-A'],
        /cannot list resource "configmaps" in API group "" at the cluster scope/,
      ],
      [['get', 'ns'], /cannot list resource "namespaces" in API group "" at the cluster scope/],
    ];
    for (const [args, message] of forbidden) {
      const r = await kubectl(args, { kubeconfig: saKubeconfig, expectFail: true });
      assert.match(r.stderr, /Error from server \(Forbidden\)/, args.join(' '));
      assert.match(r.stderr, message);
    }
    const create = await apply([configMap(NS, 'by-reader', {})], {
      kubeconfig: saKubeconfig,
      expectFail: true,
    });
    assert.match(create.stderr, /Forbidden/);
    assert.ok(cmIn(NS, 'visible'));
    assert.equal(cmIn(NS, 'by-reader'), undefined);
  });

  void test('auth can-i for the admin', async () => {
    assert.equal(
      (await kubectl(['auth', 'can-i', 'create', 'configmaps', '-n', NS])).stdout.trim(),
      'yes',
    );
    assert.equal((await kubectl(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes');
    assert.equal(
      (
        await kubectl([
          'auth',
          'can-i',
          'delete',
          'managedclusters.cluster.open-cluster-management.io',
        ])
      ).stdout.trim(),
      'yes',
    );
  });

  void test('auth can-i for a restricted ServiceAccount', async () => {
    const canI = async (args: string[], allowed: boolean) => {
      const r = await kubectl(['auth', 'can-i', ...args], {
        kubeconfig: saKubeconfig,
        expectFail: !allowed,
      });
      assert.equal(r.stdout.trim(), allowed ? 'yes' : 'no', `can-i ${args.join(' ')}: ${r.stderr}`);
    };
    await canI(['get', 'configmaps', '-n', NS], true);
    await canI(['list', 'configmaps', '-n', NS], true);
    await canI(['get', 'configmap/visible', '-n', NS], true);
    await canI(['delete', 'configmaps', '-n', NS], false);
    await canI(['create', 'configmaps', '-n', NS], false);
    await canI(['get', 'configmaps', '-n', 'auth-other'], false);
    await canI(['get', 'secrets', '-n', NS], false);
    await canI(['list', 'namespaces'], false);
  });

  void test('auth whoami', async () => {
    const admin = await kubectl(['auth', 'whoami']);
    assert.match(admin.stdout, /^ATTRIBUTE\s+VALUE$/m);
    assert.match(admin.stdout, /^Username\s+system:admin$/m);
    assert.match(admin.stdout, /^Groups\s+\[.*system:masters.*\]$/m);
    const sa = await kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: saKubeconfig });
    const review: unknown = JSON.parse(sa.stdout);
    assert.ok(isObject(review) && isObject(review.status) && isObject(review.status.userInfo));
    assert.equal(review.kind, 'SelfSubjectReview');
    assert.equal(review.status.userInfo.username, 'system:serviceaccount:auth-ns:reader');
    assert.ok(
      Array.isArray(review.status.userInfo.groups) &&
        review.status.userInfo.groups.includes('system:serviceaccounts:auth-ns'),
    );
  });

  void test("a deleted ServiceAccount's token stops working", async () => {
    await apply(readerSetup(NS, 'short-lived'));
    const kc = writeTemp(
      'short-lived.kubeconfig',
      hub.kubeconfig(await tokenFor(NS, 'short-lived'), 'sa'),
    );
    assert.deepEqual(
      lines((await kubectl(['get', 'cm', '-n', NS, '-o', 'name'], { kubeconfig: kc })).stdout),
      ['configmap/visible'],
    );
    await kubectl(['delete', 'sa', 'short-lived', '-n', NS]);
    const r = await kubectl(['get', 'cm', '-n', NS], { kubeconfig: kc, expectFail: true });
    assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
    const garbage = writeTemp('garbage.kubeconfig', hub.kubeconfig('not-a-token', 'nobody'));
    const g = await kubectl(['get', 'cm', '-n', NS], { kubeconfig: garbage, expectFail: true });
    assert.match(g.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });
});

// ---- ACM and global hub kinds ----------------------------------------------------------------

void describe('ACM and global hub kinds', () => {
  const GH = 'multicluster-global-hub';
  const migration = (name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name, namespace: GH },
    spec,
  });

  void test('kubectl get mcm prints NAME STATUS AGE with status.phase under STATUS', async () => {
    await apply([namespace(GH)]);
    const empty = await kubectl(['get', 'mcm', '-n', GH]);
    assert.equal(empty.stdout, '');
    assert.match(empty.stderr, /No resources found in multicluster-global-hub namespace\./);

    await apply([
      migration('mig-1', {
        from: 'hub1',
        to: 'hub2',
        includedManagedClusters: ['cluster1', 'cluster2'],
      }),
    ]);
    await apply([
      migration('mig-2', {
        from: 'hub1',
        to: 'hub2',
        includedManagedClustersPlacementRef: 'placement-a',
      }),
    ]);
    await kubectl([
      'patch',
      'mcm',
      'mig-1',
      '-n',
      GH,
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      '{"status":{"phase":"Validating"}}',
    ]);
    const { stdout } = await kubectl(['get', 'mcm', '-n', GH]);
    const t = table(stdout);
    assert.equal(collapse(t.header), 'NAME STATUS AGE');
    assert.deepEqual(
      t.rows.map((r) => [r.NAME, r.STATUS]),
      [
        ['mig-1', 'Validating'],
        ['mig-2', ''],
      ],
    );
    assert.match(t.rows[0].AGE, /^\d+s$/);
    const stored = state(
      'global-hub.open-cluster-management.io',
      'v1alpha1',
      'managedclustermigrations',
      GH,
      'mig-1',
    );
    assert.deepEqual(stored?.status, { phase: 'Validating' });
  });

  void test('ManagedClusterMigration rules: from, to and exactly one of the cluster lists', async () => {
    const both = await apply(
      [
        migration('mig-both', {
          from: 'hub1',
          to: 'hub2',
          includedManagedClusters: ['c'],
          includedManagedClustersPlacementRef: 'p',
        }),
      ],
      { expectFail: true },
    );
    assert.match(
      both.stderr,
      /exactly one of includedManagedClustersPlacementRef or includedManagedClusters must be specified/,
    );
    const neither = await apply([migration('mig-neither', { from: 'hub1', to: 'hub2' })], {
      expectFail: true,
    });
    assert.match(
      neither.stderr,
      /exactly one of includedManagedClustersPlacementRef or includedManagedClusters must be specified/,
    );
    const noTo = await apply(
      [migration('mig-noto', { from: 'hub1', includedManagedClusters: ['c'] })],
      { expectFail: true },
    );
    assert.match(noTo.stderr, /spec\.to: Required value/);
  });

  void test('kubectl get managedcluster prints the ACM columns', async () => {
    await apply([
      {
        apiVersion: 'cluster.open-cluster-management.io/v1',
        kind: 'ManagedCluster',
        metadata: { name: 'cluster-a' },
        spec: {
          hubAcceptsClient: true,
          managedClusterClientConfigs: [{ url: 'https://api.cluster-a.example.com:6443' }],
        },
      },
      {
        apiVersion: 'cluster.open-cluster-management.io/v1',
        kind: 'ManagedCluster',
        metadata: { name: 'cluster-b' },
        spec: { hubAcceptsClient: false },
      },
    ]);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = {
      status: {
        conditions: [
          {
            type: 'ManagedClusterJoined',
            status: 'True',
            reason: 'ManagedClusterJoined',
            message: 'joined',
            lastTransitionTime: now,
          },
          {
            type: 'ManagedClusterConditionAvailable',
            status: 'Unknown',
            reason: 'ManagedClusterLeaseUpdateStopped',
            message: 'lease',
            lastTransitionTime: now,
          },
        ],
      },
    };
    await kubectl([
      'patch',
      'managedcluster',
      'cluster-a',
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      JSON.stringify(conditions),
    ]);
    const t = table((await kubectl(['get', 'managedcluster'])).stdout);
    assert.equal(collapse(t.header), 'NAME HUB ACCEPTED MANAGED CLUSTER URLS JOINED AVAILABLE AGE');
    const rows = t.rows.filter((r) => r.NAME.startsWith('cluster-'));
    assert.deepEqual(
      rows.map((r) => [
        r.NAME,
        r['HUB ACCEPTED'],
        r['MANAGED CLUSTER URLS'],
        r.JOINED,
        r.AVAILABLE,
      ]),
      [
        ['cluster-a', 'true', 'https://api.cluster-a.example.com:6443', 'True', 'Unknown'],
        ['cluster-b', 'false', '', '', ''],
      ],
    );
    // The status subresource wrote status only; the CRD default filled spec.leaseDurationSeconds.
    const stored = state(
      'cluster.open-cluster-management.io',
      'v1',
      'managedclusters',
      undefined,
      'cluster-a',
    );
    assert.equal(isObject(stored?.spec) ? stored.spec.leaseDurationSeconds : undefined, 60);
  });

  void test('kubectl api-resources lists short names', async () => {
    const { stdout } = await kubectl(['api-resources']);
    const t = table(stdout);
    assert.equal(collapse(t.header), 'NAME SHORTNAMES APIVERSION NAMESPACED KIND');
    const find = (name: string, apiVersion: string) =>
      t.rows.find((r) => r.NAME === name && r.APIVERSION === apiVersion);
    assert.deepEqual(find('configmaps', 'v1'), {
      NAME: 'configmaps',
      SHORTNAMES: 'cm',
      APIVERSION: 'v1',
      NAMESPACED: 'true',
      KIND: 'ConfigMap',
    });
    assert.equal(find('namespaces', 'v1')?.SHORTNAMES, 'ns');
    assert.equal(find('namespaces', 'v1')?.NAMESPACED, 'false');
    assert.deepEqual(
      find('managedclustermigrations', 'global-hub.open-cluster-management.io/v1alpha1'),
      {
        NAME: 'managedclustermigrations',
        SHORTNAMES: 'mcm',
        APIVERSION: 'global-hub.open-cluster-management.io/v1alpha1',
        NAMESPACED: 'true',
        KIND: 'ManagedClusterMigration',
      },
    );
    assert.equal(
      find('managedclusters', 'cluster.open-cluster-management.io/v1')?.SHORTNAMES,
      'mcl,mcls',
    );
    const names = await kubectl(['api-resources', '-o', 'name']);
    assert.ok(
      lines(names.stdout).includes(
        'managedclustermigrations.global-hub.open-cluster-management.io',
      ),
    );
  });
});

// ---- bad input -----------------------------------------------------------------------------

void describe('bad input gets kubectl’s usual errors and the server keeps serving', () => {
  const NS = 'bad-ns';
  before(async () => {
    await apply([namespace(NS)]);
  });

  void test('malformed YAML, missing name, invalid selector, unknown type, wrong kind for the URL', async () => {
    const malformed = writeTemp(
      'malformed.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: [\n',
    );
    const m = await kubectl(['apply', '-f', malformed], { expectFail: true });
    assert.match(
      m.stderr,
      /error parsing .*malformed\.yaml: error converting YAML to JSON: yaml: line \d+/,
    );

    const noName = yamlDocs([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: NS } }]);
    const c = await kubectl(['create', '-f', '-'], { input: noName, expectFail: true });
    assert.match(
      c.stderr,
      /The ConfigMap "" is invalid: metadata\.name: Required value: name or generateName is required/,
    );
    const a = await kubectl(['apply', '-f', '-'], { input: noName, expectFail: true });
    assert.match(a.stderr, /resource name may not be empty/);

    const sel = await kubectl(['get', 'cm', '-n', NS, '-l', 'a in (b'], { expectFail: true });
    assert.match(sel.stderr, /unable to parse requirement/);

    const unknown = await kubectl(['get', 'foos'], { expectFail: true });
    assert.match(unknown.stderr, /error: the server doesn't have a resource type "foos"/);

    const secretBody = writeTemp(
      'secret.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrong' } }),
    );
    const wrong = await kubectl(
      ['create', '--raw', `/api/v1/namespaces/${NS}/configmaps`, '-f', secretBody],
      { expectFail: true },
    );
    assert.match(wrong.stderr, /Error from server \(BadRequest\)/);
    assert.equal(cmIn(NS, 'wrong'), undefined);

    const ns = table((await kubectl(['get', 'ns', NS])).stdout);
    assert.equal(ns.rows[0].NAME, NS);
    await apply([configMap(NS, 'still-fine', {})]);
    assert.ok(cmIn(NS, 'still-fine'));
  });

  void test('a kind the apiVersion does not have: no matches for kind', async () => {
    const input = yamlDocs([
      { apiVersion: 'v1', kind: 'Role', metadata: { name: 'x', namespace: NS } },
    ]);
    const r = await kubectl(['apply', '-f', '-'], { input, expectFail: true });
    assert.match(r.stderr, /no matches for kind "Role" in version "v1"/);
    const crdLess = yamlDocs([
      { apiVersion: 'nope.example.com/v1', kind: 'Nope', metadata: { name: 'x', namespace: NS } },
    ]);
    const r2 = await kubectl(['apply', '-f', '-'], { input: crdLess, expectFail: true });
    assert.match(r2.stderr, /no matches for kind "Nope" in version "nope\.example\.com\/v1"/);
    assert.match(r2.stderr, /ensure CRDs are installed first/);
  });
});
