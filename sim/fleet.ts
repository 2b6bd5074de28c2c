// The programmatic API: start a scenario's hubs, write their kubeconfigs, and hand tests the
// handles they need (fault injection, request counts, the hubs' state).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubUser } from './hub.js';
import { SimHub } from './hub.js';
import { GroundTruth } from './ground-truth.js';
import { HubClient } from './ocm/hub-client.js';
import type { Klusterlet } from './ocm/klusterlet.js';
import { KlusterletScheduler } from './ocm/klusterlet.js';
import type { Populated } from './populate.js';
import { populate } from './populate.js';
import type { Scenario } from './scenario.js';
import { clusterNames } from './scenario.js';
import { loadScenario, parseScenario } from './scenario.js';
import type { ServingTls } from './tls.js';
import { createServingTls } from './tls.js';

export interface FleetOptions {
  /** Where kubeconfigs are written (`<stateDir>/kubeconfig/<hub>.yaml`); nothing is written when absent. */
  stateDir?: string;
  historyLimit?: number;
  bookmarkIntervalMs?: number;
  /** Serve plain HTTP instead of HTTPS (kubectl then refuses to send tokens). */
  insecure?: boolean;
  /** How long start() waits for every managed cluster to be registered (default 120 s). */
  readyTimeoutMs?: number;
}

export interface ReadyInfo {
  ready: true;
  scenario: string;
  hubs: Record<string, { url: string; kubeconfig?: string; globalHub: boolean; clusters: number }>;
  /** Milliseconds from start to every cluster registered. */
  startMs: number;
}

export class Fleet {
  readonly hubs = new Map<string, SimHub>();
  /** What really happened to each managed cluster, whatever the hubs say. */
  readonly truth = new GroundTruth();
  readonly scheduler = new KlusterletScheduler();
  private readonly client = new HubClient();
  private populated?: Populated;
  private readonly kubeconfigs = new Map<string, string>();
  private readonly startedAt = Date.now();
  private readyAt = 0;

  private constructor(
    readonly scenario: Scenario,
    private readonly opts: FleetOptions,
    /** The serving certificate every hub uses, and its CA (what kubeconfigs trust). */
    readonly tls: ServingTls | undefined,
  ) {}

  static async start(
    scenario: Scenario | string | Record<string, unknown>,
    opts: FleetOptions = {},
  ): Promise<Fleet> {
    const parsed =
      typeof scenario === 'string'
        ? loadScenario(scenario)
        : 'extra' in scenario
          ? (scenario as Scenario)
          : parseScenario(scenario);
    const fleet = new Fleet(parsed, opts, opts.insecure ? undefined : await createServingTls());
    try {
      for (const spec of parsed.hubs) {
        const users: HubUser[] = parsed.users;
        const hub = new SimHub({
          name: spec.name,
          port: spec.port,
          users,
          faults: spec.faults,
          seed: spec.seed,
          historyLimit: opts.historyLimit,
          bookmarkIntervalMs: opts.bookmarkIntervalMs,
          tls: fleet.tls,
        });
        fleet.hubs.set(spec.name, hub);
        await hub.start();
      }
      fleet.writeKubeconfigs();
      fleet.populated = populate({
        scenario: parsed,
        hubs: fleet.hubs,
        globalHub: fleet.globalHub,
        truth: fleet.truth,
        client: fleet.client,
        scheduler: fleet.scheduler,
      });
      fleet.scheduler.start();
      await fleet.waitForClusters(opts.readyTimeoutMs ?? 120_000);
      fleet.readyAt = Date.now();
    } catch (e) {
      await fleet.stop();
      throw e;
    }
    return fleet;
  }

  /** Names of the scenario's managed clusters (not the hubs themselves). */
  clusterNames(): string[] {
    return this.scenario.clusters.flatMap((g) => clusterNames(g));
  }

  klusterlet(name: string): Klusterlet {
    const k = this.scheduler.klusterlets.get(name);
    if (!k) throw new Error(`no managed cluster named ${name} in scenario ${this.scenario.name}`);
    return k;
  }

  private async waitForClusters(timeoutMs: number): Promise<void> {
    const names = [...this.scheduler.klusterlets.keys()];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Ready means settled: every agent has also reported its status and applied its work, so
      // that a test that starts on the ready line does not see their first writes (validation
      // at scale asserts that nothing writes while it reads).
      const missing = names.filter((n) => {
        const k = this.klusterlet(n);
        if (k.faults.flapping) return false;
        return this.truth.cluster(n).registeredTo === null || !k.settled;
      });
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${missing.length} clusters did not register within ${timeoutMs} ms (e.g. ${missing.slice(0, 5).join(', ')})`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  hub(name: string): SimHub {
    const hub = this.hubs.get(name);
    if (!hub) throw new Error(`no hub named ${name} in scenario ${this.scenario.name}`);
    return hub;
  }

  get globalHub(): SimHub {
    const spec = this.scenario.hubs.find((h) => h.globalHub) ?? this.scenario.hubs[0];
    return this.hub(spec.name);
  }

  kubeconfigPath(hub: string): string | undefined {
    return this.kubeconfigs.get(hub);
  }

  private writeKubeconfigs(): void {
    if (!this.opts.stateDir) return;
    const dir = path.join(this.opts.stateDir, 'kubeconfig');
    mkdirSync(dir, { recursive: true });
    for (const hub of this.hubs.values()) {
      const file = path.resolve(dir, `${hub.name}.yaml`);
      writeFileSync(file, hub.kubeconfig(), { mode: 0o600 });
      this.kubeconfigs.set(hub.name, file);
    }
  }

  readyInfo(): ReadyInfo {
    const hubs: ReadyInfo['hubs'] = {};
    const global = this.globalHub.name;
    for (const hub of this.hubs.values()) {
      const clusters = this.scenario.clusters
        .filter((g) => g.hub === hub.name)
        .reduce((n, g) => n + g.count, 0);
      hubs[hub.name] = {
        url: hub.url,
        kubeconfig: this.kubeconfigs.get(hub.name),
        globalHub: hub.name === global,
        clusters,
      };
    }
    return {
      ready: true,
      scenario: this.scenario.name,
      hubs,
      startMs: this.readyAt - this.startedAt,
    };
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    this.populated?.stop();
    this.client.close();
    await Promise.all([...this.hubs.values()].map((h) => h.stop()));
  }
}
