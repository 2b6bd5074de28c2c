// Crash safety (migration-engine.md §6): the BFF runs as a child process that is killed with
// SIGKILL at random instants (seeded) and restarted at once, over and over, until the migrations
// under test end. Each must end exactly as it would without crashes: same phase and conditions,
// the right ConfigMap lists, every cluster Available on exactly one hub (the simulator's ground
// truth), nothing destroyed, nothing orphaned on either hub, nothing duplicated. Then two replicas
// run at once: only one leads, and when the leader is killed mid-migration the other takes over.
import assert from 'node:assert/strict';
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { KubeObject as SimObject } from '../../../sim/apiserver/types.js';
import { conditionStatus } from '../../../sim/ocm/registration.js';
import { eventually, startTestFleet } from '../../../sim/test-support.js';
import type { TestFleet } from '../../../sim/test-support.js';
import type { Migration, Phase } from './types.js';
import { ANNOTATION, isTerminal, LABEL, names, PHASE_CONDITION } from './types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NS = 'multicluster-global-hub';
const SEED = Number(process.env.CRASH_SEED ?? 20251121);

// ---- a seeded pseudo-random source (mulberry32), so a failing run can be replayed -----------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- the BFF as a child process ----------------------------------------------------------------

interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

const replicas = new Set<Replica>();
let kubeconfigFile = '';

