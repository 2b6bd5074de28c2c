// The HTTP face of one simulated hub: the Kubernetes REST API over a ClusterState, with
// authentication, RBAC, Table output, watch streams, fault injection and request counters.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { Authenticator, Authorizer, RequestAttributes } from './auth.js';
import { rulesReviewStatus } from './auth.js';
import type { ClusterState, PatchType, WatchEvent } from './cluster.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  KUBE_VERSION,
  openApiDocument,
  openApiIndex,
} from './discovery.js';
import { ApiError, errors } from './errors.js';
import type { ResourceType } from './resources.js';
import { apiVersionOf } from './resources.js';
import {
  decodeKubeProtobuf,
  isProtobufContentType,
  PROTOBUF_CONTENT_TYPE,
  ProtobufError,
} from './protobuf.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { toTable } from './table.js';
import type { JsonObject, KubeObject, UserInfo } from './types.js';
import { isObject, kubeTime, text } from './types.js';

const MAX_BODY = 3 * 1024 * 1024;
/** A watcher whose unsent output grows past this is cut off, as kube-apiserver drops slow watchers. */
const MAX_WATCH_BUFFER = 32 * 1024 * 1024;

export interface FaultConfig {
  /** Added to every request: a fixed delay, or a uniform random one in [min, max]. */
  latencyMs?: number | { min: number; max: number };
  /** Fraction (0–1) of API requests answered with an error instead of being served. */
  errorRate?: number;
  /** Which error codes the injected failures use (default 500 and 429 alternately at random). */
  errorCodes?: (500 | 429 | 503)[];
}

export interface ApiServerOptions {
  state: ClusterState;
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** How often watchers that asked for bookmarks get one. */
  bookmarkIntervalMs?: number;
  /** Serve HTTPS with this certificate (PEM); plain HTTP without. */
  tls?: { certPem: string; keyPem: string };
}

interface ParsedPath {
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
}

export class ApiServer {
  private server?: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchClosers = new Set<() => void>();
  private port = 0;
  private host = '127.0.0.1';
  private faults: FaultConfig = {};
  private down = false;
  private readonly counts = new Map<string, number>();
  private readonly bookmarkIntervalMs: number;

  constructor(private readonly opts: ApiServerOptions) {
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 10_000;
  }

