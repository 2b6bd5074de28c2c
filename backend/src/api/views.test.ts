// What the API derives from a migration: outcome, actions, phase steps and an ETA that says
// nothing rather than guess.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Migration, MigrationCondition, Phase } from '../engine/types.js';
import type { ClusterRow, ClusterState } from './contract.js';
import type { ProgressView } from './views.js';
import { estimate, phaseSteps, summarize } from './views.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const cond = (
  type: string,
  status: MigrationCondition['status'],
  s: number,
  reason = 'x',
): MigrationCondition => ({
  type,
  status,
  reason,
  message: `${type} ${status}`,
  lastTransitionTime: at(s),
  lastUpdateTime: at(s),
});

function migration(phase: Phase, conditions: MigrationCondition[]): Migration {
  return {
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name: 'm', namespace: 'ns', uid: 'u', creationTimestamp: new Date(T0) },
    spec: { from: 'a', to: 'b', includedManagedClusters: ['c1', 'c2'] },
    status: { phase, conditions },
  };
}

function progress(states: ClusterState[]): ProgressView {
  const rows = new Map<string, ClusterRow>();
  states.forEach((state, i) =>
    rows.set(`c${i}`, { name: `c${i}`, state, hub: 'a', updated: at(0) }),
  );
  return { order: [...rows.keys()], rows };
}

const started = cond('MigrationStarted', 'True', 0, 'InstanceStarted');

test('no ETA until there is enough progress and time to say something honest', () => {
  const m = migration('Deploying', [started]);
  assert.equal(
    estimate(m, progress(Array<ClusterState>(100).fill('Pending')), T0 + 60_000).etaSeconds,
    undefined,
    'no progress',
  );
  assert.equal(
    estimate(m, progress(Array<ClusterState>(100).fill('Deployed')), T0 + 5_000).etaSeconds,
    undefined,
    'too early',
  );
  const e = estimate(
    m,
    progress([
      ...Array<ClusterState>(50).fill('Cleaned'),
      ...Array<ClusterState>(50).fill('Pending'),
    ]),
    T0 + 100_000,
  );
  assert.equal(e.etaSeconds, 100, 'half done in 100 s: 100 s left');
  assert.equal(Math.round(e.ratePerMinute!), 30);
  const deployed = estimate(m, progress(Array<ClusterState>(100).fill('Deployed')), T0 + 60_000);
  assert.equal(Math.round(deployed.ratePerMinute!), 35, 'work in progress counts: not stalled');
  const cleaned = cond('ResourceCleaned', 'True', 120, 'ResourceCleaned');
  assert.deepEqual(
    estimate(migration('Completed', [started, cleaned]), progress(['Cleaned', 'Cleaned'])),
    { ratePerMinute: 1 },
    'a finished migration gives its average rate: 2 clusters in 120 s',
  );
});

test('outcome and actions follow the state', () => {
  const done = summarize(migration('Completed', [started]), progress(['Cleaned', 'Cleaned']), []);
  assert.equal(done.outcome, 'Completed');
  assert.deepEqual(done.actions, {
    rollback: false,
    retryFailed: false,
    migrateBack: true,
    approve: false,
    delete: true,
  });
  const rolledBack = summarize(
    migration('Failed', [started, cond('ResourceRolledBack', 'True', 9, 'ResourceRolledBack')]),
    progress(['RolledBack', 'RolledBack']),
    [],
  );
  assert.equal(rolledBack.outcome, 'RolledBack');
  assert.equal(rolledBack.actions.rollback, false);
  assert.equal(rolledBack.actions.retryFailed, true);
  const partial = summarize(
    migration('Failed', [started]),
    progress(['Cleaned', 'RolledBack']),
    [],
  );
  assert.equal(partial.outcome, 'Partial');
  const running = summarize(
    migration('Registering', [started]),
    progress(['Registering', 'Registered']),
    [],
  );
  assert.equal(running.actions.rollback, true);
  assert.equal(summarize(migration('Cleaning', [started]), undefined, []).actions.rollback, false);
});

test('phase steps: each starts when the one before it ended', () => {
  const m = migration('Registering', [
    started,
    cond('ResourceValidated', 'True', 2),
    cond('ResourceInitialized', 'True', 10),
    cond('ResourceDeployed', 'True', 25),
    cond('ClusterRegistered', 'False', 25, 'Waiting'),
  ]);
  const steps = phaseSteps(m);
  assert.deepEqual(
    steps.map((s) => [s.phase, s.state, s.seconds]),
    [
      ['Validating', 'done', 2],
      ['Initializing', 'done', 8],
      ['Deploying', 'done', 15],
      ['Registering', 'running', undefined],
      ['Cleaning', 'pending', undefined],
    ],
  );
  assert.equal(steps[3].started, at(25));
});
