// Prometheus metrics in the text exposition format: HTTP requests and latency are counted as they
// happen; everything else (migrations by phase, clusters by state, phase durations, hub API calls,
// stream clients, process) is read when /metrics is scraped, so it is never stale.
import type { HubClient } from '../hubs/hub-client.js';
import type { MigrationState } from './state.js';
import { phaseSteps } from './views.js';

type Labels = Record<string, string>;

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Family {
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly help: string,
  ) {}
  add(value: number, labels: Labels = {}, suffix = ''): void {
    this.lines.push(
      `${this.name}${suffix}${labelText(labels)} ${Number.isFinite(value) ? value : 0}`,
    );
  }
  text(): string {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} ${this.type}`,
      ...this.lines,
    ].join('\n');
  }
}

interface HistogramData {
  buckets: number[];
  sum: number;
  count: number;
}

export interface MetricsSources {
  state: MigrationState;
  hubs: () => HubClient[];
  stream: () => { clients: number; delivered: number; dropped: number };
  leader: () => boolean;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, HistogramData>();

  /** Counts one HTTP request (route is the pattern, never the raw path). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = JSON.stringify([method, route, String(status)]);
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const lk = JSON.stringify([route]);
    let h = this.latency.get(lk);
    if (!h) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(lk, h);
    }
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.buckets[i]++;
    });
    h.sum += seconds;
    h.count++;
  }

  render(src: MetricsSources): string {
    const families: Family[] = [];
    const fam = (name: string, type: Family['type'], help: string) => {
      const f = new Family(name, type, help);
      families.push(f);
      return f;
    };

    const byPhase = fam('hub_migration_migrations', 'gauge', 'Migrations by phase.');
    const clusters = fam('hub_migration_clusters', 'gauge', 'Clusters of each migration by state.');
    const phaseSeconds = fam(
      'hub_migration_phase_duration_seconds',
      'gauge',
      'How long each finished phase of each migration took.',
    );
    const phases = new Map<string, number>();
    for (const m of src.state.migrations()) {
      const phase = m.status?.phase ?? 'Pending';
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
      const s = src.state.summarize(m);
      for (const [state, n] of Object.entries(s.counts))
        clusters.add(n, { namespace: s.namespace, migration: s.name, state });
      for (const step of phaseSteps(m))
        if (step.seconds !== undefined)
          phaseSeconds.add(step.seconds, {
            namespace: s.namespace,
            migration: s.name,
            phase: step.phase,
          });
    }
    for (const [phase, n] of phases) byPhase.add(n, { phase });

    const calls = fam(
      'hub_migration_hub_api_calls_total',
      'counter',
      'Kubernetes API calls per hub, verb and resource.',
    );
    const errors = fam(
      'hub_migration_hub_api_errors_total',
      'counter',
      'Failed Kubernetes API calls per hub, verb and resource.',
    );
    const retries = fam(
      'hub_migration_hub_api_retries_total',
      'counter',
      'Retried Kubernetes API calls per hub.',
    );
    const latency = fam(
      'hub_migration_hub_api_latency_seconds_total',
      'counter',
      'Time spent in Kubernetes API calls per hub.',
    );
    const seen = new Set<HubClient>();
    for (const hub of src.hubs()) {
      if (seen.has(hub)) continue;
      seen.add(hub);
      const st = hub.callStats();
      for (const [key, n] of Object.entries(st.calls)) {
        const [verb, resource = ''] = key.split(' ');
        calls.add(n, { hub: hub.name, verb, resource });
      }
      for (const [key, n] of Object.entries(st.errors)) {
        const [verb, resource = ''] = key.split(' ');
        errors.add(n, { hub: hub.name, verb, resource });
      }
      retries.add(st.retries, { hub: hub.name });
      latency.add(st.latencyMsTotal / 1000, { hub: hub.name });
    }

    const reqs = fam(
      'hub_migration_http_requests_total',
      'counter',
      'HTTP requests by method, route and status.',
    );
    for (const [key, n] of this.requests) {
      const [method, route, status] = JSON.parse(key) as string[];
      reqs.add(n, { method, route, status });
    }
    const dur = fam(
      'hub_migration_http_request_duration_seconds',
      'histogram',
      'HTTP request duration by route.',
    );
    for (const [key, h] of this.latency) {
      const [route] = JSON.parse(key) as string[];
      BUCKETS.forEach((b, i) => dur.add(h.buckets[i], { route, le: String(b) }, '_bucket'));
      dur.add(h.count, { route, le: '+Inf' }, '_bucket');
      dur.add(h.sum, { route }, '_sum');
      dur.add(h.count, { route }, '_count');
    }

    const st = src.stream();
    fam('hub_migration_stream_clients', 'gauge', 'Connected event-stream clients.').add(st.clients);
    fam('hub_migration_stream_events_total', 'counter', 'Events written to stream clients.').add(
      st.delivered,
    );
    fam(
      'hub_migration_stream_disconnects_total',
      'counter',
      'Stream clients disconnected because they could not keep up.',
    ).add(st.dropped);
    fam(
      'hub_migration_engine_leader',
      'gauge',
      'Whether this replica drives migrations (1) or not (0).',
    ).add(src.leader() ? 1 : 0);
    const mem = process.memoryUsage();
    fam('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.').add(mem.rss);
    fam('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.').add(mem.heapUsed);
    const cpu = process.cpuUsage();
    fam('process_cpu_seconds_total', 'counter', 'User and system CPU time spent, in seconds.').add(
      (cpu.user + cpu.system) / 1e6,
    );
    return `${families.map((f) => f.text()).join('\n')}\n`;
  }
}
