// What each phase does on the hubs (migration-engine.md §3 and §5). Every action is idempotent
// and per-cluster progress is persisted, so after a crash the current phase simply runs again:
// clusters already past it are skipped, and repeated writes change nothing.
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { HubError } from '../hubs/hub-client.js';
import { R } from '../hubs/resources.js';
import type { Res } from '../hubs/resources.js';
import type { Logger } from '../log.js';
import { SHARED_READS_CHUNK, sharedReads } from './cluster-reads.js';
import type { ClusterReads } from './cluster-reads.js';
import type { ClusterState, Progress } from './progress.js';
import {
  applyToTarget,
  collectClusterResources,
  finishOnTarget,
  pauseZtp,
  prepareForTarget,
  removeClusterSafely,
  unpauseZtp,
} from './resources.js';
import type { Migration, Phase } from './types.js';
import { ANNOTATION, LABEL, names } from './types.js';

export interface PhaseContext {
  m: Migration;
  progress: Progress;
  global: HubClient;
  source: HubClient;
  target: HubClient;
  log: Logger;
  /** Aborted when the user asks for a rollback, the migration is deleted, or leadership is lost. */
  signal: AbortSignal;
  /** Epoch ms when the phase times out. */
  deadline: number;
  /** Clusters handled at once per phase. */
  concurrency: number;
  /** Updates the phase condition's message while it waits (for the UI). */
  report(message: string): Promise<void>;
  /** A Warning event on the migration, e.g. one per cluster error. */
  warn(reason: string, message: string): Promise<void>;
}

export type PhaseOutcome =
  { ok: true; message: string } | { ok: false; reason: 'Error' | 'Timeout'; message: string };

export class PhaseAborted extends Error {}

const TOKEN_SECONDS = 24 * 3600;
/** The Lease a klusterlet's registration agent renews on the hub it is connected to. */
const CLUSTER_LEASE = 'managed-cluster-lease';
/** KlusterletConfig allows no less than 180 s (the reference's e2e uses 180). */
const HUB_CONNECTION_TIMEOUT_SECONDS = 180;

function checkAbort(ctx: PhaseContext): void {
  if (ctx.signal.aborted) throw new PhaseAborted('phase interrupted');
}

/** How long a hub call may take with the client's own retries; the pause before an item goes again. */
const CALL_RETRIES_MS = 5000;
const ITEM_RETRY_PAUSE_MS = 1000;

/**
 * Runs `fn` for each item with at most `limit` at once; collects per-item errors. With `retry`,
 * an item that failed on a hub blip (5xx, 429, no connection) that outlasted the client's own
 * retries goes round again while the phase has time (every per-cluster step is idempotent), so
 * only lasting errors fail a cluster: without it, one unlucky call under a 30% error rate rolled
 * the whole migration back (found by faults.test.ts). A rollback's work on the target passes
 * `retry: false`: a target that is down is reported at once, leaving the rollback time for the
 * source and for saying what is left by hand (and a rollback can be retried as a whole).
 */
async function forEach(
  ctx: PhaseContext,
  items: string[],
  fn: (item: string) => Promise<void>,
  retry = true,
): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  const queue = [...items];
  let next = 0;
  const workers = await Promise.allSettled(
    Array.from({ length: Math.min(ctx.concurrency, items.length) }, async () => {
      while (next < queue.length) {
        checkAbort(ctx);
        const item = queue[next++];
        try {
          await fn(item);
        } catch (e) {
          if (e instanceof PhaseAborted) throw e;
          if (
            retry &&
            e instanceof HubError &&
            e.retriable &&
            Date.now() + ITEM_RETRY_PAUSE_MS + CALL_RETRIES_MS < ctx.deadline
          ) {
            await new Promise((r) => setTimeout(r, ITEM_RETRY_PAUSE_MS));
            queue.push(item);
            continue;
          }
          errors.set(item, e instanceof Error ? e.message : String(e));
        }
      }
    }),
  );
  // Every worker has stopped before an abort is passed on: one stopping must not leave the others
  // writing to a hub behind the phase (and behind a rollback that follows it).
  const aborted = workers.find((w) => w.status === 'rejected');
  if (aborted) throw aborted.reason;
  return errors;
}