class Replica {
  readonly lines: LogLine[] = [];
  killedAt?: number;
  exitedAt?: number;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  readonly exited: Promise<void>;
  private readonly child: ChildProcessByStdio<null, null, Readable>;
  private partial = '';
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly identity: string,
    readonly life: number,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'backend/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        GLOBAL_HUB_KUBECONFIG: kubeconfigFile,
        POD_NAMESPACE: 'hub-migration',
        MIGRATION_NAMESPACE: NS,
        LEADER_LEASE_SECONDS: '2',
        POD_NAME: identity,
        LOG_LEVEL: 'info',
        // Fewer clusters at once stretches each phase over more kill instants.
        ENGINE_CONCURRENCY: '2',
        // Replicas run side by side: each serves its API on a free loopback port.
        PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    replicas.add(this);
    this.child.stderr.on('data', (d: Buffer) => this.read(d.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitedAt = Date.now();
        this.exit = { code, signal };
        replicas.delete(this);
        this.notify();
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return this.exitedAt === undefined;
  }

  private read(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        const line = JSON.parse(p) as LogLine;
        if (typeof line.msg === 'string') this.lines.push(line);
      } catch {
        this.lines.push({ time: new Date().toISOString(), level: 'raw', msg: p });
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  find(pred: (l: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(pred);
  }

  /** The first line matching, once it is logged; undefined if the process exits or time runs out. */
  waitFor(pred: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const hit = this.find(pred);
        if (hit || !this.alive) {
          done(hit);
          return;
        }
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (v: LogLine | undefined) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(v);
      };
      this.listeners.add(check);
      check();
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) {
      this.killedAt ??= Date.now();
      this.child.kill(signal);
    }
    await this.exited;
  }

  /** The last lines, for a failure message. */
  tail(n = 15): string {
    return this.lines
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }
}

const isLeaderLine = (l: LogLine) => l.msg.startsWith('became the leader');

// ---- the fleet ---------------------------------------------------------------------------------

let tf: TestFleet;
const phaseNow = new Map<string, Phase>();
const timeline: { at: number; migration: string; phase: Phase }[] = [];
let stopPhaseWatch: (() => void) | undefined;
/** Each cluster's moved objects on hub1, and each hub's ManagedClusters, before any migration. */
const inventoryBefore = new Map<string, string[]>();
const managedBefore = new Map<string, string[]>();

const hubState = (hub: string) => tf.fleet.hub(hub).state;
const rtOf = (hub: string, group: string, version: string, plural: string) =>
  hubState(hub).rt(group, version, plural);
const simGet = (
  hub: string,
  api: [string, string, string],
  name: string,
  ns?: string,
): SimObject | undefined => hubState(hub).get(rtOf(hub, ...api), ns, name);
const simList = (hub: string, api: [string, string, string], ns?: string): SimObject[] =>
  hubState(hub).list(rtOf(hub, ...api), ns).items;

const API = {
  mc: ['cluster.open-cluster-management.io', 'v1', 'managedclusters'],
  ns: ['', 'v1', 'namespaces'],
  secret: ['', 'v1', 'secrets'],
  configMap: ['', 'v1', 'configmaps'],
  sa: ['', 'v1', 'serviceaccounts'],
  clusterRole: ['rbac.authorization.k8s.io', 'v1', 'clusterroles'],
  crb: ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'],
  klusterletConfig: ['config.open-cluster-management.io', 'v1alpha1', 'klusterletconfigs'],
  lease: ['coordination.k8s.io', 'v1', 'leases'],
  clusterManager: ['operator.open-cluster-management.io', 'v1', 'clustermanagers'],
  cd: ['hive.openshift.io', 'v1', 'clusterdeployments'],
  bmh: ['metal3.io', 'v1alpha1', 'baremetalhosts'],
  ici: ['extensions.hive.openshift.io', 'v1alpha1', 'imageclusterinstalls'],
  kac: ['agent.open-cluster-management.io', 'v1', 'klusterletaddonconfigs'],
  hfs: ['metal3.io', 'v1alpha1', 'hostfirmwaresettings'],
  fs: ['metal3.io', 'v1alpha1', 'firmwareschemas'],
  hfc: ['metal3.io', 'v1alpha1', 'hostfirmwarecomponents'],
  migration: ['global-hub.open-cluster-management.io', 'v1alpha1', 'managedclustermigrations'],
} satisfies Record<string, [string, string, string]>;
type ApiName = keyof typeof API;

/** The kinds the migration moves with their identity, compared before and after. */
const MOVED_KINDS: ApiName[] = ['kac', 'bmh', 'hfs', 'fs', 'hfc', 'ici', 'cd'];

before(async () => {
  tf = await startTestFleet({
    name: 'crash',
    hubs: [
      { name: 'local-cluster', globalHub: true, acmVersion: '2.15' },
      { name: 'hub1', acmVersion: '2.14' },
      { name: 'hub2', acmVersion: '2.15' },
    ],
    clusters: [
      { count: 8, namePattern: 'plain-{n}', hub: 'hub1' },
      { count: 4, namePattern: 'ztp-{n}', hub: 'hub1', ztp: true },
      {
        count: 2,
        namePattern: 'cut-{n}',
        hub: 'hub1',
        ztp: true,
        faults: { unreachableHubs: ['hub2'] },
      },
    ],
    timings: { leaseDurationSeconds: 1, hubConnectionTimeoutScale: 0.01 },
  });
  // Real hubs answer in milliseconds, not microseconds: with some latency each phase spans more
  // kill instants (Deploying especially, which is otherwise over in a blink).
  for (const hub of ['hub1', 'hub2'])
    tf.fleet.hub(hub).server.setFaults({ latencyMs: { min: 5, max: 40 } });
  for (const c of tf.fleet.clusterNames()) inventoryBefore.set(c, movedInventory('hub1', c));
  for (const hub of ['hub1', 'hub2']) managedBefore.set(hub, managedClusters(hub));
  kubeconfigFile = path.join(tf.dir, 'global-hub.kubeconfig');
  writeFileSync(kubeconfigFile, tf.fleet.globalHub.kubeconfig(), { mode: 0o600 });
  // Phases as the hub sees them, at the instant they are written (the watch is synchronous).
  stopPhaseWatch = hubState('local-cluster').watch(
    rtOf('local-cluster', ...API.migration),
    { namespace: NS },
    (e) => {
      const phase = (e.object.status as { phase?: Phase } | undefined)?.phase;
      const name = e.object.metadata.name!;
      if (phase && phaseNow.get(name) !== phase) {
        phaseNow.set(name, phase);
        timeline.push({ at: Date.now(), migration: name, phase });
      }
    },
  );
});

after(async () => {
  stopPhaseWatch?.();
  await Promise.all([...replicas].map((r) => r.kill('SIGKILL')));
  await tf?.stop();
});

// ---- reading and writing migrations (straight in the hub's state: the test is the hub) ---------

function migration(name: string): Migration | undefined {
  return simGet('local-cluster', API.migration, name, NS) as Migration | undefined;
}

function createMigration(name: string, spec: Migration['spec']): void {
  tf.fleet.globalHub.apply({
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name, namespace: NS },
    spec,
  });
}

