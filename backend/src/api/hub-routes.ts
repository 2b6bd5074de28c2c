// Routes about hubs and their clusters: the wizard's first two steps, and the dry run.
import type { ValidationResult as EngineResult, VersionPolicy } from '../engine/validation.js';
import { DEFAULT_VERSION_POLICY, isClusterName, validateMigration } from '../engine/validation.js';
import type { HubRegistry } from '../hubs/registry.js';
import { R } from '../hubs/resources.js';
import type { Authorizer, Caller } from './auth.js';
import type { HubCluster, Page, ReconcileResult, ValidationResult } from './contract.js';
import { ApiFailure } from './errors.js';
import {
  readChoice,
  readPaging,
  readPreview,
  readReconcile,
  readText,
  readValidate,
} from './input.js';
import type { HubInventory } from './inventory.js';
import type { Route } from './routes.js';
import { param } from './routes.js';
import { matches, parseSelector } from './selectors.js';

export interface HubRouteDeps {
  auth: Authorizer;
  inventory: HubInventory;
  registry: HubRegistry;
  migrationNamespace: string;
  versionPolicy?: VersionPolicy;
}

export function hubRoutes(d: HubRouteDeps): Route[] {
  const mayListHubs = (caller: Caller) =>
    d.auth.require(
      caller,
      { verb: 'list', group: R.managedCluster.group, resource: R.managedCluster.plural },
      'see the hubs and their clusters',
    );
  const hubParam = (raw: string) => {
    if (!isClusterName(raw)) throw new ApiFailure(404, 'NotFound', `"${raw}" is not a hub name.`);
    return raw;
  };

  return [
    {
      method: 'get',
      path: '/hubs',
      handle: async (_req, res, caller) => {
        await mayListHubs(caller);
        res.json({ items: await d.inventory.listHubs() });
      },
    },
    {
      method: 'get',
      path: '/hubs/:hub/clusters',
      handle: async (req, res, caller) => {
        await mayListHubs(caller);
        const hub = hubParam(param(req, 'hub'));
        const q = req.query as Record<string, unknown>;
        const { offset, limit } = readPaging(q);
        const search = readText(q, 'search')?.toLowerCase();
        const available = readChoice(q, 'available', ['True', 'False', 'Unknown'] as const);
        const ztp = readChoice(q, 'ztp', ['true', 'false'] as const);
        const clusterSet = readText(q, 'clusterSet');
        const label = readText(q, 'label', 2000);
        const selector = label ? parseSelector(label) : undefined;
        const sort = readChoice(q, 'sort', ['name', 'available'] as const) ?? 'name';
        const order = readChoice(q, 'order', ['asc', 'desc'] as const) ?? 'asc';
        let items = await d.inventory.hubClusters(hub);
        items = items.filter(
          (c) =>
            (!search || c.name.includes(search)) &&
            (!available || c.available === available) &&
            (!ztp || String(c.ztp) === ztp) &&
            (!clusterSet || c.clusterSet === clusterSet) &&
            (!selector || matches(selector, c.labels)),
        );
        const dir = order === 'asc' ? 1 : -1;
        items.sort(
          (a, b) =>
            dir *
            (sort === 'available'
              ? a.available.localeCompare(b.available) || a.name.localeCompare(b.name)
              : a.name.localeCompare(b.name)),
        );
        const page: Page<HubCluster> = {
          items: items.slice(offset, offset + limit),
          total: items.length,
          offset,
          limit,
        };
        res.json(page);
      },
    },
    {
      method: 'post',
      path: '/hubs/:hub/clusters/reconcile',
      handle: async (req, res, caller) => {
        await mayListHubs(caller);
        const hub = hubParam(param(req, 'hub'));
        const input = readReconcile(req.body);
        const source = new Set(
          (await d.inventory.managedClusters(hub)).map((m) => m.metadata.name),
        );
        const target = input.target
          ? new Set((await d.inventory.managedClusters(input.target)).map((m) => m.metadata.name))
          : new Set<string>();
        const out: ReconcileResult = {
          found: [],
          unknown: [],
          onTarget: [],
          duplicates: [],
          invalid: [],
        };
        const seen = new Set<string>();
        const dup = new Set<string>();
        for (const raw of input.names) {
          const name = raw.trim();
          if (!name) continue;
          if (seen.has(name)) {
            if (!dup.has(name)) out.duplicates.push(name);
            dup.add(name);
            continue;
          }
          seen.add(name);
          if (!isClusterName(name)) out.invalid.push(name);
          else if (target.has(name)) out.onTarget.push(name);
          else if (source.has(name)) out.found.push(name);
          else out.unknown.push(name);
        }
        res.json(out);
      },
    },
    {
      method: 'get',
      path: '/hubs/:hub/placements',
      handle: async (req, res, caller) => {
        await mayListHubs(caller);
        res.json({ items: await d.inventory.placements(hubParam(param(req, 'hub'))) });
      },
    },
    {
      method: 'post',
      path: '/hubs/:hub/placement-preview',
      handle: async (req, res, caller) => {
        await mayListHubs(caller);
        const hub = hubParam(param(req, 'hub'));
        res.json(await d.inventory.preview(hub, readPreview(req.body)));
      },
    },
    {
      method: 'post',
      path: '/validate',
      handle: async (req, res, caller) => {
        const input = readValidate(req.body);
        await d.auth.require(
          caller,
          {
            verb: 'create',
            group: R.migration.group,
            resource: R.migration.plural,
            namespace: d.migrationNamespace,
          },
          'validate a migration',
        );
        const result: EngineResult = await validateMigration(
          {
            from: input.from,
            to: input.to,
            clusters: input.clusters,
            placementRef: input.placement,
          },
          {
            registry: d.registry,
            migrationsNamespace: d.migrationNamespace,
            policy: d.versionPolicy ?? DEFAULT_VERSION_POLICY,
          },
        );
        const body: ValidationResult = result;
        res.json(body);
      },
    },
  ];
}