/**
 * {@link forEach} over clusters chunk by chunk, the clusters of a chunk sharing their reads of
 * `hub` (cluster-reads.ts): a few calls per chunk instead of a few per cluster. Once a cluster of
 * a chunk is done, the kinds it read are read for the next chunk, so that chunk does not start by
 * waiting for them.
 */
async function forEachCluster(
  ctx: PhaseContext,
  hub: HubClient,
  clusters: string[],
  fn: (cluster: string, reads: ClusterReads) => Promise<void>,
  retry = true,
): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  let reads = sharedReads(hub, clusters.slice(0, SHARED_READS_CHUNK));
  for (let i = 0; i < clusters.length; i += SHARED_READS_CHUNK) {
    const chunk = clusters.slice(i, i + SHARED_READS_CHUNK);
    const current = reads;
    const following = clusters.slice(i + SHARED_READS_CHUNK, i + 2 * SHARED_READS_CHUNK);
    const next = following.length ? sharedReads(hub, following) : undefined;
    let started = false;
    const chunkErrors = await forEach(
      ctx,
      chunk,
      async (c) => {
        await fn(c, current);
        if (next && !started) {
          started = true;
          next.prefetch(current.kindsRead());
        }
      },
      retry,
    );
    for (const [c, e] of chunkErrors) errors.set(c, e);
    if (next) reads = next;
  }
  return errors;
}

/** Events written at once when many clusters fail together. */
const EVENT_CONCURRENCY = 16;

/**
 * One Warning event per cluster, a few at a time: written one after the other, the events of
 * 3,000 clusters that missed the Registering timeout took longer than the 30 s a phase gets to
 * stop after its timeout.
 */
async function warnEach(ctx: PhaseContext, reason: string, messages: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(EVENT_CONCURRENCY, messages.length) }, async () => {
      while (next < messages.length) await ctx.warn(reason, messages[next++]);
    }),
  );
}

async function reportErrors(
  ctx: PhaseContext,
  phase: Phase,
  errors: Map<string, string>,
): Promise<void> {
  for (const [cluster, message] of errors) ctx.progress.update(cluster, { error: message });
  await warnEach(
    ctx,
    `${phase}Failed`,
    [...errors].map(([cluster, message]) => `${cluster}: ${message}`),
  );
}

function failed(errors: Map<string, string>, what: string): PhaseOutcome {
  const lines = [...errors].slice(0, 20).map(([c, e]) => `${c}: ${e}`);
  const more =
    errors.size > 20 ? `\n… and ${errors.size - 20} more (see the events and the ConfigMap)` : '';
  return {
    ok: false,
    reason: 'Error',
    message: `${errors.size} cluster(s) failed to ${what}:\n${lines.join('\n')}${more}`,
  };
}

// ---- Initializing --------------------------------------------------------------------------------

/**
 * On the bootstrap Secret: the uid of the target ServiceAccount its token was issued for. Tokens
 * die with their ServiceAccount, so while that ServiceAccount is the same the Secret still works.
 */
const TOKEN_SA_UID_ANNOTATION = 'hub-migration.openshift.io/token-service-account-uid';

/**
 * The target's side: a ServiceAccount whose token may register the clusters, auto-approved.
 * Returns the ServiceAccount's uid and how to mint a bootstrap kubeconfig for it.
 */