function configMapData(name: string): Record<string, string> {
  return (simGet('local-cluster', API.configMap, name, NS)?.data ?? {}) as Record<string, string>;
}

// ---- the crash loop ----------------------------------------------------------------------------

interface Kill {
  n: number;
  life: number;
  /** Killed shortly after the previous kill's restart (a crash while starting up). */
  quick: boolean;
  /** Whether this life had become the leader before it died. */
  led: boolean;
  /** The migration being driven and its persisted phase after the process was dead. */
  migration: string;
  phase: Phase | 'none';
}

const MUST_HIT: Phase[] = ['Initializing', 'Deploying', 'Registering', 'Rollbacking', 'Cleaning'];
const kills: Kill[] = [];
const lives: Replica[] = [];

/** The first of `names` that has not ended, else the last. */
function underTest(names: string[]): { migration: string; phase: Phase | 'none' } {
  for (const n of names) {
    const p = migration(n)?.status?.phase;
    if (!isTerminal(p)) return { migration: n, phase: p ?? 'none' };
  }
  const last = names[names.length - 1];
  return { migration: last, phase: migration(last)?.status?.phase ?? 'none' };
}

const allEnded = (names: string[]) => names.every((n) => isTerminal(migration(n)?.status?.phase));

async function killAndRecord(r: Replica, quick: boolean, names: string[]): Promise<void> {
  await r.kill('SIGKILL');
  assert.equal(r.exit?.signal, 'SIGKILL', `life ${r.life} died of its own:\n${r.tail()}`);
  kills.push({
    n: kills.length + 1,
    life: r.life,
    quick,
    led: !!r.find(isLeaderLine),
    ...underTest(names),
  });
}

/**
 * Starts the BFF and kills it with SIGKILL at a random instant after it became the leader, then
 * restarts it at once, until every migration in `names` has ended. A quarter of the restarts are
 * killed again quickly (0.1–2.5 s after spawning, often before it leads). The first time the
 * driven migration is seen in a phase of MUST_HIT with no kill yet, the kill comes 0.02–0.2 s into
 * it, so that every phase is hit even when it is short (a partial migration's Cleaning takes about
 * half a second since it stopped re-listing what it had just made safe).
 */
async function crashUntilEnded(names: string[], identity: string): Promise<Replica | undefined> {
  const hit = new Set<string>(kills.map((k) => `${k.migration}:${k.phase}`));
  for (;;) {
    if (allEnded(names)) return undefined;
    const r = new Replica(identity, lives.length + 1);
    lives.push(r);
    const led = await r.waitFor(isLeaderLine, 60_000);
    assert.ok(led, `life ${r.life} never became the leader:\n${r.tail()}`);
    let killAt = Date.now() + between(200, 2500);
    let targeted: string | undefined;
    while (Date.now() < killAt && !allEnded(names)) {
      const { migration: m, phase } = underTest(names);
      const key = `${m}:${phase}`;
      if (phase !== 'none' && MUST_HIT.includes(phase) && !hit.has(key) && targeted !== key) {
        targeted = key;
        // A phase not hit yet: kill shortly into it (from when it began, or from when we led).
        const entered = Math.max(
          led ? Date.parse(led.time) : 0,
          [...timeline].reverse().find((t) => t.migration === m && t.phase === phase)?.at ?? 0,
        );
        killAt = Math.min(killAt, entered + between(20, 200));
      }
      await sleep(20);
    }
    if (allEnded(names)) return r;
    await killAndRecord(r, false, names);
    hit.add(`${kills[kills.length - 1].migration}:${kills[kills.length - 1].phase}`);
    if (random() < 0.25 && !allEnded(names)) {
      const q = new Replica(identity, lives.length + 1);
      lives.push(q);
      await sleep(between(100, 2500));
      await killAndRecord(q, true, names);
    }
  }
}

