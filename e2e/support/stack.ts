// The whole product as the browser journeys (and the UI benchmark) use it: the fleet simulator on
// a scenario, the BFF against its global hub, and the console plugin in its standalone harness
// (a production build behind the Bridge-like proxy). Each runs as its own process group with its
// output in a log file, so a journey can kill and restart the BFF and a failure can be read after.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The checkout whose simulator, BFF and harness run (E2E_ROOT: another worktree's). */
export const root = process.env.E2E_ROOT ?? path.resolve(import.meta.dirname, '../..');

export interface StackOptions {
  scenario: string;
  /** Where the simulator keeps its kubeconfigs, and where logs and stack.json go. */
  stateDir: string;
  bffPort: number;
  harnessPort: number;
  /** Extra environment for the BFF (e.g. ENGINE_ENABLED=false for observe mode). */
  bffEnv?: Record<string, string>;
}

export interface Stack {
  options: StackOptions;
  harnessUrl: string;
  bffUrl: string;
  /** The simulator's control endpoint: ground truth and fault injection. */
  controlUrl: string;
  /** Kubeconfig file per hub name. */
  kubeconfigs: Record<string, string>;
  globalHub: string;
  pids: { sim: number; bff: number; harness: number };
}

interface SimReady {
  ready: boolean;
  control: string;
  hubs: Record<string, { kubeconfig: string; globalHub?: boolean }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a detached process group whose stdout and stderr go to `<stateDir>/<name>.log`. */
function launch(
  name: string,
  stateDir: string,
  args: string[],
  env: Record<string, string>,
): { pid: number; log: string } {
  const log = path.join(stateDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { pid: child.pid, log };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits for a JSON line with `ready: true` in a log file written from `offset` on. */
async function readyLine<T>(name: string, pid: number, log: string, offset: number, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const text = readFileSync(log, 'utf8').slice(offset);
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const v = JSON.parse(line) as { ready?: unknown };
        if (v.ready === true) return v as T;
        if (v.ready === false) throw new Error(`${name} failed to start: ${line}`);
      } catch (e) {
        if (e instanceof SyntaxError) continue;
        throw e;
      }
    }
    if (!alive(pid)) throw new Error(`${name} exited while starting; see ${log}`);
    await sleep(200);
  }
  throw new Error(`${name} was not ready within ${ms / 1000} s; see ${log}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

const sizeOf = (file: string) => (existsSync(file) ? readFileSync(file).length : 0);

/** Starts (or, after a kill, restarts) the BFF for a stack; resolves with its pid once ready. */
export async function startBff(stack: Omit<Stack, 'pids'> & { pids?: Stack['pids'] }) {
  const { stateDir, bffPort, bffEnv } = stack.options;
  const log = path.join(stateDir, 'bff.log');
  const offset = sizeOf(log);
  const bff = launch('bff', stateDir, ['--import', 'tsx', 'backend/src/main.ts'], {
    GLOBAL_HUB_KUBECONFIG: stack.kubeconfigs[stack.globalHub],
    POD_NAMESPACE: 'hub-migration',
    PORT: String(bffPort),
    BIND_ADDRESS: '127.0.0.1',
    PLUGIN_ASSETS_DIR: path.join(root, 'dist', 'plugin'),
    LOG_LEVEL: 'info',
    ...bffEnv,
  });
  await readyLine('the BFF', bff.pid, log, offset, 60_000);
  return bff.pid;
}

export function writeStack(stack: Stack): void {
  writeFileSync(path.join(stack.options.stateDir, 'stack.json'), JSON.stringify(stack, null, 2));
}

export function readStack(stateDir: string): Stack {
  return JSON.parse(readFileSync(path.join(stateDir, 'stack.json'), 'utf8')) as Stack;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { stateDir } = options;
  mkdirSync(stateDir, { recursive: true });
  const pids: Partial<Stack['pids']> = {};
  try {
    const simLog = path.join(stateDir, 'sim.log');
    const sim = launch(
      'sim',
      stateDir,
      ['--import', 'tsx', 'sim/cli.ts', '--scenario', options.scenario, '--state-dir', stateDir],
      {},
    );
    pids.sim = sim.pid;
    // The harness builds while the simulator starts: both take a while and neither needs the other.
    const harness = launch(
      'harness',
      stateDir,
      [
        path.join(root, 'node_modules/webpack-cli/bin/cli.js'),
        'serve',
        '--config',
        'webpack.harness.ts',
      ],
      {
        NODE_ENV: 'production',
        CI: '1', // no live reload socket
        HARNESS_BFF_URL: `http://127.0.0.1:${options.bffPort}`,
        HARNESS_PORT: String(options.harnessPort),
        HARNESS_HOST: '127.0.0.1',
      },
    );
    pids.harness = harness.pid;
    const ready = await readyLine<SimReady>('the simulator', sim.pid, simLog, 0, 120_000);
    const kubeconfigs = Object.fromEntries(
      Object.entries(ready.hubs).map(([name, h]) => [name, h.kubeconfig]),
    );
    const globalHub = Object.entries(ready.hubs).find(([, h]) => h.globalHub)?.[0];
    if (!globalHub) throw new Error(`scenario ${options.scenario} has no global hub`);
    const partial = {
      options,
      harnessUrl: `http://127.0.0.1:${options.harnessPort}`,
      bffUrl: `http://127.0.0.1:${options.bffPort}`,
      controlUrl: ready.control,
      kubeconfigs,
      globalHub,
    };
    pids.bff = await startBff(partial);
    const until = Date.now() + 240_000;
    while (!(await answers(`${partial.harnessUrl}/`))) {
      if (!alive(harness.pid))
        throw new Error(`the harness exited while building; see ${harness.log}`);
      if (Date.now() > until)
        throw new Error(`the harness did not serve within 240 s; see ${harness.log}`);
      await sleep(500);
    }
    const stack: Stack = { ...partial, pids: pids as Stack['pids'] };
    writeStack(stack);
    return stack;
  } catch (e) {
    for (const pid of Object.values(pids)) killGroup(pid);
    throw e;
  }
}

/** Stops a process group: the signal (SIGTERM by default), then SIGKILL if it lingers 10 s. */
export async function stopGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  killGroup(pid, signal);
  const until = Date.now() + 10_000;
  while (alive(pid) && Date.now() < until) await sleep(100);
  if (alive(pid)) killGroup(pid, 'SIGKILL');
}

export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export async function stopStack(stack: Stack): Promise<void> {
  await Promise.all([
    stopGroup(stack.pids.harness),
    stopGroup(stack.pids.bff),
    stopGroup(stack.pids.sim),
  ]);
}
