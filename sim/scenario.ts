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
  /** The hub that hosts the global hub (the console, the plugin and the BFF). */
  globalHub?: boolean;
  faults?: FaultConfig;
  seed: KubeObject[];
}

export interface Scenario {
  name: string;
  hubs: HubSpec[];
  users: HubUser[];
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
    return {
      name: h.name,
      port: h.port as number | undefined,
      globalHub: h.globalHub === true,
      faults: parseFaults(h.faults, `${at}.faults`, fail),
      seed,
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
  const { hubs: _h, users: _u, name, ...extra } = raw;
  return {
    name: typeof name === 'string' ? name : path.basename(file).replace(/\.ya?ml$/, ''),
    hubs,
    users,
    extra,
  };
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