async function prepareTarget(
  ctx: PhaseContext,
): Promise<{ saUid: string; mintKubeconfig: () => Promise<string> }> {
  const mig = ctx.m.metadata.name;
  const ns = names.serviceAccountNamespace;
  const sa = names.serviceAccount(mig);
  const owner = { [LABEL.owner]: mig };
  await ctx.target.createIfAbsent(R.namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const { object: saObject } = await ctx.target.createIfAbsent(R.serviceAccount, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: sa, namespace: ns, labels: owner },
  });
  await ctx.target.createIfAbsent(R.clusterRole, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: names.registrationBinding(mig), labels: owner },
    // Exactly what a klusterlet's bootstrap identity needs to register: its CSR and ManagedCluster.
    rules: [
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests'],
        verbs: ['create', 'get', 'list', 'watch'],
      },
      {
        apiGroups: ['cluster.open-cluster-management.io'],
        resources: ['managedclusters'],
        verbs: ['get', 'create'],
      },
    ],
  });
  await ctx.target.createIfAbsent(R.clusterRoleBinding, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: names.registrationBinding(mig), labels: owner },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: names.registrationBinding(mig),
    },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
  });
  await setAutoApprove(ctx.target, `system:serviceaccount:${ns}:${sa}`, true);
  return {
    saUid: saObject.metadata.uid ?? '',
    mintKubeconfig: async () => {
      const { token } = await ctx.target.requestToken(ns, sa, TOKEN_SECONDS);
      return targetKubeconfig(ctx.target, token);
    },
  };
}

/** Adds or removes a user in ClusterManager autoApproveUsers, with conflict retries. */
export async function setAutoApprove(
  hub: HubClient,
  user: string,
  present: boolean,
): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cm = await hub.get(R.clusterManager, 'cluster-manager');
    if (!cm)
      throw new HubError(
        hub.name,
        404,
        'NotFound',
        `ClusterManager cluster-manager not found on hub ${hub.name}`,
      );
    const spec = (cm.spec ?? {}) as {
      registrationConfiguration?: {
        autoApproveUsers?: string[];
        featureGates?: { feature: string; mode: string }[];
      };
    };
    const reg = spec.registrationConfiguration ?? {};
    const users = reg.autoApproveUsers ?? [];
    const gates = reg.featureGates ?? [];
    const gateOn = gates.some(
      (g) => g.feature === 'ManagedClusterAutoApproval' && g.mode === 'Enable',
    );
    if (users.includes(user) === present && (gateOn || !present)) return;
    const nextGates =
      gateOn || !present
        ? gates
        : [
            ...gates.filter((g) => g.feature !== 'ManagedClusterAutoApproval'),
            { feature: 'ManagedClusterAutoApproval', mode: 'Enable' },
          ];
    const next = {
      ...cm,
      spec: {
        ...spec,
        registrationConfiguration: {
          ...reg,
          featureGates: nextGates,
          autoApproveUsers: present ? [...users, user] : users.filter((u) => u !== user),
        },
      },
    };
    try {
      await hub.replace(R.clusterManager, next);
      return;
    } catch (e) {
      if (!(e instanceof HubError && e.conflict)) throw e;
    }
  }
  throw new HubError(
    hub.name,
    409,
    'Conflict',
    'ClusterManager kept changing; could not update autoApproveUsers',
  );
}

function targetKubeconfig(target: HubClient, token: string): string {
  const cluster = target.kubeConfig.getCurrentCluster();
  const ca = cluster?.caData
    ? `\n    certificate-authority-data: ${cluster.caData}`
    : cluster?.skipTLSVerify
      ? '\n    insecure-skip-tls-verify: true'
      : '';
  // The klusterlet reaches the target where the BFF does; the token is the migration's own.
  return `apiVersion: v1
kind: Config
clusters:
- name: ${target.name}
  cluster:
    server: ${cluster?.server ?? ''}${ca}
users:
- name: user
  user:
    token: ${token}
contexts:
- name: default-context
  context:
    cluster: ${target.name}
    user: user
current-context: default-context
`;
}

