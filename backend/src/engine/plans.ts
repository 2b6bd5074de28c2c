// Plans: batches of one plan run in order, each after the previous one ended. A batch waits for an
// administrator's approval when the plan asks for it, and always after an earlier batch failed.
import type { Migration } from './types.js';
import { isTerminal, PLAN } from './types.js';

export interface BatchInfo {
  plan: string;
  batch: number;
  batches: number;
}

export function batchOf(m: Migration): BatchInfo | undefined {
  const plan = m.metadata.labels?.[PLAN.label];
  if (!plan) return undefined;
  const batch = Number(m.metadata.annotations?.[PLAN.batch] ?? 0);
  const batches = Number(m.metadata.annotations?.[PLAN.batches] ?? 0);
  if (!Number.isInteger(batch) || batch < 1) return undefined;
  return { plan, batch, batches: Number.isInteger(batches) && batches >= batch ? batches : batch };
}

export const isApproved = (m: Migration) => Boolean(m.metadata.annotations?.[PLAN.approved]);

/**
 * Why a pending batch may not start yet, or undefined when it may. `all` holds the migrations of
 * the same namespace (the other batches of its plan among them).
 */
export function planHold(m: Migration, all: readonly Migration[]): string | undefined {
  const me = batchOf(m);
  if (!me) return undefined;
  const earlier = all
    .filter((o) => o.metadata.uid !== m.metadata.uid)
    .map((o) => ({ o, b: batchOf(o) }))
    .filter(({ b }) => b?.plan === me.plan && b.batch < me.batch);
  const running = earlier.find(({ o }) => !isTerminal(o.status?.phase));
  if (running) return `Waiting for batch ${running.b!.batch} of plan ${me.plan} to finish`;
  const failed = earlier.find(({ o }) => o.status?.phase === 'Failed');
  if (failed && !isApproved(m))
    return `Batch ${failed.b!.batch} of plan ${me.plan} failed: approve this batch to go on`;
  if (m.metadata.annotations?.[PLAN.approvalRequired] === 'true' && !isApproved(m))
    return `Waiting for approval to start batch ${me.batch} of ${me.batches} of plan ${me.plan}`;
  return undefined;
}
