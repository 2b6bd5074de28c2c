// A migration's details page: phase, live status, progress, the cluster table and the actions.
import { expect, type Locator, type Page } from '@playwright/test';

export class Details {
  constructor(readonly page: Page) {}

  async open(name: string, namespace = 'multicluster-global-hub'): Promise<void> {
    await this.page.goto(`/hub-migration/ns/${namespace}/${name}`);
    await expect(this.page.getByRole('heading', { level: 1, name })).toBeVisible();
  }

  /** The phase while running, the outcome once finished ("Completed", "Rolled back"…). */
  get phase(): Locator {
    return this.page.getByTestId('migration-phase');
  }

  get streamStatus(): Locator {
    return this.page.getByTestId('stream-status');
  }

  get clusterTable(): Locator {
    return this.page.getByTestId('cluster-table');
  }

  row(cluster: string): Locator {
    return this.clusterTable.getByRole('row').filter({ hasText: cluster });
  }

  /**
   * Watches the phase label until it reads `final`, without reloading, and returns every text it
   * showed on the way (polled every 100 ms, so a phase shorter than that may be missed).
   */
  async watchUntil(final: string | RegExp, timeoutMs = 150_000): Promise<string[]> {
    const seen: string[] = [];
    const until = Date.now() + timeoutMs;
    const done = (s: string) => (typeof final === 'string' ? s === final : final.test(s));
    for (;;) {
      const text = (await this.phase.innerText()).trim();
      if (seen.at(-1) !== text) seen.push(text);
      if (done(text)) return seen;
      if (Date.now() > until)
        throw new Error(`the phase never read ${String(final)}; it showed ${seen.join(' → ')}`);
      await this.page.waitForTimeout(100);
    }
  }
}