export async function initializing(ctx: PhaseContext): Promise<PhaseOutcome> {
  const to = ctx.m.spec.to;
  await ctx.report(`Preparing the target hub ${to} to accept the clusters`);
  const { saUid, mintKubeconfig } = await prepareTarget(ctx);
  checkAbort(ctx);
  await ctx.report(`Giving the source hub ${ctx.m.spec.from} the bootstrap kubeconfig of ${to}`);
  await ctx.source.createIfAbsent(R.namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: names.bootstrapSecretNamespace },
  });
  // Resuming Initializing after a restart keeps a bootstrap Secret whose token is still good:
  // minting a new one each time rewrites every klusterlet ManifestWork, so the wait below for
  // them to be Applied starts over, and with restarts close together it never ends (found by
  // crash.test.ts: Initializing timed out and the migration rolled back).
  const current = await ctx.source.get(
    R.secret,
    names.bootstrapSecret(to),
    names.bootstrapSecretNamespace,
  );
  const reusable =
    !!saUid &&
    current?.metadata.labels?.[LABEL.owner] === ctx.m.metadata.name &&
    current.metadata.annotations?.[TOKEN_SA_UID_ANNOTATION] === saUid;
  if (!reusable) {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: names.bootstrapSecret(to),
        namespace: names.bootstrapSecretNamespace,
        labels: { [LABEL.owner]: ctx.m.metadata.name },
        annotations: { [TOKEN_SA_UID_ANNOTATION]: saUid },
      },
      type: 'Opaque',
      data: { kubeconfig: Buffer.from(await mintKubeconfig()).toString('base64') },
    };
    const { created } = await ctx.source.createIfAbsent(R.secret, secret);
    if (!created) await ctx.source.replace(R.secret, secret);
  }
  const mch = (await ctx.source.list(R.multiClusterHub))[0];
  const version = (mch?.status as { currentVersion?: string } | undefined)?.currentVersion ?? '';
  const bootstrap = {
    type: 'LocalSecrets',
    localSecretsConfig: {
      kubeConfigSecrets: [{ name: names.bootstrapSecret(to) }],
      hubConnectionTimeoutSeconds: HUB_CONNECTION_TIMEOUT_SECONDS,
    },
  };
  await ctx.source.createIfAbsent(R.klusterletConfig, {
    apiVersion: 'config.open-cluster-management.io/v1alpha1',
    kind: 'KlusterletConfig',
    metadata: { name: names.klusterletConfig(to), labels: { [LABEL.owner]: ctx.m.metadata.name } },
    // ACM 2.13 reads bootstrapKubeConfigs; later releases take it under multipleHubsConfig.
    spec: version.startsWith('2.13')
      ? { bootstrapKubeConfigs: bootstrap }
      : {
          multipleHubsConfig: {
            genBootstrapKubeConfigStrategy: 'IncludeCurrentHub',
            bootstrapKubeConfigs: bootstrap,
          },
        },
  });
  const todo = ctx.progress.inState('Pending');
  await ctx.report(`Annotating and pausing ${todo.length} cluster(s) on ${ctx.m.spec.from}`);
  const errors = await forEachCluster(ctx, ctx.source, todo, async (c, reads) => {
    const patched = await ctx.source.mergePatch(R.managedCluster, c, {
      metadata: {
        annotations: {
          [ANNOTATION.klusterletConfig]: names.klusterletConfig(to),
          [ANNOTATION.migrating]: '',
          [ANNOTATION.disableAutoImport]: '',
        },
      },
    });
    if (!patched) throw new Error(`ManagedCluster ${c} is no longer on ${ctx.m.spec.from}`);
    await pauseZtp(ctx.source, c, reads);
    ctx.progress.update(c, { state: 'Initialized', error: undefined });
  });
  if (errors.size) {
    await reportErrors(ctx, 'Initializing', errors);
    return failed(errors, 'initialize');
  }
  // Denying a cluster before its klusterlet holds the target's bootstrap kubeconfig would strand
  // it: wait until each cluster's klusterlet ManifestWork carrying bootstrap-<to> is Applied.
  const waiting = new Set(ctx.progress.inState('Initialized'));
  const left = await waitForClusters(
    ctx,
    ctx.source,
    waiting,
    (mw) => klusterletHasBootstrap(mw, names.bootstrapSecret(to)),
    () => undefined,
    (n) => `Waiting for ${n} klusterlet(s) to receive the bootstrap kubeconfig of ${to}`,
    {
      res: R.manifestWork,
      clusterOf: (mw) =>
        mw.metadata.name === `${mw.metadata.namespace}-klusterlet`
          ? mw.metadata.namespace
          : undefined,
    },
  );
  if (left.size) {
    for (const c of left)
      ctx.progress.update(c, {
        error: `its klusterlet did not receive the bootstrap kubeconfig of ${to} in time`,
      });
    return {
      ok: false,
      reason: 'Timeout',
      message: `${left.size} klusterlet(s) did not receive the bootstrap kubeconfig of ${to} in time: ${[...left].slice(0, 20).join(', ')}`,
    };
  }
  return {
    ok: true,
    message: `Both hubs are ready: ${ctx.progress.names.length} cluster(s) annotated and paused, their klusterlets hold the bootstrap kubeconfig of ${to}`,
  };
}

