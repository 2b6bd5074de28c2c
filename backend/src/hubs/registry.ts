// The hubs the BFF can act on: ManagedClusters on the global hub that run ACM, each reached with
// a client built from its kubeconfig Secret in the BFF's namespace (the global hub's own cluster,
// `local-cluster`, with the BFF's own credentials). A hub that cannot be used says why.
import type { Logger } from '../log.js';
import type { HubClientOptions, KubeObject } from './hub-client.js';
import { HubClient, HubError } from './hub-client.js';
import { PooledKubeConfig } from './kubeconfig.js';
import { R } from './resources.js';

export const HUB_ANNOTATION = 'addon.open-cluster-management.io/on-multicluster-hub';
export const DEPLOY_MODE_LABEL = 'global-hub.open-cluster-management.io/deploy-mode';

export interface RegistryConfig {
  /** Namespace of the hub kubeconfig Secrets (the BFF's own). */
  secretNamespace: string;
  /** Label on each Secret whose value names its hub. */
  secretLabel: string;
  /** The name the global hub has as a managed cluster of itself. */
  localClusterName: string;
}

export interface HubInfo {
  name: string;
  /** Whether the ManagedCluster on the global hub is Available. */
  available: boolean;
  connected: boolean;
  /** Why the hub cannot be used, in words an administrator understands. */
  reason?: string;
  acmVersion?: string;
  mceVersion?: string;
  /** Components enabled in its MultiClusterHub and MultiClusterEngine. */
  components: string[];
  checkedAt: string;
}

export class HubUnavailableError extends Error {
  constructor(
    readonly hub: string,
    readonly why: string,
  ) {
    super(`hub ${hub} cannot be used: ${why}`);
  }
}

function condition(obj: KubeObject | undefined, type: string): string | undefined {
  const status = obj?.status as { conditions?: { type: string; status: string }[] } | undefined;
  return status?.conditions?.find((c) => c.type === type)?.status;
}

function enabledComponents(obj: KubeObject | undefined): string[] {
  const spec = obj?.spec as
    { overrides?: { components?: { name: string; enabled: boolean }[] } } | undefined;
  return (spec?.overrides?.components ?? []).filter((c) => c.enabled).map((c) => c.name);
}

export class HubRegistry {
  private readonly clients = new Map<string, { client: HubClient; secretVersion: string }>();
  private readonly infos = new Map<string, HubInfo>();

  constructor(
    /** The global hub, reached with the BFF's own credentials. */
    readonly global: HubClient,
    private readonly config: RegistryConfig,
    private readonly log: Logger,
    private readonly clientOptions: HubClientOptions = {},
  ) {}

  static isHub(mc: KubeObject): boolean {
    return (
      mc.metadata.annotations?.[HUB_ANNOTATION] === 'true' ||
      DEPLOY_MODE_LABEL in (mc.metadata.labels ?? {})
    );
  }

