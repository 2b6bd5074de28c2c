// Timings measured inside the page of a migration's details (scale journey, UI benchmark), all in
// ms from the navigation's start (performance.timeOrigin), each taken after the frame that shows it
// was painted (a requestAnimationFrame, then a task):
// - fmp: first meaningful paint, the page's heading and its per-state cluster counts;
// - table: the cluster table with its first rows;
// - tti: time to interactive, the first input answered: as soon as the table shows, the page
//   clicks a state filter itself (no test-runner round trip in the number) and the time is when
//   every row shown is in that state;
// plus, on demand, the frames (requestAnimationFrame deltas) and the long tasks while sampling,
// and when the cluster area last changed (to time what a click on a filter or a page costs).
import type { Page } from '@playwright/test';

export interface TimingOptions {
  /** The state filter to click as soon as the table shows (its count's data-test suffix). */
  clickState: string;
  /** The state's label in the rows' State column. */
  stateLabel: string;
}

export interface Timings {
  fmp?: number;
  table?: number;
  click?: number;
  tti?: number;
}

export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  /** Frames longer than 50 ms. */
  over50: number;
  longTasks: number;
  longTaskMs: number;
}

interface TimingState {
  marks: Timings;
  areaChanges: number[];
  frames: number[];
  sampling: boolean;
  longTasks: { start: number; duration: number }[];
  samplingSince: number;
}

type TimingWindow = Window & {
  __timing?: TimingState;
  __startFrames?: () => void;
  __counts?: { at: number; text: string }[];
};

/** Runs in the page before any of its scripts (serialised: it may use nothing from outside). */
function instrument(o: TimingOptions | null): void {
  const w = window as TimingWindow;
  const t: TimingState = {
    marks: {},
    areaChanges: [],
    frames: [],
    sampling: false,
    longTasks: [],
    samplingSince: 0,
  };
  w.__timing = t;
  const afterPaint = (f: (now: number) => void) =>
    requestAnimationFrame(() => setTimeout(() => f(performance.now()), 0));
  let fmpSeen = false;
  let tableSeen = false;
  let clicked = false;
  let answered = false;
  const table = () => document.querySelector('[data-test="cluster-table"]');
  const area = () => table()?.closest('.pf-v6-c-card');
  let areaEl: Element | null | undefined;
  const answeredNow = () => {
    const rows = [...(table()?.querySelectorAll('tr[data-test^="cluster-row-"]') ?? [])];
    return (
      rows.length > 0 &&
      rows.every((r) => (r as HTMLTableRowElement).cells[2]?.textContent?.trim() === o?.stateLabel)
    );
  };
  const check = (records: MutationRecord[]) => {
    if (
      !fmpSeen &&
      document.querySelector('h1') &&
      document.querySelector('[data-test^="count-"]')
    ) {
      fmpSeen = true;
      afterPaint((now) => (t.marks.fmp = now));
    }
    if (!tableSeen && table()?.querySelector('tr[data-test^="cluster-row-"]')) {
      tableSeen = true;
      areaEl = area();
      afterPaint((now) => {
        t.marks.table = now;
        const button =
          o &&
          document.querySelector<HTMLButtonElement>(`[data-test="count-${o.clickState}"] button`);
        if (!button) return;
        clicked = true;
        t.marks.click = performance.now();
        button.click();
      });
    }
    if (clicked && !answered && answeredNow()) {
      answered = true;
      afterPaint((now) => (t.marks.tti = now));
    }
    if (areaEl && records.some((r) => areaEl?.contains(r.target)))
      afterPaint((now) => t.areaChanges.push(now));
  };
  new MutationObserver(check).observe(document, {
    childList: true,
    subtree: true,
    characterData: true,
  });
  const frame = (now: number) => {
    if (!t.sampling) return;
    t.frames.push(now);
    requestAnimationFrame(frame);
  };
  w.__startFrames = () => {
    t.frames = [];
    t.longTasks = [];
    t.samplingSince = performance.now();
    t.sampling = true;
    requestAnimationFrame(frame);
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if (t.sampling && e.startTime >= t.samplingSince)
          t.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long task timing in this browser
  }
}

/**
 * Lets functions compiled by tsx/esbuild run in the page: with names kept they call a `__name`
 * helper that only exists in Node (Playwright's own test loader does not add it).
 */
export async function allowCompiledFunctions(page: Page): Promise<void> {
  await page.addInitScript('globalThis.__name ??= (f) => f;');
}

/** Instruments every page the test opens from now on (call before `goto`); without options the
 * page clicks nothing by itself (no `tti`). */
export async function installTiming(page: Page, o?: TimingOptions): Promise<void> {
  await allowCompiledFunctions(page);
  await page.addInitScript(instrument, o ?? null);
}

/** The marks so far, after waiting for those named (up to `ms`). */
export async function timings(
  page: Page,
  wait: (keyof Timings)[] = [],
  ms = 60_000,
): Promise<Timings> {
  if (wait.length)
    await page.waitForFunction(
      (keys) => {
        const t = (window as TimingWindow).__timing;
        return keys.every((k) => t?.marks[k] !== undefined);
      },
      wait,
      { timeout: ms },
    );
  return page.evaluate(() => ({ ...(window as TimingWindow).__timing!.marks }));
}

export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** When the cluster area last changed on screen (ms since navigation), at or after `since`. */
export async function lastAreaChange(page: Page, since: number): Promise<number | undefined> {
  // One more frame, so a change made just before this call is painted and recorded.
  await page.evaluate(
    () =>
      new Promise((r) => {
        requestAnimationFrame(() => setTimeout(r, 0));
        setTimeout(r, 1000);
      }),
  );
  return page.evaluate(
    (s) => (window as TimingWindow).__timing!.areaChanges.filter((c) => c >= s).at(-1),
    since,
  );
}

export async function startFrames(page: Page): Promise<void> {
  await page.evaluate(() => (window as TimingWindow).__startFrames?.());
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

/** Stops sampling and summarises the frames since `startFrames`. */
export async function stopFrames(page: Page): Promise<FrameStats> {
  const { frames, longTasks } = await page.evaluate(() => {
    const t = (window as TimingWindow).__timing!;
    t.sampling = false;
    return { frames: t.frames, longTasks: t.longTasks };
  });
  const deltas = frames.slice(1).map((f, i) => f - frames[i]);
  const sorted = [...deltas].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    frames: deltas.length,
    p50: r(pct(sorted, 50)),
    p95: r(pct(sorted, 95)),
    max: r(sorted.at(-1) ?? 0),
    over50: deltas.filter((d) => d > 50).length,
    longTasks: longTasks.length,
    longTaskMs: Math.round(longTasks.reduce((a, l) => a + l.duration, 0)),
  };
}

/** Records each change of a state's count button's text (with Date.now()), from now on. */
export async function watchCount(page: Page, state: string): Promise<void> {
  await page.evaluate((s) => {
    const seen: { at: number; text: string }[] = [];
    (window as TimingWindow).__counts = seen;
    const el = document.querySelector(`[data-test="count-${s}"]`);
    if (!el) throw new Error(`no count of ${s} on the page`);
    new MutationObserver(() => seen.push({ at: Date.now(), text: el.textContent ?? '' })).observe(
      el,
      { subtree: true, childList: true, characterData: true },
    );
  }, state);
}

/** What `watchCount` saw: each text the count showed, and when. */
export interface CountChange {
  at: number;
  text: string;
}

export const countChanges = (page: Page): Promise<CountChange[]> =>
  page.evaluate(() => (window as TimingWindow).__counts ?? []);