/** Whether a `<cluster>-klusterlet` ManifestWork carries the Secret and its current generation is Applied. */
function klusterletHasBootstrap(mw: KubeObject | undefined, secret: string): boolean {
  const manifests =
    (
      mw?.spec as
        { workload?: { manifests?: { kind?: string; metadata?: { name?: string } }[] } } | undefined
    )?.workload?.manifests ?? [];
  if (!manifests.some((m) => m.kind === 'Secret' && m.metadata?.name === secret)) return false;
  const conditions =
    (
      mw?.status as
        { conditions?: { type: string; status: string; observedGeneration?: number }[] } | undefined
    )?.conditions ?? [];
  const applied = conditions.find((c) => c.type === 'Applied');
  return (
    applied?.status === 'True' &&
    (applied.observedGeneration === undefined ||
      applied.observedGeneration === mw?.metadata.generation)
  );
}

// ---- Deploying -----------------------------------------------------------------------------------

export async function deploying(ctx: PhaseContext): Promise<PhaseOutcome> {
  const todo = ctx.progress.inState('Pending', 'Initialized');
  const total = ctx.progress.names.length;
  let done = total - todo.length;
  await ctx.report(`Copying the clusters' resources to ${ctx.m.spec.to}: ${done} of ${total}`);
  const errors = await forEachCluster(ctx, ctx.source, todo, async (c, reads) => {
    const objects = (await collectClusterResources(ctx.source, c, { reads })).map(prepareForTarget);
    if (!objects.some((o) => o.kind === 'ManagedCluster'))
      throw new Error(`ManagedCluster ${c} is no longer on ${ctx.m.spec.from}`);
    await applyToTarget(ctx.target, c, objects);
    ctx.progress.update(c, { state: 'Deployed', error: undefined });
    done++;
    if (done % 50 === 0)
      await ctx.report(`Copying the clusters' resources to ${ctx.m.spec.to}: ${done} of ${total}`);
  });
  if (errors.size) {
    await reportErrors(ctx, 'Deploying', errors);
    return failed(errors, 'deploy');
  }
  return { ok: true, message: `The resources of ${total} cluster(s) are on ${ctx.m.spec.to}` };
}

// ---- Registering ---------------------------------------------------------------------------------

