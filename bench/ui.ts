// `npm run bench -- ui [--clusters N] [--updates-per-second R] [--runs K] [--seconds S]
// [--harness-port P] [--bff-port Q]`: the details page of an N-cluster migration in Chromium.
// Starts its own stack (e2e/support/stack.ts: simulator, BFF, production harness) with the BFF in
// observe mode (ENGINE_ENABLED=false: it only reads status and progress ConfigMaps), seeds a
// running migration (Cleaning) of N clusters with the engine's own progress writer, and measures:
// - K cold loads: first meaningful paint (heading and counts), the cluster table shown, and time
//   to interactive (the page's first click on a state filter answered), median and max;
// - R cluster updates a second for S seconds (Registered → Cleaned, written by the engine's
//   writer as the engine does, flushed once a second): the page's frame times
//   (requestAnimationFrame deltas p50/p95/max, frames over 50 ms, long tasks), and that the
//   page's counts followed the updates to the end.
// Prints a table and writes bench-results/ui-<N>.json.
import { chromium, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import config from '../e2e/playwright.config.js';
import {
  allowCompiledFunctions,
  countChanges,
  installTiming,
  startFrames,
  stopFrames,
  timings,
  watchCount,
  type FrameStats,
} from '../e2e/support/page-timing.js';
import { seedMigration } from '../e2e/support/seed-migration.js';
import { startStack, stopStack } from '../e2e/support/stack.js';

const NS = 'multicluster-global-hub';
const NAME = 'ui-bench';
const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    : 0;
};
const stats = (xs: number[]) => ({
  median: round(median(xs)),
  max: round(Math.max(...xs)),
  runs: xs.map((x) => round(x)),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The number the page shows on a state's count button ("Migrated: 1234"), or undefined. */
async function shownCount(page: Page, state: string): Promise<number | undefined> {
  const text = await page.locator(`[data-test="count-${state}"]`).textContent();
  const m = /(\d+)\s*$/.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

export async function benchUi(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      clusters: { type: 'string' },
      'updates-per-second': { type: 'string' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      'harness-port': { type: 'string' },
      'bff-port': { type: 'string' },
    },
  });
  const clusters = Number(values.clusters ?? 3000);
  const rate = Number(values['updates-per-second'] ?? 20);
  const runs = Number(values.runs ?? 5);
  const seconds = Number(values.seconds ?? 15);
  const harnessPort = Number(values['harness-port'] ?? 19100);
  const bffPort = Number(values['bff-port'] ?? 19543);
  const failed = Math.round(clusters * 0.02);
  const cleaned = Math.round(clusters * 0.08);
  const mix = { Cleaned: cleaned, Registered: clusters - cleaned - failed, Failed: failed };

  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ui-'));
  const scenario = path.join(dir, 'ui-bench.yaml');
  writeFileSync(
    scenario,
    `name: ui-bench
hubs:
  - { name: local-cluster, globalHub: true, acmVersion: '2.15' }
  - { name: hub1, acmVersion: '2.14' }
  - { name: hub2, acmVersion: '2.15' }
users:
  - { name: bench-admin, groups: ['system:masters'], token: demo-admin-token }
`,
  );
  const loadStart = os.loadavg()[0];
  console.log('starting the simulator, the BFF (observe mode) and the harness…');
  const stack = await startStack({
    scenario,
    stateDir: dir,
    bffPort,
    harnessPort,
    bffEnv: { ENGINE_ENABLED: 'false' },
  });
  const browser = await chromium.launch(config.use?.launchOptions);
  try {
    console.log(`seeding a running migration of ${clusters} clusters…`);
    const seeded = await seedMigration({
      kubeconfig: stack.kubeconfigs[stack.globalHub],
      name: NAME,
      from: 'hub1',
      to: 'hub2',
      prefix: 'sno-',
      mix,
      phase: 'Cleaning',
      engine: false,
      startedAt: new Date(Date.now() - 10 * 60_000),
    });
    const url = `${stack.harnessUrl}/hub-migration/ns/${NS}/${NAME}`;
    const newPage = async () => {
      const context = await browser.newContext({ viewport: config.use?.viewport ?? undefined });
      const page = await context.newPage();
      await allowCompiledFunctions(page);
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      return page;
    };

    // Cold loads: a new browser context each time (empty cache), one warm-up first.
    const load = {
      fmp: [] as number[],
      table: [] as number[],
      tti: [] as number[],
      filter: [] as number[],
    };
    let payloadKiB = 0;
    for (let i = 0; i <= runs; i++) {
      const page = await newPage();
      let bytes = 0;
      page.on('response', (r) => {
        if (r.url().includes('/api/v1/'))
          void r.body().then(
            (b) => (bytes += b.length),
            () => undefined,
          );
      });
      await installTiming(page, { clickState: 'Failed', stateLabel: 'Failed' });
      await page.goto(url);
      const t = await timings(page, ['fmp', 'table', 'tti'], 120_000);
      const shown = await shownCount(page, 'Registered');
      if (shown !== mix.Registered)
        throw new Error(`the page shows ${shown} Registered, expected ${mix.Registered}`);
      if (i > 0) {
        load.fmp.push(t.fmp!);
        load.table.push(t.table!);
        load.tti.push(t.tti!);
        load.filter.push(t.tti! - t.click!);
        payloadKiB = round(bytes / 1024);
      }
      console.log(
        `  ${i === 0 ? 'warm-up' : `run ${i}`}: first meaningful paint ${round(t.fmp!)} ms, table ${round(t.table!)} ms, interactive ${round(t.tti!)} ms`,
      );
      await page.context().close();
    }

    // Updates streaming in while the page is open.
    const page = await newPage();
    await installTiming(page);
    await page.goto(url);
    await page
      .locator('[data-test="cluster-table"] tr[data-test^="cluster-row-"]')
      .first()
      .waitFor({
        timeout: 120_000,
      });
    await watchCount(page, 'Cleaned');
    await sleep(1000);
    const queue = [...seeded.byState.Registered];
    const total = Math.min(queue.length, Math.round(rate * seconds));
    console.log(`streaming ${total} updates at ${rate} a second…`);
    await startFrames(page);
    const t0 = Date.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      seeded.move(queue[i], 'Cleaned', 'hub2');
    }
    await seeded.progress.flush();
    const lastWrite = Date.now();
    const expected = mix.Cleaned + total;
    let shownAtEnd: number | undefined;
    for (let i = 0; i < 150 && shownAtEnd !== expected; i++) {
      shownAtEnd = await shownCount(page, 'Cleaned');
      if (shownAtEnd !== expected) await sleep(100);
    }
    const frames: FrameStats = await stopFrames(page);
    const counts = await countChanges(page);
    const shownFinal = counts.find((c) => c.text.endsWith(`: ${expected}`));
    await seeded.close();
    await page.context().close();

    const report = {
      benchmark: 'ui',
      clusters,
      runs,
      mix,
      load: {
        firstMeaningfulPaintMs: stats(load.fmp),
        tableShownMs: stats(load.table),
        timeToInteractiveMs: stats(load.tti),
        firstFilterAnsweredMs: stats(load.filter),
        apiPayloadKiB: payloadKiB,
      },
      updates: {
        perSecond: rate,
        seconds: round((lastWrite - t0) / 1000, 1),
        written: total,
        frames,
        countChangesSeen: new Set(counts.map((c) => c.text)).size,
        finalCountShown: shownAtEnd === expected,
        /** From the last progress write to the page showing the final count. */
        lastUpdateShownAfterMs: shownFinal ? Math.max(0, shownFinal.at - lastWrite) : undefined,
      },
      aim: { interactiveUnderMs: 1500, met: median(load.tti) < 1500 },
      loadAverage: { start: round(loadStart, 2), end: round(os.loadavg()[0], 2) },
      cpus: os.cpus().length,
    };
    const rows = [
      ['first meaningful paint', report.load.firstMeaningfulPaintMs],
      ['cluster table shown', report.load.tableShownMs],
      ['time to interactive', report.load.timeToInteractiveMs],
      ['first filter answered', report.load.firstFilterAnsweredMs],
    ] as const;
    console.log(
      `\nUI benchmark: details page of a ${clusters}-cluster migration (${runs} cold loads)\n`,
    );
    console.table(
      Object.fromEntries(rows.map(([k, v]) => [k, { 'median ms': v.median, 'max ms': v.max }])),
    );
    console.log(`API payload of one load: ${payloadKiB} KiB`);
    console.log(
      `\n${total} updates at ${rate}/s over ${report.updates.seconds} s: frames p50 ${frames.p50} ms, p95 ${frames.p95} ms, max ${frames.max} ms; ${frames.over50} of ${frames.frames} frames over 50 ms; ${frames.longTasks} long tasks (${frames.longTaskMs} ms)`,
    );
    console.log(
      `counts followed: ${report.updates.countChangesSeen} changes seen, final count ${report.updates.finalCountShown ? 'shown' : 'NOT shown'}${report.updates.lastUpdateShownAfterMs !== undefined ? ` ${report.updates.lastUpdateShownAfterMs} ms after the last write` : ''}`,
    );
    console.log(
      `aim (interactive under 1.5 s): ${report.aim.met ? 'met' : 'not met'}; load average ${report.loadAverage.start} → ${report.loadAverage.end} on ${report.cpus} CPUs`,
    );
    mkdirSync('bench-results', { recursive: true });
    const out = path.join('bench-results', `ui-${clusters}.json`);
    writeFileSync(
      out,
      `${JSON.stringify({ ...report, date: new Date().toISOString() }, null, 2)}\n`,
    );
    console.log(`\nwritten: ${out}`);
  } finally {
    await browser.close();
    await stopStack(stack);
    rmSync(dir, { recursive: true, force: true });
  }
}
