// The BFF process: connects to the global hub and, while it holds the leader Lease, runs the
// migration engine. (The API and the plugin assets join this process in the API issue.)
import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { loadConfig, registrySettings } from './config.js';
import { MigrationEngine } from './engine/controller.js';
import { LeaderElector } from './engine/leader.js';
import { PooledKubeConfig } from './hubs/kubeconfig.js';
import { connectGlobalHub } from './hubs/registry.js';
import { createLogger } from './log.js';

function main(): void {
  const log = createLogger({ component: 'hub-migration-bff' });
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    log.error('invalid configuration', { error: e });
    process.exit(2);
  }
  const kc = new PooledKubeConfig();
  if (config.globalHubKubeconfig)
    kc.loadFromString(readFileSync(config.globalHubKubeconfig, 'utf8'));
  else kc.loadFromCluster();
  const registry = connectGlobalHub(kc, registrySettings(config), log, {
    qps: config.hubQps,
    burst: config.hubBurst,
    maxInFlight: config.hubMaxInFlight,
  });
  const global = registry.global;
  const engine = new MigrationEngine(registry, log, {
    namespace: config.migrationNamespace,
    concurrency: config.engineConcurrency,
    eusVersions: config.eusAcmVersions,
  });
  let leader: LeaderElector | undefined;
  if (config.engineEnabled) {
    leader = new LeaderElector(
      global,
      { namespace: config.namespace, identity: config.identity, leaseSeconds: config.leaseSeconds },
      log,
      (leading) => {
        if (leading) engine.start();
        else void engine.stop();
      },
    );
    leader.start();
  } else {
    log.info('engine disabled: observe mode');
  }
  log.info('started', {
    globalHub: global.server,
    migrationNamespace: config.migrationNamespace,
    engine: config.engineEnabled,
    identity: leader?.identity,
  });
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    void Promise.all([engine.stop(), leader?.stop()]).finally(() => {
      registry.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main();
