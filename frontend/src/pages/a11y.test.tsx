// Every interactive control on each page has an accessible name, and the main controls are
// reachable with the keyboard alone.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { computeAccessibleName } from 'dom-accessibility-api';
import { FakeEventSource, mockApi } from '../test-utils/fakeApi';
import { clusterRows, detail, hub, me, summary, zeroCounts } from '../test-utils/fixtures';
import { renderAt } from '../test-utils/render';
import { CreateMigrationPage } from './CreateMigrationPage';
import { MigrationDetailsPage } from './MigrationDetailsPage';
import { MigrationsPage } from './MigrationsPage';

const ROLES = [
  'button',
  'link',
  'textbox',
  'checkbox',
  'combobox',
  'searchbox',
  'switch',
  'tab',
  'radio',
  'spinbutton',
];

const unnamedControls = () =>
  ROLES.flatMap((role) => screen.queryAllByRole(role)).filter(
    (el) => !computeAccessibleName(el).trim(),
  );

/** Tabs through the page (at most `max` times) until each expected control had focus. */
const tabThrough = async (expected: string[], max: number) => {
  const names = new Set<string>();
  for (let i = 0; i < max && !expected.every((n) => names.has(n)); i++) {
    await userEvent.tab();
    if (document.activeElement && document.activeElement !== document.body)
      names.add(computeAccessibleName(document.activeElement));
  }
  return names;
};
const expectReachable = async (expected: string[], max: number) => {
  const reached = await tabThrough(expected, max);
  for (const name of expected) expect(reached).toContain(name);
};

beforeEach(() => FakeEventSource.install());

const BASE = '/migrations/multicluster-global-hub/wave-1';

it('the migrations list: every control is named and reachable by keyboard', async () => {
  mockApi([
    { path: '/me', respond: me() },
    {
      path: '/migrations',
      respond: {
        items: [
          summary(),
          summary({
            name: 'b-1',
            plan: { name: 'b', batch: 1, batches: 2, awaitingApproval: false },
          }),
        ],
      },
    },
    { path: '/plans', respond: { items: [] } },
  ]);
  renderAt(<MigrationsPage />);
  await screen.findByRole('link', { name: 'wave-1' });
  expect(unnamedControls()).toEqual([]);
  await expectReachable(
    [
      'Create migration',
      'Search migrations by name or plan',
      'wave-1',
      'Show the batches of plan b',
    ],
    80,
  );
}, 60_000);

it('the details page: every control is named and reachable by keyboard', async () => {
  mockApi([
    { path: '/me', respond: me() },
    { path: BASE, respond: detail() },
    {
      path: `${BASE}/clusters`,
      respond: { items: clusterRows(5), total: 5, offset: 0, limit: 1000, counts: zeroCounts() },
    },
  ]);
  renderAt(<MigrationDetailsPage />, {
    url: '/hub-migration/ns/multicluster-global-hub/wave-1',
    path: '/hub-migration/ns/:namespace/:name',
  });
  await screen.findByRole('grid', { name: 'Clusters of wave-1' });
  expect(unnamedControls()).toEqual([]);
  await expectReachable(['Roll back', 'Search clusters by name', 'Details of sno-0000'], 80);
}, 60_000);

it('the wizard: every control is named and reachable by keyboard', async () => {
  mockApi([
    { path: '/me', respond: me() },
    { path: '/hubs', respond: { items: [hub(), hub({ name: 'hub2' })] } },
  ]);
  renderAt(<CreateMigrationPage />);
  await screen.findByRole('combobox', { name: 'Source hub' });
  await waitFor(() => expect(unnamedControls()).toEqual([]));
  await expectReachable(['Source hub', 'Target hub', 'Cancel'], 30);
}, 60_000);
