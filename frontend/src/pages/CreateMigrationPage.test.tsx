import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ValidationResult } from '../api/types';
import { FakeEventSource, mockApi } from '../test-utils/fakeApi';
import type { Route } from '../test-utils/fakeApi';
import { clusterRows, detail, hub, me, summary, zeroCounts } from '../test-utils/fixtures';
import { renderAt } from '../test-utils/render';
import { emptyDraft, saveDraft } from '../wizard/draft';
import { CreateMigrationPage } from './CreateMigrationPage';

const hubs = [
  hub({ name: 'hub1', acmVersion: '2.13', components: ['search', 'grc'] }),
  hub({ name: 'hub2', acmVersion: '2.15', components: ['search'], clusterCount: 10 }),
  hub({ name: 'hub3', available: false, reason: 'The hub does not answer.' }),
];

const passed = (clusters: string[]): ValidationResult => ({
  ok: true,
  hubs: [],
  clusters: clusters.map((name) => ({ name, kind: 'plain', ok: true, errors: [], warnings: [] })),
  resolvedClusters: clusters,
  errors: [],
  warnings: [],
});

const base = (extra: Route[] = []): Route[] => [
  ...extra,
  { path: '/me', respond: me() },
  { path: '/hubs', respond: { items: hubs } },
  {
    path: '/hubs/hub1/clusters',
    respond: ({ url }: { url: URL }) => {
      const rows = clusterRows(3).map((r) => ({
        name: r.name,
        available: 'True',
        labels: { env: 'prod' },
        ztp: false,
        provisioning: false,
      }));
      const search = url.searchParams.get('search') ?? '';
      const items = rows.filter((r) => r.name.includes(search));
      return { items, total: items.length, offset: 0, limit: 50 };
    },
  },
  {
    method: 'POST',
    path: '/validate',
    respond: ({ body }: { body: unknown }) => passed((body as { clusters: string[] }).clusters),
  },
];

beforeEach(() => {
  sessionStorage.clear();
  FakeEventSource.install();
});

const next = () => userEvent.click(screen.getByRole('button', { name: 'Next' }));