  get url(): string {
    return `${this.opts.tls ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<void> {
    this.host = host;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void this.handle(req, res);
    const tls = this.opts.tls;
    const server = tls
      ? https.createServer(
          { cert: tls.certPem, key: tls.keyPem, keepAliveTimeout: 65_000 },
          handler,
        )
      : http.createServer({ keepAliveTimeout: 65_000 }, handler);
    server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const c of [...this.watchClosers]) c();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resets every open connection (watches included) while the server keeps listening. */
  dropConnections(): void {
    for (const c of [...this.watchClosers]) c();
    for (const s of this.sockets) s.destroy();
  }

  setFaults(faults: FaultConfig): void {
    this.faults = { ...faults };
  }

  /** An outage: connections are refused (the listener closes) while the state is kept. */
  async startOutage(): Promise<void> {
    if (this.down) return;
    this.down = true;
    await this.close();
  }

  async endOutage(): Promise<void> {
    if (!this.down) return;
    this.down = false;
    await this.listen(this.port, this.host);
  }

  isDown(): boolean {
    return this.down;
  }

  /** Requests served so far, by `<verb> <resource>` (e.g. `list managedclusters.cluster.open-cluster-management.io`). */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  resetRequestCounts(): void {
    this.counts.clear();
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  // ---- request handling ----------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    try {
      await this.injectFaults(url.pathname);
      const body = await readBody(req);
      this.route(req, res, url, body);
    } catch (e) {
      // The client went away mid-request (closed its connection, or its process died): there is
      // no one to answer and nothing went wrong here.
      if (req.destroyed && !(e instanceof ApiError)) return;
      const err =
        e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
      if (!(e instanceof ApiError))
        console.error(
          JSON.stringify({
            level: 'error',
            msg: 'sim apiserver internal error',
            path: url.pathname,
            error: String(e),
            stack: e instanceof Error ? e.stack : undefined,
          }),
        );
      if (!res.headersSent)
        sendJson(res, err.code, err.toStatus(), err.code === 429 ? { 'Retry-After': '1' } : {});
      else res.end();
    }
  }

  private async injectFaults(path: string): Promise<void> {
    const { latencyMs, errorRate, errorCodes } = this.faults;
    if (latencyMs !== undefined) {
      const ms =
        typeof latencyMs === 'number'
          ? latencyMs
          : latencyMs.min + Math.random() * (latencyMs.max - latencyMs.min);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    }
    if (errorRate && path !== '/healthz' && Math.random() < errorRate) {
      const codes = errorCodes?.length ? errorCodes : [500, 429];
      const code = codes[Math.floor(Math.random() * codes.length)];
      this.count('fault injected');
      if (code === 429) throw errors.tooManyRequests();
      if (code === 503)
        throw new ApiError(
          503,
          'ServiceUnavailable',
          'the server is currently unable to handle the request',
        );
      throw errors.internal('injected fault');
    }
  }

  private authenticate(req: http.IncomingMessage): UserInfo {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const user = this.opts.authenticator.authenticate(m?.[1]);
    if (!user) throw errors.unauthorized();
    return this.impersonate(req, user);
  }

  /** `Impersonate-User`/`-Group` headers (kubectl --as/--as-group), allowed by the `impersonate` verb. */
  private impersonate(req: http.IncomingMessage, user: UserInfo): UserInfo {
    const asUser = req.headers['impersonate-user'];
    const rawGroups = req.headers['impersonate-group'];
    const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups ? [rawGroups] : []).flatMap(
      (g) => g.split(',').map((x) => x.trim()),
    );
    if (typeof asUser !== 'string' || !asUser) {
      if (groups.length)
        throw errors.badRequest('requested impersonation of groups without impersonating a user');
      return user;
    }
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asUser);
    const checks: RequestAttributes[] = [
      sa
        ? {
            verb: 'impersonate',
            apiGroup: '',
            resource: 'serviceaccounts',
            namespace: sa[1],
            name: sa[2],
          }
        : { verb: 'impersonate', apiGroup: '', resource: 'users', name: asUser },
      ...groups.map((g): RequestAttributes => ({
        verb: 'impersonate',
        apiGroup: '',
        resource: 'groups',
        name: g,
      })),
    ];
    for (const c of checks) {
      if (!this.opts.authorizer.allowed(user, c)) {
        throw errors.forbidden(
          `${c.resource} "${c.name}" is forbidden: User "${user.username}" cannot impersonate resource "${c.resource}" in API group "" ${c.namespace ? `in the namespace "${c.namespace}"` : 'at the cluster scope'}`,
          c.resource,
          '',
          c.name,
        );
      }
    }
    const implied = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
    return {
      username: asUser,
      groups: [...new Set([...groups, ...implied, 'system:authenticated'])],
    };
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): void {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (['/healthz', '/livez', '/readyz'].includes(path)) {
      this.count(`get ${path}`);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (path === '/version') {
      this.count('get /version');
      sendJson(res, 200, KUBE_VERSION);
      return;
    }
    const user = this.authenticate(req);
    const state = this.opts.state;
    if (path === '/openapi/v2') {
      this.count('get /openapi');
      sendOpenApiV2(res, req.headers.accept ?? '');
      return;
    }
    const discovery = this.discovery(path);
    if (discovery !== null) {
      this.authorize(user, { verb: 'get', apiGroup: '', resource: '', path });
      this.count(`get ${path.startsWith('/openapi') ? '/openapi' : 'discovery'}`);
      if (discovery === undefined) throw errors.unknownPath();
      sendJson(res, 200, discovery);
      return;
    }
    const parsed = parseResourcePath(path);
    if (!parsed) throw errors.unknownPath();
    const rt = state.registry.get(parsed.group, parsed.version, parsed.plural);
    if (!rt) throw errors.unknownPath();
    if (!rt.namespaced && parsed.namespace !== undefined) throw errors.unknownPath();
    if (parsed.subresource && !rt.subresources.includes(parsed.subresource))
      throw errors.unknownPath();
    const q = url.searchParams;
    const isWatch = q.get('watch') === 'true' || q.get('watch') === '1';
    const verb = verbFor(method, parsed, isWatch);
    this.count(
      `${verb} ${rt.group ? `${rt.plural}.${rt.group}` : rt.plural}${parsed.subresource ? `/${parsed.subresource}` : ''}`,
    );
    const ns = parsed.namespace;
    this.authorize(
      user,
      {
        verb,
        apiGroup: rt.group,
        resource: rt.plural,
        subresource: parsed.subresource,
        namespace: ns,
        name: parsed.name,
      },
      rt,
    );
    const dryRun = q.get('dryRun') === 'All';
    const fieldManager = q.get('fieldManager') ?? undefined;
    const fv = q.get('fieldValidation') ?? 'Warn';
    if (!['Strict', 'Warn', 'Ignore'].includes(fv))
      throw errors.badRequest(
        `fieldValidation must be one of "Ignore", "Warn" or "Strict", got "${fv}"`,
      );
    const warnings: string[] = [];
    const write = {
      dryRun,
      fieldManager,
      fieldValidation: fv as 'Strict' | 'Warn' | 'Ignore',
      warnings,
    };
    // Warnings reach the client as `Warning: 299 - "…"` headers, which kubectl prints.
    const warn = (): Record<string, string | string[]> =>
      warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
    const table = wantsTable(req.headers.accept);
    switch (verb) {
      case 'get': {
        const obj = state.mustGet(rt, ns, parsed.name!);
        const out = parsed.subresource === 'status' ? obj : obj;
        if (table)
          sendJson(
            res,
            200,
            toTable(
              rt,
              [out],
              { resourceVersion: out.metadata.resourceVersion },
              includeObjectParam(q),
            ),
          );
        else sendJson(res, 200, out);
        return;
      }
      case 'list': {
        const limit = q.has('limit') ? Number(q.get('limit')) : undefined;
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
          throw errors.badRequest(`invalid limit: ${q.get('limit')}`);
        const result = state.list(rt, ns, {
          labelSelector: parseLabelSelector(q.get('labelSelector') ?? ''),
          fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? '', state.storageOf(rt)),
          limit,
          continueToken: q.get('continue') ?? undefined,
        });
        const meta: JsonObject = { resourceVersion: result.resourceVersion };
        if (result.continueToken) meta.continue = result.continueToken;
        if (result.remainingItemCount !== undefined)
          meta.remainingItemCount = result.remainingItemCount;
        if (table) sendJson(res, 200, toTable(rt, result.items, meta, includeObjectParam(q)));
        else
          sendJson(res, 200, {
            kind: rt.listKind,
            apiVersion: apiVersionOf(rt),
            metadata: meta,
            items: result.items,
          });
        return;
      }
      case 'watch':
        this.serveWatch(req, res, rt, ns, q, table);
        return;
      case 'create': {
        const input = parseBody(req, body);
        if (rt.virtual) {
          sendJson(res, 201, this.review(rt, user, req, input, ns));
          return;
        }
        if (parsed.subresource === 'token') {
          sendJson(res, 201, this.tokenRequest(ns!, parsed.name!, input));
          return;
        }
        if (rt.group === 'certificates.k8s.io') stampRequester(input as KubeObject, user);
        const created = state.create(rt, ns, input as KubeObject, write);
        sendJson(res, 201, created, warn());
        return;
      }
      case 'update': {
        const input = parseBody(req, body) as KubeObject;
        const updated = state.update(rt, ns, parsed.name!, input, {
          ...write,
          subresource: parsed.subresource,
        });
        sendJson(res, 200, updated, warn());
        return;
      }
      case 'patch': {
        const type = patchType(req.headers['content-type']);
        const patchBody = type === 'apply' ? parseYamlOrJson(body) : parseJson(body);
        const existed = state.get(rt, ns, parsed.name!) !== undefined;
        const out = state.patch(rt, ns, parsed.name!, type, patchBody, {
          ...write,
          subresource: parsed.subresource,
          force: q.get('force') === 'true',
        });
        sendJson(res, existed ? 200 : 201, out, warn());
        return;
      }
      case 'delete': {
        const opts = body.length
          ? isProtobufContentType(req.headers['content-type'] ?? '')
            ? parseProtobuf(body)
            : parseJson(body)
          : {};
        const o = isObject(opts) ? opts : {};
        const propagation =
          typeof o.propagationPolicy === 'string'
            ? o.propagationPolicy
            : (q.get('propagationPolicy') ?? undefined);
        if (
          propagation !== undefined &&
          !['Foreground', 'Background', 'Orphan'].includes(propagation)
        ) {
          throw errors.invalid('DeleteOptions', '', '', [
            {
              field: 'propagationPolicy',
              reason: 'FieldValueNotSupported',
              message: `Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan"`,
            },
          ]);
        }
        const out = state.delete(rt, ns, parsed.name!, {
          dryRun: dryRun || (Array.isArray(o.dryRun) && o.dryRun.includes('All')),
          propagationPolicy: propagation as 'Foreground' | 'Background' | 'Orphan' | undefined,
          preconditions: isObject(o.preconditions)
            ? {
                uid: text(o.preconditions.uid) || undefined,
                resourceVersion: text(o.preconditions.resourceVersion) || undefined,
              }
            : undefined,
        });
        sendJson(res, out.metadata.deletionTimestamp ? 202 : 200, out);
        return;
      }
      case 'deletecollection': {
        const items = state.deleteCollection(rt, ns, {
          labelSelector: parseLabelSelector(q.get('labelSelector') ?? ''),
          fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? '', state.storageOf(rt)),
          dryRun,
        });
        sendJson(res, 200, {
          kind: rt.listKind,
          apiVersion: apiVersionOf(rt),
          metadata: { resourceVersion: state.currentResourceVersion() },
          items,
        });
        return;
      }
      default:
        throw errors.methodNotAllowed(method, rt.plural);
    }
  }

  private discovery(path: string): JsonObject | undefined | null {
    const registry = this.opts.state.registry;
    if (path === '/api') return apiVersions(`${this.host}:${this.port}`);
    if (path === '/apis') return apiGroupList(registry);
    if (path === '/openapi/v3') return openApiIndex(registry);
    let m = /^\/api\/([^/]+)$/.exec(path);
    if (m) return apiResourceList(registry, '', m[1]);
    m = /^\/apis\/([^/]+)$/.exec(path);
    if (m) return apiGroup(registry, m[1]);
    m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) return apiResourceList(registry, m[1], m[2]);
    m = /^\/openapi\/v3\/api\/([^/]+)$/.exec(path);
    if (m) return openApiDocument(registry, '', m[1]);
    m = /^\/openapi\/v3\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) return openApiDocument(registry, m[1], m[2]);
    if (path.startsWith('/openapi')) return undefined;
    return null;
  }

  private authorize(user: UserInfo, attrs: RequestAttributes, rt?: ResourceType): void {
    if (this.opts.authorizer.allowed(user, attrs)) return;
    if (attrs.path !== undefined) {
      throw errors.forbidden(
        `forbidden: User "${user.username}" cannot ${attrs.verb} path "${attrs.path}"`,
      );
    }
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const what = attrs.name
      ? `${rt?.group ? `${attrs.resource}.${rt.group}` : attrs.resource} "${attrs.name}"`
      : rt?.group
        ? `${attrs.resource}.${rt.group}`
        : attrs.resource;
    const scope = attrs.namespace
      ? `in the namespace "${attrs.namespace}"`
      : 'at the cluster scope';
    throw errors.forbidden(
      `${what} is forbidden: User "${user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`,
      attrs.resource,
      attrs.apiGroup,
      attrs.name,
    );
  }

  // ---- watch ---------------------------------------------------------------------------------

  private serveWatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rt: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
    table: boolean,
  ): void {
    const state = this.opts.state;
    const labelSelector = parseLabelSelector(q.get('labelSelector') ?? '');
    const fieldSelector = parseFieldSelector(q.get('fieldSelector') ?? '', state.storageOf(rt));
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const timeoutSeconds = q.has('timeoutSeconds')
      ? Number(q.get('timeoutSeconds'))
      : 1800 + Math.random() * 1800;
    const includeObject = includeObjectParam(q);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    let closed = false;
    let cancel: (() => void) | undefined;
    let lastRv = q.get('resourceVersion') ?? '';
    const timers: NodeJS.Timeout[] = [];
    const close = () => {
      if (closed) return;
      closed = true;
      cancel?.();
      timers.forEach((t) => clearTimeout(t));
      this.watchClosers.delete(close);
      res.end();
    };
    this.watchClosers.add(close);
    const write = (line: string) => {
      if (closed) return;
      res.write(line);
      if (res.writableLength > MAX_WATCH_BUFFER) close();
    };
    const send = (e: WatchEvent) => {
      lastRv = e.object.metadata.resourceVersion ?? lastRv;
      const object = table
        ? toTable(rt, [e.object], { resourceVersion: lastRv }, includeObject)
        : e.object;
      write(`${JSON.stringify({ type: e.type, object })}\n`);
    };
    try {
      cancel = state.watch(
        rt,
        {
          namespace,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          labelSelector,
          fieldSelector,
        },
        send,
      );
    } catch (e) {
      // Like kube-apiserver, a watch from a compacted version gets an ERROR event, not an HTTP error.
      const err = e instanceof ApiError ? e : errors.internal(String(e));
      write(`${JSON.stringify({ type: 'ERROR', object: err.toStatus() })}\n`);
      close();
      return;
    }
    if (bookmarks) {
      const tick = () => {
        const object = {
          kind: rt.kind,
          apiVersion: apiVersionOf(rt),
          metadata: { resourceVersion: state.currentResourceVersion() },
        };
        write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
        timers[0] = setTimeout(tick, this.bookmarkIntervalMs);
      };
      timers[0] = setTimeout(tick, this.bookmarkIntervalMs);
    }
    timers[1] = setTimeout(close, timeoutSeconds * 1000);
    req.on('close', close);
    res.on('close', close);
  }

  // ---- reviews and tokens --------------------------------------------------------------------

  private review(
    rt: ResourceType,
    user: UserInfo,
    req: http.IncomingMessage,
    input: unknown,
    namespace: string | undefined,
  ): JsonObject {
    const obj = isObject(input) ? input : {};
    const spec = isObject(obj.spec) ? obj.spec : {};
    const base = {
      kind: rt.kind,
      apiVersion: apiVersionOf(rt),
      metadata: { creationTimestamp: null, ...(namespace ? { namespace } : {}) },
      spec,
    };
    const authorizer = this.opts.authorizer;
    switch (rt.plural) {
      case 'tokenreviews': {
        const token = typeof spec.token === 'string' ? spec.token : '';
        const who = this.opts.authenticator.authenticate(token);
        return {
          ...base,
          status: who
            ? {
                authenticated: true,
                user: { username: who.username, uid: who.uid, groups: who.groups },
                audiences: this.opts.authenticator.audiencesOf(token),
              }
            : { authenticated: false, error: 'invalid bearer token' },
        };
      }
      case 'selfsubjectreviews':
        return {
          ...base,
          status: { userInfo: { username: user.username, uid: user.uid, groups: user.groups } },
        };
      case 'selfsubjectrulesreviews': {
        const ns = typeof spec.namespace === 'string' ? spec.namespace : undefined;
        if (user.groups.includes('system:masters')) {
          return {
            ...base,
            status: {
              resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
              nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
              incomplete: false,
            },
          };
        }
        return { ...base, status: rulesReviewStatus(authorizer.rulesFor(user, ns)) };
      }
      case 'selfsubjectaccessreviews':
      case 'subjectaccessreviews':
      case 'localsubjectaccessreviews': {
        let subject = user;
        if (rt.plural !== 'selfsubjectaccessreviews') {
          if (typeof spec.user !== 'string' && !Array.isArray(spec.groups)) {
            throw errors.invalid(rt.kind, rt.group, '', [
              {
                field: 'spec.user',
                reason: 'FieldValueRequired',
                message: 'Required value: at least one of user or group must be specified',
              },
            ]);
          }
          subject = {
            username: text(spec.user),
            groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
          };
        }
        const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
        const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
        if (!ra && !nra) {
          throw errors.invalid(rt.kind, rt.group, '', [
            {
              field: 'spec.resourceAttributes',
              reason: 'FieldValueRequired',
              message:
                'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
            },
          ]);
        }
        const attrs: RequestAttributes = ra
          ? {
              verb: text(ra.verb),
              apiGroup: text(ra.group),
              resource: text(ra.resource),
              subresource: text(ra.subresource) || undefined,
              namespace:
                rt.plural === 'localsubjectaccessreviews'
                  ? namespace
                  : text(ra.namespace) || undefined,
              name: text(ra.name) || undefined,
            }
          : { verb: text(nra!.verb), apiGroup: '', resource: '', path: text(nra!.path) };
        const allowed = authorizer.allowed(subject, attrs);
        void req;
        return { ...base, status: { allowed, ...(allowed ? { reason: 'allowed by RBAC' } : {}) } };
      }
      default:
        throw errors.methodNotAllowed('create', rt.plural);
    }
  }

  private tokenRequest(namespace: string, name: string, input: unknown): JsonObject {
    const state = this.opts.state;
    const sa = state.mustGet(state.rt('', 'v1', 'serviceaccounts'), namespace, name);
    const spec = isObject(input) && isObject(input.spec) ? input.spec : {};
    const requested = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
    if (requested < 600) {
      throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [
        {
          field: 'spec.expirationSeconds',
          message: 'Invalid value: may not specify a duration less than 10 minutes',
        },
      ]);
    }
    const expirationSeconds = Math.min(requested, 48 * 3600);
    const audiences =
      Array.isArray(spec.audiences) && spec.audiences.length
        ? spec.audiences.map(String)
        : ['https://kubernetes.default.svc'];
    const { token, expires } = this.opts.authenticator.mint(
      namespace,
      name,
      sa.metadata.uid!,
      expirationSeconds,
      audiences,
    );
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: kubeTime() },
      spec: { audiences, expirationSeconds },
      status: { token, expirationTimestamp: kubeTime(expires) },
    };
  }
}

