// Benchmark of one simulated hub's API server: requests/s for get, list (1,000 objects), create,
// patch and watch fan-out, and its memory with 50,000 stored objects. The hub runs in its own
// process (started with `npm run sim`), so its CPU time and memory are measured apart from the
// load generator's; the report gives requests/s and requests per second of server CPU.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { hubAccess, procStats, startSimulator } from './sim-process.js';

interface HubHandle {
  url: string;
  token: string;
  ca: string;
  pid: number;
  stop(): void;
}

async function startHub(dir: string): Promise<HubHandle> {
  const scenario = path.join(dir, 'bench.yaml');
  writeFileSync(scenario, 'name: bench\nhubs:\n  - name: bench\n');
  const sim = await startSimulator(scenario, dir);
  const hub = sim.ready.hubs.bench;
  return { url: hub.url, ...hubAccess(hub.kubeconfig!), pid: sim.pid, stop: () => void sim.stop() };
}

function client(hub: HubHandle) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: hub.ca });
  return (
    method: string,
    p: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        new URL(p, hub.url),
        {
          method,
          agent,
          headers: {
            Authorization: `Bearer ${hub.token}`,
            ...(body ? { 'Content-Type': contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', reject);
      if (body) req.write(JSON.stringify(body));
      req.end();
    });
}

type Request = ReturnType<typeof client>;

/** Runs `total` requests with `concurrency` in flight; returns requests/s and server CPU per request. */
async function load(
  hub: HubHandle,
  total: number,
  concurrency: number,
  make: (i: number) => Promise<{ status: number }>,
) {
  const before = procStats(hub.pid);
  const t0 = process.hrtime.bigint();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const r = await make(i);
        if (r.status >= 300) failed++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = procStats(hub.pid);
  const cpu = after.cpuSeconds - before.cpuSeconds;
  return {
    requests: total,
    failed,
    seconds: round(seconds),
    perSecond: Math.round(total / seconds),
    perServerCpuSecond: cpu > 0 ? Math.round(total / cpu) : null,
  };
}

function round(n: number, digits = 2): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

async function watchFanOut(hub: HubHandle, req: Request, watchers: number, events: number) {
  const agent = new https.Agent({ keepAlive: false, ca: hub.ca });
  let received = 0;
  const target = watchers * events;
  let done!: () => void;
  const allIn = new Promise<void>((r) => (done = r));
  const requests: ReturnType<typeof https.request>[] = [];
  const rv = JSON.parse((await req('GET', '/api/v1/namespaces/watch/configmaps?limit=1')).text) as {
    metadata: { resourceVersion: string };
  };
  await Promise.all(
    Array.from(
      { length: watchers },
      () =>
        new Promise<void>((resolve, reject) => {
          const r = https.request(
            new URL(
              `/api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=${rv.metadata.resourceVersion}`,
              hub.url,
            ),
            { agent, headers: { Authorization: `Bearer ${hub.token}` } },
            (res) => {
              resolve();
              let buf = '';
              res.on('data', (d: Buffer) => {
                buf += d.toString();
                let nl: number;
                while ((nl = buf.indexOf('\n')) >= 0) {
                  buf = buf.slice(nl + 1);
                  if (++received === target) done();
                }
              });
            },
          );
          r.on('error', reject);
          r.end();
          requests.push(r);
        }),
    ),
  );
  const before = procStats(hub.pid);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events; i++)
    await req('POST', '/api/v1/namespaces/watch/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `w-${i}` },
      data: { i: String(i) },
    });
  await allIn;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = procStats(hub.pid).cpuSeconds - before.cpuSeconds;
  requests.forEach((r) => r.destroy());
  return {
    watchers,
    events,
    delivered: received,
    seconds: round(seconds),
    eventsDeliveredPerSecond: Math.round(received / seconds),
    perServerCpuSecond: cpu > 0 ? Math.round(received / cpu) : null,
  };
}

export async function benchApiserver(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-apiserver-'));
  const hub = await startHub(dir);
  const req = client(hub);
  const concurrency = 32;
  try {
    for (const ns of ['bench', 'list', 'watch', 'bulk'])
      await req('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    const results: Record<string, unknown> = {};
    results.create = await load(hub, 5000, concurrency, (i) =>
      req('POST', '/api/v1/namespaces/bench/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `c-${i}`, labels: { i: String(i % 10) } },
        data: { k: 'v' },
      }),
    );
    results.get = await load(hub, 10000, concurrency, (i) =>
      req('GET', `/api/v1/namespaces/bench/configmaps/c-${i % 5000}`),
    );
    results.patch = await load(hub, 5000, concurrency, (i) =>
      req(
        'PATCH',
        `/api/v1/namespaces/bench/configmaps/c-${i}`,
        { data: { k: `v${i}` } },
        'application/merge-patch+json',
      ),
    );
    for (let i = 0; i < 1000; i++)
      await req('POST', '/api/v1/namespaces/list/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `l-${i}` },
        data: { k: 'v'.repeat(100) },
      });
    results.list1000 = await load(hub, 300, 8, () =>
      req('GET', '/api/v1/namespaces/list/configmaps'),
    );
    results.watchFanOut = await watchFanOut(hub, req, 100, 200);
    const bulk = await load(hub, 50000 - 6200 - 200, concurrency, (i) =>
      req('POST', '/api/v1/namespaces/bulk/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `b-${i}`, labels: { app: 'bench', i: String(i % 100) } },
        data: { key: `value-${i}`, other: 'x'.repeat(64) },
      }),
    );
    const mem = procStats(hub.pid);
    results.memory = {
      storedObjects: 50000,
      rssMiB: Math.round(mem.rssMiB),
      createdPerSecond: bulk.perSecond,
    };
    const report = {
      benchmark: 'apiserver',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      concurrency,
      results,
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/apiserver.json', JSON.stringify(report, null, 2) + '\n');
    printReport(report.results);
    console.log('\nwritten: bench-results/apiserver.json');
  } finally {
    hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printReport(results: Record<string, unknown>): void {
  console.log(
    '\nSimulated hub API server (HTTPS, keep-alive, one hub process; load generator in another process)\n',
  );
  console.log('operation        requests   seconds   req/s   req per server CPU-second');
  for (const [name, r] of Object.entries(results)) {
    if (name === 'memory' || name === 'watchFanOut') continue;
    const x = r as {
      requests: number;
      seconds: number;
      perSecond: number;
      perServerCpuSecond: number | null;
      failed: number;
    };
    console.log(
      `${name.padEnd(16)} ${String(x.requests).padStart(8)}   ${String(x.seconds).padStart(7)}   ${String(x.perSecond).padStart(5)}   ${String(x.perServerCpuSecond ?? '-').padStart(5)}${x.failed ? `   (${x.failed} failed)` : ''}`,
    );
  }
  const w = results.watchFanOut as {
    watchers: number;
    events: number;
    delivered: number;
    eventsDeliveredPerSecond: number;
    perServerCpuSecond: number | null;
  };
  console.log(
    `\nwatch fan-out: ${w.events} changes to ${w.watchers} watchers = ${w.delivered} events delivered, ${w.eventsDeliveredPerSecond}/s (${w.perServerCpuSecond ?? '-'} per server CPU-second)`,
  );
  const m = results.memory as { storedObjects: number; rssMiB: number };
  console.log(
    `memory: ${m.rssMiB} MiB resident with ${m.storedObjects} stored objects (aim: under 1 GiB)`,
  );
}
