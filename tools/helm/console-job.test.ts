// The chart's console Jobs: their scripts, as rendered, run with bash and the real kubectl
// (standing in for `oc`, whose `get -o jsonpath` and `patch --type=json` are kubectl's) against
// a simulated cluster that serves consoles.operator.openshift.io, with the patcher
// ServiceAccount's token and the chart's RBAC for it. They must add or remove only this plugin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeObject as SimObject } from '../../sim/apiserver/types.js';
import type { SimHub } from '../../sim/hub.js';
import { kubeConfigFor, startTestFleet } from '../../sim/test-support.js';
import type { TestFleet } from '../../sim/test-support.js';
import { loadChart, renderChart } from './chart.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const rendered = renderChart(loadChart(path.join(root, 'charts/hub-migration')), {
  namespace: 'hub-migration',
});

/** A cluster-scoped Console operator configuration with spec.plugins, as OpenShift serves it. */
const CONSOLE_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'consoles.operator.openshift.io' },
  spec: {
    group: 'operator.openshift.io',
    scope: 'Cluster',
    names: { kind: 'Console', listKind: 'ConsoleList', plural: 'consoles', singular: 'console' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { plugins: { type: 'array', items: { type: 'string' } } },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

let tf: TestFleet;
let hub: SimHub;
let binDir: string;
let kubeconfig: string;

function jobScript(action: 'enable' | 'disable'): string {
  const job = rendered.manifests.find(
    (m) =>
      m.object.kind === 'Job' &&
      (m.object.metadata as { name: string }).name === `hub-migration-console-${action}`,
  );
  assert.ok(job, `the ${action} Job`);
  const container = (
    job.object as { spec: { template: { spec: { containers: { command: string[] }[] } } } }
  ).spec.template.spec.containers[0];
  assert.deepEqual(container.command.slice(0, 2), ['/bin/bash', '-c']);
  return container.command[2];
}

/** Runs a command without blocking: the simulator serves it from this very process. */
function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await run('kubectl', ['--kubeconfig', path.join(tf.dir, 'admin.yaml'), ...args], {
    input,
  });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function runJob(action: 'enable' | 'disable'): Promise<{ code: number | null; out: string }> {
  const r = await run('bash', ['-c', jobScript(action)], {
    env: { PATH: `${binDir}:${process.env.PATH ?? ''}`, KUBECONFIG: kubeconfig, HOME: tf.dir },
  });
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

async function setPlugins(list: string[] | undefined): Promise<void> {
  const spec = list ? { plugins: list } : { managementState: 'Managed' };
  await kubectl(
    ['replace', '-f', '-'],
    JSON.stringify({
      apiVersion: 'operator.openshift.io/v1',
      kind: 'Console',
      metadata: { name: 'cluster' },
      spec,
    }),
  );
}

async function plugins(): Promise<string[] | undefined> {
  const out = await kubectl(['get', 'consoles.operator.openshift.io', 'cluster', '-o', 'json']);
  return (JSON.parse(out) as { spec: { plugins?: string[] } }).spec.plugins;
}

before(async () => {
  tf = await startTestFleet({ name: 'console-job', hubs: [{ name: 'hub1', globalHub: true }] });
  hub = tf.fleet.globalHub;
  writeFileSync(path.join(tf.dir, 'admin.yaml'), hub.kubeconfig());
  await kubectl(['apply', '-f', '-'], JSON.stringify(CONSOLE_CRD));
  await kubectl(
    ['create', '-f', '-'],
    JSON.stringify({
      apiVersion: 'operator.openshift.io/v1',
      kind: 'Console',
      metadata: { name: 'cluster' },
      spec: { managementState: 'Managed' },
    }),
  );
  // The patcher's ServiceAccount and its RBAC, as the chart renders them, and its token.
  for (const { object } of rendered.manifests)
    if (String((object.metadata as { name: string }).name).endsWith('-console-patcher'))
      hub.apply(structuredClone(object) as SimObject);
  const tr = await kubeConfigFor(hub)
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({
      namespace: 'hub-migration',
      name: 'hub-migration-console-patcher',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
  kubeconfig = path.join(tf.dir, 'patcher.yaml');
  assert.ok(tr.status?.token);
  writeFileSync(kubeconfig, hub.kubeconfig(tr.status.token, 'patcher'));
  // `oc` is kubectl here.
  binDir = path.join(tf.dir, 'bin');
  mkdirSync(binDir);
  writeFileSync(path.join(binDir, 'oc'), '#!/bin/sh\nexec kubectl "$@"\n');
  chmodSync(path.join(binDir, 'oc'), 0o755);
});

after(async () => {
  await tf.stop();
});

describe('the console Jobs', () => {
  test('enable adds the plugin when there is no plugin list, once', async () => {
    await setPlugins(undefined);
    const first = await runJob('enable');
    assert.equal(first.code, 0, first.out);
    assert.deepEqual(await plugins(), ['hub-migration']);
    const again = await runJob('enable');
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /already enabled/);
    assert.deepEqual(await plugins(), ['hub-migration']);
  });

  test('enable appends to the other plugins and disable removes only this one', async () => {
    await setPlugins(['monitoring-plugin', 'acm']);
    assert.equal((await runJob('enable')).code, 0);
    assert.deepEqual(await plugins(), ['monitoring-plugin', 'acm', 'hub-migration']);
    await setPlugins(['acm', 'hub-migration', 'mce']);
    const off = await runJob('disable');
    assert.equal(off.code, 0, off.out);
    assert.match(off.out, /console plugin hub-migration disabled/);
    assert.deepEqual(await plugins(), ['acm', 'mce']);
  });

  test('disable when the plugin is not enabled changes nothing', async () => {
    await setPlugins(['acm']);
    const r = await runJob('disable');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /not enabled/);
    assert.deepEqual(await plugins(), ['acm']);
  });

  test('the patcher can touch consoles/cluster and nothing else', async () => {
    const r = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'secrets', '-A']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /forbidden/);
  });
});
