// Routes about migrations and plans. Reads come from the watched state; every change a user asks
// for (create, rollback, approve, delete) is made on the global hub with the user's own token, so
// the hub's RBAC has the last word.
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { listOrEmpty } from '../engine/validation.js';
import type { Migration } from '../engine/types.js';
import { ANNOTATION, PLAN } from '../engine/types.js';
import { HubError } from '../hubs/hub-client.js';
import type { KubeObject } from '../hubs/hub-client.js';
import { R } from '../hubs/resources.js';
import type { Authorizer, Caller } from './auth.js';
import type {
  ClusterDetail,
  ClusterPage,
  ClusterRow,
  ClusterState,
  CreatePlanResult,
  HealthReport,
  MigrationEvent,
  MigrationSummary,
  PlanSummary,
} from './contract.js';
import { ApiFailure, fromHubError, notFound } from './errors.js';
import {
  readChoice,
  readCreateMigration,
  readFollowUp,
  readPaging,
  readPlan,
  readText,
  MAX_CLUSTERS,
} from './input.js';
import type { HubInventory } from './inventory.js';
import { availabilityOf, ciCompleted } from './inventory.js';
import type { Route } from './routes.js';
import { param } from './routes.js';
import type { MigrationState } from './state.js';
import { CLUSTER_STATES, detail, estimate, planMetadata, zeroCounts } from './views.js';

export interface MigrationRouteDeps {
  auth: Authorizer;
  state: MigrationState;
  inventory: HubInventory;
  migrationNamespace: string;
}

type Verb = 'get' | 'list' | 'create' | 'patch' | 'delete';

const MOVED: readonly ClusterState[] = ['Registered', 'Cleaned'];
const NOT_MOVED: readonly ClusterState[] = ['Failed', 'RolledBack'];

