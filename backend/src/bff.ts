// The BFF put together: hub registry, engine under leader election, watched state, API, event
// stream and metrics behind one HTTP(S) server. main.ts runs it as a process; tests start it
// in-process against the simulator.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { registrySettings } from './config.js';
import { createApp } from './api/app.js';
import { Authorizer } from './api/auth.js';
import { HubInventory } from './api/inventory.js';
import { Metrics } from './api/metrics.js';
import { MigrationState } from './api/state.js';
import { StreamBroker } from './api/stream.js';
import { MigrationEngine } from './engine/controller.js';
import { LeaderElector } from './engine/leader.js';
import { DEFAULT_VERSION_POLICY } from './engine/validation.js';
import type { PooledKubeConfig } from './hubs/kubeconfig.js';
import { connectGlobalHub } from './hubs/registry.js';
import type { Logger } from './log.js';

export interface Bff {
  /** e.g. https://127.0.0.1:9443 */
  url: string;
  /** The event-stream broker, for instrumentation (the stream benchmark). */
  stream: StreamBroker;
  /** Ends streams, stops the engine (the next leader resumes) and closes the server. */
  close(): Promise<void>;
}

export async function startBff(
  config: Config,
  kubeConfig: PooledKubeConfig,
  log: Logger,
): Promise<Bff> {
  const limits = { qps: config.hubQps, burst: config.hubBurst, maxInFlight: config.hubMaxInFlight };
  const registry = connectGlobalHub(kubeConfig, registrySettings(config), log, limits);
  const global = registry.global;
  const versionPolicy = { ...DEFAULT_VERSION_POLICY, eusVersions: config.eusAcmVersions };

  const engine = new MigrationEngine(registry, log.child({ component: 'engine' }), {
    namespace: config.migrationNamespace,
    concurrency: config.engineConcurrency,
    eusVersions: config.eusAcmVersions,
  });
  let leading = false;
  let leader: LeaderElector | undefined;
  if (config.engineEnabled) {
    leader = new LeaderElector(
      global,
      { namespace: config.namespace, identity: config.identity, leaseSeconds: config.leaseSeconds },
      log,
      (isLeader) => {
        leading = isLeader;
        if (isLeader) engine.start();
        else void engine.stop();
      },
    );
    leader.start();
  } else {
    log.info('engine disabled: observe mode (another controller drives the migrations)');
  }

  const state = new MigrationState(
    global,
    config.watchNamespaces,
    log.child({ component: 'state' }),
  );
  state.start();
  const inventory = new HubInventory(registry, log.child({ component: 'inventory' }), () =>
    state.migrations(),
  );
  const auth = new Authorizer(kubeConfig, global.name, limits);
  const stream = new StreamBroker(state, auth, log.child({ component: 'stream' }), {
    maxBufferedBytes: config.streamMaxBufferedBytes,
    stallMs: config.streamStallSeconds * 1000,
  });
  const metrics = new Metrics();
  let registryAnswered = false;
  const checkRegistry = () =>
    registry.refresh().then(
      () => (registryAnswered = true),
      (e: unknown) => log.warn('hub registry refresh failed', { error: e }),
    );
  void checkRegistry();
  const registryTimer = setInterval(() => {
    if (!registryAnswered) void checkRegistry();
  }, 5000);
  registryTimer.unref();

  const tls =
    config.tlsCertFile && config.tlsKeyFile
      ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
      : undefined;
  const app = createApp({
    log,
    registry,
    auth,
    state,
    inventory,
    stream,
    metrics,
    migrationNamespace: config.migrationNamespace,
    engineEnabled: config.engineEnabled,
    versionPolicy,
    pluginAssetsDir: config.pluginAssetsDir,
    leader: () => leading,
    readiness: () => ({ hubRegistry: registryAnswered }),
    https: Boolean(tls),
  });
  const server = tls ? https.createServer(tls, app) : http.createServer(app);
  // Streams are long-lived; ordinary requests are not.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  log.info('started', {
    url,
    https: Boolean(tls),
    globalHub: global.server,
    migrationNamespace: config.migrationNamespace,
    namespaces: config.watchNamespaces,
    engine: config.engineEnabled,
    identity: leader?.identity,
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    stream,
    close: () =>
      (closing ??= (async () => {
        clearInterval(registryTimer);
        stream.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5000).unref();
        });
        await Promise.all([engine.stop(), leader?.stop()]);
        state.stop();
        inventory.stop();
        registry.close();
      })()),
  };
}
