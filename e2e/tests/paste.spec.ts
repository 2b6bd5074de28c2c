import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, numbered, shot, test } from '../support/fixtures';

test('paste: 25 names with unknown and repeated ones, reconciled, the 20 found migrate', async ({
  page,
  hubs,
}) => {
  const valid = numbered('paste-', 20);
  const unknown = ['paste-99', 'no-such-cluster', 'static-99'];
  const repeated = ['paste-03', 'paste-17'];
  // 25 lines, as a spreadsheet column would give them: unknown and repeated names in between.
  const lines = [
    ...valid.slice(0, 5),
    unknown[0],
    ...valid.slice(5, 10),
    repeated[0],
    unknown[1],
    ...valid.slice(10, 17),
    repeated[1],
    ...valid.slice(17),
    unknown[2],
  ];
  expect(lines).toHaveLength(25);

  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.tab('Paste').click();
  const box = page.getByRole('textbox', { name: 'Cluster names' });
  await box.fill(lines.join('\n'));
  await expect(page.getByText('25 names pasted')).toBeVisible();
  await page.getByRole('button', { name: 'Check names against hub1' }).click();

  const summary = page.getByTestId('reconcile-summary');
  await expect(summary).toContainText(
    '20 found, 3 unknown, 0 already on hub2, 2 duplicates, 0 not valid names',
  );
  await summary.getByRole('button', { name: 'Unknown on hub1 (3)' }).click();
  await expect(summary.getByTestId('unknown')).toContainText(unknown.join(', '));
  await summary.getByRole('button', { name: 'Pasted more than once (2)' }).click();
  await expect(summary.getByTestId('duplicates')).toContainText(repeated.join(', '));
  // Nothing else is listed: no cluster is on hub2 already, none is an invalid name.
  await expect(summary.getByTestId('on-target')).toHaveCount(0);
  await expect(summary.getByTestId('invalid')).toHaveCount(0);
  await shot(page, 'wizard-2-clusters-paste');
  await expectAccessible(page, 'wizard, Paste tab with the reconciled names');

  await summary.getByRole('button', { name: 'Use the 20 found clusters' }).click();
  // The found names replace the selection and the wizard shows them in the Browse tab.
  await expect(wizard.tab('Browse')).toHaveAttribute('aria-selected', 'true');
  await expect(wizard.selectedCount).toContainText('20 selected');
  await expect(page.getByTestId('selection-summary')).toContainText('20 clusters selected');
  // "Show selected only" lists exactly the 20 found names.
  await page.getByText('Show selected only').click();
  await expect(page.getByRole('switch', { name: 'Show selected only' })).toBeChecked();
  const chosen = page.getByRole('list', { name: 'Selected' });
  await expect(chosen.getByRole('listitem')).toHaveText(valid);
  await shot(page, 'wizard-2-clusters-paste-selected');
  await wizard.next();

  await wizard.batches({ name: 'e2e-paste' });
  await wizard.validated();
  await expect(page.getByText('20 clusters leave hub1 and register to hub2.')).toBeVisible();
  const yaml = page.getByTestId('review-yaml');
  for (const name of valid) await expect(yaml).toContainText(name);
  for (const name of [...unknown, 'paste-21', 'paste-22'])
    await expect(yaml).not.toContainText(name);
  await wizard.start();

  const details = new Details(page);
  await details.watchUntil('Completed');
  await expect(page.getByText('20 of 20 clusters migrated')).toBeVisible();
  await shot(page, 'details-paste-completed');

  await hubs.expectOn('hub2', 'hub1', valid);
  expect(await hubs.registeredTo(['paste-21', 'paste-22'])).toEqual({
    'paste-21': 'hub1',
    'paste-22': 'hub1',
  });
  expect(await hubs.availableClusters('hub1')).toEqual(
    expect.arrayContaining(['paste-21', 'paste-22']),
  );
});
