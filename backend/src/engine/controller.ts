// The ManagedClusterMigration controller: it runs one migration at a time (oldest first), drives
// it phase by phase, and keeps every bit of progress in the cluster (status, conditions and the
// progress ConfigMaps), so any process can pick up where another stopped.
import { randomBytes } from 'node:crypto';
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { HubError } from '../hubs/hub-client.js';
import type { HubRegistry } from '../hubs/registry.js';
import { R } from '../hubs/resources.js';
import type { Logger } from '../log.js';
import {
  getCondition,
  kubeNow,
  phaseStartedAt,
  removeConditions,
  setCondition,
  stageTimeoutMs,
} from './conditions.js';
import type { FailedStage, PhaseContext, PhaseOutcome } from './phases.js';
import {
  cleaning,
  deploying,
  initializing,
  PhaseAborted,
  registering,
  rollbacking,
} from './phases.js';
import { planHold } from './plans.js';
import { Progress } from './progress.js';
import type { Migration, MigrationCondition, Phase } from './types.js';
import {
  ANNOTATION,
  CONDITION,
  isTerminal,
  MIGRATION_FINALIZER,
  PHASE_CONDITION,
  REASON,
} from './types.js';
import { DEFAULT_VERSION_POLICY, validateMigration } from './validation.js';

export interface EngineOptions {
  /** Namespace of the migrations on the global hub. */
  namespace: string;
  /** Clusters handled at once within a phase. */
  concurrency?: number;
  /** Full re-list of migrations this often, besides the watch. */
  resyncMs?: number;
  /** ACM minor versions that are EUS releases (validation allows a two-minor jump from them). */
  eusVersions?: string[];
}

type Running = { uid: string; abort: AbortController; done: Promise<void> };

export class MigrationEngine {
  private running?: Running;
  private stopWatch?: () => void;
  private resync?: NodeJS.Timeout;
  private active = false;
  private reconciling = false;
  private again = false;

  constructor(
    private readonly registry: HubRegistry,
    private readonly log: Logger,
    private readonly opts: EngineOptions,
  ) {}

  private get global(): HubClient {
    return this.registry.global;
  }

