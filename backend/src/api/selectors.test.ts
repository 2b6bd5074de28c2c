import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiFailure } from './errors.js';
import { describeSelector, matches, parseSelector } from './selectors.js';

test('the string form of label selectors', () => {
  const s = parseSelector('env=prod, region in (east, west),!gpu,tier,zone notin (z1),app!=db');
  const labels = { env: 'prod', region: 'east', tier: 'web', app: 'api' };
  assert.equal(matches(s, labels), true);
  assert.equal(matches(s, { ...labels, gpu: 'yes' }), false);
  assert.equal(matches(s, { ...labels, region: 'north' }), false);
  assert.equal(matches(s, { ...labels, zone: 'z1' }), false);
  assert.equal(matches(s, { ...labels, app: 'db' }), false);
  const { tier: _tier, ...noTier } = labels;
  assert.equal(matches(s, noTier), false);
  for (const bad of ['env in prod', '=x', 'a b', 'env in ()'])
    assert.throws(() => parseSelector(bad), ApiFailure, bad);
});

test('selectors in plain words', () => {
  assert.equal(
    describeSelector({
      matchLabels: { env: 'prod' },
      matchExpressions: [
        { key: 'region', operator: 'In', values: ['east', 'west'] },
        { key: 'gpu', operator: 'DoesNotExist' },
      ],
    }),
    'env is prod and region is east or west and gpu is not set',
  );
  assert.equal(describeSelector({}), 'every cluster');
});