function isRegistered(mc: KubeObject | undefined): boolean {
  const conditions =
    (mc?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ??
    [];
  const is = (t: string) => conditions.some((c) => c.type === t && c.status === 'True');
  return is('ManagedClusterJoined') && is('ManagedClusterConditionAvailable');
}

/**
 * Waits, through a watch (no per-cluster polling), until every cluster in `waiting` satisfies
 * `done` on `hub`, the deadline passes or the phase is aborted. Returns those still waiting.
 */
export async function waitForClusters(
  ctx: PhaseContext,
  hub: HubClient,
  waiting: Set<string>,
  done: (obj: KubeObject | undefined) => boolean,
  onDone: (cluster: string) => void,
  progressMessage: (left: number) => string,
  watched: { res: Res; clusterOf: (obj: KubeObject) => string | undefined } = {
    res: R.managedCluster,
    clusterOf: (o) => o.metadata.name,
  },
): Promise<Set<string>> {
  const check = (obj: KubeObject) => {
    const name = watched.clusterOf(obj);
    if (name !== undefined && waiting.has(name) && done(obj)) {
      waiting.delete(name);
      onDone(name);
    }
  };
  let stopWatch: (() => void) | undefined;
  let lastReport = 0;
  // At least one look, even past the deadline (a phase resumed late): what is done counts.
  for (let first = true; waiting.size > 0 && (first || Date.now() < ctx.deadline); first = false) {
    checkAbort(ctx);
    // List once, then follow changes from that version; a broken or expired watch re-lists.
    const { items, resourceVersion: rv } = await hub.listVersioned(watched.res);
    for (const obj of items) check(obj);
    if (waiting.size === 0 || Date.now() >= ctx.deadline) break;
    const ended = new Promise<void>((resolve) => {
      void hub
        .watch(
          watched.res,
          undefined,
          rv,
          // A deleted object satisfies nothing the phases wait for.
          (type, obj) => {
            if (type !== 'DELETED') check(obj);
          },
          () => resolve(),
        )
        .then((stop) => (stopWatch = stop))
        .catch(() => resolve());
    });
    while (waiting.size > 0 && Date.now() < ctx.deadline && !ctx.signal.aborted) {
      const tick = new Promise<'tick'>((r) => setTimeout(() => r('tick'), 1000));
      if ((await Promise.race([ended.then(() => 'ended' as const), tick])) === 'ended') break;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        await ctx.report(progressMessage(waiting.size));
      }
    }
    stopWatch?.();
  }
  return waiting;
}

export async function registering(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { from, to } = ctx.m.spec;
  const deny = ctx.progress.inState('Deployed');
  const errors = await forEach(ctx, deny, async (c) => {
    const patched = await ctx.source.mergePatch(R.managedCluster, c, {
      spec: { hubAcceptsClient: false },
    });
    if (!patched) throw new Error(`ManagedCluster ${c} is no longer on ${from}`);
    ctx.progress.update(c, { state: 'Registering' });
  });
  if (errors.size) {
    await reportErrors(ctx, 'Registering', errors);
    return failed(errors, 'leave the source hub');
  }
  const waiting = new Set(ctx.progress.inState('Registering'));
  const left = await waitForClusters(
    ctx,
    ctx.target,
    waiting,
    isRegistered,
    (c) => ctx.progress.update(c, { state: 'Registered', hub: to, error: undefined }),
    (n) => `Waiting for ${n} of ${ctx.progress.names.length} cluster(s) to join ${to}`,
  );
  if (left.size > 0) {
    for (const c of left)
      ctx.progress.update(c, { error: `did not join ${to} before the Registering timeout` });
    await warnEach(
      ctx,
      'RegisteringFailed',
      [...left].map((c) => `${c}: did not join ${to} before the Registering timeout`),
    );
    return {
      ok: false,
      reason: 'Timeout',
      message: `${left.size} of ${ctx.progress.names.length} cluster(s) did not join ${to} in time: ${[...left].slice(0, 20).join(', ')}`,
    };
  }
  return {
    ok: true,
    message: `All ${ctx.progress.names.length} migrated cluster(s) have joined ${to}`,
  };
}

// ---- Cleaning ------------------------------------------------------------------------------------

export async function cleaning(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { from, to } = ctx.m.spec;
  const todo = ctx.progress.inState('Registered');
  await ctx.report(`Cleaning ${todo.length} cluster(s) from ${from}`);
  const errors = await forEachCluster(ctx, ctx.source, todo, async (c, reads) => {
    await finishOnTarget(ctx.target, c);
    // The source keeps nothing of the cluster: its moved objects go safely (paused, deprovision
    // finalizers stripped) with the ManagedCluster; the hub's own controllers then drop the namespace.
    await removeClusterSafely(ctx.source, c, {
      deleteNamespace: false,
      deleteManagedCluster: true,
      reads,
    });
    ctx.progress.update(c, { state: 'Cleaned', hub: to, error: undefined });
  });
  // Only once every cluster has been imported by the target are the migration's own credentials
  // removed (the reference revokes the token first, ACM-45703).
  const problems: string[] = [...errors].map(([c, e]) => `${c}: ${e}`);
  const stillMoving = ctx.progress.inState('Registering', 'Deployed', 'Initialized');
  if (stillMoving.length === 0) problems.push(...(await removeMigrationAccess(ctx)));
  await removeSourceBootstrap(ctx).catch((e: unknown) =>
    problems.push(`source: ${e instanceof Error ? e.message : String(e)}`),
  );
  if (problems.length) {
    await reportErrors(ctx, 'Cleaning', errors);
    return {
      ok: false,
      reason: 'Error',
      message: `[Warning - Cleanup Issues] ${problems.slice(0, 20).join('; ')}. Clean these up by hand on the source and target hubs.`,
    };
  }
  return {
    ok: true,
    message: `${ctx.progress.inState('Cleaned').length} cluster(s) moved to ${to}; both hubs are clean`,
  };
}