// ---- end-state checks --------------------------------------------------------------------------

function annotations(o: SimObject | undefined): Record<string, string> {
  return o?.metadata.annotations ?? {};
}

/** Moved kinds' names per cluster namespace on a hub. */
function movedInventory(hub: string, cluster: string): string[] {
  return MOVED_KINDS.flatMap((k) =>
    simList(hub, API[k], cluster).map((o) => `${o.kind}/${o.metadata.name}`),
  ).sort();
}

function assertGroundTruth(clusters: string[], expectedHub: string): void {
  assert.deepEqual(tf.fleet.truth.destructions, [], 'no cluster destroyed and no host wiped');
  const other = expectedHub === 'hub1' ? 'hub2' : 'hub1';
  for (const c of clusters) {
    const truth = tf.fleet.truth.cluster(c);
    assert.equal(truth.registeredTo, expectedHub, `${c} is registered to ${expectedHub}`);
    assert.ok(!truth.destroyed && !truth.hostWiped, `${c} intact`);
    assert.equal(
      conditionStatus(simGet(expectedHub, API.mc, c), 'ManagedClusterConditionAvailable'),
      'True',
      `${c} Available on ${expectedHub}`,
    );
    assert.equal(simGet(other, API.mc, c), undefined, `${c} not left on ${other}`);
  }
}

/** Migrated: on hub2 with all its moved objects (no more, no fewer), nothing left on hub1. */
function assertMoved(clusters: string[]): void {
  assertGroundTruth(clusters, 'hub2');
  for (const c of clusters) {
    const mc = simGet('hub2', API.mc, c)!;
    assert.equal(annotations(mc)[ANNOTATION.disableAutoImport], undefined, `${c} auto-import`);
    assert.equal(annotations(mc)[ANNOTATION.migrating], undefined, `${c} migrating annotation`);
    assert.deepEqual(movedInventory('hub2', c), inventoryBefore.get(c), `${c}'s objects on hub2`);
    assert.deepEqual(movedInventory('hub1', c), [], `${c}'s objects gone from hub1`);
    for (const cd of simList('hub2', API.cd, c))
      assert.ok(cd.status, `ClusterDeployment ${c} kept its status`);
  }
}

/** Rolled back: on hub1 as before the migration, nothing of it on hub2. */
function assertStayed(clusters: string[]): void {
  assertGroundTruth(clusters, 'hub1');
  for (const c of clusters) {
    const mc = simGet('hub1', API.mc, c)!;
    for (const a of [
      ANNOTATION.klusterletConfig,
      ANNOTATION.migrating,
      ANNOTATION.disableAutoImport,
    ])
      assert.equal(annotations(mc)[a], undefined, `${c}: ${a} removed`);
    assert.equal((mc.spec as { hubAcceptsClient?: boolean }).hubAcceptsClient, true);
    for (const cd of simList('hub1', API.cd, c))
      assert.equal(
        annotations(cd)[ANNOTATION.cdPause],
        undefined,
        `${c}: ClusterDeployment unpaused`,
      );
    for (const bmh of simList('hub1', API.bmh, c))
      assert.equal(
        annotations(bmh)[ANNOTATION.bmhPause],
        undefined,
        `${c}: BareMetalHost unpaused`,
      );
    assert.deepEqual(movedInventory('hub1', c), inventoryBefore.get(c), `${c}'s objects on hub1`);
    assert.equal(simGet('hub2', API.ns, c), undefined, `${c}'s namespace gone from hub2`);
    assert.deepEqual(movedInventory('hub2', c), [], `nothing of ${c} on hub2`);
  }
}

