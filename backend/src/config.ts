// The BFF's configuration, from the environment, with documented defaults. Bad values fail at
// start with a message naming the variable.
import type { RegistryConfig } from './hubs/registry.js';

export interface Config {
  /** Kubeconfig of the global hub; empty means in-cluster credentials. */
  globalHubKubeconfig?: string;
  /** Namespace of ManagedClusterMigrations on the global hub. */
  migrationNamespace: string;
  /** The BFF's own namespace: hub kubeconfig Secrets and the leader Lease live there. */
  namespace: string;
  hubSecretLabel: string;
  localClusterName: string;
  /** Whether this process drives migrations (false: observe mode, another controller drives). */
  engineEnabled: boolean;
  /** Clusters handled at once within a phase. */
  engineConcurrency: number;
  leaseSeconds: number;
  /** Per-hub limits on API calls: requests per second, burst, and requests in flight. */
  hubQps: number;
  hubBurst: number;
  hubMaxInFlight: number;
  /** ACM minor versions that are EUS releases (a two-minor jump is allowed from them). */
  eusAcmVersions: string[];
  /** Identity in the leader Lease (defaults to hostname-pid). */
  identity?: string;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function versions(env: NodeJS.ProcessEnv, name: string, dflt: string[]): string[] {
  const raw = env[name];
  if (raw === undefined) return dflt;
  const list = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = list.find((v) => !/^\d+\.\d+$/.test(v));
  if (bad) throw new Error(`${name} must list minor versions such as 2.13,2.17, got "${bad}"`);
  return list;
}

/** Where the registry finds hubs and their kubeconfig Secrets. */
export function registrySettings(config: Config): RegistryConfig {
  return {
    secretNamespace: config.namespace,
    secretLabel: config.hubSecretLabel,
    localClusterName: config.localClusterName,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    globalHubKubeconfig: env.GLOBAL_HUB_KUBECONFIG || undefined,
    migrationNamespace: env.MIGRATION_NAMESPACE || 'multicluster-global-hub',
    namespace: env.POD_NAMESPACE || 'hub-migration',
    hubSecretLabel: env.HUB_SECRET_LABEL || 'hub-migration.openshift.io/hub',
    localClusterName: env.LOCAL_CLUSTER_NAME || 'local-cluster',
    engineEnabled: bool(env, 'ENGINE_ENABLED', true),
    engineConcurrency: int(env, 'ENGINE_CONCURRENCY', 20, 1),
    leaseSeconds: int(env, 'LEADER_LEASE_SECONDS', 15, 2),
    hubQps: int(env, 'HUB_QPS', 1000, 1),
    hubBurst: int(env, 'HUB_BURST', 2000, 1),
    hubMaxInFlight: int(env, 'HUB_MAX_IN_FLIGHT', 32, 1),
    eusAcmVersions: versions(env, 'EUS_ACM_VERSIONS', ['2.13']),
    identity: env.POD_NAME || undefined,
  };
}
