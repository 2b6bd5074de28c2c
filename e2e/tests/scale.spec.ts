// Scale: the details page of a 3,000-cluster migration loads, filters and pages correctly, with
// its timings reported (never asserted: they go to the report and the test's attachments). The
// migration is seeded on the global hub with the engine's own progress writer, in a terminal
// phase the engine leaves alone (Failed, partially moved), on cluster names no journey uses.
import type { Page } from '@playwright/test';
import { Details } from '../pages/details';
import { expect, expectAccessible, shot, test } from '../support/fixtures';
import {
  installTiming,
  lastAreaChange,
  pageNow,
  startFrames,
  stopFrames,
  timings,
} from '../support/page-timing';
import { seedMigration, type SeededMigration } from '../support/seed-migration';

const NAME = 'e2e-scale-3000';
const MIX = { Cleaned: 2790, Registered: 60, RolledBack: 100, Failed: 50 } as const;
const TOTAL = 3000;

/** The names the table shows on the current page, in order. */
const shownNames = (page: Page) =>
  page
    .locator('[data-test="cluster-table"] tr[data-test^="cluster-row-"]')
    .evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('data-test')!.slice('cluster-row-'.length)),
    );

/** Whether an element is within the window (a cheap check between wheel turns). */
const inView = (e: Element) => {
  const r = e.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
};

const byName = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b));

