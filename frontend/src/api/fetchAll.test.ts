import { fetchAll } from './client';

const pages = (total: number, growTo?: number) => {
  const calls: [number, number][] = [];
  let size = total;
  const page = (offset: number, limit: number) => {
    calls.push([offset, limit]);
    const items = Array.from(
      { length: Math.max(0, Math.min(limit, size - offset)) },
      (_, i) => offset + i,
    );
    // The list grows while it is being read (after the first page).
    if (growTo !== undefined) size = growTo;
    return Promise.resolve({ items, total: size, offset, limit });
  };
  return { page, calls };
};

describe('fetchAll', () => {
  it('asks for the first page, then all the others at once', async () => {
    const { page, calls } = pages(3000);
    const order: string[] = [];
    const items = await fetchAll((offset, limit) => {
      order.push(`start ${offset}`);
      return page(offset, limit).then((p) => {
        order.push(`end ${offset}`);
        return p;
      });
    });
    expect(items).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(calls).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 1000],
    ]);
    // The second and third pages were both asked for before either answered.
    expect(order.indexOf('start 2000')).toBeLessThan(order.indexOf('end 1000'));
  });

  it('reads one page when everything fits, and nothing more for an empty list', async () => {
    const one = pages(10);
    expect(await fetchAll(one.page)).toHaveLength(10);
    expect(one.calls).toHaveLength(1);
    const none = pages(0);
    expect(await fetchAll(none.page)).toEqual([]);
    expect(none.calls).toHaveLength(1);
  });

  it('reads on when the list grew meanwhile', async () => {
    const { page } = pages(2000, 2500);
    const items = await fetchAll(page);
    expect(items).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });
});
