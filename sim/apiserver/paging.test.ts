// A paged list followed by a watch from the list's resourceVersion (what informers and the engine
// do) must not miss a change made to an object of an earlier page while the later pages were read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterState } from './cluster.js';
import type { WatchEvent } from './cluster.js';
import { cloneJson } from './types.js';

test('every page carries the first page’s version, and a watch from it sees the changes made meanwhile', () => {
  const state = new ClusterState();
  const cm = state.rt('', 'v1', 'configmaps');
  state.create(state.rt('', 'v1', 'namespaces'), undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'ns' },
  });
  for (const name of ['a', 'b', 'c'])
    state.create(cm, 'ns', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'ns' },
      data: { v: '1' },
    });
  const first = state.list(cm, 'ns', { limit: 2 });
  assert.deepEqual(
    first.items.map((o) => o.metadata.name),
    ['a', 'b'],
  );
  // Meanwhile an object of the first page changes.
  const a = cloneJson(state.get(cm, 'ns', 'a')!);
  a.data = { v: '2' };
  state.update(cm, 'ns', 'a', a);
  const second = state.list(cm, 'ns', { limit: 2, continueToken: first.continueToken });
  assert.deepEqual(
    second.items.map((o) => o.metadata.name),
    ['c'],
  );
  assert.equal(second.resourceVersion, first.resourceVersion, 'the version of the first page');
  const seen: WatchEvent[] = [];
  const stop = state.watch(cm, { resourceVersion: second.resourceVersion }, (e) => seen.push(e));
  stop();
  assert.deepEqual(
    seen.map((e) => [e.type, e.object.metadata.name, (e.object.data as { v: string }).v]),
    [['MODIFIED', 'a', '2']],
    'the change to a is delivered',
  );
});
