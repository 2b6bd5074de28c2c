// The BFF process: serves the plugin, the API and the event stream, and drives migrations while
// it holds the leader Lease. Configuration comes from the environment (config.ts).
import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { loadConfig } from './config.js';
import { startBff } from './bff.js';
import { PooledKubeConfig } from './hubs/kubeconfig.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
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
  const bff = await startBff(config, kc, log);
  // One line on stdout that scripts (npm start, tests) can wait for.
  process.stdout.write(`${JSON.stringify({ ready: true, url: bff.url })}\n`);
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    void bff.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  createLogger({ component: 'hub-migration-bff' }).error('failed to start', { error: e });
  process.exit(1);
});
