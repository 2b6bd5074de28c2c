// Scenario files: which hubs to start and what they hold. Validated on load, with errors that
// name the file and the field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { FaultConfig } from './apiserver/server.js';
import type { KubeObject } from './apiserver/types.js';
import { isObject } from './apiserver/types.js';
import type { HubUser } from './hub.js';
import { readObjects } from './hub.js';

export interface HubSpec {
  name: string;
  port?: number;
  /** ACM version this hub runs (MultiClusterHub status.currentVersion); no ACM objects when absent. */
  acmVersion?: string;
  mceVersion?: string;
  /** ACM components switched off in this hub's MultiClusterHub. */
  disabledComponents?: string[];
  /** Whether this hub runs an EUS release of ACM (validation allows a two-minor upgrade from it). */
  eus?: boolean;
  /** The hub that hosts the global hub (the console, the plugin and the BFF). */
  globalHub?: boolean;
  faults?: FaultConfig;
  seed: KubeObject[];
}

export interface ClusterFaults {
  unreachableHubs?: string[];
  joinDelayMs?: number;
  joinDelayJitterMs?: number;
  flapping?: { upMs: number; downMs: number };
}

export interface ClusterGroup {
  count: number;
  /** Names: `{n}` is the index from 1, `{n:3}` zero-padded to 3 digits (e.g. `sno-{n:4}`). */
  namePattern: string;
  hub: string;
  labels: Record<string, string>;
  clusterSet?: string;
  /** ZTP clusters carry ClusterDeployment, BareMetalHost, ImageClusterInstall… on their hub. */
  ztp: boolean;
  /** ZTP clusters only: false leaves them still provisioning. */
  provisioned: boolean;
  faults?: ClusterFaults;
}

export interface PlacementSpec {
  hub: string;
  namespace: string;
  name: string;
  clusterSets: string[];
  matchLabels?: Record<string, string>;
  numberOfClusters?: number;
}

export interface PolicySpec {
  hub: string;
  namespace: string;
  name: string;
  placement: string;
}

export interface Timings {
  /** ManagedCluster spec.leaseDurationSeconds: the agents' heartbeat period. */
  leaseDurationSeconds: number;
  /** How long after a cluster joins its replicated policies become compliant. */
  policyComplianceDelayMs: number;
  /**
   * Multiplies the agents' hub-connection timeout. KlusterletConfig allows no less than 180 s; a
   * scale of 0.01 lets tests and demos see a switch in seconds with the same configuration.
   */
  hubConnectionTimeoutScale: number;
}

export interface Scenario {
  name: string;
  hubs: HubSpec[];
  users: HubUser[];
  clusters: ClusterGroup[];
  placements: PlacementSpec[];
  policies: PolicySpec[];
  timings: Timings;
  /** Scenario keys handled by later layers (managed clusters, placements…), kept as given. */
  extra: Record<string, unknown>;
}

export class ScenarioError extends Error {}

const HUB_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function loadScenario(file: string): Scenario {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseScenario(raw, file);
}