describe('CreateMigrationPage', () => {
  it('gates steps: Next stays disabled until both hubs are chosen; unusable hubs are disabled with the reason', async () => {
    mockApi(base());
    renderAt(<CreateMigrationPage />);
    const source = await screen.findByRole('combobox', { name: 'Source hub' });
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    // Later steps cannot be reached from the navigation yet.
    expect(screen.getByRole('button', { name: 'Review' })).toBeDisabled();
    await userEvent.click(source);
    const unusable = await screen.findByTestId('hub-option-hub3');
    expect(within(unusable).getByRole('option')).toBeDisabled();
    expect(unusable).toHaveTextContent('The hub does not answer.');
    await userEvent.click(within(screen.getByTestId('hub-option-hub1')).getByRole('option'));
    await userEvent.click(screen.getByRole('combobox', { name: 'Target hub' }));
    // The source cannot be the target.
    expect(within(screen.getByTestId('hub-option-hub1')).getByRole('option')).toBeDisabled();
    expect(screen.getByTestId('hub-option-hub1')).toHaveTextContent('It is the source hub.');
    await userEvent.click(within(screen.getByTestId('hub-option-hub2')).getByRole('option'));
    // Compatibility is shown right there.
    expect(screen.getByTestId('compatibility')).toHaveTextContent(
      'Component grc is enabled on the source but not on the target.',
    );
    expect(screen.getByRole('button', { name: 'Next' })).toBeEnabled();
    await next();
    // No cluster chosen yet: cannot go on.
    expect(await screen.findByRole('grid', { name: 'Clusters on hub1' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select sno-0001' }));
    expect(screen.getByTestId('selected-count')).toHaveTextContent('1 selected');
    expect(screen.getByRole('button', { name: 'Next' })).toBeEnabled();
  });

  it('reconciles pasted names and uses the found ones', async () => {
    const { calls } = mockApi(
      base([
        {
          method: 'POST',
          path: '/hubs/hub1/clusters/reconcile',
          respond: {
            found: ['a-1', 'a-2'],
            unknown: ['zz'],
            onTarget: ['b-1'],
            duplicates: ['a-1'],
            invalid: ['Bad_Name'],
          },
        },
      ]),
    );
    saveDraft({ ...emptyDraft(), from: 'hub1', to: 'hub2', name: 'm1' });
    renderAt(<CreateMigrationPage />);
    await screen.findByRole('combobox', { name: 'Source hub' });
    await next();
    await userEvent.click(screen.getByRole('tab', { name: 'Paste' }));
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Cluster names' }),
      'a-1, a-2 a-1\nzz b-1 Bad_Name',
    );
    expect(screen.getByText('6 names pasted')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Check names against hub1' }));
    const summaryAlert = await screen.findByTestId('reconcile-summary');
    expect(summaryAlert).toHaveTextContent(
      '2 found, 1 unknown, 1 already on hub2, 1 duplicates, 1 not valid names',
    );
    expect(calls.find((c) => c.path === '/hubs/hub1/clusters/reconcile')?.body).toEqual({
      names: ['a-1', 'a-2', 'a-1', 'zz', 'b-1', 'Bad_Name'],
      target: 'hub2',
    });
    await userEvent.click(
      within(summaryAlert).getByRole('button', { name: 'Use the 2 found clusters' }),
    );
    expect(screen.getByTestId('selection-summary')).toHaveTextContent('2 clusters selected');
  });

  it('previews what a built selector matches, live', async () => {
    const { calls } = mockApi(
      base([
        {
          method: 'POST',
          path: '/hubs/hub1/placement-preview',
          respond: {
            matched: 3,
            total: 40,
            matchedNames: ['e-1', 'e-2', 'e-3'],
            notMatchedNames: ['w-1'],
          },
        },
        { path: '/hubs/hub1/placements', respond: { items: [] } },
      ]),
    );
    saveDraft({ ...emptyDraft(), from: 'hub1', to: 'hub2', name: 'm1' });
    renderAt(<CreateMigrationPage />);
    await screen.findByRole('combobox', { name: 'Source hub' });
    await next();
    await userEvent.click(screen.getByRole('tab', { name: 'Placement' }));
    await userEvent.click(screen.getByRole('radio', { name: 'Build a selector' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Label' }), 'region');
    await userEvent.type(screen.getByRole('textbox', { name: 'Values (comma separated)' }), 'east');
    const preview = await screen.findByTestId('selector-preview', {}, { timeout: 3000 });
    expect(preview).toHaveTextContent('Matches 3 of 40 clusters');
    const last = calls.filter((c) => c.path === '/hubs/hub1/placement-preview').pop();
    expect(last?.body).toEqual({
      clusterSets: [],
      labelSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['east'] }] },
    });
    await userEvent.click(
      within(preview).getByRole('button', { name: 'Show matched and not matched clusters' }),
    );
    expect(await screen.findByTestId('matched-names')).toHaveTextContent('e-1, e-2, e-3');
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    await userEvent.click(within(preview).getByRole('button', { name: 'Use these 3 clusters' }));
    expect(screen.getByTestId('selection-summary')).toHaveTextContent('3 clusters selected');
  });

  it('validates, drops blocked clusters in one click, then reviews the YAML and starts a plan', async () => {
    const clusters = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
    const { calls } = mockApi(
      base([
        {
          method: 'POST',
          path: '/validate',
          respond: ({ body }: { body: unknown }) => {
            const names = (body as { clusters: string[] }).clusters;
            const result = passed(names);
            for (const c of result.clusters) {
              if (c.name === 'c-2')
                Object.assign(c, {
                  ok: false,
                  errors: ['not found on hub1', 'already in migration m-1'],
                });
              if (c.name === 'c-3') c.warnings.push('policies not yet on hub2');
            }
            result.ok = result.clusters.every((c) => c.ok);
            // As the engine answers: each failing cluster's errors again, as one line.
            if (!result.ok) result.errors.push('not found on hub1; already in migration m-1');
            return result;
          },
        },
        {
          method: 'POST',
          path: '/plans',
          respond: {
            plan: 'wave',
            migrations: [summary({ name: 'wave-1' }), summary({ name: 'wave-2' })],
          },
        },
      ]),
    );
    saveDraft({
      ...emptyDraft(),
      from: 'hub1',
      to: 'hub2',
      name: 'wave',
      clusters,
      batchSize: 2,
      timeout: '20',
    });
    renderAt(<CreateMigrationPage />);
    await screen.findByRole('combobox', { name: 'Source hub' });
    await next(); // clusters
    await next(); // batches
    expect(screen.getByTestId('batch-preview')).toHaveTextContent('5 clusters → 3 batches');
    await next(); // validate
    expect(await screen.findByTestId('validation-summary')).toHaveTextContent(
      '1 problem blocks this migration',
    );
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(screen.getByRole('grid', { name: 'Blocked clusters' })).toHaveTextContent(
      'not found on hub1; already in migration m-1',
    );
    // Said once, in the cluster's row: not again as a problem of the whole migration.
    expect(screen.getAllByText(/not found on hub1/)).toHaveLength(1);
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove 1 blocked cluster and check again' }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('validation-summary')).toHaveTextContent('Ready, with 1 warning'),
    );
    expect(calls.filter((c) => c.path === '/validate').pop()?.body).toEqual({
      from: 'hub1',
      to: 'hub2',
      clusters: ['c-1', 'c-3', 'c-4', 'c-5'],
    });
    await next(); // review
    expect(screen.getByTestId('impact')).toHaveTextContent(
      '4 clusters leave hub1 and register to hub2.',
    );
    const yaml = screen.getByTestId('review-yaml').textContent ?? '';
    expect(yaml).toContain('name: wave-1');
    expect(yaml).toContain('name: wave-2');
    expect(yaml).toContain('hub-migration.openshift.io/plan: wave');
    expect(yaml).toContain('  includedManagedClusters:\n  - c-1\n  - c-3\n');
    expect(yaml).toContain('stageTimeout: 20m');
    expect(yaml).not.toContain('c-2');
    await userEvent.click(screen.getByRole('button', { name: 'Start migration' }));
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        '/hub-migration/ns/multicluster-global-hub/wave-1',
      ),
    );
    expect(calls.find((c) => c.path === '/plans')?.body).toEqual({
      name: 'wave',
      from: 'hub1',
      to: 'hub2',
      clusters: ['c-1', 'c-3', 'c-4', 'c-5'],
      batchSize: 2,
      approvalBetweenBatches: false,
      stageTimeout: '20m',
    });
  });

  it('pre-fills a retry with only the clusters that did not move (failed or rolled back)', async () => {
    const { calls } = mockApi(
      base([
        {
          path: '/migrations/multicluster-global-hub/wave-1',
          respond: detail({ outcome: 'Failed', phase: 'Failed' }),
        },
        {
          path: '/migrations/multicluster-global-hub/wave-1/clusters',
          respond: {
            items: [...clusterRows(1, 'Failed'), { ...clusterRows(2, 'RolledBack')[1] }],
            total: 2,
            offset: 0,
            limit: 1000,
            counts: zeroCounts(),
          },
        },
      ]),
    );
    renderAt(<CreateMigrationPage />, { url: '/?retry=multicluster-global-hub%2Fwave-1' });
    expect(
      await screen.findByText(
        'Pre-filled with the 2 failed clusters of wave-1. Review and edit before you start.',
      ),
    ).toBeInTheDocument();
    const asked = new URLSearchParams(calls.find((c) => c.path.endsWith('/clusters'))?.search);
    expect(asked.getAll('state').flatMap((s) => s.split(','))).toEqual(['Failed', 'RolledBack']);
    await next();
    expect(screen.getByTestId('selection-summary')).toHaveTextContent('2 clusters selected');
  });

  it('asks before discarding what was entered', async () => {
    mockApi(base());
    saveDraft({ ...emptyDraft(), from: 'hub1' });
    renderAt(<CreateMigrationPage />);
    await userEvent.click(await screen.findByRole('combobox', { name: 'Target hub' }));
    await userEvent.click(within(screen.getByTestId('hub-option-hub2')).getByRole('option'));
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(
      await screen.findByRole('heading', { name: /Discard this migration\?/ }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Discard' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/hub-migration'));
  });
});
