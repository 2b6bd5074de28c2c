// Benchmark of the simulator at scale: for scale-3000 and scale-5000, the time until every
// cluster is registered, the simulator's memory, and heartbeat lag (how far each lease's last
// renewal lags behind now, against the lease duration) while nothing is wrong, plus how many
// clusters the hubs mark not Available (should be none).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import type { SimProcess } from './sim-process.js';
import { hubAccess, procStats, startSimulator } from './sim-process.js';

interface Result {
  scenario: string;
  clusters: number;
  readySeconds: number;
  peakRssMiB: number;
  leaseDurationSeconds: number;
  observedSeconds: number;
  heartbeatLagSeconds: { p50: number; p99: number; max: number };
  leasesExpired: number;
  notAvailableAtEnd: number;
  simCpuPercent: number;
}

function getJson(
  url: string,
  token: string,
  ca: string,
): Promise<{
  items: {
    metadata: { name: string };
    spec?: { renewTime?: string };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as never));
      })
      .on('error', reject);
  });
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0;
const round = (n: number) => Math.round(n * 100) / 100;

async function measure(scenarioFile: string, observeSeconds: number): Promise<Result> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const scenario = parse(readFileSync(scenarioFile, 'utf8')) as {
    name: string;
    timings?: { leaseDurationSeconds?: number };
    clusters: { count: number }[];
  };
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  let sim: SimProcess | undefined;
  try {
    sim = await startSimulator(scenarioFile, dir, (pid) => {
      sampler = setInterval(() => (peak = Math.max(peak, procStats(pid).rssMiB)), 500);
    });
    const { ready, pid } = sim;
    const hub = Object.values(ready.hubs).sort((a, b) => b.clusters - a.clusters)[0];
    const { token, ca } = hubAccess(hub.kubeconfig!);
    const leaseSeconds = scenario.timings?.leaseDurationSeconds ?? 60;
    const lags: number[] = [];
    let expired = 0;
    const cpu0 = procStats(pid).cpuSeconds;
    const t0 = Date.now();
    while (Date.now() - t0 < observeSeconds * 1000) {
      await new Promise((r) => setTimeout(r, 5000));
      const leases = await getJson(
        `${hub.url}/apis/coordination.k8s.io/v1/leases?fieldSelector=metadata.name%3Dmanaged-cluster-lease`,
        token,
        ca,
      );
      const now = Date.now();
      for (const l of leases.items) {
        const lag = (now - Date.parse(l.spec?.renewTime ?? '')) / 1000;
        lags.push(lag);
        if (lag > leaseSeconds * 5) expired++;
      }
    }
    const cpu = procStats(pid).cpuSeconds - cpu0;
    const mcs = await getJson(
      `${hub.url}/apis/cluster.open-cluster-management.io/v1/managedclusters`,
      token,
      ca,
    );
    const notAvailable = mcs.items.filter(
      (m) =>
        m.status?.conditions?.find((c) => c.type === 'ManagedClusterConditionAvailable')?.status !==
        'True',
    ).length;
    lags.sort((a, b) => a - b);
    return {
      scenario: scenario.name,
      clusters: scenario.clusters.reduce((n, g) => n + g.count, 0),
      readySeconds: round(ready.startMs / 1000),
      peakRssMiB: Math.round(peak),
      leaseDurationSeconds: leaseSeconds,
      observedSeconds: observeSeconds,
      heartbeatLagSeconds: {
        p50: round(pct(lags, 0.5)),
        p99: round(pct(lags, 0.99)),
        max: round(lags[lags.length - 1] ?? 0),
      },
      leasesExpired: expired,
      notAvailableAtEnd: notAvailable,
      simCpuPercent: Math.round((cpu / ((Date.now() - t0) / 1000)) * 100),
    };
  } finally {
    clearInterval(sampler);
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSimScale(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'observe-seconds': { type: 'string' },
      scenario: { type: 'string', multiple: true },
    },
  });
  const observe = Number(values['observe-seconds'] ?? 60);
  const files = values.scenario ?? [
    'sim/scenarios/scale-3000.yaml',
    'sim/scenarios/scale-5000.yaml',
  ];
  const results: Result[] = [];
  for (const f of files) {
    console.log(`measuring ${f} (observing heartbeats for ${observe} s)…`);
    results.push(await measure(f, observe));
  }
  console.log(
    '\nFleet simulator at scale (one process; aim: scale-5000 ready < 60 s, < 2 GiB, no lease expiring)\n',
  );
  console.log(
    'scenario      clusters  ready s  peak MiB  lease s  lag p50  lag p99  lag max  expired  not Available  sim CPU',
  );
  for (const r of results) {
    console.log(
      `${r.scenario.padEnd(13)} ${String(r.clusters).padStart(8)}  ${String(r.readySeconds).padStart(7)}  ${String(r.peakRssMiB).padStart(8)}  ${String(r.leaseDurationSeconds).padStart(7)}  ${String(r.heartbeatLagSeconds.p50).padStart(7)}  ${String(r.heartbeatLagSeconds.p99).padStart(7)}  ${String(r.heartbeatLagSeconds.max).padStart(7)}  ${String(r.leasesExpired).padStart(7)}  ${String(r.notAvailableAtEnd).padStart(13)}  ${String(r.simCpuPercent).padStart(6)}%`,
    );
  }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/sim-scale.json',
    JSON.stringify(
      {
        benchmark: 'sim-scale',
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, node: process.version },
        results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log('\nwritten: bench-results/sim-scale.json');
}
