// The simulator as a separate process for benchmarks, so that its CPU and memory are measured
// apart from the load generator or the engine: start it, wait for its ready line, stop it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ReadyInfo } from '../sim/fleet.js';

export interface SimProcess {
  ready: ReadyInfo;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs `npm run sim` on a scenario file and resolves once all its hubs serve. `onSpawn` gets the
 * process id at once, for measurements that must cover start-up too.
 */
export async function startSimulator(
  scenarioFile: string,
  stateDir: string,
  onSpawn?: (pid: number) => void,
): Promise<SimProcess> {
  // BENCH_SIM_CPU_PROF=<dir> writes a V8 CPU profile of the simulator there when it stops, to find
  // where a benchmark's simulator time goes.
  const profileDir = process.env.BENCH_SIM_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      '--import',
      'tsx',
      'sim/cli.ts',
      '--scenario',
      scenarioFile,
      '--state-dir',
      stateDir,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  onSpawn?.(child.pid!);
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const ready = JSON.parse(line) as ReadyInfo | { ready: false; error: string };
  if (!ready.ready) {
    child.kill('SIGTERM');
    throw new Error(ready.error);
  }
  return {
    ready,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Server, bearer token and CA of a kubeconfig the simulator wrote. */
export function hubAccess(kubeconfigPath: string): { token: string; ca: string } {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  return {
    token: kc.users[0].user.token,
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
  };
}

/** CPU seconds and resident memory of a process, from /proc (0 once it has gone). */
export function procStats(pid: number): { cpuSeconds: number; rssMiB: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return {
      cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100,
      rssMiB: Number(rss?.[1] ?? 0) / 1024,
    };
  } catch {
    return { cpuSeconds: 0, rssMiB: 0 };
  }
}
