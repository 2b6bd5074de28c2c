import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { apiError, FakeEventSource, mockApi } from '../test-utils/fakeApi';
import { me, summary, zeroCounts } from '../test-utils/fixtures';
import { renderAt } from '../test-utils/render';
import { groupMigrations, MigrationsPage } from './MigrationsPage';

beforeEach(() => FakeEventSource.install());

const routes = (migrations = [summary()], extra: Parameters<typeof mockApi>[0] = []) => [
  ...extra,
  { path: '/me', respond: me() },
  { path: '/migrations', respond: { items: migrations } },
  { path: '/plans', respond: { items: [] } },
];

describe('MigrationsPage', () => {
  it('shows a spinner while loading', () => {
    mockApi(routes());
    renderAt(<MigrationsPage />);
    expect(screen.getByRole('progressbar', { name: 'Loading migrations' })).toBeInTheDocument();
  });

  it('shows an empty state with a create action when there is no migration', async () => {
    mockApi(routes([]));
    renderAt(<MigrationsPage />);
    expect(await screen.findByRole('heading', { name: 'No migrations yet' })).toBeInTheDocument();
    const create = screen.getAllByRole('button', { name: 'Create migration' });
    expect(create.length).toBeGreaterThan(0);
  });

  it('explains an error in words and offers to try again', async () => {
    let fail = true;
    mockApi([
      { path: '/me', respond: me() },
      { path: '/plans', respond: { items: [] } },
      {
        path: '/migrations',
        respond: () => {
          if (fail) throw apiError(503, 'Unavailable', 'The global hub does not answer.');
          return { items: [summary()] };
        },
      },
    ]);
    renderAt(<MigrationsPage />);
    expect(
      await screen.findByRole('heading', { name: 'The Hub Migration service is not ready' }),
    ).toBeInTheDocument();
    expect(screen.getByText('The global hub does not answer.')).toBeInTheDocument();
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'wave-1' })).toBeInTheDocument();
  });

  it('lists migrations with progress, failures and counts that link to filtered views', async () => {
    mockApi(
      routes([
        summary(),
        summary({
          name: 'done-1',
          outcome: 'Completed',
          phase: 'Completed',
          counts: { ...zeroCounts(), Cleaned: 5 },
          total: 5,
          firstFailures: [],
        }),
      ]),
    );
    renderAt(<MigrationsPage />);
    const table = await screen.findByRole('grid', { name: 'Migrations' });
    expect(within(table).getByRole('link', { name: 'wave-1' })).toHaveAttribute(
      'href',
      '/hub-migration/ns/multicluster-global-hub/wave-1',
    );
    expect(within(table).getByRole('progressbar', { name: 'Progress of wave-1' })).toHaveAttribute(
      'aria-valuetext',
      '2 of 10 clusters migrated',
    );
    // The failed count opens the first failures.
    await userEvent.click(
      screen.getByRole('button', { name: '1 cluster failed in wave-1: show the first failures' }),
    );
    expect(await screen.findByText(/klusterlet did not join hub2/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'View 1 failed cluster' })).toHaveAttribute(
      'href',
      '/hub-migration/ns/multicluster-global-hub/wave-1?state=Failed',
    );
    // The clusters moved per target hub: the link's name begins with what it shows (WCAG 2.5.3).
    const moved = within(screen.getByTestId('card-moved')).getByRole('link');
    expect(moved).toHaveTextContent('hub2: 7');
    expect(moved).toHaveAccessibleName('hub2: 7 clusters moved there, show those migrations');
    // Summary cards link to the filtered list.
    await userEvent.click(screen.getByRole('link', { name: '1 Completed: show them' }));
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('?outcome=Completed'),
    );
    expect(within(table).queryByRole('link', { name: 'wave-1' })).not.toBeInTheDocument();
    expect(within(table).getByRole('link', { name: 'done-1' })).toBeInTheDocument();
  });

  it('reads filters from the URL', async () => {
    mockApi(routes([summary(), summary({ name: 'other', outcome: 'Failed', phase: 'Failed' })]));
    renderAt(<MigrationsPage />, { url: '/?outcome=Failed' });
    expect(await screen.findByRole('link', { name: 'other' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'wave-1' })).not.toBeInTheDocument();
    await userEvent.click(screen.getAllByRole('button', { name: 'Clear all filters' })[0]);
    expect(await screen.findByRole('link', { name: 'wave-1' })).toBeInTheDocument();
  });

  it('groups the batches of a plan with the plan progress and ETA', async () => {
    const plan = (batch: number, over = {}) =>
      summary({
        name: `big-${batch}`,
        plan: { name: 'big', batch, batches: 2, awaitingApproval: false },
        ...over,
      });
    mockApi([
      { path: '/me', respond: me() },
      {
        path: '/migrations',
        respond: { items: [plan(2, { outcome: 'Queued', phase: 'Pending' }), plan(1)] },
      },
      {
        path: '/plans',
        respond: {
          items: [
            {
              name: 'big',
              namespace: 'multicluster-global-hub',
              from: 'hub1',
              to: 'hub2',
              batches: 2,
              total: 20,
              counts: zeroCounts(),
              completedBatches: 0,
              outcome: 'Running',
              migrations: ['big-1', 'big-2'],
            },
          ],
        },
      },
    ]);
    renderAt(<MigrationsPage />);
    const group = await screen.findByTestId('plan-big');
    expect(within(group).getByText('Plan big')).toBeInTheDocument();
    expect(within(group).getByText('0 of 2 batches completed')).toBeInTheDocument();
    // No ETA from the BFF yet: say so instead of guessing.
    expect(within(group).getByTestId('eta')).toHaveTextContent('Estimating…');
    const rows = within(group).getAllByRole('link', { name: /^big-/ });
    expect(rows.map((r) => r.textContent)).toEqual(['big-1', 'big-2']);
    await userEvent.click(
      within(group).getByRole('button', { name: 'Show the batches of plan big' }),
    );
    expect(within(group).queryByRole('link', { name: 'big-1' })).not.toBeInTheDocument();
  });

  it('applies live updates from the event stream and announces outcome changes', async () => {
    mockApi(routes());
    renderAt(<MigrationsPage />);
    await screen.findByRole('link', { name: 'wave-1' });
    const es = FakeEventSource.latest();
    expect(es.url).toBe('/api/proxy/plugin/hub-migration/backend/api/v1/stream');
    es.open();
    expect(screen.getByTestId('stream-status')).toHaveTextContent('Live');
    es.emit('migration', {
      type: 'MODIFIED',
      migration: summary({ outcome: 'Failed', phase: 'Failed' }),
    });
    es.emit('migration', {
      type: 'ADDED',
      migration: summary({ name: 'wave-2', outcome: 'Queued', phase: 'Pending' }),
    });
    expect(await screen.findByRole('link', { name: 'wave-2' })).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('announcer-assertive')).toHaveTextContent(
        'Migration wave-1: Failed',
      ),
    );
    es.emit('migration', { type: 'DELETED', migration: summary({ name: 'wave-2' }) });
    await waitFor(() =>
      expect(screen.queryByRole('link', { name: 'wave-2' })).not.toBeInTheDocument(),
    );
  });

  it('shows that it is reconnecting when the stream drops', async () => {
    mockApi(routes());
    renderAt(<MigrationsPage />);
    await screen.findByRole('link', { name: 'wave-1' });
    const es = FakeEventSource.latest();
    es.open();
    es.drop();
    expect(screen.getByTestId('stream-status')).toHaveTextContent('Reconnecting…');
    es.open();
    expect(screen.getByTestId('stream-status')).toHaveTextContent('Live');
  });

  it('shows the list even when plans cannot be loaded (partial data)', async () => {
    mockApi([
      { path: '/me', respond: me() },
      { path: '/migrations', respond: { items: [summary()] } },
      {
        path: '/plans',
        respond: () => {
          throw apiError(500, 'Internal', 'boom');
        },
      },
    ]);
    renderAt(<MigrationsPage />);
    expect(await screen.findByRole('link', { name: 'wave-1' })).toBeInTheDocument();
    expect(
      await screen.findByText('Plan progress estimates are unavailable: boom'),
    ).toBeInTheDocument();
  });

  it('disables create for users who may not create migrations, and says why', async () => {
    mockApi([
      { path: '/me', respond: me({ createMigrations: false }) },
      { path: '/migrations', respond: { items: [summary()] } },
      { path: '/plans', respond: { items: [] } },
    ]);
    renderAt(<MigrationsPage />);
    await screen.findByRole('link', { name: 'wave-1' });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Create migration' })).toHaveAttribute(
        'aria-disabled',
        'true',
      ),
    );
  });
});

describe('groupMigrations', () => {
  it('keeps batches of a plan together in batch order', () => {
    const groups = groupMigrations([
      summary({ name: 'a', createdAt: '2026-11-19T10:00:00Z' }),
      summary({ name: 'p-2', plan: { name: 'p', batch: 2, batches: 2, awaitingApproval: true } }),
      summary({ name: 'p-1', plan: { name: 'p', batch: 1, batches: 2, awaitingApproval: false } }),
    ]);
    expect(
      groups.map((g) => (g.kind === 'plan' ? g.migrations.map((m) => m.name) : g.migration.name)),
    ).toEqual([['p-1', 'p-2'], 'a']);
  });
});