const managedClusters = (hub: string) =>
  simList(hub, API.mc)
    .map((o) => o.metadata.name!)
    .sort();

/** Exactly the `moved` clusters went from hub1 to hub2: no other ManagedCluster appeared or went. */
function assertManagedClusters(moved: string[]): void {
  assert.deepEqual(
    managedClusters('hub1'),
    managedBefore.get('hub1')!.filter((c) => !moved.includes(c)),
    'the ManagedClusters on hub1',
  );
  assert.deepEqual(
    managedClusters('hub2'),
    [...managedBefore.get('hub2')!, ...moved].sort(),
    'the ManagedClusters on hub2',
  );
}

/** Neither hub keeps anything of the migration's own: bootstrap, KlusterletConfig, access. */
function assertNoOrphans(mig: string): void {
  assert.equal(
    simGet('hub1', API.secret, names.bootstrapSecret('hub2'), names.bootstrapSecretNamespace),
    undefined,
    'no bootstrap-hub2 Secret on hub1',
  );
  assert.equal(
    simGet('hub1', API.klusterletConfig, names.klusterletConfig('hub2')),
    undefined,
    'no migration-hub2 KlusterletConfig on hub1',
  );
  assert.equal(
    simGet('hub2', API.sa, names.serviceAccount(mig), names.serviceAccountNamespace),
    undefined,
    'no migration ServiceAccount on hub2',
  );
  assert.equal(simGet('hub2', API.clusterRole, names.registrationBinding(mig)), undefined);
  assert.equal(simGet('hub2', API.crb, names.registrationBinding(mig)), undefined);
  // Nothing labelled as the migration's own on either hub, of any kind it creates.
  for (const hub of ['hub1', 'hub2'])
    for (const k of ['secret', 'sa', 'clusterRole', 'crb', 'klusterletConfig'] as const)
      assert.deepEqual(
        simList(hub, API[k])
          .filter((o) => o.metadata.labels?.[LABEL.owner] === mig)
          .map((o) => `${o.kind}/${o.metadata.name}`),
        [],
        `no ${k} of ${mig} left on ${hub}`,
      );
  const cm = simGet('hub2', API.clusterManager, 'cluster-manager')!;
  const reg = (
    cm.spec as {
      registrationConfiguration?: {
        autoApproveUsers?: string[];
        featureGates?: { feature: string }[];
      };
    }
  ).registrationConfiguration;
  assert.deepEqual(reg?.autoApproveUsers ?? [], [], 'no autoApproveUsers entry left');
  const gates = (reg?.featureGates ?? []).map((g) => g.feature);
  assert.equal(gates.length, new Set(gates).size, 'no duplicate feature gate');
  // Its progress: exactly the main ConfigMap and one shard.
  assert.deepEqual(
    simList('local-cluster', API.configMap, NS)
      .filter((o) => o.metadata.labels?.[LABEL.owner] === mig)
      .map((o) => o.metadata.name)
      .sort(),
    [mig, `${mig}-clusters-0`],
  );
}

function conditions(m: Migration): Record<string, { status: string; reason: string }> {
  return Object.fromEntries(
    (m.status?.conditions ?? []).map((c) => [c.type, { status: c.status, reason: c.reason }]),
  );
}

function messageOf(m: Migration, type: string): string {
  return m.status?.conditions?.find((c) => c.type === type)?.message ?? '';
}