export function migrationRoutes(d: MigrationRouteDeps): Route[] {
  const may = (caller: Caller, verb: Verb, namespace: string, what: string) =>
    d.auth.require(
      caller,
      { verb, group: R.migration.group, resource: R.migration.plural, namespace },
      what,
    );

  /** The migration named by the path, after checking the caller may `verb` it. */
  const target = async (
    req: Request,
    caller: Caller,
    verb: Verb,
    what: string,
  ): Promise<Migration> => {
    const namespace = param(req, 'namespace');
    const name = param(req, 'name');
    if (!d.state.namespaces.includes(namespace))
      throw notFound(
        `Namespace ${namespace} (migrations are watched in ${d.state.namespaces.join(', ')})`,
      );
    await may(caller, verb, namespace, what);
    const m = d.state.migration(namespace, name);
    if (!m) throw notFound(`Migration ${namespace}/${name}`);
    return m;
  };

  const visibleNamespaces = async (caller: Caller): Promise<string[]> => {
    const out = await d.auth.migrationNamespaces(caller, d.state.namespaces);
    if (out.length === 0)
      throw new ApiFailure(
        403,
        'Forbidden',
        `You are not allowed to see migrations: it needs "list" on managedclustermigrations.${R.migration.group} in ${d.state.namespaces.join(' or ')}. Ask a cluster administrator for that permission.`,
      );
    return out;
  };

  /** Creates a migration as the caller and answers its summary. */
  const createAs = async (
    caller: Caller,
    obj: Migration,
    doing: string,
  ): Promise<MigrationSummary> => {
    try {
      const created = (await d.auth.clientFor(caller).create(R.migration, obj)) as Migration;
      return d.state.summarize(created);
    } catch (e) {
      throw e instanceof HubError ? fromHubError(e, doing) : e;
    }
  };

  const patchAs = async (
    caller: Caller,
    m: Migration,
    patch: Record<string, unknown>,
    doing: string,
  ) => {
    try {
      return (await d.auth
        .clientFor(caller)
        .mergePatch(R.migration, m.metadata.name, patch, m.metadata.namespace)) as Migration;
    } catch (e) {
      throw e instanceof HubError ? fromHubError(e, doing) : e;
    }
  };

  const rowsOf = (m: Migration) => d.state.rows(m.metadata.namespace ?? '', m.metadata.name);

  const filteredRows = (req: Request, m: Migration): ClusterRow[] => {
    const q = req.query as Record<string, unknown>;
    const rawStates = q.state;
    const states = new Set<string>();
    for (const s of (Array.isArray(rawStates)
      ? rawStates
      : rawStates
        ? [rawStates]
        : []) as unknown[])
      for (const part of String(s).split(',')) if (part) states.add(part);
    const bad = [...states].filter((s) => !(CLUSTER_STATES as readonly string[]).includes(s));
    if (bad.length)
      throw new ApiFailure(422, 'Invalid', `Unknown cluster state ${bad.join(', ')}.`, {
        state: `must be among ${CLUSTER_STATES.join(', ')}`,
      });
    const hub = readText(q, 'hub');
    const search = readText(q, 'search')?.toLowerCase();
    const errorOnly = readChoice(q, 'error', ['true', 'false'] as const) === 'true';
    const sort = readChoice(q, 'sort', ['name', 'state', 'hub', 'updated'] as const);
    const order = readChoice(q, 'order', ['asc', 'desc'] as const) ?? 'asc';
    const rows = rowsOf(m).filter(
      (r) =>
        (states.size === 0 || states.has(r.state)) &&
        (!hub || r.hub === hub) &&
        (!search || r.name.includes(search) || (r.error ?? '').toLowerCase().includes(search)) &&
        (!errorOnly || Boolean(r.error)),
    );
    if (sort) {
      const dir = order === 'asc' ? 1 : -1;
      const rank = (s: ClusterState) => CLUSTER_STATES.indexOf(s);
      rows.sort(
        (a, b) =>
          dir *
            (sort === 'state'
              ? rank(a.state) - rank(b.state)
              : sort === 'hub'
                ? a.hub.localeCompare(b.hub)
                : sort === 'updated'
                  ? a.updated.localeCompare(b.updated)
                  : 0) || dir * a.name.localeCompare(b.name),
      );
    } else if (order === 'desc') rows.reverse();
    return rows;
  };

  const newMigration = (input: {
    name?: string;
    from: string;
    to: string;
    clusters?: string[];
    placement?: string;
    stageTimeout?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }): Migration => ({
    apiVersion: `${R.migration.group}/${R.migration.version}`,
    kind: 'ManagedClusterMigration',
    metadata: {
      name:
        input.name ??
        `${input.from}-to-${input.to}-${randomBytes(3).toString('hex')}`.slice(0, 200),
      namespace: d.migrationNamespace,
      ...(input.labels ? { labels: input.labels } : {}),
      ...(input.annotations ? { annotations: input.annotations } : {}),
    },
    spec: {
      from: input.from,
      to: input.to,
      ...(input.clusters ? { includedManagedClusters: input.clusters } : {}),
      ...(input.placement ? { includedManagedClustersPlacementRef: input.placement } : {}),
      ...(input.stageTimeout ? { supportedConfigs: { stageTimeout: input.stageTimeout } } : {}),
    },
  });

  return [
    {
      method: 'get',
      path: '/migrations',
      handle: async (req, res, caller) => {
        const q = req.query as Record<string, unknown>;
        const namespaces = await visibleNamespaces(caller);
        const plan = readText(q, 'plan');
        const items = namespaces
          .flatMap((ns) => d.state.migrations(ns))
          .filter((m) => !plan || m.metadata.labels?.[PLAN.label] === plan)
          .map((m) => d.state.summarize(m))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name));
        res.json({ items });
      },
    },
    {
      method: 'post',
      path: '/migrations',
      handle: async (req, res, caller) => {
        const input = readCreateMigration(req.body);
        await may(caller, 'create', d.migrationNamespace, 'create migrations');
        res.status(201).json(await createAs(caller, newMigration(input), 'create the migration'));
      },
    },
    {
      method: 'get',
      path: '/migrations/:namespace/:name',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'get', 'see this migration');
        res.json(
          detail(
            m,
            d.state.progressOf(m.metadata.namespace ?? '', m.metadata.name),
            d.state.migrations(m.metadata.namespace),
          ),
        );
      },
    },
    {
      method: 'delete',
      path: '/migrations/:namespace/:name',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'delete', 'delete this migration');
        try {
          await d.auth.clientFor(caller).delete(R.migration, m.metadata.name, m.metadata.namespace);
        } catch (e) {
          throw e instanceof HubError ? fromHubError(e, 'delete the migration') : e;
        }
        const summary = d.state.summarize(m);
        res.status(202).json({ ...summary, deleting: true });
      },
    },
    {
      method: 'post',
      path: '/migrations/:namespace/:name/rollback',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'patch', 'roll back this migration');
        const s = d.state.summarize(m);
        if (!s.actions.rollback)
          throw new ApiFailure(
            409,
            'Conflict',
            s.phase === 'Cleaning' || s.phase === 'Completed'
              ? 'The clusters have already moved: use "Migrate back" to return them to the source hub.'
              : `A migration in phase ${s.phase} cannot be rolled back.`,
          );
        const patched = await patchAs(
          caller,
          m,
          { metadata: { annotations: { [ANNOTATION.request]: 'rollback' } } },
          'roll back the migration',
        );
        res.json(d.state.summarize(patched));
      },
    },
    {
      method: 'post',
      path: '/migrations/:namespace/:name/approve',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'patch', 'approve this batch');
        const s = d.state.summarize(m);
        if (!s.actions.approve)
          throw new ApiFailure(
            409,
            'Conflict',
            'This migration is not a batch waiting for approval.',
          );
        const user = await d.auth.user(caller);
        const patched = await patchAs(
          caller,
          m,
          {
            metadata: {
              annotations: { [PLAN.approved]: `${user} at ${new Date().toISOString()}` },
            },
          },
          'approve the batch',
        );
        res.json(d.state.summarize(patched));
      },
    },
    {
      method: 'post',
      path: '/migrations/:namespace/:name/retry-failed',
      handle: async (req, res, caller) => {
        const input = readFollowUp(req.body);
        const m = await target(req, caller, 'get', 'see this migration');
        await may(caller, 'create', d.migrationNamespace, 'create migrations');
        const s = d.state.summarize(m);
        const failed = rowsOf(m)
          .filter((r) => NOT_MOVED.includes(r.state))
          .map((r) => r.name);
        if (!s.actions.retryFailed || failed.length === 0)
          throw new ApiFailure(
            409,
            'Conflict',
            'This migration has no failed clusters to retry (or is still running).',
          );
        const obj = newMigration({
          name:
            input.name ??
            `${m.metadata.name.slice(0, 180)}-retry-${randomBytes(2).toString('hex')}`,
          from: m.spec.from,
          to: m.spec.to,
          clusters: failed.slice(0, MAX_CLUSTERS),
          stageTimeout: input.stageTimeout ?? m.spec.supportedConfigs?.stageTimeout,
        });
        res.status(201).json(await createAs(caller, obj, 'create the retry migration'));
      },
    },
    {
      method: 'post',
      path: '/migrations/:namespace/:name/migrate-back',
      handle: async (req, res, caller) => {
        const input = readFollowUp(req.body);
        const m = await target(req, caller, 'get', 'see this migration');
        await may(caller, 'create', d.migrationNamespace, 'create migrations');
        const s = d.state.summarize(m);
        const moved = rowsOf(m)
          .filter((r) => MOVED.includes(r.state))
          .map((r) => r.name);
        if (!s.actions.migrateBack || moved.length === 0)
          throw new ApiFailure(
            409,
            'Conflict',
            'Only a finished migration that moved clusters can be migrated back.',
          );
        const obj = newMigration({
          name:
            input.name ?? `${m.metadata.name.slice(0, 180)}-back-${randomBytes(2).toString('hex')}`,
          from: m.spec.to,
          to: m.spec.from,
          clusters: moved,
          stageTimeout: input.stageTimeout ?? m.spec.supportedConfigs?.stageTimeout,
        });
        res.status(201).json(await createAs(caller, obj, 'create the migrate-back migration'));
      },
    },
    {
      method: 'get',
      path: '/migrations/:namespace/:name/clusters',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'get', 'see this migration');
        const { offset, limit } = readPaging(req.query);
        const rows = filteredRows(req, m);
        const counts = zeroCounts();
        for (const r of rowsOf(m)) counts[r.state]++;
        const page: ClusterPage = {
          items: rows.slice(offset, offset + limit),
          total: rows.length,
          offset,
          limit,
          counts,
        };
        res.json(page);
      },
    },
    {
      method: 'get',
      path: '/migrations/:namespace/:name/clusters.csv',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'get', 'see this migration');
        const rows = filteredRows(req, m);
        const lines = ['cluster,state,hub,error,started,updated'];
        for (const r of rows)
          lines.push(
            [r.name, r.state, r.hub, r.error ?? '', r.started ?? '', r.updated]
              .map(csvCell)
              .join(','),
          );
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="${m.metadata.name}-clusters.csv"`,
        );
        res.send(`${lines.join('\r\n')}\r\n`);
      },
    },
    {
      method: 'get',
      path: '/migrations/:namespace/:name/clusters/:cluster',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'get', 'see this migration');
        const cluster = param(req, 'cluster');
        const row = rowsOf(m).find((r) => r.name === cluster);
        if (!row) throw notFound(`Cluster ${cluster} in migration ${m.metadata.name}`);
        const objects: ClusterDetail['objects'] = [];
        for (const hub of [m.spec.from, m.spec.to]) {
          try {
            const client = await d.inventory.client(hub);
            const mc = await client.get(R.managedCluster, cluster);
            if (mc) objects.push({ hub, kind: 'ManagedCluster', name: cluster });
            const kinds = [
              R.clusterDeployment,
              R.bareMetalHost,
              R.imageClusterInstall,
              R.klusterletAddonConfig,
              R.clusterInstance,
            ];
            const lists = await Promise.all(kinds.map((k) => listOrEmpty(client, k, cluster)));
            lists.forEach((items, i) => {
              for (const o of items)
                objects.push({
                  hub,
                  kind: kinds[i].kind,
                  namespace: cluster,
                  name: o.metadata.name,
                });
            });
          } catch {
            // A hub that cannot be read contributes nothing; the row's hub still says where it is.
          }
        }
        const body: ClusterDetail = { ...row, objects };
        res.json(body);
      },
    },
    {
      method: 'get',
      path: '/migrations/:namespace/:name/health',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'get', 'see this migration');
        res.json(await health(d, m, rowsOf(m)));
      },
    },
    {
      method: 'get',
      path: '/migrations/:namespace/:name/events',
      handle: async (req, res, caller) => {
        const m = await target(req, caller, 'get', 'see this migration');
        await d.auth.require(
          caller,
          { verb: 'list', group: '', resource: 'events', namespace: m.metadata.namespace },
          'see the events of this migration',
        );
        const events = await listOrEmpty(d.auth.clientFor(caller), R.event, m.metadata.namespace);
        const items: MigrationEvent[] = events
          .filter((e) => {
            const io = e.involvedObject as
              { uid?: string; name?: string; kind?: string } | undefined;
            return (
              io?.kind === 'ManagedClusterMigration' &&
              (io.uid === m.metadata.uid || (!io.uid && io.name === m.metadata.name))
            );
          })
          .map((e): MigrationEvent => {
            const text = (v: unknown) => (typeof v === 'string' ? v : '');
            const first = text(e.firstTimestamp) || text(e.eventTime);
            return {
              type: e.type === 'Warning' ? 'Warning' : 'Normal',
              reason: text(e.reason),
              message: text(e.message),
              count: typeof e.count === 'number' ? e.count : 1,
              firstTimestamp: first,
              lastTimestamp: text(e.lastTimestamp) || first,
            };
          })
          .sort((a, b) => a.lastTimestamp.localeCompare(b.lastTimestamp));
        res.json({ items });
      },
    },
    {
      method: 'get',
      path: '/plans',
      handle: async (_req, res, caller) => {
        const namespaces = await visibleNamespaces(caller);
        const groups = new Map<string, Migration[]>();
        for (const ns of namespaces)
          for (const m of d.state.migrations(ns)) {
            const plan = m.metadata.labels?.[PLAN.label];
            if (!plan) continue;
            const k = `${ns}/${plan}`;
            groups.set(k, [...(groups.get(k) ?? []), m]);
          }
        const items = [...groups.entries()].map(([k, ms]) => planSummary(k, ms, d.state));
        res.json({ items });
      },
    },
    {
      method: 'post',
      path: '/plans',
      handle: async (req, res, caller) => {
        const input = readPlan(req.body);
        await may(caller, 'create', d.migrationNamespace, 'create migrations');
        const existing = d.state
          .migrations(d.migrationNamespace)
          .filter((m) => m.metadata.labels?.[PLAN.label] === input.name);
        if (existing.length > 0)
          throw new ApiFailure(
            409,
            'Conflict',
            `A plan named ${input.name} already exists; choose another name.`,
            {
              name: 'already used by another plan',
            },
          );
        const batches: string[][] = [];
        for (let i = 0; i < input.clusters.length; i += input.batchSize)
          batches.push(input.clusters.slice(i, i + input.batchSize));
        const migrations: MigrationSummary[] = [];
        // Batches are created in order so that creation times (the engine's queue order) follow them.
        for (const [i, clusters] of batches.entries()) {
          const meta = planMetadata(
            input.name,
            i + 1,
            batches.length,
            input.approvalBetweenBatches && i > 0,
          );
          migrations.push(
            await createAs(
              caller,
              newMigration({
                name: `${input.name}-${i + 1}`,
                from: input.from,
                to: input.to,
                clusters,
                stageTimeout: input.stageTimeout,
                ...meta,
              }),
              `create batch ${i + 1} of the plan`,
            ),
          );
        }
        const body: CreatePlanResult = { plan: input.name, migrations };
        res.status(201).json(body);
      },
    },
  ];
}

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function planSummary(key: string, ms: Migration[], state: MigrationState): PlanSummary {
  const [namespace, name] = key.split('/');
  const sorted = [...ms].sort(
    (a, b) =>
      Number(a.metadata.annotations?.[PLAN.batch] ?? 0) -
      Number(b.metadata.annotations?.[PLAN.batch] ?? 0),
  );
  const counts = zeroCounts();
  let total = 0;
  let completedBatches = 0;
  let eta: number | undefined;
  let unknownEta = false;
  const summaries = sorted.map((m) => state.summarize(m));
  // Seconds per cluster from finished batches: the estimate for batches not yet started.
  let doneSeconds = 0;
  let doneClusters = 0;
  for (const [i, s] of summaries.entries()) {
    for (const st of CLUSTER_STATES) counts[st] += s.counts[st];
    total += s.total;
    if (s.phase === 'Completed') completedBatches++;
    if (s.finishedAt && s.startedAt) {
      doneSeconds += (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
      doneClusters += s.total;
    }
    if (s.outcome === 'Running') {
      const e = estimate(
        sorted[i],
        state.progressOf(namespace, sorted[i].metadata.name),
      ).etaSeconds;
      if (e === undefined) unknownEta = true;
      else eta = (eta ?? 0) + e;
    }
  }
  const waiting = summaries.filter((s) => s.phase === 'Pending');
  if (waiting.length > 0) {
    if (doneClusters === 0) unknownEta = true;
    else eta = (eta ?? 0) + waiting.reduce((n, s) => n + s.total, 0) * (doneSeconds / doneClusters);
  }
  const outcomes = summaries.map((s) => s.outcome);
  const outcome = outcomes.includes('Running')
    ? 'Running'
    : outcomes.every((o) => o === 'Completed')
      ? 'Completed'
      : outcomes.includes('Queued')
        ? outcomes.some((o) => o === 'Failed' || o === 'Partial' || o === 'RolledBack')
          ? 'Failed'
          : 'Queued'
        : outcomes.includes('Partial') || outcomes.includes('Completed')
          ? 'Partial'
          : outcomes.includes('Failed')
            ? 'Failed'
            : 'RolledBack';
  return {
    name,
    namespace,
    from: sorted[0]?.spec.from ?? '',
    to: sorted[0]?.spec.to ?? '',
    batches: summaries[0]?.plan?.batches ?? summaries.length,
    total,
    counts,
    completedBatches,
    outcome,
    ...(unknownEta || eta === undefined || (outcome !== 'Running' && outcome !== 'Queued')
      ? {}
      : { etaSeconds: Math.round(eta) }),
    migrations: summaries.map((s) => s.name),
  };
}

async function health(
  d: MigrationRouteDeps,
  m: Migration,
  rows: ClusterRow[],
): Promise<HealthReport> {
  const hub = m.spec.to;
  const moved = rows.filter((r) => MOVED.includes(r.state)).map((r) => r.name);
  const client = await d.inventory.client(hub);
  const [mcs, replicas, cds, cis] = await Promise.all([
    d.inventory.managedClusters(hub),
    listOrEmpty(client, R.policy, undefined, 'policy.open-cluster-management.io/root-policy'),
    listOrEmpty(client, R.clusterDeployment),
    listOrEmpty(client, R.clusterInstance),
  ]);
  const mcBy = new Map(mcs.map((mc) => [mc.metadata.name, mc]));
  const policiesBy = new Map<string, KubeObject[]>();
  for (const p of replicas) {
    const ns = p.metadata.namespace ?? '';
    policiesBy.set(ns, [...(policiesBy.get(ns) ?? []), p]);
  }
  const ztp = new Set(
    cds.filter((cd) => cd.metadata.namespace === cd.metadata.name).map((cd) => cd.metadata.name),
  );
  const ciBy = new Map<string, KubeObject>();
  for (const ci of cis)
    ciBy.set(
      (ci.spec as { clusterName?: string } | undefined)?.clusterName ?? ci.metadata.namespace ?? '',
      ci,
    );
  const started = Date.parse(
    (m.status?.conditions ?? []).find((c) => c.type === 'MigrationStarted' && c.status === 'True')
      ?.lastTransitionTime ?? '',
  );
  const report: HealthReport = {
    hub,
    checkedAt: new Date().toISOString(),
    clusters: {
      total: moved.length,
      available: 0,
      policies: { compliant: 0, nonCompliant: 0, pending: 0 },
      clusterInstances: { completed: 0, notCompleted: 0, absent: 0 },
    },
    items: [],
    checklist: [],
  };
  for (const name of moved) {
    const mc = mcBy.get(name);
    const available = availabilityOf(mc);
    if (available === 'True') report.clusters.available++;
    const item: HealthReport['items'][number] = { name, available };
    const avail = (
      (
        mc?.status as
          | { conditions?: { type: string; status: string; lastTransitionTime?: string }[] }
          | undefined
      )?.conditions ?? []
    ).find((c) => c.type === 'ManagedClusterConditionAvailable' && c.status === 'True');
    if (avail?.lastTransitionTime && Number.isFinite(started))
      item.secondsToAvailable = Math.max(
        0,
        (Date.parse(avail.lastTransitionTime) - started) / 1000,
      );
    const policies = policiesBy.get(name) ?? [];
    if (policies.length > 0) {
      const states = policies.map(
        (p) => (p.status as { compliant?: string } | undefined)?.compliant,
      );
      if (states.some((s) => s === 'NonCompliant')) {
        report.clusters.policies.nonCompliant++;
        item.compliant = false;
      } else if (states.every((s) => s === 'Compliant')) {
        report.clusters.policies.compliant++;
        item.compliant = true;
      } else report.clusters.policies.pending++;
    }
    if (ztp.has(name)) {
      const ci = ciBy.get(name);
      if (!ci) {
        report.clusters.clusterInstances.absent++;
        item.clusterInstance = 'absent';
      } else if (ciCompleted(ci)) {
        report.clusters.clusterInstances.completed++;
        item.clusterInstance = 'Completed';
      } else {
        report.clusters.clusterInstances.notCompleted++;
        item.clusterInstance = 'not completed';
      }
    }
    report.items.push(item);
  }
  const c = report.clusters;
  if (c.available < c.total)
    report.checklist.push(
      `${c.total - c.available} migrated clusters are not Available on ${hub} yet: check their klusterlet agents.`,
    );
  if (c.policies.nonCompliant + c.policies.pending > 0)
    report.checklist.push(
      `Policy compliance is still converging on ${hub} for ${c.policies.nonCompliant + c.policies.pending} clusters.`,
    );
  if (ztp.size > 0 && moved.some((n) => ztp.has(n))) {
    report.checklist.push(
      'In Git, suppress the BareMetalHost and ImageClusterInstall of each migrated ClusterInstance (so they are not re-created).',
      `Apply the ClusterInstance applications (GitOps) to ${hub}.`,
    );
  }
  report.checklist.push(
    `Remove the migrated clusters from any automation that still targets ${m.spec.from}.`,
  );
  return report;
}