  /** Reads the hubs from the global hub and checks each one's connection, version and components. */
  async refresh(): Promise<HubInfo[]> {
    const [mcs, secrets] = await Promise.all([
      this.global.list(R.managedCluster),
      this.global.list(R.secret, this.config.secretNamespace, {
        labelSelector: this.config.secretLabel,
      }),
    ]);
    const secretFor = new Map(
      secrets.map((s) => [s.metadata.labels?.[this.config.secretLabel] ?? '', s]),
    );
    const hubs = mcs.filter((mc) => HubRegistry.isHub(mc));
    const out = await Promise.all(
      hubs.map((mc) => this.check(mc, secretFor.get(mc.metadata.name))),
    );
    this.infos.clear();
    for (const info of out) this.infos.set(info.name, info);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async check(mc: KubeObject, secret: KubeObject | undefined): Promise<HubInfo> {
    const name = mc.metadata.name;
    const info: HubInfo = {
      name,
      available: condition(mc, 'ManagedClusterConditionAvailable') === 'True',
      connected: false,
      components: [],
      checkedAt: new Date().toISOString(),
    };
    let client: HubClient;
    try {
      client = this.clientFor(name, secret);
    } catch (e) {
      info.reason = e instanceof HubUnavailableError ? e.why : String(e);
      return info;
    }
    try {
      const [mch] = await client.list(R.multiClusterHub);
      const mce = (await client.list(R.multiClusterEngine))[0];
      info.connected = true;
      info.acmVersion = (mch?.status as { currentVersion?: string } | undefined)?.currentVersion;
      info.mceVersion = (mce?.status as { currentVersion?: string } | undefined)?.currentVersion;
      info.components = [...new Set([...enabledComponents(mch), ...enabledComponents(mce)])].sort();
      if (!mch) info.reason = 'no MultiClusterHub found: ACM is not installed on this hub';
    } catch (e) {
      info.reason =
        e instanceof HubError
          ? e.status === 401 || e.status === 403
            ? `its kubeconfig Secret is not accepted (${e.status} ${e.reason})`
            : e.message
          : String(e);
    }
    if (!info.available && !info.reason)
      info.reason = 'its ManagedCluster is not Available on the global hub';
    return info;
  }

  private clientFor(name: string, secret: KubeObject | undefined): HubClient {
    if (name === this.config.localClusterName) return this.global;
    if (!secret)
      throw new HubUnavailableError(
        name,
        `no kubeconfig Secret labelled ${this.config.secretLabel}=${name} in namespace ${this.config.secretNamespace}`,
      );
    const version = secret.metadata.resourceVersion ?? '';
    const cached = this.clients.get(name);
    if (cached && cached.secretVersion === version) return cached.client;
    const data = (secret.data ?? {}) as Record<string, string>;
    const raw = data.kubeconfig ?? data['kubeconfig.yaml'];
    if (!raw)
      throw new HubUnavailableError(name, `Secret ${secret.metadata.name} has no "kubeconfig" key`);
    let kc: PooledKubeConfig;
    try {
      kc = PooledKubeConfig.fromString(Buffer.from(raw, 'base64').toString('utf8'));
    } catch (e) {
      throw new HubUnavailableError(
        name,
        `Secret ${secret.metadata.name} does not hold a valid kubeconfig (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    cached?.client.kubeConfig.close();
    const client = new HubClient(name, kc, { ...this.clientOptions, logger: this.log });
    this.clients.set(name, { client, secretVersion: version });
    this.log.info('hub client ready', { hub: name, server: client.server });
    return client;
  }

  /** What was learnt of a hub at the last refresh. */
  info(name: string): HubInfo | undefined {
    return this.infos.get(name);
  }

  /** A client for a hub, refreshing the registry once when the hub is not known yet. */
  async client(name: string): Promise<HubClient> {
    if (name === this.config.localClusterName) return this.global;
    if (!this.clients.has(name)) await this.refresh();
    const c = this.clients.get(name);
    if (!c)
      throw new HubUnavailableError(
        name,
        this.infos.get(name)?.reason ?? 'it is not a managed hub of the global hub',
      );
    return c.client;
  }

  /** Every hub client in use, the global hub's first. */
  allClients(): HubClient[] {
    return [this.global, ...[...this.clients.values()].map((c) => c.client)];
  }

  /** Closes every hub client's connections, the global hub's included. */
  close(): void {
    for (const { client } of this.clients.values()) client.kubeConfig.close();
    this.global.kubeConfig.close();
  }
}

/** The global hub's client (named after the local cluster) and the registry of its hubs. */
export function connectGlobalHub(
  kubeConfig: PooledKubeConfig,
  settings: RegistryConfig,
  log: Logger,
  clientOptions: HubClientOptions = {},
): HubRegistry {
  const global = new HubClient(settings.localClusterName, kubeConfig, {
    ...clientOptions,
    logger: log,
  });
  return new HubRegistry(global, settings, log, clientOptions);
}