// ---- helpers ------------------------------------------------------------------------------------

/** Like kube-apiserver, a CSR records who asked for it; the requester cannot choose. */
function stampRequester(csr: KubeObject, user: UserInfo): void {
  const spec = isObject(csr.spec) ? csr.spec : (csr.spec = {});
  spec.username = user.username;
  spec.groups = user.groups;
  if (user.uid) spec.uid = user.uid;
  else delete spec.uid;
}

function parseResourcePath(path: string): ParsedPath | undefined {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  // /namespaces/<ns>/<plural>/… is a namespaced request; /namespaces[/<name>[/status|finalize]] is the Namespace itself.
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(group === '' && rest.length === 3 && ['status', 'finalize'].includes(rest[2]))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3) return undefined;
  return { group, version, namespace, plural: rest[0], name: rest[1], subresource: rest[2] };
}

function verbFor(method: string, p: ParsedPath, isWatch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (p.name) return isWatch ? 'watch' : 'get';
      return isWatch ? 'watch' : 'list';
    case 'POST':
      if (p.name && !p.subresource) throw errors.methodNotAllowed('POST', p.plural);
      return 'create';
    case 'PUT':
      if (!p.name) throw errors.methodNotAllowed('PUT', p.plural);
      return 'update';
    case 'PATCH':
      if (!p.name) throw errors.methodNotAllowed('PATCH', p.plural);
      return 'patch';
    case 'DELETE':
      return p.name ? 'delete' : 'deletecollection';
    default:
      throw errors.methodNotAllowed(method, p.plural);
  }
}

