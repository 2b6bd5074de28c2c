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
  /** Port of the HTTP(S) server: API, event stream, health, metrics and plugin assets. */
  port: number;
  /** Address to listen on. */
  bindAddress: string;
  /** Serving certificate and key (PEM files); HTTPS when both are set, plain HTTP otherwise. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Folder of the built console plugin, served at /plugin/. */
  pluginAssetsDir: string;
  /** Namespaces whose migrations the API shows (the migration namespace first). */
  watchNamespaces: string[];
  /** Bytes an event-stream client may leave unread before it is disconnected (it reconnects). */
  streamMaxBufferedBytes: number;
  /** Seconds an event-stream client may refuse data before it is disconnected. */
  streamStallSeconds: number;
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

function names(env: NodeJS.ProcessEnv, name: string, dflt: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const list = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = list.find((v) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) || v.length > 63);
  if (bad) throw new Error(`${name} must list namespace names, got "${bad}"`);
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const migrationNamespace = env.MIGRATION_NAMESPACE || 'multicluster-global-hub';
  const tlsCertFile = env.TLS_CERT_FILE || undefined;
  const tlsKeyFile = env.TLS_KEY_FILE || undefined;
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile))
    throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  const port = int(env, 'PORT', 9443, 0);
  if (port > 65535) throw new Error(`PORT must be at most 65535, got "${port}"`);
  return {
    globalHubKubeconfig: env.GLOBAL_HUB_KUBECONFIG || undefined,
    migrationNamespace,
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
    port,
    bindAddress: env.BIND_ADDRESS || '0.0.0.0',
    tlsCertFile,
    tlsKeyFile,
    pluginAssetsDir: env.PLUGIN_ASSETS_DIR || 'dist/plugin',
    streamMaxBufferedBytes: int(env, 'STREAM_MAX_BUFFERED_BYTES', 16 * 1024 * 1024, 65536),
    streamStallSeconds: int(env, 'STREAM_STALL_SECONDS', 30, 1),
    watchNamespaces: [...new Set([migrationNamespace, ...names(env, 'WATCH_NAMESPACES', [])])],
  };
}
