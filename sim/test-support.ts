// Helpers shared by the simulator's tests: start a fleet in a temporary directory, and make raw
// HTTPS requests that trust the fleet's CA (for checks below what a client library shows).
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Fleet } from './fleet.js';
import type { FleetOptions } from './fleet.js';
import type { SimHub } from './hub.js';
import { BOOTSTRAP_RULES } from './ocm/registration.js';

export interface TestFleet {
  fleet: Fleet;
  dir: string;
  stop(): Promise<void>;
}

export async function startTestFleet(
  scenario: Record<string, unknown>,
  opts: FleetOptions = {},
): Promise<TestFleet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-test-'));
  const fleet = await Fleet.start(scenario, { stateDir: dir, ...opts });
  return {
    fleet,
    dir,
    async stop() {
      await fleet.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A client-node KubeConfig for a hub, as the admin or with another token. */
export function kubeConfigFor(hub: SimHub, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(hub.kubeconfig(token));
  return kc;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

/** One HTTPS request to a hub; `token: null` sends no Authorization header. */
export function rawRequest(
  hub: SimHub,
  fleet: Fleet,
  method: string,
  urlPath: string,
  opts: {
    body?: string | Buffer;
    contentType?: string;
    token?: string | null;
    accept?: string;
  } = {},
): Promise<RawResponse> {
  const url = new URL(urlPath, hub.url);
  const token = opts.token === undefined ? hub.adminToken : opts.token;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: fleet.tls?.caPem,
        agent: false, // a fresh connection each time, so an outage shows as a refused connection
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(opts.contentType ? { 'Content-Type': opts.contentType } : {}),
          ...(opts.accept ? { Accept: opts.accept } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A manifest as a test writes it: what both the simulator and client-node accept. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/**
 * What a migration puts on its target hub so that clusters can register there (Initializing, as
 * the engine does it): a ServiceAccount in `namespace` allowed to create CSRs and ManagedClusters.
 */
export function migrationRegistrationObjects(
  namespace: string,
  serviceAccount: string,
): ManifestObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'migration-registration' },
      rules: BOOTSTRAP_RULES,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'migration-registration' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'migration-registration',
      },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  ];
}