function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.trim());
  const first = types.find((t) => /^application\/(json|yaml)|^\*\/\*/.test(t));
  if (!first && types.every((t) => t.startsWith('application/vnd.kubernetes.protobuf')))
    throw errors.notAcceptable();
  return !!first && /as=Table/.test(first) && /g=meta\.k8s\.io/.test(first);
}

function includeObjectParam(q: URLSearchParams): string {
  return q.get('includeObject') ?? 'Metadata';
}

function patchType(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw errors.unsupportedMediaType(ct, [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
        'application/strategic-merge-patch+json',
      ]);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(
      `error decoding from json: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** kubectl's typed commands send built-in kinds as protobuf; custom resources have no protobuf form. */
function parseProtobuf(body: Buffer): unknown {
  try {
    return decodeKubeProtobuf(body);
  } catch (e) {
    if (e instanceof ProtobufError && /not supported/.test(e.message))
      throw errors.unsupportedMediaType(PROTOBUF_CONTENT_TYPE, [
        'application/json',
        'application/yaml',
      ]);
    throw errors.badRequest(
      `error decoding protobuf: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function parseYamlOrJson(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`error decoding YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseBody(req: http.IncomingMessage, body: Buffer): unknown {
  const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim();
  if (body.length === 0) throw errors.badRequest('the request body is empty');
  let value: unknown;
  if (isProtobufContentType(ct)) value = parseProtobuf(body);
  else if (ct === 'application/yaml') value = parseYamlOrJson(body);
  else if (ct === 'application/json' || ct === '') value = parseJson(body);
  else
    throw errors.unsupportedMediaType(ct, [
      'application/json',
      'application/yaml',
      PROTOBUF_CONTENT_TYPE,
    ]);
  if (!isObject(value))
    throw errors.badRequest(
      "Object 'Kind' is missing in the request body: the body must be a JSON object",
    );
  return value;
}

/** The request body. Events rather than `for await`: an async iterator per request was a
 * measurable part of serving thousands of klusterlet heartbeats a second. */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY) {
        cleanup();
        reject(errors.tooLarge());
        req.resume(); // drain the rest without keeping it
        return;
      }
      chunks.push(b);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      // Gone before the body ended (the client vanished): what for-await reported as an error.
      if (!req.complete) onError(new Error('aborted'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * A minimal Swagger 2.0 document. kubectl falls back to it for kinds the v3 documents lack, and
 * then reports "no matches for kind" as against a real server. It asks for gnostic's protobuf form.
 */
function sendOpenApiV2(res: http.ServerResponse, accept: string): void {
  if (accept.includes('protobuf')) {
    const str = (field: number, value: string) => {
      const b = Buffer.from(value);
      return Buffer.concat([Buffer.from([(field << 3) | 2, b.length]), b]);
    };
    const info = Buffer.concat([str(1, 'Kubernetes'), str(2, KUBE_VERSION.gitVersion)]);
    const doc = Buffer.concat([str(1, '2.0'), Buffer.from([(2 << 3) | 2, info.length]), info]);
    res.writeHead(200, {
      'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      'Content-Length': doc.length,
    });
    res.end(doc);
    return;
  }
  sendJson(res, 200, {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths: {},
    definitions: {},
  });
}

function sendJson(
  res: http.ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}