export function parseScenario(raw: unknown, file = '<scenario>'): Scenario {
  const fail = (field: string, why: string) => new ScenarioError(`${file}: ${field}: ${why}`);
  if (!isObject(raw)) throw fail('(root)', 'must be a mapping');
  if (!Array.isArray(raw.hubs) || raw.hubs.length === 0)
    throw fail('hubs', 'must list at least one hub');
  const names = new Set<string>();
  const hubs: HubSpec[] = raw.hubs.map((h, i) => {
    const at = `hubs[${i}]`;
    if (!isObject(h)) throw fail(at, 'must be a mapping');
    if (typeof h.name !== 'string' || !HUB_NAME.test(h.name))
      throw fail(`${at}.name`, 'must be a DNS label (lowercase letters, digits and -)');
    if (names.has(h.name)) throw fail(`${at}.name`, `hub "${h.name}" is listed twice`);
    names.add(h.name);
    if (
      h.port !== undefined &&
      (!Number.isInteger(h.port) || Number(h.port) < 0 || Number(h.port) > 65535)
    )
      throw fail(`${at}.port`, 'must be a port number');
    const seed: KubeObject[] = [];
    for (const [j, s] of (Array.isArray(h.seed) ? h.seed : []).entries()) {
      if (typeof s === 'string') seed.push(...readObjects(path.resolve(path.dirname(file), s)));
      else if (
        isObject(s) &&
        typeof s.apiVersion === 'string' &&
        typeof s.kind === 'string' &&
        isObject(s.metadata)
      )
        seed.push(s as KubeObject);
      else
        throw fail(
          `${at}.seed[${j}]`,
          'must be a file path or an object with apiVersion, kind and metadata',
        );
    }
    const version = (v: unknown, f: string) => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string' && typeof v !== 'number')
        throw fail(`${at}.${f}`, 'must be a version such as "2.15"');
      const t = String(v);
      if (!/^\d+\.\d+(\.\d+)?$/.test(t))
        throw fail(`${at}.${f}`, `"${t}" is not a version such as "2.15" or "2.15.1"`);
      return t;
    };
    return {
      name: h.name,
      port: h.port as number | undefined,
      globalHub: h.globalHub === true,
      faults: parseFaults(h.faults, `${at}.faults`, fail),
      seed,
      acmVersion: version(h.acmVersion, 'acmVersion'),
      mceVersion: version(h.mceVersion, 'mceVersion'),
      disabledComponents: stringList(h.disabledComponents, `${at}.disabledComponents`, fail),
      eus: h.eus === true,
    };
  });
  if (hubs.filter((h) => h.globalHub).length > 1)
    throw fail('hubs', 'only one hub can be the global hub');
  const users: HubUser[] = (Array.isArray(raw.users) ? raw.users : []).map((u, i) => {
    if (!isObject(u) || typeof u.name !== 'string' || typeof u.token !== 'string')
      throw fail(`users[${i}]`, 'needs a name and a token');
    return {
      name: u.name,
      token: u.token,
      groups: Array.isArray(u.groups) ? u.groups.map(String) : [],
    };
  });
  const clusters = (Array.isArray(raw.clusters) ? raw.clusters : []).map((g, i) =>
    parseClusterGroup(g, `clusters[${i}]`, names, fail),
  );
  const seen = new Set<string>();
  for (const g of clusters) {
    for (const n of clusterNames(g)) {
      if (seen.has(n)) throw fail('clusters', `cluster "${n}" is defined twice`);
      seen.add(n);
    }
  }
  const placements = (Array.isArray(raw.placements) ? raw.placements : []).map(
    (p, i): PlacementSpec => {
      const at = `placements[${i}]`;
      if (!isObject(p) || typeof p.name !== 'string' || typeof p.hub !== 'string')
        throw fail(at, 'needs a name and a hub');
      if (!names.has(p.hub)) throw fail(`${at}.hub`, `no hub named "${p.hub}"`);
      return {
        hub: p.hub,
        name: p.name,
        namespace: typeof p.namespace === 'string' ? p.namespace : 'default',
        clusterSets: stringList(p.clusterSets, `${at}.clusterSets`, fail) ?? [],
        matchLabels: isObject(p.matchLabels)
          ? Object.fromEntries(Object.entries(p.matchLabels).map(([k, v]) => [k, String(v)]))
          : undefined,
        numberOfClusters: typeof p.numberOfClusters === 'number' ? p.numberOfClusters : undefined,
      };
    },
  );
  const policies = (Array.isArray(raw.policies) ? raw.policies : []).map((p, i): PolicySpec => {
    const at = `policies[${i}]`;
    if (
      !isObject(p) ||
      typeof p.name !== 'string' ||
      typeof p.hub !== 'string' ||
      typeof p.placement !== 'string'
    )
      throw fail(at, 'needs a name, a hub and a placement');
    if (!names.has(p.hub)) throw fail(`${at}.hub`, `no hub named "${p.hub}"`);
    return {
      hub: p.hub,
      name: p.name,
      namespace: typeof p.namespace === 'string' ? p.namespace : 'default',
      placement: p.placement,
    };
  });
  const t = isObject(raw.timings) ? raw.timings : {};
  const timings: Timings = {
    leaseDurationSeconds:
      positive(t.leaseDurationSeconds, 'timings.leaseDurationSeconds', fail) ?? 60,
    policyComplianceDelayMs:
      positive(t.policyComplianceDelayMs, 'timings.policyComplianceDelayMs', fail) ?? 5000,
    hubConnectionTimeoutScale:
      positive(t.hubConnectionTimeoutScale, 'timings.hubConnectionTimeoutScale', fail) ?? 1,
  };
  const {
    hubs: _h,
    users: _u,
    name,
    clusters: _c,
    placements: _p,
    policies: _po,
    timings: _t,
    ...extra
  } = raw;
  return {
    name: typeof name === 'string' ? name : path.basename(file).replace(/\.ya?ml$/, ''),
    hubs,
    users,
    clusters,
    placements,
    policies,
    timings,
    extra,
  };
}

