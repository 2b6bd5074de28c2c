// The create-migration wizard as a user drives it: by labels and roles, as a screen reader would.
import { expect, type Locator, type Page } from '@playwright/test';

export class Wizard {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/hub-migration/new${query}`);
    await expect(
      this.page.getByRole('heading', { level: 1, name: 'Create migration' }),
    ).toBeVisible();
  }

  /** Picks a hub in the "Source hub" or "Target hub" typeahead. */
  async pickHub(which: 'Source hub' | 'Target hub', hub: string): Promise<void> {
    const group = this.page
      .getByRole('group', { name: which })
      .or(this.page.locator('.pf-v6-c-form__group', { hasText: which }));
    await group.first().getByPlaceholder('Search hubs').fill(hub);
    await this.page
      .getByRole('option', { name: new RegExp(`^${hub}\\b`) })
      .first()
      .click();
  }

  async hubs(from: string, to: string): Promise<void> {
    await this.pickHub('Source hub', from);
    await this.pickHub('Target hub', to);
    await this.next();
  }

  get nextButton(): Locator {
    return this.page.getByRole('button', { name: 'Next', exact: true });
  }

  async next(): Promise<void> {
    await expect(this.nextButton).toBeEnabled();
    await this.nextButton.click();
  }

  tab(name: 'Browse' | 'Paste' | 'Placement'): Locator {
    return this.page.getByRole('tab', { name });
  }

  async search(text: string, hub: string): Promise<void> {
    await this.page.getByRole('textbox', { name: `Search clusters on ${hub}` }).fill(text);
  }

  /**
   * Searches and waits until the table lists exactly `count` clusters: the search applies after a
   * pause in typing, and until then the table still shows the first page of every cluster.
   */
  async searchListing(text: string, hub: string, count: number): Promise<void> {
    await this.search(text, hub);
    await expect(
      this.page.getByRole('checkbox', { name: /^Select (?!every cluster)/ }),
    ).toHaveCount(count);
  }

  get selectedCount(): Locator {
    return this.page.getByTestId('selected-count');
  }

  /** The batches step: a name, and optionally batches with approval and a stage timeout. */
  async batches(opts: {
    name: string;
    batchSize?: number;
    approval?: boolean;
    timeoutMinutes?: number;
  }) {
    const page = this.page;
    await page.getByRole('textbox', { name: 'Name' }).fill(opts.name);
    if (opts.batchSize !== undefined) {
      await page.getByRole('spinbutton', { name: 'Batch size' }).fill(String(opts.batchSize));
    }
    if (opts.approval) {
      // PatternFly's switch hides its input: a user clicks the label.
      const approval = page.getByRole('switch', { name: /Wait for my approval/ });
      await page.getByText(/^Wait for my approval/).click();
      await expect(approval).toBeChecked();
    }
    if (opts.timeoutMinutes !== undefined) {
      await page.getByLabel('Stage timeout', { exact: true }).fill(String(opts.timeoutMinutes));
    }
    await this.next();
  }

  /** Waits for the dry run to pass and goes on to the review. */
  async validated(): Promise<void> {
    await expect(this.page.getByTestId('validation-summary')).toContainText(
      /Every check passed|Ready, with/,
      {
        timeout: 60_000,
      },
    );
    await this.next();
  }

  /** Starts the migration from the review step and waits for its details page. */
  async start(): Promise<void> {
    await this.page.getByRole('button', { name: 'Start migration' }).click();
    await expect(this.page).toHaveURL(/\/hub-migration\/ns\/[^/]+\/[^/?]+/, { timeout: 30_000 });
  }
}
