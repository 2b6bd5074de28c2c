// The programmatic API: start a scenario's hubs, write their kubeconfigs, and hand tests the
// handles they need (fault injection, request counts, the hubs' state).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubUser } from './hub.js';
import { SimHub } from './hub.js';
import type { Scenario } from './scenario.js';
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
}

export interface ReadyInfo {
  ready: true;
  scenario: string;
  hubs: Record<string, { url: string; kubeconfig?: string; globalHub: boolean }>;
}

export class Fleet {
  readonly hubs = new Map<string, SimHub>();
  private readonly kubeconfigs = new Map<string, string>();

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
    } catch (e) {
      await fleet.stop();
      throw e;
    }
    return fleet;
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
    for (const hub of this.hubs.values())
      hubs[hub.name] = {
        url: hub.url,
        kubeconfig: this.kubeconfigs.get(hub.name),
        globalHub: hub.name === global,
      };
    return { ready: true, scenario: this.scenario.name, hubs };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.hubs.values()].map((h) => h.stop()));
  }
}