/** Target: the auto-approve user, the RBAC and the ServiceAccount of this migration. */
async function removeMigrationAccess(ctx: PhaseContext): Promise<string[]> {
  const mig = ctx.m.metadata.name;
  const problems: string[] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      problems.push(`target ${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  await step('auto-approve user', () =>
    setAutoApprove(
      ctx.target,
      `system:serviceaccount:${names.serviceAccountNamespace}:${names.serviceAccount(mig)}`,
      false,
    ),
  );
  await step('ClusterRoleBinding', () =>
    ctx.target.delete(R.clusterRoleBinding, names.registrationBinding(mig)),
  );
  await step('ClusterRole', () => ctx.target.delete(R.clusterRole, names.registrationBinding(mig)));
  await step('ServiceAccount', () =>
    ctx.target.delete(R.serviceAccount, names.serviceAccount(mig), names.serviceAccountNamespace),
  );
  return problems;
}

async function removeSourceBootstrap(ctx: PhaseContext): Promise<void> {
  const to = ctx.m.spec.to;
  await ctx.source.delete(R.secret, names.bootstrapSecret(to), names.bootstrapSecretNamespace);
  await ctx.source.delete(R.klusterletConfig, names.klusterletConfig(to));
}

// ---- Rollbacking ---------------------------------------------------------------------------------

/** The stage whose failure is being undone decides how much there is to undo. */
export type FailedStage = 'Initializing' | 'Deploying' | 'Registering';

const BEFORE_REGISTERED: ClusterState[] = [
  'Pending',
  'Initialized',
  'Deployed',
  'Registering',
  'RollingBack',
  'Failed',
];

export async function rollbacking(ctx: PhaseContext, stage: FailedStage): Promise<PhaseOutcome> {
  const { from, to } = ctx.m.spec;
  // Everything not registered on the target goes back; registered clusters stay (a partial migration).
  const undo = ctx.progress.inState(...BEFORE_REGISTERED);
  for (const c of undo) ctx.progress.update(c, { state: 'RollingBack' });
  await ctx.report(
    `Rolling back ${undo.length} cluster(s) (failed in ${stage}): target ${to} first`,
  );
  // Target first: the clusters' objects (safely), then the migration's access, which revokes the
  // bootstrap token so the klusterlets fall back to the source.
  const errors = new Map<string, string>();
  if (stage !== 'Initializing') {
    for (const [c, e] of await forEachCluster(
      ctx,
      ctx.target,
      undo,
      (c, reads) =>
        removeClusterSafely(ctx.target, c, {
          deleteNamespace: true,
          deleteManagedCluster: true,
          reads,
        }),
      false,
    ))
      errors.set(c, `target: ${e}`);
  }
  const accessProblems = await removeMigrationAccess(ctx);
  // Then the source.
  await ctx.report(`Rolling back ${undo.length} cluster(s) on the source ${from}`);
  for (const [c, e] of await forEachCluster(ctx, ctx.source, undo, async (c, reads) => {
    const mc = await ctx.source.mergePatch(R.managedCluster, c, {
      metadata: {
        annotations: {
          [ANNOTATION.klusterletConfig]: null,
          [ANNOTATION.migrating]: null,
          [ANNOTATION.disableAutoImport]: null,
        },
      },
    });
    await unpauseZtp(ctx.source, c, reads);
    // Only while the source still denies the cluster: the lease goes before it is accepted again,
    // so an accepted one already had it. Re-deleting the lease of a cluster that is back (a
    // rollback resumed after a restart, or one never denied) turns it Unknown for a while, after
    // the wait below has already read it Available (found by crash.test.ts).
    const denied =
      stage === 'Registering' &&
      (mc?.spec as { hubAcceptsClient?: boolean } | undefined)?.hubAcceptsClient === false;
    if (denied) {
      // A fresh lease lets the klusterlet reconnect at once (ACM-23842).
      await ctx.source.delete(R.lease, CLUSTER_LEASE, c);
      await ctx.source.mergePatch(R.managedCluster, c, { spec: { hubAcceptsClient: true } });
    }
  }))
    errors.set(c, `${errors.get(c) ? `${errors.get(c)}; ` : ''}source: ${e}`);
  const otherMigrationUses =
    ctx.progress.inState('Registered').length > 0 && ctx.progress.inState('Cleaned').length === 0;
  if (!otherMigrationUses)
    await removeSourceBootstrap(ctx).catch((e: unknown) =>
      accessProblems.push(`source bootstrap: ${e instanceof Error ? e.message : String(e)}`),
    );
  // Back on the source: wait until each cluster's klusterlet renews its lease there again, then
  // until the cluster is Available. The conditions alone are no proof: the source's may still be
  // those from before the switch (Available until the lease's grace period runs out), and read
  // alone they declared clusters back seconds before their klusterlets were.
  if (stage === 'Registering') {
    const candidates = undo.filter((c) => !errors.has(c));
    const noLease = await waitForClusters(
      ctx,
      ctx.source,
      new Set(candidates),
      (lease) => lease !== undefined,
      () => undefined,
      (n) => `Waiting for ${n} klusterlet(s) to reconnect to ${from}`,
      {
        res: R.lease,
        clusterOf: (l) => (l.metadata.name === CLUSTER_LEASE ? l.metadata.namespace : undefined),
      },
    );
    const notAvailable = await waitForClusters(
      ctx,
      ctx.source,
      new Set(candidates.filter((c) => !noLease.has(c))),
      isRegistered,
      (c) => ctx.progress.update(c, { state: 'RolledBack', hub: from }),
      (n) => `Waiting for ${n} cluster(s) to be Available on ${from} again`,
    );
    for (const c of noLease)
      errors.set(c, `its klusterlet did not reconnect to ${from} before the rollback timeout`);
    for (const c of notAvailable)
      errors.set(c, `not Available on ${from} again before the rollback timeout`);
  } else {
    for (const c of undo)
      if (!errors.has(c)) ctx.progress.update(c, { state: 'RolledBack', hub: from });
  }
  for (const [c, e] of errors) ctx.progress.update(c, { state: 'Failed', error: e });
  if (errors.size || accessProblems.length) {
    await reportErrors(ctx, 'Rollbacking', errors);
    const manual = `Manual intervention required: on ${from} remove the annotations ${ANNOTATION.migrating} and ${ANNOTATION.klusterletConfig} from the clusters listed, and ${ANNOTATION.cdPause} from their ClusterDeployments; on ${to} delete what is left of them.`;
    const detail = [...[...errors].map(([c, e]) => `${c}: ${e}`), ...accessProblems]
      .slice(0, 20)
      .join('; ');
    return {
      ok: false,
      reason: 'Error',
      message: `${stage} rollback failed for ${errors.size} cluster(s): ${detail}. ${manual}`,
    };
  }
  // Counted from the progress, not from this run's `undo`: a rollback resumed after a restart
  // skips the clusters it had already put back, and would say "rollback of 0 cluster(s)".
  return {
    ok: true,
    message: `${stage} rollback of ${ctx.progress.inState('RolledBack').length} cluster(s) completed successfully; they are back on ${from}`,
  };
}
