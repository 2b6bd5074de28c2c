// The BFF's HTTP application: security headers, body limits, CSRF, the JSON API under /api/v1,
// the event stream, health/readiness/metrics, and the plugin assets under /plugin/.
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log.js';
import type { HubRegistry } from '../hubs/registry.js';
import { R } from '../hubs/resources.js';
import type { Authorizer } from './auth.js';
import { callerOf } from './auth.js';
import type { Me } from './contract.js';
import { API_BASE } from './contract.js';
import { ApiFailure, errorHandler, unknownRoute } from './errors.js';
import { hubRoutes } from './hub-routes.js';
import type { HubInventory } from './inventory.js';
import type { Metrics } from './metrics.js';
import { migrationRoutes } from './migration-routes.js';
import type { Route } from './routes.js';
import type { MigrationState } from './state.js';
import { pluginAssets } from './static.js';
import type { StreamBroker } from './stream.js';
import type { VersionPolicy } from '../engine/validation.js';
import { readText } from './input.js';

export const BODY_LIMIT = '2mb';

export interface ApiDeps {
  log: Logger;
  registry: HubRegistry;
  auth: Authorizer;
  state: MigrationState;
  inventory: HubInventory;
  stream: StreamBroker;
  metrics: Metrics;
  migrationNamespace: string;
  engineEnabled: boolean;
  versionPolicy?: VersionPolicy;
  /** Folder of the built plugin (plugin-manifest.json and its chunks). */
  pluginAssetsDir: string;
  leader: () => boolean;
  /** Extra readiness checks (e.g. the hub registry answered at least once). */
  readiness: () => Record<string, boolean>;
  /** Set on HTTPS: adds Strict-Transport-Security. */
  https?: boolean;
}

/** Every API route, in the order they are matched. */
export function apiRoutes(d: ApiDeps): Route[] {
  const me: Route = {
    method: 'get',
    path: '/me',
    handle: async (_req, res, caller) => {
      const ns = d.migrationNamespace;
      const mig = { group: R.migration.group, resource: R.migration.plural, namespace: ns };
      const [user, list, create, patch, del, hubs] = await Promise.all([
        d.auth.user(caller),
        d.auth.allowed(caller, { verb: 'list', ...mig }),
        d.auth.allowed(caller, { verb: 'create', ...mig }),
        d.auth.allowed(caller, { verb: 'patch', ...mig }),
        d.auth.allowed(caller, { verb: 'delete', ...mig }),
        d.auth.allowed(caller, {
          verb: 'list',
          group: R.managedCluster.group,
          resource: R.managedCluster.plural,
        }),
      ]);
      const body: Me = {
        user,
        migrationNamespace: ns,
        can: {
          listMigrations: list,
          createMigrations: create,
          updateMigrations: patch,
          deleteMigrations: del,
          listHubs: hubs,
        },
        engineEnabled: d.engineEnabled,
      };
      res.json(body);
    },
  };
  const stream: Route = {
    method: 'get',
    path: '/stream',
    handle: async (req, res, caller) => {
      const migration = readText(req.query, 'migration', 300);
      if (migration !== undefined && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(migration))
        throw new ApiFailure(422, 'Invalid', 'migration must be <namespace>/<name>.', {
          migration: 'must be <namespace>/<name>',
        });
      // Fail early (403) for a caller who can see no migrations at all.
      const allowed = await d.auth.migrationNamespaces(caller, d.state.namespaces);
      if (allowed.length === 0)
        throw new ApiFailure(
          403,
          'Forbidden',
          'You are not allowed to see migrations, so there is nothing to stream.',
        );
      await d.stream.serve(req, res, caller, migration);
    },
  };
  return [
    me,
    ...hubRoutes({
      auth: d.auth,
      inventory: d.inventory,
      registry: d.registry,
      migrationNamespace: d.migrationNamespace,
      versionPolicy: d.versionPolicy,
    }),
    ...migrationRoutes({
      auth: d.auth,
      state: d.state,
      inventory: d.inventory,
      migrationNamespace: d.migrationNamespace,
    }),
    stream,
  ];
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The console sends X-CSRFToken equal to its csrf-token cookie; a cross-site form cannot set it. */
function csrf(req: Request, _res: Response, next: NextFunction): void {
  if (!MUTATING.has(req.method)) {
    next();
    return;
  }
  const header = req.get('x-csrftoken');
  const cookie = /(?:^|;\s*)csrf-token=([^;]+)/.exec(req.get('cookie') ?? '')?.[1];
  if (!header || (cookie !== undefined && decodeURIComponent(cookie) !== header)) {
    next(
      new ApiFailure(
        403,
        'CSRF',
        'The request lacks the console’s CSRF token: reload the page and try again.',
      ),
    );
    return;
  }
  next();
}

function requireJson(req: Request, _res: Response, next: NextFunction): void {
  const hasBody =
    Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (MUTATING.has(req.method) && hasBody && !req.is('application/json')) {
    next(new ApiFailure(415, 'UnsupportedMediaType', 'Send the request body as application/json.'));
    return;
  }
  next();
}

export function createApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (d.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const pattern = route
        ? `${req.baseUrl}${route}`
        : req.path.startsWith('/plugin/')
          ? '/plugin/*'
          : 'other';
      d.metrics.observeRequest(
        req.method,
        pattern,
        res.statusCode,
        Number(process.hrtime.bigint() - t0) / 1e9,
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const checks = { migrationWatches: d.state.ready, ...d.readiness() };
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ ready: ok, checks });
  });
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(
      d.metrics.render({
        state: d.state,
        hubs: () => d.registry.allClients(),
        stream: () => d.stream.stats(),
        leader: d.leader,
      }),
    );
  });

  app.use('/plugin', pluginAssets(d.pluginAssetsDir));

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    next();
  });
  api.use(csrf);
  api.use(requireJson);
  api.use(express.json({ limit: BODY_LIMIT, strict: false }));
  for (const route of apiRoutes(d)) {
    api[route.method](route.path, async (req, res) => {
      const caller = callerOf(req);
      await route.handle(req, res, caller);
    });
  }
  api.use(unknownRoute);
  app.use(API_BASE, api);
  app.use((req, res) => {
    res
      .status(404)
      .json({ status: 404, reason: 'NotFound', message: `Nothing is served at ${req.path}.` });
  });
  app.use(errorHandler(d.log));
  return app;
}