const ok = (phase: Phase) => ({ status: 'True', reason: PHASE_CONDITION[phase]!.success });

// ---- the tests ---------------------------------------------------------------------------------

const COMPLETE = ['plain-1', 'plain-2', 'plain-3', 'plain-4', 'ztp-1', 'ztp-2', 'ztp-3'];
const PARTIAL_OK = ['plain-5', 'plain-6', 'ztp-4'];
const PARTIAL_CUT = ['cut-1', 'cut-2'];

describe('crash safety', () => {
  test('SIGKILLed at random instants and restarted, the BFF carries two migrations to their end', async (t) => {
    t.diagnostic(`seed ${SEED} (set CRASH_SEED to replay another)`);
    // (a) plain and ZTP clusters: should complete. (b) two of its clusters cannot reach hub2: a
    // partial registration, a rollback of those two, and the others cleaned. Oldest first, then
    // by name: (a) runs first while (b) waits in Pending.
    createMigration('a-complete', { from: 'hub1', to: 'hub2', includedManagedClusters: COMPLETE });
    createMigration('b-partial', {
      from: 'hub1',
      to: 'hub2',
      includedManagedClusters: [...PARTIAL_OK, ...PARTIAL_CUT],
      supportedConfigs: { stageTimeout: '25s' },
    });
    const last = await crashUntilEnded(['a-complete', 'b-partial'], 'bff-0');
    if (last) {
      await last.kill('SIGTERM');
      assert.equal(last.exit?.code, 0, 'a SIGTERM stops it cleanly');
    }
    t.diagnostic(
      `${kills.length} kills over ${lives.length} lives: ${kills
        .map(
          (k) => `${k.migration}:${k.phase}${k.quick ? '(quick)' : ''}${k.led ? '' : '(starting)'}`,
        )
        .join(', ')}`,
    );
    t.diagnostic(
      `timeline: ${timeline.map((e) => `${e.migration}:${e.phase}@${new Date(e.at).toISOString().slice(17, 23)}`).join(' ')}`,
    );
    assert.ok(kills.length >= 20, `at least 20 kills, got ${kills.length}`);
    for (const p of MUST_HIT)
      assert.ok(
        kills.some((k) => k.phase === p && k.led),
        `a kill while the leader drove ${p}`,
      );
    for (const p of ['Initializing', 'Deploying', 'Registering', 'Cleaning'] as const)
      assert.ok(
        kills.some((k) => k.migration === 'a-complete' && k.phase === p),
        `a-complete: ${p}`,
      );
    for (const p of ['Registering', 'Rollbacking', 'Cleaning'] as const)
      assert.ok(
        kills.some((k) => k.migration === 'b-partial' && k.phase === p),
        `b-partial: ${p}`,
      );
    // After every kill that left a migration mid-way, the next process to drive it said it resumed
    // it, from the phase it was in.
    for (const k of kills) {
      if (k.phase === 'none' || isTerminal(k.phase) || ['Pending', 'Validating'].includes(k.phase))
        continue;
      const resumed = lives
        .filter((r) => r.life > k.life)
        .map((r) => r.find((l) => l.msg === 'resuming migration' && l.migration === k.migration))
        .find((l) => l !== undefined);
      assert.ok(resumed, `kill ${k.n}: ${k.migration} resumed after it`);
      assert.equal(resumed.phase, k.phase, `kill ${k.n}: resumed from ${k.phase}`);
    }
    assert.deepEqual(
      lives.flatMap((r) => r.lines.filter((l) => l.level === 'raw').map((l) => l.msg)),
      [],
      'only JSON log lines',
    );
    const problems = new Map<string, number>();
    for (const l of lives.flatMap((r) => r.lines))
      if (l.level === 'warn' || l.level === 'error') {
        const key = `${l.level}: ${l.msg}${l.error ? ` (${JSON.stringify(l.error)})` : ''}`;
        problems.set(key, (problems.get(key) ?? 0) + 1);
      }
    t.diagnostic(`warnings and errors logged: ${JSON.stringify([...problems])}`);
    assert.deepEqual(
      [...problems.keys()].filter((k) => k.startsWith('error')),
      [],
      'no error logged',
    );
  });

  test('(a) ends Completed, every cluster on hub2 only, with its objects and nothing left behind', async () => {
    const m = migration('a-complete')!;
    assert.equal(m.status?.phase, 'Completed', JSON.stringify(m.status?.conditions, null, 1));
    assert.deepEqual(conditions(m), {
      MigrationStarted: { status: 'True', reason: 'InstanceStarted' },
      ResourceValidated: ok('Validating'),
      ResourceInitialized: ok('Initializing'),
      ResourceDeployed: ok('Deploying'),
      ClusterRegistered: ok('Registering'),
      ResourceCleaned: ok('Cleaning'),
    });
    assert.equal(
      messageOf(m, 'ClusterRegistered'),
      `All ${COMPLETE.length} migrated cluster(s) have joined hub2`,
    );
    assert.equal(
      messageOf(m, 'ResourceCleaned'),
      `${COMPLETE.length} cluster(s) moved to hub2; both hubs are clean`,
    );
    const data = configMapData('a-complete');
    assert.deepEqual(JSON.parse(data['all-clusters']), COMPLETE);
    assert.deepEqual((JSON.parse(data.success) as string[]).sort(), [...COMPLETE].sort());
    assert.deepEqual(JSON.parse(data.failure), []);
    await eventually(
      () =>
        COMPLETE.every(
          (c) =>
            tf.fleet.truth.cluster(c).registeredTo === 'hub2' &&
            !simGet('hub1', API.mc, c) &&
            conditionStatus(simGet('hub2', API.mc, c), 'ManagedClusterConditionAvailable') ===
              'True',
        ),
      'the moved clusters on hub2 only',
      20_000,
    );
    assertMoved(COMPLETE);
    assertNoOrphans('a-complete');
  });

  test('(b) ends Failed, rolled back: the unreachable clusters back on hub1 untouched, the others moved', async () => {
    const m = migration('b-partial')!;
    assert.equal(m.status?.phase, 'Failed', JSON.stringify(m.status?.conditions, null, 1));
    assert.deepEqual(conditions(m), {
      MigrationStarted: { status: 'True', reason: 'InstanceStarted' },
      ResourceValidated: ok('Validating'),
      ResourceInitialized: ok('Initializing'),
      ResourceDeployed: ok('Deploying'),
      ClusterRegistered: { status: 'False', reason: 'Timeout' },
      ResourceRolledBack: ok('Rollbacking'),
      ResourceCleaned: ok('Cleaning'),
    });
    assert.equal(
      messageOf(m, 'ClusterRegistered'),
      `2 of 5 cluster(s) did not join hub2 in time: ${PARTIAL_CUT.join(', ')}`,
    );
    assert.equal(
      messageOf(m, 'ResourceRolledBack'),
      `Registering rollback of ${PARTIAL_CUT.length} cluster(s) completed successfully; they are back on hub1`,
    );
    assert.equal(
      messageOf(m, 'ResourceCleaned'),
      `${PARTIAL_OK.length} cluster(s) moved to hub2; both hubs are clean`,
    );
    const data = configMapData('b-partial');
    assert.deepEqual(JSON.parse(data['all-clusters']), [...PARTIAL_OK, ...PARTIAL_CUT]);
    assert.deepEqual((JSON.parse(data.success) as string[]).sort(), PARTIAL_OK);
    assert.deepEqual((JSON.parse(data.failure) as string[]).sort(), PARTIAL_CUT);
    await eventually(
      () =>
        PARTIAL_OK.every((c) => !simGet('hub1', API.mc, c)) &&
        PARTIAL_CUT.every(
          (c) =>
            tf.fleet.truth.cluster(c).registeredTo === 'hub1' &&
            conditionStatus(simGet('hub1', API.mc, c), 'ManagedClusterConditionAvailable') ===
              'True',
        ),
      'settled',
      20_000,
    );
    assertMoved([...COMPLETE, ...PARTIAL_OK]);
    assertStayed(PARTIAL_CUT);
    assertNoOrphans('b-partial');
    assertManagedClusters([...COMPLETE, ...PARTIAL_OK]);
    // The clusters no migration touched are where they were.
    assertGroundTruth(['plain-7', 'plain-8'], 'hub1');
  });
});

