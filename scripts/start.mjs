#!/usr/bin/env node
// `npm start`: the demo. Starts the fleet simulator on the demo scenario, the BFF against its
// global hub (engine, API, event stream), and the console plugin's standalone harness, and says
// where everything is; the last line is the URL to open.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startHarness } from '../frontend/tools/start-harness.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stateDir = path.join(root, '.sim');
const sim = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'sim/cli.ts',
    '--scenario',
    'sim/scenarios/demo.yaml',
    '--state-dir',
    stateDir,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

console.log(
  'Starting the fleet simulator (demo scenario: a global hub, hub1 with 40 clusters, hub2 with 10)…',
);
let buffer = '';
sim.stdout.on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    let ready;
    try {
      ready = JSON.parse(line);
    } catch {
      console.log(line);
      continue;
    }
    if (!ready.ready) continue;
    console.log(`\nReady in ${(ready.startMs / 1000).toFixed(1)} s.\n`);
    for (const [name, hub] of Object.entries(ready.hubs)) {
      console.log(
        `  ${name.padEnd(14)} ${hub.url}   ${hub.globalHub ? 'global hub' : `${hub.clusters} managed clusters`}`,
      );
    }
    const first =
      Object.values(ready.hubs).find((h) => !h.globalHub) ?? Object.values(ready.hubs)[0];
    console.log(
      `\nTry:\n  kubectl --kubeconfig ${path.relative(process.cwd(), first.kubeconfig)} get managedclusters`,
    );
    console.log(`  npm run sim:truth      # which hub each cluster is really registered to`);
    const globalHub = Object.values(ready.hubs).find((h) => h.globalHub);
    startBff(globalHub.kubeconfig);
  }
});

// The BFF, as it runs in a cluster but with the simulator's global hub kubeconfig and plain
// HTTP on loopback (the harness's proxy stands where the console's would).
const bffPort = Number(process.env.BFF_PORT ?? 9443);
let bff;
function startBff(kubeconfig) {
  console.log('\nStarting the BFF…');
  bff = spawn(process.execPath, ['--import', 'tsx', 'backend/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      GLOBAL_HUB_KUBECONFIG: kubeconfig,
      POD_NAMESPACE: 'hub-migration',
      PORT: String(bffPort),
      BIND_ADDRESS: '127.0.0.1',
      PLUGIN_ASSETS_DIR: path.join(root, 'dist', 'plugin'),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  bff.stdout.on('data', (chunk) => {
    out += chunk;
    if (!out.includes('\n')) return;
    const line = out.slice(0, out.indexOf('\n'));
    out = '\n';
    try {
      const info = JSON.parse(line);
      if (info.ready) {
        console.log(`  BFF            ${info.url}   (API under /api/v1, metrics at /metrics)`);
        startConsole();
      }
    } catch {
      // not the ready line
    }
  });
  bff.on('exit', (code) => {
    console.error(`The BFF stopped (exit ${code}).`);
    stop();
  });
}

// The console plugin in its standalone harness, talking to the BFF through a Bridge-like proxy.
// BFF_URL: where the BFF listens (default http://127.0.0.1:$BFF_PORT, port 9443).
const bffUrl = process.env.BFF_URL ?? `http://127.0.0.1:${bffPort}`;
let harness;
function startConsole() {
  console.log('\nBuilding the console plugin harness…');
  harness = startHarness({ bffUrl, port: Number(process.env.HARNESS_PORT ?? 9000) });
  harness.ready.then(
    (url) => {
      console.log(`\nConsole plugin (standalone harness, user demo-admin): ${url}`);
      console.log('Press Ctrl+C to stop.');
    },
    (err) => console.error(`The console plugin harness did not start: ${err.message}`),
  );
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  harness?.child.kill('SIGTERM');
  bff?.kill('SIGTERM');
  sim.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
sim.on('exit', (code) => process.exit(code ?? 0));
