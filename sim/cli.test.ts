// The simulator's commands as a user runs them: `npm run sim` and `npm run sim:truth`.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const tsx = ['--import', 'tsx'];

function startSim(args: string[]): Promise<{ line: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [...tsx, 'sim/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0)
        resolve({
          line: out.slice(0, nl),
          stop: () =>
            new Promise((r) => {
              child.on('exit', (code) => r(code));
              child.kill('SIGTERM');
            }),
        });
    });
    child.on('exit', (code) =>
      reject(new Error(`simulator exited with ${code} before it was ready`)),
    );
  });
}

test('npm run sim prints a ready line, writes kubeconfigs that kubectl uses, and sim:truth reads the ground truth', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
  try {
    const scenario = path.join(dir, 'two.yaml');
    writeFileSync(
      scenario,
      'name: two\nhubs:\n  - { name: hub1, globalHub: true, acmVersion: "2.15" }\n  - { name: hub2, acmVersion: "2.15" }\nclusters:\n  - { count: 3, namePattern: "c-{n}", hub: hub2 }\ntimings: { leaseDurationSeconds: 2 }\n',
    );
    const sim = await startSim(['--scenario', scenario, '--state-dir', dir]);
    try {
      const ready = JSON.parse(sim.line) as {
        ready: boolean;
        hubs: Record<string, { url: string; kubeconfig: string }>;
        control: string;
      };
      assert.equal(ready.ready, true);
      assert.deepEqual(Object.keys(ready.hubs), ['hub1', 'hub2']);
      assert.match(ready.hubs.hub2.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(ready.hubs.hub2.kubeconfig, path.join(dir, 'kubeconfig', 'hub2.yaml'));
      assert.ok(existsSync(ready.hubs.hub1.kubeconfig));
      const env = { ...process.env, HOME: dir, KUBECONFIG: ready.hubs.hub2.kubeconfig };
      const { stdout } = await run('kubectl', ['get', 'managedclusters', '-o', 'name'], { env });
      assert.deepEqual(stdout.trim().split('\n'), [
        'managedcluster.cluster.open-cluster-management.io/c-1',
        'managedcluster.cluster.open-cluster-management.io/c-2',
        'managedcluster.cluster.open-cluster-management.io/c-3',
      ]);
      const truth = await run(process.execPath, [...tsx, 'sim/truth-cli.ts', '--state-dir', dir]);
      assert.match(truth.stdout, /^CLUSTER\s+REGISTERED TO\s+UNMANAGED\s+DESTROYED\s+HOST WIPED/);
      assert.match(truth.stdout, /\nc-1\s+hub2\s+0\.0s\s+no\s+no/);
      const one = await run(process.execPath, [
        ...tsx,
        'sim/truth-cli.ts',
        '--state-dir',
        dir,
        '--cluster',
        'c-2',
        '--json',
      ]);
      assert.equal((JSON.parse(one.stdout) as { registeredTo: string }).registeredTo, 'hub2');
    } finally {
      assert.equal(await sim.stop(), 0, 'exits cleanly on SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad scenario or missing arguments fail with a clear message', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
  try {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'hubs:\n  - name: Not_A_Name\n');
    const err = await run(process.execPath, [
      ...tsx,
      'sim/cli.ts',
      '--scenario',
      bad,
      '--state-dir',
      dir,
    ]).then(
      () => assert.fail('should fail'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(err.code, 1);
    assert.match(err.stderr, /"ready":false.*hubs\[0\]\.name: must be a DNS label/);
    const usage = await run(process.execPath, [...tsx, 'sim/cli.ts']).then(
      () => assert.fail('should fail'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(usage.code, 2);
    assert.match(
      usage.stderr,
      /--scenario is required\nusage: npm run sim -- --scenario <file.yaml>/,
    );
    const truth = await run(process.execPath, [
      ...tsx,
      'sim/truth-cli.ts',
      '--state-dir',
      dir,
    ]).then(
      () => assert.fail('should fail'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.match(truth.stderr, /no running simulator found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