test('scale: a 3,000-cluster migration loads, filters and pages correctly (timings reported)', async ({
  page,
  stack,
}, testInfo) => {
  let seeded: SeededMigration | undefined;
  const measured: Record<string, number | string | undefined> = {};
  try {
    const t0 = Date.now();
    seeded = await seedMigration({
      kubeconfig: stack.kubeconfigs[stack.globalHub],
      name: NAME,
      from: 'hub1',
      to: 'hub2',
      prefix: 'scale-',
      mix: MIX,
      phase: 'Failed',
    });
    measured['seed 3,000 clusters (ms)'] = Date.now() - t0;
    const s = seeded;
    const failed = byName(s.byState.Failed);
    const rolledBack = byName(s.byState.RolledBack);
    expect(failed).toHaveLength(50);

    // What goes over the wire for the page: the detail, and the cluster rows' pages.
    const payload: Record<string, number> = {};
    page.on('response', (r) => {
      const m = /\/api\/v1\/migrations\/[^/]+\/[^/?]+(\/clusters)?(\?|$)/.exec(r.url());
      if (!m) return;
      const what = m[1] ? 'cluster rows' : 'migration detail';
      void r.body().then(
        (b) => (payload[what] = (payload[what] ?? 0) + b.length),
        () => undefined,
      );
    });

    // As soon as its table shows, the page clicks the "Failed" count itself (time to interactive).
    await installTiming(page, { clickState: 'Failed', stateLabel: 'Failed' });
    const details = new Details(page);
    await details.open(NAME);
    const t = await timings(page, ['fmp', 'table', 'tti']);
    measured['first meaningful paint (ms)'] = Math.round(t.fmp!);
    measured['cluster table shown (ms)'] = Math.round(t.table!);
    measured['time to interactive (ms)'] = Math.round(t.tti!);
    measured['first filter answered (ms)'] = Math.round(t.tti! - t.click!);

    // The heading and the counts: every cluster is counted, in its state.
    await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
    await expect(details.phase).toHaveText('Partly completed');
    await expect(page.getByText(`2850 of ${TOTAL} clusters migrated`)).toBeVisible();
    const counts = page.getByRole('group', { name: 'Clusters by state' });
    await expect(counts.getByRole('button')).toHaveText([
      'Registered: 60',
      'Migrated: 2790',
      'Rolled back: 100',
      'Failed: 50',
    ]);

    // The page's own click filtered the table to the 50 failed clusters: exactly those, with why.
    const failedCount = counts.getByRole('button', { name: 'Failed: 50' });
    await expect(failedCount).toHaveAttribute('aria-pressed', 'true');
    await expect(page).toHaveURL(/[?&]state=Failed/);
    const pager = page.getByRole('navigation', { name: 'Cluster pages (top)' }).locator('..');
    await expect(pager).toContainText('1 - 50 of 50');
    expect(await shownNames(page)).toEqual(failed);
    await expect(details.row(failed[0])).toContainText('did not become Available on hub2');
    await details.clusterTable.scrollIntoViewIfNeeded();
    await shot(page, 'scale-3000-failed');

    // Unfiltered: all 3,000, 50 to a page.
    let since = await pageNow(page);
    await failedCount.click();
    await expect(pager).toContainText(`1 - 50 of ${TOTAL}`);
    measured['filter off: 3,000 rows (ms)'] = Math.round(
      (await lastAreaChange(page, since))! - since,
    );
    expect(await shownNames(page)).toEqual(s.names.slice(0, 50));
    await shot(page, 'scale-3000-details');
    await expectAccessible(page, 'details page of a 3,000-cluster migration');

    // A state filter of two pages (Rolled back: 100), then its second page.
    since = await pageNow(page);
    await counts.getByRole('button', { name: 'Rolled back: 100' }).click();
    await expect(pager).toContainText('1 - 50 of 100');
    measured['filter "Rolled back" (ms)'] = Math.round(
      (await lastAreaChange(page, since))! - since,
    );
    expect(await shownNames(page)).toEqual(rolledBack.slice(0, 50));
    since = await pageNow(page);
    await page.getByRole('button', { name: 'Go to next page' }).first().click();
    await expect(pager).toContainText('51 - 100 of 100');
    measured['next page (ms)'] = Math.round((await lastAreaChange(page, since))! - since);
    expect(await shownNames(page)).toEqual(rolledBack.slice(50));
    await counts.getByRole('button', { name: 'Rolled back: 100' }).click();
    await expect(pager).toContainText(`1 - 50 of ${TOTAL}`);

    // The table's own filters: what is still on the old hub, then only those with an error,
    // then a name search on top.
    since = await pageNow(page);
    await page.getByRole('button', { name: 'On hub1' }).click();
    await expect(pager).toContainText('1 - 50 of 150');
    measured['filter "On hub1" (ms)'] = Math.round((await lastAreaChange(page, since))! - since);
    const onHub1 = byName([...s.byState.RolledBack, ...s.byState.Failed]);
    expect(await shownNames(page)).toEqual(onHub1.slice(0, 50));
    await page.getByText('Only clusters with an error').click();
    await expect(pager).toContainText('1 - 50 of 50');
    expect(await shownNames(page)).toEqual(failed);
    since = await pageNow(page);
    await page.getByRole('textbox', { name: 'Search clusters by name' }).fill('scale-29');
    const searched = failed.filter((n) => n.includes('scale-29'));
    expect(searched.length).toBeGreaterThan(0);
    await expect(pager).toContainText(`1 - ${searched.length} of ${searched.length}`);
    // (includes the search box's 250 ms pause before it filters)
    measured['search "scale-29" (ms)'] = Math.round((await lastAreaChange(page, since))! - since);
    expect(await shownNames(page)).toEqual(searched);
    await details.clusterTable.scrollIntoViewIfNeeded();
    await shot(page, 'scale-3000-table-filters');
    await page.getByRole('textbox', { name: 'Search clusters by name' }).clear();
    await expect(pager).toContainText('1 - 50 of 50');
    await page.getByText('Only clusters with an error').click();
    await expect(pager).toContainText('1 - 50 of 150');
    await page.getByRole('button', { name: 'On hub1' }).click();
    await expect(pager).toContainText(`1 - 50 of ${TOTAL}`);

    // 100 to a page, scrolled from top to bottom, then the last page.
    await page
      .getByRole('button', { name: /1 - 50 of 3000/ })
      .first()
      .click();
    since = await pageNow(page);
    await page.getByRole('menuitem', { name: '100 per page' }).click();
    await expect(pager).toContainText(`1 - 100 of ${TOTAL}`);
    measured['100 rows a page (ms)'] = Math.round((await lastAreaChange(page, since))! - since);
    expect(await shownNames(page)).toEqual(s.names.slice(0, 100));
    // Wheel down over the table, as a user would, until its last row shows.
    const last = details.row(s.names[99]);
    await details.row(s.names[0]).hover();
    await startFrames(page);
    for (let i = 0; i < 80 && !(await last.evaluate(inView)); i++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(50);
    }
    const scroll = await stopFrames(page);
    measured['scroll 100 rows: frame p50/p95/max (ms)'] =
      `${scroll.p50} / ${scroll.p95} / ${scroll.max}`;
    measured['scroll: frames over 50 ms, long tasks'] = `${scroll.over50}, ${scroll.longTasks}`;
    await expect(last).toBeInViewport();
    since = await pageNow(page);
    await page.getByRole('button', { name: 'Go to last page' }).first().click();
    await expect(pager).toContainText(`2901 - 3000 of ${TOTAL}`);
    measured['last page of 100 (ms)'] = Math.round((await lastAreaChange(page, since))! - since);
    expect(await shownNames(page)).toEqual(s.names.slice(2900));
    await details.clusterTable.scrollIntoViewIfNeeded();
    await shot(page, 'scale-3000-last-page');

    for (const [k, v] of Object.entries(payload))
      measured[`payload ${k} (KiB)`] = Math.round(v / 1024);
  } finally {
    // Other journeys list the migrations: this one goes once measured.
    await seeded?.remove();
    const rows = Object.entries(measured).map(([what, value]) => ({ what, value }));
    console.log(`\nDetails page of a ${TOTAL}-cluster migration:`);
    console.table(rows);
    await testInfo.attach('scale-timings.json', {
      body: JSON.stringify(measured, null, 2),
      contentType: 'application/json',
    });
  }
});