  /** Starts driving migrations (call when this replica becomes the leader). */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.log.info('migration engine started', { namespace: this.opts.namespace });
    void this.watch();
    this.resync = setInterval(() => this.kick(), this.opts.resyncMs ?? 5000);
    this.kick();
  }

  /** Stops at once: the running phase is interrupted and will be resumed by the next leader. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.resync) clearInterval(this.resync);
    this.stopWatch?.();
    const r = this.running;
    if (r) {
      r.abort.abort();
      await r.done.catch(() => undefined);
    }
    this.log.info('migration engine stopped');
  }

  private async watch(): Promise<void> {
    while (this.active) {
      try {
        const { resourceVersion } = await this.global.listVersioned(
          R.migration,
          this.opts.namespace,
        );
        await new Promise<void>((resolve) => {
          void this.global
            .watch(
              R.migration,
              this.opts.namespace,
              resourceVersion,
              () => this.kick(),
              () => resolve(),
            )
            .then(
              (stop) => (this.stopWatch = stop),
              () => resolve(),
            );
        });
      } catch (e) {
        this.log.warn('watching migrations failed; retrying', { error: e });
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  /** Requests a reconcile; concurrent requests coalesce into one more pass. */
  kick(): void {
    if (!this.active) return;
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    void this.reconcile()
      .catch((e: unknown) => this.log.error('reconcile failed', { error: e }))
      .finally(() => {
        this.reconciling = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async reconcile(): Promise<void> {
    const migrations = (await this.global.list(R.migration, this.opts.namespace)) as Migration[];
    migrations.sort(
      (a, b) =>
        created(a).localeCompare(created(b)) || a.metadata.name.localeCompare(b.metadata.name),
    );
    for (const m of migrations) {
      // A migration deleted before it started, or after it ended, just goes.
      if (
        m.metadata.deletionTimestamp &&
        (isTerminal(m.status?.phase) || !m.status?.phase || m.status.phase === 'Pending')
      ) {
        await this.removeFinalizer(m);
        continue;
      }
      if (!m.status?.phase)
        await this.writeStatus(m, (s) => ({
          phase: 'Pending',
          conditions: setCondition(s.conditions, {
            type: CONDITION.started,
            status: 'False',
            reason: REASON.waiting,
            message: 'Waiting for the migration to start',
          }),
        }));
    }
    const live = migrations.filter(
      (m) => !isTerminal(m.status?.phase) && m.status?.phase && m.status.phase !== 'Pending',
    );
    let active = live[0];
    if (!active) {
      // A failed migration asking for a rollback retry runs when nothing else is active.
      const retry = migrations.find(
        (m) =>
          m.status?.phase === 'Failed' &&
          m.metadata.annotations?.[ANNOTATION.request] === 'rollback',
      );
      if (retry) active = await this.startRollbackRetry(retry);
    }
    if (!active) {
      const next = migrations.find(
        (m) =>
          (m.status?.phase ?? 'Pending') === 'Pending' &&
          !m.metadata.deletionTimestamp &&
          !planHold(m, migrations),
      );
      if (next) active = await this.promote(next);
    }
    // Others wait their turn, saying so.
    for (const m of migrations) {
      if (
        (m.status?.phase ?? 'Pending') === 'Pending' &&
        !m.metadata.deletionTimestamp &&
        m.metadata.uid !== active?.metadata.uid
      ) {
        const message =
          planHold(m, migrations) ??
          (active ? `Waiting for migration ${active.metadata.name} to finish` : undefined);
        if (!message) continue;
        if (getCondition(m.status?.conditions, CONDITION.started)?.message !== message) {
          await this.writeStatus(m, (s) => ({
            conditions: setCondition(s.conditions, {
              type: CONDITION.started,
              status: 'False',
              reason: REASON.waiting,
              message,
            }),
          }));
        }
      }
    }
    if (active && (!this.running || this.running.uid !== active.metadata.uid)) this.run(active);
    else if (
      active &&
      this.running &&
      (active.metadata.annotations?.[ANNOTATION.request] === 'rollback' ||
        active.metadata.deletionTimestamp)
    ) {
      // The running phase stops at its next step; the runner then rolls back.
      this.running.abort.abort();
    }
  }

  private async promote(m: Migration): Promise<Migration> {
    this.log.info('migration started', {
      migration: m.metadata.name,
      from: m.spec.from,
      to: m.spec.to,
    });
    await this.ensureFinalizer(m);
    return this.writeStatus(m, (s) => ({
      phase: 'Validating',
      conditions: setCondition(s.conditions, {
        type: CONDITION.started,
        status: 'True',
        reason: 'InstanceStarted',
        message: 'Migration instance is started',
      }),
    }));
  }

  private async startRollbackRetry(m: Migration): Promise<Migration> {
    this.log.info('rollback retry requested', { migration: m.metadata.name });
    await this.global.mergePatch(
      R.migration,
      m.metadata.name,
      { metadata: { annotations: { [ANNOTATION.request]: null } } },
      m.metadata.namespace,
    );
    // Failed is terminal, so this write must be allowed to reopen it: without `reopen` the guard
    // in writeStatus dropped it, the annotation was gone and the retry silently never ran (found
    // by faults.test.ts).
    return this.writeStatus(
      m,
      (s) => ({
        phase: 'Rollbacking',
        conditions: setCondition(
          removeConditions(s.conditions, [CONDITION.rolledBack, CONDITION.cleaned]),
          {
            type: CONDITION.rolledBack,
            status: 'False',
            reason: REASON.waiting,
            message: 'Rollback retry requested via annotation',
          },
        ),
      }),
      true,
    );
  }

  private run(m: Migration): void {
    const abort = new AbortController();
    const uid = m.metadata.uid!;
    const log = this.log.child({ migration: m.metadata.name, from: m.spec.from, to: m.spec.to });
    const done = this.drive(m, abort, log)
      .catch((e: unknown) =>
        log.error('migration runner stopped on an error; it will resume', { error: e }),
      )
      .finally(() => {
        if (this.running?.uid === uid) this.running = undefined;
        this.kick();
      });
    this.running = { uid, abort, done };
  }

  /** Drives one migration from its persisted phase to a terminal one (or until interrupted). */
  private async drive(initial: Migration, abort: AbortController, log: Logger): Promise<void> {
    let m = initial;
    const progress = await Progress.load(this.global, m);
    const resumed = m.status?.phase && m.status.phase !== 'Validating' ? m.status.phase : undefined;
    if (resumed || !progress.isEmpty)
      log.info('resuming migration', {
        phase: m.status?.phase,
        clusters: progress.names.length,
        counts: progress.counts(),
      });
    try {
      while (this.active && !isTerminal(m.status?.phase)) {
        const fresh = (await this.global.get(
          R.migration,
          m.metadata.name,
          m.metadata.namespace,
        )) as Migration | undefined;
        if (!fresh || fresh.metadata.uid !== m.metadata.uid) return;
        m = fresh;
        const phase = m.status?.phase ?? 'Validating';
        const wantsRollback =
          m.metadata.annotations?.[ANNOTATION.request] === 'rollback' ||
          !!m.metadata.deletionTimestamp;
        if (
          wantsRollback &&
          ['Validating', 'Initializing', 'Deploying', 'Registering'].includes(phase)
        ) {
          m = await this.userRollback(m, phase, log);
          continue;
        }
        if (abort.signal.aborted && !wantsRollback) return;
        const step = new AbortController();
        const onAbort = () => step.abort();
        abort.signal.addEventListener('abort', onAbort);
        try {
          m = await this.runPhase(m, phase, progress, step.signal, log);
        } finally {
          abort.signal.removeEventListener('abort', onAbort);
        }
      }
      if (isTerminal(m.status?.phase) && m.metadata.deletionTimestamp)
        await this.removeFinalizer(m);
    } finally {
      await progress
        .flush()
        .catch((e: unknown) => log.warn('could not persist progress', { error: e }));
      progress.stop();
    }
  }

  /** A rollback asked for by the user (annotation) or by deleting the migration. */
  private async userRollback(m: Migration, phase: Phase, log: Logger): Promise<Migration> {
    const why = m.metadata.deletionTimestamp
      ? 'the migration is being deleted'
      : 'rollback requested by the user';
    log.info('rollback requested while running', { phase, why });
    if (m.metadata.annotations?.[ANNOTATION.request])
      await this.global.mergePatch(
        R.migration,
        m.metadata.name,
        { metadata: { annotations: { [ANNOTATION.request]: null } } },
        m.metadata.namespace,
      );
    const pc = PHASE_CONDITION[phase]!;
    if (phase === 'Validating') {
      // Nothing was changed yet: it just stops.
      return this.writeStatus(m, (s) => ({
        phase: 'Failed',
        conditions: setCondition(s.conditions, {
          type: pc.type,
          status: 'False',
          reason: REASON.error,
          message: `Stopped: ${why}`,
        }),
      }));
    }
    return this.writeStatus(m, (s) => ({
      phase: 'Rollbacking',
      conditions: setCondition(
        setCondition(s.conditions, {
          type: pc.type,
          status: 'False',
          reason: REASON.error,
          message: `Stopped: ${why}`,
        }),
        {
          type: CONDITION.rolledBack,
          status: 'False',
          reason: REASON.waiting,
          message: `Rolling back: ${why}`,
        },
      ),
    }));
  }

  private async runPhase(
    m: Migration,
    phase: Phase,
    progress: Progress,
    signal: AbortSignal,
    log: Logger,
  ): Promise<Migration> {
    const pc = PHASE_CONDITION[phase];
    if (!pc) return m;
    if (
      !getCondition(m.status?.conditions, pc.type) ||
      getCondition(m.status?.conditions, pc.type)?.status === 'True'
    ) {
      // Entering the phase: its Waiting condition starts the (persisted) clock.
      m = await this.writeStatus(m, (s) => ({
        conditions: setCondition(s.conditions, {
          type: pc.type,
          status: 'False',
          reason: REASON.waiting,
          message: `${phase} started`,
        }),
      }));
    }
    let timeoutMs: number;
    try {
      timeoutMs = stageTimeoutMs(m.spec, phase);
    } catch (e) {
      return this.fail(
        m,
        phase,
        `spec.supportedConfigs.stageTimeout: ${e instanceof Error ? e.message : String(e)}`,
        log,
      );
    }
    const deadline = (phaseStartedAt(m.status?.conditions, phase) ?? Date.now()) + timeoutMs;
    const phaseLog = log.child({ phase });
    if (phase === 'Validating') return this.validate(m, progress, phaseLog);
    let source: HubClient;
    let target: HubClient;
    try {
      [source, target] = await Promise.all([
        this.registry.client(m.spec.from),
        this.registry.client(m.spec.to),
      ]);
    } catch (e) {
      if (Date.now() < deadline) {
        phaseLog.warn('hub not reachable; retrying within the stage timeout', { error: e });
        await this.sleep(2000, signal);
        return m;
      }
      return this.outcome(
        m,
        phase,
        { ok: false, reason: REASON.timeout, message: e instanceof Error ? e.message : String(e) },
        progress,
        phaseLog,
      );
    }
    let current = m;
    const ctx: PhaseContext = {
      m,
      progress,
      global: this.global,
      source,
      target,
      log: phaseLog,
      signal,
      deadline,
      concurrency: this.opts.concurrency ?? 20,
      report: async (message) => {
        current = await this.writeStatus(current, (s) => ({
          conditions: setCondition(s.conditions, {
            type: pc.type,
            status: 'False',
            reason: REASON.waiting,
            message,
          }),
        }));
      },
      warn: (reason, message) => this.event(m, reason, message),
    };
    let outcome: PhaseOutcome;
    try {
      outcome = await this.withDeadline(ctx, (c) => this.phaseAction(phase, c));
    } catch (e) {
      if (e instanceof PhaseAborted) {
        await progress.flush().catch(() => undefined);
        return current;
      }
      if (e instanceof HubError && e.retriable && Date.now() < deadline) {
        // A hub blip: run the phase again (it is idempotent) within its time.
        phaseLog.warn('hub error during the phase; running it again', { error: e });
        await progress.flush().catch(() => undefined);
        await this.sleep(2000, signal);
        return current;
      }
      outcome = {
        ok: false,
        reason: Date.now() >= deadline ? REASON.timeout : REASON.error,
        message: e instanceof Error ? e.message : String(e),
      };
    }
    await progress.flush();
    return this.outcome(current, phase, outcome, progress, phaseLog);
  }

  private phaseAction(phase: Phase, ctx: PhaseContext): Promise<PhaseOutcome> {
    switch (phase) {
      case 'Initializing':
        return initializing(ctx);
      case 'Deploying':
        return deploying(ctx);
      case 'Registering':
        return registering(ctx);
      case 'Cleaning':
        return cleaning(ctx);
      case 'Rollbacking':
        return rollbacking(ctx, failedStage(ctx.m));
      default:
        throw new Error(`no action for phase ${phase}`);
    }
  }

  /** Interrupts the phase when its time is up (its actions check the signal between steps). */
  private async withDeadline(
    ctx: PhaseContext,
    fn: (ctx: PhaseContext) => Promise<PhaseOutcome>,
  ): Promise<PhaseOutcome> {
    // A phase resumed after its deadline (the BFF was down when it passed) still gets the same
    // short grace as one that reaches it while running: its waits check the hubs once, so clusters
    // that got there meanwhile count and the others are named, exactly as without the restart
    // (found by crash.test.ts: a Registering resumed late ended "did not finish within its stage
    // timeout", with no cluster named and those that had joined the target rolled back).
    const left = Math.max(ctx.deadline - Date.now(), 0);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<PhaseOutcome>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve({
          ok: false,
          reason: REASON.timeout,
          message: `${ctx.m.status?.phase} did not finish within its stage timeout`,
        });
      }, left + 1000);
    });
    const stop = new AbortController();
    const work = fn({ ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) });
    let outcome: PhaseOutcome;
    try {
      outcome = await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (!timedOut) return outcome;
    // Time is up but the action may still be running: stop it and let it settle before the
    // migration moves on, or it goes on writing behind the rollback, re-creating what the
    // rollback removes and overwriting its conditions (found by faults.test.ts: a target that
    // answered again during the rollback of Initializing got the migration's access re-created).
    stop.abort();
    let wait: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      new Promise<false>((r) => (wait = setTimeout(() => r(false), 30_000))),
    ]);
    clearTimeout(wait);
    if (!stopped)
      ctx.log.warn('the phase did not stop within 30 s of its timeout; moving on', {
        phase: ctx.m.status?.phase,
      });
    return outcome;
  }

  private async validate(m: Migration, progress: Progress, log: Logger): Promise<Migration> {
    const result = await validateMigration(
      {
        from: m.spec.from,
        to: m.spec.to,
        clusters: m.spec.includedManagedClusters,
        placementRef: m.spec.includedManagedClustersPlacementRef,
        migration: { name: m.metadata.name, namespace: m.metadata.namespace! },
      },
      {
        registry: this.registry,
        migrationsNamespace: this.opts.namespace,
        policy: {
          ...DEFAULT_VERSION_POLICY,
          eusVersions: this.opts.eusVersions ?? DEFAULT_VERSION_POLICY.eusVersions,
        },
      },
    );
    if (!result.ok) {
      // result.errors already has one line per failing hub or cluster.
      const lines = result.errors;
      for (const c of result.clusters.filter((x) => !x.ok))
        await this.event(m, 'ValidatingFailed', `${c.name}: ${c.errors.join('; ')}`);
      log.info('validation failed', { problems: lines.length });
      return this.writeStatus(m, (s) => ({
        phase: 'Failed',
        conditions: setCondition(s.conditions, {
          type: CONDITION.validated,
          status: 'False',
          reason: result.hubs.some((h) => !h.ok) ? 'HubClusterInvalid' : REASON.error,
          message: `Validation failed:\n${lines.slice(0, 50).join('\n')}${lines.length > 50 ? `\n… and ${lines.length - 50} more (see events)` : ''}`,
        }),
      }));
    }
    if (progress.isEmpty) progress.setClusters(result.resolvedClusters, m.spec.from);
    await progress.flush();
    const warnings = result.warnings.length ? ` Warnings: ${result.warnings.join('; ')}` : '';
    log.info('validated', {
      clusters: result.resolvedClusters.length,
      warnings: result.warnings.length,
    });
    return this.writeStatus(m, (s) => ({
      phase: 'Initializing',
      conditions: setCondition(s.conditions, {
        type: CONDITION.validated,
        status: 'True',
        reason: 'ResourceValidated',
        message: `${result.resolvedClusters.length} cluster(s) validated.${warnings}`,
      }),
    }));
  }

  /** Moves to the next phase after a phase's outcome (§3's table). */
  private async outcome(
    m: Migration,
    phase: Phase,
    outcome: PhaseOutcome,
    progress: Progress,
    log: Logger,
  ): Promise<Migration> {
    const pc = PHASE_CONDITION[phase]!;
    if (outcome.ok) {
      log.info('phase done', { message: outcome.message, counts: progress.counts() });
      const next: Record<string, Phase> = {
        Initializing: 'Deploying',
        Deploying: 'Registering',
        Registering: 'Cleaning',
        Cleaning: 'Completed',
        Rollbacking: 'Failed',
      };
      let to = next[phase];
      // A partial migration: the registered clusters go on through Cleaning; it still ends Failed.
      if (phase === 'Rollbacking' && progress.inState('Registered').length > 0) to = 'Cleaning';
      if (phase === 'Cleaning' && getCondition(m.status?.conditions, CONDITION.rolledBack))
        to = 'Failed';
      return this.writeStatus(m, (s) => ({
        phase: to,
        conditions: setCondition(s.conditions, {
          type: pc.type,
          status: 'True',
          reason: pc.success,
          message: outcome.message,
        }),
      }));
    }
    log.warn('phase failed', { reason: outcome.reason, message: outcome.message });
    const cond = {
      type: pc.type,
      status: 'False' as const,
      reason: outcome.reason,
      message: outcome.message,
    };
    switch (phase) {
      case 'Initializing':
      case 'Deploying':
      case 'Registering':
        return this.writeStatus(m, (s) => ({
          phase: 'Rollbacking',
          conditions: setCondition(setCondition(s.conditions, cond), {
            type: CONDITION.rolledBack,
            status: 'False',
            reason: REASON.waiting,
            message: `Rolling back the ${phase} stage`,
          }),
        }));
      case 'Cleaning': {
        // Cleanup problems do not undo a move: the migration ends with a warning.
        const to: Phase = getCondition(m.status?.conditions, CONDITION.rolledBack)
          ? 'Failed'
          : 'Completed';
        return this.writeStatus(m, (s) => ({
          phase: to,
          conditions: setCondition(s.conditions, cond),
        }));
      }
      default:
        return this.writeStatus(m, (s) => ({
          phase: 'Failed',
          conditions: setCondition(s.conditions, cond),
        }));
    }
  }

  private fail(m: Migration, phase: Phase, message: string, log: Logger): Promise<Migration> {
    log.warn('migration failed', { phase, message });
    const pc = PHASE_CONDITION[phase]!;
    return this.writeStatus(m, (s) => ({
      phase: 'Failed',
      conditions: setCondition(s.conditions, {
        type: pc.type,
        status: 'False',
        reason: REASON.error,
        message,
      }),
    }));
  }

  // ---- writes to the migration -----------------------------------------------------------------

  /**
   * Read-modify-write of status with conflict retries; never moves a terminal migration back,
   * unless `reopen` (a rollback retry asked for on a Failed migration).
   */
  private async writeStatus(
    m: Migration,
    change: (s: { phase?: Phase; conditions: MigrationCondition[] }) => {
      phase?: Phase;
      conditions?: MigrationCondition[];
    },
    reopen = false,
  ): Promise<Migration> {
    let cur = m;
    for (let attempt = 0; attempt < 10; attempt++) {
      const status = { phase: cur.status?.phase, conditions: cur.status?.conditions ?? [] };
      const next = { ...status, ...change(status) };
      if (isTerminal(status.phase) && next.phase !== status.phase && !reopen) return cur;
      if (JSON.stringify(next) === JSON.stringify(status) && cur.status) return cur;
      try {
        return (await this.global.replaceStatus(R.migration, {
          ...cur,
          status: next,
        })) as Migration;
      } catch (e) {
        if (!(e instanceof HubError && e.conflict)) throw e;
        const fresh = (await this.global.get(
          R.migration,
          m.metadata.name,
          m.metadata.namespace,
        )) as Migration | undefined;
        if (!fresh) throw e;
        cur = fresh;
      }
    }
    throw new Error(
      `could not update the status of migration ${m.metadata.name}: it kept changing`,
    );
  }

  private async ensureFinalizer(m: Migration): Promise<void> {
    if (m.metadata.finalizers?.includes(MIGRATION_FINALIZER)) return;
    await this.global.mergePatch(
      R.migration,
      m.metadata.name,
      { metadata: { finalizers: [...(m.metadata.finalizers ?? []), MIGRATION_FINALIZER] } },
      m.metadata.namespace,
    );
  }

  private async removeFinalizer(m: Migration): Promise<void> {
    if (!m.metadata.finalizers?.includes(MIGRATION_FINALIZER)) return;
    await this.global.mergePatch(
      R.migration,
      m.metadata.name,
      { metadata: { finalizers: m.metadata.finalizers.filter((f) => f !== MIGRATION_FINALIZER) } },
      m.metadata.namespace,
    );
  }

  /** A Warning event on the migration (one per cluster error). */
  private async event(m: Migration, reason: string, message: string): Promise<void> {
    const now = kubeNow();
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${m.metadata.name}.${randomBytes(8).toString('hex')}`,
        namespace: m.metadata.namespace,
      },
      involvedObject: {
        apiVersion: m.apiVersion,
        kind: 'ManagedClusterMigration',
        name: m.metadata.name,
        namespace: m.metadata.namespace,
        uid: m.metadata.uid,
      },
      reason,
      message: message.slice(0, 1024),
      type: 'Warning',
      source: { component: 'hub-migration-engine' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: 'hub-migration-engine',
      reportingInstance: '',
    };
    try {
      await this.global.create(R.event, event);
    } catch (e) {
      this.log.warn('could not record an event', { migration: m.metadata.name, reason, error: e });
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Creation time as text (client-node types it as a Date; custom objects arrive as strings). */
function created(m: Migration): string {
  const t: unknown = m.metadata.creationTimestamp;
  return t instanceof Date ? t.toISOString() : typeof t === 'string' ? t : '';
}

/** Which stage's failure a rollback undoes: the first of Initialized/Deployed/Registered that is False. */
export function failedStage(m: Migration): FailedStage {
  const order: [string, FailedStage][] = [
    [CONDITION.initialized, 'Initializing'],
    [CONDITION.deployed, 'Deploying'],
    [CONDITION.registered, 'Registering'],
  ];
  for (const [type, stage] of order)
    if (getCondition(m.status?.conditions, type)?.status === 'False') return stage;
  // Not started any of them (a retry after a clean rollback, say): undo everything.
  return 'Registering';
}
