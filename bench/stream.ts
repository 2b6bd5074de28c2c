// `npm run bench -- stream [--clusters N] [--clients C]`: C event-stream clients connected to the
// BFF while it migrates N clusters (simulator in its own process, 5 ms API latency). Reports the
// delivery latency of every event (from the broker publishing it to each client parsing it:
// p50/p95/max), events delivered, and the BFF's peak memory. The clients run in the BFF's process,
// so their parsing competes with the server: the latencies are an upper bound.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SseReader } from '../backend/src/api/test-support.js';
import { startBff } from '../backend/src/bff.js';
import { loadConfig } from '../backend/src/config.js';
import { PooledKubeConfig } from '../backend/src/hubs/kubeconfig.js';
import { createLogger } from '../backend/src/log.js';
import { hubAccess, startSimulator } from './sim-process.js';

const NS = 'multicluster-global-hub';
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

export async function benchStream(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { clusters: { type: 'string' }, clients: { type: 'string' } },
  });
  const clusters = Number(values.clusters ?? 3000);
  const clients = Number(values.clients ?? 200);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-stream-'));
  const scenario = path.join(dir, 'bench.yaml');
  writeFileSync(
    scenario,
    `name: stream-bench
hubs:
  - { name: local-cluster, globalHub: true, acmVersion: '2.15', faults: { latencyMs: 5 } }
  - { name: hub1, acmVersion: '2.15', faults: { latencyMs: 5 } }
  - { name: hub2, acmVersion: '2.15', faults: { latencyMs: 5 } }
clusters:
  - { count: ${clusters}, namePattern: 'sno-{n:4}', hub: hub1, ztp: true }
timings:
  leaseDurationSeconds: 5
  hubConnectionTimeoutScale: 0.03
`,
  );
  console.log(`starting the simulator with ${clusters} ZTP clusters…`);
  const sim = await startSimulator(scenario, dir);
  const kubeconfig = sim.ready.hubs['local-cluster'].kubeconfig!;
  const admin = hubAccess(kubeconfig).token;
  const log = createLogger({ component: 'bench' }, 'warn');
  const bff = await startBff(
    loadConfig({ POD_NAMESPACE: 'hub-migration', PORT: '0', BIND_ADDRESS: '127.0.0.1' }),
    PooledKubeConfig.fromString(readFileSync(kubeconfig, 'utf8')),
    log,
  );
  const published = new Map<string, number>();
  bff.stream.onPublish((id) => published.set(id, performance.now()));
  const latencies: number[] = [];
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  const readers: SseReader[] = [];
  for (let i = 0; i < clients; i++) {
    // Half watch the migration's cluster rows (details pages), half only the list (dashboards).
    const q = i % 2 === 0 ? `?migration=${NS}/bench` : '';
    const r = new SseReader(`${bff.url}/api/v1/stream${q}`, admin, undefined, false);
    r.onEvent = (e) => {
      const t = e.id ? published.get(e.id) : undefined;
      if (t !== undefined) latencies.push(performance.now() - t);
    };
    readers.push(r);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const names = Array.from({ length: clusters }, (_, i) => `sno-${String(i + 1).padStart(4, '0')}`);
  const t0 = Date.now();
  const res = await fetch(`${bff.url}/api/v1/migrations`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${admin}`,
      'Content-Type': 'application/json',
      'X-CSRFToken': 'x',
    },
    body: JSON.stringify({
      name: 'bench',
      from: 'hub1',
      to: 'hub2',
      clusters: names,
      stageTimeout: '15m',
    }),
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  console.log(`migrating with ${clients} stream clients connected…`);
  let phase = '';
  for (;;) {
    const d = (await (
      await fetch(`${bff.url}/api/v1/migrations/${NS}/bench`, {
        headers: { Authorization: `Bearer ${admin}` },
      })
    ).json()) as { phase: string };
    if (d.phase !== phase)
      console.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s  ${(phase = d.phase)}`);
    if (phase === 'Completed' || phase === 'Failed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 2000));
  clearInterval(sampler);
  const disconnected = readers.filter((r) => r.ended).length;
  for (const r of readers) r.close();
  latencies.sort((a, b) => a - b);
  const report = {
    benchmark: 'stream',
    clusters,
    clients,
    outcome: phase,
    migrationSeconds: round((Date.now() - t0) / 1000, 1),
    eventsPublished: published.size,
    eventsDelivered: latencies.length,
    latencyMs: {
      p50: round(pct(latencies, 50), 1),
      p95: round(pct(latencies, 95), 1),
      max: round(latencies.at(-1) ?? 0, 1),
    },
    clientsDisconnected: disconnected,
    peakMemoryMiB: Math.round(peak / 1024 / 1024),
    loadAverage: round(os.loadavg()[0], 2),
  };
  console.log(`\nStream benchmark: ${clients} clients during a ${clusters}-cluster migration\n`);
  console.log(`outcome              ${report.outcome} in ${report.migrationSeconds} s`);
  console.log(
    `events               ${report.eventsPublished} published, ${report.eventsDelivered} delivered`,
  );
  console.log(
    `delivery latency     p50 ${report.latencyMs.p50} ms, p95 ${report.latencyMs.p95} ms, max ${report.latencyMs.max} ms`,
  );
  console.log(`clients dropped      ${disconnected}`);
  console.log(
    `peak memory          ${report.peakMemoryMiB} MiB (BFF and the ${clients} clients in one process)`,
  );
  mkdirSync('bench-results', { recursive: true });
  const out = path.join('bench-results', `stream-${clusters}-${clients}.json`);
  writeFileSync(out, `${JSON.stringify({ ...report, date: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\nwritten: ${out}`);
  await bff.close();
  await sim.stop();
}