type Fail = (f: string, w: string) => Error;

function stringList(v: unknown, at: string, fail: Fail): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw fail(at, 'must be a list of strings');
  return v as string[];
}

function positive(v: unknown, at: string, fail: Fail): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0)) throw fail(at, 'must be a positive number');
  return v;
}

function parseClusterGroup(g: unknown, at: string, hubs: Set<string>, fail: Fail): ClusterGroup {
  if (!isObject(g)) throw fail(at, 'must be a mapping');
  if (!Number.isInteger(g.count) || Number(g.count) < 1 || Number(g.count) > 20000)
    throw fail(`${at}.count`, 'must be a whole number from 1 to 20000');
  if (typeof g.namePattern !== 'string' || !/\{n(:\d+)?\}/.test(g.namePattern))
    throw fail(`${at}.namePattern`, 'must contain {n} or {n:width}, e.g. "sno-{n:4}"');
  if (typeof g.hub !== 'string' || !hubs.has(g.hub))
    throw fail(`${at}.hub`, `must name a hub of the scenario (${[...hubs].join(', ')})`);
  const labels = isObject(g.labels)
    ? (Object.fromEntries(Object.entries(g.labels).map(([k, v]) => [k, String(v)])) as Record<
        string,
        string
      >)
    : {};
  let faults: ClusterFaults | undefined;
  if (g.faults !== undefined) {
    if (!isObject(g.faults)) throw fail(`${at}.faults`, 'must be a mapping');
    const f = g.faults;
    faults = {
      unreachableHubs: stringList(f.unreachableHubs, `${at}.faults.unreachableHubs`, fail),
      joinDelayMs: positive(f.joinDelayMs, `${at}.faults.joinDelayMs`, fail),
      joinDelayJitterMs: positive(f.joinDelayJitterMs, `${at}.faults.joinDelayJitterMs`, fail),
      flapping: isObject(f.flapping)
        ? {
            upMs: positive(f.flapping.upMs, `${at}.faults.flapping.upMs`, fail) ?? 10000,
            downMs: positive(f.flapping.downMs, `${at}.faults.flapping.downMs`, fail) ?? 5000,
          }
        : undefined,
    };
  }
  const group: ClusterGroup = {
    count: Number(g.count),
    namePattern: g.namePattern,
    hub: g.hub,
    labels,
    clusterSet: typeof g.clusterSet === 'string' ? g.clusterSet : undefined,
    ztp: g.ztp === true,
    provisioned: g.provisioned !== false,
    faults,
  };
  const first = clusterNames({ count: 1, namePattern: group.namePattern })[0];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(first) || first.length > 63)
    throw fail(`${at}.namePattern`, `gives "${first}", which is not a DNS label`);
  return group;
}

/** The names a cluster group expands to. */
export function clusterNames(g: Pick<ClusterGroup, 'count' | 'namePattern'>): string[] {
  return Array.from({ length: g.count }, (_, i) =>
    g.namePattern.replace(/\{n(?::(\d+))?\}/g, (_m, width?: string) =>
      String(i + 1).padStart(width ? Number(width) : 0, '0'),
    ),
  );
}

function parseFaults(
  v: unknown,
  at: string,
  fail: (f: string, w: string) => Error,
): FaultConfig | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw fail(at, 'must be a mapping');
  const out: FaultConfig = {};
  if (v.latencyMs !== undefined) {
    if (typeof v.latencyMs === 'number' && v.latencyMs >= 0) out.latencyMs = v.latencyMs;
    else if (
      isObject(v.latencyMs) &&
      typeof v.latencyMs.min === 'number' &&
      typeof v.latencyMs.max === 'number' &&
      v.latencyMs.min <= v.latencyMs.max
    ) {
      out.latencyMs = { min: v.latencyMs.min, max: v.latencyMs.max };
    } else throw fail(`${at}.latencyMs`, 'must be a number of milliseconds or {min, max}');
  }
  if (v.errorRate !== undefined) {
    if (typeof v.errorRate !== 'number' || v.errorRate < 0 || v.errorRate > 1)
      throw fail(`${at}.errorRate`, 'must be between 0 and 1');
    out.errorRate = v.errorRate;
  }
  return out;
}
