// Conditions and stage clocks. A phase's clock starts when its condition is first written and
// lives in that condition's lastTransitionTime, so it survives any restart of the BFF.
import type { MigrationCondition, MigrationSpec, Phase } from './types.js';
import { PHASE_CONDITION } from './types.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration (`90s`, `15m`, `1h30m`, `1.5h`); throws with a clear message otherwise. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed += m[0].length;
  }
  if (!text || consumed !== text.length)
    throw new Error(`"${text}" is not a duration such as 90s, 15m or 1h30m`);
  return total;
}

export const DEFAULT_STAGE_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_REGISTERING_TIMEOUT_MS = 12 * 60_000;

/** How long a phase may take: the spec's stageTimeout for every stage, else 5 min (12 min Registering). */
export function stageTimeoutMs(spec: MigrationSpec, phase: Phase): number {
  const configured = spec.supportedConfigs?.stageTimeout;
  if (configured) return parseDuration(configured);
  return phase === 'Registering' ? DEFAULT_REGISTERING_TIMEOUT_MS : DEFAULT_STAGE_TIMEOUT_MS;
}

export function kubeNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The conditions with `next` set: lastTransitionTime changes only when the status changes,
 * lastUpdateTime whenever status, reason or message does (as the reference does).
 */
export function setCondition(
  conditions: MigrationCondition[] | undefined,
  next: Omit<MigrationCondition, 'lastTransitionTime' | 'lastUpdateTime'>,
): MigrationCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const now = kubeNow();
  if (
    old &&
    old.status === next.status &&
    old.reason === next.reason &&
    old.message === next.message
  )
    return list;
  const updated: MigrationCondition = {
    ...next,
    lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : now,
    lastUpdateTime: now,
  };
  if (i >= 0) list[i] = updated;
  else list.push(updated);
  return list;
}

export function getCondition(
  conditions: MigrationCondition[] | undefined,
  type: string,
): MigrationCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function removeConditions(
  conditions: MigrationCondition[] | undefined,
  types: string[],
): MigrationCondition[] {
  return (conditions ?? []).filter((c) => !types.includes(c.type));
}

/** When the phase started (its condition's first write), or undefined before it has started. */
export function phaseStartedAt(
  conditions: MigrationCondition[] | undefined,
  phase: Phase,
): number | undefined {
  const type = PHASE_CONDITION[phase]?.type;
  const c = type ? getCondition(conditions, type) : undefined;
  if (!c) return undefined;
  // The clock starts at the first Waiting write; a later status change (False→True) ends it.
  return Date.parse(
    c.status === 'True' ? (c.lastUpdateTime ?? c.lastTransitionTime) : c.lastTransitionTime,
  );
}
