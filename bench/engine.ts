// `npm run bench -- engine --clusters <N> [--rollback]`: migrates N ZTP clusters from hub1 to
// hub2 on the simulator (its own process, 5 ms added latency on every API call, klusterlets that
// take 5–15 s to switch hubs) with the engine in this process, and reports total and per-phase
// seconds, seconds per cluster, API calls per cluster by hub, and the engine's CPU and peak memory.
// With --rollback every cluster cannot reach the target, so Registering fails and everything is
// rolled back; the report then times the rollback.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { MigrationEngine } from '../backend/src/engine/controller.js';
import type { Migration } from '../backend/src/engine/types.js';
import { PooledKubeConfig } from '../backend/src/hubs/kubeconfig.js';
import { connectGlobalHub } from '../backend/src/hubs/registry.js';
import { loadConfig, registrySettings } from '../backend/src/config.js';
import { R } from '../backend/src/hubs/resources.js';
import { createLogger } from '../backend/src/log.js';
import { procStats, startSimulator } from './sim-process.js';

interface Report {
  benchmark: string;
  clusters: number;
  rollback: boolean;
  outcome: string;
  /** The message of the condition that ended it, when it did not complete. */
  failure?: string;
  totalSeconds: number;
  phaseSeconds: Record<string, number>;
  secondsPerCluster: number;
  apiCallsPerCluster: Record<string, number>;
  /** The same by verb and resource (at least 0.05 per cluster), to see where calls go. */
  apiCallsPerClusterByCall: Record<string, Record<string, number>>;
  engineCpuSeconds: number;
  enginePeakMemoryMiB: number;
  /** Clusters handled at once, and hub calls in flight at most per hub (the BFF's settings). */
  engineConcurrency: number;
  hubMaxInFlight: number;
  /** The engine's JavaScript heap limit: `npm run bench` sets the chart's maxHeapMiB. */
  engineHeapLimitMiB: number;
  /** The simulator's own process over the migration: it shares the machine with the engine. */
  simulatorCpuSeconds: number;
  simulatorPeakMemoryMiB: number;
  simulatorReadySeconds: number;
  /** The machine's 1-minute load average at the start and the end (other work skews timings). */
  loadAverage: { start: number; end: number };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function startFleet(
  dir: string,
  clusters: number,
  rollback: boolean,
): Promise<{ kubeconfig: string; readyMs: number; pid: number; stop: () => Promise<void> }> {
  const scenario = path.join(dir, 'bench.yaml');
  writeFileSync(
    scenario,
    `name: engine-bench
hubs:
  - { name: local-cluster, globalHub: true, acmVersion: '2.15', faults: { latencyMs: 5 } }
  - { name: hub1, acmVersion: '2.14', faults: { latencyMs: 5 } }
  - { name: hub2, acmVersion: '2.15', faults: { latencyMs: 5 } }
clusters:
  - { count: ${clusters}, namePattern: 'sno-{n:4}', hub: hub1, ztp: true, labels: { env: prod }, faults: { joinDelayJitterMs: 9000${rollback ? ', unreachableHubs: [hub2]' : ''} } }
timings:
  # An agent sees at once that its hub denies it, waits out its hub-connection timeout
  # (180 s x 0.03 = 5.4 s), registers with the other hub and, at random, takes up to 9 s more to
  # report in: a switch takes 5-15 s. Heartbeats every 60 s, OCM's default.
  leaseDurationSeconds: 60
  hubConnectionTimeoutScale: 0.03
`,
  );
  const sim = await startSimulator(scenario, dir);
  return {
    kubeconfig: readFileSync(sim.ready.hubs['local-cluster'].kubeconfig!, 'utf8'),
    readyMs: sim.ready.startMs,
    pid: sim.pid,
    stop: () => sim.stop(),
  };
}

export async function benchEngine(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { clusters: { type: 'string' }, rollback: { type: 'boolean' } },
  });
  const clusters = Number(values.clusters ?? 300);
  if (!Number.isInteger(clusters) || clusters < 1)
    throw new Error('--clusters must be a whole number');
  const rollback = values.rollback === true;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-engine-'));
  console.log(`starting the simulator with ${clusters} ZTP clusters…`);
  const sim = await startFleet(dir, clusters, rollback);
  const log = createLogger({ component: 'bench' }, 'warn');
  // The engine as the BFF sets it up (bff.ts): the same defaults, and the same environment
  // variables (ENGINE_CONCURRENCY, HUB_QPS, HUB_BURST, HUB_MAX_IN_FLIGHT) change them.
  const config = loadConfig(process.env);
  const registry = connectGlobalHub(
    PooledKubeConfig.fromString(sim.kubeconfig),
    registrySettings(config),
    log,
    { qps: config.hubQps, burst: config.hubBurst, maxInFlight: config.hubMaxInFlight },
  );
  const global = registry.global;
  const engine = new MigrationEngine(registry, log, {
    namespace: 'multicluster-global-hub',
    concurrency: config.engineConcurrency,
    resyncMs: 2000,
  });
  let peak = 0;
  let simPeakMiB = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    simPeakMiB = Math.max(simPeakMiB, procStats(sim.pid).rssMiB);
  }, 250);
  try {
    await registry.refresh();
    const names = Array.from(
      { length: clusters },
      (_, i) => `sno-${String(i + 1).padStart(4, '0')}`,
    );
    const cpu0 = process.cpuUsage();
    const simCpu0 = procStats(sim.pid).cpuSeconds;
    const load0 = os.loadavg()[0];
    const t0 = Date.now();
    engine.start();
    await global.create(R.migration, {
      apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
      kind: 'ManagedClusterMigration',
      metadata: { name: 'bench', namespace: 'multicluster-global-hub' },
      spec: {
        from: 'hub1',
        to: 'hub2',
        includedManagedClusters: names,
        // With --rollback Registering can only end at its timeout; the timeout holds for every
        // stage, though, so it must leave Deploying and the rollback itself time to finish
        // (a flat 60 s timed out Deploying at 3,000 clusters, and the rollback with it).
        supportedConfigs: {
          stageTimeout: rollback ? `${Math.max(60, Math.ceil(clusters / 12))}s` : '15m',
        },
      },
    });
    console.log(
      `migrating${rollback ? ' (every cluster cut off from the target: Registering fails and rolls back)' : ''}…`,
    );
    const phaseStart = new Map<string, number>();
    let last = '';
    let m: Migration | undefined;
    for (;;) {
      m = (await global.get(R.migration, 'bench', 'multicluster-global-hub')) as
        Migration | undefined;
      const phase = m?.status?.phase ?? 'Pending';
      if (phase !== last) {
        phaseStart.set(phase, Date.now());
        console.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s  ${phase}`);
        last = phase;
      }
      if (phase === 'Completed' || phase === 'Failed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const total = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const simCpu = procStats(sim.pid).cpuSeconds - simCpu0;
    const order = [...phaseStart.entries()].sort((a, b) => a[1] - b[1]);
    const phaseSeconds: Record<string, number> = {};
    for (let i = 0; i < order.length - 1; i++)
      phaseSeconds[order[i][0]] = round((order[i + 1][1] - order[i][1]) / 1000);
    const calls: Record<string, number> = {};
    const callsByKind: Record<string, Record<string, number>> = {};
    for (const hub of ['local-cluster', 'hub1', 'hub2']) {
      const stats = (await registry.client(hub)).callStats();
      calls[hub] = round(Object.values(stats.calls).reduce((a, b) => a + b, 0) / clusters);
      callsByKind[hub] = Object.fromEntries(
        Object.entries(stats.calls)
          .filter(([, n]) => n / clusters >= 0.05)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => [k, round(n / clusters)]),
      );
    }
    const report: Report = {
      benchmark: 'engine',
      clusters,
      rollback,
      outcome: `${m?.status?.phase}${rollback ? ` (${m?.status?.conditions?.find((c) => c.type === 'ResourceRolledBack')?.status === 'True' ? 'rolled back' : 'rollback incomplete'})` : ''}`,
      failure:
        m?.status?.phase === 'Completed'
          ? undefined
          : m?.status?.conditions
              ?.filter((c) => c.status === 'False')
              .map((c) => `${c.type}: ${c.message}`)
              .join('; ')
              .slice(0, 2000),
      totalSeconds: round(total),
      phaseSeconds,
      secondsPerCluster: round(total / clusters, 3),
      apiCallsPerCluster: calls,
      apiCallsPerClusterByCall: callsByKind,
      engineCpuSeconds: round((cpu.user + cpu.system) / 1e6),
      enginePeakMemoryMiB: Math.round(peak / 1024 / 1024),
      engineConcurrency: config.engineConcurrency,
      hubMaxInFlight: config.hubMaxInFlight,
      engineHeapLimitMiB: Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024),
      simulatorCpuSeconds: round(simCpu),
      simulatorPeakMemoryMiB: Math.round(simPeakMiB),
      simulatorReadySeconds: round(sim.readyMs / 1000),
      loadAverage: { start: round(load0), end: round(os.loadavg()[0]) },
    };
    console.log(
      `\nEngine benchmark: ${clusters} ZTP clusters, hub1 (ACM 2.14) → hub2 (ACM 2.15), 5 ms API latency, 5–15 s klusterlet switch\n`,
    );
    console.log(`outcome                 ${report.outcome}`);
    console.log(
      `engine settings         ${report.engineConcurrency} clusters at once, ${report.hubMaxInFlight} calls in flight per hub`,
    );
    if (report.failure) console.log(`failure                 ${report.failure}`);
    console.log(
      `total                   ${report.totalSeconds} s  (${report.secondsPerCluster} s per cluster)`,
    );
    for (const [p, s] of Object.entries(phaseSeconds)) console.log(`  ${p.padEnd(21)} ${s} s`);
    console.log(
      `API calls per cluster   ${Object.entries(calls)
        .map(([h, n]) => `${h} ${n}`)
        .join(', ')}`,
    );
    console.log(`engine CPU              ${report.engineCpuSeconds} s`);
    console.log(
      `engine peak memory      ${report.enginePeakMemoryMiB} MiB (the bench process, engine included; heap limit ${report.engineHeapLimitMiB} MiB)`,
    );
    console.log(
      `simulator              ${report.simulatorCpuSeconds} CPU s, peak ${report.simulatorPeakMemoryMiB} MiB`,
    );
    console.log(
      `machine load (1 min)    ${report.loadAverage.start} at the start, ${report.loadAverage.end} at the end (${os.cpus().length} CPUs)`,
    );
    mkdirSync('bench-results', { recursive: true });
    const file = `bench-results/engine-${clusters}${rollback ? '-rollback' : ''}.json`;
    writeFileSync(
      file,
      JSON.stringify(
        {
          ...report,
          date: new Date().toISOString(),
          machine: { cpus: os.cpus().length, node: process.version },
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`\nwritten: ${file}`);
  } finally {
    clearInterval(sampler);
    await engine.stop();
    registry.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
