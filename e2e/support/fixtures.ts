// What every journey gets: the stack's addresses, the hubs through the real `kubectl`, the
// simulator's ground truth, screenshots into e2e/results/screenshots, an axe check, and a page
// that fails the test if the app throws or logs an error.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { E2E } from './env';
import { readStack, type Stack } from './stack';

const run = promisify(execFile);

export interface KubeItem {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface ClusterTruth {
  name: string;
  registeredTo: string | null;
  destroyed: boolean;
  hostWiped: boolean;
}

export class Hubs {
  constructor(private readonly stack: Stack) {}

  /** `kubectl --kubeconfig <hub> …`, for what really is on a hub. */
  async kubectl(hub: string, args: string[]): Promise<string> {
    const kubeconfig = this.stack.kubeconfigs[hub];
    if (!kubeconfig) throw new Error(`no hub named ${hub}`);
    const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  async list(hub: string, resource: string, namespace?: string): Promise<KubeItem[]> {
    const ns = namespace ? ['-n', namespace] : [];
    const out = await this.kubectl(hub, ['get', resource, ...ns, '-o', 'json']);
    return (JSON.parse(out) as { items: KubeItem[] }).items;
  }

  async get(hub: string, resource: string, name: string, namespace?: string) {
    const ns = namespace ? ['-n', namespace] : [];
    const out = await this.kubectl(hub, ['get', resource, name, ...ns, '-o', 'json']);
    return JSON.parse(out) as KubeItem;
  }

  /** The ManagedCluster names on a hub whose ManagedClusterConditionAvailable is True. */
  async availableClusters(hub: string): Promise<string[]> {
    const items = await this.list(hub, 'managedclusters.cluster.open-cluster-management.io');
    return items
      .filter((c) =>
        c.status?.conditions?.some(
          (k) => k.type === 'ManagedClusterConditionAvailable' && k.status === 'True',
        ),
      )
      .map((c) => c.metadata.name);
  }

  async clusterNames(hub: string): Promise<string[]> {
    const items = await this.list(hub, 'managedclusters.cluster.open-cluster-management.io');
    return items.map((c) => c.metadata.name);
  }

  /**
   * What a hub still holds of these clusters: their ManagedClusters, their namespaces and every
   * object of the moved kinds (ZTP included) in those namespaces, as `kind/namespace/name`.
   */
  async leftovers(hub: string, clusters: string[]): Promise<string[]> {
    const wanted = new Set(clusters);
    const kinds = [
      'managedclusters.cluster.open-cluster-management.io',
      'namespaces',
      'clusterdeployments.hive.openshift.io',
      'baremetalhosts.metal3.io',
      'hostfirmwaresettings.metal3.io',
      'hostfirmwarecomponents.metal3.io',
      'firmwareschemas.metal3.io',
      'imageclusterinstalls.extensions.hive.openshift.io',
      'klusterletaddonconfigs.agent.open-cluster-management.io',
      'secrets',
      'configmaps',
    ];
    const out = await this.kubectl(hub, ['get', kinds.join(','), '-A', '-o', 'json']);
    const items = (JSON.parse(out) as { items: (KubeItem & { kind: string })[] }).items;
    return items
      .filter((o) => wanted.has(o.metadata.namespace ?? o.metadata.name))
      .map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  }

  /**
   * The hubs a cluster's agent has been registered to, in order, by the simulator's history
   * (gaps without a hub left out, a return to the same hub after a gap counted once).
   */
  async hubsVisited(cluster: string): Promise<string[]> {
    const res = await fetch(`${this.stack.controlUrl}/ground-truth/${encodeURIComponent(cluster)}`);
    const truth = (await res.json()) as { history: { at: string; hub: string | null }[] };
    const hubs: string[] = [];
    for (const { hub } of truth.history) if (hub !== null && hubs.at(-1) !== hub) hubs.push(hub);
    return hubs;
  }

  /** The simulator's own record of where each cluster's agent is registered. */
  async truth(): Promise<{ clusters: ClusterTruth[]; destructions: unknown[] }> {
    const res = await fetch(`${this.stack.controlUrl}/ground-truth`);
    return (await res.json()) as { clusters: ClusterTruth[]; destructions: unknown[] };
  }

  async registeredTo(names: string[]): Promise<Record<string, string | null>> {
    const { clusters } = await this.truth();
    const byName = new Map(clusters.map((c) => [c.name, c.registeredTo]));
    return Object.fromEntries(names.map((n) => [n, byName.get(n) ?? null]));
  }

  /**
   * Asserts what a finished migration must leave: each cluster registered to `hub` only (by the
   * agents' ground truth), Available there, absent from the other hub, nothing destroyed.
   */
  async expectOn(hub: string, other: string, names: string[]): Promise<void> {
    const where = await this.registeredTo(names);
    expect(where).toEqual(Object.fromEntries(names.map((n) => [n, hub])));
    const available = new Set(await this.availableClusters(hub));
    expect(names.filter((n) => !available.has(n))).toEqual([]);
    const elsewhere = new Set(await this.clusterNames(other));
    expect(names.filter((n) => elsewhere.has(n))).toEqual([]);
    const { destructions } = await this.truth();
    expect(destructions).toEqual([]);
  }
}

export const numbered = (prefix: string, count: number, width = 2) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);

/** A full-page screenshot in e2e/results/screenshots/<name>.png, for people to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(E2E.screenshots, { recursive: true });
  await page.screenshot({ path: path.join(E2E.screenshots, `${name}.png`), fullPage: true });
}

/** axe on the plugin's part of the page: no serious or critical violations. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).include('main').analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.html.slice(0, 200)).join(' | ')}`,
    );
  expect(bad, `axe on ${what}`).toEqual([]);
}

/**
 * Counts the page's own navigations from now on: a live page that updates by itself makes none
 * (a reload, or a link the app did not handle, counts one).
 */
export function countNavigations(page: Page): () => number {
  let navigations = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  return () => navigations;
}

/** Logs in as another user: the harness proxy sends this cookie's token as the console would. */
export async function actAs(page: Page, token: string): Promise<void> {
  await page.context().addCookies([{ name: 'harness-token', value: token, url: E2E.harnessUrl }]);
}

export const test = base.extend<{ stack: Stack; hubs: Hubs }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies by destructuring
  stack: async ({}, use) => use(readStack(E2E.stateDir)),
  hubs: async ({ stack }, use) => use(new Hubs(stack)),
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      // Failed loads are reported by the tests that expect them; anything else is a bug.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
        errors.push(`console.error: ${m.text()}`);
    });
    await use(page);
    expect(errors, 'errors in the page').toEqual([]);
  },
});

export { expect };
