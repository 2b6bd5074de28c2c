import { act, renderHook } from '@testing-library/react';
import type { ClusterRow, ClusterState } from '../api/types';
import { ClusterStore, useClusterView } from './clusterStore';

const row = (name: string, state: ClusterState, extra: Partial<ClusterRow> = {}): ClusterRow => ({
  name,
  state,
  hub: state === 'Cleaned' ? 'hub2' : 'hub1',
  updated: '2026-01-01T00:00:00Z',
  ...extra,
});

const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    row(`c-${String(n - i).padStart(4, '0')}`, i % 10 === 0 ? 'Failed' : 'Cleaned'),
  );

describe('ClusterStore', () => {
  it('does not signal a change when a full load brings the same rows again', () => {
    const store = new ClusterStore();
    const listener = jest.fn();
    store.subscribe(listener);
    store.replaceAll(many(100));
    expect(listener).toHaveBeenCalledTimes(1);
    const before = store.all();
    store.replaceAll(many(100));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.all()).toBe(before);
    store.replaceAll([...many(99), row('c-0100', 'Registered')]);
    expect(listener).toHaveBeenCalledTimes(2);
    store.replaceAll(many(99));
    expect(listener).toHaveBeenCalledTimes(3);
    expect(store.size).toBe(99);
  });

  it('signals the first load even when it is empty', () => {
    const store = new ClusterStore();
    const listener = jest.fn();
    store.subscribe(listener);
    store.replaceAll([]);
    expect(store.loaded).toBe(true);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('useClusterView', () => {
  it('filters the sorted rows without sorting again, in order, and pages them', () => {
    const store = new ClusterStore();
    store.replaceAll(many(3000));
    const sortSpy = jest.spyOn(Array.prototype, 'sort');
    const { result, rerender } = renderHook(
      ({ states }: { states: ClusterState[] }) =>
        useClusterView(store, { states }, { key: 'name', desc: false }, { offset: 50, limit: 50 }),
      { initialProps: { states: [] as ClusterState[] } },
    );
    expect(result.current.total).toBe(3000);
    expect(result.current.matching).toBe(3000);
    expect(result.current.rows[0].name).toBe('c-0051');
    expect(result.current.counts.Failed).toBe(300);
    const sortsBefore = sortSpy.mock.calls.length;
    rerender({ states: ['Failed'] });
    expect(sortSpy.mock.calls.length).toBe(sortsBefore);
    sortSpy.mockRestore();
    expect(result.current.matching).toBe(300);
    const names = result.current.rows.map((r) => r.name);
    expect(names).toHaveLength(50);
    expect(names).toEqual([...names].sort());
    expect(result.current.rows.every((r) => r.state === 'Failed')).toBe(true);

    act(() => {
      store.applyRows([row('c-0001', 'Failed')]);
    });
    expect(result.current.counts.Failed).toBe(301);
  });

  it('applies streamed changes by name order without sorting again, and places new clusters', () => {
    const store = new ClusterStore();
    store.replaceAll(many(3000));
    const { result } = renderHook(() =>
      useClusterView(store, { states: [] }, { key: 'name', desc: false }, { offset: 0, limit: 3 }),
    );
    expect(result.current.rows.map((r) => r.name)).toEqual(['c-0001', 'c-0002', 'c-0003']);
    const sortSpy = jest.spyOn(Array.prototype, 'sort');
    act(() => {
      store.applyRows([row('c-0002', 'Registered'), row('c-0500', 'Failed')]);
    });
    expect(sortSpy).not.toHaveBeenCalled();
    expect(result.current.rows[1]).toMatchObject({ name: 'c-0002', state: 'Registered' });
    act(() => {
      store.applyRows([row('c-0000', 'Pending')]);
    });
    expect(sortSpy).toHaveBeenCalled();
    sortSpy.mockRestore();
    expect(result.current.rows.map((r) => r.name)).toEqual(['c-0000', 'c-0001', 'c-0002']);
    expect(result.current.total).toBe(3001);
  });

  it('sorts by state, then by name, and descending', () => {
    const store = new ClusterStore();
    store.replaceAll([row('b', 'Cleaned'), row('a', 'Cleaned'), row('c', 'Failed')]);
    const { result } = renderHook(() =>
      useClusterView(store, { states: [] }, { key: 'state', desc: true }, { offset: 0, limit: 10 }),
    );
    expect(result.current.rows.map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });
});