describe('leader election across processes', () => {
  test('of two replicas only one leads; killed mid-migration, the other takes over and finishes it', async () => {
    const HANDOVER = ['plain-7', 'plain-8'];
    createMigration('c-handover', { from: 'hub1', to: 'hub2', includedManagedClusters: HANDOVER });
    const a = new Replica('bff-a', lives.length + 1);
    const b = new Replica('bff-b', lives.length + 2);
    const leader = await Promise.race(
      [a, b].map(async (r) => ((await r.waitFor(isLeaderLine, 60_000)) ? r : undefined)),
    );
    assert.ok(leader, `a replica to lead:\n${a.tail()}\n${b.tail()}`);
    const other = leader === a ? b : a;
    assert.ok(await other.waitFor((l) => l.msg === 'started', 60_000), other.tail());
    await sleep(2000); // a few of its election rounds
    assert.equal(other.find(isLeaderLine), undefined, 'only one replica leads');
    const lease = () =>
      simGet('local-cluster', API.lease, 'hub-migration-engine', 'hub-migration')?.spec as
        { holderIdentity?: string; leaseTransitions?: number } | undefined;
    assert.equal(lease()?.holderIdentity, leader.identity);
    // Mid-migration: once clusters are on their way to the target.
    await eventually(
      () => phaseNow.get('c-handover') === 'Registering',
      'c-handover to reach Registering',
      60_000,
    );
    await leader.kill('SIGKILL');
    const killedAt = leader.killedAt!;
    const took = await other.waitFor(isLeaderLine, 30_000);
    assert.ok(took, `the other replica takes over:\n${other.tail()}`);
    assert.ok(
      Date.parse(took.time) > killedAt,
      `it led only after the kill (${took.time} vs ${new Date(killedAt).toISOString()})`,
    );
    assert.equal(
      leader.find((l) => l.msg.startsWith('no longer the leader')),
      undefined,
      "the first replica's leadership ended only with its kill",
    );
    assert.equal(lease()?.holderIdentity, other.identity);
    const resumed = await other.waitFor(
      (l) => l.msg === 'resuming migration' && l.migration === 'c-handover',
      10_000,
    );
    assert.ok(resumed, 'the new leader resumed the migration');
    await eventually(
      () => isTerminal(migration('c-handover')?.status?.phase),
      'c-handover to end',
      90_000,
    );
    const m = migration('c-handover')!;
    assert.equal(m.status?.phase, 'Completed', JSON.stringify(m.status?.conditions, null, 1));
    assert.deepEqual(
      (JSON.parse(configMapData('c-handover').success) as string[]).sort(),
      HANDOVER,
    );
    await eventually(
      () =>
        HANDOVER.every(
          (c) =>
            !simGet('hub1', API.mc, c) &&
            conditionStatus(simGet('hub2', API.mc, c), 'ManagedClusterConditionAvailable') ===
              'True',
        ),
      'the source clean',
      20_000,
    );
    assertMoved(HANDOVER);
    assertNoOrphans('c-handover');
    assertManagedClusters([...COMPLETE, ...PARTIAL_OK, ...HANDOVER]);
    await other.kill('SIGTERM');
    assert.equal(other.exit?.code, 0);
  });
});
